"""The web service: ``create_app(store, options)`` gives the FastAPI application ``newstrace serve`` runs.

The store is opened by the caller and reaches each request through a dependency (``get_store``); the
engine and the one writer thread live as long as the application; errors are RFC 9457 problems
(JSON under ``/api/``, a page elsewhere).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import resources
from typing import Annotated, Any
from urllib.parse import quote, urlsplit

from fastapi import Depends, FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.exceptions import HTTPException

from newstrace.engine import AnalyzeOptions, LocalEngine
from newstrace.errors import CursorError, NewstraceError, NotFoundError, StoreError
from newstrace.relate import SiteStats
from newstrace.store import Store
from newstrace.web.security import Guard, problem
from newstrace.web.views import site_statistics_of
from newstrace.web.writer import StoryEvents, Writer

API = "/api/v1"
log = logging.getLogger("newstrace.web")


@dataclass(frozen=True)
class ServeOptions:
    """How the service runs.

    Attributes:
        token: the bearer token every write needs (None: the service takes no writes).
        max_body_bytes: the largest request body taken (413 above it).
        max_article_bytes: the largest text or HTML of one posted article (413 above it).
        cors_origins: origins allowed to call the API from a browser (none: CORS off).
        poll_seconds: how often an open story page's event stream looks for writes by other processes.
        max_batch: the most posted articles written in one engine step.
        analyze: the engine's options (one worker: the service runs the stages in its own process).
    """

    token: str | None = None
    max_body_bytes: int = 20_000_000
    max_article_bytes: int = 5_000_000
    cors_origins: tuple[str, ...] = ()
    poll_seconds: float = 2.0
    max_batch: int = 100
    analyze: AnalyzeOptions = field(default_factory=lambda: AnalyzeOptions(workers=1))


def get_store(request: Request) -> Store:
    """The store, for a route (a dependency: the SQLite store gives each thread its own connection)."""
    return request.app.state.store


def get_writer(request: Request) -> Writer:
    return request.app.state.writer


StoreDep = Annotated[Store, Depends(get_store)]
WriterDep = Annotated[Writer, Depends(get_writer)]


class SiteCache:
    """Site statistics read the site of every article; they are kept until articles or relations change."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key: tuple[int, int] | None = None
        self._sites: list[SiteStats] = []

    def get(self, store: Store) -> list[SiteStats]:
        with self._lock:
            key = (store.articles.count(), store.relations.count())
            if key != self._key:
                self._sites, self._key = site_statistics_of(store), key
            return self._sites


def get_sites(request: Request, store: StoreDep) -> list[SiteStats]:
    return request.app.state.sites.get(store)


SitesDep = Annotated[list[SiteStats], Depends(get_sites)]


def _http_url(url: str | None) -> str | None:
    """``url`` when it is an http(s) address, to link to; None for anything else (``javascript:``, say)."""
    return url if url and urlsplit(url.strip()).scheme.lower() in ("http", "https") else None


def templates() -> Environment:
    """The pages' templates: every value is escaped unless a template says otherwise (none does)."""
    environment = Environment(loader=PackageLoader("newstrace.web", "templates"), autoescape=select_autoescape(default=True))
    environment.filters["q"] = lambda value: quote(str(value), safe="")
    environment.filters["http_url"] = _http_url
    environment.filters["pct"] = lambda value: f"{float(value or 0):.0%}"
    environment.filters["utc"] = lambda epoch: (
        datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M:%S UTC") if epoch else "–"
    )
    return environment


def render(request: Request, template: str, data: dict[str, Any], status: int = 200) -> HTMLResponse:
    """A page: ``template`` over ``data``, the dict its ``/api/v1`` twin returns as JSON."""
    page = request.app.state.templates.get_template(template)
    return HTMLResponse(page.render(data=data, path=request.url.path, writable=bool(request.app.state.options.token)), status)


def _error(request: Request, status: int, detail: str, headers: dict[str, str] | None = None, **extra: Any) -> Response:
    """The error as problem+json for the API (and the OpenAPI document), as a page for everything else."""
    if request.url.path.startswith("/api/") or request.url.path == "/openapi.json":
        return problem(status, detail, headers, **extra)
    response = render(request, "problem.html", {"status": status, "detail": detail}, status)
    response.headers.update(headers or {})
    return response


def _install_error_handlers(app: FastAPI) -> None:
    async def http_error(request: Request, error: HTTPException) -> Response:
        return _error(request, error.status_code, str(error.detail), error.headers)

    async def invalid(request: Request, error: RequestValidationError) -> Response:
        errors = jsonable_encoder(error.errors(), exclude={"ctx", "input", "url"})
        reasons = "; ".join(f"{'.'.join(map(str, e.get('loc', ())))}: {e.get('msg')}" for e in errors)
        return _error(request, 422, f"invalid request: {reasons}", errors=errors)

    async def not_found(request: Request, error: NotFoundError) -> Response:
        return _error(request, 404, str(error))

    async def bad_cursor(request: Request, error: CursorError) -> Response:
        return _error(request, 400, str(error))

    async def store_error(request: Request, error: StoreError) -> Response:
        log.error("store error on %s: %s", request.url.path, error)
        return _error(request, 503, str(error))

    async def newstrace_error(request: Request, error: NewstraceError) -> Response:
        return _error(request, 400, str(error))

    async def unexpected(request: Request, error: Exception) -> Response:
        log.exception("unexpected error on %s", request.url.path)
        return _error(request, 500, f"the server failed: {type(error).__name__}; the log has the details")

    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(RequestValidationError, invalid)
    app.add_exception_handler(NotFoundError, not_found)
    app.add_exception_handler(CursorError, bad_cursor)
    app.add_exception_handler(StoreError, store_error)
    app.add_exception_handler(NewstraceError, newstrace_error)
    app.add_exception_handler(Exception, unexpected)


def static_files() -> dict[str, tuple[bytes, str]]:
    """The page's script and style by name: only these are served (no path reaches the file system)."""
    folder = resources.files("newstrace.web") / "static"
    kinds = {".js": "text/javascript", ".css": "text/css"}
    return {
        item.name: (item.read_bytes(), f"{kinds[suffix]}; charset=utf-8")
        for item in folder.iterdir()
        if (suffix := "." + item.name.rpartition(".")[2]) in kinds
    }


def create_app(store: Store, options: ServeOptions | None = None) -> FastAPI:
    """The service over ``store`` (opened and closed by the caller).

    Example:
        >>> from newstrace.store import MemoryStore
        >>> app = create_app(MemoryStore(), ServeOptions(token="secret"))  # then: uvicorn.run(app)
    """
    from newstrace.web.routes import install_routes

    options = options or ServeOptions()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        with LocalEngine(store, options.analyze) as engine:
            app.state.writer = Writer(engine, app.state.events, options.max_batch)
            app.state.writer.start()
            try:
                yield
            finally:
                app.state.writer.stop()

    app = FastAPI(
        title="newstrace",
        summary="Where a news story came from, who copied it, and what they changed on the way.",
        version=_version(),
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.store, app.state.options, app.state.events = store, options, StoryEvents()
    app.state.templates, app.state.static, app.state.sites = templates(), static_files(), SiteCache()
    _install_error_handlers(app)
    install_routes(app)
    if options.cors_origins:
        app.add_middleware(
            CORSMiddleware, allow_origins=list(options.cors_origins), allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type"],
        )
    app.add_middleware(Guard, max_body_bytes=options.max_body_bytes)
    return app


def _version() -> str:
    from newstrace import __version__

    return __version__
