"""The relate stage over a store: relate new articles against the stored ones, write the relations back.

A few new articles are related against the store's "relate" term table, which keeps every stored
article's fingerprint, the number of fingerprints holding each stem and a full-text index of the
stems: the candidate search reads only the postings of the new article's rare stems and the
fingerprints and texts of its best candidates, and gives what an in-memory index of the whole
store would. Many new articles (or ``article_ids=None``) are related with the whole store in
memory at once, which is cheaper per article.
"""

from __future__ import annotations

import json
from array import array
from collections.abc import Collection, Iterable, Iterator, MutableMapping

import numpy as np

from newstrace.model import Article, Relation
from newstrace.relate.candidates import CandidateIndex, Query, fingerprint
from newstrace.relate.relator import ProgressCallback, RelateOptions, Relator
from newstrace.relate.text import STEM_LENGTH, STOPWORDS
from newstrace.store import SQLiteStore
from newstrace.store.terms import TermTable

# When the new articles are at least 1/WHOLE_STORE_SHARE of the store, the whole store is related.
WHOLE_STORE_SHARE = 5
# Bump when ``fingerprint`` changes what it keeps, so that stored fingerprints are made again.
FINGERPRINT_FORMAT = 1
# Articles fingerprinted per store transaction.
FINGERPRINT_BATCH = 2000


def relate_store(
    store: SQLiteStore,
    article_ids: Iterable[str] | None = None,
    options: RelateOptions | None = None,
    progress: ProgressCallback | None = None,
) -> list[Relation]:
    """Relate the store's articles and replace the stored relations they touch.

    Args:
        store: the store to read articles from and write relations to.
        article_ids: relate just these (new) articles against all others; ``None`` relates the whole store.
        options: relate options.
        progress: called with the number of articles handled since the last call.

    Returns:
        The relations written: all of them for a whole store, else those of the given articles' copy groups.
    """
    options = options or RelateOptions()
    wanted = set(article_ids) if article_ids is not None else set()
    # Relating many new articles one by one costs more than relating the whole store at once.
    if article_ids is None or len(wanted) * WHOLE_STORE_SHARE >= store.count_articles():
        relator = Relator(options)
        relator.add_all(store.iter_articles(), progress)
        relations = relator.relations()
        store.delete_relations()
        store.put_relations(relations)
        # Kept for the next few new articles, which are then related without loading the store.
        table = _relate_table(store)
        table.add(_entry(article_id, stems) for article_id, stems in relator.fingerprints())
        return relations
    relator = _relator_over(store, wanted, options)
    groups: dict[tuple[str, str], Relation] = {}
    for article in store.iter_articles(sorted(wanted)):
        relator.add(article)
        if progress:
            progress(1)
    for article_id in sorted(wanted):
        for relation in relator.complete_group(article_id):
            groups[(relation.original, relation.derived)] = relation
    touched = {article_id for pair in groups for article_id in pair} | wanted
    store.delete_relations(sorted(touched))
    relations = [groups[key] for key in sorted(groups)]
    store.put_relations(relations)
    return relations


def _relator_over(store: SQLiteStore, wanted: set[str], options: RelateOptions) -> Relator:
    """A relator holding every stored article but ``wanted``: searching the store's fingerprints where it
    can, else (the semantic index, or new articles fingerprinted before) with them all in memory."""
    table = fingerprint_articles(store, exclude=wanted)
    if options.semantic or table.entries(ids=wanted):
        relator = Relator(options)
        relator.index(a for a in store.iter_articles() if a.id not in wanted)
        return relator
    index = StoredCandidateIndex(table)
    return Relator(options, index=index, articles=StoredArticles(store, index))


def fingerprint_articles(store: SQLiteStore, exclude: Collection[str] = ()) -> TermTable:
    """Keep the fingerprint of every stored article but ``exclude`` in the store's "relate" term table."""
    table = _relate_table(store)
    missing = [article_id for article_id in table.missing_ids() if article_id not in exclude]
    for start in range(0, len(missing), FINGERPRINT_BATCH):
        articles = store.iter_articles(missing[start : start + FINGERPRINT_BATCH])
        table.add(_entry(article.id, fingerprint(article.text)) for article in articles)
    return table


def _relate_table(store: SQLiteStore) -> TermTable:
    """The store's "relate" term table, emptied first if its fingerprints were made another way."""
    table = store.term_table("relate")
    settings = json.dumps(
        {"format": FINGERPRINT_FORMAT, "stem_length": STEM_LENGTH, "stopwords": len(STOPWORDS)}
    )
    if table.settings() != settings:
        table.reset(settings)
    return table


