"""The stories stage in the engine: place the articles that are due into the stored stories, or
re-cluster the whole store.

Each article's signature is made once and kept in the store's "story" term index, with the
number of signatures holding each term (the document frequencies behind the TF-IDF weights) and
which signatures hold a term. Placing a few articles then reads only the signatures of their time
window that share a telling term with them, and the frequencies of the terms involved: about a
quarter of a second for one article in a store of 37.5k (264 ms p50 on the 2-core machine), with
the scores the same computation over every stored article would give. Many due articles, or options
other than those the stored stories were grouped with, re-cluster everything (a rebuild).

The options the stories were grouped with are kept in the store with them; a stage given no
options uses those (and says so in its notes when they are not the defaults), so that new
articles are placed by the rule that grouped the others.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import ClassVar

from newstrace.engine.stages import StageContext, StageResult
from newstrace.groups import neighbours
from newstrace.model import Story
from newstrace.store.base import Entry, Store, TermIndex, filled_index
from newstrace.stories.cluster import StoryOptions, cluster_signatures
from newstrace.stories.features import FeatureOptions, Signature, TermStats, publication_day, signature
from newstrace.stories.groups import join_copies, make_story
from newstrace.stories.index import StoryIndex
from newstrace.workers import Workers

# The settings key of the options the stored stories were grouped with.
OPTIONS_KEY = "stories"
# Stories whose average similarity to a new article reaches this share of the merge threshold are
# re-clustered with it: the new article may pull their articles apart or together.
AFFECTED_SHARE = 0.5
# When at least BULK_ARTICLES due articles are at least 1/WHOLE_STORE_SHARE of the store, every story is
# rebuilt: that is cheaper than searching the store for the neighbours of each.
BULK_ARTICLES = 1000
WHOLE_STORE_SHARE = 5
# Bump when ``signature`` changes what it reads, so that stored signatures are made again.
SIGNATURE_FORMAT = 2
INDEX = "story"


def recorded_options(store: Store) -> StoryOptions | None:
    """The options the store's stories were grouped with, or None before any grouping."""
    saved = store.settings.get(OPTIONS_KEY)
    if saved is None:
        return None
    return StoryOptions.from_dict(json.loads(saved))


def describe(options: StoryOptions) -> str:
    """The options a user sets, in words."""
    return f"window {options.window_days} days, stories span at most {options.max_span_days} days"


@dataclass(frozen=True)
class StoryStage:
    """Stories: group articles by the real-world event they report.

    ``options`` None: the options the store's stories were grouped with (the defaults in a new store).
    """

    options: StoryOptions | None = None
    name: ClassVar[str] = "stories"

    def run(self, due: Sequence[str], context: StageContext) -> StageResult:
        store = context.store
        recorded = recorded_options(store)
        options = self.options or recorded or StoryOptions()
        notes = []
        if self.options is None and recorded is not None and recorded != StoryOptions():
            notes.append(f"stories grouped with this store's options: {describe(recorded)}")
        index = filled_index(
            store,
            INDEX,
            _signature_settings(options.features),
            lambda a: _entry(signature(a, options.features)),
            workers=context.workers,
        )
        if recorded is not None and options != recorded:
            notes.append(f"every story regrouped: {describe(options)} instead of {describe(recorded)}")
            result = rebuild(store, options, context.workers)
        elif len(due) >= BULK_ARTICLES and len(due) * WHOLE_STORE_SHARE >= index.count():
            # So many articles affect most stories anyway: re-cluster everything, once.
            result = rebuild(store, options, context.workers)
        else:
            result = _assign(store, index, set(due), options)
        result.done |= set(due)
        result.changes.settings[OPTIONS_KEY] = json.dumps(asdict(options), sort_keys=True)
        result.notes[:0] = notes
        return result


def rebuild(store: Store, options: StoryOptions, workers: Workers | None = None) -> StageResult:
    """Re-cluster every stored article: the stories depend only on the set of articles and ``options``."""
    index = store.index(INDEX)
    signatures = [_signature(row) for row in index.entries()]
    stats = TermStats(index.frequencies(), len(signatures))
    groups = join_copies(cluster_signatures(signatures, options, stats, workers), store.relations.all())
    articles = {a.id: a for a in store.articles.all()}
    stories = sorted((make_story([articles[i] for i in group]) for group in groups), key=lambda s: s.id)
    # Stories left as they were are not written again, so the store must not be cleared: the stories
    # that are gone are dropped by id.
    return _regrouped(store.stories.all(), stories, set(articles))


def _regrouped(before: Iterable[Story], after: list[Story], done: set[str]) -> StageResult:
    """The result of replacing the stories ``before`` with ``after``: the articles of every story that
    is new or changed have changed, and the briefs of stories that are gone are dropped."""
    old = {story.id: story for story in before}
    updated = [story for story in after if old.get(story.id) != story]
    result = StageResult(done=done, made=updated)
    result.changes.stories = updated
    gone = old.keys() - {story.id for story in after}
    result.changes.stories_dropped = set(gone)
    result.changes.briefs_dropped = set(gone)
    result.changed = {a for story in updated for a in story.articles} | {a for i in gone for a in old[i].articles}
    return result


