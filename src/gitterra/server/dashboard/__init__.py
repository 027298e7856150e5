"""The dashboard: the server's pages for people, and ``/metrics`` for Prometheus.

Concept: server-rendered HTML (Jinja2 templates, one CSS file, a little vanilla JavaScript),
made in the server process from the services' own reads — the store, the build logs, the
states under ``/state``, the balancer data plane's counters — never through the JSON API.
Pages: ``/`` (overview), ``/projects/<name>``, ``/builds``, ``/builds/<id>`` (the page commit
statuses link to; its log follows the build live), ``/timeline``, ``/infrastructure``,
``/deliveries``, ``/pulls``, ``/audit`` (the audit log, which only the admin may read: only the
admin token opens a session).

Rules:

- Reading only: the dashboard changes nothing but its own sessions.
- A session cookie (from the admin token, :mod:`._session`) opens the pages and nothing else:
  the JSON API and ``/metrics`` keep requiring the bearer token. POST forms carry CSRF tokens.
- Everything shown is escaped: templates autoescape, log text reaches the browser as text
  segments (``textContent``), links are only ever http(s).
- Fast: caches parse each document once (:mod:`._index`); a page renders in milliseconds with
  a thousand builds (benchmarks/dashboard.py).
- No external assets: everything is served by the server itself (the machine may have no
  network).

Errors (answered as pages, never as the API's JSON)::

    DashboardError
     ├── LoginRequired   no valid session: a redirect to /login (401 for the live stream)
     └── PageError       a bad query parameter (400) or an unknown object (404), named
"""

from gitterra.server.dashboard._errors import DashboardError, LoginRequired, PageError
from gitterra.server.dashboard._routes import install

__all__ = ["DashboardError", "LoginRequired", "PageError", "install"]
