"""Direct quotes compared word for word with the closest quote of the original.

A quote whose words all appear, in order, within one original quote (or two that
follow each other) is faithful: shortening a quote is not altering it. Otherwise the
closest original quote is found by word-sequence similarity, or, when the rewording
left too few words in common ("upped the ante" -> "raised the bet money"), by being the
only unmatched quote at the same place of the corresponding passage. A faithful quote
put in another speaker's mouth is flagged too.
"""

from __future__ import annotations

import itertools
import re

from rapidfuzz.distance import Indel

from newstrace.checks.facts import CheckOptions, PassageIndex, finding, relative
from newstrace.checks.names import name_similarity
from newstrace.model import Finding, Passage, Severity
from newstrace.nlp.annotate import Annotations, fold, plain_words
from newstrace.nlp.quotes import Quote

# An elided excerpt's words may skip a few words of its source ("…"), not wander through it.
_EXCERPT_SLACK = 2.0
_TOKEN = re.compile(r"[\w'’-]+")
_NAME = "\x00name"
_TITLE_WORDS = 8
# Pairing quotes by place alone: the passages must still correspond, the quotes sit alike in them.
_SAME_PLACE_SIMILARITY = 0.3
_SAME_PLACE_SHIFT = 0.3
# Independent reports quoting one speaker: long enough quotes, mostly the same words.
_STORY_QUOTE_WORDS = 6
_STORY_QUOTE_SIMILARITY = 0.6
_UNALIGNED_NAME_SIMILARITY = 0.85
_TITLE_FILLERS = frozenset(("of", "the", "and", "for", "a", "an", "in", "on", "to", "at", "by"))
# Characters between a quote and the name in its attribution ("…,” said Sen. Ann Lee).
_ATTRIBUTION_GAP = 40


def is_excerpt(part: list[str], whole: list[str], elided: bool = False) -> bool:
    """Whether ``part`` is ``whole`` or a stretch of it; with ``elided`` (the excerpt marks a cut
    with "…" or "[...]"), its words may skip a few words of ``whole``, in order.
    """
    if not part:
        return True
    for start, word in enumerate(whole):
        if word != part[0]:
            continue
        position, matched = start, 0
        limit = start + (int(len(part) * _EXCERPT_SLACK) + 3 if elided else len(part))
        while position < min(len(whole), limit) and matched < len(part):
            if whole[position] == part[matched]:
                matched += 1
            position += 1
        if matched == len(part):
            return True
    return False


def _elided(quote: Quote) -> bool:
    return any(mark in quote.text for mark in ("…", "...", "[", "("))


def _faithful_sources(
    quote: Quote, quote_words: list[str], originals: list[tuple[Quote, list[str]]]
) -> list[Quote]:
    """The original quotes that ``quote_words`` excerpts, else the one it starts in when it joins two."""
    elided = _elided(quote)
    sources = [q for q, original_words in originals if is_excerpt(quote_words, original_words, elided)]
    if sources:
        return sources
    for (source, original_words), (_, following) in itertools.pairwise(originals):
        if quote_words[0] in original_words and any(
            is_excerpt(quote_words[:cut], original_words, elided)
            and is_excerpt(quote_words[cut:], following, elided)
            for cut in range(1, len(quote_words))
        ):
            return [source]  # two quotes of the original joined into one ("…,” she said, “…")
    return []


def is_title(text: str) -> bool:
    """Quote marks around a name or title ("Tucker Carlson Tonight"), not around speech: names are checked as names."""
    tokens = _TOKEN.findall(text)
    return (
        0 < len(tokens) <= _TITLE_WORDS
        and all(t[:1].isupper() or t.lower() in _TITLE_FILLERS for t in tokens)
        and tokens[0][:1].isupper()
    )


def _masked_words(quote: Quote, renamed: frozenset[str]) -> list[str]:
    """The quote's words, with the words of a renamed name ("Fence" for "Pence") as one placeholder:
    that change is reported as a name, and the quote is compared for its other words.
    """
    result: list[str] = []
    for word in plain_words(quote.text):
        if word in renamed:
            if not result or result[-1] != _NAME:
                result.append(_NAME)
        else:
            result.append(word)
    return result


def pair_findings(
    original: Annotations,
    derived: Annotations,
    passages: list[Passage],
    severity: Severity,
    options: CheckOptions,
    renamed: frozenset[str] = frozenset(),
) -> list[Finding]:
    """Quotes of ``derived`` reworded or misattributed against the quotes of ``original``.

    ``renamed`` holds the lower-case words of names already found changed (both spellings),
    so that a quote differing only by them is not reported again.
    """
    originals = [(q, _masked_words(q, renamed)) for q in original.quotes]
    if not originals:
        return []
    index = PassageIndex(passages)
    findings: list[Finding] = []
    unmatched: list[tuple[Quote, list[str]]] = []
    used: set[int] = set()
    for quote in derived.quotes:
        quote_words = _masked_words(quote, renamed)
        if not quote_words or is_title(quote.text):
            continue
        sources = _faithful_sources(quote, quote_words, originals)
        if sources:
            used.update(s.span[0] for s in sources)
            misattributed = _misattribution(original, derived, quote, sources, severity)
            if misattributed is not None:
                findings.append(misattributed)
            continue
        best, similarity = _most_similar(quote_words, originals)
        if best is not None and similarity >= options.quote_similarity:
            used.add(best.span[0])
            findings.append(_reworded(original, derived, quote, best, severity, f"{similarity:.0%} alike"))
        else:
            unmatched.append((quote, quote_words))
    for quote, _ in unmatched:
        source = _same_place(quote, index, original, used)
        if source is not None:
            used.add(source.span[0])
            findings.append(_reworded(original, derived, quote, source, severity, "at the same place"))
    return findings


