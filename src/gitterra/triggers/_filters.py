"""CodeBuild's webhook filters: one condition each on an event.

A group of filters matches when every filter in it does (``_groups``). Each group has exactly one
``EVENT`` filter, a comma-separated list of event
kinds. Every other filter is an RE2 pattern *searched* in one value of the event — ``main``
matches ``refs/heads/main`` and ``refs/heads/maintenance``; anchor with ``^…$`` — and
``exclude_matched_pattern`` inverts the filter's answer.

What each type reads, and the events it applies to (a filter that does not apply to the event's
kind fails its group, with or without ``exclude_matched_pattern``, as a ``BASE_REF`` filter never
matches a push):

==================  ======================================  =====================================
type                value                                   applies to
==================  ======================================  =====================================
HEAD_REF            ``head_ref`` (``refs/heads/x``)          every event
BASE_REF            ``base_ref``                            pull requests
FILE_PATH           each of ``changed_files``               pushes and pull requests
COMMIT_MESSAGE      the head commit's message               pushes and pull requests
ACTOR_ACCOUNT_ID    ``actor_account_id``                    every event
TAG_NAME            the release's tag (no ``refs/tags/``)    RELEASED, PRERELEASED
RELEASE_NAME        ``release_name``                        RELEASED, PRERELEASED
REPOSITORY_NAME     the repository's name (no owner)        every event
==================  ======================================  =====================================

``FILE_PATH`` matches when *any* changed file matches; with ``exclude_matched_pattern`` it
matches when *no* changed file matches. That is AWS's rule read literally ("if true, an event
that does not match the pattern triggers a build", and an event matches when a changed file's
path does): ``{FILE_PATH: ^docs/, exclude}`` skips a push that touches ``docs/README.md`` even if
it also touches ``src/main.py``. To build unless *only* documentation changed, match the
paths that must change instead (``^(src|infra)/``). An event with no changed
files (a forge's pull request payload lists none) never matches an including ``FILE_PATH``
filter and always matches an excluding one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from gitterra.triggers._event import EVENT_KINDS, PULL_REQUEST_KINDS, RELEASE_KINDS, Event
from gitterra.triggers._regex import Pattern

_PUSH_AND_PR = frozenset({"PUSH"} | PULL_REQUEST_KINDS)

#: The kinds each regex filter type applies to (None: every kind), and the phrase for messages.
APPLIES_TO: Mapping[str, tuple[frozenset[str] | None, str]] = {
    "HEAD_REF": (None, "every event"),
    "BASE_REF": (frozenset(PULL_REQUEST_KINDS), "pull request events"),
    "FILE_PATH": (_PUSH_AND_PR, "push and pull request events"),
    "COMMIT_MESSAGE": (_PUSH_AND_PR, "push and pull request events"),
    "ACTOR_ACCOUNT_ID": (None, "every event"),
    "TAG_NAME": (frozenset(RELEASE_KINDS), "RELEASED and PRERELEASED events"),
    "RELEASE_NAME": (frozenset(RELEASE_KINDS), "RELEASED and PRERELEASED events"),
    "REPOSITORY_NAME": (None, "every event"),
}
FILTER_TYPES: tuple[str, ...] = ("EVENT", *APPLIES_TO)


def _show(value: str) -> str:
    """A value quoted for a one-line log message (commit messages can be long and multi-line)."""
    return repr(value) if len(value) <= 72 else repr(value[:60]) + "…"


@dataclass(frozen=True, slots=True)
class Filter:
    """One validated filter. ``events`` is the EVENT filter's set of kinds; ``regex`` the
    compiled pattern of every other type."""

    type: str
    pattern: str
    exclude: bool
    events: frozenset[str] = frozenset()
    regex: Pattern | None = None

    def check(self, event: Event) -> tuple[bool, str]:
        """Whether ``event`` passes this filter, and why, in a sentence for the delivery log."""
        if self.regex is None:
            listed = event.kind in self.events
            names = ", ".join(k for k in EVENT_KINDS if k in self.events)
            what = "excluded events" if self.exclude else "events"
            verb = "is one of" if listed else "is not one of"
            return listed != self.exclude, f"EVENT {event.kind} {verb} the {what} {names}"
        kinds, phrase = APPLIES_TO[self.type]
        if kinds is not None and event.kind not in kinds:
            return False, f"{self.type} applies to {phrase} only, not {event.kind}"
        shown = f"{'excluded pattern' if self.exclude else 'pattern'} {self.pattern!r}"
        if self.type == "FILE_PATH":
            return self._check_files(event.changed_files, shown)
        value = _value(self.type, event)
        found = self.regex.search(value)
        verb = "matches" if found else "does not match"
        return found != self.exclude, f"{self.type} {_show(value)} {verb} {shown}"

    def _check_files(self, files: tuple[str, ...], shown: str) -> tuple[bool, str]:
        assert self.regex is not None
        hit = next((f for f in files if self.regex.search(f)), None)
        if hit is not None:
            return not self.exclude, f"FILE_PATH {_show(hit)} matches {shown}"
        if not files:
            return self.exclude, f"FILE_PATH: the event has no changed files to match {shown}"
        if len(files) == 1:
            return (
                self.exclude,
                f"FILE_PATH: the changed file {_show(files[0])} does not match {shown}",
            )
        return self.exclude, f"FILE_PATH: none of the {len(files)} changed files matches {shown}"


def _value(kind: str, event: Event) -> str:
    if kind == "HEAD_REF":
        return event.head_ref
    if kind == "BASE_REF":
        return event.base_ref or ""
    if kind == "COMMIT_MESSAGE":
        return event.commit_message
    if kind == "ACTOR_ACCOUNT_ID":
        return event.actor_account_id
    if kind == "TAG_NAME":
        return event.tag_name or ""
    if kind == "RELEASE_NAME":
        return event.release_name or ""
    if kind == "REPOSITORY_NAME":
        return event.repository.rsplit("/", 1)[-1]
    raise AssertionError(f"no value for filter type {kind}")


@dataclass(frozen=True, slots=True)
class FilterGroup:
    """Filters that must all pass. The first that fails is the group's reason."""

    filters: tuple[Filter, ...]

    def check(self, event: Event) -> tuple[bool, list[str]]:
        reasons = []
        for flt in self.filters:
            ok, reason = flt.check(event)
            if not ok:
                return False, [reason]
            reasons.append(reason)
        return True, reasons
