"""Read-only access to a real directory tree: the language's ``FileSystem`` for local runs.

:class:`LocalFileSystem` is what the file functions (``file``, ``fileexists``, ``fileset``,
``templatefile``, ...) use when configuration lives on the local disk. Its rules:

- Relative paths resolve against the base directory given at construction; paths are cleaned
  lexically first (``a/../b`` is ``b``), as Go's ``filepath.Clean`` does. Nothing confines paths
  to the base directory: ``../x`` and absolute paths are read like Terraform reads them.
- Reading and ``kind`` follow symbolic links, like Go's ``os.Open``/``os.Stat``; a dangling link
  is "nothing there". Only regular files are read: a FIFO or device raises ``OSError`` rather
  than block (Terraform would wait on it).
- ``glob`` implements the doublestar patterns Terraform's ``fileset`` documents: ``*`` and ``?``
  (never matching ``/``; a leading dot is not special), ``[abc]``, ``[a-z]``, ``[!a]``/``[^a]``,
  ``\\`` escapes, ``{a,b}`` alternatives (expanded first, so they may contain ``/``), and ``**``
  as a whole path element for zero or more directories (elsewhere it means ``*``). Wildcards
  never descend into symlinked directories (so link cycles cannot loop); literal path elements
  are followed like any path. Directories that cannot be read are skipped, as Go's glob does.
  Results are regular files only (a symlink counts if its target is one), relative to the base,
  slash-separated, deduplicated and sorted. A malformed pattern raises :class:`ValueError`
  with Go's message ``syntax error in pattern``.
- Nothing here writes, creates or deletes anything. Unix paths only (``/`` separators).
"""

from __future__ import annotations

import errno
import itertools
import os
import re
import stat

_MAGIC = frozenset("*?[")
_MAX_ALTERNATIVES = 10_000


class GlobPatternError(ValueError):
    """A ``glob`` pattern is malformed (unclosed ``[`` or ``{``, trailing ``\\``, ...)."""

    def __init__(self) -> None:
        super().__init__("syntax error in pattern")


def clean_path(path: str) -> str:
    """Go's ``filepath.Clean`` for ``/``-separated paths."""
    rooted = path.startswith("/")
    parts: list[str] = []
    for comp in path.split("/"):
        if comp in ("", "."):
            continue
        if comp != "..":
            parts.append(comp)
        elif parts and parts[-1] != "..":
            parts.pop()
        elif not rooted:
            parts.append("..")
    cleaned = "/".join(parts)
    return "/" + cleaned if rooted else cleaned or "."


class LocalFileSystem:
    """The ``FileSystem`` protocol over the directory ``base_dir`` (see the module docstring).

    ``home`` overrides the home directory ``pathexpand`` and ``~/`` paths use; by default it
    is the current user's (``$HOME``), looked up when asked for.
    """

    def __init__(self, base_dir: str | os.PathLike[str], *, home: str | None = None) -> None:
        self._base = clean_path(os.path.abspath(os.fspath(base_dir)))
        self._home = home

    @property
    def base_dir(self) -> str:
        return self._base

    def _absolute(self, path: str) -> str:
        return clean_path(path if path.startswith("/") else f"{self._base}/{path}")

    def _resolve(self, path: str) -> str:
        """The absolute path to touch the disk with (a NUL byte is invalid there)."""
        if "\0" in path:
            raise OSError(errno.EINVAL, "invalid argument", path)
        return self._absolute(path)

    def read_bytes(self, path: str) -> bytes:
        resolved = self._resolve(path)
        mode = os.stat(resolved).st_mode
        if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
            # A FIFO or device could block or never end; only regular files are content.
            raise OSError(errno.EINVAL, "not a regular file", path)
        with open(resolved, "rb") as f:
            return f.read()

    def kind(self, path: str) -> str | None:
        try:
            mode = os.stat(self._resolve(path)).st_mode
        except (FileNotFoundError, NotADirectoryError):
            return None
        if stat.S_ISREG(mode):
            return "file"
        if stat.S_ISDIR(mode):
            return "dir"
        return "other"

    def abspath(self, path: str) -> str:
        return self._absolute(path)

    def home(self) -> str:
        if self._home is not None:
            return self._home
        home = os.path.expanduser("~")
        if home == "~":
            raise OSError("cannot determine the home directory")
        return home

    def glob(self, base: str, pattern: str) -> list[str]:
        root = self._resolve(base)
        found: set[str] = set()
        for alternative in _expand_braces(pattern):
            full = clean_path(f"{root}/{alternative}") if alternative else root
            comps = [c for c in full.split("/") if c]
            literal = 0
            while literal < len(comps) and not _is_magic(comps[literal]):
                literal += 1
            start = "/" + "/".join(_unescape(c) for c in comps[:literal])
            _match(start, [_Component(c) for c in comps[literal:]], found)
        files = {os.path.relpath(p, root) for p in found if os.path.isfile(p)}
        return sorted(files)


