"""Per-article term lists kept in the store, so that a stage can search a large store without loading it.

A stage that compares each new article with the stored ones by their terms (relate by content stems,
stories by event terms) keeps, in a ``TermTable``: every article's entry (its publication day, its
number of distinct terms, and whatever the stage needs, as text), how many entries hold each term
(document frequencies, for IDF weights), and an SQLite FTS5 full-text index of the terms (which
entries hold a term). A query then reads only the entries that share a term with the new article,
with the statistics of the whole store.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from newstrace.errors import StoreError

Entry = tuple[str, int | None, str]
"""An entry as stored: article id, publication day (an ordinal, or None), then the stage's data as text."""

# SQLite takes at most 999 parameters a statement.
PARAMETERS = 900
# Terms a full-text query ORs together: a few hundred keep each query quick.
QUERY_TERMS = 500

# The term tables migration 2 creates.
TERM_TABLE_NAMES = ("story", "relate")


def rows_in(db: sqlite3.Connection, sql: str, keys: Iterable[Any]) -> Iterator[tuple[Any, ...]]:
    """The rows of ``sql``, whose ``{marks}`` is an IN list, for all ``keys`` (a few hundred a query)."""
    keys = list(keys)
    for start in range(0, len(keys), PARAMETERS):
        chunk = keys[start : start + PARAMETERS]
        yield from db.execute(sql.format(marks=",".join("?" * len(chunk))), chunk)


def setting(db: sqlite3.Connection, key: str) -> str | None:
    """A value kept in the store's settings table, or None."""
    row = db.execute("SELECT value FROM settings WHERE key=?", (key,)).fetchone()
    return row[0] if row else None


def article_ids_not_in(db: sqlite3.Connection, table: str) -> list[str]:
    """The stored articles that ``table`` (one of the store's own) has no row of, in ingest order."""
    # Sorted here, not by the query: ORDER BY seq would read the whole articles table, not its id index.
    rows = db.execute(f"SELECT seq, id FROM articles WHERE id NOT IN (SELECT article FROM {table})")
    return [article for _, article in sorted(rows)]


