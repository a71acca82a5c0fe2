"""Ingest: sources → extract → store, in batches, with every input that yields no article recorded.

Input items are read in order and extracted in the engine's worker processes, a batch at a
time; each batch is stored in one transaction. An item whose input id is stored already, from
the same input, is not extracted again, so a re-run costs little more than reading the input.
The same id arriving with other text is refused and recorded, never dropped in silence.
"""

from __future__ import annotations

import hashlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import TypeVar

from newstrace.errors import InputError
from newstrace.extract import extract_article
from newstrace.model import Article, Problem, RawDocument
from newstrace.sources import SourceItem, SourceOptions, read_sources
from newstrace.store.base import Changes, EncodedArticle, Store, encode_article
from newstrace.workers import Progress, Workers

T = TypeVar("T")
R = TypeVar("R")

# Why an article is refused when its id is stored already with other text ("{}" is the id). Both
# engines give this reason, so that their problems are the same.
ID_TAKEN = "id {} is stored already with other text; the stored article is kept (give this one another id to keep both)"


@dataclass(frozen=True)
class IngestOptions:
    """How ingest reads, how many articles go in one transaction, and when extraction is worth workers."""

    sources: SourceOptions = field(default_factory=SourceOptions)
    batch_size: int = 500
    min_batch_for_workers: int = 64
    ahead: int = 2


@dataclass
class IngestReport:
    """What an ingest run did: new articles, ones already stored, inputs skipped and why."""

    new_ids: list[str] = field(default_factory=list)
    duplicates: int = 0
    problems: list[Problem] = field(default_factory=list)
    stored: dict[str, str] | None = None
    """Input origin → the id of the stored article it gave or matched (new ones and duplicates). Kept by
    ``ingest_items`` only, whose callers hold their items anyway: for a corpus read from files it would
    hold every input's origin in memory."""

    @property
    def ingested(self) -> int:
        return len(self.new_ids)

    @property
    def skipped(self) -> int:
        """Inputs that yielded no article (records skipped on purpose count too)."""
        return len(self.problems)

    def found(self, origin: str, article_id: str) -> None:
        """The input at ``origin`` gave, or matched, the stored article ``article_id``."""
        if self.stored is not None:
            self.stored[origin] = article_id


def extract_item(item: SourceItem) -> Article | Problem:
    """Extract one source item; a failure becomes a ``Problem`` of the extract stage."""
    if isinstance(item, Problem):
        return item
    try:
        return extract_article(item)
    except InputError as error:
        return Problem(error.origin, error.reason, stage="extract")


def raw_hash(document: RawDocument) -> str:
    """What identifies the input an article came from: its body and the fields given with it."""
    given = (document.format, document.body, document.url, document.title, document.date, document.outlet, *document.authors)
    pieces = []
    for part in given:  # each part with its length, so no two inputs give the same bytes (repr cost 3x the hash)
        data = b"\xff" if part is None else part.encode("utf-8", "surrogatepass")
        pieces += (len(data).to_bytes(8, "big"), data)
    return hashlib.sha1(b"".join(pieces)).hexdigest()


def _encoded(item: SourceItem) -> tuple[EncodedArticle, str] | Problem:
    """``extract_item``, then the article as the store keeps it, with its origin: both run in a worker
    process, so the main process only reads input and writes rows."""
    result = extract_item(item)
    if isinstance(result, Problem):
        return result
    return encode_article(result, raw_hash(item) if isinstance(item, RawDocument) else None), result.origin


def extract_items(
    items: Iterable[SourceItem], workers: Workers | None = None, options: IngestOptions | None = None
) -> Iterator[Article | Problem]:
    """Extract a stream of source items, in order, batch by batch (the batch form of ``extract_article``)."""
    options = options or IngestOptions()
    workers = workers or Workers(1)
    for _, results in _extracted(((None, batch) for batch in _batches(items, options.batch_size)), extract_item, workers, options):
        yield from results