# ---- pattern matching ------------------------------------------------------------------------


def _is_magic(comp: str) -> bool:
    escaped = False
    for ch in comp:
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch in _MAGIC:
            return True
    return False


def _unescape(comp: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(comp):
        if comp[i] == "\\":
            if i + 1 == len(comp):
                raise GlobPatternError()
            i += 1
        out.append(comp[i])
        i += 1
    return "".join(out)


class _Component:
    """One path element of a pattern: ``**``, a literal name, or a wildcard expression."""

    def __init__(self, text: str) -> None:
        self.recursive = text == "**"
        self.literal = None if _is_magic(text) else _unescape(text)
        self.regex = None if self.recursive or self.literal is not None else _compile(text)

    def matches(self, name: str) -> bool:
        if self.literal is not None:
            return name == self.literal
        return self.regex is not None and self.regex.fullmatch(name) is not None


def _compile(comp: str) -> re.Pattern[str]:
    out: list[str] = []
    i = 0
    while i < len(comp):
        ch = comp[i]
        if ch == "*":
            out.append("[^/]*")
        elif ch == "?":
            out.append("[^/]")
        elif ch == "\\":
            if i + 1 == len(comp):
                raise GlobPatternError()
            i += 1
            out.append(re.escape(comp[i]))
        elif ch == "[":
            cls, i = _char_class(comp, i + 1)
            out.append(cls)
            continue
        else:
            out.append(re.escape(ch))
        i += 1
    try:
        return re.compile("".join(out), re.DOTALL)
    except re.error:  # a reversed range such as [z-a]
        raise GlobPatternError() from None


def _char_class(comp: str, i: int) -> tuple[str, int]:
    """The regex for the class starting after ``[`` at ``i``, and the index after its ``]``."""
    negate = i < len(comp) and comp[i] in "!^"
    i += negate
    items: list[str] = []
    while True:
        if i >= len(comp):
            raise GlobPatternError()
        ch = comp[i]
        if ch == "]" and items:
            break
        if ch == "\\":
            i += 1
            if i >= len(comp):
                raise GlobPatternError()
            ch = comp[i]
        if i + 2 < len(comp) and comp[i + 1] == "-" and comp[i + 2] != "]":
            hi = comp[i + 2]
            items.append(f"{re.escape(ch)}-{re.escape(hi)}")
            i += 3
        else:
            items.append(re.escape(ch))
            i += 1
    return f"[{'^' if negate else ''}{''.join(items)}]", i + 1


def _expand_braces(pattern: str) -> list[str]:
    """Every pattern ``{a,b}`` alternatives stand for (nested braces allowed)."""
    open_at = _find_unescaped(pattern, "{", 0)
    if open_at < 0:
        return [pattern]
    depth, i, commas = 0, open_at, []
    while True:
        if i >= len(pattern):
            raise GlobPatternError()
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                break
        elif ch == "," and depth == 1:
            commas.append(i)
        i += 1
    bounds = [open_at, *commas, i]
    head, tail = pattern[:open_at], pattern[i + 1 :]
    out: list[str] = []
    for start, end in itertools.pairwise(bounds):
        out.extend(_expand_braces(head + pattern[start + 1 : end] + tail))
        if len(out) > _MAX_ALTERNATIVES:
            raise GlobPatternError()
    return out


def _find_unescaped(s: str, target: str, start: int) -> int:
    i = start
    while i < len(s):
        if s[i] == "\\":
            i += 2
            continue
        if s[i] == target:
            return i
        i += 1
    return -1


def _entries(directory: str) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(directory) as it:
            return sorted(it, key=lambda e: e.name)
    except OSError:
        return []


def _match(directory: str, comps: list[_Component], found: set[str]) -> None:
    """Add to ``found`` every path under ``directory`` that ``comps`` match."""
    if not comps:
        found.add(directory)
        return
    head, rest = comps[0], comps[1:]
    if head.recursive:
        _match(directory, rest, found)
        for entry in _entries(directory):
            if not rest:
                found.add(entry.path)
            if entry.is_dir(follow_symlinks=False):
                _match(entry.path, comps, found)
        return
    if head.literal is not None:
        target = os.path.join(directory, head.literal)
        if not rest:
            if os.path.lexists(target):
                found.add(target)
        elif os.path.isdir(target):
            _match(target, rest, found)
        return
    for entry in _entries(directory):
        if head.matches(entry.name):
            if not rest:
                found.add(entry.path)
            elif entry.is_dir(follow_symlinks=False):
                _match(entry.path, rest, found)
