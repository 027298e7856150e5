"""Functions of the language: filesystem (paths, file contents, globbing, template files).

``dirname`` and ``basename`` are pure path arithmetic with Go's ``path/filepath`` rules on a
slash-separated (Unix) host. Every other function reaches the disk only through ``ctx.fs`` (the
:class:`~gitterra.lang.FileSystem` protocol); without one they fail, saying that filesystem
functions are not available in this context. ``templatefile`` also needs ``ctx.render_template``,
which the evaluator provides (it parses and renders the template, and is where recursive
``templatefile`` calls are refused).

As in Terraform, a leading ``~/`` in a file path means the home directory, paths are cleaned
before use, and a path that appears in an error message is shown as ``(sensitive value)`` when
the argument is sensitive; that is why those parameters take marked (and unknown) arguments and
handle the marks themselves.
"""

from __future__ import annotations

import base64
from collections.abc import Callable

from gitterra.kits import clean_path as go_clean
from gitterra.lang import _types as t
from gitterra.lang import _values as v
from gitterra.lang._context import FileSystem, FunctionContext
from gitterra.lang._format import go_quote
from gitterra.lang._function import ArgumentError, Function, FunctionError, Param, simple
from gitterra.lang._values import Value

# ---- Go's path/filepath on a Unix host ----------------------------------------------------------


def go_join(*parts: str) -> str:
    """Go's ``filepath.Join``: the non-empty parts joined by ``/`` and cleaned."""
    joined = "/".join(p for p in parts if p)
    return go_clean(joined) if joined else ""


def go_dir(path: str) -> str:
    """Go's ``filepath.Dir``: all but the last element, cleaned (``"."`` if none)."""
    return go_clean(path[: path.rfind("/") + 1])


def go_base(path: str) -> str:
    """Go's ``filepath.Base``: the last element, ignoring trailing slashes."""
    if not path:
        return "."
    stripped = path.rstrip("/")
    if not stripped:
        return "/"
    return stripped[stripped.rfind("/") + 1 :]


# ---- helpers -------------------------------------------------------------------------------


def _fs(ctx: FunctionContext, name: str) -> FileSystem:
    if ctx.fs is None:
        raise FunctionError(
            f"The {name} function cannot be used here: filesystem functions are not available "
            "in this context."
        )
    return ctx.fs


def _shown(path: str, sensitive: bool) -> str:
    return "(sensitive value)" if sensitive else go_quote(path)


def _expand_home(fs: FileSystem, path: str) -> str:
    """A leading ``~`` replaced by the home directory (go-homedir's ``Expand``)."""
    if not path.startswith("~"):
        return path
    if len(path) > 1 and path[1] not in "/\\":
        raise FunctionError("cannot expand user-specific home dir")
    try:
        home = fs.home()
    except OSError as exc:
        raise FunctionError(f"cannot determine the home directory: {exc}") from None
    return go_join(home, path[1:])


def _file_path(fs: FileSystem, path: str) -> str:
    try:
        return go_clean(_expand_home(fs, path))
    except FunctionError as exc:
        raise ArgumentError(f"failed to expand ~: {exc.message}", 0) from None


def _os_reason(exc: OSError) -> str:
    reason = exc.strerror or str(exc)
    return reason[:1].lower() + reason[1:]


def read_file(ctx: FunctionContext, name: str, arg: Value) -> bytes:
    """The bytes of the file ``arg`` names, or Terraform's message for why there are none.

    Terraform's readFileBytes, shared by every function that reads a file: ``~`` expanded,
    the path cleaned, a sensitive ``arg`` shown as ``(sensitive value)`` in messages."""
    fs = _fs(ctx, name)
    path = _file_path(fs, arg.as_str())
    shown = _shown(path, arg.sensitive)
    try:
        return fs.read_bytes(path)
    except FileNotFoundError:
        raise ArgumentError(
            f"no file exists at {shown}; this function works only with files that are "
            "distributed as part of the configuration source code, so if this file will be "
            "created by a resource in this configuration you must instead obtain this result "
            "from an attribute of that resource",
            0,
        ) from None
    except IsADirectoryError:
        raise ArgumentError(f"failed to read file: {shown} is a directory", 0) from None
    except OSError as exc:
        raise ArgumentError(f"failed to read file {shown}: {_os_reason(exc)}", 0) from None


def _unknown_result(args: list[Value], type_: t.Type) -> Value | None:
    """For functions taking marked/unknown arguments: the unknown result when one is unknown."""
    if all(a.is_known for a in args):
        return None
    return v.unknown_val(type_).mark_sensitive(any(a.sensitive for a in args))


# ---- implementations -----------------------------------------------------------------------


def _file(ctx: FunctionContext, args: list[Value]) -> Value:
    if (unknown := _unknown_result(args, t.STRING)) is not None:
        return unknown
    data = read_file(ctx, "file", args[0])
    try:
        content = data.decode("utf-8")
    except UnicodeDecodeError:
        raise FunctionError(
            f"contents of {_shown(args[0].as_str(), args[0].sensitive)} are not valid UTF-8; "
            "use the filebase64 function to obtain the Base64 encoded contents or the other "
            "file functions (e.g. filemd5, filesha256) to obtain file hashing results instead"
        ) from None
    return v.string_val(content).mark_sensitive(args[0].sensitive)


def _filebase64(ctx: FunctionContext, args: list[Value]) -> Value:
    if (unknown := _unknown_result(args, t.STRING)) is not None:
        return unknown
    data = read_file(ctx, "filebase64", args[0])
    encoded = base64.b64encode(data).decode("ascii")
    return v.string_val(encoded).mark_sensitive(args[0].sensitive)


