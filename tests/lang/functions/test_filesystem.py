"""Filesystem functions: abspath dirname basename pathexpand file filebase64 fileexists fileset
templatefile.

Most tests use an in-memory file system; ``fileset``'s documented examples also run against a
real directory through :class:`gitterra.kits.LocalFileSystem`.
"""

from __future__ import annotations

import contextlib
import posixpath
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gitterra import lang
from gitterra.kits import LocalFileSystem
from gitterra.lang.functions import _filesystem
from tests.lang.functions.conftest import Call, call_function

S = lang.string_val
SECRET = "(sensitive value)"
NO_FILE_HINT = (
    "; this function works only with files that are distributed as part of the configuration "
    "source code, so if this file will be created by a resource in this configuration you must "
    "instead obtain this result from an attribute of that resource"
)


class FakeFileSystem:
    """Files in memory under the base directory /work; the home directory is /home/user."""

    def __init__(self) -> None:
        self.files = {
            "/work/hello.txt": b"Hello World",
            "/work/files/a.txt": b"a",
            "/work/binary.bin": bytes(range(256)),
            "/work/template.tftpl": b"Hello, ${name}!",
            "/home/user/.ssh/id_rsa": b"KEY",
        }
        self.dirs = {"/work", "/work/files", "/home/user"}
        self.globs: list[tuple[str, str]] = []

    def _resolve(self, path: str) -> str:
        return posixpath.normpath(path if path.startswith("/") else f"/work/{path}")

    def read_bytes(self, path: str) -> bytes:
        full = self._resolve(path)
        if full in self.dirs:
            raise IsADirectoryError(21, "Is a directory", path)
        if full.endswith("locked.txt"):
            raise PermissionError(13, "Permission denied", path)
        if full not in self.files:
            raise FileNotFoundError(2, "No such file or directory", path)
        return self.files[full]

    def kind(self, path: str) -> str | None:
        full = self._resolve(path)
        if full.startswith("/work/forbidden"):
            raise PermissionError(13, "Permission denied", path)
        if full == "/work/fifo":
            return "other"
        return "file" if full in self.files else "dir" if full in self.dirs else None

    def glob(self, base: str, pattern: str) -> list[str]:
        self.globs.append((base, pattern))
        if pattern == "[":
            raise ValueError("syntax error in pattern")
        if pattern == "boom":
            raise PermissionError(13, "Permission denied")
        return ["b.txt", "a.txt", "sub/c.txt"]

    def abspath(self, path: str) -> str:
        return self._resolve(path)

    def home(self) -> str:
        return "/home/user"


class Renderer:
    """A stand-in for the evaluator's template renderer: records its calls."""

    def __init__(self, result: lang.Value | None = None) -> None:
        self.calls: list[tuple[str, str, dict[str, lang.Value]]] = []
        self.result = result or S("rendered")

    def __call__(
        self, source: str, filename: str, variables: Mapping[str, lang.Value]
    ) -> lang.Value:
        self.calls.append((source, filename, dict(variables)))
        return self.result


def fs_context(renderer: Renderer | None = None) -> lang.FunctionContext:
    return lang.FunctionContext(fs=FakeFileSystem(), render_template=renderer)


def call_fs(name: str, *args: Any, ctx: lang.FunctionContext | None = None) -> lang.Value:
    return call_function(name, *args, ctx=ctx or fs_context())


def error_of(name: str, *args: Any, ctx: lang.FunctionContext | None = None) -> lang.FunctionError:
    with pytest.raises(lang.FunctionError) as info:
        call_fs(name, *args, ctx=ctx)
    return info.value


def secret(s: str) -> lang.Value:
    return S(s).mark_sensitive()


UNKNOWN_STRING = lang.unknown_val(lang.STRING)


# ---- dirname / basename ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "want"),
    [
        ("foo/bar/baz.txt", "foo/bar"),  # documented
        ("", "."),
        (".", "."),
        ("/.", "/"),
        ("/", "/"),
        ("////", "/"),
        ("/foo", "/"),
        ("x/", "x"),
        ("abc", "."),
        ("abc/def", "abc"),
        ("a/b/.x", "a/b"),
        ("a/b/c.", "a/b"),
        ("/a/b/../c", "/a"),
        ("a//b//c", "a/b"),
    ],
)
def test_dirname(call: Call, path: str, want: str) -> None:
    assert call("dirname", path) == S(want)


