"""The stories stage over a store: rebuild every story, or place new articles into the stored ones.

Each article's signature is made once and kept in the store's "story" term table, with the
number of signatures holding each term (the document frequencies behind the TF-IDF weights)
and a full-text index of the terms. Placing new articles then reads only the signatures of
their time window that share a telling term with them, and the frequencies of the terms
involved: about a tenth of a second for one article in a store of 37.5k, with the scores the
same computation over every stored article would give. Signatures made with other feature
options are dropped and made again.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict

from newstrace.model import Story
from newstrace.store import SQLiteStore
from newstrace.store.terms import Entry, TermTable
from newstrace.stories.cluster import StoryOptions, cluster_signatures
from newstrace.stories.features import FeatureOptions, Signature, TermStats, publication_day, signature
from newstrace.stories.groups import copy_links, join_copies, make_story
from newstrace.stories.index import StoryIndex

# The settings key of the options of the last rebuild.
OPTIONS_KEY = "stories"
# Stories whose average similarity to a new article reaches this share of the merge threshold are
# re-clustered with it: the new article may pull their articles apart or together.
AFFECTED_SHARE = 0.5
# When at least BULK_ARTICLES new articles are at least 1/WHOLE_STORE_SHARE of the store, every story is
# rebuilt: that is cheaper than searching the store for the neighbours of each.
BULK_ARTICLES = 1000
WHOLE_STORE_SHARE = 5
# Bump when ``signature`` changes what it reads, so that stored signatures are made again.
SIGNATURE_FORMAT = 2
# Articles signed per store transaction.
SIGN_BATCH = 2000


def stored_options(store: SQLiteStore) -> StoryOptions:
    """The options of the store's last rebuild (so that new articles are placed by the same rule), or
    the defaults."""
    saved = store.setting(OPTIONS_KEY)
    if saved is None:
        return StoryOptions()
    return StoryOptions.from_dict(json.loads(saved))


def rebuild_stories(store: SQLiteStore, options: StoryOptions | None = None) -> list[Story]:
    """Re-cluster every stored article and replace the stored stories with the result.

    ``options`` (by default those of the last rebuild) are kept in the store, and placing new articles
    follows them from then on.
    """
    options = options or stored_options(store)
    store.put_setting(OPTIONS_KEY, json.dumps(asdict(options), sort_keys=True))
    sign_articles(store, options.features)
    table = store.term_table("story")
    signatures = [_signature(row) for row in table.entries()]
    stats = TermStats(table.frequencies(), len(signatures))
    groups = join_copies(cluster_signatures(signatures, options, stats), store.relations())
    articles = {a.id: a for a in store.iter_articles()}
    stories = sorted((make_story([articles[i] for i in group]) for group in groups), key=lambda s: s.id)
    store.replace_stories(stories)
    return stories


def assign_stories(
    store: SQLiteStore, article_ids: Sequence[str] = (), options: StoryOptions | None = None
) -> list[Story]:
    """Place the stored articles that are in no story yet (``article_ids`` and any other) into the
    stored stories or new ones, and save the change.

    The new articles and every stored story that one of them resembles (average similarity at least
    ``AFFECTED_SHARE`` of the merge threshold), or that holds a copy of one, are re-clustered together
    with the batch rule, over the whole store's term statistics. The other stories are left as they
    are. Where everything is affected this is exactly a rebuild; elsewhere it is a local one, and
    ``rebuild_stories`` gives the canonical grouping.

    Only the stored articles of the new ones' time window that share a telling term with them are
    read (the store's full-text index finds them): the others cannot resemble them.

    Args:
        store: The store to read from and write to.
        article_ids: The articles just added (every unplaced article is placed in any case).
        options: Threshold, window and feature options; by default those of the last rebuild.

    Returns:
        The stories that were created or changed.
    """
    options = options or stored_options(store)
    sign_articles(store, options.features)
    table = store.term_table("story")
    pending = set(store.unplaced_article_ids())
    if not pending:
        return []
    if len(pending) >= BULK_ARTICLES and len(pending) * WHOLE_STORE_SHARE >= table.count():
        # So many new articles affect most stories anyway: re-cluster everything, once.
        before = set(store.stories())
        return [story for story in rebuild_stories(store, options) if story not in before]
    signatures = {s.article: s for s in map(_signature, table.entries(ids=pending))}
    stats = _stats(table, signatures.values())
    telling = {term for sig in signatures.values() for term in stats.vector(sig, options.features)}
    for row in table.sharing(telling, _window(signatures, options)):
        if row[0] not in pending:
            signatures[row[0]] = _signature(row)
    _add_frequencies(table, stats, signatures.values())
    story_of = store.stories_of(signatures.keys() - pending)
    index = StoryIndex(stats, options)
    for article in sorted(story_of):
        index.add(signatures[article], story_of[article])
    for story in store.stories(set(story_of.values())):
        days = (publication_day(story.first_seen), publication_day(story.last_seen))
        index.set_story(story.id, len(story.articles), None if None in days else days)
    # A copy joins its original's story, however far apart in time they were published.
    copies = copy_links(store.relations_of(pending))
    affected = set(store.stories_of({other for i in pending for other in copies.get(i, ())}).values())
    for article in sorted(pending):
        scores = index.story_scores(signatures[article], counted=True)
        affected.update(
            story for story, score in scores.items() if score >= options.threshold * AFFECTED_SHARE
        )
    before = {story.id: story for story in store.stories(affected)}
    region = pending | {article for story in before.values() for article in story.articles}
    missing = region - signatures.keys()
    signatures.update((s.article, s) for s in map(_signature, table.entries(ids=missing)))
    _add_frequencies(table, stats, (signatures[i] for i in missing))
    groups = join_copies(
        cluster_signatures([signatures[i] for i in region], options, stats), store.relations_of(region)
    )
    articles = {a.id: a for a in store.iter_articles(sorted(region))}
    regrouped = [make_story([articles[i] for i in group]) for group in groups]
    updated = sorted((story for story in regrouped if before.get(story.id) != story), key=lambda s: s.id)
    store.put_stories(updated, replaced=sorted(affected - {story.id for story in regrouped}))
    return updated


def sign_articles(store: SQLiteStore, options: FeatureOptions) -> None:
    """Give every stored article a signature made with ``options`` (all made again if the options changed)."""
    settings = json.dumps({"format": SIGNATURE_FORMAT, **asdict(options)}, sort_keys=True)
    table = store.term_table("story")
    if table.settings() != settings:
        table.reset(settings)
    unsigned = table.missing_ids()
    for start in range(0, len(unsigned), SIGN_BATCH):
        batch = store.iter_articles(unsigned[start : start + SIGN_BATCH])
        table.add(_entry(signature(article, options)) for article in batch)


def _window(pending: dict[str, Signature], options: StoryOptions) -> tuple[int, int] | None:
    """The days whose articles the pending ones can be compared with (None: an undated one, so all)."""
    days = [s.day for s in pending.values()]
    if None in days:
        return None
    dated = [day for day in days if day is not None]
    return (min(dated) - options.window_days, max(dated) + options.window_days)


def _stats(table: TermTable, signatures: Iterable[Signature]) -> TermStats:
    """The store's term statistics, read for the terms of ``signatures`` only."""
    stats = TermStats({}, table.count())
    _add_frequencies(table, stats, signatures)
    return stats


def _add_frequencies(table: TermTable, stats: TermStats, signatures: Iterable[Signature]) -> None:
    """Read into ``stats`` the frequencies of the terms of ``signatures`` it does not hold yet."""
    terms = {term for sig in signatures for term, _ in sig.counts} - stats.document_frequency.keys()
    stats.document_frequency.update(table.frequencies(terms))


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
