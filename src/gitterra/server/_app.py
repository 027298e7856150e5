"""The one ASGI application: the local cloud's API (``/api/v1``), documented at
``/openapi.json``. Routes are thin: they validate, call a service, and map ``CloudError`` to the
JSON error shape of docs/cloud-api.md."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from gitterra import __version__
from gitterra.cloud import Cloud, CloudError
from gitterra.cloud import meta as cloud_meta
from gitterra.server import dashboard
from gitterra.server._auth import TokenCheck

RouteInstaller = Callable[[FastAPI, Cloud, Any], None]

_bearer = HTTPBearer(auto_error=False)


def make_app(cloud: Cloud, tokens: TokenCheck, installers: list[RouteInstaller]) -> FastAPI:
    """The app for ``cloud``; each installer adds one service's routes."""

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

    def authorized(creds: HTTPAuthorizationCredentials | None = Depends(_bearer)) -> None:  # noqa: B008 - FastAPI's dependency idiom
        if creds is None or not tokens.allows(creds.credentials):
            raise HTTPException(status_code=401, detail="Unauthorized")

    app.state.authorized = authorized

    @app.exception_handler(CloudError)
    async def cloud_error(request: Request, exc: CloudError) -> JSONResponse:
        del request
        return JSONResponse(exc.to_json(), status_code=exc.status)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        del request
        code = (
            "Unauthorized"
            if exc.status_code == 401
            else "NotFound"
            if exc.status_code == 404
            else "Error"
        )
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
    for install in installers:
        install(app, cloud, authorized)
    # The dashboard reads whichever services the installers registered (none is required).
    dashboard.install(app, cloud, tokens.allows)
    return app


def _install_meta(app: FastAPI, cloud: Cloud) -> None:
    auth = [Depends(app.state.authorized)]

    @app.get("/api/v1/meta", dependencies=auth, tags=["meta"])
    def get_meta() -> dict[str, Any]:
        return cloud_meta.meta(cloud.endpoint)

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
