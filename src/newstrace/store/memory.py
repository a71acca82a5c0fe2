"""The in-memory store: every record in Python dictionaries, for tests, notebooks and short jobs.

It answers every read exactly as the SQLite store does (a test runs the same pipeline on both),
keeps records in their JSON form as SQLite does (so a reader can never change what is stored), and
applies each ``Changes`` under one lock.
"""

from __future__ import annotations

import json
import threading
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

from newstrace.errors import NotFoundError
from newstrace.model import Article, Brief, Finding, Problem, Relation, Story
from newstrace.store.base import (
    STAGES,
    Changes,
    Entry,
    StoreFrame,
    StoryQuery,
    dumps,
    number_cursor,
    reset_mask,
    search_words,
    stage_bit,
    story_cursor,
    story_sort_key,
)

MEMORY_LOCATION = "memory"


class MemoryStore(StoreFrame):
    """All of newstrace's records in memory; gone when the process ends.

    Example:
        >>> with MemoryStore() as store:
        ...     store.articles.count()
        0
    """

    def __init__(self) -> None:
        self.location = MEMORY_LOCATION
        self.lock = threading.RLock()
        self.data = _Data()
        self._assemble((_Articles, _Relations, _Stories, _Findings, _Briefs, _Problems, _Stages, _Settings), MemoryTermIndex)

    def close(self) -> None:
        """Nothing to release: the records live as long as the object."""

    def commit(self, changes: Changes) -> list[str]:
        with self.lock:
            data = self.data
            new = []
            for row in changes.articles:
                if row[0] not in data.articles:
                    data.articles[row[0]] = row
                    data.stages[row[0]] = stage_bit("extract")
                    new.append(row[0])
            for problem in changes.problems:
                data.problems.setdefault((problem.origin, problem.stage, problem.reason), problem)
            for kind in changes.clear:
                getattr(data, kind).clear()
                if kind == "stories":
                    data.story_of.clear()
            for key in [k for k in data.relations if changes.relations_dropped.intersection(k)]:
                del data.relations[key]
            for story_id in changes.stories_dropped:
                data.drop_story(story_id)
            data.relations.update(((r.original, r.derived), dumps(r.to_dict())) for r in changes.relations)
            for story in changes.stories:
                data.drop_story(story.id)
                data.stories[story.id] = dumps(story.to_dict())
                data.story_of.update((article, story.id) for article in story.articles)
            for article_id, findings in changes.findings.items():
                data.findings[article_id] = [dumps(f.to_dict()) for f in findings]
            for story_id in changes.briefs_dropped:
                data.briefs.pop(story_id, None)
            data.briefs.update((b.story, dumps(b.to_dict())) for b in changes.briefs)
            data.settings.update(changes.settings)
            for article_id, mask in reset_mask(changes.undone).items():
                if article_id in data.stages:
                    data.stages[article_id] &= ~mask
            for stage, ids in changes.done.items():
                for article_id in ids:
                    if article_id in data.stages:
                        data.stages[article_id] |= stage_bit(stage)
            return new


class _Data:
    """The records, each kept as its JSON text, in dictionaries that keep their insertion order."""

    def __init__(self) -> None:
        self.articles: dict[str, tuple[Any, ...]] = {}
        self.stages: dict[str, int] = {}
        self.problems: dict[tuple[str, str, str], Problem] = {}
        self.relations: dict[tuple[str, str], str] = {}
        self.stories: dict[str, str] = {}
        self.story_of: dict[str, str] = {}
        self.findings: dict[str, list[str]] = {}
        self.briefs: dict[str, str] = {}
        self.settings: dict[str, str] = {}

    def drop_story(self, story_id: str) -> None:
        if self.stories.pop(story_id, None) is not None:
            for article in [a for a, s in self.story_of.items() if s == story_id]:
                del self.story_of[article]


class _Part:
    def __init__(self, store: MemoryStore) -> None:
        self._store = store

    @property
    def _data(self) -> _Data:
        return self._store.data

    def _missing(self, what: str, key: str) -> NotFoundError:
        return NotFoundError(f"no {what} {key!r} in the memory store")


def _load(record: type[Any], data: str) -> Any:
    return record.from_dict(json.loads(data))


def _words_of(article: Article) -> set[str]:
    return set(search_words(f"{article.title or ''} {article.text}"))