def _most_similar(
    quote_words: list[str], originals: list[tuple[Quote, list[str]]]
) -> tuple[Quote | None, float]:
    best, best_score = None, 0.0
    for quote, original_words in originals:
        score = _similarity(quote_words, original_words)
        if score > best_score:
            best, best_score = quote, score
    return best, best_score


def _similarity(part: list[str], whole: list[str]) -> float:
    """Word-sequence similarity, against the best-matching stretch of a longer quote."""
    if len(whole) <= len(part) * 1.5 + 2:
        return Indel.normalized_similarity(part, whole)
    width = len(part) + 2
    return max(
        Indel.normalized_similarity(part, whole[start : start + width])
        for start in range(0, len(whole) - width + 1)
    )


def _same_place(quote: Quote, index: PassageIndex, original: Annotations, used: set[int]) -> Quote | None:
    """The one original quote opening in the passage where this quote opens, that no other quote
    matched, at the same place in it and of a like length (a rewording too free to share words).
    """
    passage = index.at_derived(quote.span[0])
    if passage is None or passage.similarity < _SAME_PLACE_SIMILARITY:
        return None
    candidates = [
        q
        for q in original.quotes
        if passage.original[0] <= q.span[0] < passage.original[1] and q.span[0] not in used
    ]
    if len(candidates) != 1:
        return None
    source = candidates[0]
    shift = abs(relative(quote.span, passage.derived) - relative(source.span, passage.original))
    lengths = sorted((len(plain_words(quote.text)), len(plain_words(source.text))))
    return source if shift <= _SAME_PLACE_SHIFT and lengths[1] <= 1.5 * lengths[0] + 1 else None


def _reworded(
    original: Annotations, derived: Annotations, quote: Quote, source: Quote, severity: Severity, how: str
) -> Finding:
    return finding(
        derived,
        "quote",
        severity,
        quote.span,
        original,
        source.span,
        f"quote reworded ({how}); the original reads “{_clip(source.text)}”"
        + (f", said by {source.speaker}" if source.speaker else ""),
    )


def _named_speaker(facts: Annotations, quote: Quote) -> str | None:
    """The speaker when the attribution beside the quote names a person outright (no pronoun, no guess)."""
    if quote.speaker is None or quote.speaker_span is None or " " not in quote.speaker.strip():
        return None
    gap = min(abs(quote.speaker_span[0] - quote.span[1]), abs(quote.span[0] - quote.speaker_span[1]))
    if gap > _ATTRIBUTION_GAP:
        return None
    for mention in facts.names:
        if mention.span != quote.speaker_span:
            continue
        resolved_surname = " " not in mention.text and mention.text != quote.speaker
        if mention.kind == "person" or mention.role or resolved_surname:
            return quote.speaker
    return None


def _misattribution(
    original: Annotations, derived: Annotations, quote: Quote, sources: list[Quote], severity: Severity
) -> Finding | None:
    """The same words given to another named person, when both names appear in both articles (no mere garble)."""
    said_by = _named_speaker(derived, quote)
    if said_by is None:
        return None
    for source in sources:
        said_originally = _named_speaker(original, source)
        if said_originally is None or set(fold(said_by).split()) & set(fold(said_originally).split()):
            return None
        if name_similarity(said_by, said_originally) >= 0.5:
            return None
    source = sources[0]
    said_originally = source.speaker or ""
    if not (derived.says(said_originally) and original.says(said_by)):
        return None
    return finding(
        derived,
        "quote",
        severity,
        quote.span,
        original,
        source.span,
        f"quote attributed to {said_by}; the original gives it to {said_originally}",
    )


def _clip(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def story_findings(facts: Annotations, other: Annotations, options: CheckOptions) -> list[Finding]:
    """Quotes of one speaker that independent reports give in different words (not mere excerpts)."""
    theirs = [
        (q, plain_words(q.text)) for q in other.quotes if q.speaker and len(plain_words(q.text)) >= _STORY_QUOTE_WORDS
    ]
    findings = []
    for quote in facts.quotes:
        quote_words = plain_words(quote.text)
        if not quote.speaker or len(quote_words) < _STORY_QUOTE_WORDS or is_title(quote.text):
            continue
        candidates = [
            (q, w)
            for q, w in theirs
            if name_similarity(q.speaker or "", quote.speaker) >= _UNALIGNED_NAME_SIMILARITY
            and not is_excerpt(quote_words, w, _elided(quote))
            and not is_excerpt(w, quote_words, _elided(q))
        ]
        scored = [(Indel.normalized_similarity(quote_words, w), q) for q, w in candidates]
        best = max(scored, default=None, key=lambda item: (item[0], -item[1].span[0]))
        if best is None or best[0] < max(options.quote_similarity, _STORY_QUOTE_SIMILARITY):
            continue
        findings.append(
            finding(
                facts,
                "quote",
                "difference",
                quote.span,
                other,
                best[1].span,
                f"{quote.speaker} quoted in other words by another report: “{_clip(best[1].text)}”",
            )
        )
    return findings
