"""What the watcher remembers between runs, behind one small protocol: in memory, or in the SQLite store.

Every fetch result changes the state in one ``StateChange``, applied in one transaction: the responses
to archive, the url keys now seen, failures, validators, robots.txt files, a source's status. The
archive step moves responses from the queue to the WARC file and its pages to the pending list in one
transaction, and the stages' step takes pages off that list once they are handed on. A SIGKILL at any
moment therefore loses no response that was received and recorded, and asks for no recorded page again.
"""

from __future__ import annotations

import itertools
import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from typing import Any, Literal, Protocol

from newstrace.model import Record
from newstrace.store import SQLiteStore
from newstrace.store.terms import rows_in
from newstrace.watch.archive import ArchivedRecord, ArchivePosition
from newstrace.watch.fetch import Exchange, Validators
from newstrace.watch.polite import RobotsFile
from newstrace.watch.urls import url_key

SourceKind = Literal["auto", "feed", "sitemap", "site"]
SOURCE_KINDS: tuple[SourceKind, ...] = ("auto", "feed", "sitemap", "site")


@dataclass(frozen=True)
class Source(Record):
    """Something to watch: a feed, a (news) sitemap or sitemap index, or a site's home page.

    ``kind="auto"`` reads the first answer to tell which. ``interval`` is seconds between polls
    (None: the watcher's default).
    """

    url: str
    kind: SourceKind = "auto"
    name: str | None = None
    interval: float | None = None

    @property
    def id(self) -> str:
        return url_key(self.url)


@dataclass(frozen=True)
class SourceStatus(Record):
    """A source's polls: when it was last and will next be polled, what its last poll found, in all."""

    source: Source
    polls: int = 0
    last_poll: float | None = None
    next_poll: float = 0.0
    new_pages: int = 0
    total_pages: int = 0
    errors: int = 0
    last_error: str | None = None

    @classmethod
    def from_dict(cls, data: dict) -> SourceStatus:
        return cls(**{**data, "source": Source(**data["source"])})


@dataclass(frozen=True)
class Failure:
    """A page that could not be had: why, how often it was tried, and whether trying again is pointless."""

    key: str
    url: str
    reason: str
    attempts: int = 1
    permanent: bool = False


@dataclass(frozen=True)
class Queued:
    """A response waiting to be archived; ``page_of`` names the source when it is a page for the stages."""

    exchange: Exchange
    page_of: str | None = None


@dataclass(frozen=True)
class Pending:
    """An archived page not yet handed to the stages."""

    record: ArchivedRecord
    source: str | None = None


@dataclass(frozen=True)
class StateChange:
    """Everything one result changes, applied at once."""

    queued: tuple[Queued, ...] = ()
    seen: tuple[str, ...] = ()
    failures: tuple[Failure, ...] = ()
    validators: tuple[tuple[str, Validators], ...] = ()
    robots: tuple[RobotsFile, ...] = ()
    sources: tuple[SourceStatus, ...] = ()


@dataclass(frozen=True)
class StateCounts(Record):
    seen: int
    failed: int
    queued: int
    pending: int


class WatchState(Protocol):
    """The watcher's memory. Each method that writes is one transaction."""

    def apply(self, change: StateChange) -> None: ...

    def status(self, source: Source) -> SourceStatus:
        """The stored status of ``source`` (with ``source`` as now given), or a fresh one."""
        ...

    def statuses(self) -> list[SourceStatus]: ...

    def done(self, keys: Iterable[str], max_attempts: int) -> set[str]:
        """Which of ``keys`` need no fetching: seen, or failed for good (or ``max_attempts`` times)."""
        ...

    def failure(self, key: str) -> Failure | None: ...

    def validators(self, key: str) -> Validators | None: ...

    def robots_files(self) -> list[RobotsFile]: ...

    def queued(self, limit: int) -> list[tuple[int, Queued]]: ...

    def archive_position(self) -> ArchivePosition | None: ...

    def archived(self, ids: Sequence[int], position: ArchivePosition, pending: Sequence[Pending]) -> None:
        """Queued responses ``ids`` are in the archive up to ``position``; ``pending`` pages go to the stages."""
        ...

    def pending(self, limit: int) -> list[tuple[int, Pending]]: ...

    def processed(self, ids: Sequence[int]) -> None: ...

    def counts(self) -> StateCounts: ...


