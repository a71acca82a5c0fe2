"""Sources: where articles come in (files, directories, standard input).

``read_sources(paths)`` yields ``RawDocument``s and ``Problem``s in a stable
order (directories are walked sorted), whatever the file system returns.
"""

from __future__ import annotations

import gzip
import io
import sys
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from newstrace.model import Problem
from newstrace.sources.feeds import read_feed
from newstrace.sources.readers import (
    SourceItem,
    open_maybe_gzip,
    read_document,
    read_json_lines,
    read_warc,
    sniff_format,
)

__all__ = ["STDIN", "SourceItem", "SourceOptions", "file_format", "read_file", "read_sources"]

STDIN = "-"

_SUFFIX_FORMATS = {
    ".txt": "text",
    ".text": "text",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".warc": "warc",
    ".rss": "feed",
    ".atom": "feed",
    ".xml": "feed",
}


@dataclass(frozen=True)
class SourceOptions:
    """Limits on what a source will read."""

    max_document_bytes: int = 20_000_000


def file_format(path: Path) -> tuple[str | None, bool]:
    """``(format, gzipped)`` from the file name, e.g. ``a.jsonl.gz`` → ``("jsonl", True)``."""
    suffixes = [s.lower() for s in path.suffixes]
    compressed = bool(suffixes) and suffixes[-1] == ".gz"
    if compressed:
        suffixes = suffixes[:-1]
    return (_SUFFIX_FORMATS.get(suffixes[-1]) if suffixes else None), compressed


def read_sources(paths: Iterable[str | Path], options: SourceOptions | None = None) -> Iterator[SourceItem]:
    """Every document under ``paths`` (files, directories walked recursively, ``-`` for stdin)."""
    options = options or SourceOptions()
    for path in paths:
        if str(path) == STDIN:
            yield from _read_stdin(options)
            continue
        path = Path(path)
        if path.is_dir():
            yield from _read_directory(path, options)
        elif path.exists():
            yield from read_file(path, options)
        else:
            yield Problem(str(path), "no such file or directory")


def _read_directory(root: Path, options: SourceOptions) -> Iterator[SourceItem]:
    try:
        entries = sorted(p for p in root.rglob("*") if p.is_file() and not p.name.startswith("."))
    except OSError as error:
        yield Problem(str(root), f"cannot list directory: {error.strerror or error}")
        return
    for path in entries:
        if file_format(path)[0] is None:
            yield Problem(str(path), f"skipped: unsupported file type {''.join(path.suffixes) or '(none)'}")
        else:
            yield from read_file(path, options)


def read_file(path: Path, options: SourceOptions) -> Iterator[SourceItem]:
    """One file, read by the reader its name calls for."""
    fmt, compressed = file_format(path)
    origin = str(path)
    if fmt is None:
        fmt = "text"
    try:
        if fmt in ("jsonl", "warc"):
            # Streamed, and through Python's gzip reader (not fastwarc's) so a truncated archive is noticed.
            reader = read_json_lines if fmt == "jsonl" else read_warc
            with open_maybe_gzip(path, compressed) as stream:
                yield from reader(stream, origin, options.max_document_bytes)
        else:
            yield from _read_whole(path, fmt, compressed, options)
    except OSError as error:
        yield Problem(origin, f"cannot read: {error.strerror or error}")


def _read_whole(path: Path, fmt: str, compressed: bool, options: SourceOptions) -> Iterator[SourceItem]:
    origin = str(path)
    if path.stat().st_size > options.max_document_bytes:
        yield Problem(origin, f"document too large: {path.stat().st_size / 1e6:.1f} MB over the "
                      f"{options.max_document_bytes / 1e6:.0f} MB limit")
        return
    try:
        with open_maybe_gzip(path, compressed) as stream:
            data = stream.read(options.max_document_bytes + 1)
    except (EOFError, OSError) as error:
        yield Problem(origin, f"truncated or corrupt compressed file: {error}")
        return
    yield from _read_bytes(data, fmt, origin, options)


def _read_bytes(data: bytes, fmt: str, origin: str, options: SourceOptions) -> Iterator[SourceItem]:
    if fmt == "jsonl":
        yield from read_json_lines(io.BytesIO(data), origin, options.max_document_bytes)
    elif fmt == "warc":
        yield from read_warc(io.BytesIO(data), origin, options.max_document_bytes)
    elif fmt == "feed":
        yield from read_feed(data, origin)
    else:
        yield from read_document(data, origin, "html" if fmt == "html" else "text", options.max_document_bytes)


def _read_stdin(options: SourceOptions) -> Iterator[SourceItem]:
    origin = "<stdin>"
    data = sys.stdin.buffer.read()
    if sniff_format(data[:512]) == "gzip":
        try:
            data = gzip.decompress(data)
        except (EOFError, OSError, zlib.error) as error:
            yield Problem(origin, f"truncated or corrupt compressed input: {error}")
            return
    yield from _read_bytes(data, sniff_format(data[:512]), origin, options)
