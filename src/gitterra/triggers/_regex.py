"""RE2 regular expressions, the dialect of CodeBuild's filter patterns.

Patterns come from users and are matched against text from forges, so they run on RE2 itself
(Google's bindings): its exact syntax — ``\\pL``, ``[[:alpha:]]``, ``\\z``, ``(?U)`` mean what
they mean in CodeBuild — and matching in time linear in the text, whatever the pattern. What RE2
refuses (lookaround, backreferences, possessive quantifiers, repetition counts over 1000) is
refused here with RE2's own reason.
"""

from __future__ import annotations

from typing import Any

import re2  # type: ignore[import-untyped]  # google-re2 ships no type information

_OPTIONS: Any = re2.Options()
_OPTIONS.log_errors = False  # RE2 would print every refused pattern to stderr

_HINT = (
    " (filter patterns are RE2 regular expressions, which have no lookaround, backreferences "
    "or possessive quantifiers)"
)


class Pattern:
    """A compiled RE2 pattern that answers whether it occurs anywhere in a text (a search,
    as CodeBuild matches: anchor with ``^…$`` for a whole-text match)."""

    __slots__ = ("_regex", "source")

    def __init__(self, source: str) -> None:
        """Compile ``source``; ``ValueError`` with a readable reason when RE2 refuses it."""
        try:
            source.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError("the pattern is not valid Unicode (it has a lone surrogate)") from None
        try:
            self._regex: Any = re2.compile(source, _OPTIONS)
        except re2.error as exc:
            reason = exc.args[0] if exc.args else "invalid pattern"
            if isinstance(reason, bytes):
                reason = reason.decode("utf-8", "replace")
            hint = _HINT if "perl operator" in reason or "escape sequence" in reason else ""
            raise ValueError(f"invalid regular expression: {reason}{hint}") from exc
        self.source = source

    def search(self, text: str) -> bool:
        # Bytes, because a ref name decoded with surrogateescape must be matchable, not fatal;
        # RE2 matches UTF-8 and treats stray bytes as themselves.
        return self._regex.search(text.encode("utf-8", "surrogatepass")) is not None

    def __repr__(self) -> str:
        return f"Pattern({self.source!r})"
