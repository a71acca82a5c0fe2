"""Storage at the edge of the pipeline: ``open_store(path)`` gives the embedded SQLite store,
``MemoryStore()`` one that lives in memory only.

Both offer the same small read interfaces (``store.articles``, ``store.relations``, ...) and take
every write as one ``Changes`` (see ``store.base``).
"""

from __future__ import annotations

from pathlib import Path

from newstrace.store.base import STAGES, Changes, Store, TermIndex, encode_article
from newstrace.store.memory import MemoryStore
from newstrace.store.sqlite import MEMORY, SQLiteStore

__all__ = [
    "DEFAULT_DB",
    "MEMORY",
    "STAGES",
    "Changes",
    "MemoryStore",
    "SQLiteStore",
    "Store",
    "TermIndex",
    "encode_article",
    "open_store",
]

DEFAULT_DB = "newstrace.db"


def open_store(path: str | Path = DEFAULT_DB) -> SQLiteStore:
    """Open (creating and migrating as needed) the SQLite store at ``path`` (``":memory:"``: in memory)."""
    return SQLiteStore(path)