class TermTable:
    """One stage's entries, their terms' document frequencies and the full-text index of their terms."""

    def __init__(self, db: sqlite3.Connection, path: str, name: str) -> None:
        if name not in TERM_TABLE_NAMES:
            raise StoreError(f"no term table {name!r}; there are {', '.join(TERM_TABLE_NAMES)}")
        self._db, self._path, self.name = db, path, name

    def settings(self) -> str | None:
        """The settings the entries were made with (a stage's options, as text), or None before any."""
        return setting(self._db, self.name)

    def reset(self, settings: str) -> None:
        """Drop every entry and term count, and record the ``settings`` the next entries are made with."""
        name = self.name

        def clear() -> None:
            self._db.execute(f"DELETE FROM {name}_entries")
            self._db.execute(f"DELETE FROM {name}_terms")
            self._db.execute(f"INSERT INTO {name}_index ({name}_index) VALUES ('delete-all')")
            self._db.execute("INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)", (name, settings))

        self._transaction(clear)

    def missing_ids(self) -> list[str]:
        """The stored articles without an entry, in ingest order."""
        return article_ids_not_in(self._db, f"{self.name}_entries")

    def add(self, entries: Iterable[tuple[Entry, Iterable[str]]]) -> None:
        """Store entries, each with its terms, and add one to the count of each of their distinct terms.

        Entries already stored (by article) are skipped, so the counts stay those of the stored entries.
        """
        entries = list(entries)
        name = self.name
        known = {
            r[0]
            for r in rows_in(
                self._db,
                f"SELECT article FROM {name}_entries WHERE article IN ({{marks}})",
                [e[0] for e, _ in entries],
            )
        }
        counts: Counter[str] = Counter()
        new: list[tuple[Entry, list[str]]] = []
        for entry, terms in entries:
            if entry[0] not in known:
                known.add(entry[0])
                distinct = list(dict.fromkeys(terms))
                new.append((entry, distinct))
                counts.update(distinct)

        def write() -> None:
            for entry, terms in new:
                cursor = self._db.execute(
                    f"INSERT INTO {name}_entries (article, day, size, data) VALUES (?,?,?,?)",
                    (entry[0], entry[1], len(terms), entry[2]),
                )
                self._db.execute(
                    f"INSERT INTO {name}_index (rowid, terms) VALUES (?,?)",
                    (cursor.lastrowid, " ".join(terms)),
                )
            self._db.executemany(
                f"INSERT INTO {name}_terms (term, articles) VALUES (?,?) "
                "ON CONFLICT (term) DO UPDATE SET articles = articles + excluded.articles",
                sorted(counts.items()),
            )

        self._transaction(write)

    def entries(self, ids: Iterable[str] | None = None, days: tuple[int, int] | None = None) -> list[Entry]:
        """Entries of the given ``ids``, or of the articles published within ``days`` (first and last,
        inclusive) together with the undated ones, or else all of them; ordered by article id."""
        columns = f"SELECT article, day, data FROM {self.name}_entries"
        if ids is not None:
            return sorted(rows_in(self._db, columns + " WHERE article IN ({marks})", set(ids)))
        if days is not None:
            return list(
                self._db.execute(columns + " WHERE day BETWEEN ? AND ? OR day IS NULL ORDER BY article", days)
            )
        return list(self._db.execute(columns + " ORDER BY article"))

    def sharing(self, terms: Iterable[str], days: tuple[int, int] | None = None) -> list[Entry]:
        """The entries holding any of ``terms``, of articles published within ``days`` (inclusive) or
        undated; of any date when ``days`` is None. Ordered by article id."""
        name = self.name
        sql = (
            f"SELECT e.article, e.day, e.data FROM {name}_entries AS e JOIN "
            f"(SELECT rowid FROM {name}_index WHERE {name}_index MATCH ?) AS hit ON e.rowid = hit.rowid"
        )
        if days is not None:
            sql += " WHERE e.day BETWEEN ? AND ? OR e.day IS NULL"
        wanted = sorted({term for term in terms if '"' not in term})
        found: dict[str, Entry] = {}
        for start in range(0, len(wanted), QUERY_TERMS):
            query = " OR ".join(f'"{term}"' for term in wanted[start : start + QUERY_TERMS])
            found.update((row[0], row) for row in self._db.execute(sql, (query, *(days or ()))))
        return [found[article] for article in sorted(found)]

    def holding(self, term: str) -> list[tuple[str, int]]:
        """The articles whose entries hold ``term``, each with its entry's number of distinct terms."""
        if '"' in term:
            return []
        name = self.name
        sql = (
            f"SELECT e.article, e.size FROM {name}_entries AS e JOIN "
            f"(SELECT rowid FROM {name}_index WHERE {name}_index MATCH ?) AS hit ON e.rowid = hit.rowid"
        )
        return list(self._db.execute(sql, (f'"{term}"',)))

    def frequencies(self, terms: Iterable[str] | None = None) -> dict[str, int]:
        """How many entries hold each of ``terms`` (every term when None; terms no entry holds are left out)."""
        sql = f"SELECT term, articles FROM {self.name}_terms"
        if terms is None:
            return dict(self._db.execute(sql))
        return dict(rows_in(self._db, sql + " WHERE term IN ({marks})", set(terms)))

    def count(self) -> int:
        return int(self._db.execute(f"SELECT COUNT(*) FROM {self.name}_entries").fetchone()[0])

    def _transaction(self, work: Callable[[], None]) -> None:
        try:
            self._db.execute("BEGIN IMMEDIATE")
            work()
            self._db.execute("COMMIT")
        except sqlite3.Error as error:
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            raise StoreError(f"cannot write the {self.name} entries of {self._path}: {error}") from error
