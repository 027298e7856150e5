"""``regex``, ``regexall`` and ``replace``: Terraform's RE2 patterns run on Python's ``re``.

An RE2 pattern is translated, not passed through, because the two dialects disagree even where
they look alike: RE2's ``\\d \\s \\w \\b`` are ASCII-only, its ``$`` never matches before a final
newline, flags such as ``(?i)`` may appear mid-pattern and ``U`` swaps greediness, and it has
POSIX classes (``[[:alpha:]]``), ``\\pL`` and ``\\Q...\\E``. The translator parses the pattern
the way Go's ``regexp/syntax`` does, reports Go's errors (``missing closing )``, ``invalid escape
sequence``, nested repetition, lookarounds and backreferences), and emits an equivalent Python
pattern in which every capture group is unnamed (names are kept beside it, since RE2 allows
names Python does not). Unicode *script* classes (``\\p{Greek}``) have no data in Python's
standard library and are refused with a clear error; general categories (``\\pL``, ``\\p{Lu}``)
are supported.

Matches are iterated as Go does (an empty match right after a previous match is skipped), and
``replace`` expands ``$1``/``${name}`` with Go's rules.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass

from gitterra.lang import _types as t
from gitterra.lang import _values as v
from gitterra.lang._context import FunctionContext
from gitterra.lang._function import Function, FunctionError, Param, simple
from gitterra.lang._values import Value
from gitterra.lang.functions import _strings_re2 as re2


@dataclass(frozen=True, slots=True)
class Pattern:
    """A translated RE2 pattern: the Python regex and each capture group's name ("" if none)."""

    regex: re.Pattern[str]
    names: tuple[str, ...]

    def result_type(self) -> t.Type:
        """cty's result type for one match: the whole match, a tuple, or an object."""
        named = [n for n in self.names if n]
        if not self.names:
            return t.STRING
        if named and len(named) != len(self.names):
            raise re2.PatternError(
                "invalid regexp pattern: cannot mix both named and unnamed capture groups"
            )
        if named:
            return t.ObjectType(dict.fromkeys(named, t.STRING))
        return t.TupleType((t.STRING,) * len(self.names))

    def result(self, m: re.Match[str], ty: t.Type) -> Value:
        if ty == t.STRING:
            return v.string_val(m.group(0))
        groups = [
            v.null_val(t.STRING) if g is None else v.string_val(g)
            for g in m.groups()  # a group inside an alternative that did not match is null
        ]
        if isinstance(ty, t.TupleType):
            return v.tuple_val(groups)
        return v.object_val(dict(zip(self.names, groups, strict=True)))  # last duplicate wins


@functools.lru_cache(maxsize=256)
def compile_pattern(source: str) -> Pattern:
    """Translates and compiles an RE2 pattern; raises :class:`re2.PatternError`."""
    python_source, names = re2.translate(source)
    try:
        return Pattern(re.compile(python_source), names)
    except (re.error, RecursionError, OverflowError) as exc:
        message = f"pattern is too complex for gitterra's regexp engine ({exc})"
        raise re2.PatternError(message) from exc


def find_all(rx: re.Pattern[str], s: str) -> Iterator[re.Match[str]]:
    """Successive non-overlapping matches as Go's ``FindAll`` reports them."""
    pos, prev_end = 0, -1
    while pos <= len(s):
        m = rx.search(s, pos)
        if m is None:
            return
        accept = True
        if m.end() == pos:  # an empty match
            accept = m.start() != prev_end
            pos += 1
        else:
            pos = m.end()
        prev_end = m.end()
        if accept:
            yield m


def replace_all(pattern: Pattern, s: str, template: str) -> str:
    """Go's ``ReplaceAllString``: no replacement for an empty match abutting a previous one."""
    out: list[str] = []
    last_end = search = 0
    while search <= len(s):
        m = pattern.regex.search(s, search)
        if m is None:
            break
        start, end = m.span()
        out.append(s[last_end:start])
        if end > last_end or start == 0:
            out.append(expand(template, m, pattern.names))
        last_end = end
        search = search + 1 if search + 1 > end else end
    out.append(s[last_end:])
    return "".join(out)


def _is_name_char(ch: str) -> bool:
    return ch == "_" or ch.isalpha() or ch.isdecimal()


