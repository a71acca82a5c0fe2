"""Statements of a story and which independent sources make them.

A statement is a clause-sized unit of text: a sentence, or a part of a long sentence
joined by "; ", a dash or ", while" (one sentence often carries two facts, one that
others report too and one only this source has). Two independent sources make the same
statement when their units match in meaning. Paraphrase defeats shared words alone
("the mayor toured the firm's flagship battery works" vs "she visited its main cell
factory"), so the sentence encoder's cosine is combined with a
TF-IDF overlap that weighs names and numbers up; without the encoder the overlap alone
decides, with lower recall. A unit is linked to its best match in each other source,
and only mutual best matches above the threshold count, so one loose sentence cannot
collect everything.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Protocol

import numpy as np

from newstrace.model import Article, Span
from newstrace.nlp.annotate import annotate
from newstrace.stories.features import FeatureOptions, terms

# Where a long sentence joins two statements.
_CLAUSE_BREAK = re.compile(r";\s+|\s+[—–]\s+|,\s+(?=(?:while|whereas|but|although|though)\s)")
_WORDS = FeatureOptions(prefix=6, name_weight=1.5, number_weight=1.5)


class Encoder(Protocol):
    """Anything that maps texts to L2-normalised vectors (``newstrace.nlp.embedding.SentenceEncoder``)."""

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


@dataclass(frozen=True)
class StatementOptions:
    """When units are statements and when two of them say the same thing.

    Two units of different sources are one statement when each is the other's best match and
    their similarity is ``strong``, or at least ``floor`` and an outlier: ``outlier`` standard
    deviations above what each unit scores against the other source's units (every sentence of
    a story resembles every other a little; the same fact resembles its twin much more).

    Attributes:
        min_words: Content words a unit needs to count as a statement (drops bylines, "Related Posts").
        semantic_weight: Share of the encoder's cosine in the combined similarity (the rest is overlap).
        strong: Similarity that makes two units one statement (with the encoder).
        floor: Least similarity of an outlier match (with the encoder).
        lexical_strong: ``strong`` when matching on shared words alone (no encoder).
        lexical_floor: ``floor`` when matching on shared words alone.
        outlier: Standard deviations above the unit's typical similarity for an outlier match.
        duplicate: Least overlap for two units of one source to be the same statement said twice.
    """

    min_words: int = 5
    semantic_weight: float = 0.6
    strong: float = 0.55
    floor: float = 0.35
    lexical_strong: float = 0.45
    lexical_floor: float = 0.2
    outlier: float = 2.4
    duplicate: float = 0.6

    def thresholds(self, semantic: bool) -> tuple[float, float]:
        """``(strong, floor)`` for matching with or without the encoder."""
        return (self.strong, self.floor) if semantic else (self.lexical_strong, self.lexical_floor)


@dataclass(frozen=True)
class Unit:
    """A clause-sized statement of one article; ``source`` numbers its independent source."""

    article: str
    source: int
    span: Span
    text: str


def units_of(article: Article, source: int, options: StatementOptions) -> list[Unit]:
    """The statement units of one article, in text order; a sentence is not cut inside a quotation."""
    notes = annotate(article)
    quoted = notes.quote_spans
    found: list[Unit] = []
    for start, end in notes.sentence_spans:
        breaks = (start + m.end() for m in _CLAUSE_BREAK.finditer(article.text[start:end]))
        cuts = [start, *(c for c in breaks if not any(a < c < b for a, b in quoted)), end]
        for a, b in pairwise(cuts):
            piece = article.text[a:b].strip(" ;,—–")
            if len(terms(piece, _WORDS)) >= options.min_words:
                offset = a + article.text[a:b].find(piece)
                found.append(Unit(article.id, source, (offset, offset + len(piece)), piece))
    return found


def overlap_matrix(units: Sequence[Unit]) -> np.ndarray:
    """Cosine of the units' TF-IDF vectors (IDF over the units themselves): shared telling words."""
    bags = [terms(u.text, _WORDS) for u in units]
    df: Counter[str] = Counter(t for bag in bags for t in bag)
    vocabulary = {t: i for i, t in enumerate(sorted(df))}
    matrix = np.zeros((len(units), len(vocabulary)), dtype=np.float32)
    for row, bag in enumerate(bags):
        for term, count in bag.items():
            matrix[row, vocabulary[term]] = (1 + np.log(count)) * (
                np.log((len(units) + 1) / (df[term] + 1)) + 1
            )
    matrix /= np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)
    return matrix @ matrix.T


