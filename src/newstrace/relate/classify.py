"""Is a candidate pair a copy, and of which kind? Decided from the aligned evidence alone.

What separates a copy from independent coverage of the same event is not how
many words two texts share (independent reports share names, facts and quotes)
but correspondence: most sentences of the shorter text have a counterpart in the
other, in the same order, with few gaps. The score is the shorter side's share
of characters covered by such in-order counterparts, weighted by how similar
each pair is, and discounted when the chain of counterparts jumps around.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

from rapidfuzz.distance import Indel

from newstrace.model import Passage, RelationKind
from newstrace.nlp.annotate import Sentence, sentences
from newstrace.relate.align import SentencePair, align_sentences, passages_from

# An aligned pair counts as a shared quotation when at least this share of both sentences is quoted,
# and as a shared list (a roster, a table) when both are at least this list-like (``text.list_share``:
# 4 of 6,400 sentences of the dev sources reach 0.8, all of them name lists or tables).
SHARED_QUOTE_MIN = 0.5
SHARED_LIST_MIN = 0.8
# Pairs at least this similar really correspond (a new lede aligned to an old sentence is not).
STRONG_MATCH = 0.6
# Below this share of text left outside shared quotes and lists, narration coverage is not measured.
NARRATION_MIN_SHARE = 0.2


@dataclass(frozen=True)
class ClassifyOptions:
    """Thresholds of the copy decision and of the kinds.

    Set on the dev rewrites and BASIL/NeuS independent reports, each with a margin below the
    lowest copy seen (score 0.45 for an LLM rewrite; 68% of the shorter text covered) and above
    the highest independent pair (score 0.46 BASIL at most, but never with 60% of the shorter
    text in order). Reports quoting the same statement align on the quotes alone: the narration
    coverage (sentences both sides quote, or both print as a list, left out) is at least 0.44 for
    every dev copy (LLM rewrites keep quotes exact and reword the rest) and at most 0.23 for
    independent reports of the news corpus that share quotes. ``python -m benchmarks.relate`` measures them.
    """

    min_score: float = 0.4
    min_shorter_coverage: float = 0.6
    min_narration_coverage: float = 0.3
    min_sentences: int = 3
    short_text_sentences: int = 5
    short_text_min_surface: float = 0.85
    duplicate_min_identical: float = 0.9
    duplicate_min_derived_identical: float = 0.8
    excerpt_min_identical: float = 0.8
    excerpt_max_original_coverage: float = 0.6
    edited_min_kept: float = 0.92
    edited_min_exact: float = 0.65
    spun_min_structure: float = 0.78


@dataclass(frozen=True)
class Side:
    """What the alignment covers of one text."""

    sentences: int
    coverage: float
    identical: float
    weighted: float
    surface: float
    density: float
    verbatim: float
    narration: float  # weighted coverage with shared quotations and lists left out of both counts
    exact: float  # share of the strongly matched characters in identical sentences
    confirmed: float = 0.0  # across languages: share covered by pairs whose names, numbers or meaning agree


@dataclass(frozen=True)
class Comparison:
    """The aligned evidence between a ``left`` and a ``right`` text, and the features read from it."""

    pairs: tuple[SentencePair, ...]
    passages: tuple[Passage, ...]  # original = left, derived = right
    left: Side
    right: Side
    diagonal: float
    near: float
    translated: bool = False  # the two texts are in different languages (see ``relate.crosslingual``)
    notes: tuple[str, ...] = ()  # what confirmed the verdict beyond the passages, in words (a relation's reasons)

    @property
    def matched(self) -> int:
        return len(self.pairs)

    def shorter(self) -> Side:
        return self.left if self.left.sentences < self.right.sentences else self.right

    @property
    def score(self) -> float:
        """Weighted in-order coverage of the shorter text, discounted for a jumpy chain (0..1)."""
        short = self.shorter()
        return round(max(short.weighted, short.surface) * (0.5 + 0.5 * self.near), 4)

    @property
    def mutual(self) -> float:
        """Weighted coverage of the less covered side: high only when each text covers the other."""
        return round(
            min(max(self.left.weighted, self.left.surface), max(self.right.weighted, self.right.surface)), 4
        )

    def fit(self) -> float:
        """How well ``left`` explains ``right``: ``right``'s weighted coverage (0..1)."""
        return round(max(self.right.weighted, self.right.surface), 4)

    def swapped(self) -> Comparison:
        """The same evidence seen from the other side."""
        pairs = tuple(SentencePair(p.derived, p.original, p.similarity) for p in self.pairs)
        passages = tuple(
            sorted(
                (Passage(p.derived, p.original, p.change, p.similarity) for p in self.passages),
                key=lambda p: p.derived,
            )
        )
        return Comparison(
            pairs, passages, self.right, self.left, self.diagonal, self.near, self.translated, self.notes
        )


def compare(left_text: str, right_text: str) -> Comparison:
    """Align two texts and read the copy features off the alignment."""
    return compare_sentences(sentences(left_text), sentences(right_text))


def compare_sentences(left: list[Sentence], right: list[Sentence]) -> Comparison:
    """``compare`` over already split sentences."""
    pairs = align_sentences(left, right)
    passages = passages_from(left, right, pairs)
    traits = [_traits(left[p.original], right[p.derived]) for p in pairs]
    steps = list(pairwise(pairs))
    diagonal = sum(1 for a, b in steps if b.original - a.original == 1 and b.derived - a.derived == 1)
    near = sum(1 for a, b in steps if b.original - a.original <= 2 and b.derived - a.derived <= 2)
    return Comparison(
        pairs=tuple(pairs),
        passages=tuple(passages),
        left=_side(
            left, [p.original for p in pairs], pairs, traits, [p.original for p in passages], passages
        ),
        right=_side(
            right, [p.derived for p in pairs], pairs, traits, [p.derived for p in passages], passages
        ),
        diagonal=diagonal / len(steps) if steps else float(bool(pairs)),
        near=near / len(steps) if steps else float(bool(pairs)),
    )


