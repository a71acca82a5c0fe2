"""What a store is: small read interfaces, one per kind of record, and ``Changes``, written at once.

Every backend (SQLite, memory) offers the same parts: ``store.articles``, ``store.relations``,
``store.stories``, ``store.findings``, ``store.briefs``, ``store.problems``, ``store.stages`` (which
stages each article has been through), ``store.settings``, and ``store.index(name)`` for the term
index a stage keeps for itself. Stages only read; the engine writes what they produce as one
``Changes`` in one transaction, together with the stage marks, so a run killed at any point leaves
every article either with a stage's results and its mark, or with neither.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, Self

from newstrace.errors import CursorError, StoreError
from newstrace.model import Article, Brief, Finding, Problem, Relation, Story
from newstrace.workers import Workers

STAGES: tuple[str, ...] = ("extract", "relate", "stories", "checks", "brief")
"""Every stage, in pipeline order; the store keeps, per article, which of them are done."""

Clearable = Literal["relations", "stories", "findings", "briefs"]

EncodedArticle = tuple[str, str, str | None, str | None, str | None, str, str | None]
"""An article as stored: id, content hash, site, outlet, date, its JSON form, and the hash of the raw
input it was extracted from (None when unknown)."""

Entry = tuple[str, int | None, str]
"""A term-index entry: article id, publication day (an ordinal, or None), then the stage's data as text."""


def dumps(value: Any) -> str:
    """JSON as every backend keeps it."""
    # ASCII JSON (non-ASCII as \\u escapes, ~2% longer): an ASCII str is passed between processes and
    # bound as SQLite's UTF-8 without re-encoding, which makes storing an article ~40% cheaper.
    return json.dumps(value, separators=(",", ":"))


def encode_article(article: Article, raw_hash: str | None = None) -> EncodedArticle:
    """The stored form of ``article``: a pure function, so worker processes can encode in parallel."""
    return (
        article.id,
        article.content_hash,
        article.site,
        article.outlet,
        article.date,
        dumps(article.to_dict()),
        raw_hash,
    )


