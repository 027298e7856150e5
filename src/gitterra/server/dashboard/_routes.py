"""The dashboard's HTTP side: login and logout, the pages, the live log stream, ``/metrics``
and the static files.

Every page needs a session (:mod:`._session`); without one it redirects to ``/login?next=``.
Pages are rendered from templates with autoescaping on; responses carry a Content Security
Policy that allows only this server's own scripts and styles (inline ``style`` attributes
aside: phase bars are sized with them). ``/metrics`` takes the bearer token like the API.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import parse_qs, quote

import jinja2
from fastapi import Depends, FastAPI, Request, Response
from fastapi.responses import (
    FileResponse,
    HTMLResponse,
    PlainTextResponse,
    RedirectResponse,
    StreamingResponse,
)
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from gitterra.cloud import Cloud, ValidationError
from gitterra.server.dashboard import (
    _audit,
    _fmt,
    _live,
    _metrics,
    _pages,
    _params,
    _rates,
    _session,
)
from gitterra.server.dashboard._context import Context
from gitterra.server.dashboard._errors import LoginRequired, PageError

HERE = Path(__file__).parent
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; style-src-attr 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
NAV = (
    ("/", "Overview"),
    ("/builds", "Builds"),
    ("/timeline", "Timeline"),
    ("/infrastructure", "Infrastructure"),
    ("/deliveries", "Deliveries"),
    ("/pulls", "Pull requests"),
    ("/audit", "Audit"),
)
#: The most a login form body may be.
FORM_LIMIT = 8192


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(_fmt.FILTERS)
    return env


class Dashboard:
    """The routes' shared parts: the page context, sessions and templates."""

    def __init__(self, cloud: Cloud, allows: Callable[[str | None], bool]) -> None:
        self.ctx = Context(cloud)
        self.sessions = _session.Sessions(allows)
        self.templates = Jinja2Templates(env=environment())

    def page(
        self,
        request: Request,
        name: str,
        context: dict[str, Any],
        session: _session.Session | None,
        status: int = 200,
        headers: dict[str, str] | None = None,
    ) -> HTMLResponse:
        started = time.perf_counter()
        full = {
            "nav": NAV,
            "active": "/" + request.url.path.strip("/").split("/")[0],
            "csrf": session.csrf if session else "",
            **context,
        }
        html = self.templates.get_template(name).render(request=request, **full)
        took = f"{(time.perf_counter() - started) * 1000:.1f}"
        return HTMLResponse(
            html,
            status_code=status,
            headers={**HEADERS, "Server-Timing": f"render;dur={took}", **(headers or {})},
        )

    def session(self, request: Request) -> _session.Session:
        """The request's session (a page dependency): else the login redirect."""
        found = self.sessions.get(request.cookies.get(_session.COOKIE))
        if found is None:
            query = f"?{request.url.query}" if request.url.query else ""
            raise LoginRequired(request.url.path + query)
        self.ctx.refresh()
        return found


async def _session_of(request: Request) -> _session.Session:
    dash: Dashboard = request.app.state.dashboard
    return dash.session(request)


#: A page's parameter: its session (the dependency redirects to /login without one).
Auth = Annotated[_session.Session, Depends(_session_of)]


def install(app: FastAPI, cloud: Cloud, allows: Callable[[str | None], bool]) -> None:
    """Add the dashboard to ``app`` (and its balancer sampler to ``cloud``)."""
    dash = Dashboard(cloud, allows)
    app.state.dashboard = dash
    ctx = dash.ctx
    cloud.register(_rates.Sampler(ctx.history, ctx.metrics, time.monotonic, warm=ctx.refresh))
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="dashboard-static")
    _errors(app, dash)
    _login(app, dash)
    _pages_routes(app, dash)
    _build_routes(app, dash)

    @app.get("/metrics", dependencies=[Depends(app.state.authorized)], tags=["metrics"])
    async def metrics() -> Response:
        """The server's figures in Prometheus' text format (bearer token required)."""
        return Response(_metrics.render(dash.ctx), media_type=_metrics.CONTENT_TYPE)