def _selects(query: StoryQuery, story: Story, has_findings: bool) -> bool:
    """Whether ``story`` is one ``query`` asks for, as the SQLite store decides it."""
    return (
        (query.since is None or (story.last_seen or "") >= query.since)
        and (query.until is None or (story.first_seen is not None and story.first_seen[:10] <= query.until))
        and (query.outlet is None or query.outlet in story.outlets)
        and (query.with_findings is None or query.with_findings == has_findings)
    )


class _Articles(_Part):
    def get(self, article_id: str) -> Article:
        row = self._data.articles.get(article_id)
        if row is None:
            raise self._missing("article", article_id)
        return _load(Article, row[5])

    def many(self, ids: Iterable[str]) -> Iterator[Article]:
        rows = self._data.articles
        for article_id in list(ids):
            if article_id in rows:
                yield _load(Article, rows[article_id][5])

    def all(self) -> Iterator[Article]:
        with self._store.lock:
            rows = list(self._data.articles.values())
        return (_load(Article, row[5]) for row in rows)

    def ids(self) -> list[str]:
        with self._store.lock:
            return list(self._data.articles)

    def count(self) -> int:
        return len(self._data.articles)

    def known(self, ids: Iterable[str]) -> dict[str, tuple[str, str | None]]:
        rows = self._data.articles
        return {i: (rows[i][1], rows[i][6]) for i in ids if i in rows}

    def sites(self) -> dict[str, str | None]:
        with self._store.lock:
            return {article_id: row[2] or row[3] for article_id, row in self._data.articles.items()}

    def search(self, query: str, limit: int = 20, cursor: str | None = None) -> tuple[list[str], str | None]:
        words, before = set(search_words(query)), number_cursor(cursor)
        with self._store.lock:
            rows = list(self._data.articles.values())
        found: list[tuple[int, str]] = []
        # Newest first; a position counts from 1 in ingest order, as the SQLite store's seq does.
        for position in range(len(rows) if before is None else min(before - 1, len(rows)), 0, -1):
            row = rows[position - 1]
            if words and not words <= _words_of(_load(Article, row[5])):
                continue
            found.append((position, row[0]))
            if len(found) > limit:
                break
        return [article_id for _, article_id in found[:limit]], str(found[limit - 1][0]) if len(found) > limit else None


class _Relations(_Part):
    def all(self) -> list[Relation]:
        with self._store.lock:
            return [_load(Relation, self._data.relations[key]) for key in sorted(self._data.relations)]

    def of(self, article_ids: Iterable[str]) -> list[Relation]:
        ids = set(article_ids)
        with self._store.lock:
            keys = sorted(k for k in self._data.relations if ids.intersection(k))
            return [_load(Relation, self._data.relations[key]) for key in keys]

    def count(self) -> int:
        return len(self._data.relations)


class _Stories(_Part):
    def get(self, story_id: str) -> Story:
        data = self._data.stories.get(story_id)
        if data is None:
            raise self._missing("story", story_id)
        return _load(Story, data)

    def all(self) -> list[Story]:
        with self._store.lock:
            return [_load(Story, self._data.stories[key]) for key in sorted(self._data.stories)]

    def many(self, ids: Iterable[str]) -> list[Story]:
        stories = self._data.stories
        return [_load(Story, stories[key]) for key in sorted(set(ids)) if key in stories]

    def of(self, article_ids: Iterable[str]) -> dict[str, str]:
        story_of = self._data.story_of
        return {a: story_of[a] for a in article_ids if a in story_of}

    def count(self) -> int:
        return len(self._data.stories)

    def listed(
        self, query: StoryQuery | None = None, limit: int = 50, cursor: str | None = None
    ) -> tuple[list[Story], str | None]:
        query, after = query or StoryQuery(), story_cursor(cursor)
        with self._store.lock:
            stories = sorted(self.all(), key=story_sort_key, reverse=True)
            findings = self._data.findings
            chosen = [
                s for s in stories
                if (after is None or story_sort_key(s) < after) and _selects(query, s, any(findings.get(a) for a in s.articles))
            ]
        page = chosen[:limit]
        return page, json.dumps(story_sort_key(page[-1])) if len(chosen) > limit else None


