"""Choosing a level, the weaker levels, and what a server that cannot start says."""

from __future__ import annotations

import os
import pwd
import shutil
import stat
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from gitterra.cloud import isolation
from gitterra.cloud.isolation import _perms
from tests.isolation.conftest import buildspec, new_server
from tests.isolation.crossing import attempts, check, try_as_a_build, try_as_an_instance

pytestmark = pytest.mark.slow


def test_no_isolation_is_said_loudly_and_is_real(sandbox: str, tmp_path: Path) -> None:
    """Forced to ``none``, the server says so, and the same attempts do cross: they are real."""
    del sandbox
    with httpx.Client(timeout=60) as client:
        server = new_server(tmp_path, client)
        server.start(GITTERRA_ISOLATION="none")
        try:
            found = server.isolation
            assert found["level"] == "none"
            assert found["barriers"] == []
            assert "NO ISOLATION" in found["description"]
            assert "GITTERRA_ISOLATION=none" in found["reason"]
            assert found["description"] in server.log()
            lines = attempts(server.data_dir, tmp_path / "none", [server.pid, 1], "x")
            done, log = server.build("crosses", buildspec(*lines[:1]))
            assert done["status"] == "SUCCEEDED", log
            assert "CROSSED read token" in log.splitlines()
        finally:
            server.stop()


def prepared(run_as: str | None, hide_bwrap: bool) -> list[str]:
    """The command that runs a server in a prepared system: this one, with the Python
    installation reachable by every user (it may live in a directory closed to others, as
    ``/root/.pyenv`` does), bubblewrap hidden if asked, as user ``run_as`` if given."""
    bwrap = shutil.which("bwrap")
    assert bwrap is not None
    args = [bwrap, "--dev-bind", "/", "/"]
    base = Path(sys.base_prefix).resolve()
    closed = next(
        (
            p
            for p in reversed(base.parents)
            if p != Path("/") and not p.stat().st_mode & stat.S_IXOTH
        ),
        None,
    )
    if closed is not None:
        args += ["--perms", "0755", "--tmpfs", str(closed)]
        for parent in reversed(base.parents):
            if parent.is_relative_to(closed) and parent != closed:
                args += ["--perms", "0755", "--dir", str(parent)]
        args += ["--ro-bind", str(base), str(base)]
    if hide_bwrap:
        args += ["--ro-bind", "/dev/null", bwrap]  # not executable: not found
    args.append("--")
    if run_as is not None:
        entry = pwd.getpwnam(run_as)
        args += ["setpriv", f"--reuid={entry.pw_uid}", f"--regid={entry.pw_gid}"]
        args += ["--clear-groups", "--"]
    return args


@pytest.fixture
def elsewhere() -> Iterator[Path]:
    """A base directory every user can reach (``/tmp/pytest-of-root`` is closed to others)."""
    path = Path(tempfile.mkdtemp(prefix="gitterra-level-", dir="/var/tmp"))
    path.chmod(0o755)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


@pytest.mark.parametrize(
    ("level", "run_as", "hide_bwrap"),
    [
        pytest.param("user", None, True, id="user: root without bubblewrap"),
        pytest.param("namespace", "nobody", False, id="namespace: bubblewrap, not root"),
    ],
)
def test_the_weaker_levels_hold_what_they_claim(
    sandbox: str,
    elsewhere: Path,
    gates: Path,
    level: str,
    run_as: str | None,
    hide_bwrap: bool,
) -> None:
    """The server on a system prepared to give ``level`` (see ``prepared``): the level it
    reports is that one, and a build and an instance do not cross what it claims."""
    if os.geteuid() != 0 or shutil.which("bwrap") is None:
        pytest.skip(f"preparing a system for {level} needs root and bubblewrap ({sandbox})")
    if run_as is not None:
        shutil.chown(elsewhere, run_as)
    with httpx.Client(timeout=60) as client:
        server = new_server(elsewhere, client)
        server.wrapper = prepared(run_as, hide_bwrap)
        server.start()
        try:
            found = server.isolation
            assert found["level"] == level, found
            assert found["barriers"] == list(isolation.BARRIERS[level])
            if level == "user":
                assert stat.S_IMODE(server.data_dir.stat().st_mode) == 0o711
            check(try_as_a_build(server, gates, level), found["barriers"])
            check(try_as_an_instance(server, gates, level), found["barriers"])
        finally:
            server.stop()


@pytest.mark.parametrize(
    ("env", "says"),
    [
        ({"GITTERRA_ISOLATION": "bogus"}, "Error: GITTERRA_ISOLATION='bogus' is not a level"),
        ({"GITTERRA_ISOLATION": ""}, "Error: GITTERRA_ISOLATION='' is not a level"),
    ],
)
def test_a_level_that_is_no_level_stops_the_server(
    tmp_path: Path, env: dict[str, str], says: str
) -> None:
    with httpx.Client(timeout=60) as client:
        server = new_server(tmp_path, client)
        said = server.start_fails(**env)
        assert says in said
        assert "Traceback" not in said