def _errors(app: FastAPI, dash: Dashboard) -> None:
    async def login_required(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, LoginRequired)
        target = "/login?next=" + quote(exc.next_path, safe="/")
        if request.url.path.endswith("/events"):
            return PlainTextResponse("log in first", status_code=401, headers=HEADERS)
        return RedirectResponse(target, status_code=303, headers=HEADERS)

    async def page_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, PageError)
        session = dash.sessions.get(request.cookies.get(_session.COOKIE))
        context = {"status": exc.status, "message": exc.message, "parameter": exc.parameter}
        return dash.page(request, "error.html", context, session, exc.status)

    app.add_exception_handler(LoginRequired, login_required)
    app.add_exception_handler(PageError, page_error)


def _login(app: FastAPI, dash: Dashboard) -> None:
    @app.get("/login", include_in_schema=False)
    async def login_form(request: Request) -> Response:
        target = _session.local_path(request.query_params.get("next"))
        if dash.sessions.get(request.cookies.get(_session.COOKIE)) is not None:
            return RedirectResponse(target, status_code=303, headers=HEADERS)
        if request.headers.get("sec-fetch-site") == "cross-site" and not request.query_params.get(
            "bounced"
        ):
            # A link from another site (a commit status) arrives without the SameSite=Strict
            # cookie; one same-site hop lets the browser send it, so a session is not asked
            # to log in again.
            again = f"/login?bounced=1&next={quote(target, safe='/')}"
            return dash.page(request, "bounce.html", {"again": again}, None)
        return _login_page(request, dash, target, "", 200)

    @app.post("/login", include_in_schema=False)
    async def login(request: Request) -> Response:
        form = await _form(request)
        target = _session.local_path(form.get("next"))
        if not _session.same(request.cookies.get(_session.LOGIN_COOKIE), form.get("csrf")):
            message = "The login form expired or was sent from elsewhere: log in again."
            return _login_page(request, dash, target, message, 400)
        sid = dash.sessions.login(form.get("token", "").strip())
        if sid is None:
            return _login_page(request, dash, target, "That is not the server's token.", 401)
        response = RedirectResponse(target, status_code=303, headers=HEADERS)
        _set_cookie(request, response, _session.COOKIE, sid, path="/")
        response.delete_cookie(
            _session.LOGIN_COOKIE, path="/login", httponly=True, samesite="strict"
        )
        return response

    @app.post("/logout", include_in_schema=False)
    async def logout(request: Request) -> Response:
        sid = request.cookies.get(_session.COOKIE)
        found = dash.sessions.get(sid)
        form = await _form(request)
        if found is not None and not _session.same(found.csrf, form.get("csrf")):
            raise PageError(400, "the logout form was not sent from this dashboard", "csrf")
        dash.sessions.logout(sid)
        response = RedirectResponse("/login", status_code=303, headers=HEADERS)
        response.delete_cookie(_session.COOKIE, path="/", httponly=True, samesite="strict")
        return response


def _login_page(
    request: Request, dash: Dashboard, target: str, error: str, status: int
) -> HTMLResponse:
    token = _session.new_form_token()
    context = {"next": target, "error": error, "form_token": token}
    response = dash.page(request, "login.html", context, None, status)
    _set_cookie(request, response, _session.LOGIN_COOKIE, token, "/login", _session.LOGIN_FORM_AGE)
    return response


def _set_cookie(
    request: Request, response: Response, name: str, value: str, path: str, age: int | None = None
) -> None:
    response.set_cookie(
        name,
        value,
        max_age=age,
        path=path,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )


async def _form(request: Request) -> dict[str, str]:
    """An url-encoded form body (the dashboard's forms are small)."""
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > FORM_LIMIT:
            raise PageError(413, f"the form is larger than {FORM_LIMIT} bytes")
    try:
        parsed = parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=20)
    except (UnicodeDecodeError, ValueError) as exc:
        raise PageError(400, f"the form is not url-encoded text: {exc}") from exc
    return {k: v[0] for k, v in parsed.items()}


