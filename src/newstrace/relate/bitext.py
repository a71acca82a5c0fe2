"""Cross-lingual sentence alignment: which sentences of a translation render which of its original.

Gale & Church (1993): a translated sentence is about as long as its original, in a proportion that
holds for the whole text, and translators keep the order, now and then making one sentence two or
two one. The alignment is the order-preserving chain of 1-1, 2-1 and 1-2 sentence groups ("beads")
of the highest total evidence, found by dynamic programming. Each bead is judged by how well its
lengths fit the text's proportion (the Gale-Church probability), by the numbers and names its two
sides share or do not, and, where given, by the encoder's similarity of what the sentences mean.
A sentence may be left out at no cost, so only beads with positive evidence are kept.
"""

from __future__ import annotations

import math
import random
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from newstrace.model import Passage, Span
from newstrace.relate.align import SentencePair
from newstrace.relate.classify import Comparison, Side

# Gale & Church's variance of the length of a translated character (their s² = 6.8).
LENGTH_VARIANCE = 6.8
# Bead shapes (original sentences, derived sentences) and their log-odds against 1-1. Gale & Church
# counted 2-1 and 1-2 at 4.5 % each against 89 % for 1-1, but also made leaving a sentence out cost
# more still (1 %); here it costs nothing, so a merge is penalised only as much as an unmatched
# sentence is worth (log 0.3, the neutral length fit).
_MERGE = math.log(0.3)
_SHAPES = ((1, 1, 0.0), (2, 1, _MERGE), (1, 2, _MERGE))


@dataclass(frozen=True)
class AlignOptions:
    """How beads are judged (log-odds units: a bead is kept when its total is above 0).

    Attributes:
        min_length_fit: the Gale-Church probability of a bead's length difference at which length
            evidence is neutral; a better fit counts for the bead, a worse one against it.
        anchor_weight: weight of the numbers and names the two sides share (or do not), each -1..1.
        meaning_weight: weight of the encoder's similarity, where it is given.
        meaning_neutral: the similarity that says nothing either way.
        band: how far (as a share of the text) a bead may stray from the diagonal.
        unmatched_names: what names count when both sides have some and at most half of the
            smaller side's are found on the other (-1: against the bead, 0: nothing). Sides whose
            language capitalises nouns always count them against.
    """

    min_length_fit: float = 0.3
    anchor_weight: float = 2.0
    meaning_weight: float = 6.0
    meaning_neutral: float = 0.45
    band: float = 0.2
    unmatched_names: float = -1.0


@dataclass(frozen=True)
class XSentence:
    """A sentence seen across languages: its span, length and its names and numbers (``anchors``;
    numbers are written ``#value``)."""

    span: Span
    length: int
    anchors: frozenset[str]


class Profile:
    """A text's sentences and what the alignment reads of them (lengths, anchors of each sentence and
    of each pair of neighbours, and where each anchor is), computed once for all the text's pairs."""

    def __init__(self, sentences: Sequence[XSentence], capitalises_nouns: bool = False) -> None:
        """``capitalises_nouns``: the text's language writes every noun with a capital (German), so
        capitalised words are not all names."""
        self.sentences = tuple(sentences)
        self.capitalises_nouns = capitalises_nouns
        self.lengths = np.array([s.length for s in self.sentences], dtype=np.float64)
        self.anchors: frozenset[str] = frozenset().union(*(s.anchors for s in self.sentences))
        self.numbers: dict[int, np.ndarray] = {}
        self.names: dict[int, np.ndarray] = {}
        self.columns = {anchor: column for column, anchor in enumerate(sorted(self.anchors))}
        # 0/1 (sentence group × anchor): integers, which numpy multiplies itself, without BLAS threads
        # (they cost more than they save on matrices of a few dozen rows).
        self.incidence: dict[int, np.ndarray] = {}
        single = np.zeros((len(self.sentences), len(self.columns)), dtype=np.int64)
        for row, sentence in enumerate(self.sentences):
            single[row, [self.columns[a] for a in sentence.anchors]] = 1
        for size in (1, 2):
            groups = single if size == 1 else np.minimum(single[:-1] + single[1:], 1)
            is_number = np.array([a.startswith("#") for a in sorted(self.anchors)], dtype=bool)
            self.incidence[size] = groups
            self.numbers[size] = groups[:, is_number].sum(axis=1)
            self.names[size] = groups[:, ~is_number].sum(axis=1)

    def __len__(self) -> int:
        return len(self.sentences)


