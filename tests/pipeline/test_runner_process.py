"""The runner and processes: timeouts and stops kill the whole process group (no process left),
leftovers are ended with the build, run-as switches users or refuses, faults are FAULT."""

from __future__ import annotations

import asyncio
import os
import pwd
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from gitterra import pipeline
from gitterra.pipeline import _runas
from tests.pipeline.runkit import base_env, build, commands, spec_of, wait_gone

SLEEPER = [
    "echo $$ > shell.pid",
    "sleep 600 & echo $! > background.pid",
    "sh -c 'echo $$ > child.pid; echo sleeping; exec sleep 600'",
    "echo not reached",
]
PIDS = ("shell.pid", "background.pid", "child.pid")


def _all_gone(workdir: Path) -> None:
    for name in PIDS:
        pid = int((workdir / name).read_text())
        assert wait_gone(pid), f"{name} ({pid}) is still running"


def _started(marker: str) -> Callable[[str, asyncio.Event], None]:
    """An ``on_line`` that sets the stop event when ``marker`` is logged."""

    def on_line(line: str, stop: asyncio.Event) -> None:
        if line.endswith(marker):
            stop.set()

    return on_line


def test_timeout_kills_the_command_and_its_children(tmp_path: Path) -> None:
    run = build(tmp_path, commands(("build", SLEEPER), ("post_build", ["echo post"])), timeout=3)
    assert run.status == "TIMED_OUT"
    assert run.seconds < 30
    _all_gone(tmp_path)
    assert "not reached" not in run.output
    assert "post" not in run.output
    record = run.phase("BUILD")
    assert (record.status, record.status_code) == ("TIMED_OUT", "BUILD_TIMED_OUT")
    assert run.phases()[-1] == ("FINALIZING", "SUCCEEDED")
    assert "[Container] <time> Phase complete: BUILD State: TIMED_OUT" in run.patterns


def test_stop_kills_the_build(tmp_path: Path) -> None:
    text = commands(("build", SLEEPER))
    run = build(tmp_path, text, on_line=_started("sleeping"))
    assert run.status == "STOPPED"
    assert run.phase("BUILD").status == "STOPPED"
    _all_gone(tmp_path)


def test_stop_before_the_first_command(tmp_path: Path) -> None:
    stop = asyncio.Event()
    stop.set()
    run = build(tmp_path, commands(("build", ["touch ran"])), stop=stop)
    assert run.status == "STOPPED"
    assert not (tmp_path / "ran").exists()


def test_sigterm_ignored_is_followed_by_sigkill(tmp_path: Path) -> None:
    text = commands(
        ("build", ["trap '' TERM; echo $$ > shell.pid; sleep 600 & echo $! > bg.pid; wait"])
    )
    runner = pipeline.BuildRunner(kill_grace=0.3)
    run = build(tmp_path, text, timeout=1.0, runner=runner)
    assert run.status == "TIMED_OUT"
    for name in ("shell.pid", "bg.pid"):
        assert wait_gone(int((tmp_path / name).read_text()))


def test_processes_left_running_end_with_the_build(tmp_path: Path) -> None:
    text = commands(
        ("build", ["sleep 600 & echo $! > bg.pid", "(sleep 600 >/dev/null 2>&1 &); echo done"])
    )
    run = build(tmp_path, text, runner=pipeline.BuildRunner(kill_grace=0.5))
    assert run.status == "SUCCEEDED"
    assert wait_gone(int((tmp_path / "bg.pid").read_text()))


def test_a_missing_source_directory_is_a_fault(tmp_path: Path) -> None:
    run = build(tmp_path / "nope", commands(("build", ["true"])))
    assert run.status == "FAULT"
    assert run.phases() == [("DOWNLOAD_SOURCE", "FAULT"), ("FINALIZING", "SUCCEEDED")]
    assert "does not exist" in run.result.reason


def test_environment_that_cannot_be_passed_is_a_fault(tmp_path: Path) -> None:
    run = build(tmp_path, commands(("build", ["true"])), overrides={"BAD": "nul\0byte"})
    assert run.status == "FAULT"
    assert "could not be started" in run.result.reason


# -- run-as -------------------------------------------------------------------------------


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    """A workdir another user can enter (pytest's tmp_path is private to root)."""
    path = Path(tempfile.mkdtemp(prefix="gitterra-runas-"))
    path.chmod(0o777)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def _nobody() -> pwd.struct_passwd:
    try:
        return pwd.getpwnam("nobody")
    except KeyError:
        pytest.skip("no user nobody on this machine")


