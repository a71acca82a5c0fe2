"""Translations: find the original of an article written in another language, with aligned evidence.

Words do not survive translation, but names, numbers and the shape of the text do: a translation
names the same people and places and gives the same figures, sentence by sentence, in the same
order, and each sentence is about as long as its original, in a proportion that holds for the
whole text (Gale & Church, 1993). Candidates are the articles of other languages that share the
most rare names and numbers (``anchor_stems``, looked up in relate's own stem index). The decision
aligns the two texts sentence by sentence, in order, allowing one sentence to become two and two
one (``align_translation``); each pair of sentences is judged by how well its lengths fit the
text's proportion, by the names and numbers the two share or do not, and, for languages the
multilingual encoder knows, by what the sentences mean. A translation covers most of the shorter
text with such pairs; an independent report in another language, even of the same event, does not.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import OrderedDict
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace

import numpy as np

from newstrace.model import Article
from newstrace.nlp.numbers import LOCALIZED_NUMBER, localized_number, writes_decimal_comma
from newstrace.nlp.sentences import split_sentences
from newstrace.nlp.tokens import STEM_LENGTH, STOPWORDS
from newstrace.relate.bitext import (
    AlignOptions,
    OrderTest,
    Profile,
    XSentence,
    align_translation,
    lengths_in_order,
)
from newstrace.relate.candidates import CandidateIndex
from newstrace.relate.classify import Comparison

# A capitalised word that does not open its sentence: a name in most languages (German also
# capitalises nouns, which then simply find nothing in another language).
_WORD = re.compile(r"[^\W\d_]+")
# Names are compared by their first letters, diacritics folded: inflection ("Obamy", "Obamának")
# changes endings, transliteration changes marks ("Paříž" / "Paris").
NAME_KEY_LENGTH = 4
# A Roman numeral of two letters or more ("XXII. kerület", "Benedict XVI"): the same number as the
# digits another language writes for it, so it is read as a number, not as a name. I, V and X only:
# L, C, D and M also spell words and initials ("DC", "CD", "MD").
_ROMAN = re.compile(r"\b(X{0,3})(IX|IV|V?I{0,3})\b")
_ROMAN_DIGITS = {"": 0, "I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6, "VII": 7, "VIII": 8, "IX": 9}
# Languages that write every noun with a capital letter.
CAPITALISED_NOUNS = frozenset(("de", "lb"))
# Articles whose sentences (and vectors) are kept for the next comparisons.
CACHE_SIZE = 1024


@dataclass(frozen=True)
class CrosslingualOptions:
    """How translations are searched and decided.

    Attributes:
        enabled: relate articles across languages at all.
        meaning: use the multilingual encoder (the ``multilingual`` extra) where it knows both languages.
        top_k: articles of other languages verified per article at most.
        search_k: candidates read from the index before those of the article's own language are dropped.
        main_language: the language most of a store is in. A new article in it does not search other
            languages (a translation comes after its original, and searches for it); relating a
            whole collection, the commonest language of the collection plays this part.
        min_candidate_score: rare names and numbers shared (0..1, by the smaller side) below which a
            candidate is dropped.
        min_coverage: evidence-weighted share of the shorter text that aligned sentences must cover.
        min_confirmed: share of the shorter text that pairs agreeing in names, numbers or meaning
            must cover: sentence lengths alone never make a translation (two texts may be written
            in sentences of much the same lengths).
        meaning_floor: below this share the encoder is not asked (lengths, numbers and names
            have said no); from it up to ``min_coverage``, it is.
        min_pairs: aligned sentence groups a translation needs at least (fewer for shorter texts).
        align: how sentence pairs are judged.
        order: where the encoder cannot be asked, when sentence lengths that follow each other in
            order confirm a translation that nothing else confirms (no names or numbers in common).
        unmatched_names_without_meaning: ``align.unmatched_names`` where the encoder cannot be
            asked (languages it does not know, or not installed). Names that differ count against
            pairs the encoder may judge (it finds sentences about the same event alike); without it,
            lengths, numbers and shared names decide, and a capitalised word without a counterpart
            is as often a translated title or institution as a name.
    """

    enabled: bool = True
    meaning: bool = True
    top_k: int = 8
    search_k: int = 192
    main_language: str | None = "en"
    min_candidate_score: float = 0.01
    min_coverage: float = 0.4
    min_confirmed: float = 0.1
    meaning_floor: float = 0.2
    min_pairs: int = 3
    align: AlignOptions = field(default_factory=AlignOptions)
    order: OrderTest = field(default_factory=OrderTest)
    unmatched_names_without_meaning: float = 0.0


@functools.lru_cache(maxsize=1 << 16)
def fold(word: str) -> str:
    """``word`` lower-cased with its diacritics taken off ("Paříž" -> "pariz")."""
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def xsentences(text: str, language: str | None) -> list[XSentence]:
    """The sentences of ``text`` with their anchors: numbers by value ("3,1" = "3.1"), names by key."""
    comma = writes_decimal_comma(language)
    found = []
    for start, end in _sentence_spans(text):
        piece = text[start:end]
        anchors = set()
        for match in LOCALIZED_NUMBER.finditer(piece):
            value = localized_number(match.group(), comma)
            if value is not None:
                anchors.add("#" + (str(int(value)) if value.is_integer() else repr(round(value, 6))))
        for index, word in enumerate(_WORD.findall(piece)):
            if not word[0].isupper():
                continue  # neither a Roman numeral nor a name
            if (value := roman_value(word)) is not None:
                anchors.add(f"#{value}")
            elif index and len(word) >= 3 and word.lower() not in STOPWORDS:
                anchors.add(fold(word)[:NAME_KEY_LENGTH])
        found.append(XSentence((start, end), end - start, frozenset(anchors)))
    return found


def roman_value(word: str) -> int | None:
    """The value of ``word`` as a Roman numeral of two letters or more in I, V and X ("XXII" -> 22), else None."""
    match = _ROMAN.fullmatch(word) if len(word) >= 2 and word[0] in "IVX" else None
    return len(match.group(1)) * 10 + _ROMAN_DIGITS[match.group(2)] if match else None


def _sentence_spans(text: str) -> list[tuple[int, int]]:
    """Sentence spans, a piece that goes on in lower case joined to the one before: many languages end
    ordinals and abbreviations with a point ("a XXII. kerületi", "am 3. März"), which no sentence ends at."""
    spans: list[tuple[int, int]] = []
    for start, end in split_sentences(text):
        if spans and text[start].islower() and "\n" not in text[spans[-1][1] : start]:
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    return spans


def anchor_stems(text: str) -> tuple[str, ...]:
    """Names and numbers of ``text`` as relate's index spells its stems, both as written and folded."""
    stems: dict[str, None] = {}
    for start, end in split_sentences(text):
        for index, match in enumerate(_WORD.finditer(text, start, end)):
            word = match.group()
            if index and word[0].isupper() and len(word) >= 3 and word.lower() not in STOPWORDS:
                stems[word.lower()[:STEM_LENGTH]] = None
                stems[fold(word)[:STEM_LENGTH]] = None
        for number in re.finditer(r"\d{2,}", text[start:end]):
            stems[number.group()] = None
    return tuple(stems)


