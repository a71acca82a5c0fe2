"""What the checks compare: an article's names, numbers and quotes, and helpers shared by the checks.

Facts are computed once per article per call and passed along explicitly (no cache
that outlives a call), so results never depend on what was checked before.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache

from newstrace.model import Article, Finding, FindingKind, Passage, Severity, Span, SpanRef
from newstrace.nlp.entities import Mention, find_names
from newstrace.nlp.numbers import NumberMention, find_numbers
from newstrace.nlp.quotes import Quote, extract_quotes
from newstrace.nlp.sentences import split_sentences

_NON_WORD = re.compile(r"[^\w]+")
_WORDS = re.compile(r"\w+(?:['’]\w+)*")


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


@dataclass(frozen=True)
class Facts:
    """An article with its names, numbers and quotes, and its text folded for look-ups."""

    article: Article
    mentions: tuple[Mention, ...]
    numbers: tuple[NumberMention, ...]
    quotes: tuple[Quote, ...]
    folded: str

    @property
    def id(self) -> str:
        return self.article.id

    @property
    def text(self) -> str:
        return self.article.text

    def says(self, name: str) -> bool:
        """Whether ``name`` occurs in the text as whole words, ignoring case and punctuation."""
        key = fold(name)
        return bool(key) and f" {key} " in self.folded


def facts_of(article: Article) -> Facts:
    """Find the names, numbers and quotes of ``article`` once, for all the checks."""
    mentions = find_names(article.text)
    return Facts(
        article=article,
        mentions=tuple(mentions),
        numbers=tuple(find_numbers(article.text)),
        quotes=tuple(extract_quotes(article.text, mentions=mentions)),
        folded=f" {fold(article.text)} ",
    )


def vocabulary(article: Article) -> frozenset[str]:
    """An article's longer words, to rank other articles by shared wording."""
    return frozenset(w for w in _WORDS.findall(article.text.lower()) if len(w) > 3)


@lru_cache(maxsize=1 << 16)  # a memo of a pure function: the same names are folded again and again
def fold(text: str) -> str:
    """Lower case, accents and punctuation removed, words separated by single spaces."""
    spaced = text.replace("’", " ").replace("‘", " ")
    ascii_text = unicodedata.normalize("NFKD", spaced).encode("ascii", "ignore").decode("ascii")
    return _NON_WORD.sub(" ", ascii_text.lower().replace(".", "")).strip()


def words(text: str) -> list[str]:
    """Lower-cased words with apostrophes unified, for comparing quotes and contexts."""
    return [w.replace("’", "'") for w in _WORDS.findall(text.lower())]


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
    original: Facts, derived: Facts, passages: list[Passage], min_overlap: float
) -> list[Passage]:
    """``passages`` plus, for each derived sentence they leave out, the original sentence sharing most
    words with it (at least ``min_overlap`` of them): evidence may hold only the strongest passages,
    and a moved paragraph falls outside an in-order alignment.
    """
    covered = [p.derived for p in passages]
    missing = [s for s in split_sentences(derived.text) if not any(a < s[1] and s[0] < b for a, b in covered)]
    if not missing:
        return list(passages)
    originals = [
        (span, _content(original.text[span[0] : span[1]])) for span in split_sentences(original.text)
    ]
    added = []
    for span in missing:
        mine = _content(derived.text[span[0] : span[1]])
        best, best_overlap = None, 0.0
        for original_span, theirs in originals:
            union = len(mine | theirs)
            overlap = len(mine & theirs) / union if union else 0.0
            if overlap > best_overlap:
                best, best_overlap = original_span, overlap
        if best is not None and best_overlap >= min_overlap:
            added.append(Passage(best, span, "paraphrased", best_overlap))
    return [*passages, *added]


def _content(text: str) -> set[str]:
    return {w for w in words(text) if len(w) > 2}


def relative(span: Span, outer: Span) -> float:
    """Where ``span`` starts within ``outer``, from 0 to 1."""
    width = max(outer[1] - outer[0], 1)
    return (span[0] - outer[0]) / width


def finding(
    derived: Facts,
    kind: FindingKind,
    severity: Severity,
    span: Span,
    other: Facts | None,
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
