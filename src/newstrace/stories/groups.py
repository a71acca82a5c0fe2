"""Stories as records: their ids and headlines, and how copies pull articles into one story."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

from newstrace.groups import connected
from newstrace.model import Article, Relation, Story
from newstrace.stories.features import article_order


def story_id(articles: Iterable[Article]) -> str:
    """A story's id, derived from its earliest article (by date, then id), so any run names it alike."""
    first = min(articles, key=article_order)
    return "story-" + hashlib.sha1(first.id.encode("utf-8")).hexdigest()[:12]


def make_story(articles: Sequence[Article]) -> Story:
    """The ``Story`` record of a group of articles: id, headline, time span, outlets."""
    ordered = sorted(articles, key=article_order)
    titled = next((a for a in ordered if a.title and a.title.strip()), None)
    title = titled.title.strip() if titled and titled.title else " ".join(ordered[0].text.split()[:12])
    dates = sorted(a.date for a in ordered if a.date)
    outlets = sorted({a.outlet or a.site for a in ordered if a.outlet or a.site})
    return Story(
        id=story_id(ordered),
        title=title,
        articles=tuple(a.id for a in ordered),
        first_seen=dates[0] if dates else None,
        last_seen=dates[-1] if dates else None,
        outlets=tuple(outlets),
    )


def join_copies(groups: list[list[str]], relations: Iterable[Relation]) -> list[list[str]]:
    """Merge the groups that a relation connects: a copy is always in its original's story."""
    group_of = {article: i for i, group in enumerate(groups) for article in group}
    links = (
        (group_of[r.original], group_of[r.derived])
        for r in relations
        if r.original in group_of and r.derived in group_of
    )
    return [[a for i in merged for a in groups[i]] for merged in connected(range(len(groups)), links)]
