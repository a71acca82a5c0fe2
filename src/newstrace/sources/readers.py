"""Readers, one per input format: each turns bytes into ``RawDocument``s and ``Problem``s.

A reader never raises for bad content: it yields a ``Problem`` naming the item
(``path:LINE`` for JSON Lines, ``path#RECORD`` for WARC) and goes on, so one bad
line never costs the rest of a file. Limits (``SourceOptions``) are checked while
reading, so an oversized or decompression-bomb item is refused before it is in memory.
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

import orjson

from newstrace.errors import InputError
from newstrace.model import DocumentFormat, Problem, RawDocument
from newstrace.safety import valid_text
from newstrace.sources.decode import declared_charset, decode_bytes

SourceItem = RawDocument | Problem

_OUTLET_KEYS = ("outlet", "site", "source")
_KNOWN_KEYS = {"id", "url", "title", "date", "authors", "text", "html", *_OUTLET_KEYS}
_PIECE = 1 << 16
# What a damaged or cut-off gzip stream raises while it is read.
COMPRESSION_ERRORS = (EOFError, gzip.BadGzipFile, zlib.error)


@dataclass(frozen=True)
class SourceOptions:
    """Limits on what a source will read, each checked while reading.

    Attributes:
        max_document_bytes: the largest single item, counted after decompression: a whole file,
            a JSON line, a WARC record. A larger one is reported and skipped without being held
            in memory, so a gzip bomb stops at this size.
        max_json_depth: the deepest nesting of arrays and objects a JSON line may have.
    """

    max_document_bytes: int = 20_000_000
    max_json_depth: int = 64


def too_large(limit: int, size: int | None = None, what: str = "document") -> str:
    """The reason given for an item over ``limit`` bytes; ``size`` when it is known (a stream is not read to its end)."""
    found = f"{size / 1e6:.1f} MB " if size is not None else ""
    return f"{what} too large: {found}over the {limit / 1e6:.0f} MB limit"


def read_limited(stream: IO[bytes], limit: int) -> bytes:
    """Up to ``limit + 1`` bytes of ``stream``: one more than allowed tells that it is too large."""
    pieces, size = [], 0
    while size <= limit and (piece := stream.read(min(_PIECE, limit + 1 - size))):
        pieces.append(piece)
        size += len(piece)
    return b"".join(pieces)


def read_document(
    data: bytes, origin: str, fmt: DocumentFormat, max_bytes: int, charset: str | None = None
) -> Iterator[SourceItem]:
    """A whole file that is one document (``.txt`` or ``.html``); ``charset`` as the transport declared it."""
    if len(data) > max_bytes:
        yield Problem(origin, too_large(max_bytes, len(data)))
        return
    if fmt == "html":
        charset = charset or declared_charset(data)
    try:
        yield RawDocument(origin=origin, body=decode_bytes(data, origin, charset), format=fmt)
    except InputError as error:
        yield Problem(origin, error.reason)


def read_json_lines(stream: IO[bytes], origin: str, options: SourceOptions) -> Iterator[SourceItem]:
    """One article a line: ``id, url, title, date, outlet|site|source, authors, text|html``."""
    limit = options.max_document_bytes
    line_number = 0
    try:
        while line := stream.readline(limit + 1):
            line_number += 1
            where = f"{origin}:{line_number}"
            if len(line) > limit and not line.endswith(b"\n"):
                _skip_rest_of_line(stream)
                yield Problem(where, too_large(limit, what="line"))
            elif line.strip():
                yield _read_json_line(line, where, options)
    except COMPRESSION_ERRORS as error:
        yield Problem(origin, f"truncated or corrupt compressed file after line {line_number}: {error}")


def _skip_rest_of_line(stream: IO[bytes]) -> None:
    while (piece := stream.readline(_PIECE)) and not piece.endswith(b"\n"):
        pass


def _read_json_line(line: bytes, where: str, options: SourceOptions) -> SourceItem:
    try:
        record = _plain_record(line, options.max_json_depth)
        if record is None:
            record = valid_json(json.loads(decode_bytes(line, where)), options.max_json_depth)
        return document_from_json(record, where)
    except InputError as error:
        return Problem(where, error.reason)
    except json.JSONDecodeError as error:
        return Problem(where, f"invalid JSON: {error.msg} at column {error.colno}")
    except RecursionError:
        return Problem(where, f"JSON nested too deeply (over {options.max_json_depth} levels)")
    except ValueError as error:  # e.g. a number with more digits than Python converts
        return Problem(where, f"invalid JSON: {error}")


def _plain_record(line: bytes, depth: int) -> Any | None:
    """The line's record as orjson reads it (in half the time of ``json``), or None when only the careful
    path may read it: orjson refuses what is not UTF-8, lone surrogates and NaN, reads integers of more than
    64 bits as floats, and nesting deeper than ``depth`` must be refused. So a record holding a float goes
    the careful way too, and every line gives the record ``json`` would give."""
    try:
        record = orjson.loads(line)
    except orjson.JSONDecodeError:
        return None
    return record if _plain(record, depth) else None


def _plain(value: Any, depth: int) -> bool:
    """No float in ``value`` and no nesting deeper than ``depth`` (only containers are walked into)."""
    if isinstance(value, float):
        return False
    if not isinstance(value, dict | list):
        return True
    return depth > 0 and all(_plain(v, depth - 1) for v in (value.values() if isinstance(value, dict) else value))


def valid_json(value: Any, depth: int) -> Any:
    """``value`` with every string made valid Unicode; nesting deeper than ``depth`` is refused.

    Refusing deep nesting here keeps every later step (which may recurse) safe.
    """
    if isinstance(value, str):
        return valid_text(value)
    if isinstance(value, list | dict) and depth <= 0:
        raise RecursionError
    if isinstance(value, list):
        return [valid_json(v, depth - 1) for v in value]
    if isinstance(value, dict):
        return {valid_text(k): valid_json(v, depth - 1) for k, v in value.items()}
    return value


def document_from_json(record: Any, where: str) -> RawDocument:
    """One article given as a JSON object (a JSON line, or an article posted to the web service).

    Raises:
        InputError: not an object, or no text or HTML with content.
    """
    if not isinstance(record, dict):
        raise InputError(where, f"expected a JSON object, got {type(record).__name__}")
    html, text = record.get("html"), record.get("text")
    body, fmt = (html, "html") if isinstance(html, str) and html.strip() else (text, "text")
    if not isinstance(body, str) or not body.strip():
        raise InputError(where, "no 'text' or 'html' field with content")
    outlet = next((record[k] for k in _OUTLET_KEYS if isinstance(record.get(k), str) and record[k]), None)
    return RawDocument(
        origin=where,
        body=body,
        format=fmt,
        id=_optional_str(record.get("id")),
        url=_optional_str(record.get("url")),
        title=_optional_str(record.get("title")),
        date=_optional_str(record.get("date")),
        outlet=outlet,
        authors=_authors(record.get("authors")),
        metadata={k: v for k, v in record.items() if k not in _KNOWN_KEYS},
    )


def _optional_str(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return str(value)


def _authors(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(a.strip() for a in value.replace(" and ", ",").split(",") if a.strip())
    if isinstance(value, list):
        return tuple(str(a).strip() for a in value if str(a).strip())
    return ()


def sniff_format(head: bytes) -> str:
    """Guess the format of an unnamed stream (standard input) from its first bytes."""
    if head.startswith(b"\x1f\x8b"):
        return "gzip"
    text = head.lstrip()[:64]
    if text.startswith(b"WARC/"):
        return "warc"
    if text.startswith(b"{"):
        return "jsonl"
    if text.startswith(b"<?xml") or text.startswith((b"<rss", b"<feed", b"<rdf:RDF")):
        return "feed"
    if text[:1] == b"<":
        return "html"
    return "text"
