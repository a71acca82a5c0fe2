"""Candidate search: which stored articles could share text with a new one, without all-pairs comparison.

Each article is reduced to the set of its content stems (names, numbers and
content words; function words left out). An inverted index maps each stem to the
articles that use it. A query scores the articles sharing its stems by inverse
document frequency (rare names and numbers weigh most, and survive spinning,
translation and rewriting better than word sequences), normalised by the smaller
side so that an excerpt scores as high as a full copy. Stems used by too many
articles are skipped: they cost time and tell nothing.
"""

from __future__ import annotations

import bisect
from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from newstrace.nlp.tokens import content_stems


def fingerprint(text: str) -> tuple[str, ...]:
    """The distinct content stems of ``text`` in order of first use: what the index matches on."""
    return tuple(dict.fromkeys(content_stems(text)))


@dataclass(frozen=True)
class Candidate:
    """A stored article that may share text with the query, and how much rare content they share (0..1)."""

    id: str
    score: float


@dataclass(frozen=True)
class Query:
    """A fingerprint looked up in the index: its known stems' term numbers, in order of first use."""

    terms: np.ndarray
    unknown: int


class MemoryPostings:
    """An index's data held in memory: term numbers, posting lists, document frequencies, and every
    article's number, fingerprint (as term numbers) and size.

    ``CandidateIndex`` reads it; ``StoredPostings`` (relate/stored_index.py) fills one lazily from a store.
    """

    def __init__(self) -> None:
        self.vocabulary: dict[str, int] = {}
        self.stems: list[str] = []  # by term number
        self.lists: list[array] = []  # by term number: the numbers of the articles using it
        self.df = np.zeros(1024, dtype=np.int32)
        self.ids: list[str] = []  # by article number
        self.numbers: dict[str, int] = {}
        self.sequences: list[np.ndarray | None] = []  # by article number; None until known
        self.sizes = np.zeros(1024, dtype=np.float64)
        self.total = 0

    def __len__(self) -> int:
        return self.total

    def __contains__(self, article_id: str) -> bool:
        return article_id in self.numbers

    def new_term(self, stem: str, frequency: int = 0) -> int:
        term = self.vocabulary[stem] = len(self.lists)
        self.stems.append(stem)
        self.lists.append(array("i"))
        if term >= len(self.df):
            self.df = np.concatenate([self.df, np.zeros(len(self.df), dtype=np.int32)])
        self.df[term] = frequency
        return term

    def new_article(self, article_id: str, size: int) -> int:
        number = self.numbers[article_id] = len(self.ids)
        self.ids.append(article_id)
        self.sequences.append(None)
        if number >= len(self.sizes):
            self.sizes = np.concatenate([self.sizes, np.zeros(len(self.sizes), dtype=np.float64)])
        self.sizes[number] = size
        return number

    def add(self, article_id: str, stems: tuple[str, ...]) -> None:
        """Index an article's fingerprint; an id already indexed is left as it is."""
        if article_id in self.numbers:
            return
        number = self.new_article(article_id, len(stems))
        get = self.vocabulary.get
        terms = [term if (term := get(stem)) is not None else self.new_term(stem) for stem in stems]
        for term in terms:
            self.lists[term].append(number)
        sequence = self.sequences[number] = np.asarray(terms, dtype=np.int32)
        self.df[sequence] += 1
        self.total += 1

    def looked_up(self, stems: tuple[str, ...]) -> np.ndarray:
        """The term numbers of the known ones of ``stems``, in their order."""
        get = self.vocabulary.get
        return np.asarray([t for stem in stems if (t := get(stem, -1)) >= 0], dtype=np.int32)

    def posting_lists(self, terms: list[int]) -> list[np.ndarray]:
        return [np.frombuffer(self.lists[term], dtype=np.int32) for term in terms]

    def sequence(self, article_id: str) -> np.ndarray:
        sequence = self.sequences[self.numbers[article_id]]
        assert sequence is not None, "a fingerprint read before it was loaded"
        return sequence

    def fingerprints(self) -> Iterator[tuple[str, tuple[str, ...]]]:
        stems = self.stems
        for article_id, sequence in zip(self.ids, self.sequences, strict=True):
            if sequence is not None:
                yield article_id, tuple(stems[term] for term in sequence.tolist())


class Postings(Protocol):
    """What a ``CandidateIndex`` searches: ``MemoryPostings``, or ``StoredPostings`` over a store."""

    def __len__(self) -> int: ...

    def __contains__(self, article_id: str) -> bool: ...

    def add(self, article_id: str, stems: tuple[str, ...]) -> None: ...

    def prepared(self, stems: tuple[str, ...]) -> MemoryPostings:
        """The postings in memory, holding what a query for ``stems`` will read."""
        ...

    def posting_lists(self, terms: list[int]) -> list[np.ndarray]: ...

    def sequence(self, article_id: str) -> np.ndarray: ...

    def fingerprints(self) -> Iterator[tuple[str, tuple[str, ...]]]: ...


class _InMemory(MemoryPostings):
    """``MemoryPostings`` as a ``Postings``: everything is in memory already."""

    def prepared(self, stems: tuple[str, ...]) -> MemoryPostings:
        return self