@pytest.mark.skipif(os.geteuid() != 0, reason="switching users needs root")
def test_run_as_switches_the_shell_to_that_user(shared_dir: Path) -> None:
    nobody = _nobody()
    text = commands(
        (
            "build",
            [
                "id -un",
                'echo "$HOME $USER"',
                "touch made-by-me",
                "echo $CODEBUILD_BUILD_SUCCEEDING",
            ],
        ),
        head="run-as: nobody\nenv: {exported-variables: [USER]}",
    )
    run = build(shared_dir, text)
    assert run.status == "SUCCEEDED", run.lines
    assert "nobody" in run.output
    assert f"{nobody.pw_dir} nobody" in run.output
    assert (shared_dir / "made-by-me").stat().st_uid == nobody.pw_uid
    assert run.result.exported == {"USER": "nobody"}


def test_run_as_an_unknown_user_is_refused(tmp_path: Path) -> None:
    run = build(tmp_path, commands(("build", ["touch ran"]), head="run-as: no-such-user-here"))
    assert run.status == "FAULT"
    assert not (tmp_path / "ran").exists()
    assert run.result.reason == 'run-as user "no-such-user-here" does not exist on this machine'
    assert run.phase("DOWNLOAD_SOURCE").status_code == "CLIENT_ERROR"


def test_run_as_with_different_users_per_phase_is_refused(tmp_path: Path) -> None:
    text = (
        "version: 0.2\nrun-as: root\nphases:\n  install:\n    commands: [touch a]\n"
        "  build:\n    run-as: nobody\n    commands: [touch b]\n"
    )
    run = build(tmp_path, text)
    assert run.status == "FAULT"
    assert not list(tmp_path.iterdir())
    assert "different users (nobody, root)" in run.result.reason


def test_run_as_without_root_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _nobody()
    monkeypatch.setattr(_runas.os, "geteuid", lambda: 4242)
    run = build(tmp_path, commands(("build", ["touch ran"]), head="run-as: nobody"))
    assert run.status == "FAULT"
    assert not (tmp_path / "ran").exists()
    assert "needs the build service to run as root" in run.result.reason
    assert "uid 4242" in run.result.reason


def test_run_as_the_runners_own_user_needs_no_switch(tmp_path: Path) -> None:
    me = pwd.getpwuid(os.geteuid()).pw_name
    run = build(tmp_path, commands(("build", ["id -un"]), head=f"run-as: {me}"))
    assert run.status == "SUCCEEDED"
    assert me in run.output


def test_cancelling_the_run_kills_the_build(tmp_path: Path) -> None:
    spec = spec_of(commands(("build", SLEEPER)))

    async def main() -> None:
        started = asyncio.Event()

        def log(line: str) -> None:
            if line == "sleeping":
                started.set()

        runner = pipeline.BuildRunner(kill_grace=1.0)
        task = asyncio.create_task(
            runner.run(
                spec, workdir=tmp_path, env=base_env(), log=log, timeout=60, stop=asyncio.Event()
            )
        )
        await asyncio.wait_for(started.wait(), 30)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(main())
    _all_gone(tmp_path)


@pytest.mark.skipif(os.geteuid() != 0, reason="switching users needs root")
def test_a_service_user_runs_every_build(shared_dir: Path) -> None:
    _nobody()
    runner = pipeline.BuildRunner(kill_grace=1.0, user="nobody")
    run = build(shared_dir, commands(("build", ["id -un"])), runner=runner)
    assert run.status == "SUCCEEDED"
    assert "nobody" in run.output
    run = build(shared_dir, commands(("build", ["id -un"]), head="run-as: nobody"), runner=runner)
    assert run.status == "SUCCEEDED"
    run = build(shared_dir, commands(("build", ["touch x"]), head="run-as: root"), runner=runner)
    assert run.status == "FAULT"
    assert run.result.reason == (
        'run-as user "root" is not allowed: this build service runs builds as "nobody"'
    )
    assert not (shared_dir / "x").exists()


def test_a_build_runs_on_uvloop(tmp_path: Path) -> None:
    # `gitterra server` may run on uvloop (the `fast` extra), whose subprocess API refuses
    # asyncio's identity arguments even when they are None.
    uvloop = pytest.importorskip("uvloop")
    text = commands(("build", ["echo on-uvloop"]))
    run = build(tmp_path, text, loop=uvloop.run)
    assert run.status == "SUCCEEDED", run.lines
    assert "on-uvloop" in run.output
