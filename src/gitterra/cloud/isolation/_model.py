"""What isolation the running system achieved, and the command lines that apply it (pure).

An :class:`Isolation` is decided once at start (``_detect``) and then only builds argument
lists: :meth:`Isolation.command` wraps the argv of user code (a build's shell, an instance's
runner) so that it runs confined. Nothing here touches the system.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gitterra.cloud.isolation import _mounts

#: The levels, best first.
USER_NAMESPACE = "user+namespace"
USER = "user"
NAMESPACE = "namespace"
NONE = "none"
LEVELS = (USER_NAMESPACE, USER, NAMESPACE, NONE)

#: What each level keeps user code from (the tests try to cross each of these).
BARRIERS: dict[str, tuple[str, ...]] = {
    USER_NAMESPACE: (
        "data-dir",  # the token, the database, the key: not readable, not even listed
        "other-workspaces",  # other builds' workspaces and other instances' directories
        "server-processes",  # other processes (their environment, /proc/<pid>/root)
        "read-only-system",  # nothing outside its own directories and a private /tmp is writable
    ),
    USER: ("data-dir",),
    NAMESPACE: ("data-dir", "other-workspaces", "server-processes", "read-only-system"),
    NONE: (),
}

#: Signals the outer bwrap must not die of: they are meant for the confined process, which the
#: server reaches through the process group. The confined command gets them back (``env``).
_FORWARDED = "TERM,INT,HUP"


@dataclass(frozen=True, slots=True)
class RunUser:
    """The unprivileged user that user code runs as."""

    name: str
    uid: int
    gid: int
    groups: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Tools:
    """Absolute paths of the programs a level needs (empty: not used)."""

    bwrap: str = ""
    setpriv: str = ""
    env: str = ""


@dataclass(frozen=True, slots=True)
class Isolation:
    """The achieved level (see the package docstring) and what applying it needs.

    ``hidden`` are the directories replaced by an empty tmpfs in the namespace (the data dir,
    ``/tmp``, and directories the run user cannot enter that hold what it needs); ``exposed``
    are the read-only paths user code needs (the Python installation, gitterra) that lie in
    hidden directories. ``reason`` says why no stronger level was achieved.
    """

    level: str
    data_dir: Path
    user: RunUser | None = None
    tools: Tools = field(default_factory=Tools)
    hidden: tuple[Path, ...] = ()
    exposed: tuple[Path, ...] = ()
    reason: str = ""
    server_uid: int = 0

    @property
    def namespace(self) -> bool:
        return self.level in (USER_NAMESPACE, NAMESPACE)

    @property
    def barriers(self) -> tuple[str, ...]:
        return BARRIERS[self.level]

    def command(self, argv: Sequence[str], *, cwd: Path, writable: Sequence[Path]) -> list[str]:
        """``argv`` wrapped so that it runs confined, in ``cwd``, able to write ``writable``
        (and, in a namespace, a private ``/tmp``). Level ``none`` returns ``argv`` itself."""
        out: list[str] = []
        if self.namespace:
            out += [self.tools.env, f"--ignore-signal={_FORWARDED}", self.tools.bwrap]
            out += _mounts.bwrap_args(self.hidden, self.exposed, writable)
            out += ["--chdir", str(cwd), "--"]
        if self.user is not None:
            out += _setpriv(self.tools.setpriv, self.user)
        if self.namespace:
            out += [self.tools.env, f"--default-signal={_FORWARDED}"]
        return [*out, *argv]

    def describe(self) -> str:
        """One line for the log and the API: what holds, what does not, and why."""
        data = str(self.data_dir)
        who = (
            f"as {self.user.name} (uid {self.user.uid})"
            if self.user
            else f"as the server's own user (uid {self.server_uid})"
        )
        if self.level == USER_NAMESPACE:
            text = (
                f"user code (buildspec commands, instance user data) runs {who} in a bubblewrap "
                f"mount, pid and ipc namespace: the data dir {data} is an empty tmpfs there but "
                "for the build's workspace or the instance's directory, other processes are "
                "invisible, the rest of the file system is read-only, /tmp is private"
            )
        elif self.level == USER:
            text = (
                f"user code runs {who}: the data dir {data} is not listable (0711) and its "
                "token, database and key are readable by the server only; builds and instances "
                "of every project share that user, so while they run they can reach each "
                "other's files and processes (install bubblewrap for namespaces: "
                "scripts/install-sandbox)"
            )
        elif self.level == NAMESPACE:
            text = (
                f"user code runs {who} in a bubblewrap mount, pid and ipc namespace: the data "
                f"dir {data} is an empty tmpfs there but for its own directory; the server's "
                "user's other files stay readable to it (run the server as root to get a "
                "dedicated user)"
            )
        else:
            text = (
                f"NO ISOLATION: user code runs {who} and can read the data dir {data}: the "
                "admin token, the database and the key of the secrets (run the server as "
                "root, and install bubblewrap: scripts/install-sandbox)"
            )
        reason = f" [{self.reason}]" if self.reason else ""
        return f"isolation {self.level}: {text}{reason}"

    def to_json(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "user": None if self.user is None else {"name": self.user.name, "uid": self.user.uid},
            "namespace": self.namespace,
            "barriers": list(self.barriers),
            "description": self.describe(),
            "reason": self.reason,
        }


def _setpriv(setpriv: str, user: RunUser) -> list[str]:
    """Become ``user`` for good: real, effective and saved ids, its groups only, and no way
    back up through set-user-id programs (``--no-new-privs``)."""
    groups = [str(g) for g in dict.fromkeys(user.groups) if g != 0]
    group_arg = f"--groups={','.join(groups)}" if groups else "--clear-groups"
    return [
        setpriv,
        f"--reuid={user.uid}",
        f"--regid={user.gid}",
        group_arg,
        "--no-new-privs",
        "--",
    ]