@dataclass
class MemoryWatchState:
    """``WatchState`` in memory: for tests, and for a watcher whose runs need not resume."""

    _sources: dict[str, SourceStatus] = field(default_factory=dict)
    _seen: set[str] = field(default_factory=set)
    _failures: dict[str, Failure] = field(default_factory=dict)
    _validators: dict[str, Validators] = field(default_factory=dict)
    _robots: dict[str, RobotsFile] = field(default_factory=dict)
    _queue: dict[int, Queued] = field(default_factory=dict)
    _pending: dict[int, Pending] = field(default_factory=dict)
    _position: ArchivePosition | None = None
    _numbers: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def apply(self, change: StateChange) -> None:
        for queued in change.queued:
            self._queue[next(self._numbers)] = queued
        self._seen.update(change.seen)
        for key in change.seen:
            self._failures.pop(key, None)
        self._failures.update((f.key, f) for f in change.failures)
        self._validators.update(change.validators)
        self._robots.update((r.host, r) for r in change.robots)
        self._sources.update((s.source.id, s) for s in change.sources)

    def status(self, source: Source) -> SourceStatus:
        known = self._sources.get(source.id)
        return replace(known, source=source) if known else SourceStatus(source)

    def statuses(self) -> list[SourceStatus]:
        return [self._sources[key] for key in sorted(self._sources)]

    def done(self, keys: Iterable[str], max_attempts: int) -> set[str]:
        return {k for k in keys if k in self._seen or _given_up(self._failures.get(k), max_attempts)}

    def failure(self, key: str) -> Failure | None:
        return self._failures.get(key)

    def validators(self, key: str) -> Validators | None:
        return self._validators.get(key)

    def robots_files(self) -> list[RobotsFile]:
        return list(self._robots.values())

    def queued(self, limit: int) -> list[tuple[int, Queued]]:
        return sorted(self._queue.items(), key=lambda item: item[0])[:limit]

    def archive_position(self) -> ArchivePosition | None:
        return self._position

    def archived(self, ids: Sequence[int], position: ArchivePosition, pending: Sequence[Pending]) -> None:
        for number in ids:
            del self._queue[number]
        self._position = position
        for page in pending:
            self._pending[next(self._numbers)] = page

    def pending(self, limit: int) -> list[tuple[int, Pending]]:
        return sorted(self._pending.items(), key=lambda item: item[0])[:limit]

    def processed(self, ids: Sequence[int]) -> None:
        for number in ids:
            del self._pending[number]

    def counts(self) -> StateCounts:
        return StateCounts(len(self._seen), len(self._failures), len(self._queue), len(self._pending))


def _given_up(failure: Failure | None, max_attempts: int) -> bool:
    return failure is not None and (failure.permanent or failure.attempts >= max_attempts)


