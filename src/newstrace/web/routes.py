"""The routes: each reads its parameters, calls one function of ``views`` (or the writer) and renders the
result. Every page at a path without the ``/api/v1`` prefix is a template over the JSON of its twin.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import inspect
import json
import re
import tempfile
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, FastAPI, Form, Header, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, RedirectResponse, Response, StreamingResponse
from starlette.exceptions import HTTPException

from newstrace.errors import NotFoundError
from newstrace.model import RawDocument
from newstrace.sources import file_format
from newstrace.sources.readers import sniff_format
from newstrace.store import SQLiteStore, Store
from newstrace.store.base import StoryQuery
from newstrace.watch.state import SQLiteWatchState, StateCounts
from newstrace.web import views
from newstrace.web.app import API, SitesDep, StoreDep, WriterDep, render
from newstrace.web.paging import DEFAULT_LIMIT, MAX_LIMIT
from newstrace.web.posting import POST_ARTICLES_BODY, posted_documents
from newstrace.web.security import bearer, token_refusal
from newstrace.web.writer import Stored, Writer

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"Items a page (at most {MAX_LIMIT}).")]
Cursor = Annotated[str | None, Query(description="The `next` of the page before; leave out for the first page.")]
Day = Annotated[str | None, Query(pattern=r"^(\d{4}-\d{2}-\d{2})?$", description="An ISO date, YYYY-MM-DD.")]
Authorization = Annotated[str | None, Header(description="`Bearer <NEWSTRACE_TOKEN>`: every write needs it.")]


def list_stories(
    store: StoreDep,
    since: Day = None,
    until: Day = None,
    outlet: Annotated[str | None, Query(description="Reported by this outlet.")] = None,
    has_findings: Annotated[Literal["true", "false", ""] | None, Query(description="Only with (or without) findings.")] = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> dict[str, Any]:
    """Stories, latest first, filtered by date, outlet and whether they have findings."""
    with_findings = {"true": True, "false": False}.get(has_findings or "")
    query = StoryQuery(since or None, until or None, outlet or None, with_findings)
    return views.story_list(store, query, limit, cursor)


def get_story(story_id: str, store: StoreDep) -> dict[str, Any]:
    """A story's brief: who reported when, the copy tree, corroborated and single-source statements,
    quotes by speaker, findings."""
    return views.story_view(store, story_id)


def get_relation(relation_id: str, store: StoreDep) -> dict[str, Any]:
    """A relation (``original~copy``): both articles, the aligned passages with their spans, the findings."""
    return views.relation_view(store, relation_id)


def search_articles(
    store: StoreDep,
    q: Annotated[str, Query(description="Words the title or text must all hold (none: every article).")] = "",
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> dict[str, Any]:
    """Full-text search of articles, newest first."""
    return views.article_search(store, q, limit, cursor)


def get_article(article_id: str, store: StoreDep) -> dict[str, Any]:
    """An article with its extraction provenance (what was removed and why), sources, copies and findings."""
    return views.article_view(store, article_id)


def list_sites(sites: SitesDep, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None) -> dict[str, Any]:
    """Sites, the largest share of copied output first."""
    return views.site_list(sites, limit, cursor)


def get_site(host: str, sites: SitesDep) -> dict[str, Any]:
    """A site: the share of its output that is copied, from whom, and who copies it."""
    return views.site_view(sites, host)


def list_findings(
    store: StoreDep,
    kind: Annotated[Literal["name", "number", "quote", ""] | None, Query()] = None,
    severity: Annotated[Literal["alteration", "difference", ""] | None, Query()] = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> dict[str, Any]:
    """Findings (names, numbers and quotes that differ), by article."""
    return views.finding_list(store, kind or None, severity or None, limit, cursor)


def list_watched(store: StoreDep, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None) -> dict[str, Any]:
    """The sources `newstrace watch` follows: each one's last and next poll, new pages and errors."""
    if not isinstance(store, SQLiteStore):  # the watcher keeps its state only in a SQLite store
        return views.watched_sources([], StateCounts(0, 0, 0, 0), limit, cursor)
    state = SQLiteWatchState(store)
    return views.watched_sources(state.statuses(), state.counts(), limit, cursor)


