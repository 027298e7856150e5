"""LocalFileSystem against real directories (pytest's tmp_path)."""

from __future__ import annotations

import errno
import fnmatch
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gitterra.kits import GlobPatternError, LocalFileSystem

FILES = [
    "a.txt",
    "b.md",
    ".hidden",
    "dirfile.txt",
    "star*.txt",
    "starx.txt",
    "{brace}.txt",
    "dir/c.txt",
    "dir/sub/d.txt",
    "dir/sub/e.md",
    "other/f.txt",
]


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    for name in FILES:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(name)
    (tmp_path / "emptydir").mkdir()
    return tmp_path


@pytest.fixture
def fs(tree: Path) -> LocalFileSystem:
    return LocalFileSystem(tree, home="/home/tester")


# ---- reading ---------------------------------------------------------------------------------


def test_read_bytes_relative_absolute_and_cleaned(fs: LocalFileSystem, tree: Path) -> None:
    assert fs.read_bytes("a.txt") == b"a.txt"
    assert fs.read_bytes("dir/../dir/sub/./d.txt") == b"dir/sub/d.txt"
    assert fs.read_bytes(str(tree / "b.md")) == b"b.md"


def test_read_bytes_errors(fs: LocalFileSystem, tree: Path) -> None:
    with pytest.raises(FileNotFoundError):
        fs.read_bytes("missing.txt")
    with pytest.raises(IsADirectoryError):
        fs.read_bytes("dir")
    with pytest.raises(OSError, match="invalid argument") as info:
        fs.read_bytes("a\0b")
    assert info.value.errno == errno.EINVAL


def test_read_bytes_refuses_a_fifo_instead_of_blocking(fs: LocalFileSystem, tree: Path) -> None:
    os.mkfifo(tree / "pipe")
    with pytest.raises(OSError, match="not a regular file"):
        fs.read_bytes("pipe")


def test_symbolic_links_are_followed_for_reading(fs: LocalFileSystem, tree: Path) -> None:
    (tree / "link.txt").symlink_to(tree / "a.txt")
    (tree / "dangling").symlink_to(tree / "nowhere")
    assert fs.read_bytes("link.txt") == b"a.txt"
    assert fs.kind("link.txt") == "file"
    with pytest.raises(FileNotFoundError):
        fs.read_bytes("dangling")
    assert fs.kind("dangling") is None


@pytest.mark.parametrize(
    ("path", "want"),
    [
        ("a.txt", "file"),
        ("dir", "dir"),
        ("dir/sub/", "dir"),
        (".", "dir"),
        ("missing", None),
        ("a.txt/below", None),  # a file is not a directory: nothing exists below it
    ],
)
def test_kind(fs: LocalFileSystem, path: str, want: str | None) -> None:
    assert fs.kind(path) == want


def test_kind_of_special_files(fs: LocalFileSystem, tree: Path) -> None:
    os.mkfifo(tree / "pipe")
    assert fs.kind("pipe") == "other"


def test_base_dir_is_absolute_and_clean(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tree)
    fs = LocalFileSystem("dir/../dir/")
    assert fs.base_dir == str(tree / "dir")
    assert fs.read_bytes("c.txt") == b"dir/c.txt"


@pytest.mark.parametrize(
    ("path", "relative_want"),
    [(".", ""), ("", ""), ("x/y", "/x/y"), ("x/../y/", "/y"), ("..", "/..")],
)
def test_abspath(fs: LocalFileSystem, tree: Path, path: str, relative_want: str) -> None:
    want = os.path.normpath(str(tree) + relative_want)
    assert fs.abspath(path) == want


@pytest.mark.parametrize(("path", "want"), [("/etc//x/", "/etc/x"), ("//x", "/x"), ("/..", "/")])
def test_abspath_of_absolute_paths(fs: LocalFileSystem, path: str, want: str) -> None:
    assert fs.abspath(path) == want


