"""The language of a text when its page does not declare one: writing system, stop words, then py3langid.

Scripts used by one language (kana, hangul, …) decide at once; otherwise the language whose
stop words (justext's lists, shipped with trafilatura) cover most of the opening words wins.
Texts the stop words do not settle (Czech, Hungarian, Polish and the other languages without a
short list) go to py3langid, a maintained naive-Bayes identifier of 97 languages that ships its
model: it is right on every one of the 1,896 articles of the WMT news test sets here, but costs
about 0.8 ms a text against 0.07 ms for the stop words, so it decides only what they leave open.
"""

from __future__ import annotations

import functools
import re
from collections import Counter

import justext

# ISO 639-1 code → justext stop-list name. Lists of a few hundred function words only: the
# multi-thousand-word lists (Finnish, Hungarian, Czech, Polish, Turkish) hold content words
# and claim unrelated texts.
_STOP_LISTS = {
    "en": "English", "de": "German", "fr": "French", "es": "Spanish", "pt": "Portuguese", "it": "Italian",
    "nl": "Dutch", "sv": "Swedish", "da": "Danish", "no": "Norwegian_Bokmal", "ro": "Romanian",
    "id": "Indonesian", "el": "Greek", "ru": "Russian", "uk": "Ukrainian",
}  # fmt: skip
# Writing systems that name their language (checked in this order: kana before the Han it mixes with).
_SCRIPTS = (
    ("ja", re.compile(r"[\u3040-\u30ff]")),
    ("ko", re.compile(r"[\uac00-\ud7af]")),
    ("zh", re.compile(r"[\u4e00-\u9fff]")),
    ("ar", re.compile(r"[\u0600-\u06ff]")),
    ("he", re.compile(r"[\u0590-\u05ff]")),
    ("th", re.compile(r"[\u0e00-\u0e7f]")),
    ("hi", re.compile(r"[\u0900-\u097f]")),
)
_OTHER_SCRIPT = re.compile(
    r"[\u0590-\u06ff\u0900-\u097f\u0e00-\u0e7f\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7af]"
)
_WORD = re.compile(r"[^\W\d_]+")
SAMPLE_CHARS = 800
SAMPLE_WORDS = 120
# When the opening does not settle it, the stop words are counted again on the text after it, up to
# this many times the opening's length.
READ_ON = 5
MIN_WORDS = 10
# py3langid reads this much of a text (its accuracy here was the same at 400 characters as at 800).
IDENTIFIER_CHARS = 400
# Below this share of stop words the text is too short, mixed or in a language not listed.
MIN_SHARE = 0.25
# Below this probability py3langid is guessing (mixed text, lists of names, a language it lacks).
MIN_PROBABILITY = 0.5


@functools.cache
def _languages_of_word() -> dict[str, tuple[str, ...]]:
    """Each stop word with the languages that list it (built once; the lists never change)."""
    table: dict[str, list[str]] = {}
    for code, name in _STOP_LISTS.items():
        for word in justext.get_stoplist(name):
            table.setdefault(word.lower(), []).append(code)
    return {word: tuple(codes) for word, codes in table.items()}


def guess_language(text: str) -> str | None:
    """ISO 639-1 code of the language ``text`` is written in, or ``None`` when unsure."""
    sample = text[:SAMPLE_CHARS]
    if _OTHER_SCRIPT.search(sample):
        for code, script in _SCRIPTS:
            if len(script.findall(sample)) >= MIN_WORDS:
                return code
    words = _WORD.findall(sample.lower())[:SAMPLE_WORDS]
    if len(words) < MIN_WORDS:
        return None
    language = _by_stop_words(words)
    if language is None:
        # An opening of names, places and figures (a lede full of titles, a results table) has few stop
        # words: the rest of the text is read before the identifier is loaded (~100 MB, a second), if
        # there is enough of it to tell.
        rest = _WORD.findall(text[SAMPLE_CHARS : SAMPLE_CHARS * READ_ON].lower())
        language = _by_stop_words(rest) if len(rest) >= MIN_WORDS else None
    return language or _identified(text[:IDENTIFIER_CHARS])


def _by_stop_words(words: list[str]) -> str | None:
    """The language whose stop words make up ``MIN_SHARE`` of ``words`` or more (the one with most), if any."""
    table = _languages_of_word()
    hits = Counter(code for word in words for code in table.get(word, ()))
    best = max(sorted(hits), key=hits.__getitem__) if hits else None
    return best if best is not None and hits[best] >= MIN_SHARE * len(words) else None


@functools.cache
def _identifier() -> object:
    """py3langid's identifier with probabilities, loaded once (its model never changes)."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def _identified(sample: str) -> str | None:
    """py3langid's language for ``sample`` as an ISO 639-1 code, or ``None`` when it is unsure."""
    code, probability = _identifier().classify(sample)  # type: ignore[attr-defined]
    return code if len(code) == 2 and probability >= MIN_PROBABILITY else None
