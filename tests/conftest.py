"""Shared fixtures: hand-built records, temporary stores, and the ../shared data when present."""

from __future__ import annotations

from pathlib import Path

import pytest

from newstrace.store import MEMORY, SQLiteStore, open_store

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SHARED_DATA = SHARED / "data"
SAMPLES = SHARED / "samples"


def needs_shared(path: Path) -> pytest.MarkDecorator:
    """Skip (with the reason) when the ../shared data a test reads is not beside the checkout."""
    return pytest.mark.skipif(not path.exists(), reason=f"{path} not present")


@pytest.fixture
def store() -> SQLiteStore:
    with open_store(MEMORY) as memory_store:
        yield memory_store


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "test.db"