def differ(left: Article, right: Article) -> bool:
    """Whether the two articles are in different languages (both known)."""
    return languages_differ(left.language, right.language)


def languages_differ(left: str | None, right: str | None) -> bool:
    """Whether two language codes are both known and different."""
    return bool(left and right and left != right)


def commonest_language(languages: Iterable[str | None]) -> str | None:
    """The commonest of ``languages`` (ties: the first in code order; unknown ones left out)."""
    counts: dict[str, int] = {}
    for language in languages:
        if language:
            counts[language] = counts.get(language, 0) + 1
    return commonest(counts)


def commonest(counts: Mapping[str, int]) -> str | None:
    """The language of the highest count (ties: the first in code order); None when there is none."""
    return min(counts, key=lambda code: (-counts[code], code)) if counts else None


def is_translation(comparison: Comparison, options: CrosslingualOptions) -> bool:
    """Enough aligned evidence, in order, to say one text translates the other."""
    short = comparison.shorter()
    # A text of a few sentences may merge two of them: it needs one pair less.
    return (
        comparison.matched >= min(options.min_pairs, max(short.sentences - 1, 1))
        and short.weighted >= options.min_coverage
        and short.confirmed >= options.min_confirmed
    )


def _unconfirmed(comparison: Comparison, options: CrosslingualOptions) -> bool:
    """Whether ``comparison`` is a translation but for what confirms it (``options.min_confirmed``)."""
    return not is_translation(comparison, options) and is_translation(comparison, replace(options, min_confirmed=0.0))


EncoderLoader = Callable[[], object | None]