def _fileexists(ctx: FunctionContext, args: list[Value]) -> Value:
    if (unknown := _unknown_result(args, t.BOOL)) is not None:
        return unknown
    arg = args[0]
    fs = _fs(ctx, "fileexists")
    path = _file_path(fs, arg.as_str())
    shown = _shown(path, arg.sensitive)
    try:
        kind = fs.kind(path)
    except OSError:
        raise FunctionError(f"failed to stat {shown}") from None
    if kind is None:
        return v.FALSE.mark_sensitive(arg.sensitive)
    if kind == "file":
        return v.TRUE.mark_sensitive(arg.sensitive)
    if kind == "dir":
        raise ArgumentError(f"{shown} is a directory, not a file", 0)
    raise ArgumentError(f"{shown} is not a regular file", 0)


def _fileset(ctx: FunctionContext, args: list[Value]) -> Value:
    string_set = t.SetType(t.STRING)
    if (unknown := _unknown_result(args, string_set)) is not None:
        return unknown
    fs = _fs(ctx, "fileset")
    path, pattern = args[0].as_str(), args[1].as_str()
    sensitive = args[0].sensitive or args[1].sensitive
    try:
        matches = fs.glob(path, pattern)
    except (ValueError, OSError) as exc:
        shown = _shown(go_join(path, pattern), sensitive)
        raise FunctionError(f"failed to glob pattern {shown}: {exc}") from None
    return v.set_val((v.string_val(m) for m in matches), t.STRING).mark_sensitive(sensitive)


def _valid_identifier(name: str) -> bool:
    """Whether ``name`` is an HCL identifier: a letter or ``_``, then letters, digits, ``_``
    or ``-`` (Unicode ID_Start/ID_Continue, approximated by Python's identifier rules)."""
    if not name or not (name[0] == "_" or name[0].isidentifier()):
        return False
    return all(c == "-" or ("a" + c).isidentifier() for c in name[1:])


def _templatefile(ctx: FunctionContext, args: list[Value]) -> Value:
    path_arg, vars_arg = args
    sensitive = path_arg.sensitive or vars_arg.sensitive
    if not (path_arg.is_known and vars_arg.is_known):
        return v.unknown_val(t.DYNAMIC).mark_sensitive(sensitive)
    _fs(ctx, "templatefile")
    renderer = ctx.render_template
    if renderer is None:
        raise FunctionError(
            "The templatefile function cannot be used here: template rendering is not "
            "available in this context."
        )
    data = read_file(ctx, "templatefile", path_arg)
    try:
        source = data.decode("utf-8")
    except UnicodeDecodeError:
        shown = _shown(path_arg.as_str(), path_arg.sensitive)
        raise FunctionError(f"contents of {shown} are not valid UTF-8") from None
    variables = vars_arg.unmark()
    if not isinstance(variables.type, t.MapType | t.ObjectType):
        raise ArgumentError("invalid vars value: must be a map", 1)
    for name in variables.items():
        if not _valid_identifier(name):
            raise ArgumentError(
                f"invalid template variable name {go_quote(name)}: must start with a letter, "
                "followed by zero or more letters, digits, and underscores",
                1,
            )
    result = renderer(source, path_arg.as_str(), variables.items())
    return result.mark_sensitive(sensitive)


def _pathexpand(ctx: FunctionContext, args: list[Value]) -> Value:
    return v.string_val(_expand_home(_fs(ctx, "pathexpand"), args[0].as_str()))


def _abspath(ctx: FunctionContext, args: list[Value]) -> Value:
    return v.string_val(_fs(ctx, "abspath").abspath(args[0].as_str()))


def _pure(op: Callable[[str], str]) -> Callable[[FunctionContext, list[Value]], Value]:
    def impl(ctx: FunctionContext, args: list[Value]) -> Value:
        return v.string_val(op(args[0].as_str()))

    return impl


def _path_param(name: str = "path") -> Param:
    return Param(name, t.STRING, allow_unknown=True, allow_marked=True)


FUNCTIONS: tuple[Function, ...] = (
    simple(
        "abspath",
        [("path", t.STRING)],
        t.STRING,
        _abspath,
        description="Makes a filesystem path absolute (against the configuration directory).",
    ),
    simple(
        "dirname",
        [("path", t.STRING)],
        t.STRING,
        _pure(go_dir),
        description="Removes the last element of a filesystem path.",
    ),
    simple(
        "basename",
        [("path", t.STRING)],
        t.STRING,
        _pure(go_base),
        description="Removes all but the last element of a filesystem path.",
    ),
    simple(
        "pathexpand",
        [("path", t.STRING)],
        t.STRING,
        _pathexpand,
        description="Replaces a leading ~ in a path with the home directory.",
    ),
    simple(
        "file",
        [_path_param()],
        t.STRING,
        _file,
        description="Reads a file's contents as UTF-8 text.",
    ),
    simple(
        "filebase64",
        [_path_param()],
        t.STRING,
        _filebase64,
        description="Reads a file's raw bytes and returns them Base64-encoded.",
    ),
    simple(
        "fileexists",
        [_path_param()],
        t.BOOL,
        _fileexists,
        description="Whether a regular file exists at a path (a directory is an error).",
    ),
    simple(
        "fileset",
        [_path_param(), _path_param("pattern")],
        t.SetType(t.STRING),
        _fileset,
        description="The regular files under a directory that match a glob pattern.",
    ),
    simple(
        "templatefile",
        [_path_param(), Param("vars", t.DYNAMIC, allow_unknown=True, allow_marked=True)],
        t.DYNAMIC,
        _templatefile,
        description="Renders a template file with the given variables.",
    ),
)