# Original range, derived range, evidence (0..1), and whether the content agrees (shared numbers or
# names, or meaning), not the lengths alone.
Bead = tuple[tuple[int, int], tuple[int, int], float, bool]


def align_translation(
    original: Profile | Sequence[XSentence],
    derived: Profile | Sequence[XSentence],
    meaning: np.ndarray | None = None,
    options: AlignOptions | None = None,
) -> Comparison:
    """Align two texts in different languages, in order, and read relate's features off the beads.

    Args:
        original: the sentences of one text (the comparison's ``left``), or their ``Profile``.
        derived: the sentences of the other (``right``), or their ``Profile``.
        meaning: encoder similarity of every (derived, original) sentence pair, or ``None``.
        options: how beads are judged.

    Returns:
        A ``Comparison`` marked ``translated``: one passage per bead, its similarity the bead's
        evidence as a probability.
    """
    options = options or AlignOptions()
    original, derived = _profile(original), _profile(derived)
    beads = best_beads(original, derived, meaning, options)
    pairs = tuple(SentencePair(original=o[0], derived=d[0], similarity=e) for o, d, e, _ in beads)
    passages = tuple(
        Passage(
            original=(original.sentences[o[0]].span[0], original.sentences[o[1] - 1].span[1]),
            derived=(derived.sentences[d[0]].span[0], derived.sentences[d[1] - 1].span[1]),
            change="paraphrased",
            similarity=round(e, 4),
        )
        for o, d, e, _ in beads
    )
    steps = list(pairwise(beads))
    adjacent = sum(1 for a, b in steps if b[0][0] == a[0][1] and b[1][0] == a[1][1])
    diagonal = adjacent / len(steps) if steps else float(bool(beads))
    return Comparison(
        pairs=pairs,
        passages=passages,
        left=_side(original.sentences, [(o, e, c) for o, _, e, c in beads]),
        right=_side(derived.sentences, [(d, e, c) for _, d, e, c in beads]),
        diagonal=diagonal,
        near=diagonal,
        translated=True,
    )


@dataclass(frozen=True)
class OrderTest:
    """Whether the lengths of two texts' sentences follow each other in order, as a translation's do.

    A translator keeps the order of the original's sentences, so the sequence of their lengths; two
    unrelated texts align by lengths about as well in any order. The shorter text's coverage is
    compared with the same alignment after the derived text's sentences are shuffled: the test holds
    when it stands ``min_z`` standard deviations above the shuffled ones (each shuffle seeded by its
    number, so the answer is always the same). It lets lengths confirm a translation where nothing
    else can (no names or numbers in common, and no encoder for the languages); texts of fewer than
    ``min_sentences`` sentences are not tested: a few lengths can fall in order by chance.
    """

    shuffles: int = 20
    min_z: float = 4.0
    min_sentences: int = 8
    # Coverage moves in steps of about one sentence, so its spread is never taken for less than this.
    min_spread: float = 0.02


def lengths_in_order(
    original: Profile, derived: Profile, observed: float, options: AlignOptions, test: OrderTest
) -> str | None:
    """Why the sentence lengths of ``original`` and ``derived`` confirm a translation, in words, or None.

    ``observed`` is the shorter text's weighted coverage by their alignment (``align_translation``
    with ``options``); see ``OrderTest``.
    """
    if min(len(original), len(derived)) < test.min_sentences:
        return None
    shuffled = []
    for seed in range(test.shuffles):
        order = list(derived.sentences)
        random.Random(seed).shuffle(order)
        comparison = align_translation(original, Profile(order, derived.capitalises_nouns), None, options)
        shuffled.append(comparison.shorter().weighted)
    mean, spread = statistics.fmean(shuffled), max(statistics.pstdev(shuffled), test.min_spread)
    z = (observed - mean) / spread
    if z < test.min_z:
        return None
    return (
        f"sentence lengths in order: the shorter text is {observed:.0%} covered, against {mean:.0%} "
        f"(± {spread:.0%}) with the sentences of one side shuffled {test.shuffles} times (z = {z:.1f})"
    )


