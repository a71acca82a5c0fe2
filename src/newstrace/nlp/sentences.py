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
    supt insp det amb messrs mt ave blvd rd inc corp co ltd llc bros dept
    univ assn est approx vs etc al jan feb mar apr jun jul aug sep sept oct nov dec mon tue tues wed
    thu thur thurs fri sat sun ph op cf e.g i.e a.m p.m""")
# Abbreviations that in capitals are an acronym instead, which may end a sentence ("ft." is feet and "Ft."
# Fort, but "FT." the Financial Times).
CAPITALS_END = word_set("ft")
# Abbreviations only before a number ("No. 2", "Vol. 3"); elsewhere "no." ends a sentence.
NUMBER_ABBREVIATIONS = word_set("no nos vol vols fig figs pp")
# Words that often open a sentence after a dotted abbreviation such as "U.S." ends one.
SENTENCE_OPENERS = word_set("""the a an he she it they we i you his her its their our this that these those there here
    but and or so yet however meanwhile still then now in on at for when while if after before
    as since although though because what who why how""")

# End punctuation with any closing quotes or brackets, then (looked at, not taken) the white space of the same
# paragraph and maybe opening marks (quotation marks and brackets of any language) before a letter or digit.
# Group 1 is that white space, group 2 the opening marks, group 3 the letter or digit, which must be a capital
# or a digit and lie within ``_LOOK`` characters. Only a whole run of punctuation
# can match (it must be followed by white space), so a match starts at a run's first mark (the look-behind
# after it) and takes the run whole (possessive): a long run of periods costs its length once, not once per
# period. (The expression opens on the mark itself, so the search skips from mark to mark.)
_END = re.compile(r"[.!?…](?<![.!?…]{2})[.!?…]*+[\"'”’)\]]*+(?=([^\S\n]+)([\"'“‘«‹„‚¿¡(\[]*)([^\W_]))")
_NEXT_WORD = re.compile(r"\s+[\"'“‘«‹„‚¿¡(\[]*([\w']+)")
_WORD_BEFORE = re.compile(r"([A-Za-z][A-Za-z.]*)\.$")
# A paragraph without the white space around it.
_PARAGRAPH = re.compile(r"\S(?:[^\n]*\S)?")
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
    # One search for end punctuation over the whole text, read alongside the paragraphs.
    ends = _END.finditer(text)
    end = next(ends, None)
    for paragraph in _PARAGRAPH.finditer(text):
        first, stop = paragraph.span()
        start = first
        while end is not None and end.start() < stop:
            if _is_boundary(text, end, first, stop):
                spans.append((start, end.end()))
                start = end.end() + len(end.group(1))  # the next sentence opens after the white space
            end = next(ends, None)
        spans.append((start, stop))
    return spans


def _is_boundary(text: str, end: re.Match[str], first: int, stop: int) -> bool:
    """Whether the end punctuation ``end``, in the paragraph ``text[first:stop]``, ends a sentence."""
    opener = end.group(3)
    if len(end.group(1)) + len(end.group(2)) >= _LOOK or not (opener.isupper() or opener.isdigit()):
        return False
    punctuation = end.group()
    if punctuation.startswith(".") and not punctuation.startswith(".."):
        return _ends_sentence(text, max(first, end.start() - _LOOK), end.start(), end.end(), stop)
    return True


def _ends_sentence(text: str, window_start: int, period: int, after: int, end: int) -> bool:
    """Whether the period at ``period`` ends a sentence rather than an abbreviation or initial."""
    # The word holds no space, so the search for it starts after the last one.
    window_start = max(window_start, text.rfind(" ", window_start, period) + 1)
    word_match = _WORD_BEFORE.search(text, window_start, period + 1)
    if word_match is None or (word_match.start() > 0 and text[word_match.start() - 1].isalnum()):
        return True
    word = word_match.group(1)
    if "." in word:  # "U.S.", "N.C.", "a.m.": ends a sentence only before a typical opener
        return _next_word(text, after, end) in SENTENCE_OPENERS
    if len(word) == 1 and word.isupper():  # an initial: "John F. Kennedy"
        return False
    if word.lower() in NUMBER_ABBREVIATIONS:
        return not _next_word(text, after, end)[:1].isdigit()
    if word.lower() in CAPITALS_END:  # "6 ft. high", "Ft. Meade"; "said the FT. Aucune ..." ends a sentence
        return word.isupper()
    return word.lower() not in ABBREVIATIONS


def _next_word(text: str, after: int, end: int) -> str:
    """The word after a period, lower-cased ("" when none is near)."""
    next_word = _NEXT_WORD.match(text, after, min(end, after + _LOOK))
    return next_word.group(1).lower() if next_word else ""
