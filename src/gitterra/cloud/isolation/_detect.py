"""Deciding the isolation at start: the run user, bubblewrap, and a probe that tries it.

Each candidate level (best first: ``user+namespace``, ``user`` when the server is root;
``namespace`` when it is not) is prepared (data dir permissions) and then *tried*: a probe runs
under it exactly as user code would, imports gitterra, writes in its own directory and tries
to read the data dir's token, database and key and to list the data dir. The first level whose
probe succeeds and crosses no barrier is the one; when none does, the level is ``none`` and
the reasons are kept for the log. ``GITTERRA_ISOLATION`` (``auto`` or a level) asks for one
level: when that level cannot be had, the server does not start (``IsolationError``).
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import subprocess
import sys
from pathlib import Path

import gitterra
from gitterra.cloud.isolation import _model, _perms

ENV_VAR = "GITTERRA_ISOLATION"
RUN_USER = "gitterra-run"
PROBE_DIR = ".isolation-probe"
_PROBE_TIMEOUT = 60.0

#: Run by the probe as user code runs: sys.argv = [data dir, own directory].
_PROBE = r"""
import os, sys
import gitterra
data, own = sys.argv[1], sys.argv[2]
with open(os.path.join(own, "written"), "w") as fh:
    fh.write("ok")
for name in ("token", "cloud.db", "secret.key"):
    try:
        with open(os.path.join(data, name), "rb") as fh:
            fh.read(1)
    except OSError:
        continue
    print("the data dir's " + name + " is readable")
    sys.exit(3)
try:
    listed = os.listdir(data)
except OSError:
    listed = []
if "token" in listed or "cloud.db" in listed:
    print("the data dir can be listed")
    sys.exit(3)
