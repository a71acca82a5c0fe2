"""Storage at the edge of the pipeline: ``open_store(path)`` gives the embedded SQLite store."""

from __future__ import annotations

from pathlib import Path

from newstrace.store.sqlite import MEMORY, SQLiteStore

__all__ = ["DEFAULT_DB", "MEMORY", "SQLiteStore", "open_store"]

DEFAULT_DB = "newstrace.db"


def open_store(path: str | Path = DEFAULT_DB) -> SQLiteStore:
    """Open (creating and migrating as needed) the store at ``path``; ``":memory:"`` keeps it in memory."""
    return SQLiteStore(path)
