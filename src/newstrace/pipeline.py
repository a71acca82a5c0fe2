"""The ingest pipeline: sources → extract → store, in batches, with failures recorded.

This is the embedded engine's loop; it calls the same stage functions any other
engine would, and keeps no state beyond the store it is given.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Generic, TypeVar

from newstrace.errors import InputError
from newstrace.extract import extract_article
from newstrace.model import Article, Problem, RawDocument
from newstrace.processes import default_workers, exit_with_parent
from newstrace.sources import SourceItem, SourceOptions, read_sources
from newstrace.store import SQLiteStore
from newstrace.store.sqlite import ArticleRow, article_row

ProgressCallback = Callable[[int], None]
T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class IngestOptions:
    """How ingest reads, how many processes extract, and how many articles go in one transaction."""

    sources: SourceOptions = field(default_factory=SourceOptions)
    batch_size: int = 500
    workers: int = field(default_factory=default_workers)
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


def extract_row(item: SourceItem) -> ArticleRow | Problem:
    """``extract_one``, then the article encoded as the store keeps it: both run in the worker process,
    so the main process only reads input and writes rows."""
    result = extract_one(item)
    return article_row(result) if isinstance(result, Article) else result


class BatchExtractor(Generic[R]):
    """Runs ``work`` (an extraction) over batches of source items, in order, in worker processes once
    batches are big enough.

    The pool starts on the first large batch, so a handful of files costs no process start-up.
    Up to ``ahead`` batches are with the workers while the caller stores the batch before
    and reads the batch after, so neither side idles while the other works.
    """

    def __init__(
        self, work: Callable[[SourceItem], R], workers: int, min_batch_for_workers: int, ahead: int = 2
    ) -> None:
        self.work = work
        self.workers = workers
        self.min_batch_for_workers = min_batch_for_workers
        self.ahead = ahead
        self._stack = ExitStack()
        self._pool: Executor | None = None

    def __enter__(self) -> BatchExtractor[R]:
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()

    def extract(self, batches: Iterable[tuple[T, list[SourceItem]]]) -> Iterator[tuple[T, list[R]]]:
        """Each ``(tag, items)`` batch's tag with its items extracted, in the order the batches came."""
        pending: deque[tuple[T, Iterator[R]]] = deque()
        for tag, items in batches:
            pending.append((tag, self._start(items)))
            if len(pending) > self.ahead:
                tag, results = pending.popleft()
                yield tag, list(results)
        while pending:
            tag, results = pending.popleft()
            yield tag, list(results)

    def _start(self, items: list[SourceItem]) -> Iterator[R]:
        """Hand ``items`` to the workers (or, without a pool, extract them when their results are read)."""
        if self._pool is None and self.workers > 1 and len(items) >= self.min_batch_for_workers:
            pool = ProcessPoolExecutor(self.workers, initializer=exit_with_parent, initargs=(os.getpid(),))
            self._pool = self._stack.enter_context(pool)
        if self._pool is None:
            return map(self.work, items)
        # Two chunks per worker and batch: the executor queues only a call or so per worker, and with
        # small chunks the workers ran dry whenever the main process was busy storing.
        chunk = max(1, len(items) // (2 * self.workers))
        return self._pool.map(self.work, items, chunksize=chunk)


def _batches(items: Iterable[T], size: int) -> Iterator[list[T]]:
    items = iter(items)
    while batch := list(islice(items, size)):
        yield batch


def _not_stored(store: SQLiteStore, batch: list[SourceItem]) -> list[SourceItem]:
    """The items of ``batch`` still to extract: all but documents whose input id is stored already."""
    known = store.known_ids([i.id for i in batch if isinstance(i, RawDocument) and i.id])
    return [i for i in batch if not (isinstance(i, RawDocument) and i.id in known)]


def extract_items(
    items: Iterable[SourceItem], options: IngestOptions | None = None
) -> Iterator[Article | Problem]:
    """Extract a stream of source items, in order, batch by batch."""
    options = options or IngestOptions()
    with BatchExtractor(extract_one, options.workers, options.min_batch_for_workers) as extractor:
        for _, results in extractor.extract((None, batch) for batch in _batches(items, options.batch_size)):
            yield from results


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
    batches = (
        (batch, _not_stored(store, batch))
        for batch in _batches(read_sources(paths, options.sources), options.batch_size)
    )
    with BatchExtractor(extract_row, options.workers, options.min_batch_for_workers) as extractor:
        for batch, results in extractor.extract(batches):
            rows = [r for r in results if not isinstance(r, Problem)]
            problems = [p for p in results if isinstance(p, Problem)]
            new_ids = store.add_article_rows(rows)
            store.add_problems(problems)
            report.new_ids.extend(new_ids)
            report.duplicates += len(batch) - len(results) + len(rows) - len(new_ids)
            report.problems.extend(problems)
            if progress:
                progress(len(batch))
    return report