def _template_ref(template: str, i: int) -> tuple[str, int] | None:
    """Go's ``extract``: the name after a ``$`` at ``template[i:]`` and the index after it."""
    brace = i < len(template) and template[i] == "{"
    j = i + 1 if brace else i
    k = j
    while k < len(template) and _is_name_char(template[k]):
        k += 1
    if k == j:
        return None
    name = template[j:k]
    if brace:
        if k >= len(template) or template[k] != "}":
            return None
        k += 1
    return name, k


def expand(template: str, m: re.Match[str], names: tuple[str, ...]) -> str:
    """A replacement with ``$n``, ``${n}``, ``$name``, ``${name}`` and ``$$`` expanded as in Go."""
    out: list[str] = []
    i = 0
    while (j := template.find("$", i)) >= 0:
        out.append(template[i:j])
        i = j + 1
        if i < len(template) and template[i] == "$":
            out.append("$")
            i += 1
            continue
        ref = _template_ref(template, i)
        if ref is None:
            out.append("$")  # malformed: the $ is kept as text
            continue
        name, i = ref
        out.append(_group_text(m, name, names))
    out.append(template[i:])
    return "".join(out)


def _group_text(m: re.Match[str], name: str, names: tuple[str, ...]) -> str:
    is_number = name.isascii() and name.isdigit() and len(name) < 9
    if is_number and not (name.startswith("0") and len(name) > 1):
        index = int(name)
        return (m.group(index) or "") if index <= len(names) else ""
    for index, group_name in enumerate(names, start=1):
        if group_name == name and m.group(index) is not None:
            return m.group(index)
    return ""


# ---- the functions --------------------------------------------------------------------------


def _pattern_arg(source: str) -> Pattern:
    try:
        pattern = compile_pattern(source)
        pattern.result_type()
    except re2.PatternError as exc:
        raise FunctionError(exc.message + ".", 0) from None
    return pattern


def _regex_type(args: list[Value]) -> t.Type:
    if not args[0].is_known:
        return t.DYNAMIC
    return _pattern_arg(args[0].as_str()).result_type()


def _regexall_type(args: list[Value]) -> t.Type:
    if not args[0].is_known:
        return t.ListType(t.DYNAMIC)
    return t.ListType(_regex_type(args))


def _regex(ctx: FunctionContext, args: list[Value]) -> Value:
    pattern = _pattern_arg(args[0].as_str())
    ty = pattern.result_type()
    if not args[1].is_known:
        return v.unknown_val(ty)
    m = pattern.regex.search(args[1].as_str())
    if m is None:
        raise FunctionError("pattern did not match any part of the given string.")
    return pattern.result(m, ty)


def _regexall(ctx: FunctionContext, args: list[Value]) -> Value:
    pattern = _pattern_arg(args[0].as_str())
    ty = pattern.result_type()
    if not args[1].is_known:
        return v.unknown_val(t.ListType(ty))
    s = args[1].as_str()
    return v.list_val([pattern.result(m, ty) for m in find_all(pattern.regex, s)], ty)


def _replace(ctx: FunctionContext, args: list[Value]) -> Value:
    s, substr, template = (a.as_str() for a in args)
    if len(substr) > 1 and substr.startswith("/") and substr.endswith("/"):
        try:
            pattern = compile_pattern(substr[1:-1])
        except re2.PatternError as exc:
            raise FunctionError(exc.go_message() + ".") from None
        return v.string_val(replace_all(pattern, s, template))
    return v.string_val(s.replace(substr, template))


_S = t.STRING

FUNCTIONS: tuple[Function, ...] = (
    simple(
        "regex",
        [("pattern", _S), Param("string", _S, allow_unknown=True)],
        _regex_type,
        _regex,
        description="The first match of an RE2 pattern: a string, tuple or object.",
    ),
    simple(
        "regexall",
        [("pattern", _S), Param("string", _S, allow_unknown=True)],
        _regexall_type,
        _regexall,
        description="Every match of an RE2 pattern, as a list.",
    ),
    simple(
        "replace",
        [("str", _S), ("substr", _S), ("replace", _S)],
        _S,
        _replace,
        description="Replaces a substring, or matches of /pattern/ with $n expansion.",
    ),
)
