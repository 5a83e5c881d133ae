"""The FastAPI application: JSON API (/api), SPARQL endpoint (/sparql), IRI pages (/id/…), web UI (/).

Every route calls ``api.service.PolicyService``; no query logic lives here.
All errors share one shape: ``{"error": {"code": ..., "message": ...}}``.

    uvicorn --factory api.app:create_app      # or: policykg serve
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from ingest.store import store_location

from .service import PolicyService, QueryError

STATIC = Path(__file__).resolve().parent / "static"


@dataclass(frozen=True)
class Settings:
    store: Path | str                   # a store folder or a sparql+http:// server spec
    sparql_timeout_s: float = 10.0      # a query running longer is stopped (HTTP 503)
    sparql_max_rows: int = 10_000       # SELECT results are cut to this many rows (header says so)

    @classmethod
    def from_env(cls) -> "Settings":
        return cls(
            store=store_location(None),
            sparql_timeout_s=float(os.environ.get("POLICYKG_SPARQL_TIMEOUT", 10.0)),
            sparql_max_rows=int(os.environ.get("POLICYKG_SPARQL_MAX_ROWS", 10_000)),
        )


class FollowTheStore:
    """Live reload: at most once a second, a request has the service look at the store folder's
    generation marker (bumped by every committed graph write and index save, ingest/store.py);
    if it moved, a fresh service (new read-only snapshot, reloaded index) is built in a worker
    thread and swapped in, while requests keep being answered by the current one and requests
    already running finish on the handles they started with (PolicyService.refreshed)."""

    def __init__(self, app):
        self.app = app
        self._pending: set[asyncio.Task] = set()

    async def __call__(self, scope, receive, send):
        owner = scope.get("app")
        if scope["type"] == "http" and owner is not None:
            service = getattr(owner.state, "service", None)
            if service is not None and service.refresh_due():
                task = asyncio.get_running_loop().create_task(self._swap(owner, service))
                self._pending.add(task)
                task.add_done_callback(self._pending.discard)
        await self.app(scope, receive, send)

    @staticmethod
    async def _swap(owner, service) -> None:
        fresh = await run_in_threadpool(service.refreshed)
        if fresh is not service and owner.state.service is service:
            owner.state.service = fresh


def error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings.from_env()
    app = FastAPI(title="policykg", version="0.1.0",
                  description="Knowledge graph and search over Vietnamese policy documents. "
                              "Every fact links to its source lines.")
    app.state.settings = settings
    app.state.service = PolicyService.open(settings.store)
    app.add_middleware(FollowTheStore)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        details = "; ".join(f"{'.'.join(str(p) for p in e['loc'][1:]) or e['loc'][0]}: {e['msg']}"
                            for e in exc.errors())
        return error(422, "invalid_parameter", details or "invalid request")

    @app.exception_handler(QueryError)
    async def query_error(request: Request, exc: QueryError) -> JSONResponse:
        return error(422, "invalid_parameter", str(exc))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        codes = {404: "not_found", 405: "method_not_allowed", 400: "bad_request", 403: "forbidden",
                 406: "not_acceptable", 503: "unavailable", 413: "too_large"}
        return error(exc.status_code, codes.get(exc.status_code, "error"), str(exc.detail))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        return error(500, "internal_error", f"{type(exc).__name__}: {exc}")

    from . import pages, resolver, routes_api, sparql_endpoint

    for module in (routes_api, sparql_endpoint, resolver, pages):
        app.include_router(module.router)
    if STATIC.exists():
        app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app


def service_of(request: Request) -> PolicyService:
    return request.app.state.service