@pytest.mark.parametrize(
    ("path", "want"),
    [
        ("foo/bar/baz.txt", "baz.txt"),  # documented
        ("", "."),  # documented: an empty path is the current directory
        (".", "."),
        ("/.", "."),
        ("/", "/"),
        ("////", "/"),
        ("x/", "x"),
        ("abc", "abc"),
        ("abc/def", "def"),
        ("a/b/.x", ".x"),
        ("a/b/c.x", "c.x"),
        ("a\\b", "a\\b"),  # a Unix host: backslash is not a separator
    ],
)
def test_basename(call: Call, path: str, want: str) -> None:
    assert call("basename", path) == S(want)


@pytest.mark.parametrize("name", ["dirname", "basename"])
def test_path_functions_need_no_file_system_and_propagate_marks(call: Call, name: str) -> None:
    assert call(name, UNKNOWN_STRING) == UNKNOWN_STRING
    assert call(name, secret("a/b")).sensitive


@given(st.text(alphabet="ab./", max_size=12))
def test_dirname_and_basename_agree_with_posixpath_on_clean_paths(path: str) -> None:
    if path != posixpath.normpath(path) or path.startswith("//"):
        return
    assert call_function("basename", path).as_str() == (posixpath.basename(path) or path or ".")
    assert call_function("dirname", path).as_str() == (posixpath.dirname(path) or ".")


@given(st.text(alphabet="ab./", max_size=16))
def test_go_clean_is_idempotent_and_matches_normpath(path: str) -> None:
    cleaned = _filesystem.go_clean(path)
    assert _filesystem.go_clean(cleaned) == cleaned
    expected = posixpath.normpath(path) if path else "."
    if expected.startswith("//"):
        expected = expected[1:]
    assert cleaned == expected


# ---- pathexpand / abspath --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "want"),
    [
        ("~/.ssh/id_rsa", "/home/user/.ssh/id_rsa"),  # documented
        ("/etc/resolv.conf", "/etc/resolv.conf"),  # documented
        ("~", "/home/user"),
        ("~/", "/home/user"),
        ("~/a/../b//c/", "/home/user/b/c"),
        ("", ""),
        ("a/~/b", "a/~/b"),
        ("./x/../y", "./x/../y"),  # without a ~ the path is returned unchanged
    ],
)
def test_pathexpand(path: str, want: str) -> None:
    assert call_fs("pathexpand", path) == S(want)


def test_pathexpand_refuses_another_users_home() -> None:
    assert error_of("pathexpand", "~steve/x").message == "cannot expand user-specific home dir"


@pytest.mark.parametrize(
    ("path", "want"),
    [
        (".", "/work"),
        ("", "/work"),
        ("modules/app", "/work/modules/app"),
        ("a/../b/", "/work/b"),
        ("/etc/x", "/etc/x"),
    ],
)
def test_abspath(path: str, want: str) -> None:
    assert call_fs("abspath", path) == S(want)


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("abspath", ["."]),
        ("pathexpand", ["~"]),
        ("file", ["hello.txt"]),
        ("filebase64", ["hello.txt"]),
        ("fileexists", ["hello.txt"]),
        ("fileset", [".", "*"]),
        ("templatefile", ["template.tftpl", {}]),
    ],
)
def test_without_a_file_system(call: Call, name: str, args: list[Any]) -> None:
    with pytest.raises(lang.FunctionError) as info:
        call(name, *args)
    assert info.value.message == (
        f"The {name} function cannot be used here: filesystem functions are not available in "
        "this context."
    )


@pytest.mark.parametrize("name", ["abspath", "pathexpand"])
def test_abspath_and_pathexpand_unknown_and_sensitive(name: str) -> None:
    assert call_fs(name, UNKNOWN_STRING) == UNKNOWN_STRING
    assert call_fs(name, secret("~/x")).sensitive


# ---- file / filebase64 -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "want"),
    [
        ("hello.txt", "Hello World"),  # documented (path.module is the base directory)
        ("./files/../hello.txt", "Hello World"),
        ("/work/files/a.txt", "a"),
        ("~/.ssh/id_rsa", "KEY"),
    ],
)
def test_file(path: str, want: str) -> None:
    assert call_fs("file", path) == S(want)


