"""The stories stage: group articles by the real-world event they report.

A story is one event as reported by every source. Copies of an article (linked by the
relate stage) are always in their original's story; independent reports join it when
their event signatures (names, places, numbers, rare words of the lead, publication
day, the weekday the lead names) match on average, and look-alike events (two
earthquakes) stay apart because their reports name different places, people and days.

Modules: ``features`` (signatures and term statistics), ``similarity`` (the inverted
index), ``cluster`` (options and the batch rule), ``index`` (one article at a time),
``groups`` (story records and copies), ``stage`` (the stage in the engine, over a store).

A rebuild clusters the whole store in a canonical order (date, then id), so the stories
depend only on the set of articles. Placing new articles re-clusters only them and the
stories they resemble; ``StoryIndex.assign`` places one article into an in-memory index in
milliseconds. Both are greedy where a rebuild is global: a later rebuild gives the
canonical grouping, whatever the order articles arrived in.
Story ids come from the earliest article, so every run names a story alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from newstrace.model import Article, Relation, Story
from newstrace.stories.cluster import StoryOptions, cluster_signatures
from newstrace.stories.features import FeatureOptions, signature
from newstrace.stories.groups import join_copies, make_story, story_id
from newstrace.stories.index import StoryIndex

__all__ = [
    "FeatureOptions",
    "StoryIndex",
    "StoryOptions",
    "cluster_articles",
    "make_story",
    "story_id",
]


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
    groups = join_copies(cluster_signatures(signatures, options), relations)
    return sorted((make_story([by_id[i] for i in group]) for group in groups), key=lambda s: s.id)
