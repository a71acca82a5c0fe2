"""Text units the relate stage compares: sentences with offsets, and normalised content tokens.

Tokens are lower-cased and cut to a short stem, so inflection ("describes" /
"describing") and machine-translation rewording keep matching; function words
are left out because independent reports share them as much as copies do.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace

from newstrace.model import Span
from newstrace.nlp.lexicon import ENGLISH_STOPWORDS, word_set

# Words every English text uses: they say nothing about whether two texts share a source.
STOPWORDS = ENGLISH_STOPWORDS | word_set("one two s t don didn doesn isn wasn aren weren won")

STEM_LENGTH = 6
# Sentences shorter than this are not judged list-like (a headline or a name alone is no list).
LIST_MIN_WORDS = 8
# Sentences shorter than this may well recur in one text ("He declined to comment.").
REPEAT_MIN_WORDS = 6
# Words, with inner apostrophes ("don't") but not a possessive "'s", which becomes the word "s".
_WORD = re.compile(r"[^\W_]+(?:'(?!s\b)[^\W_]+)*")
# A sentence ends at . ! ? … (and any closing quotes or brackets) followed by white space.
_SENTENCE_END = re.compile(r"[.!?…]+[”\"’')\]]*(?=\s)")
# Punctuation that may open a word ("(RELATED", "“Yes", "$5").
_OPENERS = "([{\"'“‘$#@*-–—"
# Double quotes may stay open to the end of the paragraph; single quotes (some outlets' house style)
# must close there, an apostrophe inside a word ("don't") not counting as a close.
_QUOTATION = re.compile(
    r'“[^”\n]*(?:”|$)|"[^"\n]*(?:"|$)'
    r"|(?<![\w'‘’])'(?=\w)(?:[^'\n]|'(?=\w))*'(?!\w)|(?<![\w'‘’])‘(?=\w)(?:[^’\n]|’(?=\w))*’(?!\w)",
    re.M,
)
_ABBREVIATION = re.compile(
    r"(?:\b[A-Z]|\b(?:Mr|Mrs|Ms|Dr|St|Sen|Rep|Gov|Gen|Lt|Col|Sgt|Capt|Prof|Jr|Sr|Inc|Corp|Co|No|vs|Jan|Feb|Mar|Apr"
    r"|Aug|Sept|Sep|Oct|Nov|Dec|U\.S|U\.N|U\.K|D\.C))\.$"
)


@dataclass(frozen=True)
class Sentence:
    """A sentence of a text: its span, its raw text, its content-token stems, all its words, its
    ``normalized`` form (equal keys: identical sentences), the share of its characters inside quotation marks,
    how much it reads like a list (see ``list_share``), and whether the text says it twice."""

    span: Span
    text: str
    stems: tuple[str, ...]
    words: tuple[str, ...]
    key: str
    quoted: float = 0.0
    listed: float = 0.0
    repeated: bool = False


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
    """The sentences of ``text`` with their words, content stems and quoted share."""
    lowered = _lowered(text)
    spans = sentence_spans(text)
    quoted = quoted_chars(text, spans)
    if len(lowered) != len(text):  # a few characters lower-case to two; split the slow way
        tokens = [words(text[s:e]) for s, e in spans]
    else:
        tokens = [_WORD.findall(lowered, s, e) for s, e in spans]
    found = [_sentence(text[s:e], (s, e), t, q) for (s, e), t, q in zip(spans, tokens, quoted, strict=True)]
    # A sentence a page prints twice is furniture (photo-gallery captions render twice), not the story.
    counts = Counter(s.key for s in found if len(s.words) >= REPEAT_MIN_WORDS)
    return [replace(s, repeated=True) if counts.get(s.key, 0) > 1 else s for s in found]


def quoted_chars(text: str, spans: list[Span]) -> list[int]:
    """How many characters of each span (sorted, not overlapping) lie inside quotation marks.

    A quotation runs from an opening mark to its closing mark or to the end of the paragraph (news
    style leaves a quote that goes on in the next paragraph open).
    """
    quotes = [q.span() for q in _QUOTATION.finditer(text)]
    counts, first = [], 0
    for start, end in spans:
        while first < len(quotes) and quotes[first][1] <= start:
            first += 1
        inside, at = 0, first
        while at < len(quotes) and quotes[at][0] < end:
            inside += min(end, quotes[at][1]) - max(start, quotes[at][0])
            at += 1
        counts.append(inside)
    return counts


def _sentence(piece: str, span: Span, tokens: list[str], quoted: int) -> Sentence:
    share = quoted / max(len(piece), 1)
    return Sentence(
        span, piece, tuple(stems_of(tokens)), tuple(tokens), normalized(piece), share, list_share(piece)
    )


def list_share(piece: str) -> float:
    """Share of the words of ``piece`` that are capitalised or numbers, 0 under ``LIST_MIN_WORDS`` words.

    Rosters, tables and legends ("Iowa: Tim Albrecht, Brad Anderson, ...") are made of names and
    figures; prose, even about people, is mostly lower-case words.
    """
    tokens = [t for t in (w.lstrip(_OPENERS) for w in piece.split()) if t[:1].isalnum()]
    if len(tokens) < LIST_MIN_WORDS:
        return 0.0
    return sum(1 for t in tokens if t[0].isupper() or t[0].isdigit()) / len(tokens)


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
