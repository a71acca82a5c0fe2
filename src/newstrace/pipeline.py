"""The ingest pipeline: sources → extract → store, in batches, with failures recorded.

This is the embedded engine's loop; it calls the same stage functions any other
engine would, and keeps no state beyond the store it is given.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
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
    """How ingest reads and how many articles it writes per transaction."""

    sources: SourceOptions = field(default_factory=SourceOptions)
    batch_size: int = 500


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


def extract_items(items: Iterable[SourceItem]) -> Iterator[Article | Problem]:
    """Run extraction over a stream of source items, turning failures into ``Problem``s."""
    for item in items:
        if isinstance(item, RawDocument):
            try:
                yield extract_article(item)
            except InputError as error:
                yield Problem(error.origin, error.reason, stage="extract")
        else:
            yield item


def ingest(
    store: SQLiteStore,
    paths: Iterable[str | Path],
    options: IngestOptions | None = None,
    progress: ProgressCallback | None = None,
) -> IngestReport:
    """Read, extract and store every article under ``paths``.

    Args:
        store: where articles and problems are written.
        paths: files, directories or ``-`` (standard input).
        options: source limits and batch size.
        progress: called with the number of input items handled after each batch.

    Returns:
        An ``IngestReport``: new article ids, duplicates, problems with their reasons.
    """
    options = options or IngestOptions()
    report = IngestReport()
    stream = extract_items(read_sources(paths, options.sources))
    while batch := list(islice(stream, options.batch_size)):
        articles = [a for a in batch if isinstance(a, Article)]
        problems = [p for p in batch if isinstance(p, Problem)]
        new_ids = store.add_articles(articles)
        store.add_problems(problems)
        report.new_ids.extend(new_ids)
        report.duplicates += len(articles) - len(new_ids)
        report.problems.extend(problems)
        if progress:
            progress(len(batch))
    return report
