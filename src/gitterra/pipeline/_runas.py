"""``run-as``: which user the build shell runs as, decided before anything runs.

The build has one shell, so every phase that has commands must run as the same user (the
phase's ``run-as``, else the buildspec's). Switching to that user needs the runner to be root;
when it is not, or the user does not exist, the build is refused (``RunAsError``) rather than run
as someone else. Naming the runner's own user needs no switch.
"""

from __future__ import annotations

import os
import pwd
from dataclasses import dataclass

from gitterra.pipeline import _errors, _model, _shell


@dataclass(frozen=True, slots=True)
class RunAs:
    """The user to switch to: its identity and the variables a login would set."""

    name: str
    identity: _shell.Identity
    home: str

    def env(self) -> dict[str, str]:
        return {"HOME": self.home, "USER": self.name, "LOGNAME": self.name}


def resolve(spec: _model.Buildspec, service_user: str | None = None) -> RunAs | None:
    """The user to switch to, or None to run as the runner's own user.

    ``service_user`` is the user the build service runs every build as (so that builds cannot
    read the server's files); a buildspec may then only name that user.
    """
    users = {p.run_as or spec.run_as for p in spec.phases if p.commands or p.finally_commands}
    if len(users) > 1:
        shown = ", ".join(sorted(u or "the runner's user" for u in users))
        raise _errors.RunAsError(
            f"the phases run as different users ({shown}); gitterra runs the whole build in "
            "one shell, so all phases must run as the same user"
        )
    user = users.pop() if users else spec.run_as
    if service_user is not None:
        if user is not None and user != service_user:
            raise _errors.RunAsError(
                f'run-as user "{user}" is not allowed: this build service runs builds as '
                f'"{service_user}"'
            )
        user = service_user
    if user is None:
        return None
    try:
        entry = pwd.getpwnam(user)
    except KeyError as exc:
        raise _errors.RunAsError(f'run-as user "{user}" does not exist on this machine') from exc
    euid = os.geteuid()
    if entry.pw_uid == euid:
        return None
    if euid != 0:
        raise _errors.RunAsError(
            f'run-as user "{user}" needs the build service to run as root to switch users; '
            f"it runs as uid {euid}"
        )
    groups = tuple(os.getgrouplist(user, entry.pw_gid))
    return RunAs(user, _shell.Identity(entry.pw_uid, entry.pw_gid, groups), entry.pw_dir)
