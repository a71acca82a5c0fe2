"""Text units the relate stage compares: sentences with offsets, and normalised content tokens.

Tokens are lower-cased and cut to a short stem, so inflection ("describes" /
"describing") and machine-translation rewording keep matching; function words
are left out because independent reports share them as much as copies do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from newstrace.model import Span
from newstrace.nlp.lexicon import ENGLISH_STOPWORDS, word_set

# Words every English text uses: they say nothing about whether two texts share a source.
STOPWORDS = ENGLISH_STOPWORDS | word_set("one two s t don didn doesn isn wasn aren weren won")

STEM_LENGTH = 6
# Words, with inner apostrophes ("don't") but not a possessive "'s", which becomes the word "s".
_WORD = re.compile(r"[^\W_]+(?:'(?!s\b)[^\W_]+)*")
# A sentence ends at . ! ? … (and any closing quotes or brackets) followed by white space.
_SENTENCE_END = re.compile(r"[.!?…]+[”\"’')\]]*(?=\s)")
_ABBREVIATION = re.compile(
    r"(?:\b[A-Z]|\b(?:Mr|Mrs|Ms|Dr|St|Sen|Rep|Gov|Gen|Lt|Col|Sgt|Capt|Prof|Jr|Sr|Inc|Corp|Co|No|vs|Jan|Feb|Mar|Apr"
    r"|Aug|Sept|Sep|Oct|Nov|Dec|U\.S|U\.N|U\.K|D\.C))\.$"
)


@dataclass(frozen=True)
class Sentence:
    """A sentence of a text: its span, its raw text, its content-token stems, all its words, and its
    ``normalized`` form (equal keys: identical sentences)."""

    span: Span
    text: str
    stems: tuple[str, ...]
    words: tuple[str, ...]
    key: str


def words(text: str) -> list[str]:
    """Every word of ``text`` lower-cased, in order, possessive ``'s`` dropped (function words too)."""
    return _WORD.findall(_lowered(text))


def content_stems(text: str) -> list[str]:
    """Stems (first ``STEM_LENGTH`` characters) of the words of ``text`` that are not function words, in order."""
    return stems_of(words(text))


def stems_of(tokens: list[str]) -> list[str]:
    """The stems of ``tokens`` (lower-cased words) that are not function words."""
    return [w[:STEM_LENGTH] for w in tokens if w not in STOPWORDS and (len(w) > 1 or w.isdigit())]


def sentence_spans(text: str) -> list[Span]:
    """Sentence spans of ``text``: paragraphs split at sentence ends, white space trimmed."""
    spans: list[Span] = []
    for paragraph in re.finditer(r"[^\n]+", text):
        start = paragraph.start()
        line = paragraph.group()
        cut = 0
        for end in _SENTENCE_END.finditer(line):
            if _ABBREVIATION.search(line[cut : end.end()]):
                continue
            spans.append((start + cut, start + end.end()))
            cut = end.end()
        spans.append((start + cut, start + len(line)))
    return [trimmed for span in spans if (trimmed := _trim(text, span))]


def sentences(text: str) -> list[Sentence]:
    """The sentences of ``text`` with their words and content stems."""
    lowered = _lowered(text)
    if len(lowered) != len(text):  # a few characters lower-case to two; split the slow way
        return [_sentence(text[s:e], (s, e), words(text[s:e])) for s, e in sentence_spans(text)]
    return [_sentence(text[s:e], (s, e), _WORD.findall(lowered, s, e)) for s, e in sentence_spans(text)]


def _sentence(piece: str, span: Span, tokens: list[str]) -> Sentence:
    return Sentence(span, piece, tuple(stems_of(tokens)), tuple(tokens), normalized(piece))


def _lowered(text: str) -> str:
    return text.lower().replace("’", "'")


def normalized(text: str) -> str:
    """Text with white space collapsed and typographic quotes made plain, for exact comparison."""
    text = text.translate(_QUOTES)
    return " ".join(text.split())


_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "–": "-", "—": "-"})


def _trim(text: str, span: Span) -> Span | None:
    start, end = span
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if end > start else None
