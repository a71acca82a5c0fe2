"""The checks' options and the helpers every check shares: passages, sentence matching, findings.

The checks read each article through its ``Annotations`` (names, numbers, quotes, sentences),
made once per article per call and passed along explicitly (no cache that outlives a call),
so results never depend on what was checked before.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass

from newstrace.model import Finding, FindingKind, Passage, Severity, Span, SpanRef
from newstrace.nlp.annotate import Annotations


@dataclass(frozen=True)
class CheckOptions:
    """Thresholds of the cross-checks.

    Attributes:
        name_similarity: spelling/sound similarity (0-1) at which two names in corresponding
            passages are taken as one name written differently.
        name_loose_similarity: lower similarity accepted when both names sit at the same
            place of their passages.
        name_position: largest difference of relative position in the passage for pairing
            names by place alone (translated names share no letters: "Israel Our Home").
        number_context: share of surrounding words two numbers must have in common to be
            taken as the same statement.
        quote_similarity: word-sequence similarity at which a quote is a reworded version
            of another.
        story_sentence_similarity: word overlap at which sentences of independent reports
            state the same fact.
        sentence_overlap: word overlap at which a derived sentence outside the given passages
            is taken to correspond to an original sentence.
        max_independent: each article is compared with at most this many independent
            reports of its story, the closest in wording, so large stories stay fast.
    """

    name_similarity: float = 0.72
    name_loose_similarity: float = 0.4
    name_position: float = 0.2
    number_context: float = 0.34
    quote_similarity: float = 0.45
    story_sentence_similarity: float = 0.5
    sentence_overlap: float = 0.35
    max_independent: int = 5


def inside(span: Span, outer: Span) -> bool:
    return outer[0] <= span[0] and span[1] <= outer[1]


class PassageIndex:
    """Finds the aligned passage holding a derived (or original) position."""

    def __init__(self, passages: list[Passage]) -> None:
        self.passages = sorted(passages, key=lambda p: p.derived)
        self._starts = [p.derived[0] for p in self.passages]

    def at_derived(self, position: int) -> Passage | None:
        """The passage whose derived side holds ``position``."""
        index = bisect_right(self._starts, position) - 1
        if index >= 0 and position < self.passages[index].derived[1]:
            return self.passages[index]
        return None

    def of_derived(self, span: Span) -> Passage | None:
        index = bisect_right(self._starts, span[0]) - 1
        if index >= 0 and inside(span, self.passages[index].derived):
            return self.passages[index]
        return None


def complete_passages(
    original: Annotations, derived: Annotations, passages: list[Passage], min_overlap: float
) -> list[Passage]:
    """``passages`` plus, for each derived sentence they leave out, the original sentence sharing most
    content words with it (at least ``min_overlap`` of them): evidence may hold only the strongest
    passages, and a moved paragraph falls outside an in-order alignment.
    """
    covered = [p.derived for p in passages]
    missing = [
        (span, words)
        for span, words in derived.sentence_content
        if not any(a < span[1] and span[0] < b for a, b in covered)
    ]
    added = []
    for span, words in missing:
        best, overlap = most_alike(words, original.sentence_content)
        if best is not None and overlap >= min_overlap:
            added.append(Passage(best, span, "paraphrased", overlap))
    return [*passages, *added]


def most_alike(words: frozenset[str], sentences: Iterable[tuple[Span, frozenset[str]]]) -> tuple[Span | None, float]:
    """The first of ``sentences`` sharing the largest share of words with ``words`` (Jaccard), and that share."""
    best, best_overlap = None, 0.0
    for span, theirs in sentences:
        union = len(words | theirs)
        overlap = len(words & theirs) / union if union else 0.0
        if overlap > best_overlap:
            best, best_overlap = span, overlap
    return best, best_overlap


def relative(span: Span, outer: Span) -> float:
    """Where ``span`` starts within ``outer``, from 0 to 1."""
    width = max(outer[1] - outer[0], 1)
    return (span[0] - outer[0]) / width


def finding(
    derived: Annotations,
    kind: FindingKind,
    severity: Severity,
    span: Span,
    other: Annotations | None,
    other_span: Span | None,
    explanation: str,
) -> Finding:
    """A finding on ``derived`` with the corresponding span of ``other`` as evidence."""
    reference = None
    if other is not None and other_span is not None:
        reference = SpanRef(other.id, other_span, other.text[other_span[0] : other_span[1]])
    return Finding(
        article=derived.id,
        kind=kind,
        severity=severity,
        span=span,
        text=derived.text[span[0] : span[1]],
        other=reference,
        explanation=explanation,
    )
