"""Words and content stems: the tokens relate and stories compare.

Tokens are lower-cased and cut to a short stem, so inflection ("describes" /
"describing") and machine-translation rewording keep matching; function words
are left out because independent reports share them as much as copies do.
"""

from __future__ import annotations

import re

from newstrace.nlp.lexicon import ENGLISH_STOPWORDS, word_set

# Words every English text uses: they say nothing about whether two texts share a source.
STOPWORDS = ENGLISH_STOPWORDS | word_set("one two s t don didn doesn isn wasn aren weren won")

STEM_LENGTH = 6
# Words, with inner apostrophes ("don't") but not a possessive "'s", which becomes the word "s".
WORD = re.compile(r"[^\W_]+(?:'(?!s\b)[^\W_]+)*")


def words(text: str) -> list[str]:
    """Every word of ``text`` lower-cased, in order, possessive ``'s`` dropped (function words too)."""
    return WORD.findall(lowered(text))


def content_stems(text: str) -> list[str]:
    """Stems (first ``STEM_LENGTH`` characters) of the words of ``text`` that are not function words, in order."""
    return stems_of(words(text))


def stems_of(tokens: list[str]) -> list[str]:
    """The stems of ``tokens`` (lower-cased words) that are not function words."""
    return [w[:STEM_LENGTH] for w in tokens if w not in STOPWORDS and (len(w) > 1 or w.isdigit())]


def lowered(text: str) -> str:
    """``text`` lower-cased with typographic apostrophes made plain, as ``words`` reads it."""
    return text.lower().replace("’", "'")


def normalized(text: str) -> str:
    """Text with white space collapsed and typographic quotes made plain, for exact comparison."""
    if not text.isascii():  # one pass of ``replace`` a mark is many times faster than ``str.translate``
        for mark, plain in _QUOTES:
            text = text.replace(mark, plain)
    return " ".join(text.split())


_QUOTES = (("“", '"'), ("”", '"'), ("‘", "'"), ("’", "'"), ("–", "-"), ("—", "-"))
