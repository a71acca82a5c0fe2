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

import numpy as np

from newstrace.relate.text import content_stems


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


class CandidateIndex:
    """An in-memory inverted index over article fingerprints.

    Example:
        >>> index = CandidateIndex()
        >>> index.add("a", fingerprint("Mayor Ola Brenn opened the Velin bridge on 3 May."))
        >>> [c.id for c in index.query(index.prepare(fingerprint("Ola Brenn opened Velin bridge")))]
        ['a']
    """

    def __init__(self, max_df_share: float = 0.01, min_df_cap: int = 50, min_query_terms: int = 12) -> None:
        self.max_df_share = max_df_share
        self.min_df_cap = min_df_cap
        self.min_query_terms = min_query_terms
        self._vocabulary: dict[str, int] = {}
        self._postings: list[array] = []
        self._df = np.zeros(1024, dtype=np.int32)
        self._ids: list[str] = []
        self._numbers: dict[str, int] = {}
        self._sequences: list[np.ndarray] = []
        self._sizes = np.zeros(1024, dtype=np.float64)

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, article_id: str) -> bool:
        return article_id in self._numbers

    def document_frequency(self, stem: str) -> int:
        """How many indexed articles use ``stem``."""
        term = self._vocabulary.get(stem)
        return int(self._df[term]) if term is not None else 0

    def add(self, article_id: str, stems: tuple[str, ...]) -> None:
        """Index an article's fingerprint; an id already indexed is left as it is."""
        if article_id in self._numbers:
            return
        number = self._numbers[article_id] = len(self._ids)
        self._ids.append(article_id)
        vocabulary, postings = self._vocabulary, self._postings
        terms = []
        for stem in stems:
            term = vocabulary.get(stem)
            if term is None:
                term = vocabulary[stem] = len(postings)
                postings.append(array("i"))
            postings[term].append(number)
            terms.append(term)
        if len(postings) > len(self._df):
            self._df = np.concatenate([self._df, np.zeros(max(len(postings), len(self._df)), dtype=np.int32)])
        sequence = np.asarray(terms, dtype=np.int32)
        self._df[sequence] += 1
        self._sequences.append(sequence)
        if number >= len(self._sizes):
            self._sizes = np.concatenate([self._sizes, np.zeros(len(self._sizes), dtype=np.float64)])
        self._sizes[number] = len(sequence)

    def fingerprints(self) -> Iterator[tuple[str, tuple[str, ...]]]:
        """Every indexed article's id and fingerprint, in the order they were added."""
        stems = [""] * len(self._vocabulary)
        for stem, term in self._vocabulary.items():
            stems[term] = stem
        for article_id, sequence in zip(self._ids, self._sequences, strict=True):
            yield article_id, tuple(stems[term] for term in sequence.tolist())

    def prepare(self, stems: tuple[str, ...]) -> Query:
        """Look a fingerprint up once, for ``query`` and ``order_agreement``."""
        get = self._vocabulary.get
        looked = [get(stem, -1) for stem in stems]
        terms = np.asarray([t for t in looked if t >= 0], dtype=np.int32)
        return Query(terms=terms, unknown=len(looked) - len(terms))

    def stored_query(self, article_id: str) -> Query:
        """The query for an indexed article's own fingerprint."""
        return Query(terms=self._sequence(article_id), unknown=0)

    def _total(self) -> int:
        """How many articles are indexed."""
        return len(self._ids)

    def _posting_lists(self, terms: list[int]) -> list[np.ndarray]:
        """For each of ``terms``, the numbers of the articles using it."""
        postings = self._postings
        return [np.frombuffer(postings[term], dtype=np.int32) for term in terms]

    def _sequence(self, article_id: str) -> np.ndarray:
        """An indexed article's term numbers, in order of first use."""
        return self._sequences[self._numbers[article_id]]

    def _cap(self) -> int:
        return max(self.min_df_cap, int(self.max_df_share * self._total()))

    def _idf(self, df: np.ndarray) -> np.ndarray:
        return np.log((self._total() + 1) / (df + 1)) + 1.0

    def query(
        self, query: Query, top_k: int = 10, min_score: float = 0.0, exclude: str | None = None
    ) -> list[Candidate]:
        """The ``top_k`` indexed articles sharing the most rare content with ``query``, best first.

        Ties are broken by id, so the answer does not depend on the order articles were added.
        """
        if not self._total() or not (len(query.terms) + query.unknown):
            return []
        df = self._df[query.terms]
        order = np.argsort(df, kind="stable")
        # A short text may use only common stems: its rarest few are searched all the same.
        usable = order[(df[order] <= self._cap()) | (np.arange(len(order)) < self.min_query_terms)]
        terms, weights = query.terms[usable], self._idf(df[usable])
        query_weight = float(weights.sum()) + query.unknown * float(self._idf(np.zeros(1))[0])
        if not len(terms):
            return []
        lists = self._posting_lists(terms.tolist())
        docs = np.concatenate(lists)
        shared = np.bincount(docs, weights=np.repeat(weights, [len(p) for p in lists]), minlength=len(self._ids))
        hits = np.flatnonzero(shared)
        # The other side's weight is estimated from its stem count at the query's mean weight per stem.
        mean = query_weight / (len(query.terms) + query.unknown)
        sizes = self._sizes[hits] * mean
        scores = shared[hits] / np.maximum(np.minimum(sizes, query_weight), 1e-9)
        keep = scores >= min_score
        hits, scores = hits[keep], scores[keep]
        if len(hits) > top_k + 1:
            cut = np.partition(scores, len(scores) - top_k - 1)[len(scores) - top_k - 1]
            keep = scores >= cut
            hits, scores = hits[keep], scores[keep]
        ranked = sorted(
            (
                Candidate(self._ids[h], round(min(float(s), 1.0), 6))
                for h, s in zip(hits.tolist(), scores.tolist(), strict=True)
                if self._ids[h] != exclude
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
        mine = query.terms[self._df[query.terms] <= cap]
        theirs = self._sequence(article_id)
        theirs = theirs[self._df[theirs] <= cap]
        smaller = min(len(mine) + query.unknown, len(theirs))
        if not smaller:
            return 0.0, 0
        _, in_mine, in_theirs = np.intersect1d(mine, theirs, assume_unique=True, return_indices=True)
        tails: list[int] = []
        for at in in_theirs[np.argsort(in_mine)].tolist():
            i = bisect.bisect_left(tails, at)
            tails[i : i + 1] = [at]
        return len(tails) / smaller, smaller