def ingest(
    store: Store,
    paths: Iterable[str | Path],
    workers: Workers | None = None,
    options: IngestOptions | None = None,
    progress: Progress | None = None,
) -> IngestReport:
    """Read, extract and store every article under ``paths``.

    Args:
        store: where articles and problems are written.
        paths: files, directories or ``-`` (standard input).
        workers: processes to extract in (default: this one only).
        options: source limits and batch size.
        progress: called with the number of input items handled after each batch.

    Returns:
        An ``IngestReport``: new article ids, duplicates, problems with their reasons.
    """
    options = options or IngestOptions()
    return _ingest(store, read_sources(paths, options.sources), workers, options, progress, IngestReport())


def ingest_items(
    store: Store,
    items: Iterable[SourceItem],
    workers: Workers | None = None,
    options: IngestOptions | None = None,
    progress: Progress | None = None,
) -> IngestReport:
    """``ingest`` of items already read (documents fetched by the watcher or posted to the server), with
    the stored article of each item's origin in ``IngestReport.stored``."""
    return _ingest(store, items, workers, options, progress, IngestReport(stored={}))


def _ingest(
    store: Store,
    items: Iterable[SourceItem],
    workers: Workers | None,
    options: IngestOptions | None,
    progress: Progress | None,
    report: IngestReport,
) -> IngestReport:
    options = options or IngestOptions()
    workers = workers or Workers(1)
    batches = ((batch, _to_extract(store, batch, report)) for batch in _batches(items, options.batch_size))
    for batch, results in _extracted(batches, _encoded, workers, options):
        changes = Changes(problems=[r for r in results if isinstance(r, Problem)])
        changes.articles, refused = _accepted(store, [r for r in results if not isinstance(r, Problem)], report)
        changes.problems += refused
        report.new_ids += store.commit(changes)
        report.problems += changes.problems
        if progress:
            progress(len(batch))
    return report


def _to_extract(store: Store, batch: list[SourceItem], report: IngestReport) -> list[SourceItem]:
    """The items of ``batch`` still to extract: all but documents stored already from the same input."""
    known = store.articles.known(i.id for i in batch if isinstance(i, RawDocument) and i.id)
    kept = []
    for item in batch:
        stored = known.get(item.id) if isinstance(item, RawDocument) and item.id else None
        if stored is not None and stored[1] == raw_hash(item):
            report.duplicates += 1
            report.found(item.origin, item.id)
        else:
            kept.append(item)
    return kept


def _accepted(
    store: Store, extracted: list[tuple[EncodedArticle, str]], report: IngestReport
) -> tuple[list[EncodedArticle], list[Problem]]:
    """The extracted articles to store, and a problem for each whose id is stored (or came earlier in
    the batch) with other text; one with the same text counts as a duplicate."""
    known = {i: hashes[0] for i, hashes in store.articles.known(row[0] for row, _ in extracted).items()}
    kept, refused = [], []
    for row, origin in extracted:
        stored = known.get(row[0])
        if stored is None:
            known[row[0]] = row[1]
            kept.append(row)
            report.found(origin, row[0])
        elif stored == row[1]:
            report.duplicates += 1
            report.found(origin, row[0])
        else:
            refused.append(Problem(origin, ID_TAKEN.format(row[0]), stage="extract"))
    return kept, refused


def _batches(items: Iterable[T], size: int) -> Iterator[list[T]]:
    items = iter(items)
    while batch := list(islice(items, size)):
        yield batch


def _extracted(
    batches: Iterable[tuple[T, list[SourceItem]]], work: Callable[[SourceItem], R], workers: Workers, options: IngestOptions
) -> Iterator[tuple[T, list[R]]]:
    """Each ``(tag, items)`` batch's tag with its items extracted by ``work``, in the order the batches
    came; up to ``options.ahead`` batches are with the workers while the caller stores the one before
    and reads the one after, so neither side idles while the other works."""
    pending: deque[tuple[T, Iterator[R]]] = deque()
    for tag, items in batches:
        pending.append((tag, workers.map(work, items, parallel=len(items) >= options.min_batch_for_workers)))
        if len(pending) > options.ahead:
            tag, results = pending.popleft()
            yield tag, list(results)
    while pending:
        tag, results = pending.popleft()
        yield tag, list(results)
