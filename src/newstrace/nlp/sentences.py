"""Sentence boundaries as character spans, without a model, in linear time.

News text is full of periods that do not end sentences ("U.S.", "Mr.", "Sen.",
"John F. Kennedy", "No. 2"), so a boundary needs end punctuation (with any closing
quotes or brackets) followed by white space and something that can open a sentence,
and the word before the period must not be a known abbreviation or an initial.
Paragraph breaks always end a sentence. Every decision looks at a few dozen characters
around the punctuation only, so a 10 MB paragraph costs what ten thousand short ones do.
"""

from __future__ import annotations

import re

from newstrace.model import Span
from newstrace.nlp.lexicon import word_set

# Words written with a period that usually do not end a sentence.
ABBREVIATIONS = word_set("""mr mrs ms dr prof sr jr st sen rep gov gen lt col sgt capt cmdr adm maj cpl pvt rev fr hon pres
    supt insp det amb messrs mt ft ave blvd rd inc corp co ltd llc bros dept
    univ assn est approx vs etc al jan feb mar apr jun jul aug sep sept oct nov dec mon tue tues wed
    thu thur thurs fri sat sun ph op cf e.g i.e a.m p.m""")
# Abbreviations only before a number ("No. 2", "Vol. 3"); elsewhere "no." ends a sentence.
NUMBER_ABBREVIATIONS = word_set("no nos vol vols fig figs pp")
# Words that often open a sentence after a dotted abbreviation such as "U.S." ends one.
SENTENCE_OPENERS = word_set("""the a an he she it they we i you his her its their our this that these those there here
    but and or so yet however meanwhile still then now in on at for when while if after before
    as since although though because what who why how""")

_END = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s)")
# What may open a sentence: quotation marks and brackets of any language, then a capital or a digit.
_OPENING = re.compile(r"\s+[\"'“‘«‹„‚¿¡(\[]*([^\W_])")
_NEXT_WORD = re.compile(r"\s+[\"'“‘«‹„‚¿¡(\[]*([\w']+)")
_WORD_BEFORE = re.compile(r"([A-Za-z][A-Za-z.]*)\.$")
_PARAGRAPHS = re.compile(r"[^\n]+")
# How far around a boundary the rules look: longer than any abbreviation or opening run.
_LOOK = 40


def split_sentences(text: str) -> list[Span]:
    """Split ``text`` into sentences.

    Args:
        text: any plain text; paragraphs separated by newlines.

    Returns:
        ``(start, end)`` character spans of the sentences, in order, trimmed of
        surrounding white space.

    Example:
        >>> t = "Mr. Lee met U.S. officials. They agreed."
        >>> [t[a:b] for a, b in split_sentences(t)]
        ['Mr. Lee met U.S. officials.', 'They agreed.']
    """
    spans: list[Span] = []
    for paragraph in _PARAGRAPHS.finditer(text):
        start = paragraph.start()
        for end in _boundaries(text, paragraph.start(), paragraph.end()):
            spans.append(_trim(text, start, end))
            start = end
        spans.append(_trim(text, start, paragraph.end()))
    return [s for s in spans if s[1] > s[0]]


def _boundaries(text: str, start: int, end: int) -> list[int]:
    found: list[int] = []
    for match in _END.finditer(text, start, end):
        after = match.end()
        opening = _OPENING.match(text, after, min(end, after + _LOOK))
        if opening is None or not (opening.group(1).isupper() or opening.group(1).isdigit()):
            continue
        punctuation = match.group()
        single_period = punctuation.startswith(".") and not punctuation.startswith("..")
        if single_period and not _ends_sentence(text, max(start, match.start() - _LOOK), match.start(), after, end):
            continue
        found.append(after)
    return found


def _ends_sentence(text: str, window_start: int, period: int, after: int, end: int) -> bool:
    """Whether the period at ``period`` ends a sentence rather than an abbreviation or initial."""
    word_match = _WORD_BEFORE.search(text, window_start, period + 1)
    if word_match is None or (word_match.start() > 0 and text[word_match.start() - 1].isalnum()):
        return True
    word = word_match.group(1)
    next_word = _NEXT_WORD.match(text, after, min(end, after + _LOOK))
    next_lower = next_word.group(1).lower() if next_word else ""
    if "." in word:  # "U.S.", "N.C.", "a.m.": ends a sentence only before a typical opener
        return next_lower in SENTENCE_OPENERS
    if len(word) == 1 and word.isupper():  # an initial: "John F. Kennedy"
        return False
    if word.lower() in NUMBER_ABBREVIATIONS:
        return not next_lower[:1].isdigit()
    return word.lower() not in ABBREVIATIONS


def _trim(text: str, start: int, end: int) -> Span:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
