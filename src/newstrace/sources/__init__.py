"""Sources: where articles come in (files, directories, standard input).

``read_sources(paths)`` yields ``RawDocument``s and ``Problem``s in a stable
order (directories are walked sorted), whatever the file system returns.
"""

from __future__ import annotations

import gzip
import io
import os
import sys
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

from newstrace.model import Problem
from newstrace.sources.feeds import read_feed
from newstrace.sources.readers import (
    COMPRESSION_ERRORS,
    SourceItem,
    SourceOptions,
    read_document,
    read_json_lines,
    read_limited,
    sniff_format,
    too_large,
)
from newstrace.sources.warc import read_warc

__all__ = ["STDIN", "SourceItem", "SourceOptions", "file_format", "path_origin", "read_file", "read_sources"]

STDIN = "-"
_STDIN_ORIGIN = "<stdin>"
# Enough of standard input to tell its format, also when it is gzipped.
_SNIFF_BYTES = 1 << 16

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


def file_format(path: Path) -> tuple[str | None, bool]:
    """``(format, gzipped)`` from the file name, e.g. ``a.jsonl.gz`` → ``("jsonl", True)``."""
    suffixes = [s.lower() for s in path.suffixes]
    compressed = bool(suffixes) and suffixes[-1] == ".gz"
    if compressed:
        suffixes = suffixes[:-1]
    return (_SUFFIX_FORMATS.get(suffixes[-1]) if suffixes else None), compressed


def path_origin(path: str | Path) -> str:
    """``path`` as an origin: valid UTF-8 however the file system named it (a byte that is not
    UTF-8 is written ``\\xe9``), so it can be stored and printed."""
    return os.fsencode(path).decode("utf-8", errors="backslashreplace")


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
            yield Problem(path_origin(path), "no such file or directory")


def _read_directory(root: Path, options: SourceOptions) -> Iterator[SourceItem]:
    try:
        entries = sorted(p for p in root.rglob("*") if p.is_file() and not p.name.startswith("."))
    except OSError as error:
        yield Problem(path_origin(root), f"cannot list directory: {error.strerror or error}")
        return
    for path in entries:
        if file_format(path)[0] is None:
            suffixes = path_origin("".join(path.suffixes)) or "(none)"
            yield Problem(path_origin(path), f"skipped: unsupported file type {suffixes}")
        else:
            yield from read_file(path, options)


def read_file(path: Path, options: SourceOptions) -> Iterator[SourceItem]:
    """One file, read by the reader its name calls for."""
    fmt, compressed = file_format(path)
    origin = path_origin(path)
    try:
        size = path.stat().st_size
        if fmt not in ("jsonl", "warc") and size > options.max_document_bytes:
            yield Problem(origin, too_large(options.max_document_bytes, size))
            return
        with open(path, "rb") as stream:
            yield from _read_stream(stream, fmt or "text", compressed, origin, options)
    except OSError as error:
        yield Problem(origin, f"cannot read: {error.strerror or error}")


def _read_stdin(options: SourceOptions) -> Iterator[SourceItem]:
    """Standard input, read as it comes (never whole): its format is sniffed from its first bytes."""
    stdin = sys.stdin.buffer
    head = read_limited(stdin, _SNIFF_BYTES - 1)
    fmt = sniff_format(head[:512])
    compressed = fmt == "gzip"
    if compressed:
        try:
            fmt = sniff_format(zlib.decompressobj(wbits=31).decompress(head, 512))
        except zlib.error:
            fmt = "text"  # the gzip reader will say what is wrong with it
    stream = io.BufferedReader(_Replayed(head, stdin))
    yield from _read_stream(stream, fmt, compressed, _STDIN_ORIGIN, options)


def _read_stream(stream: IO[bytes], fmt: str, compressed: bool, origin: str, options: SourceOptions) -> Iterator[SourceItem]:
    """A stream in a known format. JSON Lines and WARC are read as they come; any other format is one
    document, read up to the size limit (after decompression, so a gzip bomb stops there)."""
    if fmt == "warc":
        yield from read_warc(stream, origin, options)  # tells gzip from its magic bytes
        return
    if compressed:
        stream = gzip.GzipFile(fileobj=stream, mode="rb")
    if fmt == "jsonl":
        yield from read_json_lines(stream, origin, options)
        return
    try:
        data = read_limited(stream, options.max_document_bytes)
    except COMPRESSION_ERRORS as error:
        yield Problem(origin, f"truncated or corrupt compressed file: {error}")
        return
    if len(data) > options.max_document_bytes:
        yield Problem(origin, too_large(options.max_document_bytes))
    elif fmt == "feed":
        yield from read_feed(data, origin)
    else:
        yield from read_document(data, origin, "html" if fmt == "html" else "text", options.max_document_bytes)


class _Replayed(io.RawIOBase):
    """A stream whose first bytes were read already (to sniff its format): they come again first."""

    def __init__(self, head: bytes, rest: IO[bytes]) -> None:
        self._head = memoryview(head)
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        if self._head:
            size = min(len(buffer), len(self._head))
            buffer[:size] = self._head[:size]
            self._head = self._head[size:]
            return size
        data = self._rest.read1(len(buffer)) if hasattr(self._rest, "read1") else self._rest.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)
