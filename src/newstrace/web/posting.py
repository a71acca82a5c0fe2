"""Articles posted to the service, as the documents ingest takes: JSON (one article, a list, or
``{"articles": [...]}``, each as a JSON line of the ``.jsonl`` format), raw HTML or plain text with its url.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from starlette.exceptions import HTTPException

from newstrace.errors import InputError
from newstrace.model import DocumentFormat, RawDocument
from newstrace.sources.decode import decode_bytes
from newstrace.sources.readers import SourceOptions, document_from_json, valid_json

ARTICLE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "One article, as a line of the .jsonl input format: 'text' or 'html' is needed; "
    "other fields are kept as metadata. An article with the same id and the same text as a stored one "
    "is the stored one (a retry); the same id with other text is refused.",
    "properties": {
        "id": {"type": "string"},
        "url": {"type": "string"},
        "title": {"type": "string"},
        "date": {"type": "string", "description": "ISO date or date-time"},
        "outlet": {"type": "string"},
        "authors": {"oneOf": [{"type": "array", "items": {"type": "string"}}, {"type": "string"}]},
        "text": {"type": "string"},
        "html": {"type": "string"},
    },
}
POST_ARTICLES_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "oneOf": [
                        ARTICLE_SCHEMA,
                        {"type": "array", "items": ARTICLE_SCHEMA},
                        {"type": "object", "properties": {"articles": {"type": "array", "items": ARTICLE_SCHEMA}}},
                    ]
                }
            },
            "text/html": {"schema": {"type": "string", "description": "a page; give its address as ?url="}},
            "text/plain": {"schema": {"type": "string", "description": "an article's text; a first short line is its title"}},
        },
    }
}


@dataclass(frozen=True)
class Posted:
    """The posted articles, in order: a document to store, or the reason one cannot be (by position)."""

    items: list[RawDocument | str]
    single: bool


def posted_documents(body: bytes, content_type: str, url: str | None, origin: str, max_article_bytes: int) -> Posted:
    """The documents of a ``POST /articles`` body.

    Raises:
        HTTPException: 400 for a body that is no JSON or holds no article, 413 for an article over
            ``max_article_bytes``, 415 for a content type that is not JSON, HTML or text.
    """
    media = content_type.partition(";")[0].strip().lower() or "application/json"
    if media in ("text/html", "application/xhtml+xml", "text/plain"):
        fmt: DocumentFormat = "text" if media == "text/plain" else "html"
        _check_size(0, body, max_article_bytes)
        try:
            return Posted([RawDocument(origin=origin, body=decode_bytes(body, origin), format=fmt, url=url)], True)
        except InputError as error:
            return Posted([error.reason], True)
    if media != "application/json" and not media.endswith("+json"):
        raise HTTPException(415, f"cannot read a body of type {media}: post JSON, text/html or text/plain")
    try:
        data = valid_json(json.loads(body), SourceOptions().max_json_depth)
    except ValueError as error:
        raise HTTPException(400, f"the body is not JSON: {error}") from None
    except RecursionError:
        raise HTTPException(400, "the body's JSON is nested too deeply") from None
    single = isinstance(data, dict) and "articles" not in data
    records = [data] if single else data.get("articles") if isinstance(data, dict) else data
    if not isinstance(records, list) or not records:
        raise HTTPException(400, "the body holds no article: post one article object, a list of them, or {\"articles\": [...]}")
    items: list[RawDocument | str] = []
    for index, record in enumerate(records):
        if isinstance(record, dict):
            _check_size(index, (record.get("html") or record.get("text") or "").encode(), max_article_bytes)
        if url and single and isinstance(record, dict) and not record.get("url"):
            record = {**record, "url": url}
        try:
            items.append(document_from_json(record, f"{origin}#{index}"))
        except InputError as error:
            items.append(error.reason)
    return Posted(items, single)


def _check_size(index: int, body: bytes, limit: int) -> None:
    if len(body) > limit:
        raise HTTPException(413, f"article {index} is {len(body):,} bytes, over the limit of {limit:,} bytes an article")