@dataclass(frozen=True)
class _Traits:
    """What one aligned sentence pair shows besides its similarity."""

    surface: float  # character similarity
    kept: float  # words kept in place: the longest common word subsequence, in words of both
    aside: bool  # a quotation, a list or a repeated line on both sides (two reports may quote one
    # statement, print one roster, embed one photo gallery)
    same: bool  # identical sentences


def _traits(original: Sentence, derived: Sentence) -> _Traits:
    return _Traits(
        surface=Indel.normalized_similarity(original.key.lower(), derived.key.lower()),
        kept=(len(original.words) + len(derived.words))
        * Indel.normalized_similarity(original.words, derived.words)
        / 2,
        aside=min(original.quoted, derived.quoted) >= SHARED_QUOTE_MIN
        or min(original.listed, derived.listed) >= SHARED_LIST_MIN
        or (original.repeated and derived.repeated),
        same=original.key == derived.key,
    )


def _side(
    side: list[Sentence],
    indices: list[int],
    pairs: list[SentencePair],
    traits: list[_Traits],
    spans: list[tuple[int, int]],
    passages: list[Passage],
) -> Side:
    total = sum(len(s.text) for s in side) or 1
    lengths = [len(side[i].text) for i in indices]
    identical = sum(
        end - start for (start, end), p in zip(spans, passages, strict=True) if p.change == "identical"
    )
    covered = sum(lengths)
    matched = list(zip(pairs, lengths, traits, strict=True))
    weighted = sum(p.similarity * n for p, n, _ in matched) / total
    aside = sum(n for _, n, t in matched if t.aside)
    told = sum(p.similarity * n for p, n, t in matched if not t.aside)
    strong = [(n, t.same) for p, n, t in matched if p.similarity >= STRONG_MATCH]
    return Side(
        sentences=len(side),
        coverage=round(min(covered / total, 1.0), 4),
        identical=round(min(identical / total, 1.0), 4),
        weighted=weighted,
        surface=sum(t.surface * n for _, n, t in matched) / total,
        density=len(indices) / (max(indices) - min(indices) + 1) if indices else 0.0,
        verbatim=min(sum(t.kept for t in traits) / max(sum(len(s.words) for s in side), 1), 1.0),
        # A text made almost wholly of shared quotes (a speech transcript) has no narration to tell by.
        narration=told / (total - aside) if total - aside >= NARRATION_MIN_SHARE * total else weighted,
        exact=sum(n for n, same in strong if same) / max(sum(n for n, _ in strong), 1),
    )


def is_copy(comparison: Comparison, options: ClassifyOptions) -> bool:
    """Enough in-order correspondence to say one text reuses the other (not just the same event)."""
    short = comparison.shorter()
    longer = comparison.right if short is comparison.left else comparison.left
    # A text of two sentences may be an excerpt (two one-sentence paragraphs) of a text it covers a small
    # part of: then both must match. Two short texts sharing two sentences are two outlets running one
    # wire lead, and one sentence is too little to tell a copy by.
    excerpt = short.sentences == 2 and longer.coverage <= options.excerpt_max_original_coverage
    if comparison.matched < (2 if excerpt else options.min_sentences) or comparison.score < options.min_score:
        return False
    if short.coverage < options.min_shorter_coverage:
        # A shared block (page boilerplate, one quoted statement) is not a copy of the text.
        return False
    if short.narration < options.min_narration_coverage:
        # The same statements quoted by two reports, told around in their own words.
        return False
    if short.sentences < options.short_text_sentences:
        # A lead of a few sentences can match an independent report by chance: only near-verbatim counts.
        return short.surface >= options.short_text_min_surface
    return True


def kind_of(comparison: Comparison, options: ClassifyOptions) -> RelationKind:
    """The kind of reuse, with ``left`` the original and ``right`` the derived text."""
    if comparison.translated:
        return "translation"
    original, derived = comparison.left, comparison.right
    if original.identical >= options.duplicate_min_identical and (
        derived.identical >= options.duplicate_min_derived_identical
    ):
        return "duplicate"
    # An excerpt keeps the words of one run of its original, in place: measured by words kept rather
    # than by identical sentences, so that a dateline or a credit one side printed and the other did
    # not ("WASHINGTON —") does not make it an edit.
    if (
        max(derived.identical, derived.verbatim) >= options.excerpt_min_identical
        and original.coverage <= options.excerpt_max_original_coverage
        and original.density >= 0.9
    ):
        return "excerpt"
    # Share of the derived side's aligned words kept verbatim and in place.
    kept = derived.verbatim / derived.coverage if derived.coverage else 0.0
    if kept >= options.edited_min_kept or derived.exact >= options.edited_min_exact:
        # Most corresponding sentences kept word for word (a reused block under a new lede):
        # spinners and translation change nearly every sentence (at most 59% kept on the dev set).
        return "edited"
    # Spinners and machine translation keep the sentence structure (a diagonal chain) and many
    # words; a rewrite merges, splits and rewords sentences.
    if (comparison.diagonal + kept) / 2 >= options.spun_min_structure:
        return "spun"
    return "rewrite"
