"""The embedded store: one SQLite file (or ``:memory:``) holding every stage's records.

Each record is kept as its JSON form plus the few columns that are queried.
Writes go in transactions per batch, in WAL mode, so a killed run loses at most
the batch in flight and a re-run picks up where it stopped.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from newstrace.errors import NotFoundError, StoreError
from newstrace.model import Article, Finding, Problem, Relation, SpanRef, Story
from newstrace.store.migrations import MIGRATIONS
from newstrace.store.terms import TermTable, article_ids_not_in, rows_in, setting

MEMORY = ":memory:"


ArticleRow = tuple[str, str, str | None, str | None, str | None, str]
"""An article as stored: id, content hash, site, outlet and date (the queried columns), then its JSON form."""


def _dumps(value: Any) -> str:
    # ASCII JSON (non-ASCII as \u escapes, ~2% longer): an ASCII str is passed between processes and
    # bound as SQLite's UTF-8 without re-encoding, which makes storing an article ~40% cheaper.
    return json.dumps(value, separators=(",", ":"))


def article_row(article: Article) -> ArticleRow:
    """The row that stores ``article``; a pure function, so worker processes can encode in parallel."""
    return (
        article.id,
        article.content_hash,
        article.site,
        article.outlet,
        article.date,
        _dumps(article.to_dict()),
    )


class SQLiteStore:
    """All of newstrace's records in one SQLite database.

    Example:
        >>> with SQLiteStore(":memory:") as store:
        ...     store.count_articles()
        0
    """

    def __init__(self, path: str | Path = "newstrace.db") -> None:
        self.path = str(path)
        try:
            self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as error:
            raise StoreError(f"cannot open store {self.path}: {error}") from error
        # Articles are kept as JSON of ~6 kB: on 16 kB pages (set before the file is first written; a no-op
        # after) most fit one page instead of an overflow chain, which cuts the cost of storing them by ~40%.
        self._db.execute("PRAGMA page_size=16384")
        self._db.execute("PRAGMA journal_mode=WAL" if self.path != MEMORY else "PRAGMA journal_mode=MEMORY")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._migrate()

    # -- lifecycle -------------------------------------------------------------------------

    def __enter__(self) -> SQLiteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._db.close()

    @property
    def connection(self) -> sqlite3.Connection:
        """The open connection, for a module that keeps its own tables here (the watcher's state)."""
        return self._db

    @property
    def schema_version(self) -> int:
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        current = self.schema_version
        if current > len(MIGRATIONS):
            raise StoreError(
                f"store {self.path} has schema version {current}, newer than this newstrace "
                f"understands ({len(MIGRATIONS)}); upgrade newstrace"
            )
        for version, script in enumerate(MIGRATIONS[current:], start=current + 1):
            try:
                self._db.execute("BEGIN IMMEDIATE")
                for statement in script.split(";"):
                    if statement.strip():
                        self._db.execute(statement)
                self._db.execute(f"PRAGMA user_version={version}")
                self._db.execute("COMMIT")
            except sqlite3.Error as error:
                self._db.execute("ROLLBACK")
                raise StoreError(f"cannot migrate store {self.path} to version {version}: {error}") from error

    def _write(self, sql: str, rows: Iterable[tuple[Any, ...]]) -> int:
        """Run ``sql`` for every row in one transaction; returns the number of rows changed."""
        before = self._db.total_changes
        try:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.executemany(sql, rows)
            self._db.execute("COMMIT")
        except sqlite3.Error as error:
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            raise StoreError(f"cannot write to store {self.path}: {error}") from error
        return self._db.total_changes - before

    # -- articles --------------------------------------------------------------------------

    def add_articles(self, articles: Iterable[Article]) -> list[str]:
        """Store the articles not stored yet (by id); returns the ids that were new."""
        return self.add_article_rows(article_row(a) for a in articles)

    def add_article_rows(self, rows: Iterable[ArticleRow]) -> list[str]:
        """``add_articles`` for articles already encoded by ``article_row`` (in worker processes, say)."""
        rows = list(rows)
        if not rows:
            return []
        existing = self.known_ids([row[0] for row in rows])
        new: list[ArticleRow] = []
        for row in rows:
            if row[0] not in existing:
                existing.add(row[0])
                new.append(row)
        self._write(
            "INSERT OR IGNORE INTO articles (id, content_hash, site, outlet, date, data) VALUES (?,?,?,?,?,?)",
            new,
        )
        return [row[0] for row in new]

    def known_ids(self, ids: list[str]) -> set[str]:
        """Which of ``ids`` are stored already."""
        return {r[0] for r in self._rows_in("SELECT id FROM articles WHERE id IN ({marks})", ids)}

    def _rows_in(self, sql: str, keys: Iterable[str]) -> Iterator[tuple[Any, ...]]:
        return rows_in(self._db, sql, keys)

    def has_article(self, article_id: str) -> bool:
        return self._db.execute("SELECT 1 FROM articles WHERE id=?", (article_id,)).fetchone() is not None

    def get_article(self, article_id: str) -> Article:
        row = self._db.execute("SELECT data FROM articles WHERE id=?", (article_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"no article with id {article_id!r} in {self.path}")
        return Article.from_dict(json.loads(row[0]))

    def iter_articles(self, ids: Iterable[str] | None = None) -> Iterator[Article]:
        """Articles in ingest order (or the given ``ids``, in that order, skipping unknown ones)."""
        if ids is None:
            for (data,) in self._db.execute("SELECT data FROM articles ORDER BY seq"):
                yield Article.from_dict(json.loads(data))
            return
        for article_id in ids:
            row = self._db.execute("SELECT data FROM articles WHERE id=?", (article_id,)).fetchone()
            if row:
                yield Article.from_dict(json.loads(row[0]))

    def article_ids(self) -> list[str]:
        return [r[0] for r in self._db.execute("SELECT id FROM articles ORDER BY seq")]

    def count_articles(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM articles").fetchone()[0])

    def unplaced_article_ids(self) -> list[str]:
        """The articles in no story yet, in ingest order."""
        return article_ids_not_in(self._db, "story_articles")

    # -- settings --------------------------------------------------------------------------

    def setting(self, key: str) -> str | None:
        """A value a stage keeps in the store (its options, as text), or None."""
        return setting(self._db, key)

    def put_setting(self, key: str, value: str) -> None:
        self._write("INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)", [(key, value)])

    # -- term tables -----------------------------------------------------------------------

    def term_table(self, name: str) -> TermTable:
        """A stage's per-article term lists: ``"story"`` (event signatures) or ``"relate"`` (fingerprints)."""
        return TermTable(self._db, self.path, name)

    # -- problems --------------------------------------------------------------------------

    def add_problems(self, problems: Iterable[Problem]) -> None:
        """Record inputs that could not be used; the same problem twice is kept once."""
        self._write(
            "INSERT OR IGNORE INTO problems (origin, stage, reason) VALUES (?,?,?)",
            ((p.origin, p.stage, p.reason) for p in problems),
        )

    def problems(self) -> list[Problem]:
        rows = self._db.execute("SELECT origin, reason, stage FROM problems ORDER BY rowid")
        return [Problem(origin=o, reason=r, stage=s) for o, r, s in rows]

    # -- relations -------------------------------------------------------------------------

    def put_relations(self, relations: Iterable[Relation]) -> None:
        """Insert or replace relations, keyed by (original, derived)."""
        self._write(
            "INSERT OR REPLACE INTO relations (original, derived, kind, score, data) VALUES (?,?,?,?,?)",
            ((r.original, r.derived, r.kind, r.score, _dumps(r.to_dict())) for r in relations),
        )

    def delete_relations(self, article_ids: Iterable[str] | None = None) -> None:
        """Forget the relations touching ``article_ids`` (all relations when ``None``)."""
        if article_ids is None:
            self._write("DELETE FROM relations", [()])
            return
        ids = [(i, i) for i in article_ids]
        self._write("DELETE FROM relations WHERE original=? OR derived=?", ids)

    def relations(self, article_id: str | None = None) -> list[Relation]:
        """Relations in a stable order; only those touching ``article_id`` when given."""
        if article_id is None:
            rows = self._db.execute("SELECT data FROM relations ORDER BY original, derived")
        else:
            rows = self._db.execute(
                "SELECT data FROM relations WHERE original=? OR derived=? ORDER BY original, derived",
                (article_id, article_id),
            )
        return [Relation.from_dict(json.loads(d)) for (d,) in rows]

    def relations_of(self, article_ids: Iterable[str]) -> list[Relation]:
        """The relations touching any of ``article_ids``, in the order of ``relations()``."""
        ids = set(article_ids)
        found: dict[tuple[str, str], str] = {}
        for column in ("original", "derived"):
            sql = f"SELECT original, derived, data FROM relations WHERE {column} IN ({{marks}})"
            found.update(((original, derived), data) for original, derived, data in self._rows_in(sql, ids))
        return [Relation.from_dict(json.loads(found[key])) for key in sorted(found)]

    # -- stories ---------------------------------------------------------------------------

    def replace_stories(self, stories: Iterable[Story]) -> None:
        """Replace every story (after a rebuild) in one transaction."""
        stories = list(stories)
        try:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.execute("DELETE FROM story_articles")
            self._db.execute("DELETE FROM stories")
            self._insert_stories(stories)
            self._db.execute("COMMIT")
        except sqlite3.Error as error:
            self._db.execute("ROLLBACK")
            raise StoreError(f"cannot write stories to {self.path}: {error}") from error

    def put_stories(self, stories: Iterable[Story], replaced: Iterable[str] = ()) -> None:
        """Insert or update some stories (incremental assignment), deleting the ``replaced`` ones first."""
        stories = list(stories)
        try:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.executemany("DELETE FROM stories WHERE id=?", ((key,) for key in replaced))
            for story in stories:
                self._db.execute("DELETE FROM story_articles WHERE story=?", (story.id,))
            self._insert_stories(stories)
            self._db.execute("COMMIT")
        except sqlite3.Error as error:
            self._db.execute("ROLLBACK")
            raise StoreError(f"cannot write stories to {self.path}: {error}") from error

    def _insert_stories(self, stories: list[Story]) -> None:
        self._db.executemany(
            "INSERT OR REPLACE INTO stories (id, data) VALUES (?,?)",
            ((s.id, _dumps(s.to_dict())) for s in stories),
        )
        self._db.executemany(
            "INSERT OR REPLACE INTO story_articles (story, article) VALUES (?,?)",
            ((s.id, a) for s in stories for a in s.articles),
        )

    def stories(self, ids: Iterable[str] | None = None) -> list[Story]:
        """Every story, or those of ``ids`` that exist; ordered by id."""
        if ids is None:
            rows: Iterable[tuple[Any, ...]] = self._db.execute("SELECT data FROM stories ORDER BY id")
        else:
            rows = sorted(self._rows_in("SELECT id, data FROM stories WHERE id IN ({marks})", set(ids)))
            rows = [(data,) for _, data in rows]
        return [_story(json.loads(d)) for (d,) in rows]

    def get_story(self, story_id: str) -> Story:
        row = self._db.execute("SELECT data FROM stories WHERE id=?", (story_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"no story with id {story_id!r} in {self.path}")
        return _story(json.loads(row[0]))

    def story_of(self, article_id: str) -> str | None:
        row = self._db.execute("SELECT story FROM story_articles WHERE article=?", (article_id,)).fetchone()
        return row[0] if row else None

    def count_stories(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM stories").fetchone()[0])

    def stories_of(self, article_ids: Iterable[str]) -> dict[str, str]:
        """Article → story, for those of ``article_ids`` that are in a story."""
        return dict(
            self._rows_in("SELECT article, story FROM story_articles WHERE article IN ({marks})", article_ids)
        )

    # -- findings --------------------------------------------------------------------------

    def replace_findings(self, article_id: str, findings: Iterable[Finding]) -> None:
        """Replace the findings on one article."""
        findings = list(findings)
        try:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.execute("DELETE FROM findings WHERE article=?", (article_id,))
            self._db.executemany(
                "INSERT INTO findings (article, data) VALUES (?,?)",
                ((f.article, _dumps(f.to_dict())) for f in findings),
            )
            self._db.execute("COMMIT")
        except sqlite3.Error as error:
            self._db.execute("ROLLBACK")
            raise StoreError(f"cannot write findings to {self.path}: {error}") from error

    def findings(self, article_id: str | None = None) -> list[Finding]:
        if article_id is None:
            rows = self._db.execute("SELECT data FROM findings ORDER BY article, rowid")
        else:
            rows = self._db.execute("SELECT data FROM findings WHERE article=? ORDER BY rowid", (article_id,))
        return [_finding(json.loads(d)) for (d,) in rows]


def _story(data: dict[str, Any]) -> Story:
    return Story(**{**data, "articles": tuple(data["articles"]), "outlets": tuple(data.get("outlets") or ())})


def _finding(data: dict[str, Any]) -> Finding:
    other = data.get("other")
    return Finding(
        **{
            **data,
            "span": tuple(data["span"]),
            "other": SpanRef(other["article"], tuple(other["span"]), other["text"]) if other else None,
        }
    )
