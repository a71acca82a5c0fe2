"""The embedded store: one SQLite file (or ``:memory:``) holding every stage's records.

Each record is kept as its JSON form plus the few columns that are queried. Every thread (and
every forked worker process) reads through a connection of its own, in WAL mode, so readers never
wait for the writer; writes take one lock and one ``BEGIN IMMEDIATE`` transaction at a time
(``commit``), so a killed run loses at most the step in flight and a re-run picks up where it stopped.
An in-memory store has a single connection, which every thread shares under the lock.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from newstrace.errors import NotFoundError, StoreError
from newstrace.model import Article, Brief, Finding, Problem, Relation, Story
from newstrace.store.base import (
    STAGES,
    Changes,
    EncodedArticle,
    StoreFrame,
    StoryQuery,
    dumps,
    number_cursor,
    reset_mask,
    search_words,
    stage_bit,
    story_cursor,
    story_sort_key,
)
from newstrace.store.migrations import MIGRATIONS
from newstrace.store.terms import SQLiteTermIndex, rows_in

MEMORY = ":memory:"
# A writer waits this long for another process's transaction before giving up.
BUSY_TIMEOUT_MS = 30_000


class SQLiteStore(StoreFrame):
    """All of newstrace's records in one SQLite database.

    Example:
        >>> with SQLiteStore(":memory:") as store:
        ...     store.articles.count()
        0
    """

    def __init__(self, path: str | Path = "newstrace.db") -> None:
        self.location = str(path)
        self._memory = self.location == MEMORY
        self._lock = threading.RLock()
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._shared = self._connect() if self._memory else None
        self._migrate()
        self._assemble((_Articles, _Relations, _Stories, _Findings, _Briefs, _Problems, _Stages, _Settings), SQLiteTermIndex)

    # -- connections and transactions -----------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        try:
            db = sqlite3.connect(self.location, isolation_level=None, check_same_thread=False)
            db.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            # Articles are kept as JSON of ~6 kB: on 16 kB pages (set before the file is first written; a
            # no-op after) most fit one page instead of an overflow chain, which cuts storing them by ~40%.
            db.execute("PRAGMA page_size=16384")
            db.execute("PRAGMA journal_mode=MEMORY" if self._memory else "PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("PRAGMA foreign_keys=ON")
        except sqlite3.Error as error:
            raise StoreError(f"cannot open store {self.location}: {error}") from error
        with self._lock:
            self._connections.append(db)
        return db

    def db(self) -> sqlite3.Connection:
        """This thread's connection (made on first use in each thread and each forked process)."""
        if self._shared is not None:
            return self._shared
        local = self._local
        if getattr(local, "pid", None) != os.getpid():
            local.db, local.pid = self._connect(), os.getpid()
        return local.db

    @contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        """A connection to read with (an in-memory store's single one is held for the duration); an
        SQLite error while reading becomes a ``StoreError`` that names the store."""
        try:
            if self._shared is None:
                yield self.db()
                return
            with self._lock:
                yield self._shared
        except sqlite3.Error as error:
            raise StoreError(f"cannot read store {self.location}: {error}") from error

    @contextmanager
    def transaction(self, what: str) -> Iterator[sqlite3.Connection]:
        """One write transaction: committed when the block ends, rolled back (and a ``StoreError``
        naming ``what`` was being written) when it fails."""
        with self._lock:
            db = self.db()
            try:
                db.execute("BEGIN IMMEDIATE")
                yield db
                db.execute("COMMIT")
            except sqlite3.Error as error:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise StoreError(f"cannot write {what} to store {self.location}: {error}") from error
            except BaseException:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise

    def close(self) -> None:
        """Close every connection this process opened."""
        with self._lock:
            for db in self._connections:
                db.close()
            self._connections.clear()

    @property
    def schema_version(self) -> int:
        with self.reading() as db:
            return int(db.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        try:
            current = self.schema_version
        except sqlite3.DatabaseError as error:
            raise StoreError(f"{self.location} is not a newstrace store (or is damaged): {error}") from error
        if current > len(MIGRATIONS):
            raise StoreError(
                f"store {self.location} has schema version {current}, newer than this newstrace "
                f"understands ({len(MIGRATIONS)}); upgrade newstrace"
            )
        for version, script in enumerate(MIGRATIONS[current:], start=current + 1):
            with self.transaction(f"the schema of version {version}") as db:
                for statement in script.split(";"):
                    if statement.strip():
                        db.execute(statement)
                db.execute(f"PRAGMA user_version={version}")

    # -- writing ---------------------------------------------------------------------------

    def commit(self, changes: Changes) -> list[str]:
        """Apply ``changes`` in one transaction (see ``Changes``); returns the ids of the new articles."""
        with self.transaction("changes") as db:
            new = _insert_articles(db, changes.articles)
            db.executemany("UPDATE articles SET data=? WHERE id=?", ((d, i) for i, d in changes.articles_rewritten))
            db.executemany(
                "INSERT OR IGNORE INTO problems (origin, stage, reason) VALUES (?,?,?)",
                ((p.origin, p.stage, p.reason) for p in changes.problems),
            )
            _delete(db, changes)
            db.executemany(
                "INSERT OR REPLACE INTO relations (original, derived, kind, score, data) VALUES (?,?,?,?,?)",
                ((r.original, r.derived, r.kind, r.score, dumps(r.to_dict())) for r in changes.relations),
            )
            for story in changes.stories:
                db.execute("DELETE FROM story_articles WHERE story=?", (story.id,))
            db.executemany(
                "INSERT OR REPLACE INTO stories (id, data) VALUES (?,?)",
                ((s.id, dumps(s.to_dict())) for s in changes.stories),
            )
            db.executemany(
                "INSERT OR REPLACE INTO story_articles (story, article) VALUES (?,?)",
                ((s.id, a) for s in changes.stories for a in s.articles),
            )
            db.executemany("DELETE FROM findings WHERE article=?", ((a,) for a in changes.findings))
            db.executemany(
                "INSERT INTO findings (article, data) VALUES (?,?)",
                ((f.article, dumps(f.to_dict())) for fs in changes.findings.values() for f in fs),
            )
            db.executemany(
                "INSERT OR REPLACE INTO briefs (story, data) VALUES (?,?)",
                ((b.story, dumps(b.to_dict())) for b in changes.briefs),
            )
            db.executemany(
                "INSERT OR REPLACE INTO settings (key, value) VALUES (?,?)", sorted(changes.settings.items())
            )
            for article_id, mask in sorted(reset_mask(changes.undone).items()):
                db.execute("UPDATE article_stages SET done = done & ? WHERE article=?", (~mask, article_id))
            for stage, ids in changes.done.items():
                _in_chunks(db, "UPDATE article_stages SET done = done | ? WHERE article IN ({marks})", ids, stage_bit(stage))
        return new


def _insert_articles(db: sqlite3.Connection, rows: list[EncodedArticle]) -> list[str]:
    """Insert the rows whose id is not stored (the first of any repeated in ``rows``); returns their ids."""
    known = {r[0] for r in rows_in(db, "SELECT id FROM articles WHERE id IN ({marks})", [row[0] for row in rows])}
    fresh = []
    for row in rows:
        if row[0] not in known:
            known.add(row[0])
            fresh.append(row)
    db.executemany(
        "INSERT INTO articles (id, content_hash, site, outlet, date, data, raw_hash) VALUES (?,?,?,?,?,?,?)", fresh
    )
    new = [row[0] for row in fresh]
    _in_chunks(
        db,
        "INSERT INTO article_stages (seq, article, done) SELECT seq, id, ? FROM articles WHERE id IN ({marks})",
        new,
        stage_bit("extract"),
    )
    return new


def _delete(db: sqlite3.Connection, changes: Changes) -> None:
    """The deletions of ``changes``: whole kinds first, then by article or story."""
    tables = {"relations": ("relations",), "stories": ("story_articles", "stories"), "findings": ("findings",)}
    for kind in sorted(changes.clear):
        for table in tables.get(kind, (kind,)):
            db.execute(f"DELETE FROM {table}")
    for column in ("original", "derived"):
        _in_chunks(db, f"DELETE FROM relations WHERE {column} IN ({{marks}})", changes.relations_dropped)
    _in_chunks(db, "DELETE FROM story_articles WHERE story IN ({marks})", changes.stories_dropped)
    _in_chunks(db, "DELETE FROM stories WHERE id IN ({marks})", changes.stories_dropped)
    _in_chunks(db, "DELETE FROM briefs WHERE story IN ({marks})", changes.briefs_dropped)


def _in_chunks(db: sqlite3.Connection, sql: str, keys: Iterable[str], *before: Any) -> None:
    """Run ``sql``, whose ``{marks}`` is an IN list, for all ``keys`` (after the ``before`` parameters)."""
    for _ in rows_in(db, sql, sorted(keys), *before):
        pass


def _decoded(rows: Iterable[tuple[str]], record: type[Any]) -> list[Any]:
    return [record.from_dict(json.loads(data)) for (data,) in rows]


class _Part:
    """A part of the store: reads one kind of record."""

    def __init__(self, store: SQLiteStore) -> None:
        self._store = store

    def _rows(self, sql: str, *parameters: Any) -> list[tuple[Any, ...]]:
        with self._store.reading() as db:
            return db.execute(sql, parameters).fetchall()

    def _rows_in(self, sql: str, keys: Iterable[str]) -> list[tuple[Any, ...]]:
        with self._store.reading() as db:
            return list(rows_in(db, sql, keys))

    def _one(self, sql: str, key: str, missing: str) -> Any:
        rows = self._rows(sql, key)
        if not rows:
            raise NotFoundError(f"no {missing} {key!r} in {self._store.location}")
        return rows[0][0]

    def _count(self, table: str) -> int:
        return int(self._rows(f"SELECT COUNT(*) FROM {table}")[0][0])


class _Articles(_Part):
    # Articles are read in pages of this many, so a long read holds no cursor open between pages.
    PAGE = 500

    def get(self, article_id: str) -> Article:
        return Article.from_dict(json.loads(self._one("SELECT data FROM articles WHERE id=?", article_id, "article")))

    def many(self, ids: Iterable[str]) -> Iterator[Article]:
        ids = list(ids)
        for start in range(0, len(ids), self.PAGE):
            page = ids[start : start + self.PAGE]
            found = dict(self._rows_in("SELECT id, data FROM articles WHERE id IN ({marks})", set(page)))
            yield from (Article.from_dict(json.loads(found[i])) for i in page if i in found)

    def all(self) -> Iterator[Article]:
        last = 0
        while rows := self._rows("SELECT seq, data FROM articles WHERE seq > ? ORDER BY seq LIMIT ?", last, self.PAGE):
            last = rows[-1][0]
            yield from (Article.from_dict(json.loads(data)) for _, data in rows)

    def ids(self) -> list[str]:
        return [r[0] for r in self._rows("SELECT article FROM article_stages ORDER BY seq")]

    def count(self) -> int:
        return self._count("article_stages")

    def known(self, ids: Iterable[str]) -> dict[str, tuple[str, str | None]]:
        rows = self._rows_in("SELECT id, content_hash, raw_hash FROM articles WHERE id IN ({marks})", set(ids))
        return {article_id: (content, raw) for article_id, content, raw in rows}

    def sites(self) -> dict[str, str | None]:
        return dict(self._rows("SELECT id, COALESCE(site, outlet) FROM articles ORDER BY seq"))

    # The search index is filled this many articles a transaction, so a writer waits for one batch at most.
    SEARCH_BATCH = 2000
    SEARCH_MARK = "articles-search"  # the settings key of the last article seq the search index holds

    def search(self, query: str, limit: int = 20, cursor: str | None = None) -> tuple[list[str], str | None]:
        words, before = search_words(query), number_cursor(cursor)
        below = [] if before is None else [before]
        if words:
            self._index_for_search()
            sql = f"""SELECT a.seq, a.id FROM article_search s JOIN articles a ON a.seq = s.rowid
                      WHERE article_search MATCH ? {'AND s.rowid < ?' if below else ''} ORDER BY s.rowid DESC LIMIT ?"""
            rows = self._rows(sql, " ".join(f'"{word}"' for word in words), *below, limit + 1)
        else:
            sql = f"SELECT seq, id FROM articles {'WHERE seq < ?' if below else ''} ORDER BY seq DESC LIMIT ?"
            rows = self._rows(sql, *below, limit + 1)
        more = len(rows) > limit
        return [article_id for _, article_id in rows[:limit]], str(rows[limit - 1][0]) if more else None

    def _index_for_search(self) -> None:
        """Add the articles stored since the last search to the search index (none, mostly: ingest leaves
        this to the first search, so a bulk load is not slowed by an index it may never need)."""
        newest = self._rows("SELECT COALESCE(MAX(seq), 0) FROM articles")[0][0]
        while int(self._store.settings.get(self.SEARCH_MARK) or 0) < newest:
            with self._store.transaction("the search index") as db:
                mark = int((db.execute("SELECT value FROM settings WHERE key=?", (self.SEARCH_MARK,)).fetchone() or (0,))[0])
                last = db.execute(
                    "SELECT MAX(seq) FROM (SELECT seq FROM articles WHERE seq > ? ORDER BY seq LIMIT ?)", (mark, self.SEARCH_BATCH)
                ).fetchone()[0]
                if last is None:
                    return
                db.execute(
                    """INSERT INTO article_search (rowid, title, text) SELECT seq, json_extract(data, '$.title'),
                       json_extract(data, '$.text') FROM articles WHERE seq > ? AND seq <= ?""",
                    (mark, last),
                )
                db.execute("INSERT OR REPLACE INTO settings (key, value) VALUES (?,?)", (self.SEARCH_MARK, str(last)))


class _Relations(_Part):
    def all(self) -> list[Relation]:
        return _decoded(self._rows("SELECT data FROM relations ORDER BY original, derived"), Relation)

    def of(self, article_ids: Iterable[str]) -> list[Relation]:
        ids = set(article_ids)
        found: dict[tuple[str, str], str] = {}
        for column in ("original", "derived"):
            sql = f"SELECT original, derived, data FROM relations WHERE {column} IN ({{marks}})"
            found.update(((original, derived), data) for original, derived, data in self._rows_in(sql, ids))
        return [Relation.from_dict(json.loads(found[key])) for key in sorted(found)]

    def count(self) -> int:
        return self._count("relations")


class _Stories(_Part):
    def get(self, story_id: str) -> Story:
        return Story.from_dict(json.loads(self._one("SELECT data FROM stories WHERE id=?", story_id, "story")))

    def all(self) -> list[Story]:
        return _decoded(self._rows("SELECT data FROM stories ORDER BY id"), Story)

    def many(self, ids: Iterable[str]) -> list[Story]:
        rows = sorted(self._rows_in("SELECT id, data FROM stories WHERE id IN ({marks})", set(ids)))
        return [Story.from_dict(json.loads(data)) for _, data in rows]

    def of(self, article_ids: Iterable[str]) -> dict[str, str]:
        return dict(self._rows_in("SELECT article, story FROM story_articles WHERE article IN ({marks})", set(article_ids)))

    def count(self) -> int:
        return self._count("stories")

    def listed(
        self, query: StoryQuery | None = None, limit: int = 50, cursor: str | None = None
    ) -> tuple[list[Story], str | None]:
        query, after = query or StoryQuery(), story_cursor(cursor)
        seen = "COALESCE(json_extract(data, '$.last_seen'), '')"  # as in the index stories_last_seen
        conditions, parameters = [], []
        if after is not None:
            conditions.append(f"({seen}, id) < (?, ?)")
            parameters += after
        if query.since is not None:
            conditions.append(f"{seen} >= ?")
            parameters.append(query.since)
        if query.until is not None:
            conditions.append("substr(json_extract(data, '$.first_seen'), 1, 10) <= ?")
            parameters.append(query.until)
        if query.outlet is not None:
            conditions.append("EXISTS (SELECT 1 FROM json_each(data, '$.outlets') WHERE value = ?)")
            parameters.append(query.outlet)
        if query.with_findings is not None:
            found = "EXISTS (SELECT 1 FROM story_articles s JOIN findings f ON f.article = s.article WHERE s.story = stories.id)"
            conditions.append(found if query.with_findings else f"NOT {found}")
        where = " AND ".join(conditions) or "1"
        rows = self._rows(f"SELECT data FROM stories WHERE {where} ORDER BY {seen} DESC, id DESC LIMIT ?", *parameters, limit + 1)
        stories = _decoded(rows[:limit], Story)
        return stories, json.dumps(story_sort_key(stories[-1])) if len(rows) > limit else None


class _Findings(_Part):
    def all(self) -> list[Finding]:
        return _decoded(self._rows("SELECT data FROM findings ORDER BY article, rowid"), Finding)

    def of(self, article_ids: Iterable[str]) -> list[Finding]:
        ids = list(dict.fromkeys(article_ids))
        rows = self._rows_in("SELECT article, rowid, data FROM findings WHERE article IN ({marks})", set(ids))
        order = {article_id: i for i, article_id in enumerate(ids)}
        return [Finding.from_dict(json.loads(data)) for _, _, data in sorted(rows, key=lambda r: (order[r[0]], r[1]))]

    def count(self) -> int:
        return self._count("findings")


class _Briefs(_Part):
    def get(self, story_id: str) -> Brief:
        return Brief.from_dict(json.loads(self._one("SELECT data FROM briefs WHERE story=?", story_id, "brief of story")))

    def all(self) -> Iterator[Brief]:
        last = ""
        while rows := self._rows("SELECT story, data FROM briefs WHERE story > ? ORDER BY story LIMIT 200", last):
            last = rows[-1][0]
            yield from (Brief.from_dict(json.loads(data)) for _, data in rows)

    def count(self) -> int:
        return self._count("briefs")


class _Problems(_Part):
    def all(self) -> list[Problem]:
        rows = self._rows("SELECT origin, reason, stage FROM problems ORDER BY rowid")
        return [Problem(origin=o, reason=r, stage=s) for o, r, s in rows]


class _Stages(_Part):
    def pending(self, stage: str) -> list[str]:
        before = stage_bit(stage) - 1
        rows = self._rows(
            "SELECT article FROM article_stages WHERE done & ? = ? AND done & ? = 0 ORDER BY seq",
            before,
            before,
            stage_bit(stage),
        )
        return [r[0] for r in rows]

    def missing(self, stage: str) -> list[str]:
        rows = self._rows("SELECT article FROM article_stages WHERE done & ? = 0 ORDER BY seq", stage_bit(stage))
        return [r[0] for r in rows]

    def done(self, article_id: str) -> tuple[str, ...]:
        mask = int(self._one("SELECT done FROM article_stages WHERE article=?", article_id, "article"))
        return tuple(stage for stage in STAGES if mask & stage_bit(stage))


class _Settings(_Part):
    def get(self, key: str) -> str | None:
        rows = self._rows("SELECT value FROM settings WHERE key=?", key)
        return rows[0][0] if rows else None