def test_filebase64() -> None:
    assert call_fs("filebase64", "hello.txt") == S("SGVsbG8gV29ybGQ=")  # documented
    binary = call_fs("filebase64", "binary.bin").as_str()
    assert binary.startswith("AAECAwQFBgcICQoLDA0ODxAREhMU")
    assert binary.endswith("/P3+/w==")


@pytest.mark.parametrize("name", ["file", "filebase64"])
@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("nope.txt", 'no file exists at "nope.txt"' + NO_FILE_HINT),
        ("./a/../nope.txt", 'no file exists at "nope.txt"' + NO_FILE_HINT),
        ("~/nope", 'no file exists at "/home/user/nope"' + NO_FILE_HINT),
        ("files", 'failed to read file: "files" is a directory'),
        ("locked.txt", 'failed to read file "locked.txt": permission denied'),
        ("~steve/x", "failed to expand ~: cannot expand user-specific home dir"),
    ],
)
def test_file_errors(name: str, path: str, message: str) -> None:
    err = error_of(name, path)
    assert err.message == message
    assert err.arg_index == 0


def test_file_requires_utf8() -> None:
    assert error_of("file", "binary.bin").message == (
        'contents of "binary.bin" are not valid UTF-8; use the filebase64 function to obtain the '
        "Base64 encoded contents or the other file functions (e.g. filemd5, filesha256) to "
        "obtain file hashing results instead"
    )


@pytest.mark.parametrize("name", ["file", "filebase64"])
def test_file_sensitive_and_unknown(name: str) -> None:
    assert call_fs(name, secret("hello.txt")).sensitive
    err = error_of(name, secret("top-secret.txt"))
    assert SECRET in err.message
    assert "top-secret" not in err.message
    assert call_fs(name, UNKNOWN_STRING) == UNKNOWN_STRING
    assert call_fs(name, UNKNOWN_STRING.mark_sensitive()) == UNKNOWN_STRING.mark_sensitive()


def test_file_redacts_a_sensitive_path_in_the_utf8_error() -> None:
    assert error_of("file", secret("binary.bin")).message.startswith(f"contents of {SECRET} are")


# ---- fileexists ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "want"),
    [
        ("hello.txt", True),  # documented
        ("nope.txt", False),
        ("files/../hello.txt", True),
        ("~/.ssh/id_rsa", True),
        ("~/nope", False),
    ],
)
def test_fileexists(path: str, want: bool) -> None:
    assert call_fs("fileexists", path) == lang.bool_val(want)


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("files", '"files" is a directory, not a file'),  # documented: directories are errors
        ("fifo", '"fifo" is not a regular file'),
        ("forbidden/x", 'failed to stat "forbidden/x"'),
        ("~steve", "failed to expand ~: cannot expand user-specific home dir"),
    ],
)
def test_fileexists_errors(path: str, message: str) -> None:
    assert error_of("fileexists", path).message == message


def test_fileexists_sensitive_and_unknown() -> None:
    assert call_fs("fileexists", secret("hello.txt")) == lang.TRUE.mark_sensitive()
    assert call_fs("fileexists", secret("nope")) == lang.FALSE.mark_sensitive()
    assert error_of("fileexists", secret("files")).message == f"{SECRET} is a directory, not a file"
    assert call_fs("fileexists", UNKNOWN_STRING) == lang.unknown_val(lang.BOOL)


# ---- fileset ---------------------------------------------------------------------------------

STRING_SET = lang.SetType(lang.STRING)


def test_fileset_asks_the_file_system_and_returns_a_set() -> None:
    ctx = fs_context()
    got = call_function("fileset", "modules", "**/*.txt", ctx=ctx)
    assert got == lang.set_val([S("a.txt"), S("b.txt"), S("sub/c.txt")])
    assert got.type == STRING_SET
    assert isinstance(ctx.fs, FakeFileSystem)
    assert ctx.fs.globs == [("modules", "**/*.txt")]


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("[", 'failed to glob pattern "files/[": syntax error in pattern'),
        ("boom", 'failed to glob pattern "files/boom": [Errno 13] Permission denied'),
    ],
)
def test_fileset_errors(pattern: str, message: str) -> None:
    assert error_of("fileset", "files", pattern).message == message