class _Findings(_Part):
    def all(self) -> list[Finding]:
        with self._store.lock:
            return self.of(sorted(self._data.findings))

    def of(self, article_ids: Iterable[str]) -> list[Finding]:
        findings = self._data.findings
        return [_load(Finding, f) for a in dict.fromkeys(article_ids) for f in findings.get(a, ())]

    def count(self) -> int:
        return sum(len(f) for f in self._data.findings.values())


class _Briefs(_Part):
    def get(self, story_id: str) -> Brief:
        data = self._data.briefs.get(story_id)
        if data is None:
            raise self._missing("brief of story", story_id)
        return _load(Brief, data)

    def all(self) -> Iterator[Brief]:
        with self._store.lock:
            rows = [self._data.briefs[key] for key in sorted(self._data.briefs)]
        return (_load(Brief, data) for data in rows)

    def count(self) -> int:
        return len(self._data.briefs)


class _Problems(_Part):
    def all(self) -> list[Problem]:
        with self._store.lock:
            return list(self._data.problems.values())


class _Stages(_Part):
    def pending(self, stage: str) -> list[str]:
        before, bit = stage_bit(stage) - 1, stage_bit(stage)
        with self._store.lock:
            return [a for a, done in self._data.stages.items() if done & before == before and not done & bit]

    def missing(self, stage: str) -> list[str]:
        bit = stage_bit(stage)
        with self._store.lock:
            return [a for a, done in self._data.stages.items() if not done & bit]

    def done(self, article_id: str) -> tuple[str, ...]:
        mask = self._data.stages.get(article_id)
        if mask is None:
            raise self._missing("article", article_id)
        return tuple(stage for stage in STAGES if mask & stage_bit(stage))


class _Settings(_Part):
    def get(self, key: str) -> str | None:
        return self._data.settings.get(key)


class MemoryTermIndex:
    """A term index in memory: entries, term frequencies and postings (which entries hold a term)."""

    def __init__(self, store: MemoryStore, name: str) -> None:
        self._store, self.name = store, name
        self._entries: dict[str, tuple[Entry, int]] = {}
        self._postings: dict[str, set[str]] = defaultdict(set)
        self._frequencies: Counter[str] = Counter()

    def settings(self) -> str | None:
        return self._store.settings.get(self.name)

    def reset(self, settings: str) -> None:
        with self._store.lock:
            self._entries.clear()
            self._postings.clear()
            self._frequencies.clear()
            self._store.data.settings[self.name] = settings

    def missing_ids(self) -> list[str]:
        with self._store.lock:
            return [a for a in self._store.data.articles if a not in self._entries]

    def add(self, entries: Iterable[tuple[Entry, Iterable[str]]]) -> None:
        with self._store.lock:
            for entry, terms in entries:
                if entry[0] in self._entries:
                    continue
                distinct = list(dict.fromkeys(terms))
                self._entries[entry[0]] = (entry, len(distinct))
                self._frequencies.update(distinct)
                for term in distinct:
                    self._postings[term].add(entry[0])

    def entries(self, ids: Iterable[str] | None = None, days: tuple[int, int] | None = None) -> list[Entry]:
        with self._store.lock:
            if ids is not None:
                return sorted(self._entries[i][0] for i in set(ids) if i in self._entries)
            return sorted(e for e, _ in self._entries.values() if _within(e, days))

    def sharing(self, terms: Iterable[str], days: tuple[int, int] | None = None) -> list[Entry]:
        with self._store.lock:
            holders = set().union(*(self._postings.get(t, ()) for t in set(terms)))
            return sorted(e for e in (self._entries[a][0] for a in holders) if _within(e, days))

    def holding(self, term: str) -> list[tuple[str, int]]:
        with self._store.lock:
            return sorted((a, self._entries[a][1]) for a in self._postings.get(term, ()))

    def frequencies(self, terms: Iterable[str] | None = None) -> dict[str, int]:
        with self._store.lock:
            if terms is None:
                return dict(self._frequencies)
            return {t: self._frequencies[t] for t in set(terms) if t in self._frequencies}

    def count(self) -> int:
        return len(self._entries)


def _within(entry: Entry, days: tuple[int, int] | None) -> bool:
    return days is None or entry[1] is None or days[0] <= entry[1] <= days[1]
