"""Where the watcher's pages go for now: extracted, stored and taken through the later stages.

This is the one place that ties the watcher to today's engine (``pipeline.extract_one``, the store,
``analysis.update_stages``); the stage spine's engine call replaces it.
"""

from __future__ import annotations

from collections.abc import Sequence

from newstrace.analysis import AnalyzeOptions, update_stages
from newstrace.model import Article, Problem, RawDocument
from newstrace.pipeline import extract_one
from newstrace.store import SQLiteStore
from newstrace.watch.watcher import Sink


def store_and_analyze(store: SQLiteStore, options: AnalyzeOptions | None = None) -> Sink:
    """A sink that does what ``newstrace ingest`` does with each batch of pages.

    It may be given a batch again after a crash: articles already stored are not stored twice, and
    those a crash left outside any story go through the later stages now.
    """

    def process(documents: Sequence[RawDocument]) -> list[str]:
        results = [extract_one(document) for document in documents]
        articles = [r for r in results if isinstance(r, Article)]
        store.add_problems(r for r in results if isinstance(r, Problem))
        new_ids = store.add_articles(articles)
        ids = list(dict.fromkeys(a.id for a in articles))
        placed = store.stories_of(ids)
        update_stages(store, [i for i in ids if i not in placed], options)
        return new_ids

    return process
