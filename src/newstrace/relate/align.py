"""Passage alignment: which sentences of a derived text correspond to which of its original.

Sentences of both texts are compared by the overlap of their content stems; the
aligned passages are the heaviest chain of matching sentence pairs that runs in
the same order on both sides (copies keep the order of their source; independent
reports of an event share facts in any order). Runs of identical sentences are
merged into one passage.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from rapidfuzz.distance import Indel

from newstrace.model import Passage, PassageChange
from newstrace.nlp.annotate import Sentence, sentences

# Sentence pairs whose stem overlap (Dice) is below this are not taken as corresponding.
MATCH_MIN = 0.3
# A corresponding pair whose characters are this similar (Indel) was edited, below it reworded.
EDITED_MIN = 0.8
# Word-sequence similarity of shorter sentences is mostly function words matching by chance.
SEQUENCE_MIN_WORDS = 5
# ... and pairs sharing no content at all are not worth the word-sequence comparison.
SEQUENCE_MIN_DICE = 0.08


@dataclass(frozen=True)
class SentencePair:
    """One aligned pair of sentences (indices into each side's sentence list) and its similarity."""

    original: int
    derived: int
    similarity: float


def align_passages(original: str, derived: str) -> list[Passage]:
    """Aligned passages of ``derived`` and ``original``, sorted by derived start.

    Args:
        original: the earlier text.
        derived: the text that may reuse it.

    Returns:
        ``Passage`` records whose spans are character offsets into each text, with the
        change (``identical``, ``edited``, ``paraphrased``) and the stem similarity.

    Example:
        >>> [p.change for p in align_passages("The cat sat. It purred.", "The cat sat. It purred.")]
        ['identical']
    """
    left, right = sentences(original), sentences(derived)
    return passages_from(left, right, align_sentences(left, right))


def similarity_matrix(original: Sequence[Sentence], derived: Sequence[Sentence]) -> np.ndarray:
    """Similarity of every (derived, original) sentence pair: 1 for equal sentences, else the larger of
    the Dice overlap of content stems and, for pairs of sentences of ``SEQUENCE_MIN_WORDS`` words or
    more that share some stems, the word-sequence similarity (spinners swap content words but keep the
    sentence's frame and order).
    """
    vocabulary: dict[str, int] = {}
    terms_d, rows_d = _incidence(derived, vocabulary)
    terms_o, rows_o = _incidence(original, vocabulary)
    shared = _shared_counts(terms_d, rows_d, terms_o, rows_o, (len(derived), len(original)))
    sizes = np.array([len(set(s.stems)) for s in derived])[:, None] + np.array(
        [len(set(s.stems)) for s in original]
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        dice = np.where(sizes > 0, 2 * shared / np.maximum(sizes, 1), 0.0)
    long_d = np.array([len(s.words) >= SEQUENCE_MIN_WORDS for s in derived])[:, None]
    long_o = np.array([len(s.words) >= SEQUENCE_MIN_WORDS for s in original])[None, :]
    rows, cols = np.nonzero((dice >= SEQUENCE_MIN_DICE) & long_d & long_o)
    for i, j in zip(rows.tolist(), cols.tolist(), strict=True):
        dice[i, j] = max(dice[i, j], Indel.normalized_similarity(derived[i].words, original[j].words))
    exact_left = {s.key: j for j, s in enumerate(original)}
    for i, sentence in enumerate(derived):
        j = exact_left.get(sentence.key)
        if j is not None:
            dice[i, j] = 1.0
    return dice


def _incidence(side: Sequence[Sentence], vocabulary: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
    """(stem number, sentence index) of every distinct stem of every sentence, stems numbered in ``vocabulary``."""
    terms: list[int] = []
    rows: list[int] = []
    for row, sentence in enumerate(side):
        ids = {vocabulary.setdefault(token, len(vocabulary)) for token in sentence.stems}
        terms.extend(ids)
        rows.extend([row] * len(ids))
    return np.asarray(terms, dtype=np.int64), np.asarray(rows, dtype=np.int64)


def _shared_counts(
    terms_a: np.ndarray, rows_a: np.ndarray, terms_b: np.ndarray, rows_b: np.ndarray, shape: tuple[int, int]
) -> np.ndarray:
    """Number of stems each sentence of side a shares with each of side b (a join on stem number)."""
    order = np.argsort(terms_b, kind="stable")
    sorted_terms, sorted_rows = terms_b[order], rows_b[order]
    low = np.searchsorted(sorted_terms, terms_a, "left")
    counts = np.searchsorted(sorted_terms, terms_a, "right") - low
    total = int(counts.sum())
    if not total:
        return np.zeros(shape)
    starts = np.repeat(low - np.cumsum(counts) + counts, counts) + np.arange(total)
    cells = np.repeat(rows_a, counts) * shape[1] + sorted_rows[starts]
    return np.bincount(cells, minlength=shape[0] * shape[1]).reshape(shape).astype(np.float64)


def align_sentences(
    original: Sequence[Sentence], derived: Sequence[Sentence], matrix: np.ndarray | None = None
) -> list[SentencePair]:
    """The heaviest chain of sentence pairs, strictly increasing on both sides, with similarity >= ``MATCH_MIN``."""
    if not original or not derived:
        return []
    sims = similarity_matrix(original, derived) if matrix is None else matrix
    rows, cols = np.nonzero(sims >= MATCH_MIN)
    return heaviest_chain(
        list(zip(rows.tolist(), cols.tolist(), sims[rows, cols].tolist(), strict=True)), len(original)
    )


def heaviest_chain(cells: list[tuple[int, int, float]], width: int) -> list[SentencePair]:
    """Heaviest chain of (derived, original, weight) cells strictly increasing in both indices (Fenwick tree)."""
    tree_best = [0.0] * (width + 1)
    tree_at = [-1] * (width + 1)
    previous = [-1] * len(cells)
    best_total, best_end = 0.0, -1
    by_row: dict[int, list[int]] = {}
    for index, (row, _, _) in enumerate(cells):
        by_row.setdefault(row, []).append(index)
    totals = [0.0] * len(cells)
    for row in sorted(by_row):
        pending = []
        for index in by_row[row]:
            _, col, weight = cells[index]
            total, at = 0.0, -1
            position = col  # prefix max over original indices < col
            while position > 0:
                if tree_best[position] > total:
                    total, at = tree_best[position], tree_at[position]
                position -= position & -position
            totals[index] = total + weight
            previous[index] = at
            pending.append(index)
        for index in pending:
            position = cells[index][1] + 1
            while position <= width:
                if totals[index] > tree_best[position]:
                    tree_best[position], tree_at[position] = totals[index], index
                position += position & -position
            if totals[index] > best_total:
                best_total, best_end = totals[index], index
    chain = []
    while best_end >= 0:
        row, col, weight = cells[best_end]
        chain.append(SentencePair(original=col, derived=row, similarity=weight))
        best_end = previous[best_end]
    return chain[::-1]


def passages_from(
    original: Sequence[Sentence], derived: Sequence[Sentence], pairs: Sequence[SentencePair]
) -> list[Passage]:
    """Turn aligned sentence pairs into passages, merging runs of identical consecutive sentences."""
    out: list[Passage] = []
    run_start: SentencePair | None = None
    last: SentencePair | None = None
    for pair in pairs:
        change = _change(original[pair.original].key, derived[pair.derived].key)
        if (
            change == "identical"
            and run_start is not None
            and last is not None
            and (pair.original == last.original + 1 and pair.derived == last.derived + 1)
        ):
            last = pair
            continue
        if run_start is not None and last is not None:
            out.append(_passage(original, derived, run_start, last, "identical", 1.0))
            run_start = last = None
        if change == "identical":
            run_start = last = pair
        else:
            o, d = original[pair.original], derived[pair.derived]
            out.append(
                Passage(original=o.span, derived=d.span, change=change, similarity=round(pair.similarity, 4))
            )
    if run_start is not None and last is not None:
        out.append(_passage(original, derived, run_start, last, "identical", 1.0))
    return sorted(out, key=lambda p: p.derived)


def _passage(
    original: Sequence[Sentence],
    derived: Sequence[Sentence],
    first: SentencePair,
    last: SentencePair,
    change: PassageChange,
    similarity: float,
) -> Passage:
    return Passage(
        original=(original[first.original].span[0], original[last.original].span[1]),
        derived=(derived[first.derived].span[0], derived[last.derived].span[1]),
        change=change,
        similarity=similarity,
    )


def _change(a: str, b: str) -> PassageChange:
    if a == b:
        return "identical"
    return "edited" if Indel.normalized_similarity(a, b) >= EDITED_MIN else "paraphrased"