def _entry(article_id: str, stems: tuple[str, ...]) -> tuple[tuple[str, None, str], tuple[str, ...]]:
    return (article_id, None, " ".join(stems)), stems


class StoredCandidateIndex(CandidateIndex):
    """A ``CandidateIndex`` over a "relate" term table: the answers of an index holding every stored
    fingerprint, from the postings, sizes and fingerprints a query reads, loaded as they are needed.

    Terms and articles get local numbers as they are first seen; ``add`` writes to the table.
    """

    def __init__(self, table: TermTable) -> None:
        super().__init__()
        self._table = table
        self._count = table.count()
        self._stems: list[str] = []  # by term number
        self._loaded: set[int] = set()  # terms whose postings were read
        self._held: list[np.ndarray | None] = []  # by article number: its fingerprint, once read

    def __len__(self) -> int:
        return self._count

    def __contains__(self, article_id: str) -> bool:
        if article_id in self._numbers:
            return True
        entries = self._table.entries(ids=[article_id])
        if entries:
            stems = entries[0][2].split()
            self._held[self._article(article_id, len(stems))] = self._terms(stems)
        return bool(entries)

    def prepare(self, stems: tuple[str, ...]) -> Query:
        self._terms(stems)
        return super().prepare(stems)

    def add(self, article_id: str, stems: tuple[str, ...]) -> None:
        if article_id in self:
            return
        known = [self._vocabulary[stem] for stem in stems if stem in self._vocabulary]
        self._table.add([_entry(article_id, stems)])
        self._count += 1
        number = self._article(article_id, len(stems))
        for term in known:
            self._df[term] += 1
            if term in self._loaded:
                self._postings[term].append(number)
        self._held[number] = self._terms(stems)

    def _total(self) -> int:
        return self._count

    def _posting_lists(self, terms: list[int]) -> list[np.ndarray]:
        for term in terms:
            if term not in self._loaded:
                self._loaded.add(term)
                holders = self._table.holding(self._stems[term])
                self._postings[term] = array("i", (self._article(a, size) for a, size in sorted(holders)))
        return super()._posting_lists(terms)

    def _sequence(self, article_id: str) -> np.ndarray:
        if article_id not in self:
            raise KeyError(article_id)
        number = self._numbers[article_id]
        held = self._held[number]
        if held is None:
            held = self._held[number] = self._terms(self._table.entries(ids=[article_id])[0][2].split())
        return held

    def _terms(self, stems: Iterable[str]) -> np.ndarray:
        """The local numbers of the stems the table holds (new ones read with their frequencies)."""
        stems = list(stems)
        unseen = {stem for stem in stems if stem not in self._vocabulary}
        for stem, frequency in sorted(self._table.frequencies(unseen).items()):
            term = self._vocabulary[stem] = len(self._postings)
            self._stems.append(stem)
            self._postings.append(array("i"))
            if term >= len(self._df):
                self._df = np.concatenate([self._df, np.zeros(len(self._df), dtype=np.int32)])
            self._df[term] = frequency
        return np.asarray([self._vocabulary[s] for s in stems if s in self._vocabulary], dtype=np.int32)

    def _article(self, article_id: str, size: int) -> int:
        """The local number of a stored article, given its fingerprint's size when first seen."""
        number = self._numbers.get(article_id)
        if number is None:
            number = self._numbers[article_id] = len(self._ids)
            self._ids.append(article_id)
            self._held.append(None)
            if number >= len(self._sizes):
                self._sizes = np.concatenate([self._sizes, np.zeros(len(self._sizes), dtype=np.float64)])
            self._sizes[number] = size
        return number


class StoredArticles(MutableMapping[str, Article]):
    """The articles a ``StoredCandidateIndex`` holds, read from the store when first asked for."""

    def __init__(self, store: SQLiteStore, index: StoredCandidateIndex) -> None:
        self._store, self._index = store, index
        self._read: dict[str, Article] = {}

    def __contains__(self, article_id: object) -> bool:
        return isinstance(article_id, str) and article_id in self._index

    def __getitem__(self, article_id: str) -> Article:
        if article_id not in self._read:
            if article_id not in self._index:
                raise KeyError(article_id)
            self._read[article_id] = self._store.get_article(article_id)
        return self._read[article_id]

    def __setitem__(self, article_id: str, article: Article) -> None:
        self._read[article_id] = article

    def __delitem__(self, article_id: str) -> None:
        raise TypeError("articles are not removed from a store's relate index")

    def __iter__(self) -> Iterator[str]:
        """The articles read so far (listing every stored one is what this class avoids)."""
        return iter(self._read)

    def __len__(self) -> int:
        return len(self._index)
