"""The event signature of an article: the words that tell one real-world event from another.

Two reports of one event share its particulars: the names of the people and places
involved, the numbers (death tolls, sums, scores) and the rare words of the lead; two
look-alike events (two earthquakes) share only the topical words. So a signature
counts the title and lead's content words, weighs capitalised names and numbers up,
and is turned into a TF-IDF vector by ``TermStats``, where frequent topical words
weigh little. Words are cut to a fixed prefix, a cheap stemmer that makes
"Democrats"/"Democratic" and "impeach"/"impeachment" meet.

A signature also keeps the weekdays and months its headline and first sentences name
("said on Wednesday", "added 943,000 jobs in July"): news leads date their event that
way, and two look-alike events (a vote on Tuesday, another on Thursday; the July jobs
report and the September one) are told apart by it even where the articles carry no date.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from newstrace.model import Article
from newstrace.nlp.lexicon import ENGLISH_STOPWORDS, word_set

# Function words and reporting verbs: they say nothing about which event is reported.
STOPWORDS = ENGLISH_STOPWORDS | word_set(
    "make made may might must us much many even well back still including since via per yet another"
)

_TOKEN = re.compile(r"[A-Za-z][A-Za-z'’\-]*[A-Za-z]|\d[\d,.]*\d|\d|[.!?\n]")
_BOUNDARY = frozenset(".!?\n")
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_WEEKDAY = re.compile(r"\b(" + "|".join(_WEEKDAYS) + r")\b")
_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
# "May" is a month only before a day or a year ("May 3", "May 2019"); elsewhere it is mostly the verb.
_MONTH = re.compile(r"\b(" + "|".join(m for m in _MONTHS if m != "May") + r"|May(?=\s+\d))\b")
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“‘'])")


@dataclass(frozen=True)
class FeatureOptions:
    """How an article's signature is read.

    Attributes:
        lead_chars: Characters of the body read after the title; the lead names the event, the rest
            of a long article drifts into background.
        prefix: Letters kept of each word (a crude stemmer); 0 keeps whole words.
        title_weight: How much a title word counts against a body word.
        name_weight: Weight of a capitalised word inside a sentence (a name or place); other words count 1.
        number_weight: Weight of a number.
        top_terms: Terms kept in an article's vector, the highest TF-IDF first.
        max_df: Terms in more than this share of the articles are left out (too common to tell events apart).
        weekday_sentences: Sentences of the body, after the headline, searched for the event's weekday
            and month.
    """

    lead_chars: int = 2000
    prefix: int = 6
    title_weight: float = 2.0
    name_weight: float = 1.5
    number_weight: float = 1.0
    top_terms: int = 60
    max_df: float = 0.01
    weekday_sentences: int = 2


@dataclass(frozen=True)
class Signature:
    """An article's weighted terms (before IDF), the terms it writes as names, its publication day, and
    the weekdays (0 is Monday) and months (0 is January) its lead names."""

    article: str
    day: int | None
    counts: tuple[tuple[str, float], ...]
    names: tuple[str, ...] = ()
    weekdays: tuple[int, ...] = ()
    months: tuple[int, ...] = ()


def publication_day(value: str | None) -> int | None:
    """The proleptic ordinal of an ISO date (``YYYY-MM-DD``, time part ignored), or None when unknown."""
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10]).toordinal()
    except ValueError:
        return None


def article_order(article: Article) -> tuple[bool, int, str]:
    """Sort key of the canonical order: dated articles by day, then undated ones; ties by id."""
    day = publication_day(article.date)
    return (day is None, day or 0, article.id)


def lead_weekdays(title: str, text: str, sentences: int) -> tuple[int, ...]:
    """The weekdays named in the headline and the first ``sentences`` sentences of the body."""
    return tuple(sorted({_WEEKDAYS.index(name) for name in _WEEKDAY.findall(_lead(title, text, sentences))}))


def lead_months(title: str, text: str, sentences: int) -> tuple[int, ...]:
    """The months named in the headline and the first ``sentences`` sentences of the body."""
    return tuple(sorted({_MONTHS.index(name) for name in _MONTH.findall(_lead(title, text, sentences))}))


def _lead(title: str, text: str, sentences: int) -> str:
    return title + "\n" + " ".join(_SENTENCE_BREAK.split(text.lstrip()[:2000], maxsplit=sentences)[:sentences])


def event_days(sig: Signature) -> frozenset[int]:
    """The days the lead's weekdays point to: the latest such day up to the publication day (news
    reports what happened), as ordinals; for an undated article, the weekday numbers themselves."""
    if sig.day is None:
        return frozenset(sig.weekdays)
    published = (sig.day - 1) % 7  # ordinal 1 (1 January of year 1) was a Monday
    return frozenset(sig.day - (published - weekday) % 7 for weekday in sig.weekdays)


def same_event_day(a: Signature, b: Signature) -> bool | None:
    """Whether two leads name the same day for their event; None when either names none.

    Two dated articles compare the days their weekdays point to; otherwise only the weekdays
    can be compared.
    """
    if not a.weekdays or not b.weekdays:
        return None
    if a.day is not None and b.day is not None:
        return not event_days(a).isdisjoint(event_days(b))
    return not set(a.weekdays).isdisjoint(b.weekdays)


def same_event_month(a: Signature, b: Signature) -> bool | None:
    """Whether two leads name a month in common; None when either names none."""
    if not a.months or not b.months:
        return None
    return not set(a.months).isdisjoint(b.months)


def scan(text: str, options: FeatureOptions) -> tuple[Counter[str], set[str]]:
    """Weighted content terms of ``text`` (names and numbers weighed up, function words left out),
    and the terms that were written as names (capitalised inside a sentence)."""
    counts: Counter[str] = Counter()
    names: set[str] = set()
    prefix, name_weight, number_weight = options.prefix, options.name_weight, options.number_weight
    sentence_start = True
    for word in _TOKEN.findall(text):
        if word in _BOUNDARY:
            sentence_start = True
            continue
        first = word[0]
        if first.isdigit():
            counts["#" + word.replace(",", "")] += number_weight
        else:
            lower = word.lower()
            if "’" in lower:
                lower = lower.replace("’", "'")
            if lower.endswith("'s"):
                lower = lower[:-2]
            if len(lower) > 1 and lower not in STOPWORDS:
                stem = lower[:prefix] if prefix else lower
                if first.isupper() and not sentence_start:
                    counts[stem] += name_weight
                    names.add(stem)
                else:
                    counts[stem] += 1.0
        sentence_start = False
    return counts, names


def terms(text: str, options: FeatureOptions) -> Counter[str]:
    """Weighted content terms of ``text`` (see ``scan``)."""
    return scan(text, options)[0]


def signature(article: Article, options: FeatureOptions) -> Signature:
    """The event signature of one article."""
    counts, names = scan(article.text[: options.lead_chars], options)
    title_counts, title_names = scan(article.title or "", options)
    for term, weight in title_counts.items():
        counts[term] += weight * options.title_weight
    return Signature(
        article.id,
        publication_day(article.date),
        tuple(sorted(counts.items())),
        tuple(sorted(names | title_names)),
        lead_weekdays(article.title or "", article.text, options.weekday_sentences),
        lead_months(article.title or "", article.text, options.weekday_sentences),
    )


K = TypeVar("K")


class _Weights(dict[K, Any]):
    """A dict that works out a missing key's value once, with ``make``."""

    def __init__(self, make: Callable[[K], Any]) -> None:
        super().__init__()
        self._make = make

    def __missing__(self, key: K) -> Any:
        value = self[key] = self._make(key)
        return value


