"""The stories stage: group articles by the real-world event they report.

A story is one event as reported by every source. Copies of an article (linked by the
relate stage) are always in their original's story; independent reports join it when
their event signatures (names, places, numbers, rare words of the lead, publication
day) match on average, and look-alike events (two earthquakes) stay apart because
their reports name different places and people.

``rebuild_stories`` clusters the whole store in a canonical order (date, then id), so
the stories depend only on the set of articles. ``assign_stories`` re-clusters only the
new articles and the stories they resemble; ``StoryIndex.assign`` places one article
into an in-memory index in milliseconds. Both are greedy where a rebuild is global: a
later rebuild gives the canonical grouping, whatever the order articles arrived in.
Story ids come from the earliest article, so every run names a story alike.
"""

from __future__ import annotations

import hashlib
from bisect import bisect_left
from collections.abc import Iterable, Sequence

from newstrace.model import Article, Relation, Story
from newstrace.store import SQLiteStore
from newstrace.stories.cluster import StoryOptions, cluster_signatures
from newstrace.stories.features import FeatureOptions, Signature, TermStats, article_order, signature
from newstrace.stories.index import StoryIndex

# Stories whose average similarity to a new article reaches this share of the merge threshold are
# re-clustered with it: the new article may pull their articles apart or together.
AFFECTED_SHARE = 0.5

__all__ = [
    "FeatureOptions",
    "StoryIndex",
    "StoryOptions",
    "assign_stories",
    "cluster_articles",
    "linked_groups",
    "make_story",
    "rebuild_stories",
    "story_id",
]


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


def linked_groups(size: int, links: Iterable[tuple[int, int]]) -> list[list[int]]:
    """Connected components of items ``0..size-1`` under ``links``, each sorted, ordered by first item."""
    parent = list(range(size))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, b in links:
        low, high = sorted((root(a), root(b)))
        parent[high] = low
    groups: dict[int, list[int]] = {}
    for i in range(size):
        groups.setdefault(root(i), []).append(i)
    return [groups[key] for key in sorted(groups)]


def _join_copies(groups: list[list[str]], relations: Iterable[Relation]) -> list[list[str]]:
    """Merge the groups that a relation connects: a copy is always in its original's story."""
    group_of = {article: i for i, group in enumerate(groups) for article in group}
    links = (
        (group_of[r.original], group_of[r.derived])
        for r in relations
        if r.original in group_of and r.derived in group_of
    )
    return [[a for i in merged for a in groups[i]] for merged in linked_groups(len(groups), links)]


def cluster_articles(
    articles: Sequence[Article], options: StoryOptions | None = None, relations: Iterable[Relation] = ()
) -> list[Story]:
    """Group articles into stories; the same set of articles gives the same stories in any order.

    Args:
        articles: The articles to group.
        options: Merge threshold, time window, feature options.
        relations: Copy relations; related articles always end up in one story.

    Returns:
        The stories, ordered by id.
    """
    options = options or StoryOptions()
    by_id = {a.id: a for a in articles}
    signatures = [signature(a, options.features) for a in by_id.values()]
    groups = _join_copies(cluster_signatures(signatures, options), relations)
    return sorted((make_story([by_id[i] for i in group]) for group in groups), key=lambda s: s.id)


def rebuild_stories(store: SQLiteStore, options: StoryOptions | None = None) -> list[Story]:
    """Re-cluster every stored article and replace the stored stories with the result."""
    stories = cluster_articles(list(store.iter_articles()), options, store.relations())
    store.replace_stories(stories)
    return stories


def assign_stories(
    store: SQLiteStore, article_ids: Sequence[str], options: StoryOptions | None = None
) -> list[Story]:
    """Place the given stored articles into the stored stories (or new ones), and save the change.

    The new articles (the given ones, and any stored article not in a story yet) and every stored
    story that one of them resembles (average similarity at least half the merge threshold) are
    re-clustered together with the batch rule, over the whole store's term statistics; copies join
    their original's story. The rest of the stories are left as they are. Where everything is
    affected this is exactly a rebuild; elsewhere it is a local one, and ``rebuild_stories`` gives the
    canonical grouping.

    Returns:
        The stories that were created or changed.
    """
    options = options or StoryOptions()
    articles = {a.id: a for a in store.iter_articles()}
    placed = {i: story for i in articles if (story := store.story_of(i)) is not None}
    pending = {i for i in {*article_ids, *articles} - placed.keys() if i in articles}
    if not pending:
        return []
    signatures = {i: signature(a, options.features) for i, a in articles.items()}
    index = StoryIndex(TermStats.from_signatures(signatures[i] for i in sorted(signatures)), options)
    for i in sorted(_near(placed, pending, signatures, options.window_days)):
        index.add(signatures[i], placed[i])
    relations = store.relations()
    copies = _copy_links(relations)
    affected = {placed[other] for i in pending for other in copies.get(i, ()) if other in placed}
    for i in sorted(pending):
        scores = index.story_scores(signatures[i], counted=True)
        affected.update(
            story for story, score in scores.items() if score >= options.threshold * AFFECTED_SHARE
        )
    region = sorted(pending | {i for i, story in placed.items() if story in affected})
    groups = _join_copies(
        cluster_signatures([signatures[i] for i in region], options, index.stats), relations
    )
    regrouped = sorted((make_story([articles[i] for i in group]) for group in groups), key=lambda s: s.id)
    before = {key: store.get_story(key) for key in affected}
    updated = [story for story in regrouped if before.get(story.id) != story]
    if affected <= {s.id for s in regrouped}:
        store.put_stories(updated)
    else:
        keep = [s for s in store.stories() if s.id not in affected]
        store.replace_stories([*keep, *regrouped])
    return updated


def _near(
    placed: dict[str, str], pending: set[str], signatures: dict[str, Signature], window: int
) -> set[str]:
    """The placed articles a pending one can be compared with: undated, or within the time window."""
    days = sorted({signatures[i].day for i in pending}, key=lambda d: (d is None, d or 0))
    if not days or days[-1] is None:
        return set(placed)

    def in_window(day: int | None) -> bool:
        if day is None:
            return True
        at = bisect_left(days, day)
        return any(abs(day - d) <= window for d in days[max(0, at - 1) : at + 1])

    return {i for i in placed if in_window(signatures[i].day)}


def _copy_links(relations: Iterable[Relation]) -> dict[str, set[str]]:
    links: dict[str, set[str]] = {}
    for relation in relations:
        links.setdefault(relation.original, set()).add(relation.derived)
        links.setdefault(relation.derived, set()).add(relation.original)
    return links
