"""Who the current API call acts for, and the ownership rules the services apply with it.

The server resolves each request's principal and runs the request inside :func:`acting_as`;
services call :func:`stamp` when they create a resource and :func:`check_change` before they
change or delete one. A context variable carries the principal so that the rules live in one
place instead of in every service's signature.

The rules: the admin may do anything; a read-only token changes nothing; a token of project P
stamps ``owner: P`` on what it creates and may change or delete only resources whose owner is
P (everything may be read: plans need reads); it may also only *point* its resources at
resources of P (:func:`check_use`: a group's target groups and launch template, a listener's
target group), so it cannot put its instances behind another project's balancer or launch
another project's user data. Work that is not a request (controllers
reconciling, builds queued by deliveries) acts as the server itself, unrestricted. Tasks that a
request starts inherit its context; the principal is live only until the request ends, so a
controller started by a build's request does not keep acting for it afterwards.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator, MutableMapping
from dataclasses import dataclass
from typing import Any

from gitterra.cloud.tokens._errors import Forbidden
from gitterra.cloud.tokens._principal import READ_ONLY, Principal

#: The field of a resource document naming the project that owns it.
OWNER = "owner"


@dataclass(slots=True)
class _Acting:
    principal: Principal
    live: bool = True


_CURRENT: contextvars.ContextVar[_Acting | None] = contextvars.ContextVar(
    "gitterra_acting", default=None
)


@contextlib.contextmanager
def acting_as(principal: Principal) -> Iterator[None]:
    """Run the block (one request) as ``principal``."""
    holder = _Acting(principal)
    reset = _CURRENT.set(holder)
    try:
        yield
    finally:
        holder.live = False
        _CURRENT.reset(reset)


def current() -> Principal | None:
    """The principal of the request being served; None outside requests (the server itself)."""
    holder = _CURRENT.get()
    return holder.principal if holder is not None and holder.live else None


def _restricted() -> Principal | None:
    principal = current()
    return None if principal is None or principal.is_admin else principal


def stamp(doc: MutableMapping[str, Any]) -> None:
    """Record the caller's project as ``doc``'s owner (a new resource); nothing for the admin."""
    principal = _restricted()
    if principal is None:
        return
    if principal.read_only:
        raise Forbidden(READ_ONLY)
    if principal.project is not None:
        doc[OWNER] = principal.project


def check_change(doc: MutableMapping[str, Any] | dict[str, Any], what: str) -> None:
    """Refuse (403 naming ``what`` and its owner) unless the caller may change ``doc``."""
    _check_owner(doc, what, "change only", None)


def check_use(doc: MutableMapping[str, Any] | dict[str, Any], what: str, field: str) -> None:
    """Refuse (403 at ``field``, naming ``what`` and its owner) unless the caller may point one
    of its resources at ``doc``: the rule of :func:`check_change`, for references."""
    _check_owner(doc, what, "refer only to", field)


def _check_owner(doc: MutableMapping[str, Any], what: str, verb: str, field: str | None) -> None:
    principal = _restricted()
    if principal is None:
        return
    if principal.read_only:
        raise Forbidden(READ_ONLY)
    owner = doc.get(OWNER)
    if owner is None or owner != principal.project:
        by = f"project {owner}" if owner else "the admin (no project)"
        mine = f"project {principal.project}'s" if principal.project else "a project-less token's"
        raise Forbidden(
            f"{what} is owned by {by}: {mine} token may {verb} resources its project created",
            field,
        )


def check_project(project: str, what: str) -> None:
    """Refuse unless the caller acts for ``project`` (or is the admin): starting and stopping
    builds, say."""
    principal = _restricted()
    if principal is None:
        return
    if principal.read_only:
        raise Forbidden(READ_ONLY)
    if principal.project != project:
        mine = f"project {principal.project}" if principal.project else "no project"
        raise Forbidden(f"{what} belongs to project {project}; this token is for {mine}")


def require_admin(what: str) -> None:
    """Refuse unless the caller is the admin (or the server itself)."""
    principal = _restricted()
    if principal is not None:
        raise Forbidden(f"only the admin token may {what}")
