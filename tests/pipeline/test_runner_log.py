"""Build log lines: CodeBuild's format and order (compared as patterns, the time masked), the
commands' own output as it comes, secrets masked, unicode and very long lines."""

from __future__ import annotations

import base64
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from gitterra import pipeline
from gitterra.pipeline._buildlog import BuildLog, Masker
from tests.pipeline.runkit import build, commands

T = "[Container] <time> "


def _head(workdir: Path, phases: list[str]) -> list[str]:
    return [
        f"{T}Phase is DOWNLOAD_SOURCE",
        f"{T}CODEBUILD_SRC_DIR={workdir}",
        f"{T}YAML location is buildspec.yml",
        f"{T}Processing environment variables",
        f"{T}Moving to directory {workdir}",
        f"{T}Phases found in YAML: {len(phases)}",
        *(f"{T} {p}" for p in phases),
        f"{T}Phase complete: DOWNLOAD_SOURCE State: SUCCEEDED",
        f"{T}Phase context status code:  Message: ",
    ]


def _ok(phase: str) -> list[str]:
    return [
        f"{T}Phase complete: {phase} State: SUCCEEDED",
        f"{T}Phase context status code:  Message: ",
    ]


def test_a_successful_build_logs_as_codebuild(tmp_path: Path) -> None:
    text = commands(
        ("pre_build", ["echo hi", "echo to stderr >&2; echo after"]),
        ("build", ["true"]),
    )
    run = build(tmp_path, text)
    assert run.patterns == [
        *_head(tmp_path, ["PRE_BUILD: 2 commands", "BUILD: 1 commands"]),
        f"{T}Entering phase INSTALL",
        *_ok("INSTALL"),
        f"{T}Entering phase PRE_BUILD",
        f"{T}Running command echo hi",
        "hi",
        "",
        f"{T}Running command echo to stderr >&2; echo after",
        "to stderr",
        "after",
        "",
        *_ok("PRE_BUILD"),
        f"{T}Entering phase BUILD",
        f"{T}Running command true",
        "",
        *_ok("BUILD"),
        f"{T}Entering phase POST_BUILD",
        *_ok("POST_BUILD"),
        *_ok("UPLOAD_ARTIFACTS"),
    ]


def test_a_failing_command_logs_as_codebuild(tmp_path: Path) -> None:
    text = commands(("build", ["echo out; exit 2", "echo skipped"]), ("post_build", ["echo post"]))
    run = build(tmp_path, text)
    start = run.patterns.index(f"{T}Entering phase BUILD")
    assert run.patterns[start:] == [
        f"{T}Entering phase BUILD",
        f"{T}Running command echo out; exit 2",
        "out",
        "",
        f"{T}Command did not exit successfully echo out; exit 2 exit status 2",
        f"{T}Phase complete: BUILD State: FAILED",
        f"{T}Phase context status code: COMMAND_EXECUTION_ERROR Message: Error while executing "
        "command: echo out; exit 2. Reason: exit status 2",
        f"{T}Entering phase POST_BUILD",
        f"{T}Running command echo post",
        "post",
        "",
        *_ok("POST_BUILD"),
        *_ok("UPLOAD_ARTIFACTS"),
    ]


def test_the_time_is_codebuilds(tmp_path: Path) -> None:
    run = build(tmp_path, commands(("build", ["true"])))
    stamp = re.compile(r"\[Container\] (\d{4}/\d\d/\d\d \d\d:\d\d:\d\d\.\d{6}) .")
    own = [line for line in run.lines if line.startswith("[Container]")]
    times = []
    for line in own:
        match = stamp.match(line)
        assert match, line
        times.append(datetime.strptime(match.group(1), "%Y/%m/%d %H:%M:%S.%f").replace(tzinfo=UTC))
    assert times == sorted(times)
    assert abs(datetime.now(UTC) - times[0]) < timedelta(minutes=5)  # UTC, not local time


