"""ALB redirect actions: the ``Location`` a request is sent to (pure).

Every component (protocol, host, port, path, query) may use the reserved keywords
``#{protocol}``, ``#{host}``, ``#{port}``, ``#{path}`` (the request path without its leading
``/``) and ``#{query}`` (without ``?``). The port is left out when it is the protocol's default,
the ``?`` when the query is empty.
"""

from __future__ import annotations

from gitterra.cloud.elb.dataplane import _model

_DEFAULT_PORTS = {"http": "80", "https": "443"}


def location(
    action: _model.RedirectAction, *, host: str, port: int, target: str, protocol: str = "http"
) -> str:
    """The ``Location`` for a request to ``target`` (path and query) with ``Host: host``."""
    path, _, query = target.partition("?")
    values = {
        "#{protocol}": protocol,
        "#{host}": _strip_port(host),
        "#{port}": str(port),
        "#{path}": path.removeprefix("/"),
        "#{query}": query,
    }

    def fill(template: str) -> str:
        for key, value in values.items():
            template = template.replace(key, value)
        return template

    proto = fill(action.protocol).lower()
    new_host = fill(action.host)
    new_port = fill(action.port)
    new_path = fill(action.path)
    new_query = fill(action.query)
    authority = new_host if _DEFAULT_PORTS.get(proto) == new_port else f"{new_host}:{new_port}"
    if not new_path.startswith("/"):
        new_path = "/" + new_path
    return f"{proto}://{authority}{new_path}" + (f"?{new_query}" if new_query else "")


def _strip_port(host: str) -> str:
    if host.startswith("["):  # an IPv6 literal: [::1]:8080
        return host[: host.find("]") + 1] if "]" in host else host
    return host.rpartition(":")[0] if host.count(":") == 1 else host
