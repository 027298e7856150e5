"""The diagnostic value types."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace


class Severity(enum.Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True, order=True)
class Pos:
    """A position in a source file: 1-based line and column, 0-based character offset."""

    line: int
    column: int
    offset: int


@dataclass(frozen=True, slots=True)
class SourceRange:
    """A half-open range ``[start, end)`` of one source file."""

    filename: str
    start: Pos
    end: Pos

    def __str__(self) -> str:
        return f"{self.filename}:{self.start.line}:{self.start.column}"

    def to(self, other: SourceRange) -> SourceRange:
        """The range that spans from the start of this one to the end of ``other``."""
        return SourceRange(self.filename, self.start, other.end)


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One message about the user's input.

    ``subject`` is the range the message is about; ``context`` names the enclosing construct
    (``resource "aws_lb" "web"``) when that helps a reader find it.
    """

    severity: Severity
    summary: str
    detail: str = ""
    subject: SourceRange | None = None
    context: str | None = None
    #: For a message about one attribute of a resource or provider block (its path inside the
    #: block), so the caller who knows the block can place it at that attribute.
    attribute: tuple[str | int, ...] = ()

    @classmethod
    def error(
        cls,
        summary: str,
        detail: str = "",
        subject: SourceRange | None = None,
        context: str | None = None,
        attribute: tuple[str | int, ...] = (),
    ) -> Diagnostic:
        return cls(Severity.ERROR, summary, detail, subject, context, attribute)

    @classmethod
    def warning(
        cls,
        summary: str,
        detail: str = "",
        subject: SourceRange | None = None,
        context: str | None = None,
        attribute: tuple[str | int, ...] = (),
    ) -> Diagnostic:
        return cls(Severity.WARNING, summary, detail, subject, context, attribute)

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def with_subject(self, subject: SourceRange | None) -> Diagnostic:
        """This diagnostic placed at ``subject`` if it has no place yet."""
        if self.subject is not None or subject is None:
            return self
        return replace(self, subject=subject)

    def with_context(self, context: str | None) -> Diagnostic:
        if self.context is not None or context is None:
            return self
        return replace(self, context=context)

    def __str__(self) -> str:
        where = f"{self.subject}: " if self.subject else ""
        detail = f" {self.detail}" if self.detail else ""
        return (
            f"{where}{self.summary}.{detail}"
            if not self.summary.endswith(".")
            else (f"{where}{self.summary}{detail}")
        )


@dataclass(slots=True)
class Diagnostics:
    """An ordered collection of diagnostics; truthy when it holds any."""

    items: list[Diagnostic] = field(default_factory=list)

    def add(self, diag: Diagnostic) -> None:
        self.items.append(diag)

    def extend(self, diags: Iterable[Diagnostic]) -> None:
        self.items.extend(diags)

    @property
    def has_errors(self) -> bool:
        return any(d.is_error for d in self.items)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.is_error]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.items if not d.is_error]

    def __iter__(self) -> Iterator[Diagnostic]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __bool__(self) -> bool:
        return bool(self.items)


class DiagnosticError(Exception):
    """Carries diagnostics out of a deep call to the caller that collects them.

    Used where unwinding is the natural control flow (an expression evaluator meeting a type
    error); the receiver turns it back into data with :attr:`diagnostics`.
    """

    def __init__(self, *diagnostics: Diagnostic) -> None:
        super().__init__("; ".join(str(d) for d in diagnostics))
        self.diagnostics: tuple[Diagnostic, ...] = diagnostics

    @property
    def diagnostic(self) -> Diagnostic:
        return self.diagnostics[0]