def similarity_matrix(
    units: Sequence[Unit], options: StatementOptions, encoder: Encoder | None
) -> np.ndarray:
    """Combined similarity of every pair of units: overlap, blended with the encoder's cosine when given."""
    lexical = overlap_matrix(units)
    if encoder is None or not units:
        return lexical
    vectors = encoder.encode([u.text for u in units])
    semantic = np.clip(vectors @ vectors.T, 0.0, 1.0)
    return options.semantic_weight * semantic + (1 - options.semantic_weight) * lexical


def _standing(similarity: np.ndarray, rows_of: dict[int, np.ndarray], units: Sequence[Unit]) -> np.ndarray:
    """How far each pair's similarity stands above the rest of its row and column, in standard deviations.

    Row ``i`` is compared with the other units of ``j``'s source; column ``j`` with the other units
    of ``i``'s source. Sources with fewer than three units give no spread to compare with (0).
    """
    standing = np.zeros_like(similarity)
    for rows in rows_of.values():
        if len(rows) < 3:
            continue
        block = similarity[:, rows]
        spread = block.std(axis=1, keepdims=True)
        z = np.where(
            spread > 1e-6, (block - block.mean(axis=1, keepdims=True)) / np.maximum(spread, 1e-6), 0.0
        )
        standing[:, rows] += z / 2
        standing[rows, :] += z.T / 2
    for i, unit in enumerate(units):
        standing[i, rows_of[unit.source]] = 0.0
    return standing


def match_statements(
    units: Sequence[Unit], similarity: np.ndarray, options: StatementOptions, semantic: bool
) -> list[list[int]]:
    """Group units that are mutual best matches across sources and similar enough.

    Links are taken strongest first. Two groups join only when they have no source in common (a
    statement takes one unit per source) and every unit of one is at least ``floor`` similar to
    every unit of the other, so a chain of loose matches cannot collect different statements.

    Returns:
        Groups of unit numbers, each sorted, ordered by first unit; units matching nothing are
        groups of one.
    """
    strong, floor = options.thresholds(semantic)
    sources = sorted({u.source for u in units})
    rows_of = {s: np.array([i for i, u in enumerate(units) if u.source == s]) for s in sources}
    standing = _standing(similarity, rows_of, units)
    best: dict[tuple[int, int], int] = {}
    for i, unit in enumerate(units):
        for s in sources:
            if s != unit.source:
                rows = rows_of[s]
                best[(i, s)] = int(rows[np.argmax(similarity[i, rows])])
    links = sorted(
        (-float(similarity[i, j]), i, j)
        for (i, _), j in best.items()
        if i < j
        and best.get((j, units[i].source)) == i
        and (similarity[i, j] >= strong or (similarity[i, j] >= floor and standing[i, j] >= options.outlier))
    )
    group_of = list(range(len(units)))
    groups: dict[int, list[int]] = {i: [i] for i in range(len(units))}
    for _, i, j in links:
        a, b = sorted((group_of[i], group_of[j]))
        if a == b or similarity[np.ix_(groups[a], groups[b])].min() < floor:
            continue
        if {units[k].source for k in groups[a]} & {units[k].source for k in groups[b]}:
            continue
        for k in groups[b]:
            group_of[k] = a
        groups[a] = sorted(groups[a] + groups.pop(b))
    return [groups[key] for key in sorted(groups)]
