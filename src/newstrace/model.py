"""The records that flow through newstrace's stages.

sources → ``RawDocument`` → extract → ``Article`` → relate → ``Relation`` →
stories → ``Story`` → checks → ``Finding`` → brief → ``Brief``.

Every span is a ``(start, end)`` pair of character offsets into ``Article.text``
(the cleaned body), so evidence can always be shown in context. Records are
frozen dataclasses of plain values; ``to_dict``/``from_dict`` give their JSON form.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from types import NoneType
from typing import Any, Literal, TypeVar

Span = tuple[int, int]

DocumentFormat = Literal["text", "html"]
RelationKind = Literal["duplicate", "excerpt", "edited", "spun", "rewrite", "translation"]
PassageChange = Literal["identical", "edited", "paraphrased"]
Direction = Literal["known", "unknown"]
FindingKind = Literal["name", "number", "quote"]
Severity = Literal["alteration", "difference"]

R = TypeVar("R", bound="Record")


@functools.cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))


def _to_plain(value: Any) -> Any:
    # Checked from the commonest kind down: this runs for every field of every stored record.
    if isinstance(value, str | int | float | NoneType):
        return value
    if isinstance(value, tuple | list):
        return [_to_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _to_plain(v) for k, v in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {name: _to_plain(getattr(value, name)) for name in _field_names(type(value))}
    return value


Converter = Callable[[Any], Any]


def _converter(hint: Any) -> Converter | None:
    """How to turn the JSON form of a value of type ``hint`` back into it; None: it is already right."""
    origin, arguments = typing.get_origin(hint), typing.get_args(hint)
    if origin in (types.UnionType, typing.Union):
        inner = [_converter(a) for a in arguments if a is not NoneType]
        if len(inner) == 1 and inner[0] is not None:
            convert = inner[0]
            return lambda v: None if v is None else convert(v)
        return None
    if origin is tuple:
        item = _converter(arguments[0]) if arguments else None
        if item is None:
            return tuple
        return lambda v: tuple(item(x) for x in v)
    if origin is dict:
        return dict
    if isinstance(hint, type) and issubclass(hint, Record):
        return hint.from_dict
    return None


@functools.cache
def _converters(cls: type) -> tuple[tuple[str, Converter | None], ...]:
    hints = typing.get_type_hints(cls)
    return tuple((f.name, _converter(hints[f.name])) for f in dataclasses.fields(cls))


class Record:
    """Mixin of the records: ``to_dict`` gives the JSON-ready form, ``from_dict`` reads it back.

    ``from_dict`` ignores keys the record does not have (forms written by a later version)
    and leaves out missing ones (their defaults apply).
    """

    def to_dict(self) -> dict[str, Any]:
        return _to_plain(self)

    @classmethod
    def from_dict(cls: type[R], data: dict[str, Any]) -> R:
        values = {}
        for name, convert in _converters(cls):
            if name in data:
                value = data[name]
                values[name] = value if convert is None or value is None else convert(value)
        return cls(**values)


@dataclass(frozen=True)
class RawDocument(Record):
    """One input item before extraction: a page, a text file, a JSON line.

    ``origin`` says where it came from (``path``, ``path:LINE`` or ``path#RECORD``)
    so every message and every article can point back at its input.
    Fields the input supplied (id, url, title, ...) are hints the extractor keeps.
    """

    origin: str
    body: str
    format: DocumentFormat = "text"
    id: str | None = None
    url: str | None = None
    title: str | None = None
    date: str | None = None
    outlet: str | None = None
    authors: tuple[str, ...] = ()
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Removed(Record):
    """A piece of the input left out of the body, and why (e.g. ``"scraper-junk"``)."""

    text: str
    reason: str


@dataclass(frozen=True)
class Caption(Record):
    """A photo caption taken out of the body, with its credit when one was given."""

    text: str
    credit: str | None = None


@dataclass(frozen=True)
class Article(Record):
    """An extracted news article: the unit every later stage works on."""

    id: str
    text: str
    title: str | None = None
    url: str | None = None
    site: str | None = None
    outlet: str | None = None
    date: str | None = None
    authors: tuple[str, ...] = ()
    dateline: str | None = None
    credit: str | None = None
    language: str | None = None
    captions: tuple[Caption, ...] = ()
    removed: tuple[Removed, ...] = ()
    origin: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def content_hash(self) -> str:
        """SHA-1 of the cleaned body: equal bodies are the same content."""
        return hashlib.sha1(self.text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Problem(Record):
    """An input item that could not be used, with the reason: failures are provenance too."""

    origin: str
    reason: str
    stage: str = "sources"


@dataclass(frozen=True)
class Passage(Record):
    """A pair of corresponding passages: ``original`` and ``derived`` spans, and how it changed."""

    original: Span
    derived: Span
    change: PassageChange
    similarity: float


@dataclass(frozen=True)
class Relation(Record):
    """``derived`` reuses text of ``original``; ``evidence`` holds the aligned passages.

    ``coverage`` is the share of each side's characters covered by the passages,
    keyed ``"original"`` and ``"derived"``. ``direction`` is ``"unknown"`` when the
    evidence cannot tell which side came first; ``reasons`` says what decided it.
    """

    original: str
    derived: str
    kind: RelationKind
    score: float
    coverage: dict[str, float]
    evidence: tuple[Passage, ...] = ()
    direction: Direction = "known"
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class Story(Record):
    """One real-world event and every article that reports it."""

    id: str
    title: str
    articles: tuple[str, ...]
    first_seen: str | None = None
    last_seen: str | None = None
    outlets: tuple[str, ...] = ()


@dataclass(frozen=True)
class SpanRef(Record):
    """A span of some article's text, quoted for display."""

    article: str
    span: Span
    text: str


@dataclass(frozen=True)
class Finding(Record):
    """A name, number or quote that differs, with the evidence on both sides."""

    article: str
    kind: FindingKind
    severity: Severity
    span: Span
    text: str
    other: SpanRef | None
    explanation: str


@dataclass(frozen=True)
class Statement(Record):
    """A statement of a story and the independent sources that carry it."""

    text: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class QuoteGroup(Record):
    """A direct quote, its speaker, and every article that carries it."""

    speaker: str | None
    text: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Brief(Record):
    """What a story's sources agree on, what only one says, and who copied whom."""

    story: str
    headline: str
    first_seen: str | None
    last_seen: str | None
    outlets: tuple[str, ...]
    first_reported_by: tuple[str, ...]
    copy_tree: tuple[Relation, ...]
    corroborated: tuple[Statement, ...]
    single_source: tuple[Statement, ...]
    quotes: tuple[QuoteGroup, ...]
    findings: tuple[Finding, ...] = ()
