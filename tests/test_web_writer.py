"""The service's one writer: posts queued while a write runs go through the engine together, each answered
with its own article; the same article twice is stored once; the engine's documents entry point."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

from newstrace.engine import AnalyzeOptions, LocalEngine
from newstrace.model import RawDocument
from newstrace.sources import read_sources
from newstrace.store import MemoryStore
from newstrace.web.writer import StoryEvents, Writer

DEMO = Path(__file__).resolve().parents[1] / "examples" / "demo"
TEXT = "The harbour ferry to Isle Quen was cancelled on Tuesday because of the storm, the operator said."


def _document(origin: str, article_id: str | None, text: str = TEXT) -> RawDocument:
    return RawDocument(origin=origin, body=text, id=article_id, title="Ferry cancelled")


def test_ingest_documents_says_which_stored_article_each_document_gave() -> None:
    with LocalEngine(MemoryStore(), AnalyzeOptions(workers=1)) as engine:
        first = engine.ingest_documents([_document("p#0", "f1"), _document("p#1", None, TEXT + " More.")])
        again = engine.ingest_documents([_document("q#0", "f1"), _document("q#1", "f1", "Other text entirely.")])
        assert first.stored["p#0"] == "f1" and first.stored["p#1"] in first.new_ids and len(first.new_ids) == 2
        assert again.stored == {"q#0": "f1"} and again.duplicates == 1
        assert "stored already with other text" in again.problems[0].reason and again.problems[0].origin == "q#1"
        assert engine.store.stages.pending("relate") == first.new_ids


def test_ingest_of_files_keeps_no_map_of_origins_and_documents_do() -> None:
    """A corpus read from files would hold every input's origin in memory; documents in hand are mapped."""
    with LocalEngine(MemoryStore(), AnalyzeOptions(workers=1)) as engine:
        assert engine.ingest([DEMO]).stored is None
        report = engine.ingest_documents(read_sources([DEMO]))
        assert report.stored is not None and sorted(report.stored.values()) == sorted(engine.store.articles.ids())


def test_posts_queued_together_are_written_in_one_step_and_each_answered() -> None:
    store = MemoryStore()
    with LocalEngine(store, AnalyzeOptions(workers=1)) as engine:
        writer = Writer(engine, StoryEvents())
        hold = threading.Event()
        writer.submit(lambda engine: hold.wait(10))  # the writer is busy while the posts queue up
        futures = [writer.post([_document(f"post{i}#0", f"w{i % 3}")]) for i in range(6)]
        refused = writer.post([_document("other#0", "w0", "Another article under a taken id.")])
        writer.start()
        hold.set()
        results = [f.result(30) for f in futures]
        writer.stop()
    assert [r.ids for r in results] == [["w0"], ["w1"], ["w2"], ["w0"], ["w1"], ["w2"]]
    assert store.articles.ids() == ["w0", "w1", "w2"] and set(store.stages.done("w0")) >= {"brief"}
    assert refused.result().ids == [None] and "other text" in refused.result().problems[0]


def test_a_write_wakes_the_streams_of_the_stories_it_changed() -> None:
    async def scenario() -> str:
        events = StoryEvents()
        queue = events.subscribe("s1")
        other = events.subscribe("s2")
        threading.Thread(target=events.publish, args=({"s1"},)).start()
        woken = await asyncio.wait_for(queue.get(), 5)
        events.unsubscribe("s1", queue)
        events.unsubscribe("s2", other)
        assert other.empty()
        return woken

    assert asyncio.run(scenario()) == "changed"
