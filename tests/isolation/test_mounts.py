"""The namespace's mounts and the wrapped command lines, as data (no process is started)."""

from __future__ import annotations

from pathlib import Path

import pytest

from gitterra.cloud import isolation
from gitterra.cloud.isolation import _mounts

P = Path
BASE = _mounts.bwrap_args((), (), ())


def ops(args: list[str]) -> list[tuple[str, ...]]:
    """bwrap's arguments after the fixed base, grouped as (option, operands...)."""
    rest = args[len(BASE) :]
    arity = {"--perms": 1, "--tmpfs": 1, "--dir": 1, "--bind": 2, "--ro-bind": 2}
    out, i = [], 0
    while i < len(rest):
        n = arity[rest[i]]
        out.append(tuple(rest[i : i + 1 + n]))
        i += 1 + n
    return out


CASES = [
    pytest.param(
        [P("/tmp"), P("/srv/data")],
        [],
        [P("/srv/data/builds/p/u/src")],
        [
            ("--perms", "1777"),
            ("--tmpfs", "/tmp"),
            ("--perms", "0755"),
            ("--tmpfs", "/srv/data"),
            ("--perms", "0755"),
            ("--dir", "/srv/data/builds"),
            ("--perms", "0755"),
            ("--dir", "/srv/data/builds/p"),
            ("--perms", "0755"),
            ("--dir", "/srv/data/builds/p/u"),
            ("--bind", "/srv/data/builds/p/u/src", "/srv/data/builds/p/u/src"),
        ],
        id="the data dir hidden, the workspace bound back with the directories to it",
    ),
    pytest.param(
        [P("/tmp"), P("/tmp/x/data")],
        [],
        [P("/tmp/x/data/i-1")],
        [
            ("--perms", "1777"),
            ("--tmpfs", "/tmp"),
            ("--perms", "0755"),
            ("--dir", "/tmp/x"),
            ("--perms", "0755"),
            ("--dir", "/tmp/x/data"),
            ("--bind", "/tmp/x/data/i-1", "/tmp/x/data/i-1"),
        ],
        id="a data dir in /tmp is hidden with it",
    ),
    pytest.param(
        [P("/tmp"), P("/srv/d"), P("/root")],
        [P("/root/.pyenv/versions/3.11.7"), P("/usr/lib/python3")],
        [P("/srv/d/builds/p/u/src"), P("/srv/d/builds/p/u/home"), P("/tmp/gitterra-build-x")],
        [
            ("--perms", "0755"),
            ("--tmpfs", "/root"),
            ("--perms", "1777"),
            ("--tmpfs", "/tmp"),
            ("--perms", "0755"),
            ("--tmpfs", "/srv/d"),
            ("--bind", "/tmp/gitterra-build-x", "/tmp/gitterra-build-x"),
            ("--perms", "0755"),
            ("--dir", "/root/.pyenv"),
            ("--perms", "0755"),
            ("--dir", "/root/.pyenv/versions"),
            ("--ro-bind", "/root/.pyenv/versions/3.11.7", "/root/.pyenv/versions/3.11.7"),
            ("--perms", "0755"),
            ("--dir", "/srv/d/builds"),
            ("--perms", "0755"),
            ("--dir", "/srv/d/builds/p"),
            ("--perms", "0755"),
            ("--dir", "/srv/d/builds/p/u"),
            ("--bind", "/srv/d/builds/p/u/home", "/srv/d/builds/p/u/home"),
            ("--bind", "/srv/d/builds/p/u/src", "/srv/d/builds/p/u/src"),
        ],
        id="exposed Python under a hidden /root; exposed paths already visible need no bind",
    ),
    pytest.param(
        [P("/tmp"), P("/srv/d")],
        [],
        [P("/work/site")],
        [
            ("--perms", "1777"),
            ("--tmpfs", "/tmp"),
            ("--perms", "0755"),
            ("--tmpfs", "/srv/d"),
            ("--bind", "/work/site", "/work/site"),
        ],
        id="a writable path outside hidden ones is bound read-write over the read-only view",
    ),
]