def test_a_multi_line_command_is_logged_line_by_line(tmp_path: Path) -> None:
    text = "version: 0.2\nphases:\n  build:\n    commands:\n      - |\n        echo a\n        echo b\n"
    run = build(tmp_path, text)
    assert f"{T}Running command echo a" in run.patterns
    i = run.patterns.index(f"{T}Running command echo a")
    assert run.patterns[i + 1 : i + 5] == ["echo b", "", "a", "b"]


def test_output_without_final_newline_and_carriage_returns(tmp_path: Path) -> None:
    run = build(
        tmp_path, commands(("build", ["printf 'no newline'", "printf 'dos\\r\\nline\\r\\n'"]))
    )
    assert run.output[:5] == ["no newline", "", "dos", "line", ""]


def test_unicode_and_invalid_bytes(tmp_path: Path) -> None:
    text = commands(("build", ["printf 'héllo ✓ 日本語 🚀\\n'", "printf 'bad \\377\\376 end\\n'"]))
    run = build(tmp_path, text)
    assert "héllo ✓ 日本語 🚀" in run.output
    assert "bad \ufffd\ufffd end" in run.output


def test_very_long_lines_are_cut_into_pieces(tmp_path: Path) -> None:
    text = commands(
        (
            "build",
            ["head -c 300000 /dev/zero | tr '\\0' x; echo", "head -c 5000 /dev/zero | tr '\\0' y"],
        )
    )
    runner = pipeline.BuildRunner(kill_grace=2.0, max_line=1000)
    run = build(tmp_path, text, runner=runner)
    xs = [line for line in run.output if line.startswith("x")]
    ys = [line for line in run.output if line.startswith("y")]
    assert "".join(xs) == "x" * 300000
    assert all(len(line) <= 1000 for line in xs)
    assert "".join(ys) == "y" * 5000
    assert all(len(line) <= 1000 for line in ys)
    assert run.status == "SUCCEEDED"  # the marker after a cut line was still found


def test_a_long_line_with_the_default_limit(tmp_path: Path) -> None:
    run = build(tmp_path, commands(("build", ["head -c 1000000 /dev/zero | tr '\\0' z; echo"])))
    zs = [line for line in run.output if line.startswith("z")]
    assert "".join(zs) == "z" * 1000000
    assert len(zs) == 4


def test_masks_hide_secrets_and_their_base64(tmp_path: Path) -> None:
    secret = "s3cr3t-Passw0rd!"
    text = commands(
        (
            "build",
            [
                'echo "value=$SECRET"',
                'printf %s "$SECRET" | base64',
                'echo "$SECRET" | base64',
                "echo s3cr3t-Passw0rd! typed in the command",
                "echo other >&2; echo tail-$SECRET-tail",
            ],
        )
    )
    run = build(tmp_path, text, overrides={"SECRET": secret}, masks=[secret, ""])
    joined = "\n".join(run.lines)
    encoded = base64.b64encode(secret.encode()).decode()
    assert secret not in joined
    assert encoded.rstrip("=") not in joined
    assert base64.b64encode(secret.encode() + b"\n").decode().rstrip("=") not in joined
    assert "value=***" in run.output
    assert "tail-***-tail" in run.output
    assert f"{T}Running command echo *** typed in the command" in run.patterns
    assert "other" in run.output  # an empty mask hides nothing


def test_masker_cases() -> None:
    mask = Masker(["abc", "abcdef", "p@ss"])
    assert mask("abcdef abc ab") == "*** *** ab"  # the longest value first
    assert mask(base64.urlsafe_b64encode(b"p@ss").decode()) == "***=="
    short = Masker(["ab"])
    assert short(base64.b64encode(b"ab").decode()) == "YWI="  # too short to mask its encoding
    assert Masker([])("anything") == "anything"


def test_build_log_prefix_and_lines() -> None:
    out: list[str] = []
    log = BuildLog(
        out.append, ["key"], clock=lambda: datetime(2024, 12, 22, 20, 3, 43, 966393, UTC)
    )
    log.container("Running command echo key\necho two")
    log.output("key")
    assert out == [
        "[Container] 2024/12/22 20:03:43.966393 Running command echo ***",
        "echo two",
        "***",
    ]