def test_a_key_file_that_is_no_key_stops_the_server(tmp_path: Path) -> None:
    with httpx.Client(timeout=60) as client:
        server = new_server(tmp_path, client)
        server.data_dir.mkdir(parents=True)
        key = server.data_dir / "secret.key"
        key.write_text("garbage\n")
        key.chmod(0o600)
        said = server.start_fails()
        assert f"Error: {key} is not a Fernet key" in said
        assert "Traceback" not in said
        assert key.read_text() == "garbage\n"  # nothing changed


# -- detection and permissions, in this process ---------------------------------------------


def test_detect_none_and_a_level_that_is_no_level(tmp_path: Path) -> None:
    found = isolation.detect(tmp_path / "data", want="none")
    assert found.level == isolation.NONE
    assert found.command(["true"], cwd=tmp_path, writable=[]) == ["true"]
    assert stat.S_IMODE((tmp_path / "data").stat().st_mode) == 0o700
    with pytest.raises(isolation.IsolationError, match="not a level"):
        isolation.detect(tmp_path / "data", want="chroot")


def test_handing_a_tree_over_never_follows_its_links(tmp_path: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("giving files to another user needs root")
    user = isolation.ensure_user(isolation.RUN_USER)
    found = isolation.Isolation(isolation.USER, tmp_path, user)
    outside = tmp_path / "server-file"
    outside.write_text("the server's")
    tree = tmp_path / "builds" / "src"
    (tree / "sub").mkdir(parents=True)
    (tree / "sub" / "link").symlink_to(outside)
    (tree / "dirlink").symlink_to(tmp_path)
    isolation.hand_over(found, tree)
    assert outside.stat().st_uid == 0
    assert tmp_path.stat().st_uid == 0
    assert (tree / "sub" / "link").lstat().st_uid == user.uid
    assert (tree / "sub").stat().st_uid == user.uid
    assert stat.S_IMODE(tree.stat().st_mode) == 0o700


def test_what_a_user_can_enter(tmp_path: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("making directories of other owners needs root")
    user = isolation.RunUser("u", 4242, 4242, (4242, 5000))
    cases = [
        (0o700, 0, 0, False),
        (0o711, 0, 0, True),
        (0o750, 0, 5000, True),
        (0o740, 0, 5000, False),
        (0o700, 4242, 0, True),
        (0o600, 4242, 0, False),
    ]
    for mode, uid, gid, expected in cases:
        path = tmp_path / f"d{mode:o}-{uid}-{gid}"
        path.mkdir()
        os.chown(path, uid, gid)
        path.chmod(mode)
        assert _perms.can_enter(path, user) == expected, path
    assert not _perms.can_enter(tmp_path / "missing", user)


def test_paths_a_namespace_hides_and_exposes(gates: Path) -> None:
    user = isolation.RunUser("u", 4242, 4242, (4242,))
    closed = gates / "closed"  # gates: a directory everyone may enter, outside /tmp
    (closed / "data").mkdir(parents=True)
    closed.chmod(0o700)
    hidden, _ = _perms.plan_paths(closed / "data", user)
    assert closed in hidden  # the data dir cannot be reached: what holds it is hidden instead
    hidden, _ = _perms.plan_paths(closed / "data", None)
    assert closed / "data" in hidden  # the server's own user reaches its own data dir
    assert Path("/tmp") in hidden


def test_what_confined_python_needs_under_tmp_is_bound_back(
    gates: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A checkout (its .venv, gitterra's source) under /tmp is still there for builds and
    instances, though the namespace's /tmp is an empty tmpfs (the demo from a clone in /tmp
    failed with 'bad interpreter' without it)."""
    venv = Path("/tmp/a-checkout/.venv")
    elsewhere = gates / "open" / ".venv"
    elsewhere.mkdir(parents=True)
    monkeypatch.setattr(_perms, "needed_paths", lambda: [venv, elsewhere])
    user = isolation.RunUser("u", 4242, 4242, (4242,))
    for who in (user, None):
        hidden, exposed = _perms.plan_paths(gates / "data", who)
        assert Path("/tmp") in hidden
        assert venv in exposed
        assert elsewhere not in exposed  # visible already: not hidden, and open to the user


def test_a_level_whose_user_cannot_reach_python_fails_its_probe(
    gates: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Python behind a directory the run user cannot enter (as under /root/.pyenv): the probe
    runs it through a shell, as builds do, so the level fails instead of claiming a barrier
    under which every build would then fail with 'Permission denied'."""
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("switching to the run user needs root and setpriv")
    from gitterra.cloud.isolation import _detect, _model

    closed = gates / "closed-python"
    closed.mkdir()
    (closed / "python").symlink_to(sys.executable)
    closed.chmod(0o700)
    data = gates / "data"
    data.mkdir(mode=0o711)
    user = _detect.ensure_user(_detect.RUN_USER)
    setpriv = shutil.which("setpriv")
    assert setpriv is not None
    level = _model.Isolation(_model.USER, data, user, _model.Tools(setpriv=setpriv))
    monkeypatch.setattr(sys, "executable", str(closed / "python"))
    said = _detect.probe(level)
    assert said is not None
    assert "Permission denied" in said, said