class SQLiteWatchState:
    """``WatchState`` in the store's SQLite file (the ``watch_*`` tables of migration 3)."""

    def __init__(self, store: SQLiteStore) -> None:
        self._store = store

    def _transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        """One write transaction on the store (its one writer at a time)."""
        return self._store.transaction("the watcher's state")

    def _rows(self, sql: str, *parameters: Any) -> list[tuple[Any, ...]]:
        with self._store.reading() as db:
            return db.execute(sql, parameters).fetchall()

    def apply(self, change: StateChange) -> None:
        with self._transaction() as db:
            db.executemany(
                "INSERT INTO watch_queue (source, data, body) VALUES (?, ?, ?)",
                ((q.page_of, _exchange_json(q.exchange), q.exchange.body) for q in change.queued),
            )
            db.executemany("INSERT OR IGNORE INTO watch_seen (key) VALUES (?)", ((k,) for k in change.seen))
            db.executemany("DELETE FROM watch_failures WHERE key=?", ((k,) for k in change.seen))
            db.executemany(
                "INSERT OR REPLACE INTO watch_failures (key, url, reason, attempts, permanent) VALUES (?,?,?,?,?)",
                ((f.key, f.url, f.reason, f.attempts, int(f.permanent)) for f in change.failures),
            )
            db.executemany(
                "INSERT OR REPLACE INTO watch_validators (key, etag, last_modified) VALUES (?,?,?)",
                ((key, v.etag, v.last_modified) for key, v in change.validators),
            )
            db.executemany(
                "INSERT OR REPLACE INTO watch_robots (host, status, text, fetched_at) VALUES (?,?,?,?)",
                ((r.host, r.status, r.text, r.fetched_at) for r in change.robots),
            )
            db.executemany(
                "INSERT OR REPLACE INTO watch_sources (id, data) VALUES (?, ?)",
                ((s.source.id, json.dumps(s.to_dict())) for s in change.sources),
            )

    def status(self, source: Source) -> SourceStatus:
        row = next(iter(self._rows("SELECT data FROM watch_sources WHERE id=?", source.id)), None)
        return replace(SourceStatus.from_dict(json.loads(row[0])), source=source) if row else SourceStatus(source)

    def statuses(self) -> list[SourceStatus]:
        rows = self._rows("SELECT data FROM watch_sources ORDER BY id")
        return [SourceStatus.from_dict(json.loads(data)) for (data,) in rows]

    def done(self, keys: Iterable[str], max_attempts: int) -> set[str]:
        keys = list(keys)
        with self._store.reading() as db:
            seen = {k for (k,) in rows_in(db, "SELECT key FROM watch_seen WHERE key IN ({marks})", keys)}
            given_up = {
                k
                for (k,) in rows_in(
                    db,
                    "SELECT key FROM watch_failures WHERE key IN ({marks}) AND (permanent OR attempts >= "
                    f"{int(max_attempts)})",
                    keys,
                )
            }
        return seen | given_up

    def failure(self, key: str) -> Failure | None:
        row = next(iter(self._rows("SELECT key, url, reason, attempts, permanent FROM watch_failures WHERE key=?", key)), None)
        return Failure(row[0], row[1], row[2], row[3], bool(row[4])) if row else None

    def validators(self, key: str) -> Validators | None:
        row = next(iter(self._rows("SELECT etag, last_modified FROM watch_validators WHERE key=?", key)), None)
        return Validators(*row) if row else None

    def robots_files(self) -> list[RobotsFile]:
        rows = self._rows("SELECT host, status, text, fetched_at FROM watch_robots ORDER BY host")
        return [RobotsFile(*row) for row in rows]

    def queued(self, limit: int) -> list[tuple[int, Queued]]:
        rows = self._rows("SELECT seq, source, data, body FROM watch_queue ORDER BY seq LIMIT ?", limit)
        return [(seq, Queued(_exchange(data, body), source)) for seq, source, data, body in rows]

    def archive_position(self) -> ArchivePosition | None:
        row = next(iter(self._rows("SELECT path, length, records FROM watch_archive WHERE id=1")), None)
        return ArchivePosition(*row) if row else None

    def archived(self, ids: Sequence[int], position: ArchivePosition, pending: Sequence[Pending]) -> None:
        with self._transaction() as db:
            db.executemany("DELETE FROM watch_queue WHERE seq=?", ((i,) for i in ids))
            db.execute(
                "INSERT OR REPLACE INTO watch_archive (id, path, length, records) VALUES (1, ?, ?, ?)",
                (position.path, position.length, position.records),
            )
            db.executemany(
                "INSERT INTO watch_pending (source, path, offset, record) VALUES (?, ?, ?, ?)",
                ((p.source, p.record.path, p.record.offset, p.record.record) for p in pending),
            )

    def pending(self, limit: int) -> list[tuple[int, Pending]]:
        rows = self._rows("SELECT seq, source, path, offset, record FROM watch_pending ORDER BY seq LIMIT ?", limit)
        return [(seq, Pending(ArchivedRecord(path, offset, record), source)) for seq, source, path, offset, record in rows]

    def processed(self, ids: Sequence[int]) -> None:
        with self._transaction() as db:
            db.executemany("DELETE FROM watch_pending WHERE seq=?", ((i,) for i in ids))

    def counts(self) -> StateCounts:
        tables = ("watch_seen", "watch_failures", "watch_queue", "watch_pending")
        return StateCounts(*(self._rows(f"SELECT COUNT(*) FROM {t}")[0][0] for t in tables))


def _exchange_json(exchange: Exchange) -> str:
    return json.dumps({
        "url": exchange.url, "status": exchange.status, "reason": exchange.reason,
        "headers": exchange.headers, "fetched_at": exchange.fetched_at, "truncated": exchange.truncated,
        "http_version": exchange.http_version,
    })


def _exchange(data: str, body: bytes) -> Exchange:
    fields = json.loads(data)
    return Exchange(**{**fields, "headers": tuple(tuple(h) for h in fields["headers"]), "body": bytes(body)})
