"""Candidate search over a store's fingerprints, without loading the store.

The store's "relate" term index keeps every article's fingerprint, the number of fingerprints
holding each stem and which fingerprints hold a stem. ``StoredPostings`` answers a
``CandidateIndex``'s questions from it, reading only the postings of a new article's rare stems
and the fingerprints of its candidates, into a ``MemoryPostings`` that it fills as it goes: the
same answers as an index holding every stored fingerprint in memory, for a few reads.
"""

from __future__ import annotations

import json
from array import array
from collections.abc import Iterator, MutableMapping

import numpy as np

from newstrace.model import Article
from newstrace.nlp.tokens import STEM_LENGTH, STOPWORDS
from newstrace.relate.candidates import MemoryPostings, fingerprint
from newstrace.store.base import Entry, Store, TermIndex

# Bump when ``fingerprint`` changes what it keeps, so that stored fingerprints are made again.
FINGERPRINT_FORMAT = 1
FINGERPRINT_SETTINGS = json.dumps({"format": FINGERPRINT_FORMAT, "stem_length": STEM_LENGTH, "stopwords": len(STOPWORDS)})
INDEX = "relate"


def fingerprint_entry(article_id: str, stems: tuple[str, ...]) -> tuple[Entry, tuple[str, ...]]:
    """A fingerprint as the store's "relate" index keeps it."""
    return (article_id, None, " ".join(stems)), stems


def article_fingerprint(article: Article) -> tuple[Entry, tuple[str, ...]]:
    return fingerprint_entry(article.id, fingerprint(article.text))


class StoredPostings:
    """The ``Postings`` of a store's "relate" term index, loaded as a query needs them.

    Terms and articles get local numbers as they are first seen; ``add`` writes to the index.
    """

    def __init__(self, index: TermIndex) -> None:
        self._index = index
        self._memory = MemoryPostings()
        self._memory.total = index.count()
        self._loaded: set[int] = set()  # terms whose postings were read

    def __len__(self) -> int:
        return self._memory.total

    def __contains__(self, article_id: str) -> bool:
        if article_id in self._memory.numbers:
            return True
        entries = self._index.entries(ids=[article_id])
        if entries:
            stems = entries[0][2].split()
            number = self._article(article_id, len(stems))
            self._memory.sequences[number] = self._terms(stems)
        return bool(entries)

    def prepared(self, stems: tuple[str, ...]) -> MemoryPostings:
        self._terms(stems)
        return self._memory

    def add(self, article_id: str, stems: tuple[str, ...]) -> None:
        if article_id in self:
            return
        memory = self._memory
        known = [memory.vocabulary[stem] for stem in stems if stem in memory.vocabulary]
        self._index.add([fingerprint_entry(article_id, stems)])
        memory.total += 1
        number = self._article(article_id, len(stems))
        for term in known:
            memory.df[term] += 1
            if term in self._loaded:
                memory.lists[term].append(number)
        memory.sequences[number] = self._terms(stems)

    def posting_lists(self, terms: list[int]) -> list[np.ndarray]:
        memory = self._memory
        for term in terms:
            if term not in self._loaded:
                self._loaded.add(term)
                holders = self._index.holding(memory.stems[term])
                memory.lists[term] = array("i", (self._article(a, size) for a, size in sorted(holders)))
        return memory.posting_lists(terms)

    def sequence(self, article_id: str) -> np.ndarray:
        if article_id not in self:
            raise KeyError(article_id)
        memory = self._memory
        number = memory.numbers[article_id]
        if memory.sequences[number] is None:
            memory.sequences[number] = self._terms(self._index.entries(ids=[article_id])[0][2].split())
        return memory.sequence(article_id)

    def fingerprints(self) -> Iterator[tuple[str, tuple[str, ...]]]:
        """The fingerprints read so far (listing every stored one is what this class avoids)."""
        return self._memory.fingerprints()

    def _terms(self, stems: list[str] | tuple[str, ...]) -> np.ndarray:
        """The local numbers of the stems the index holds (new ones read with their frequencies)."""
        memory = self._memory
        unseen = {stem for stem in stems if stem not in memory.vocabulary}
        for stem, frequency in sorted(self._index.frequencies(unseen).items()):
            memory.new_term(stem, frequency)
        return memory.looked_up(tuple(stems))

    def _article(self, article_id: str, size: int) -> int:
        """The local number of a stored article, given its fingerprint's size when first seen."""
        number = self._memory.numbers.get(article_id)
        return number if number is not None else self._memory.new_article(article_id, size)


class StoredArticles(MutableMapping[str, Article]):
    """The articles a ``StoredPostings`` holds, read from the store when first asked for."""

    def __init__(self, store: Store, postings: StoredPostings) -> None:
        self._store, self._postings = store, postings
        self._read: dict[str, Article] = {}

    def __contains__(self, article_id: object) -> bool:
        return isinstance(article_id, str) and article_id in self._postings

    def __getitem__(self, article_id: str) -> Article:
        if article_id not in self._read:
            if article_id not in self._postings:
                raise KeyError(article_id)
            self._read[article_id] = self._store.articles.get(article_id)
        return self._read[article_id]

    def __setitem__(self, article_id: str, article: Article) -> None:
        self._read[article_id] = article

    def __delitem__(self, article_id: str) -> None:
        raise TypeError("articles are not removed from a store's relate index")

    def __iter__(self) -> Iterator[str]:
        """The articles read so far (listing every stored one is what this class avoids)."""
        return iter(self._read)

    def __len__(self) -> int:
        return len(self._postings)