def _pages_routes(app: FastAPI, dash: Dashboard) -> None:
    @app.get("/", include_in_schema=False)
    async def overview(request: Request, session: Auth) -> HTMLResponse:
        return dash.page(request, "overview.html", _pages.overview(dash.ctx), session)

    @app.get("/projects/{name}", include_in_schema=False)
    async def project(request: Request, name: str, session: Auth) -> HTMLResponse:
        return dash.page(request, "project.html", _pages.project(dash.ctx, name), session)

    @app.get("/builds", include_in_schema=False)
    async def builds(request: Request, session: Auth) -> HTMLResponse:
        q = _params.Query(request.query_params)
        context = _pages.builds(dash.ctx, q.text("project"), q.status(), q.limit())
        return dash.page(request, "builds.html", context, session)

    @app.get("/timeline", include_in_schema=False)
    async def timeline(request: Request, session: Auth) -> HTMLResponse:
        return dash.page(request, "timeline.html", _pages.timeline(dash.ctx), session)

    @app.get("/infrastructure", include_in_schema=False)
    async def infrastructure(request: Request, session: Auth) -> HTMLResponse:
        return dash.page(request, "infrastructure.html", _pages.infrastructure(dash.ctx), session)

    @app.get("/deliveries", include_in_schema=False)
    async def deliveries(request: Request, session: Auth) -> HTMLResponse:
        q = _params.Query(request.query_params)
        context = _pages.deliveries(dash.ctx, q.text("project"), q.limit())
        return dash.page(request, "deliveries.html", context, session)

    @app.get("/pulls", include_in_schema=False)
    async def pulls(request: Request, session: Auth) -> HTMLResponse:
        return dash.page(request, "pulls.html", _pages.pulls(dash.ctx), session)

    @app.get("/audit", include_in_schema=False)
    async def audit(request: Request, session: Auth) -> HTMLResponse:
        # A session is the admin's (only the admin token opens one), as /api/v1/audit asks.
        q = _params.Query(request.query_params)
        filters = _audit.Filters(q.actor(), q.text("project"), q.outcome())
        before, after = q.cursor()
        context = _audit.page(dash.ctx, filters, before, after, q.limit())
        return dash.page(request, "audit.html", context, session)


def _build_routes(app: FastAPI, dash: Dashboard) -> None:
    @app.get("/builds/{build_id}", include_in_schema=False)
    async def build(request: Request, build_id: str, session: Auth) -> HTMLResponse:
        return dash.page(request, "build.html", _pages.build(dash.ctx, build_id), session)

    @app.get("/builds/{build_id}/log.txt", include_in_schema=False)
    async def build_log(build_id: str, session: Auth) -> Response:
        del session
        doc = _pages.find_build(dash.ctx, build_id)
        path = dash.ctx.log_path(doc)
        if not path.exists():
            return Response(b"", media_type="text/plain; charset=utf-8", headers=HEADERS)
        return FileResponse(path, media_type="text/plain; charset=utf-8", headers=HEADERS)

    @app.get("/builds/{build_id}/events", include_in_schema=False)
    async def build_events(request: Request, build_id: str, session: Auth) -> Response:
        del session
        doc = _pages.find_build(dash.ctx, build_id)
        svc = dash.ctx.codebuild
        assert svc is not None  # find_build found the build: the service is there
        q = _params.Query(request.query_params)
        offset = q.offset(request.headers.get("last-event-id"))
        try:
            svc.logs.read(dash.ctx.log_path(doc), offset, 1)
        except ValidationError as exc:
            raise PageError(400, exc.message, "offset") from exc
        return StreamingResponse(
            _live.follow(dash.ctx, svc, doc, offset),
            media_type="text/event-stream",
            headers={**HEADERS, "X-Accel-Buffering": "no"},
        )