class Translations:
    """The cross-lingual part of a ``Relator``: candidates in other languages, and their verdicts.

    Keeps the sentences (and encoder vectors) of the articles it compared last, and loads the
    encoder on first use, so that forked workers load their own.
    """

    def __init__(self, options: CrosslingualOptions, encoder: object | None = None) -> None:
        self.options = options
        self._encoder = encoder
        self._encoder_ready = encoder is not None or not options.meaning
        self._profiles: OrderedDict[str, Profile] = OrderedDict()
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        # Articles of this language do not search: the others find them (see ``options.main_language``).
        self.quiet_language: str | None = options.main_language

    def searches(self, article: Article) -> bool:
        """Whether ``article`` searches other languages for its original (see ``quiet_language``)."""
        return bool(article.language) and article.language != self.quiet_language

    def candidates(
        self, article: Article, index: CandidateIndex, articles: Mapping[str, Article], known: list[str]
    ) -> list[str]:
        """Articles in other languages that share the most rare names and numbers with ``article``."""
        if not self.searches(article):
            return []
        options = self.options
        # Spellings the index does not hold (a folded name, a German noun) are no part of what a
        # candidate can share: they are left out of the query's weight.
        query = replace(index.prepare(anchor_stems(article.text)), unknown=0)
        ranked = index.query(query, top_k=options.search_k, min_score=options.min_candidate_score, exclude=article.id)
        return self.pick(article.language, ((c.id, articles[c.id].language) for c in ranked), known)

    def pick(self, language: str | None, ranked: Iterable[tuple[str, str | None]], known: Collection[str]) -> list[str]:
        """The first ``options.top_k`` of ``ranked`` (id, language: best first) in a language other than
        ``language`` and not among ``known`` (the article's candidates in any language)."""
        found = []
        for candidate, other in ranked:
            if candidate not in known and languages_differ(language, other):
                found.append(candidate)
                if len(found) == self.options.top_k:
                    break
        return found

    def verify(self, left: Article, right: Article) -> Comparison | None:
        """The aligned evidence of ``left`` (as the original) and ``right``, when it shows a translation.

        Lengths, numbers and names decide first; where the encoder knows both languages, it is
        asked about the pairs they leave open: covered above ``options.meaning_floor`` but not a
        translation yet, whether for too little coverage or for too little of it confirmed (a text
        with few names and numbers is covered by its lengths, and only meaning can confirm it).
        Where it cannot be asked, names that differ count nothing against a sentence pair
        (``options.unmatched_names_without_meaning``).
        """
        options = self.options
        encoder = self._encoder_for(left, right)
        if encoder is None:
            ours, theirs = self._profile_of(left), self._profile_of(right)
            if not ours.anchors & theirs.anchors and min(len(ours), len(theirs)) < options.order.min_sentences:
                return None  # nothing could confirm a sentence pair (``options.min_confirmed``)
            lenient = replace(options.align, unmatched_names=options.unmatched_names_without_meaning)
            comparison = self._align(left, right, None, lenient)
            if _unconfirmed(comparison, options):
                note = lengths_in_order(ours, theirs, comparison.shorter().weighted, lenient, options.order)
                if note is not None:
                    return replace(comparison, notes=(note,))
        else:
            comparison = self._align(left, right, None, options.align)
            if comparison.shorter().weighted >= options.meaning_floor and not is_translation(
                comparison, options
            ):
                meaning = self._vectors_of(right, encoder) @ self._vectors_of(left, encoder).T
                comparison = self._align(left, right, meaning, options.align)
        return comparison if is_translation(comparison, options) else None

    def _align(
        self, left: Article, right: Article, meaning: np.ndarray | None, options: AlignOptions
    ) -> Comparison:
        return align_translation(self._profile_of(left), self._profile_of(right), meaning, options)

    def _encoder_for(self, left: Article, right: Article) -> object | None:
        from newstrace.nlp.multilingual import LANGUAGES

        if not (left.language in LANGUAGES and right.language in LANGUAGES):
            return None
        if not self._encoder_ready:
            self._encoder = _installed_encoder()
            self._encoder_ready = True
        return self._encoder

    def _profile_of(self, article: Article) -> Profile:
        def profile() -> Profile:
            return Profile(xsentences(article.text, article.language), article.language in CAPITALISED_NOUNS)

        return _cached(self._profiles, article.id, profile)

    def _vectors_of(self, article: Article, encoder: object) -> np.ndarray:
        def encode() -> np.ndarray:
            text = article.text
            return encoder.encode([text[s.span[0] : s.span[1]] for s in self._profile_of(article).sentences])  # type: ignore[attr-defined]

        return _cached(self._vectors, article.id, encode)


@functools.cache
def _installed_encoder() -> object | None:
    """The multilingual encoder, loaded once a process (about a second; its output never changes), or
    ``None`` when the ``multilingual`` extra is not installed."""
    from newstrace.nlp.multilingual import load_multilingual_encoder, multilingual_available

    return load_multilingual_encoder() if multilingual_available() else None


def _cached(cache: OrderedDict, key: str, make: Callable[[], object]):  # type: ignore[no-untyped-def]
    found = cache.get(key)
    if found is None:
        found = cache[key] = make()
        if len(cache) > CACHE_SIZE:
            cache.popitem(last=False)
    else:
        cache.move_to_end(key)
    return found
