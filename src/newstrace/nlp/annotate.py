"""One article's text, annotated once: sentences with their words and stems, names, numbers and quotes.

Relate, checks and brief all read an article through ``annotate``: each annotation is
computed on first use and kept with the ``Annotations`` object, so a stage that holds
one per article never splits or scans a text twice. Every span is a pair of character
offsets into ``Article.text``.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache

from newstrace.model import Article, Span
from newstrace.nlp.entities import Mention, find_names
from newstrace.nlp.numbers import NumberMention, find_numbers
from newstrace.nlp.quotes import Quote, extract_quotes, find_quote_spans
from newstrace.nlp.sentences import split_sentences
from newstrace.nlp.tokens import WORD, lowered, normalized, stems_of, words

# Sentences shorter than this are not judged list-like (a headline or a name alone is no list).
LIST_MIN_WORDS = 8
# Sentences shorter than this may well recur in one text ("He declined to comment.").
REPEAT_MIN_WORDS = 6
# The first letter or digit of each word, after punctuation that may open one ("(RELATED", "“Yes", "$5"),
# read from a text with a space put before it: a word starts after white space. (Matching the space, rather
# than looking behind for it, lets the search skip from space to space: twice as fast.)
_TOKEN_FIRST = re.compile(r"\s[(\[{\"'“‘$#@*\-–—]*([^\W_])")
# Double quotes may stay open to the end of the paragraph; single quotes (some outlets' house style)
# must close there, an apostrophe inside a word ("don't") not counting as a close. Each alternative opens
# on its mark, and the check of the character before a single quote follows it ("'(?<![\w'‘’]')"), so the
# search skips from mark to mark (five times faster than a look-behind first).
_QUOTATION = re.compile(
    r'“[^”\n]*(?:”|$)|"[^"\n]*(?:"|$)'
    r"|'(?<![\w'‘’]')(?=\w)(?:[^'\n]|'(?=\w))*'(?!\w)|‘(?<![\w'‘’]‘)(?=\w)(?:[^’\n]|’(?=\w))*’(?!\w)",
    re.M,
)
_NON_WORD = re.compile(r"[^\w]+")
_PLAIN_WORDS = re.compile(r"\w+(?:['’]\w+)*")


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


class Annotations:
    """An article with its annotations, each made on first use.

    Example:
        >>> notes = annotate(Article(id="a", text="Mayor Ola Brenn spoke. 12 were hurt."))
        >>> [s.text for s in notes.sentences]
        ['Mayor Ola Brenn spoke.', '12 were hurt.']
    """

    def __init__(self, article: Article) -> None:
        self.article = article

    @property
    def id(self) -> str:
        return self.article.id

    @property
    def text(self) -> str:
        return self.article.text

    @cached_property
    def sentence_spans(self) -> list[Span]:
        return split_sentences(self.text)

    @cached_property
    def sentences(self) -> list[Sentence]:
        return sentences(self.text, self.sentence_spans)

    @cached_property
    def sentence_words(self) -> list[tuple[Span, frozenset[str]]]:
        """Each sentence's span with its set of plain words (``plain_words``), to match sentences by wording."""
        return [(span, frozenset(plain_words(self.text[span[0] : span[1]]))) for span in self.sentence_spans]

    @cached_property
    def sentence_content(self) -> list[tuple[Span, frozenset[str]]]:
        """Each sentence's span with its plain words of three letters or more: what it is about."""
        return [(span, frozenset(w for w in words if len(w) > 2)) for span, words in self.sentence_words]

    @cached_property
    def vocabulary(self) -> frozenset[str]:
        """The text's plain words of four letters or more, to rank other texts by shared wording."""
        return frozenset(w for w in plain_words(self.text) if len(w) > 3)

    @cached_property
    def names(self) -> tuple[Mention, ...]:
        return tuple(find_names(self.text, self.sentence_spans))

    @cached_property
    def numbers(self) -> tuple[NumberMention, ...]:
        return tuple(find_numbers(self.text))

    @cached_property
    def quotes(self) -> tuple[Quote, ...]:
        return tuple(extract_quotes(self.text, mentions=list(self.names), spans=self.quote_spans))

    @cached_property
    def quote_spans(self) -> list[Span]:
        return find_quote_spans(self.text)

    @cached_property
    def folded(self) -> str:
        """The text folded (``fold``), padded with spaces, for whole-word look-ups."""
        return f" {fold(self.text)} "

    def says(self, name: str) -> bool:
        """Whether ``name`` occurs in the text as whole words, ignoring case and punctuation."""
        key = fold(name)
        return bool(key) and f" {key} " in self.folded


def annotate(article: Article) -> Annotations:
    """``article`` ready to be annotated: nothing is computed until it is asked for."""
    return Annotations(article)


def sentences(text: str, spans: list[Span] | None = None) -> list[Sentence]:
    """The sentences of ``text`` (at ``spans``, by default ``split_sentences``) with their words, content
    stems, quoted share, list likeness, and whether the text says them twice."""
    spans = split_sentences(text) if spans is None else spans
    folded = lowered(text)
    quoted = quoted_chars(text, spans)
    if len(folded) != len(text):  # a few characters lower-case to two; split the slow way
        tokens = [words(text[s:e]) for s, e in spans]
    else:
        tokens = [WORD.findall(folded, s, e) for s, e in spans]
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
    firsts = _TOKEN_FIRST.findall(f" {piece}")
    if len(firsts) < LIST_MIN_WORDS:
        return 0.0
    # Counted in C; no character is both a capital and a digit, so the two counts add up.
    return (sum(map(str.isupper, firsts)) + sum(map(str.isdigit, firsts))) / len(firsts)


def plain_words(text: str) -> list[str]:
    """Lower-cased words with apostrophes unified (possessives kept), for comparing quotes and contexts."""
    return [w.replace("’", "'") for w in _PLAIN_WORDS.findall(text.lower())]


@lru_cache(maxsize=1 << 16)  # a memo of a pure function: the same names are folded again and again
def fold(text: str) -> str:
    """Lower case, accents and punctuation removed, words separated by single spaces."""
    spaced = text.replace("’", " ").replace("‘", " ")
    ascii_text = unicodedata.normalize("NFKD", spaced).encode("ascii", "ignore").decode("ascii")
    return _NON_WORD.sub(" ", ascii_text.lower().replace(".", "")).strip()
