"""The triggers exception family (the tree is drawn in the package docstring).

Every error here is about input from outside — a webhook delivery or a project's filter groups —
and its message is written for the person who can fix that input: it names the header, the
payload field or the filter, and says what was expected.
"""

from __future__ import annotations

from dataclasses import dataclass

from gitterra.diag import Diagnostic


class TriggerError(Exception):
    """Base of every error the triggers package raises about its input."""


class SignatureError(TriggerError):
    """A delivery's signature (or GitLab token) is missing, malformed or does not match the
    webhook's secret. The delivery must be refused before its body is looked at (HTTP 401)."""


class PayloadError(TriggerError):
    """A delivery that passed its signature check cannot be understood: malformed JSON, a
    missing event header, a missing or mistyped field (HTTP 400).

    ``field`` is the payload path (``pull_request.head.sha``) and ``header`` the header the
    problem belongs to (``X-GitHub-Event: pull_request``), when known.
    """

    def __init__(self, message: str, *, field: str | None = None, header: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.header = header


class PayloadTooLargeError(PayloadError):
    """The body is larger than the forges ever send (:data:`MAX_PAYLOAD_BYTES`; HTTP 413)."""


@dataclass(frozen=True, slots=True)
class FilterProblem:
    """One mistake in a project's filter groups.

    ``group`` and ``filter`` are 0-based indexes, as Terraform addresses the blocks
    (``filter_group[1].filter[0]``); ``filter`` is None for a problem of the whole group.
    ``field`` names the key (``pattern``, ``type``) when the problem is one key's value.
    """

    group: int
    filter: int | None
    field: str | None
    message: str

    @property
    def path(self) -> str:
        """The Terraform-style address of the problem: ``filter_group[1].filter[0].pattern``."""
        path = f"filter_group[{self.group}]"
        if self.filter is not None:
            path += f".filter[{self.filter}]"
        if self.field is not None:
            path += f".{self.field}"
        return path

    @property
    def attribute(self) -> tuple[str | int, ...]:
        """The path inside an ``aws_codebuild_webhook`` block, for :attr:`Diagnostic.attribute`
        (``("filter_group", 1, "filter", 0, "pattern")``)."""
        path: tuple[str | int, ...] = ("filter_group", self.group)
        if self.filter is not None:
            path += ("filter", self.filter)
        if self.field is not None:
            path += (self.field,)
        return path

    def diagnostic(self) -> Diagnostic:
        """The problem as an error diagnostic at its attribute; the caller who knows the
        resource block attaches the source range."""
        return Diagnostic.error("Invalid webhook filter group", str(self), attribute=self.attribute)

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class ValidationError(TriggerError):
    """A project's filter groups are invalid. ``problems`` lists every mistake found (all of
    them, not only the first), each naming its group and filter."""

    def __init__(self, problems: list[FilterProblem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in problems))

    def diagnostics(self) -> list[Diagnostic]:
        """One error diagnostic per problem (see :meth:`FilterProblem.diagnostic`)."""
        return [p.diagnostic() for p in self.problems]
