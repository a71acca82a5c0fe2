"""The SQLite term index: a stage's per-article term lists, searchable without loading the store.

For each index ``name`` (see ``base.TERM_INDEXES``) the store has three tables: ``{name}_entries``
(every article's entry: its publication day, its number of distinct terms, and the stage's data as
text), ``{name}_terms`` (how many entries hold each term: document frequencies, for IDF weights) and
``{name}_index``, an SQLite FTS5 full-text index of the terms (which entries hold a term). A query
then reads only the entries that share a term with the new article, with the statistics of the
whole store.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from newstrace.store.base import Entry

if TYPE_CHECKING:
    from newstrace.store.sqlite import SQLiteStore

# SQLite takes at most 999 parameters a statement.
PARAMETERS = 900
# Terms a full-text query ORs together: a few hundred keep each query quick.
QUERY_TERMS = 500


def rows_in(db: sqlite3.Connection, sql: str, keys: Iterable[Any], *before: Any) -> Iterator[tuple[Any, ...]]:
    """The rows of ``sql``, whose ``{marks}`` is an IN list, for all ``keys`` (a few hundred a query),
    each query's parameters being ``before`` and then its keys."""
    keys = list(keys)
    for start in range(0, len(keys), PARAMETERS):
        chunk = keys[start : start + PARAMETERS]
        yield from db.execute(sql.format(marks=",".join("?" * len(chunk))), (*before, *chunk))


class SQLiteTermIndex:
    """One stage's entries, their terms' document frequencies and the full-text index of their terms."""

    def __init__(self, store: SQLiteStore, name: str) -> None:
        self._store, self.name = store, name

    def _rows(self, sql: str, *parameters: Any) -> list[tuple[Any, ...]]:
        with self._store.reading() as db:
            return db.execute(sql, parameters).fetchall()

    def settings(self) -> str | None:
        return self._store.settings.get(self.name)

    def reset(self, settings: str) -> None:
        name = self.name
        with self._store.transaction(f"the {name} index") as db:
            db.execute(f"DELETE FROM {name}_entries")
            db.execute(f"DELETE FROM {name}_terms")
            db.execute(f"INSERT INTO {name}_index ({name}_index) VALUES ('delete-all')")
            db.execute("INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)", (name, settings))

    def missing_ids(self) -> list[str]:
        # Sorted here, not by the query: ORDER BY seq would read the whole table, not its index.
        rows = self._rows(
            f"SELECT seq, article FROM article_stages WHERE article NOT IN (SELECT article FROM {self.name}_entries)"
        )
        return [article for _, article in sorted(rows)]

    def add(self, entries: Iterable[tuple[Entry, Iterable[str]]]) -> None:
        entries = list(entries)
        name = self.name
        with self._store.transaction(f"the {name} index") as db:
            known = {
                r[0]
                for r in rows_in(
                    db, f"SELECT article FROM {name}_entries WHERE article IN ({{marks}})", [e[0] for e, _ in entries]
                )
            }
            counts: Counter[str] = Counter()
            for entry, terms in entries:
                if entry[0] in known:
                    continue
                known.add(entry[0])
                distinct = list(dict.fromkeys(terms))
                counts.update(distinct)
                cursor = db.execute(
                    f"INSERT INTO {name}_entries (article, day, size, data) VALUES (?,?,?,?)",
                    (entry[0], entry[1], len(distinct), entry[2]),
                )
                db.execute(
                    f"INSERT INTO {name}_index (rowid, terms) VALUES (?,?)", (cursor.lastrowid, " ".join(distinct))
                )
            db.executemany(
                f"INSERT INTO {name}_terms (term, articles) VALUES (?,?) "
                "ON CONFLICT (term) DO UPDATE SET articles = articles + excluded.articles",
                sorted(counts.items()),
            )

    def entries(self, ids: Iterable[str] | None = None, days: tuple[int, int] | None = None) -> list[Entry]:
        columns = f"SELECT article, day, data FROM {self.name}_entries"
        if ids is not None:
            with self._store.reading() as db:
                return sorted(rows_in(db, columns + " WHERE article IN ({marks})", set(ids)))
        if days is not None:
            return self._rows(columns + " WHERE day BETWEEN ? AND ? OR day IS NULL ORDER BY article", *days)
        return self._rows(columns + " ORDER BY article")

    def sharing(self, terms: Iterable[str], days: tuple[int, int] | None = None) -> list[Entry]:
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
            found.update((row[0], row) for row in self._rows(sql, query, *(days or ())))
        return [found[article] for article in sorted(found)]

    def holding(self, term: str) -> list[tuple[str, int]]:
        if '"' in term:
            return []
        name = self.name
        sql = (
            f"SELECT e.article, e.size FROM {name}_entries AS e JOIN "
            f"(SELECT rowid FROM {name}_index WHERE {name}_index MATCH ?) AS hit ON e.rowid = hit.rowid"
        )
        return self._rows(sql, f'"{term}"')

    def frequencies(self, terms: Iterable[str] | None = None) -> dict[str, int]:
        sql = f"SELECT term, articles FROM {self.name}_terms"
        if terms is None:
            return dict(self._rows(sql))
        with self._store.reading() as db:
            return dict(rows_in(db, sql + " WHERE term IN ({marks})", set(terms)))

    def count(self) -> int:
        return int(self._rows(f"SELECT COUNT(*) FROM {self.name}_entries")[0][0])
