"""Batch clustering of articles into stories: average linkage over the sparse similarity graph.

Average linkage merges two groups only when their articles are similar *on average*,
so a chain of pairwise look-alikes (one earthquake report resembling another) does not
glue two events together the way single linkage would, and a pair outside the time
window (similarity 0) pulls the average down: articles months apart stay apart.
Everything runs in a canonical order (publication day, then id), and ties are broken
by that order, so the result depends only on the set of articles.
"""

from __future__ import annotations

import dataclasses
import heapq
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from newstrace.stories.decision import Evidence, largest_factor, pair_factor, shipped_model
from newstrace.stories.features import FeatureOptions, Signature, TermStats
from newstrace.stories.similarity import Postings, Vector
from newstrace.workers import PARALLEL_MIN_ARTICLES, Workers

# Pairs below this similarity are not kept in the graph: far under any sensible merge threshold,
# they only cost memory.
MIN_EDGE = 0.05


@dataclass(frozen=True)
class StoryOptions:
    """When two groups of articles are one story.

    The threshold and the evidence weights default to the shipped decision model
    (``decision.json``, trained by ``benchmarks/train_stories.py``); the other defaults were chosen on
    NeuS-val, ECB+ dev and BASIL dev (``python -m benchmarks.stories``).

    Attributes:
        threshold: Least average similarity between the articles of two groups for them to merge.
        window_days: Articles further apart in time than this are never compared (similarity 0).
        max_span_days: A story's dated articles span at most this many days.
        exclusive_share: Two groups are kept apart when each has a name this share of its articles
            mention and none of the other's do (more than 1 turns the rule off).
        exclusive_min_group: The rule above applies only to groups of at least this many articles (in
            smaller groups, a name missing from the other side says little).
        evidence: What the weekdays and months the leads name, and the publication days, do to two
            articles' similarity (``decision.pair_factor``).
        features: How each article's event signature is read.
    """

    threshold: float = field(default_factory=lambda: shipped_model().threshold)
    window_days: int = 7
    max_span_days: int = 30
    exclusive_share: float = 0.6
    exclusive_min_group: int = 4
    evidence: Evidence = field(default_factory=lambda: shipped_model().evidence)
    features: FeatureOptions = field(default_factory=FeatureOptions)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> StoryOptions:
        """Options from their JSON form; fields of older versions are ignored (their defaults apply)."""
        known = {f.name for f in dataclasses.fields(cls)}
        values = {name: value for name, value in data.items() if name in known}
        if "evidence" in values:
            values["evidence"] = Evidence.from_dict(values["evidence"])
        if "features" in values:
            values["features"] = FeatureOptions(**values["features"])
        return cls(**values)


def canonical_order(signatures: Sequence[Signature]) -> list[Signature]:
    """Dated articles by day, then undated ones; ties by id. Every batch step runs in this order."""
    return sorted(signatures, key=lambda s: (s.day is None, s.day or 0, s.article))


def cosine_pairs(
    vectors: Sequence[Vector], signatures: Sequence[Signature], window_days: int
) -> Iterator[tuple[int, int, float]]:
    """Every pair (i < j) of articles in the time window that share a term, with their cosine.

    ``signatures`` must be in ``canonical_order``; pairs come by j, then as j's terms first meet i.
    """
    postings = _indexed(vectors, signatures)
    for doc, (vector, sig) in enumerate(zip(vectors, signatures, strict=True)):
        for other, cosine in postings.scores(vector, sig.day, window_days, before=doc).items():
            yield other, doc, cosine


def similarity_graph(
    vectors: Sequence[Vector],
    signatures: Sequence[Signature],
    options: StoryOptions,
    workers: Workers | None = None,
) -> dict[tuple[int, int], float]:
    """Similarity of every pair (i < j) of articles in the window that share a term: the cosine of
    their vectors, times what their time evidence does to it (``decision.pair_factor``).

    ``signatures`` must be in ``canonical_order``. With ``workers``, each scores its share of the
    articles against the earlier ones; the graph is the same, entry for entry and in the same order.
    """
    postings = _indexed(vectors, signatures)
    top = largest_factor(options.evidence)

    def edges_of(doc: int) -> list[tuple[int, float]]:
        earlier = postings.scores(vectors[doc], signatures[doc].day, options.window_days, before=doc)
        scored = (
            (other, edge_score(cosine, signatures[other], signatures[doc], options.evidence, top))
            for other, cosine in earlier.items()
        )
        return [(other, score) for other, score in scored if score is not None]

    found = (workers or Workers(1)).each(edges_of, range(len(vectors)), len(vectors) >= PARALLEL_MIN_ARTICLES)
    return {(other, doc): score for doc, edges in enumerate(found) for other, score in edges}


def _indexed(vectors: Sequence[Vector], signatures: Sequence[Signature]) -> Postings:
    """Every article's vector in one ``Postings``, checked to come in canonical order (by day, undated last)."""
    days = [sig.day for sig in signatures]
    dated = [day for day in days if day is not None]
    if dated != sorted(dated) or None in days[: len(dated)]:
        raise ValueError("signatures must be in canonical order (canonical_order)")
    postings = Postings()
    for doc, (vector, day) in enumerate(zip(vectors, days, strict=True)):
        postings.add(doc, day, vector)
    return postings


