"""The one ASGI application: the local cloud's API (``/api/v1``), documented at
``/openapi.json``. Routes are thin: they validate, call a service, and map ``CloudError`` to the
JSON error shape of docs/cloud-api.md.

Every request passes the guard first (``_guard``: rate and size limits, the presented token
resolved to a principal, the audit record). The API's routes depend on ``authorized``: a
principal is required (401 saying why a token was refused), and a read-only one may only read
(403). ``admin_only`` guards the routes that manage tokens and read the audit log.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from gitterra import __version__
from gitterra.cloud import Cloud, CloudError, tokens
from gitterra.cloud import meta as cloud_meta
from gitterra.server import _auth, _guard, _limits, _routes_audit, _routes_tokens, dashboard
from gitterra.server._auth import TokenCheck

RouteInstaller = Callable[[FastAPI, Cloud, Any], None]

_CODES = {
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    413: "PayloadTooLarge",
    429: "LimitExceeded",
}


def make_app(
    cloud: Cloud,
    admin: TokenCheck,
    installers: list[RouteInstaller],
    limits: _limits.Limits | None = None,
) -> FastAPI:
    """The app for ``cloud``; each installer adds one service's routes. The tokens service is
    registered first (builds mint their tokens from it)."""
    service = tokens.of(cloud)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await cloud.start()
        try:
            yield
        finally:
            await cloud.stop(terminate=True)

    app = FastAPI(
        title="gitterra local cloud",
        version=__version__,
        lifespan=lifespan,
        description="The local cloud's API: see docs/cloud-api.md.",
    )

    app.add_middleware(
        _guard.Guard,
        auth=_auth.Authenticator(admin, service),
        audit=service.audit,
        limits=limits or _limits.Limits(),
    )

    async def authorized(request: Request) -> tokens.Principal:
        try:
            principal = _auth.principal_of(request.scope)
        except tokens.Unauthorized as exc:
            raise HTTPException(status_code=401, detail=exc.message) from exc
        if principal.read_only and request.method not in _guard.SAFE_METHODS:
            raise HTTPException(status_code=403, detail=tokens.READ_ONLY)
        return principal

    async def admin_only(request: Request) -> tokens.Principal:
        principal = await authorized(request)
        if not principal.is_admin:
            raise HTTPException(
                status_code=403, detail="only the admin token manages tokens and reads the audit"
            )
        return principal

    app.state.authorized = authorized
    app.state.admin_only = admin_only

    @app.exception_handler(CloudError)
    async def cloud_error(request: Request, exc: CloudError) -> JSONResponse:
        del request
        return JSONResponse(exc.to_json(), status_code=exc.status)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        del request
        code = _CODES.get(exc.status_code, "Error")
        return JSONResponse(
            {"error": {"code": code, "message": str(exc.detail)}},
            status_code=exc.status_code,
            headers={"WWW-Authenticate": "Bearer"} if exc.status_code == 401 else None,
        )

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        del request
        first = exc.errors()[0] if exc.errors() else {}
        if first.get("type") == "json_invalid":
            message = f"The request body is not valid JSON: {first.get('ctx', {}).get('error', '')}"
            return JSONResponse(
                {"error": {"code": "ValidationError", "message": message.rstrip(": ")}},
                status_code=400,
            )
        loc = [str(p) for p in first.get("loc", ()) if p not in ("body", "query", "path")]
        body = {"code": "ValidationError", "message": str(first.get("msg", "invalid request"))}
        if loc:
            body["field"] = ".".join(loc)
        return JSONResponse({"error": body}, status_code=400)

    _install_meta(app, cloud)
    _routes_tokens.install(app, service, admin_only)
    _routes_audit.install(app, service, admin_only)
    for install in installers:
        install(app, cloud, authorized)
    # The dashboard reads whichever services the installers registered (none is required).
    dashboard.install(app, cloud, admin.allows)
    return app


def _install_meta(app: FastAPI, cloud: Cloud) -> None:
    auth = [Depends(app.state.authorized)]

    @app.get("/api/v1/meta", dependencies=auth, tags=["meta"])
    def get_meta() -> dict[str, Any]:
        # How user code is confined on this system (README "Isolation").
        return {**cloud_meta.meta(cloud.endpoint), "isolation": cloud.isolation.to_json()}

    @app.get("/api/v1/vpcs", dependencies=auth, tags=["ec2"])
    def list_vpcs() -> dict[str, Any]:
        return {"items": cloud_meta.vpcs()}

    @app.get("/api/v1/subnets", dependencies=auth, tags=["ec2"])
    def list_subnets(vpc_id: str | None = None) -> dict[str, Any]:
        return {"items": cloud_meta.subnets(vpc_id)}

    @app.get("/api/v1/images", dependencies=auth, tags=["ec2"])
    def list_images(name: str | None = None, owner: str | None = None) -> dict[str, Any]:
        return {"items": cloud_meta.images(name, owner)}

    @app.get("/api/v1/instance-types", dependencies=auth, tags=["ec2"])
    def list_instance_types() -> dict[str, Any]:
        return {"items": cloud_meta.instance_types()}

    @app.get("/api/v1/events", dependencies=auth, tags=["events"])
    def list_events(since: int = 0, kind: str | None = None) -> dict[str, Any]:
        items = cloud.store.events(since, kind)
        return {"items": items, "next": items[-1]["seq"] if items else since}

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}