def best_beads(
    original: Profile | Sequence[XSentence],
    derived: Profile | Sequence[XSentence],
    meaning: np.ndarray | None = None,
    options: AlignOptions | None = None,
) -> list[Bead]:
    """The order-preserving beads of the highest total evidence, in text order."""
    options = options or AlignOptions()
    original, derived = _profile(original), _profile(derived)
    n, m = len(original), len(derived)
    if not n or not m:
        return []
    scores, contents = _bead_scores(original, derived, meaning, options)
    # best[j, i]: the best total over derived[:j] and original[:i], one numpy row at a time.
    best = np.zeros((m + 1, n + 1))
    for j in range(1, m + 1):
        row = best[j - 1].copy()  # derived sentence j-1 left out
        for (k, l_, _), score in zip(_SHAPES, scores, strict=True):
            if j >= l_:
                start = j - l_
                row[k:] = np.maximum(row[k:], best[start, : n - k + 1] + score[start])
        best[j] = np.maximum.accumulate(row)  # original sentences left out
    return _trace(best, scores, contents)


def _bead_scores(
    original: Profile, derived: Profile, meaning: np.ndarray | None, options: AlignOptions
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """For each bead shape, the evidence of the bead starting at [derived start, original start], and
    the part of it that the content gives (names, numbers, meaning)."""
    n, m = len(original), len(derived)
    ratio = derived.lengths.sum() / max(original.lengths.sum(), 1.0)
    rows = np.arange(m)[:, None] / max(m - 1, 1)
    cols = np.arange(n)[None, :] / max(n - 1, 1)
    off_band = np.abs(rows - cols) > options.band + 2 / min(n, m)
    shared = sorted(original.anchors & derived.anchors)
    scores, contents = [], []
    for k, l_, prior in _SHAPES:
        fit = _length_fit(_group(original.lengths, k)[None, :], _group(derived.lengths, l_)[:, None], ratio)
        content = options.anchor_weight * _anchor_agreement(original, k, derived, l_, shared, options)
        if meaning is not None:
            content = content + options.meaning_weight * (
                _group_meaning(meaning, k, l_) - options.meaning_neutral
            )
        score = np.log(np.maximum(fit, 1e-12)) - math.log(options.min_length_fit) + prior + content
        score[off_band[: m - l_ + 1, : n - k + 1]] = -np.inf
        scores.append(score)
        contents.append(content)
    return scores, contents


def _profile(text: Profile | Sequence[XSentence]) -> Profile:
    return text if isinstance(text, Profile) else Profile(text)


def _trace(best: np.ndarray, scores: list[np.ndarray], contents: list[np.ndarray]) -> list[Bead]:
    """Walk the table back from its corner: a left-out sentence where the total did not change, else a bead."""
    beads: list[Bead] = []
    j, i = best.shape[0] - 1, best.shape[1] - 1
    while j > 0 and i > 0:
        value = best[j, i]
        if value == best[j, i - 1]:
            i -= 1
        elif value == best[j - 1, i]:
            j -= 1
        else:
            for (k, l_, _), score, content in zip(_SHAPES, scores, contents, strict=True):
                if j >= l_ and i >= k and best[j - l_, i - k] + score[j - l_, i - k] == value:
                    evidence = 1.0 / (1.0 + math.exp(-score[j - l_, i - k]))
                    beads.append(((i - k, i), (j - l_, j), evidence, bool(content[j - l_, i - k] > 0)))
                    i, j = i - k, j - l_
                    break
            else:  # pragma: no cover - every step of the table is a left-out sentence or a bead
                break
    return beads[::-1]


def _group(lengths: np.ndarray, size: int) -> np.ndarray:
    """Per start, the total length of ``size`` consecutive sentences."""
    return lengths if size == 1 else lengths[:-1] + lengths[1:]


def _group_meaning(meaning: np.ndarray, k: int, l_: int) -> np.ndarray:
    """Similarity of sentence groups: the best of their members' pairs (a split sentence matches in part)."""
    sims = meaning
    if l_ == 2:
        sims = np.maximum(sims[:-1], sims[1:])
    if k == 2:
        sims = np.maximum(sims[:, :-1], sims[:, 1:])
    return sims


def _length_fit(length_o: np.ndarray, length_d: np.ndarray, ratio: float) -> np.ndarray:
    """Gale-Church: the probability of a length difference at least this large between translations."""
    mean = (length_o * ratio + length_d) / 2
    delta = np.abs(length_d - length_o * ratio) / np.sqrt(LENGTH_VARIANCE * np.maximum(mean, 1.0))
    return _erfc(delta / math.sqrt(2))


def _erfc(x: np.ndarray) -> np.ndarray:
    """Complementary error function for x >= 0 (Abramowitz & Stegun 7.1.26, error < 1.5e-7)."""
    t = 1 / (1 + 0.3275911 * x)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    return poly * np.exp(-x * x)


def _anchor_agreement(
    original: Profile, k: int, derived: Profile, l_: int, shared: list[str], options: AlignOptions
) -> np.ndarray:
    """Per (derived, original) group pair, -2..2: do the two give the same numbers and name the same names?

    Numbers are required: a translator keeps every figure, so one given on one side only counts
    against the pair (the share found on both sides, rescaled to -1..1). Names count by the share
    of the smaller side's found on the other, rescaled to -1..1 and held at ``options.unmatched_names``
    or above: translation keeps names but changes the other capitalised words (an institution, a
    title: "Banco Central Europeo" / "Európai Központi Bank"), so names that differ may be only
    weak evidence against. A side whose language capitalises every noun (German) has capitalised
    words in nearly every sentence; there the other side's names must be found. Names on one side
    only, and none on the other, count against, unless that side capitalises nouns.
    0 where there is nothing to tell by.
    """
    numbers_o, names_o = original.numbers[k], original.names[k]
    numbers_d, names_d = derived.numbers[l_], derived.names[l_]
    inc_o = original.incidence[k][:, [original.columns[a] for a in shared]]
    inc_d = derived.incidence[l_][:, [derived.columns[a] for a in shared]]
    is_number = np.array([anchor.startswith("#") for anchor in shared], dtype=bool)
    shared_numbers = inc_d[:, is_number] @ inc_o[:, is_number].T
    shared_names = inc_d[:, ~is_number] @ inc_o[:, ~is_number].T
    union = numbers_o[None, :] + numbers_d[:, None] - shared_numbers
    smaller = np.minimum(names_o[None, :], names_d[:, None])
    number_agreement = np.where(union > 0, 2 * shared_numbers / np.maximum(union, 1) - 1, 0.0)
    floor = -1.0 if original.capitalises_nouns or derived.capitalises_nouns else options.unmatched_names
    name_agreement = np.where(
        smaller > 0, np.maximum(2 * shared_names / np.maximum(smaller, 1) - 1, floor), 0.0
    )
    # Names on one side only count against, unless that side's capitals may be nouns.
    one_sided = ((names_o[None, :] > 0) & (names_d[:, None] == 0) & (not original.capitalises_nouns)) | (
        (names_d[:, None] > 0) & (names_o[None, :] == 0) & (not derived.capitalises_nouns)
    )
    return number_agreement + np.where(one_sided, -1.0, name_agreement)


def _side(side: Sequence[XSentence], groups: list[tuple[tuple[int, int], float, bool]]) -> Side:
    """What the beads cover of one text (the fields that only identical text can fill stay 0)."""
    total = sum(s.length for s in side) or 1
    indices = [i for (start, end), _, _ in groups for i in range(start, end)]
    covered = sum(side[i].length for i in indices)
    weighted = sum(e * side[i].length for (start, end), e, _ in groups for i in range(start, end)) / total
    confirmed = sum(side[i].length for (start, end), _, c in groups if c for i in range(start, end)) / total
    return Side(
        sentences=len(side),
        coverage=round(min(covered / total, 1.0), 4),
        identical=0.0,
        weighted=weighted,
        surface=0.0,
        density=len(indices) / (max(indices) - min(indices) + 1) if indices else 0.0,
        verbatim=0.0,
        narration=weighted,
        exact=0.0,
        confirmed=confirmed,
    )