def test_fileset_sensitive_and_unknown() -> None:
    assert call_fs("fileset", secret("files"), "*").sensitive
    assert call_fs("fileset", "files", secret("*")).sensitive
    err = error_of("fileset", "files", secret("["))
    assert err.message == f"failed to glob pattern {SECRET}: syntax error in pattern"
    assert call_fs("fileset", UNKNOWN_STRING, "*") == lang.unknown_val(STRING_SET)
    unknown_secret = call_fs("fileset", "files", UNKNOWN_STRING.mark_sensitive())
    assert unknown_secret == lang.unknown_val(STRING_SET).mark_sensitive()


@pytest.fixture
def module_dir(tmp_path: Path) -> Path:
    """The documentation's layout: files/hello.txt, files/world.txt and a subdirectory."""
    (tmp_path / "files" / "subdirectory").mkdir(parents=True)
    for name in ("files/hello.txt", "files/world.txt", "files/subdirectory/anotherfile.txt"):
        (tmp_path / name).write_text(name)
    return tmp_path


@pytest.mark.parametrize(
    ("path", "pattern", "want"),
    [
        (".", "files/*.txt", ["files/hello.txt", "files/world.txt"]),
        (".", "files/{hello,world}.txt", ["files/hello.txt", "files/world.txt"]),
        ("files", "*", ["hello.txt", "world.txt"]),
        ("files", "**", ["hello.txt", "subdirectory/anotherfile.txt", "world.txt"]),
        (".", "nothing/*", []),
        ("missing-dir", "*", []),
    ],
)
def test_fileset_documented_examples(
    module_dir: Path, path: str, pattern: str, want: list[str]
) -> None:
    ctx = lang.FunctionContext(fs=LocalFileSystem(module_dir))
    got = call_function("fileset", path, pattern, ctx=ctx)
    assert got == lang.set_val([S(w) for w in want], lang.STRING)


# ---- templatefile ----------------------------------------------------------------------------


def test_templatefile_renders_the_file_with_the_variables() -> None:
    renderer = Renderer(S("Hello, world!"))
    ctx = fs_context(renderer)
    got = call_function("templatefile", "template.tftpl", {"name": "world"}, ctx=ctx)
    assert got == S("Hello, world!")
    assert renderer.calls == [("Hello, ${name}!", "template.tftpl", {"name": S("world")})]


def test_templatefile_documented_example_passes_typed_variables() -> None:
    renderer = Renderer(S("backend 10.0.0.1:8080\nbackend 10.0.0.2:8080\n"))
    ctx = fs_context(renderer)
    variables = {"port": 8080, "ip_addrs": ["10.0.0.1", "10.0.0.2"]}
    got = call_function("templatefile", "./template.tftpl", variables, ctx=ctx)
    assert got == S("backend 10.0.0.1:8080\nbackend 10.0.0.2:8080\n")
    (_, filename, passed), *_ = renderer.calls
    assert filename == "./template.tftpl"
    assert passed == {
        "port": lang.number_val(8080),
        "ip_addrs": lang.from_python(variables["ip_addrs"]),
    }


def test_templatefile_result_may_be_any_type() -> None:
    renderer = Renderer(lang.from_python({"a": [1, 2]}))
    got = call_function("templatefile", "template.tftpl", {}, ctx=fs_context(renderer))
    assert got == lang.from_python({"a": [1, 2]})


def test_templatefile_accepts_a_map() -> None:
    renderer = Renderer()
    variables = lang.map_val({"name": S("x")})
    call_function("templatefile", "template.tftpl", variables, ctx=fs_context(renderer))
    assert renderer.calls[0][2] == {"name": S("x")}


@pytest.mark.parametrize(
    ("path", "variables", "message", "index"),
    [
        ("template.tftpl", ["a"], "invalid vars value: must be a map", 1),
        ("template.tftpl", "x", "invalid vars value: must be a map", 1),
        (
            "template.tftpl",
            {"1abc": 1},
            'invalid template variable name "1abc": must start with a letter, followed by zero '
            "or more letters, digits, and underscores",
            1,
        ),
        ("template.tftpl", {"a b": 1}, 'invalid template variable name "a b"', 1),
        ("nope.tftpl", {}, 'no file exists at "nope.tftpl"' + NO_FILE_HINT, 0),
        ("files", {}, 'failed to read file: "files" is a directory', 0),
    ],
)
def test_templatefile_errors(path: str, variables: Any, message: str, index: int) -> None:
    renderer = Renderer()
    err = error_of("templatefile", path, variables, ctx=fs_context(renderer))
    assert err.message.startswith(message)
    assert err.arg_index == index
    assert renderer.calls == []