class TermStats:
    """Document frequencies over a collection: what makes a term rare, hence telling.

    The statistics are fixed when built, so vectors made from them do not change as
    articles are added; a rebuild refreshes them. Frequencies may be added for terms not
    held yet (``add_frequencies``), never changed: each term's weight is worked out once.
    """

    def __init__(self, document_frequency: dict[str, int], documents: int) -> None:
        self.document_frequency = document_frequency
        self.documents = documents
        # (counted, frequency cap) -> term -> its IDF, or None when it cannot link two articles; and a
        # term's count -> its weight. Each worked out once: vectors are made by the thousand.
        self._idfs: dict[tuple[bool, float], _Weights[str]] = {}
        self._count_weights = _Weights(lambda count: 1.0 + math.log(count) if count >= 1 else count)

    @classmethod
    def from_signatures(cls, signatures: Iterable[Signature]) -> TermStats:
        df: Counter[str] = Counter()
        count = 0
        for sig in signatures:
            df.update(term for term, _ in sig.counts)
            count += 1
        return cls(dict(df), count)

    def add_frequencies(self, frequencies: dict[str, int]) -> None:
        """Add the frequencies of terms not held yet (those held are kept)."""
        added = {term: df for term, df in frequencies.items() if term not in self.document_frequency}
        self.document_frequency.update(added)
        for idfs in self._idfs.values():
            for term in added:
                idfs.pop(term, None)

    def _idf_within(self, term: str, own: int, cap: float) -> float | None:
        """The IDF of a term, or None when it is in fewer than two articles or more than ``cap``."""
        df = self.document_frequency.get(term, 0) + own
        return self.idf(df) if 2 <= df <= cap else None

    def idf(self, df: int) -> float:
        """Smoothed inverse document frequency of a term found in ``df`` articles."""
        return math.log((self.documents + 1) / (df + 1)) + 1.0

    def vector(self, sig: Signature, options: FeatureOptions, counted: bool = True) -> dict[str, float]:
        """The unit-length TF-IDF vector of ``sig``, cut to its ``top_terms`` most telling terms.

        Args:
            sig: The article's signature.
            options: Weighting options.
            counted: Whether ``sig`` is one of the signatures these statistics were built from; a new
                article is not, so its own occurrence is added to each term's frequency.

        Terms found in only one article cannot link two articles and are left out; so are terms in
        more than ``max_df`` of them (only when the collection is large enough for that share to mean
        something).
        """
        cap = max(50.0, options.max_df * self.documents)
        idfs = self._idfs.get((counted, cap))
        if idfs is None:
            idfs = self._idfs[(counted, cap)] = _Weights(lambda term: self._idf_within(term, 0 if counted else 1, cap))
        count_weights = self._count_weights
        # (-weight, term): sorting puts the heaviest first and breaks ties by term.
        ranked = [(-count_weights[count] * idf, term) for term, count in sig.counts if (idf := idfs[term]) is not None]
        ranked.sort()
        kept = ranked[: options.top_terms]
        norm = math.sqrt(sum([w * w for w, _ in kept])) or 1.0
        return {term: -w / norm for w, term in kept}
