"""The watcher's web archive: every response it received, as gzipped WARC records (written with fastwarc).

Records are appended at the position the watcher's state last committed; whatever a killed run
wrote after that position is cut off first, so each response is archived exactly once. A page is
handed to the stages by reading its record back with the same reader ``newstrace ingest`` uses for
WARC files, so ingesting the archive again gives the same documents.
"""

from __future__ import annotations

import gzip
import io
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from fastwarc.warc import WarcRecord, WarcRecordType

from newstrace.sources import SourceItem
from newstrace.sources.readers import SourceOptions
from newstrace.sources.warc import read_warc
from newstrace.watch.fetch import Exchange

MAX_FILE_BYTES = 1_000_000_000  # the customary size of one WARC file


@dataclass(frozen=True)
class ArchivePosition:
    """How far the archive is committed: the file being written, its length and its number of records."""

    path: str
    length: int
    records: int


@dataclass(frozen=True)
class ArchivedRecord:
    """Where one response lies: its file, the byte offset of its gzip member and its record number (from 1)."""

    path: str
    offset: int
    record: int


class WarcArchive:
    """Appends responses to ``folder/newstrace-watch-<time>.warc.gz`` files, a new one past ``max_file_bytes``."""

    def __init__(self, folder: Path, info: dict[str, str], max_file_bytes: int = MAX_FILE_BYTES) -> None:
        self.folder = folder
        self.info = info
        self.max_file_bytes = max_file_bytes

    def append(
        self, position: ArchivePosition | None, exchanges: Sequence[Exchange]
    ) -> tuple[ArchivePosition, list[ArchivedRecord]]:
        """Write ``exchanges`` after ``position`` (synced to disk); returns the new position and each record."""
        if position is None or position.length >= self.max_file_bytes or not Path(position.path).exists():
            position = self._new_file()
        placed: list[ArchivedRecord] = []
        with open(position.path, "r+b") as file:
            file.truncate(position.length)  # what a killed run wrote past the committed position
            file.seek(position.length)
            offset, records = position.length, position.records
            for exchange in exchanges:
                member = gzip.compress(_response_record(exchange), mtime=0)
                file.write(member)
                records += 1
                placed.append(ArchivedRecord(position.path, offset, records))
                offset += len(member)
            file.flush()
            os.fsync(file.fileno())
        return ArchivePosition(position.path, offset, records), placed

    def _new_file(self) -> ArchivePosition:
        self.folder.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        path = self.folder / f"newstrace-watch-{stamp}.warc.gz"
        number = 1
        while path.exists():
            number += 1
            path = self.folder / f"newstrace-watch-{stamp}-{number}.warc.gz"
        member = gzip.compress(_warcinfo_record(path.name, self.info), mtime=0)
        with open(path, "xb") as file:
            file.write(member)
            file.flush()
            os.fsync(file.fileno())
        return ArchivePosition(str(path), len(member), 1)


def read_record(record: ArchivedRecord, max_bytes: int) -> SourceItem:
    """The document (or the problem) ``newstrace ingest`` makes of one archived response."""
    with open(record.path, "rb") as file:
        file.seek(record.offset)
        item = next(iter(read_warc(file, record.path, SourceOptions(max_document_bytes=max_bytes))))
    return replace(item, origin=f"{record.path}#{record.record}")


def _warc_date(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _record(kind: WarcRecordType, headers: dict[str, str], block: bytes) -> bytes:
    record = WarcRecord()
    record.init_headers(kind)
    for name, value in headers.items():
        record.headers[name] = value
    record.set_bytes_content(block)
    out = io.BytesIO()
    record.write(out, checksum_data=True)
    return out.getvalue()


def _response_record(exchange: Exchange) -> bytes:
    status_line = f"{exchange.http_version} {exchange.status} {exchange.reason}".strip()
    head = "\r\n".join([status_line, *(f"{name}: {value}" for name, value in exchange.headers)])
    headers = {
        "WARC-Date": _warc_date(exchange.fetched_at),
        "WARC-Target-URI": exchange.url,
        "Content-Type": "application/http; msgtype=response",
    }
    if exchange.truncated:
        headers["WARC-Truncated"] = exchange.truncated
    block = head.encode("latin-1", errors="replace") + b"\r\n\r\n" + exchange.body
    return _record(WarcRecordType.response, headers, block)


def _warcinfo_record(filename: str, info: dict[str, str]) -> bytes:
    fields = "".join(f"{name}: {value}\r\n" for name, value in info.items())
    headers = {"WARC-Date": _warc_date(time.time()), "WARC-Filename": filename,
               "Content-Type": "application/warc-fields"}
    return _record(WarcRecordType.warcinfo, headers, fields.encode("utf-8"))