TWINS: list[tuple[str, tuple[str, ...], str, Callable[..., dict[str, Any]]]] = [
    ("/stories", ("/", "/stories"), "stories.html", list_stories),
    ("/stories/{story_id}", ("/stories/{story_id}",), "story.html", get_story),
    ("/relations/{relation_id:path}", ("/relations/{relation_id:path}",), "relation.html", get_relation),
    ("/articles", ("/articles",), "articles.html", search_articles),
    ("/articles/{article_id:path}", ("/articles/{article_id:path}",), "article.html", get_article),
    ("/sites", ("/sites",), "sites.html", list_sites),
    ("/sites/{host}", ("/sites/{host}",), "site.html", get_site),
    ("/findings", ("/findings",), "findings.html", list_findings),
    ("/watch", ("/watch",), "watch.html", list_watched),
]
"""Each read: its API path, the paths of its page, the page's template, and the function both call."""


def _page(endpoint: Callable[..., dict[str, Any]], template: str) -> Callable[..., Response]:
    """The page twin of ``endpoint``: the same parameters, the same dict, rendered by ``template``."""

    def page(request: Request, **parameters: Any) -> Response:
        return render(request, template, endpoint(**parameters))

    signature = inspect.signature(endpoint)
    request = inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=Request)
    page.__signature__ = signature.replace(parameters=[request, *signature.parameters.values()])  # type: ignore[attr-defined]
    page.__name__ = f"{endpoint.__name__}_page"
    return page


def _json(endpoint: Callable[..., dict[str, Any]]) -> Callable[..., Response]:
    """The API form of ``endpoint``: its dict as JSON, written as it is (FastAPI's own encoder and a
    response model would walk every value again in Python: 12.6 ms for a story against 0.8 ms)."""

    def api(**parameters: Any) -> Response:
        return JSONResponse(endpoint(**parameters))

    api.__signature__ = inspect.signature(endpoint).replace(return_annotation=JSONResponse)  # type: ignore[attr-defined]
    api.__name__, api.__doc__ = endpoint.__name__, endpoint.__doc__
    return api


def _require_token(request: Request, given: str | None) -> None:
    refusal = token_refusal(request.app.state.options.token, given)
    if refusal is not None:
        raise refusal


async def _store(writer: Writer, documents: list[RawDocument]) -> Stored:
    return await asyncio.wrap_future(writer.post(documents))


async def post_articles(
    request: Request, store: StoreDep, writer: WriterDep, authorization: Authorization = None,
    url: Annotated[str | None, Query(description="The page's address, for a raw HTML or text body.")] = None,
) -> JSONResponse:
    """Store one article or a batch and bring it through every stage; answers each article's id, story,
    relations and findings as the stages made them (a retry is answered the same), or why it was not stored."""
    _require_token(request, bearer(authorization))
    options = request.app.state.options
    origin = f"api:{uuid.uuid4().hex[:12]}"
    posted = posted_documents(await request.body(), request.headers.get("content-type", ""), url, origin, options.max_article_bytes)
    documents = [item for item in posted.items if isinstance(item, RawDocument)]
    stored = await _store(writer, documents) if documents else Stored([], {})
    ids: list[str | None] = []
    problems: dict[int, str] = {}
    stored_ids = iter(enumerate(stored.ids))
    for index, item in enumerate(posted.items):
        if isinstance(item, str):
            ids.append(None)
            problems[index] = item
            continue
        position, article_id = next(stored_ids)
        ids.append(article_id)
        if article_id is None:
            problems[index] = stored.problems[position]
    if posted.single and ids[0] is None:
        raise HTTPException(422, f"the article was not stored: {problems[0]}")
    return JSONResponse({"articles": await run_in_threadpool(views.posted, store, ids, problems)})


async def post_file(
    request: Request, writer: WriterDep, authorization: Authorization = None,
    name: Annotated[str, Query(description="The file's name: its ending gives the format (.jsonl, .warc, .html, .txt, .rss, .atom, .xml; .gz too).")] = "",
) -> JSONResponse:
    """Analyse a JSON Lines, WARC, HTML, text or feed file in the background: answers the job to follow."""
    _require_token(request, bearer(authorization))
    if file_format(Path(name))[0] is None:
        raise HTTPException(415, f"cannot tell the format of {name!r}: name the file with its ending (.jsonl, .warc, .html, .txt, .rss, .atom, .xml, maybe .gz)")
    folder = Path(tempfile.mkdtemp(prefix="newstrace-upload-"))
    path = folder / (re.sub(r"[^A-Za-z0-9._-]", "_", Path(name).name) or "upload")
    with open(path, "wb") as file:
        async for chunk in request.stream():
            file.write(chunk)
    job = writer.analyze_file(path, name)
    return JSONResponse(job.to_dict(), 202, headers={"Location": f"{API}/jobs/{job.id}"})


