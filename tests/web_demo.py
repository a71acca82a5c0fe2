"""What the web tests share: the demo store, built once per module, and a client over a copy of it."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fastapi.testclient import TestClient

from newstrace.engine import AnalyzeOptions, LocalEngine
from newstrace.store import open_store
from newstrace.web import ServeOptions, create_app

DEMO = Path(__file__).resolve().parents[1] / "examples" / "demo"
TOKEN = "test-token-7f3a"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def build_demo(path: Path) -> Path:
    """The demo corpus analysed into a store at ``path``."""
    with open_store(path) as store, LocalEngine(store, AnalyzeOptions(workers=1)) as engine:
        engine.analyze([DEMO])
    return path


@contextmanager
def client_over(demo_db: Path, copy_to: Path | None = None, **options: object) -> Iterator[TestClient]:
    """A client of the service over the demo store (over a copy of it at ``copy_to`` when the test writes)."""
    path = demo_db
    if copy_to is not None:
        shutil.copy(demo_db, copy_to)
        path = copy_to
    with open_store(path) as store, TestClient(create_app(store, ServeOptions(**{"token": TOKEN, **options}))) as client:
        yield client


def bridge_story(client: TestClient) -> str:
    """The id of the demo's bridge story."""
    stories = client.get("/api/v1/stories").json()["stories"]
    return next(s["id"] for s in stories if "bridge" in s["title"].lower())


def walk(client: TestClient, path: str, key: str, limit: int) -> list[dict]:
    """Every item of a paged list, following ``next``."""
    items, cursor = [], None
    while True:
        params = {"limit": limit, **({"cursor": cursor} if cursor else {})}
        page = client.get(path, params=params).json()
        items += page[key]
        cursor = page["next"]
        if cursor is None:
            return items
