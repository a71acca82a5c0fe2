"""Where the watcher's pages go: through the engine, as ``newstrace ingest`` takes files."""

from __future__ import annotations

from collections.abc import Sequence

from newstrace.engine import LocalEngine
from newstrace.model import RawDocument
from newstrace.watch.watcher import Sink


def store_and_analyze(engine: LocalEngine) -> Sink:
    """A sink that stores each batch of pages and brings every stored article through every stage.

    It may be given a batch again after a crash: articles already stored are not stored twice, and
    whatever a crash left due (stories, checks, briefs) is done now.
    """

    def process(documents: Sequence[RawDocument]) -> list[str]:
        report = engine.ingest_documents(documents)
        engine.run()
        return report.new_ids

    return process
