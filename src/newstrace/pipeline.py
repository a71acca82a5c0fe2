"""The ingest pipeline: sources → extract → store, in batches, with failures recorded.

This is the embedded engine's loop; it calls the same stage functions any other
engine would, and keeps no state beyond the store it is given.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from newstrace.errors import InputError
from newstrace.extract import extract_article
from newstrace.model import Article, Problem, RawDocument
from newstrace.sources import SourceItem, SourceOptions, read_sources
from newstrace.store import SQLiteStore

ProgressCallback = Callable[[int], None]


@dataclass(frozen=True)
class IngestOptions:
    """How ingest reads, how many processes extract, and how many articles go in one transaction."""

    sources: SourceOptions = field(default_factory=SourceOptions)
    batch_size: int = 500
    workers: int = field(default_factory=lambda: min(2, os.cpu_count() or 1))
    min_batch_for_workers: int = 64


@dataclass
class IngestReport:
    """What an ingest run did: new articles, ones already stored, inputs skipped and why."""

    new_ids: list[str] = field(default_factory=list)
    duplicates: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ingested(self) -> int:
        return len(self.new_ids)

    @property
    def skipped(self) -> int:
        """Inputs that yielded no article (records skipped on purpose count too)."""
        return len(self.problems)


def extract_one(item: SourceItem) -> Article | Problem:
    """Extract one source item; a failure becomes a ``Problem`` of the extract stage."""
    if isinstance(item, Problem):
        return item
    try:
        return extract_article(item)
    except InputError as error:
        return Problem(error.origin, error.reason, stage="extract")


class BatchExtractor:
    """Extracts batches of source items, in order, over worker processes once batches are big enough.

    The pool starts on the first large batch, so a handful of files costs no process start-up.
    """

    def __init__(self, workers: int, min_batch_for_workers: int) -> None:
        self.workers = workers
        self.min_batch_for_workers = min_batch_for_workers
        self._stack = ExitStack()
        self._pool: Executor | None = None

    def __enter__(self) -> BatchExtractor:
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()

    def extract(self, items: list[SourceItem]) -> list[Article | Problem]:
        if self._pool is None and self.workers > 1 and len(items) >= self.min_batch_for_workers:
            self._pool = self._stack.enter_context(ProcessPoolExecutor(self.workers))
        if self._pool is None:
            return [extract_one(item) for item in items]
        chunk = max(1, len(items) // (4 * self.workers))
        return list(self._pool.map(extract_one, items, chunksize=chunk))


def extract_items(items: Iterable[SourceItem], options: IngestOptions | None = None) -> Iterator[Article | Problem]:
    """Extract a stream of source items, in order, batch by batch."""
    options = options or IngestOptions()
    items = iter(items)
    with BatchExtractor(options.workers, options.min_batch_for_workers) as extractor:
        while batch := list(islice(items, options.batch_size)):
            yield from extractor.extract(batch)


def ingest(
    store: SQLiteStore,
    paths: Iterable[str | Path],
    options: IngestOptions | None = None,
    progress: ProgressCallback | None = None,
) -> IngestReport:
    """Read, extract and store every article under ``paths``.

    Items whose input id is already stored are not extracted again, so a re-run
    (after a crash, say) costs little more than reading the input.

    Args:
        store: where articles and problems are written.
        paths: files, directories or ``-`` (standard input).
        options: source limits, worker processes and batch size.
        progress: called with the number of input items handled after each batch.

    Returns:
        An ``IngestReport``: new article ids, duplicates, problems with their reasons.
    """
    options = options or IngestOptions()
    report = IngestReport()
    items = read_sources(paths, options.sources)
    with BatchExtractor(options.workers, options.min_batch_for_workers) as extractor:
        while batch := list(islice(items, options.batch_size)):
            known = store.known_ids([i.id for i in batch if isinstance(i, RawDocument) and i.id])
            results = extractor.extract([i for i in batch if not (isinstance(i, RawDocument) and i.id in known)])
            articles = [a for a in results if isinstance(a, Article)]
            problems = [p for p in results if isinstance(p, Problem)]
            new_ids = store.add_articles(articles)
            store.add_problems(problems)
            report.new_ids.extend(new_ids)
            report.duplicates += len(batch) - len(results) + len(articles) - len(new_ids)
            report.problems.extend(problems)
            if progress:
                progress(len(batch))
    return report
