"""Shared fixtures: hand-built records, temporary stores, and the ../shared data when present."""

from __future__ import annotations

from pathlib import Path

import pytest

from newstrace.engine import AnalyzeOptions, LocalEngine, RunReport
from newstrace.model import Article, Relation
from newstrace.store import MEMORY, Changes, MemoryStore, SQLiteStore, Store, encode_article, open_store
from newstrace.workers import Workers

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


@pytest.fixture(params=["sqlite", "memory"])
def any_store(request: pytest.FixtureRequest) -> Store:
    """Each backend in turn: what a test shows holds for both."""
    with open_store(MEMORY) if request.param == "sqlite" else MemoryStore() as backend:
        yield backend


def add_articles(store: Store, articles: list[Article]) -> list[str]:
    """Store ``articles`` as ingest does (extracted, no later stage done); returns the new ids."""
    return store.commit(Changes(articles=[encode_article(a) for a in articles]))


def related(store: Store, relations: list[Relation] = ()) -> None:
    """Give the store ``relations`` and count every stored article as related (for tests of later stages)."""
    store.commit(Changes(relations=list(relations), done={"relate": set(store.articles.ids())}))


def grouped(store: Store, stories: list) -> None:
    """Give the store ``stories`` and count their articles as grouped (for tests of later stages)."""
    store.commit(Changes(stories=list(stories), done={"stories": {a for s in stories for a in s.articles}}))


def run_stages(store: Store, upto: str = "brief", options: AnalyzeOptions | None = None) -> RunReport:
    """Bring every stored article through the stages up to ``upto``, in this process."""
    with LocalEngine(store, options, Workers(1)) as engine:
        return engine.run(engine.pipeline(upto))


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "test.db"