def get_job(job_id: str, writer: WriterDep) -> JSONResponse:
    """A file job: queued, running (with its stage and items handled), done (with its report) or failed."""
    job = writer.jobs.get(job_id)
    if job is None:
        raise NotFoundError(f"no job {job_id!r} (jobs are kept while the server runs)")
    return JSONResponse(job.to_dict())


def status(store: StoreDep, request: Request) -> JSONResponse:
    """What the store holds, and whether this server takes writes."""
    return JSONResponse({
        "articles": store.articles.count(),
        "stories": store.stories.count(),
        "relations": store.relations.count(),
        "findings": store.findings.count(),
        "writes": bool(request.app.state.options.token),
    })


def _story_state(store: Store, story_id: str) -> str:
    """A digest of what a story page shows, to notice any change (the story gone too)."""
    try:
        story = store.stories.get(story_id).to_dict()
    except NotFoundError:
        return "gone"
    try:
        brief = store.briefs.get(story_id).to_dict()
    except NotFoundError:
        brief = None
    return hashlib.sha1(json.dumps([story, brief], sort_keys=True).encode()).hexdigest()


async def story_events(story_id: str, request: Request, store: StoreDep) -> StreamingResponse:
    """Server-sent events: a `story` event each time the story changes (a new article joins it, say)."""
    events, poll = request.app.state.events, request.app.state.options.poll_seconds
    before = await run_in_threadpool(_story_state, store, story_id)
    if before == "gone":
        raise NotFoundError(f"no story {story_id!r}")
    queue = events.subscribe(story_id)

    async def stream() -> AsyncIterator[str]:
        nonlocal before
        try:
            yield "retry: 3000\n\n"
            while not await request.is_disconnected():
                # Woken by this server's writes; the timeout also catches other processes' writes.
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(queue.get(), poll)
                now = await run_in_threadpool(_story_state, store, story_id)
                if now != before:
                    before = now
                    yield f"event: story\ndata: {json.dumps({'story': story_id, 'state': now})}\n\n"
                else:
                    yield ": waiting\n\n"
        finally:
            events.unsubscribe(story_id, queue)

    return StreamingResponse(stream(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})


async def paste(
    request: Request, store: StoreDep, writer: WriterDep,
    content: Annotated[str, Form()], url: Annotated[str, Form()] = "", token: Annotated[str, Form()] = "",
) -> Response:
    """The paste box: store a page's HTML or text, then show it with where it came from and what changed."""
    _require_token(request, token or None)
    limit = request.app.state.options.max_article_bytes
    if len(content.encode()) > limit:
        raise HTTPException(413, f"the pasted text is over the limit of {limit:,} bytes an article")
    fmt = "html" if sniff_format(content.encode()[:256]) in ("html", "feed") else "text"
    document = RawDocument(origin=f"paste:{uuid.uuid4().hex[:12]}", body=content, format=fmt, url=url.strip() or None)
    stored = await _store(writer, [document])
    if stored.ids[0] is None:
        raise HTTPException(422, f"nothing could be taken from the pasted text: {stored.problems[0]}")
    return RedirectResponse(f"/articles/{quote(stored.ids[0], safe='')}", 303)


def docs(request: Request) -> Response:
    """The API's reference, from its OpenAPI document, as a page of this service (no script from elsewhere)."""
    return render(request, "docs.html", request.app.openapi())


def static(name: str, request: Request) -> Response:
    """The page's script and style: only the files the service ships, by name."""
    found = request.app.state.static.get(name)
    if found is None:
        raise HTTPException(404, f"no static file {name!r}")
    return Response(found[0], media_type=found[1], headers={"Cache-Control": "no-cache"})


def install_routes(app: FastAPI) -> None:
    """Every route of the service: the API under ``/api/v1``, the pages, the docs and static files."""
    api = APIRouter(prefix=API)
    pages = APIRouter(include_in_schema=False)
    for api_path, page_paths, template, endpoint in TWINS:
        api.get(api_path, summary=(endpoint.__doc__ or "").split("\n")[0].rstrip("."), response_model=None)(_json(endpoint))
        for page_path in page_paths:
            pages.get(page_path)(_page(endpoint, template))
    api.get("/stories/{story_id}/events", response_class=StreamingResponse)(story_events)
    api.post("/articles", openapi_extra=POST_ARTICLES_BODY)(post_articles)
    api.post("/files", status_code=202)(post_file)
    api.get("/jobs/{job_id}")(get_job)
    api.get("/status")(status)
    pages.post("/paste")(paste)
    pages.get("/docs")(docs)
    pages.get("/static/{name}")(static)
    app.include_router(api)
    app.include_router(pages)
