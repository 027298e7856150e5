"""UPLOAD_ARTIFACTS: ``artifacts.files`` globs resolved with base-directory, discard-paths and
exclude-paths, on files a real build made; files that lead outside the source are skipped."""

from __future__ import annotations

from pathlib import Path

from gitterra.pipeline import _artifacts
from gitterra.pipeline._model import Artifacts
from tests.pipeline.runkit import build, commands

MAKE = [
    "mkdir -p dist/css dist/js .hidden",
    "echo a > dist/index.html; echo b > dist/css/site.css; echo c > dist/js/app.js",
    "echo m > dist/js/app.js.map; echo h > dist/.env; echo t > top.txt",
]


def _names(workdir: Path, artifacts: str) -> tuple[str, list[str], list[str]]:
    run = build(workdir, commands(("build", MAKE), head=f"artifacts:\n{artifacts}"))
    names = sorted(a.name for a in run.result.artifacts)
    for a in run.result.artifacts:
        assert a.path.is_file()
        assert a.path.is_relative_to(workdir)
    return run.status, names, run.patterns


def test_everything_under_the_source(tmp_path: Path) -> None:
    status, names, patterns = _names(tmp_path, "  files: ['**/*']")
    assert status == "SUCCEEDED"
    assert names == [
        "dist/.env",
        "dist/css/site.css",
        "dist/index.html",
        "dist/js/app.js",
        "dist/js/app.js.map",
        "top.txt",
    ]
    i = patterns.index("[Container] <time> Expanding base directory path: .")
    assert patterns[i : i + 9] == [
        "[Container] <time> Expanding base directory path: .",
        "[Container] <time> Assembling file list",
        "[Container] <time> Expanding .",
        "[Container] <time> Expanding file paths for base directory .",
        "[Container] <time> Assembling file list",
        "[Container] <time> Expanding **/*",
        "[Container] <time> Found 6 file(s)",
        "[Container] <time> Phase complete: UPLOAD_ARTIFACTS State: SUCCEEDED",
        "[Container] <time> Phase context status code:  Message: ",
    ]


def test_base_directory_and_exclude_paths(tmp_path: Path) -> None:
    spec = "  base-directory: dist\n  files: ['**/*']\n  exclude-paths: ['**/*.map', '.env']"
    _, names, _ = _names(tmp_path, spec)
    assert names == ["css/site.css", "index.html", "js/app.js"]


def test_discard_paths(tmp_path: Path) -> None:
    _, names, _ = _names(tmp_path, "  files: ['dist/**/*.js', 'dist/*.html']\n  discard-paths: yes")
    assert names == ["app.js", "index.html"]


def test_discard_paths_with_two_files_of_one_name_fails(tmp_path: Path) -> None:
    text = commands(
        ("build", ["mkdir a b", "touch a/x b/x"]),
        head="artifacts: {files: ['*/x'], discard-paths: yes}",
    )
    run = build(tmp_path, text)
    assert run.status == "FAILED"
    record = run.phase("UPLOAD_ARTIFACTS")
    assert (record.status_code, record.message) == (
        "CLIENT_ERROR",
        "discard-paths: two files would be named x",
    )


def test_no_matching_file_fails_the_build(tmp_path: Path) -> None:
    run = build(tmp_path, commands(("build", ["true"]), head="artifacts: {files: [missing.zip]}"))
    assert run.status == "FAILED"
    assert run.result.artifacts == []
    assert (
        "[Container] <time> Phase context status code: CLIENT_ERROR Message: no matching artifact paths found"
        in run.patterns
    )


def test_links_out_of_the_source_are_skipped(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret").write_text("server data")
    work = tmp_path / "work"
    work.mkdir()
    text = commands(
        ("build", [f"ln -s {outside / 'secret'} leak", f"ln -s {outside} dir", "echo ok > real"]),
        head="artifacts: {files: ['**/*']}",
    )
    run = build(work, text)
    assert [a.name for a in run.result.artifacts] == ["real"]
    assert "[Container] <time> Skipping leak: it leads outside the source directory" in run.patterns


def test_a_base_directory_that_is_missing_or_leads_out(tmp_path: Path) -> None:
    found = _artifacts.collect(tmp_path, Artifacts(files=("*",), base_directory="nope"))
    assert found.error == "base directory nope is not a directory inside the source directory"
    (tmp_path / "out").symlink_to("/")
    found = _artifacts.collect(tmp_path, Artifacts(files=("etc/passwd",), base_directory="out"))
    assert found.error.startswith("base directory out is not")
    assert found.files == []
