"""The gitterra server: one ASGI application serving the local cloud's API (and, as they land,
webhooks, git smart-HTTP, the state backend endpoint and the dashboard)."""

from gitterra.server._app import RouteInstaller, make_app
from gitterra.server._auth import TokenCheck, ensure_admin_token
from gitterra.server._run import ListenError, Running, parse_listen, serve

__all__ = [
    "ListenError",
    "RouteInstaller",
    "Running",
    "TokenCheck",
    "ensure_admin_token",
    "make_app",
    "parse_listen",
    "serve",
]