class CandidateIndex:
    """An inverted index over article fingerprints, in memory unless ``postings`` keeps them elsewhere.

    Example:
        >>> index = CandidateIndex()
        >>> index.add("a", fingerprint("Mayor Ola Brenn opened the Velin bridge on 3 May."))
        >>> [c.id for c in index.query(index.prepare(fingerprint("Ola Brenn opened Velin bridge")))]
        ['a']
    """

    def __init__(
        self,
        postings: Postings | None = None,
        max_df_share: float = 0.01,
        min_df_cap: int = 50,
        min_query_terms: int = 12,
    ) -> None:
        self.max_df_share = max_df_share
        self.min_df_cap = min_df_cap
        self.min_query_terms = min_query_terms
        self._postings: Postings = postings if postings is not None else _InMemory()

    def __len__(self) -> int:
        return len(self._postings)

    def __contains__(self, article_id: str) -> bool:
        return article_id in self._postings

    def document_frequency(self, stem: str) -> int:
        """How many indexed articles use ``stem``."""
        memory = self._postings.prepared((stem,))
        term = memory.vocabulary.get(stem)
        return int(memory.df[term]) if term is not None else 0

    def add(self, article_id: str, stems: tuple[str, ...]) -> None:
        """Index an article's fingerprint; an id already indexed is left as it is."""
        self._postings.add(article_id, stems)

    def fingerprints(self) -> Iterator[tuple[str, tuple[str, ...]]]:
        """Every indexed article's id and fingerprint, in the order they were added."""
        return self._postings.fingerprints()

    def prepare(self, stems: tuple[str, ...]) -> Query:
        """Look a fingerprint up once, for ``query`` and ``order_agreement``."""
        terms = self._postings.prepared(stems).looked_up(stems)
        return Query(terms=terms, unknown=len(stems) - len(terms))

    def stored_query(self, article_id: str) -> Query:
        """The query for an indexed article's own fingerprint."""
        return Query(terms=self._postings.sequence(article_id), unknown=0)

    def _cap(self) -> int:
        return max(self.min_df_cap, int(self.max_df_share * len(self._postings)))

    def _idf(self, df: np.ndarray) -> np.ndarray:
        return np.log((len(self._postings) + 1) / (df + 1)) + 1.0

    def query(
        self, query: Query, top_k: int = 10, min_score: float = 0.0, exclude: str | None = None
    ) -> list[Candidate]:
        """The ``top_k`` indexed articles sharing the most rare content with ``query``, best first.

        Ties are broken by id, so the answer does not depend on the order articles were added.
        """
        if not len(self._postings) or not (len(query.terms) + query.unknown):
            return []
        memory = self._postings.prepared(())
        df = memory.df[query.terms]
        order = np.argsort(df, kind="stable")
        # A short text may use only common stems: its rarest few are searched all the same.
        usable = order[(df[order] <= self._cap()) | (np.arange(len(order)) < self.min_query_terms)]
        terms, weights = query.terms[usable], self._idf(df[usable])
        query_weight = float(weights.sum()) + query.unknown * float(self._idf(np.zeros(1))[0])
        if not len(terms):
            return []
        lists = self._postings.posting_lists(terms.tolist())
        docs = np.concatenate(lists)
        shared = np.bincount(docs, weights=np.repeat(weights, [len(p) for p in lists]), minlength=len(memory.ids))
        hits = np.flatnonzero(shared)
        # The other side's weight is estimated from its stem count at the query's mean weight per stem.
        mean = query_weight / (len(query.terms) + query.unknown)
        sizes = memory.sizes[hits] * mean
        scores = shared[hits] / np.maximum(np.minimum(sizes, query_weight), 1e-9)
        keep = scores >= min_score
        hits, scores = hits[keep], scores[keep]
        if len(hits) > top_k + 1:
            cut = np.partition(scores, len(scores) - top_k - 1)[len(scores) - top_k - 1]
            keep = scores >= cut
            hits, scores = hits[keep], scores[keep]
        ids = memory.ids
        ranked = sorted(
            (
                Candidate(ids[h], round(min(float(s), 1.0), 6))
                for h, s in zip(hits.tolist(), scores.tolist(), strict=True)
                if ids[h] != exclude
            ),
            key=lambda c: (-c.score, c.id),
        )
        return ranked[:top_k]

    def order_agreement(self, query: Query, article_id: str) -> tuple[float, int]:
        """How much of the rarer side's rare stems the two share in the same order (0..1), and that count.

        Copies (spun, translated and rewritten ones too) mention rare names and
        numbers in their source's order; independent reports share them in any order.
        """
        cap = self._cap()
        theirs = self._postings.sequence(article_id)
        df = self._postings.prepared(()).df
        mine = query.terms[df[query.terms] <= cap]
        theirs = theirs[df[theirs] <= cap]
        smaller = min(len(mine) + query.unknown, len(theirs))
        if not smaller:
            return 0.0, 0
        _, in_mine, in_theirs = np.intersect1d(mine, theirs, assume_unique=True, return_indices=True)
        tails: list[int] = []
        for at in in_theirs[np.argsort(in_mine)].tolist():
            i = bisect.bisect_left(tails, at)
            tails[i : i + 1] = [at]
        return len(tails) / smaller, smaller