def test_home(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert LocalFileSystem(tree, home="/home/tester").home() == "/home/tester"
    monkeypatch.setenv("HOME", "/home/from-env")
    assert LocalFileSystem(tree).home() == "/home/from-env"


# ---- glob ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("base", "pattern", "want"),
    [
        (
            ".",
            "*",
            [".hidden", "a.txt", "b.md", "dirfile.txt", "star*.txt", "starx.txt", "{brace}.txt"],
        ),
        (".", "*.txt", ["a.txt", "dirfile.txt", "star*.txt", "starx.txt", "{brace}.txt"]),
        (".", "**", sorted(FILES)),
        (
            ".",
            "**/*.txt",
            sorted(f for f in FILES if f.endswith(".txt")),
        ),
        (".", "dir/**/*.md", ["dir/sub/e.md"]),
        (".", "dir/**", ["dir/c.txt", "dir/sub/d.txt", "dir/sub/e.md"]),
        (".", "dir/*/d.txt", ["dir/sub/d.txt"]),
        (".", "**/sub/**", ["dir/sub/d.txt", "dir/sub/e.md"]),
        (".", "?.txt", ["a.txt"]),
        (".", "[ab].*", ["a.txt", "b.md"]),
        (".", "[!a].*", ["b.md"]),
        (".", "[^a].*", ["b.md"]),
        (".", "[a-b].??", ["b.md"]),
        (".", "{a,b}.*", ["a.txt", "b.md"]),
        (".", "{a,a}.txt", ["a.txt"]),
        (".", "{dir/sub,other}/*", ["dir/sub/d.txt", "dir/sub/e.md", "other/f.txt"]),
        (".", "{dir/{sub/d,c},other/f}.txt", ["dir/c.txt", "dir/sub/d.txt", "other/f.txt"]),
        (".", "star\\*.txt", ["star*.txt"]),
        (".", "star*.txt", ["star*.txt", "starx.txt"]),
        (".", "\\{brace}.txt", ["{brace}.txt"]),
        (".", "dir**", ["dirfile.txt"]),  # ** inside an element is just *
        (".", "dir/sub/../c.txt", ["dir/c.txt"]),  # cleaned before matching, as in Go
        (".", "a.txt", ["a.txt"]),
        (".", "dir", []),  # directories are never results
        (".", "emptydir/**", []),
        (".", "nothing/*", []),
        ("dir", "*", ["c.txt"]),
        ("dir", "**", ["c.txt", "sub/d.txt", "sub/e.md"]),
        ("dir/sub", "../*.txt", ["../c.txt"]),
        ("missing", "*", []),
        ("a.txt", "", ["."]),  # the base itself, as filepath.Rel reports it
    ],
)
def test_glob(fs: LocalFileSystem, base: str, pattern: str, want: list[str]) -> None:
    assert fs.glob(base, pattern) == want


def test_glob_accepts_an_absolute_base(fs: LocalFileSystem, tree: Path) -> None:
    assert fs.glob(str(tree / "other"), "*") == ["f.txt"]


def test_glob_joins_an_absolute_looking_pattern_like_go(fs: LocalFileSystem) -> None:
    assert fs.glob("dir", "/sub/*.md") == ["sub/e.md"]


@pytest.mark.parametrize("pattern", ["[", "[a", "a[", "[]", "[!]", "{a,b", "a\\", "[z-a]"])
def test_glob_syntax_errors(fs: LocalFileSystem, pattern: str) -> None:
    with pytest.raises(GlobPatternError, match=r"^syntax error in pattern$"):
        fs.glob(".", pattern)
    assert issubclass(GlobPatternError, ValueError)


def test_glob_and_symbolic_links(fs: LocalFileSystem, tree: Path) -> None:
    (tree / "linkdir").symlink_to(tree / "dir", target_is_directory=True)
    (tree / "linkfile.txt").symlink_to(tree / "a.txt")
    (tree / "dir" / "loop").symlink_to(tree, target_is_directory=True)
    assert "linkfile.txt" in fs.glob(".", "*.txt")  # a link to a regular file is a file
    everything = fs.glob(".", "**")
    assert not any(p.startswith(("linkdir/", "dir/loop/")) for p in everything)
    assert fs.glob(".", "linkdir/*.txt") == ["linkdir/c.txt"]  # literal elements are followed
    assert fs.glob(".", "*/c.txt") == ["dir/c.txt"]  # wildcards do not enter linked directories


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads directories regardless of mode")
def test_glob_skips_unreadable_directories(fs: LocalFileSystem, tree: Path) -> None:
    (tree / "other").chmod(0)
    try:
        assert fs.glob(".", "**/f.txt") == []
    finally:
        (tree / "other").chmod(0o755)


NAMES = ["a", "b", "ab", "ba", "a.b", ".a", "aa.a", "b.", "x"]


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet="ab.*?x", min_size=1, max_size=5))
def test_glob_of_flat_names_agrees_with_fnmatch(tmp_path: Path, pattern: str) -> None:
    flat = tmp_path / "flat"
    flat.mkdir(exist_ok=True)
    for name in NAMES:
        (flat / name).write_text(name)
    fs = LocalFileSystem(flat)
    want = sorted(n for n in NAMES if fnmatch.fnmatchcase(n, pattern))
    if pattern in (".", "..") or pattern.startswith("./"):
        return  # cleaned away before matching, unlike fnmatch
    assert fs.glob(".", pattern) == want


def test_abspath_is_lexical_even_for_names_the_disk_refuses(
    fs: LocalFileSystem, tree: Path
) -> None:
    assert fs.abspath("a\0b") == f"{tree}/a\0b"
    with pytest.raises(OSError, match="invalid argument"):
        fs.kind("a\0b")