@pytest.mark.parametrize("name", ["a", "_a", "a-b_c9", "ünïcode"])
def test_templatefile_accepts_hcl_identifiers(name: str) -> None:
    renderer = Renderer()
    call_function("templatefile", "template.tftpl", {name: 1}, ctx=fs_context(renderer))
    assert list(renderer.calls[0][2]) == [name]


def test_templatefile_refuses_binary_templates_and_needs_a_renderer() -> None:
    err = error_of("templatefile", "binary.bin", {}, ctx=fs_context(Renderer()))
    assert err.message == 'contents of "binary.bin" are not valid UTF-8'
    err = error_of("templatefile", "template.tftpl", {})
    assert err.message == (
        "The templatefile function cannot be used here: template rendering is not available in "
        "this context."
    )


def test_templatefile_renderer_errors_pass_through() -> None:
    def failing(source: str, filename: str, variables: Mapping[str, lang.Value]) -> lang.Value:
        raise lang.FunctionError('vars map does not contain key "name"', 1)

    ctx = lang.FunctionContext(fs=FakeFileSystem(), render_template=failing)
    assert error_of("templatefile", "template.tftpl", {}, ctx=ctx).arg_index == 1


def test_templatefile_marks() -> None:
    renderer = Renderer()
    ctx = fs_context(renderer)
    assert call_function("templatefile", secret("template.tftpl"), {}, ctx=ctx).sensitive
    whole = lang.from_python({"name": "x"}).mark_sensitive()
    assert call_function("templatefile", "template.tftpl", whole, ctx=ctx).sensitive
    # A sensitive variable reaches the renderer still marked, which decides what it taints.
    inner = lang.from_python({"name": secret("x"), "other": "y"})
    assert not call_function("templatefile", "template.tftpl", inner, ctx=ctx).sensitive
    assert renderer.calls[-1][2]["name"] == secret("x")


def test_templatefile_unknowns() -> None:
    renderer = Renderer()
    ctx = fs_context(renderer)
    unknown_vars = lang.DYNAMIC_UNKNOWN
    assert call_function("templatefile", "template.tftpl", unknown_vars, ctx=ctx) == (
        lang.DYNAMIC_UNKNOWN
    )
    assert call_function("templatefile", UNKNOWN_STRING, {}, ctx=ctx) == lang.DYNAMIC_UNKNOWN
    assert (
        call_function("templatefile", UNKNOWN_STRING.mark_sensitive(), {}, ctx=ctx)
        == lang.DYNAMIC_UNKNOWN.mark_sensitive()
    )
    # Unknown values inside the variables are the renderer's to handle, as in Terraform.
    partly = lang.from_python({"name": UNKNOWN_STRING})
    call_function("templatefile", "template.tftpl", partly, ctx=ctx)
    assert renderer.calls[-1][2] == {"name": UNKNOWN_STRING}


def test_templatefile_null_vars_are_refused() -> None:
    err = error_of("templatefile", "template.tftpl", None, ctx=fs_context(Renderer()))
    assert err.message == 'Invalid value for "vars" parameter: argument must not be null.'


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.text(alphabet="ab*?[]{},!^\\/.-~\x00", max_size=12),
    st.text(alphabet="ab./~\x00", max_size=6),
)
def test_any_path_or_pattern_gives_a_value_or_a_function_error(
    module_dir: Path, pattern: str, path: str
) -> None:
    ctx = lang.FunctionContext(fs=LocalFileSystem(module_dir, home="/home/user"))
    for name, args in [
        ("fileset", [path, pattern]),
        ("file", [path]),
        ("filebase64", [path]),
        ("fileexists", [path]),
        ("pathexpand", [path]),
        ("abspath", [path]),
    ]:
        with contextlib.suppress(lang.FunctionError):
            call_function(name, *args, ctx=ctx)