print("ok")
"""


class IsolationError(Exception):
    """The isolation asked for cannot be had (or ``GITTERRA_ISOLATION`` is not a level)."""


def detect(data_dir: Path, want: str | None = None) -> _model.Isolation:
    """The best isolation this system gives user code (see the module docstring)."""
    wanted = want if want is not None else os.environ.get(ENV_VAR, "auto")
    if wanted not in ("auto", *_model.LEVELS):
        raise IsolationError(
            f"{ENV_VAR}={wanted!r} is not a level: use auto, {', '.join(_model.LEVELS)}"
        )
    notes: list[str] = []
    data_dir.mkdir(parents=True, exist_ok=True)  # what is above it must exist to be judged
    for candidate in _candidates(data_dir, notes):
        if wanted not in ("auto", candidate.level):
            continue
        _perms.prepare_data_dir(candidate)
        problem = probe(candidate)
        if problem is None:
            return _with_reason(candidate, notes)
        notes.append(f"{candidate.level} failed its probe: {problem}")
    if wanted not in ("auto", _model.NONE):
        raise IsolationError(
            f"{ENV_VAR}={wanted}: this system cannot isolate user code that way: "
            + ("; ".join(notes) or "the server does not run as root")
        )
    chosen = _model.Isolation(_model.NONE, data_dir, server_uid=os.geteuid())
    _perms.prepare_data_dir(chosen)
    if wanted == _model.NONE:
        notes.insert(0, f"{ENV_VAR}=none")
    return _with_reason(chosen, notes)


def _with_reason(found: _model.Isolation, notes: list[str]) -> _model.Isolation:
    return _model.Isolation(
        found.level,
        found.data_dir,
        found.user,
        found.tools,
        found.hidden,
        found.exposed,
        "; ".join(notes),
        found.server_uid,
    )


def _candidates(data_dir: Path, notes: list[str]) -> list[_model.Isolation]:
    uid = os.geteuid()
    bwrap, setpriv, env = shutil.which("bwrap"), shutil.which("setpriv"), shutil.which("env")
    if bwrap is None:
        notes.append("bubblewrap (bwrap) is not installed")
    out: list[_model.Isolation] = []
    if uid == 0:
        if setpriv is None:
            notes.append("setpriv (util-linux) is not installed")
            return out
        try:
            user = ensure_user(RUN_USER)
        except IsolationError as exc:
            notes.append(str(exc))
            return out
        if bwrap is not None and env is not None:
            tools = _model.Tools(bwrap, setpriv, env)
            hidden, exposed = _perms.plan_paths(data_dir, user)
            out.append(
                _model.Isolation(_model.USER_NAMESPACE, data_dir, user, tools, hidden, exposed)
            )
        out.append(_model.Isolation(_model.USER, data_dir, user, _model.Tools(setpriv=setpriv)))
    else:
        notes.append(f"the server runs as uid {uid}, not root: no user of its own for user code")
        if bwrap is not None and env is not None:
            tools = _model.Tools(bwrap, "", env)
            hidden, exposed = _perms.plan_paths(data_dir, None)
            out.append(
                _model.Isolation(
                    _model.NAMESPACE, data_dir, None, tools, hidden, exposed, server_uid=uid
                )
            )
    return out


def ensure_user(name: str) -> _model.RunUser:
    """The run user, created (a system user with its own group, no home, no login shell)
    when it does not exist. Raises ``IsolationError``."""
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        _useradd(name)
        try:
            entry = pwd.getpwnam(name)
        except KeyError as exc:
            raise IsolationError(f"user {name} was created but cannot be found") from exc
    groups = tuple(os.getgrouplist(name, entry.pw_gid))
    if entry.pw_uid == 0 or entry.pw_gid == 0 or 0 in groups:
        raise IsolationError(f"user {name} is root or in group root: it cannot confine builds")
    return _model.RunUser(name, entry.pw_uid, entry.pw_gid, groups)


def _useradd(name: str) -> None:
    useradd = shutil.which("useradd") or next(
        (p for p in ("/usr/sbin/useradd", "/sbin/useradd") if os.access(p, os.X_OK)), None
    )
    if useradd is None:
        raise IsolationError(f"user {name} does not exist and there is no useradd to create it")
    argv = [
        *(useradd, "--system", "--user-group", "--no-create-home"),
        *("--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin"),
        *("--comment", "gitterra builds and instances", name),
    ]
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise IsolationError(f"cannot create user {name}: {exc}") from exc
    if done.returncode not in (0, 9):  # 9: it exists (another server made it meanwhile)
        detail = done.stderr.strip() or f"useradd exited {done.returncode}"
        raise IsolationError(f"cannot create user {name}: {detail}")


def probe(isolation: _model.Isolation) -> str | None:
    """Run the probe under ``isolation``; None when it worked and crossed no barrier, else
    what went wrong."""
    own = isolation.data_dir / "builds" / PROBE_DIR
    shutil.rmtree(own, ignore_errors=True)
    try:
        _perms.workspace(isolation, own, [own])
        # Through a shell, as builds run it: a shell's exec checks every directory on the way
        # to the interpreter as the run user (setpriv's own exec was seen to succeed where a
        # build's shell then failed with "Permission denied").
        python = [sys.executable, "-P", "-c", _PROBE, str(isolation.data_dir), str(own)]
        argv = isolation.command(
            ["/bin/sh", "-c", 'exec "$@"', "probe", *python],
            cwd=own,
            writable=[own],
        )
        env = {
            "PATH": os.environ.get("PATH", os.defpath),
            "LANG": "C.UTF-8",
            "PYTHONPATH": source_root(),
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        try:
            done = subprocess.run(
                argv,
                cwd=own,
                env=env,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                timeout=_PROBE_TIMEOUT,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            return f"cannot run {argv[0]}: {exc}"
        if done.returncode == 0 and done.stdout.strip() == "ok":
            return None
        said = (done.stdout + done.stderr).strip().splitlines()
        return f"exit status {done.returncode}: " + (said[-1] if said else "no output")
    finally:
        with contextlib.suppress(OSError):
            shutil.rmtree(own)


def source_root() -> str:
    """The directory gitterra is imported from (on ``PYTHONPATH`` of confined Python)."""
    return str(Path(gitterra.__file__).resolve().parent.parent)