@pytest.mark.parametrize(("hidden", "exposed", "writable", "expected"), CASES)
def test_bwrap_args(
    hidden: list[Path], exposed: list[Path], writable: list[Path], expected: list[tuple[str, ...]]
) -> None:
    args = _mounts.bwrap_args(hidden, exposed, writable)
    assert args[: len(BASE)] == BASE
    assert ops(args) == expected


def test_the_base_hides_processes_and_makes_the_system_read_only() -> None:
    assert BASE[:2] == ["--unshare-pid", "--unshare-ipc"]
    assert BASE[2:5] == ["--ro-bind", "/", "/"]
    assert "--die-with-parent" not in BASE  # instances outlive the server


def test_outermost() -> None:
    assert _mounts.outermost([P("/a/b"), P("/a"), P("/c"), P("/a/b/c"), P("/ab")]) == [
        P("/a"),
        P("/ab"),
        P("/c"),
    ]


USER = isolation.RunUser("gitterra-run", 990, 985, (985, 4000))
TOOLS = isolation.Tools("/usr/bin/bwrap", "/usr/bin/setpriv", "/usr/bin/env")


def level(name: str) -> isolation.Isolation:
    user = USER if name in (isolation.USER_NAMESPACE, isolation.USER) else None
    return isolation.Isolation(
        name, P("/srv/d"), user, TOOLS, (P("/tmp"), P("/srv/d")), (), server_uid=1000
    )


def test_commands_by_level() -> None:
    argv = ["bash", "-c", "id"]
    cwd, own = P("/srv/d/builds/p/u/src"), [P("/srv/d/builds/p/u/src")]
    full = level(isolation.USER_NAMESPACE).command(argv, cwd=cwd, writable=own)
    assert full[:3] == ["/usr/bin/env", "--ignore-signal=TERM,INT,HUP", "/usr/bin/bwrap"]
    chdir = full.index("--chdir")
    assert full[chdir : chdir + 3] == ["--chdir", str(cwd), "--"]
    assert full[chdir + 3 :] == [
        *("/usr/bin/setpriv", "--reuid=990", "--regid=985", "--groups=985,4000"),
        *("--no-new-privs", "--"),
        *("/usr/bin/env", "--default-signal=TERM,INT,HUP", "bash", "-c", "id"),
    ]
    user = level(isolation.USER).command(argv, cwd=cwd, writable=own)
    assert user == [
        *("/usr/bin/setpriv", "--reuid=990", "--regid=985", "--groups=985,4000"),
        *("--no-new-privs", "--", "bash", "-c", "id"),
    ]
    namespace = level(isolation.NAMESPACE).command(argv, cwd=cwd, writable=own)
    assert "/usr/bin/setpriv" not in namespace
    assert namespace[-5:] == ["/usr/bin/env", "--default-signal=TERM,INT,HUP", "bash", "-c", "id"]
    assert level(isolation.NONE).command(argv, cwd=cwd, writable=own) == argv


def test_a_user_without_extra_groups_keeps_none() -> None:
    alone = isolation.RunUser("r", 990, 985, ())
    found = isolation.Isolation(isolation.USER, P("/d"), alone, TOOLS)
    assert "--clear-groups" in found.command(["true"], cwd=P("/d"), writable=[])


@pytest.mark.parametrize(
    ("name", "says", "barriers"),
    [
        (isolation.USER_NAMESPACE, "as gitterra-run (uid 990) in a bubblewrap mount", 4),
        (isolation.USER, "share that user", 1),
        (isolation.NAMESPACE, "as the server's own user (uid 1000) in a bubblewrap", 4),
        (isolation.NONE, "NO ISOLATION", 0),
    ],
)
def test_what_each_level_says(name: str, says: str, barriers: int) -> None:
    found = level(name)
    assert found.describe().startswith(f"isolation {name}: ")
    assert says in found.describe()
    assert "/srv/d" in found.describe()
    shown = found.to_json()
    assert shown["level"] == name
    assert len(shown["barriers"]) == barriers == len(isolation.BARRIERS[name])
    assert shown["namespace"] == (name in (isolation.USER_NAMESPACE, isolation.NAMESPACE))
    assert (shown["user"] is None) == (name in (isolation.NAMESPACE, isolation.NONE))