@dataclass
class Changes:
    """Everything one step of the engine writes, applied by ``Store.commit`` in one transaction.

    Order of application: new ``articles`` are inserted and ``articles_rewritten`` (id, JSON form)
    replace the stored form of articles a step changed (site templates moved out); ``clear`` empties whole kinds of record; relations touching
    ``relations_dropped``, the ``stories_dropped`` and ``briefs_dropped`` are deleted; then the new
    records are written (findings replace those of their article); then stage marks change.
    ``undone`` resets a stage and every later one for those articles.
    """

    articles: list[EncodedArticle] = field(default_factory=list)
    articles_rewritten: list[tuple[str, str]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    clear: set[Clearable] = field(default_factory=set)
    relations_dropped: set[str] = field(default_factory=set)
    relations: list[Relation] = field(default_factory=list)
    stories_dropped: set[str] = field(default_factory=set)
    stories: list[Story] = field(default_factory=list)
    findings: dict[str, list[Finding]] = field(default_factory=dict)
    briefs_dropped: set[str] = field(default_factory=set)
    briefs: list[Brief] = field(default_factory=list)
    settings: dict[str, str] = field(default_factory=dict)
    done: dict[str, set[str]] = field(default_factory=dict)
    undone: dict[str, set[str]] = field(default_factory=dict)

    def mark(self, stage: str, article_ids: Iterable[str]) -> None:
        self.done.setdefault(stage, set()).update(article_ids)

    def reset(self, stage: str, article_ids: Iterable[str]) -> None:
        self.undone.setdefault(stage, set()).update(article_ids)


def later_stages(stage: str) -> tuple[str, ...]:
    """The stages after ``stage``: their results rest on its."""
    return STAGES[STAGES.index(stage) + 1 :]


def stage_bit(stage: str) -> int:
    """The stage's bit in a stored stage mask."""
    return 1 << STAGES.index(stage)


def reset_mask(undone: dict[str, set[str]]) -> dict[str, int]:
    """Article → the stage bits to clear: each reset stage with every later one."""
    masks: dict[str, int] = {}
    for stage, ids in undone.items():
        bits = sum(stage_bit(s) for s in (stage, *later_stages(stage)))
        for article_id in ids:
            masks[article_id] = masks.get(article_id, 0) | bits
    return masks


@dataclass(frozen=True)
class StoryQuery:
    """Which stories to list.

    Attributes:
        since: last seen on or after this ISO date (undated stories are then left out).
        until: first seen on or before this ISO date (undated stories are then left out).
        outlet: reported by this outlet (as named in ``Story.outlets``).
        with_findings: True: only stories with findings; False: only those without; None: either.
    """

    since: str | None = None
    until: str | None = None
    outlet: str | None = None
    with_findings: bool | None = None


_WORD = re.compile(r"[^\W_]+")


def search_words(text: str) -> list[str]:
    """The words a search matches, as every backend splits them: runs of letters and digits, lower-cased
    (what SQLite's unicode61 tokenizer keeps, with diacritics kept)."""
    return _WORD.findall(text.lower())


def number_cursor(cursor: str | None) -> int | None:
    """The position a numeric page cursor stands for (None: the first page)."""
    if cursor is None:
        return None
    if not cursor.isdigit():
        raise CursorError(f"{cursor!r} is not a cursor of this list")
    return int(cursor)


def story_sort_key(story: Story) -> tuple[str, str]:
    """Where a story stands in ``Stories.listed`` (which is latest first): its last day seen, then its id."""
    return (story.last_seen or "", story.id)


def story_cursor(cursor: str | None) -> tuple[str, str] | None:
    """The sort key a ``Stories.listed`` cursor stands for (None: the first page)."""
    if cursor is None:
        return None
    try:
        key = json.loads(cursor)
    except ValueError:
        key = None
    if not (isinstance(key, list) and len(key) == 2 and all(isinstance(k, str) for k in key)):
        raise CursorError(f"{cursor!r} is not a cursor of this list")
    return key[0], key[1]


class Articles(Protocol):
    def get(self, article_id: str) -> Article:
        """The article; raises ``NotFoundError`` when it is not stored."""
        ...

    def many(self, ids: Iterable[str]) -> Iterator[Article]:
        """The stored ones of ``ids``, in that order."""
        ...

    def all(self) -> Iterator[Article]:
        """Every article, in ingest order."""
        ...

    def ids(self) -> list[str]:
        """Every article id, in ingest order."""
        ...

    def count(self) -> int: ...

    def known(self, ids: Iterable[str]) -> dict[str, tuple[str, str | None]]:
        """Which of ``ids`` are stored: id → (content hash, raw-input hash or None)."""
        ...

    def sites(self) -> dict[str, str | None]:
        """Every article's site, else its outlet (None when it has neither), by id: for site statistics,
        without reading the articles themselves."""
        ...

    def search(self, query: str, limit: int = 20, cursor: str | None = None) -> tuple[list[str], str | None]:
        """Ids of the articles whose title or text hold every word of ``query`` (see ``search_words``; every
        article when it has none), newest first, at most ``limit``; and the cursor of the page after (None
        after the last), to pass back as ``cursor``.

        Raises:
            CursorError: ``cursor`` was not given by this list.
        """
        ...


class Relations(Protocol):
    def all(self) -> list[Relation]:
        """Every relation, by (original, derived)."""
        ...

    def of(self, article_ids: Iterable[str]) -> list[Relation]:
        """The relations touching any of ``article_ids``, by (original, derived)."""
        ...

    def count(self) -> int: ...


class Stories(Protocol):
    def get(self, story_id: str) -> Story:
        """The story; raises ``NotFoundError`` when there is none."""
        ...

    def all(self) -> list[Story]:
        """Every story, by id."""
        ...

    def many(self, ids: Iterable[str]) -> list[Story]:
        """The existing ones of ``ids``, by id."""
        ...

    def of(self, article_ids: Iterable[str]) -> dict[str, str]:
        """Article → its story, for those of ``article_ids`` in one."""
        ...

    def count(self) -> int: ...

    def listed(
        self, query: StoryQuery | None = None, limit: int = 50, cursor: str | None = None
    ) -> tuple[list[Story], str | None]:
        """The stories ``query`` selects, latest first (by last seen, then id, undated ones last), at most
        ``limit``; and the cursor of the page after (None after the last).

        Raises:
            CursorError: ``cursor`` was not given by this list.
        """
        ...


class Findings(Protocol):
    def all(self) -> list[Finding]:
        """Every finding, by article and position."""
        ...

    def of(self, article_ids: Iterable[str]) -> list[Finding]:
        """The findings on ``article_ids``, in that order of articles."""
        ...

    def count(self) -> int: ...


class Briefs(Protocol):
    def get(self, story_id: str) -> Brief:
        """The story's brief; raises ``NotFoundError`` when there is none."""
        ...

    def all(self) -> Iterator[Brief]:
        """Every brief, by story id."""
        ...

    def count(self) -> int: ...


class Problems(Protocol):
    def all(self) -> list[Problem]:
        """Every recorded problem, in the order they were met."""
        ...


class Stages(Protocol):
    def pending(self, stage: str) -> list[str]:
        """Articles that have been through every stage before ``stage`` but not through it, in ingest order."""
        ...

    def missing(self, stage: str) -> list[str]:
        """Articles that have not been through ``stage``, in ingest order."""
        ...

    def done(self, article_id: str) -> tuple[str, ...]:
        """The stages ``article_id`` has been through."""
        ...


class Settings(Protocol):
    def get(self, key: str) -> str | None:
        """A value kept with the store (a stage's options, as text), or None."""
        ...


class TermIndex(Protocol):
    """A stage's own per-article term lists: entries, their terms' frequencies, and which entries hold a term.

    A stage that compares each new article with the stored ones by their terms (relate by content
    stems, stories by event terms) keeps one, so that a query reads only the entries that share a term
    with the new article, with the statistics of the whole store. Entries are caches of pure functions
    of the articles, so a stage writes them directly (an entry written by a run that was killed is
    still right).
    """

    name: str

    def settings(self) -> str | None:
        """The settings the entries were made with (a stage's options, as text), or None before any."""
        ...

    def reset(self, settings: str) -> None:
        """Drop every entry and term count, and record the ``settings`` the next entries are made with."""
        ...

    def missing_ids(self) -> list[str]:
        """The stored articles without an entry, in ingest order."""
        ...

    def add(self, entries: Iterable[tuple[Entry, Iterable[str]]]) -> None:
        """Store entries, each with its terms; entries already stored (by article) are skipped."""
        ...

    def entries(self, ids: Iterable[str] | None = None, days: tuple[int, int] | None = None) -> list[Entry]:
        """Entries of ``ids``, or of the articles published within ``days`` (inclusive) and the undated
        ones, or else all; ordered by article id."""
        ...

    def sharing(self, terms: Iterable[str], days: tuple[int, int] | None = None) -> list[Entry]:
        """The entries holding any of ``terms``, within ``days`` (inclusive) or undated; by article id."""
        ...

    def holding(self, term: str) -> list[tuple[str, int]]:
        """The articles whose entries hold ``term``, each with its entry's number of distinct terms."""
        ...

    def frequencies(self, terms: Iterable[str] | None = None) -> dict[str, int]:
        """How many entries hold each of ``terms`` (every term when None; unknown terms left out)."""
        ...

    def count(self) -> int: ...


class Store(Protocol):
    """A store: its read parts, the term indexes stages keep, and ``commit`` for every write."""

    location: str
    articles: Articles
    relations: Relations
    stories: Stories
    findings: Findings
    briefs: Briefs
    problems: Problems
    stages: Stages
    settings: Settings

    def index(self, name: str) -> TermIndex:
        """The term index a stage keeps under ``name`` (see ``TERM_INDEXES``)."""
        ...

    def commit(self, changes: Changes) -> list[str]:
        """Apply ``changes`` in one transaction; returns the ids of the articles that were new."""
        ...

    def close(self) -> None: ...

    def __enter__(self) -> Store: ...

    def __exit__(self, *exc: object) -> None: ...


TERM_INDEXES = ("story", "relate")
"""The term indexes stages keep: the stories stage's event signatures and the relate stage's fingerprints."""

PARTS = ("articles", "relations", "stories", "findings", "briefs", "problems", "stages", "settings")
"""The read parts every store has, by attribute name."""


class StoreFrame:
    """What every backend does alike: its parts and term indexes made from its own classes, ``index``,
    and use as a context manager (``close`` is the backend's)."""

    location: str

    def _assemble(self, parts: tuple[type, ...], index: type) -> None:
        """Make the parts (one class for each of ``PARTS``, in that order) and the term indexes."""
        for name, part in zip(PARTS, parts, strict=True):
            setattr(self, name, part(self))
        self._indexes = {name: index(self, name) for name in TERM_INDEXES}

    def index(self, name: str) -> TermIndex:
        """The term index a stage keeps under ``name`` (see ``TERM_INDEXES``)."""
        if name not in self._indexes:
            raise StoreError(f"no term index {name!r}; there are {', '.join(TERM_INDEXES)}")
        return self._indexes[name]

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


FILL_BATCH = 2000
"""Articles read per batch while a stage fills its term index."""


def _only_excluded_missing(store: Store, index: TermIndex, exclude: Collection[str]) -> bool:
    """Whether the only stored articles without an entry are among ``exclude``, told by counting (entries
    are made for stored articles only, and articles are never removed): a stream of one article at a time
    then never lists the whole store."""
    missing = store.articles.count() - index.count()
    if missing <= 0 or not exclude:
        return missing <= 0
    return len(exclude) <= FILL_BATCH and missing == len(set(exclude) - {e[0] for e in index.entries(ids=exclude)})


def filled_index(
    store: Store,
    name: str,
    settings: str,
    entry_of: Callable[[Article], tuple[Entry, Iterable[str]]],
    exclude: Collection[str] = (),
    workers: Workers | None = None,
) -> TermIndex:
    """The term index ``name``, holding an entry for every stored article but ``exclude`` (stored ones).

    When the index's entries were made with other ``settings`` (another stage version or other
    options), they are all dropped and made again with ``entry_of``, in ``workers`` for full batches.
    """
    index = store.index(name)
    if index.settings() != settings:
        index.reset(settings)
    if _only_excluded_missing(store, index, exclude):
        return index
    missing = [article_id for article_id in index.missing_ids() if article_id not in exclude]
    for start in range(0, len(missing), FILL_BATCH):
        index.add(_entries(list(store.articles.many(missing[start : start + FILL_BATCH])), entry_of, workers))
    return index


def _entries(
    articles: list[Article], entry_of: Callable[[Article], tuple[Entry, Iterable[str]]], workers: Workers | None
) -> Iterable[tuple[Entry, Iterable[str]]]:
    """``entry_of`` each article, in ``workers`` for a full batch (forking costs more than a few articles save)."""
    if workers is None or len(articles) < FILL_BATCH:
        return map(entry_of, articles)
    return workers.each(entry_of, articles)