def _assign(store: Store, index: TermIndex, due: set[str], options: StoryOptions) -> StageResult:
    """Place the ``due`` articles into the stored stories or new ones.

    The due articles and every stored story that one of them resembles (average similarity at least
    ``AFFECTED_SHARE`` of the merge threshold), holds a copy of one, or holds one already (an article
    whose relations changed is regrouped with its story; its neighbours are not searched again, since
    its text did not change) are re-clustered together with the batch rule, over the
    whole store's term statistics. The other stories are left as they are. Where everything is
    affected this is exactly a rebuild; elsewhere it is a local one, and a rebuild gives the
    canonical grouping.

    Only the stored articles of the due ones' time window that share a telling term with them are
    read (the term index finds them): the others cannot resemble them.
    """
    # A copy joins its original's story, however far apart in time they were published.
    copies = neighbours((r.original, r.derived) for r in store.relations.of(due))
    placed = store.stories.of(due | {other for i in due for other in copies.get(i, ())})
    affected = set(placed.values())
    # Articles in a story already are due again because their relations changed: their text did not, so
    # their story is regrouped (above) but their neighbours need not be searched again.
    unplaced = due - placed.keys()
    signatures = {s.article: s for s in map(_signature, index.entries(ids=unplaced))}
    stats = _stats(index, signatures.values())
    if unplaced:
        telling = {term for sig in signatures.values() for term in stats.vector(sig, options.features)}
        for row in index.sharing(telling, _window(signatures, options)):
            if row[0] not in due:
                signatures[row[0]] = _signature(row)
    _add_frequencies(index, stats, signatures.values())
    story_of = store.stories.of(signatures.keys() - due)
    placing = StoryIndex(stats, options)
    for article in sorted(story_of):
        placing.add(signatures[article], story_of[article])
    for story in store.stories.many(set(story_of.values())):
        days = (publication_day(story.first_seen), publication_day(story.last_seen))
        placing.set_story(story.id, len(story.articles), None if None in days else days)
    for article in sorted(unplaced):
        scores = placing.story_scores(signatures[article], counted=True)
        affected.update(story for story, score in scores.items() if score >= options.threshold * AFFECTED_SHARE)
    before = store.stories.many(affected)
    region = due | {article for story in before for article in story.articles}
    missing = region - signatures.keys()
    signatures.update((s.article, s) for s in map(_signature, index.entries(ids=missing)))
    _add_frequencies(index, stats, (signatures[i] for i in missing))
    groups = join_copies(
        cluster_signatures([signatures[i] for i in region], options, stats), store.relations.of(region)
    )
    articles = {a.id: a for a in store.articles.many(sorted(region))}
    regrouped = sorted((make_story([articles[i] for i in group]) for group in groups), key=lambda s: s.id)
    return _regrouped(before, regrouped, set(due))


def _signature_settings(options: FeatureOptions) -> str:
    return json.dumps({"format": SIGNATURE_FORMAT, **asdict(options)}, sort_keys=True)


def _window(pending: dict[str, Signature], options: StoryOptions) -> tuple[int, int] | None:
    """The days whose articles the pending ones can be compared with (None: an undated one, so all)."""
    days = [s.day for s in pending.values()]
    if None in days:
        return None
    dated = [day for day in days if day is not None]
    return (min(dated) - options.window_days, max(dated) + options.window_days)


def _stats(table: TermIndex, signatures: Iterable[Signature]) -> TermStats:
    """The store's term statistics, read for the terms of ``signatures`` only."""
    stats = TermStats({}, table.count())
    _add_frequencies(table, stats, signatures)
    return stats


def _add_frequencies(table: TermIndex, stats: TermStats, signatures: Iterable[Signature]) -> None:
    """Read into ``stats`` the frequencies of the terms of ``signatures`` it does not hold yet."""
    terms = {term for sig in signatures for term, _ in sig.counts} - stats.document_frequency.keys()
    stats.add_frequencies(table.frequencies(terms))


def _entry(sig: Signature) -> tuple[Entry, list[str]]:
    # Terms and weights as two strings, which decode faster than a list of pairs.
    terms = [term for term, _ in sig.counts]
    data = {
        "terms": " ".join(terms),
        "weights": " ".join(repr(weight) for _, weight in sig.counts),
        "names": sig.names,
        "weekdays": sig.weekdays,
        "months": sig.months,
    }
    return (sig.article, sig.day, json.dumps(data, separators=(",", ":"))), terms


def _signature(row: Entry) -> Signature:
    article, day, data = row
    fields = json.loads(data)
    weights = map(float, fields["weights"].split())
    return Signature(
        article,
        day,
        tuple(zip(fields["terms"].split(), weights, strict=True)),
        tuple(fields["names"]),
        tuple(fields["weekdays"]),
        tuple(fields["months"]),
    )
