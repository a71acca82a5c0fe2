"""Numbers that differ between corresponding passages, or between reports of the same fact.

Numbers are compared by normalised value, so "five" and "5" or "$5.5bn" and "5.5 billion
dollars" agree. A number of the copy differs from one of the original when both are of
the same kind and unit, neither value is found on the other side of the passage, and the
words around them are largely the same: "21 deaths" -> "24 deaths", "In 2007" -> "In 2006".
"""

from __future__ import annotations

from newstrace.checks.facts import CheckOptions, PassageIndex, finding, inside, most_alike
from newstrace.model import Finding, Passage, Severity, Span
from newstrace.nlp.annotate import Annotations, plain_words
from newstrace.nlp.numbers import NumberMention

_CONTEXT_WORDS = 4
_YEAR_DIGITS = 4
# Word overlap at which a sentence outside the aligned passages is the same sentence moved.
_MOVED_SENTENCE_OVERLAP = 0.7


def same_value(a: NumberMention, b: NumberMention) -> bool:
    """Equal values; a date without a year agrees with the same day of any year."""
    if a.kind == "date" and b.kind == "date":
        day_a, day_b = a.value % 10000, b.value % 10000
        years = (a.value // 10000, b.value // 10000)
        return day_a == day_b and (years[0] == years[1] or 0 in years)
    return abs(a.value - b.value) <= 1e-9 * max(abs(a.value), abs(b.value), 1.0)


def _comparable(a: NumberMention, b: NumberMention) -> bool:
    if {a.kind, b.kind} == {"year", "count"}:
        # "in 1963" altered to an impossible year ("in 5963") reads as a count.
        return len(str(int(a.value))) == len(str(int(b.value))) == _YEAR_DIGITS
    if a.kind != b.kind:
        return False
    if a.unit is None or b.unit is None:
        return True
    return a.unit.rstrip("s") == b.unit.rstrip("s")


def _context(text: str, span: Span) -> set[str]:
    """Words just before and after a number, within its paragraph."""
    before = plain_words(text[max(0, span[0] - 80) : span[0]].rsplit("\n", 1)[-1])[-_CONTEXT_WORDS:]
    after = plain_words(text[span[1] : span[1] + 80].split("\n", 1)[0])[:_CONTEXT_WORDS]
    return {w for w in before + after if not w[0].isdigit()}


def context_overlap(text_a: str, span_a: Span, text_b: str, span_b: Span) -> float:
    a, b = _context(text_a, span_a), _context(text_b, span_b)
    return len(a & b) / len(a | b) if a | b else 0.0


def pair_findings(
    original: Annotations, derived: Annotations, passages: list[Passage], severity: Severity, options: CheckOptions
) -> list[Finding]:
    """Numbers of ``derived`` that differ from the number the corresponding original passage states."""
    index = PassageIndex(passages)
    groups: dict[Passage, list[NumberMention]] = {}
    for number in derived.numbers:
        passage = index.of_derived(number.span)
        if passage is None:
            passage = _same_sentence(derived, number.span, original)
        if passage is not None:
            groups.setdefault(passage, []).append(number)
    findings = []
    for passage, mine in groups.items():
        theirs = [n for n in original.numbers if inside(n.span, passage.original)]
        left_mine, left_theirs = _unmatched(mine, theirs)
        for number in left_mine:
            if passage.change == "paraphrased" and any(same_value(number, n) for n in original.numbers):
                continue  # reworded text may move a number to another sentence
            candidates = [n for n in left_theirs if _comparable(n, number)]
            match = _closest(original.text, derived.text, number, candidates, options)
            if match is None:
                continue
            left_theirs.remove(match)
            findings.append(
                finding(
                    derived,
                    "number",
                    severity,
                    number.span,
                    original,
                    match.span,
                    f"{number.kind} “{number.text}” where the original says “{match.text}”",
                )
            )
    return findings


def _unmatched(
    mine: list[NumberMention], theirs: list[NumberMention]
) -> tuple[list[NumberMention], list[NumberMention]]:
    """Numbers of each side left after pairing equal values one to one (same unit first)."""
    left = list(theirs)
    unmatched = []
    for number in mine:
        equal = [n for n in left if same_value(number, n)]
        if not equal:
            unmatched.append(number)
            continue
        left.remove(next((n for n in equal if n.unit == number.unit), equal[0]))
    return unmatched, left


def _same_sentence(derived: Annotations, span: Span, original: Annotations) -> Passage | None:
    """A stand-in passage for a number outside the aligned passages (a moved paragraph, say):
    the original sentence with nearly the same words as the sentence holding the number.
    """
    around = next(((s, words) for s, words in derived.sentence_words if s[0] <= span[0] and span[1] <= s[1]), None)
    if around is None:
        return None
    best, overlap = most_alike(around[1], original.sentence_words)
    if best is None or overlap < _MOVED_SENTENCE_OVERLAP:
        return None
    return Passage(best, around[0], "edited", overlap)


def _closest(
    original_text: str,
    derived_text: str,
    number: NumberMention,
    candidates: list[NumberMention],
    options: CheckOptions,
) -> NumberMention | None:
    scored = [(context_overlap(derived_text, number.span, original_text, n.span), n) for n in candidates]
    scored = [(s, n) for s, n in scored if s >= options.number_context]
    if not scored:
        return None
    return max(scored, key=lambda item: (item[0], -item[1].span[0]))[1]


def story_findings(facts: Annotations, other: Annotations, options: CheckOptions) -> list[Finding]:
    """Numbers of sentences that state the same fact as a sentence of another report, with another value."""
    findings = []
    for span, mine in facts.sentence_words:
        numbers = [n for n in facts.numbers if inside(n.span, span)]
        if not numbers:
            continue
        for other_span, theirs in other.sentence_words:
            if not mine or len(mine & theirs) / len(mine | theirs) < options.story_sentence_similarity:
                continue
            their_numbers = [n for n in other.numbers if inside(n.span, other_span)]
            for number in numbers:
                if any(same_value(number, n) for n in their_numbers):
                    continue
                candidates = [
                    n
                    for n in their_numbers
                    if _comparable(n, number) and not any(same_value(n, m) for m in numbers)
                ]
                match = _closest(other.text, facts.text, number, candidates, options)
                if match is not None:
                    findings.append(
                        finding(
                            facts,
                            "number",
                            "difference",
                            number.span,
                            other,
                            match.span,
                            f"{number.kind} “{number.text}” here, “{match.text}” in another report of the same fact",
                        )
                    )
    return findings
