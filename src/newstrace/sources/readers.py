"""Readers, one per input format: each turns bytes into ``RawDocument``s and ``Problem``s.

A reader never raises for bad content: it yields a ``Problem`` naming the item
(``path:LINE`` for JSON Lines, ``path#RECORD`` for WARC) and goes on, so one bad
line never costs the rest of a file.
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from newstrace.errors import InputError
from newstrace.model import DocumentFormat, Problem, RawDocument
from newstrace.sources.decode import decode_bytes

SourceItem = RawDocument | Problem

_OUTLET_KEYS = ("outlet", "site", "source")
_KNOWN_KEYS = {"id", "url", "title", "date", "authors", "text", "html", *_OUTLET_KEYS}


def read_document(data: bytes, origin: str, fmt: DocumentFormat, max_bytes: int) -> Iterator[SourceItem]:
    """A whole file that is one document (``.txt`` or ``.html``)."""
    if len(data) > max_bytes:
        yield Problem(origin, f"document too large: {len(data) / 1e6:.1f} MB over the {max_bytes / 1e6:.0f} MB limit")
        return
    try:
        yield RawDocument(origin=origin, body=decode_bytes(data, origin), format=fmt)
    except InputError as error:
        yield Problem(origin, error.reason)


def read_json_lines(stream: IO[bytes], origin: str, max_bytes: int) -> Iterator[SourceItem]:
    """One article a line: ``id, url, title, date, outlet|site|source, authors, text|html``."""
    line_number = 0
    try:
        for line_number, line in enumerate(stream, start=1):
            if not line.strip():
                continue
            where = f"{origin}:{line_number}"
            if len(line) > max_bytes:
                yield Problem(where, f"line too large: {len(line) / 1e6:.1f} MB over the {max_bytes / 1e6:.0f} MB limit")
                continue
            try:
                yield _document_from_json(json.loads(decode_bytes(line, where)), where)
            except InputError as error:
                yield Problem(where, error.reason)
            except json.JSONDecodeError as error:
                yield Problem(where, f"invalid JSON: {error.msg} at column {error.colno}")
    except (EOFError, gzip.BadGzipFile, zlib.error) as error:
        yield Problem(origin, f"truncated or corrupt compressed file after line {line_number}: {error}")


def _document_from_json(record: Any, where: str) -> RawDocument:
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


def read_warc(stream: IO[bytes], origin: str, max_bytes: int) -> Iterator[SourceItem]:
    """HTML ``response`` records of a WARC archive; every other record is skipped with its reason."""
    from fastwarc.warc import ArchiveIterator, WarcRecordType

    number = 0
    guarded = _TruncationGuard(stream)
    try:
        for number, record in enumerate(ArchiveIterator(guarded, parse_http=True), start=1):
            where = f"{origin}#{number}"
            if record.record_type != WarcRecordType.response:
                yield Problem(where, f"skipped WARC {record.record_type} record")
                continue
            content_type = (record.http_headers.get("Content-Type") or "") if record.http_headers else ""
            if "html" not in content_type.lower():
                yield Problem(where, f"skipped non-HTML response ({content_type or 'no content type'})")
                continue
            # An error page, a redirect or a body the crawler cut off is no article.
            status = record.http_headers.status_code
            if not 200 <= status < 300:
                yield Problem(where, f"skipped HTTP {status} response")
                continue
            if record.headers.get("WARC-Truncated"):
                yield Problem(where, f"skipped truncated response (WARC-Truncated: {record.headers['WARC-Truncated']})")
                continue
            payload = record.reader.read()
            if len(payload) < record.content_length:
                yield Problem(where, f"truncated WARC record: {len(payload)} of {record.content_length} bytes")
                return
            for item in read_document(payload, where, "html", max_bytes):
                if isinstance(item, RawDocument):
                    item = RawDocument(
                        origin=where,
                        body=item.body,
                        format="html",
                        url=record.headers.get("WARC-Target-URI"),
                        date=_warc_date(record.headers.get("WARC-Date")),
                    )
                yield item
    except OSError as error:
        yield Problem(origin, f"cannot read WARC after record {number}: {error}")
    if guarded.error:
        yield Problem(origin, f"truncated or corrupt WARC after record {number}: {guarded.error}")


class _TruncationGuard:
    """Reads a stream in small pieces and notes, instead of raising, where a compressed stream breaks off.

    fastwarc reads ahead, so an exception from the stream would also cost the whole
    records before the break; this way they are all read and the break is reported after.
    """

    _PIECE = 1 << 16

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self.error: str | None = None
        self.position = 0

    def tell(self) -> int:
        return self.position

    def _read_piece(self, size: int) -> bytes:
        # read1 returns what one decompression step gives, so a break loses only that step.
        read1 = getattr(self.stream, "read1", None)
        return read1(size) if read1 else self.stream.read(size)

    def read(self, size: int = -1) -> bytes:
        if self.error:
            return b""
        pieces = []
        wanted = size if size >= 0 else 1 << 62
        try:
            while wanted > 0 and (piece := self._read_piece(min(wanted, self._PIECE))):
                pieces.append(piece)
                wanted -= len(piece)
        except (EOFError, gzip.BadGzipFile, zlib.error) as error:
            self.error = str(error)
        data = b"".join(pieces)
        self.position += len(data)
        return data


def _warc_date(value: str | None) -> str | None:
    return value[:10] if value and len(value) >= 10 else None


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


def open_maybe_gzip(path: Path, compressed: bool) -> IO[bytes]:
    """A binary stream over a file, gunzipped on the fly when ``compressed``."""
    return gzip.open(path, "rb") if compressed else open(path, "rb")
