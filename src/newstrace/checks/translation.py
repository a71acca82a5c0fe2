"""Checks between a translation and its original: numbers and names that do not survive the translation.

Words differ across languages, so only what a translator keeps as it is can be compared, passage
by aligned passage (``Relation.evidence``): numbers, by value, each read the way its text's
language writes it ("1.234,5" is "1,234.5"); and names, which a translator keeps or transliterates
("Kaczyński" / "Kaczynski", "Tschaikowski" / "Tchaikovsky"). A number or a name of the
translation that is missing from its original's passage while the original's passage has one
missing from the translation is a change, the way a garbled name sits where the original's name sat.
A name that has become another word (a translated place, a German noun) is not similar to any name
of the original and is left alone. Quotes are translated, so their words cannot be compared: the
numbers and names inside them are, like any other.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import pairwise

from newstrace.checks.facts import CheckOptions, finding
from newstrace.checks.names import name_similarity, sound_key
from newstrace.model import Finding, Passage, Severity, Span
from newstrace.nlp.annotate import Annotations
from newstrace.nlp.numbers import LOCALIZED_NUMBER, localized_number, writes_decimal_comma
from newstrace.nlp.tokens import STOPWORDS
from newstrace.relate.crosslingual import NAME_KEY_LENGTH, fold

_WORD = re.compile(r"[^\W\d_]+")
# Marks after which a capital letter says nothing: a sentence or a quotation starts.
_OPENERS = frozenset('.!?:\n"“„«‹')


def translation_findings(
    original: Annotations,
    derived: Annotations,
    passages: list[Passage],
    severity: Severity = "alteration",
    options: CheckOptions | None = None,
) -> list[Finding]:
    """Numbers and names of ``derived`` (a translation) that differ from ``original``'s, passage by passage.

    Args:
        original: the facts of the article translated.
        derived: those of the translation; findings are on its text.
        passages: aligned passages of the two (the relation's evidence).
        severity: ``"alteration"`` when the direction is known, else ``"difference"``.
        options: thresholds (``name_similarity``).

    Returns:
        Findings on ``derived``, each citing the original's span.
    """
    options = options or CheckOptions()
    found: list[Finding] = []
    for passage in with_gaps(original.text, derived.text, passages):
        found += _numbers(original, derived, passage, severity)
        found += _names(original, derived, passage, severity, options)
    return found


def with_gaps(original: str, derived: str, passages: list[Passage]) -> list[Passage]:
    """``passages`` in order, with the text between two of them (or before the first, after the last)
    as one more passage where both sides have some, of lengths in the texts' proportion.

    A sentence whose figure or name was changed may be the very one the alignment left out (its
    numbers and names no longer agree), between two that it aligned.
    """
    ordered = sorted(passages, key=lambda p: p.derived)
    ratio = len(derived) / max(len(original), 1)
    bounds = [((0, 0), (0, 0)), *((p.original, p.derived) for p in ordered)]
    bounds.append(((len(original), len(original)), (len(derived), len(derived))))
    result = []
    for (before_o, before_d), (after_o, after_d) in pairwise(bounds):
        gap_o = _trimmed(original, before_o[1], after_o[0])
        gap_d = _trimmed(derived, before_d[1], after_d[0])
        if gap_o and gap_d:
            length_o, length_d = gap_o[1] - gap_o[0], gap_d[1] - gap_d[0]
            if 0.5 <= length_d / (length_o * ratio) <= 2:
                result.append(Passage(gap_o, gap_d, "paraphrased", 0.0))
    return sorted([*ordered, *result], key=lambda p: p.derived)


def _trimmed(text: str, start: int, end: int) -> Span | None:
    while start < end and not text[start].isalnum():
        start += 1
    while end > start and not text[end - 1].isalnum() and text[end - 1] not in ".!?”\"»":
        end -= 1
    return (start, end) if end > start else None


def _numbers(original: Annotations, derived: Annotations, passage: Passage, severity: Severity) -> list[Finding]:
    mine = list(_numbers_in(derived.text, passage.derived, writes_decimal_comma(derived.article.language)))
    theirs = list(
        _numbers_in(original.text, passage.original, writes_decimal_comma(original.article.language))
    )
    values_o = [value for _, value in theirs]
    values_d = [value for _, value in mine]
    missing_d = [(span, value) for span, value in mine if value not in values_o]
    missing_o = [(span, value) for span, value in theirs if value not in values_d]
    found = []
    for (span, _), (other_span, _) in zip(missing_d, missing_o, strict=False):
        text, other = derived.text[span[0] : span[1]], original.text[other_span[0] : other_span[1]]
        found.append(
            finding(
                derived,
                "number",
                severity,
                span,
                original,
                other_span,
                f"“{text}” where the original says “{other}” (a translation keeps its figures)",
            )
        )
    return found


def _numbers_in(text: str, span: Span, decimal_comma: bool) -> Iterator[tuple[Span, float]]:
    for match in LOCALIZED_NUMBER.finditer(text, span[0], span[1]):
        value = localized_number(match.group(), decimal_comma)
        if value is not None:
            yield match.span(), value


def _names_in(text: str, span: Span) -> list[tuple[Span, str]]:
    """Capitalised words that do not open a sentence or a quotation (names, in most languages)."""
    names = []
    previous_end = span[0]
    for index, match in enumerate(_WORD.finditer(text, span[0], span[1])):
        word, gap = match.group(), text[previous_end : match.start()]
        previous_end = match.end()
        opens = index == 0 or any(mark in gap for mark in _OPENERS)
        if not opens and word[0].isupper() and len(word) >= 3 and word.lower() not in STOPWORDS:
            names.append((match.span(), word))
    return names


def _same(a: str, b: str) -> bool:
    """One name as two languages write it: the same first letters, or the same sound, once folded."""
    return fold(a)[:NAME_KEY_LENGTH] == fold(b)[:NAME_KEY_LENGTH] or sound_key(a) == sound_key(b)


def _names(
    original: Annotations, derived: Annotations, passage: Passage, severity: Severity, options: CheckOptions
) -> list[Finding]:
    mine = _names_in(derived.text, passage.derived)
    theirs = _names_in(original.text, passage.original)
    missing_o = [(span, name) for span, name in theirs if not any(_same(name, other) for _, other in mine)]
    found = []
    for span, name in mine:
        if any(_same(name, other) for _, other in theirs):
            continue
        alike = [(name_similarity(name, other), other_span, other) for other_span, other in missing_o]
        best = max(alike, default=None)
        if best is not None and best[0] >= options.name_similarity:
            similarity, other_span, other = best
            found.append(
                finding(
                    derived,
                    "name",
                    severity,
                    span,
                    original,
                    other_span,
                    f"names “{name}” where the original has “{other}” (spelled or sounding alike, "
                    f"similarity {similarity:.2f}, across a translation)",
                )
            )
    return found