def edge_score(cosine: float, a: Signature, b: Signature, evidence: Evidence, top: float) -> float | None:
    """Two articles' similarity: their ``cosine`` times what their time evidence does to it
    (``decision.pair_factor``), or None under ``MIN_EDGE``. ``top`` is ``largest_factor(evidence)``:
    most pairs no time evidence could lift to ``MIN_EDGE``, and they are not weighed."""
    if cosine * top < MIN_EDGE:
        return None
    score = cosine * pair_factor(a, b, evidence)
    return score if score >= MIN_EDGE else None


def joined_span(a: tuple[int, int] | None, b: tuple[int, int] | None) -> tuple[int, int] | None:
    """First and last day of two groups together (None when neither has a dated article)."""
    if a is None or b is None:
        return a or b
    return (min(a[0], b[0]), max(a[1], b[1]))


def _exclusive_names(ours: Counter[str], size: int, theirs: Counter[str], share: float) -> bool:
    """Whether a name is in at least ``share`` of our articles and in none of theirs."""
    return any(count >= share * size and name not in theirs for name, count in ours.items())


def average_linkage(
    size: int,
    edges: dict[tuple[int, int], float],
    options: StoryOptions,
    names: Sequence[Iterable[str]] | None = None,
    days: Sequence[int | None] | None = None,
) -> list[list[int]]:
    """Group ``size`` items: merge the two groups of highest average similarity while it is ≥ threshold.

    Missing pairs count as similarity 0. Groups are named by their smallest member, and ties
    between equal averages go to the smallest names, so the result does not depend on dict order.
    Two groups are not merged when their dated items (``days``) would span more than
    ``options.max_span_days``: undated articles of one topic would otherwise bridge events years
    apart. With ``names`` (the names each item mentions), two groups of ``exclusive_min_group`` or
    more items are not merged when each has a name that at least ``exclusive_share`` of its items
    mention and none of the other's do: look-alike events differ in who was involved (a boxer's
    title defence against one challenger, then another).

    Returns:
        The groups, each a sorted list of item numbers, ordered by their first item.
    """
    threshold = options.threshold
    spans: dict[int, tuple[int, int] | None] = {
        i: (day, day) if (day := days[i] if days else None) is not None else None for i in range(size)
    }
    members: dict[int, list[int]] = {i: [i] for i in range(size)}
    named: dict[int, Counter[str]] = {i: Counter(names[i]) if names else Counter() for i in range(size)}
    links: dict[int, dict[int, float]] = {i: {} for i in range(size)}
    for (a, b), score in edges.items():
        links[a][b] = score
        links[b][a] = score
    heap = [(-score, a, b) for (a, b), score in edges.items() if score >= threshold]
    heapq.heapify(heap)
    while heap:
        negative, a, b = heapq.heappop(heap)
        if a not in members or b not in members:
            continue
        current = links[a].get(b, 0.0) / (len(members[a]) * len(members[b]))
        if current != -negative:
            continue
        span = joined_span(spans[a], spans[b])
        if span and span[1] - span[0] > options.max_span_days:
            continue
        if (
            names
            and min(len(members[a]), len(members[b])) >= options.exclusive_min_group
            and _exclusive_names(named[a], len(members[a]), named[b], options.exclusive_share)
            and _exclusive_names(named[b], len(members[b]), named[a], options.exclusive_share)
        ):
            continue
        spans[a] = span
        del spans[b]
        members[a].extend(members.pop(b))
        named[a].update(named.pop(b))
        merged = links[a]
        merged.pop(b, None)
        for other, total in links.pop(b).items():
            if other == a:
                continue
            links[other].pop(b)
            merged[other] = merged.get(other, 0.0) + total
            links[other][a] = merged[other]
        for other, total in merged.items():
            average = total / (len(members[a]) * len(members[other]))
            if average >= threshold:
                heapq.heappush(heap, (-average, min(a, other), max(a, other)))
    return [sorted(group) for _, group in sorted(members.items())]


def cluster_signatures(
    signatures: Sequence[Signature],
    options: StoryOptions,
    stats: TermStats | None = None,
    workers: Workers | None = None,
) -> list[list[str]]:
    """Group article signatures into stories; returns lists of article ids, deterministic for a set.

    Args:
        signatures: One per article, in any order.
        options: Threshold, time window and feature options.
        stats: Term statistics of a larger collection these articles belong to (they must be
            counted in it); by default, those of ``signatures`` themselves.
        workers: processes to score the pairs of many articles in (the result is the same).

    Returns:
        Lists of article ids (each in canonical order), ordered by their earliest article.
    """
    ordered = canonical_order(signatures)
    stats = stats or TermStats.from_signatures(ordered)
    vectors = [stats.vector(sig, options.features) for sig in ordered]
    return cluster_graph(ordered, similarity_graph(vectors, ordered, options, workers), options)


def cluster_graph(
    ordered: Sequence[Signature], edges: dict[tuple[int, int], float], options: StoryOptions
) -> list[list[str]]:
    """Group signatures in canonical order by ``average_linkage`` over their similarity ``edges``
    (``similarity_graph``'s form); returns lists of article ids, ordered by their earliest article.

    Groups never cross the connected parts of the graph's edges at or above ``options.threshold``
    (a merge needs an average that high, so at least one such edge), so each part may be grouped on
    its own, with its signatures in canonical order, as the Spark job does.
    """
    names = [s.names for s in ordered] if options.exclusive_share <= 1 else None
    groups = average_linkage(len(ordered), edges, options, names, [s.day for s in ordered])
    return [[ordered[i].article for i in group] for group in groups]
