"""From verified copy pairs to relations: direction, kind, and one original per derived article.

A copy group (verbatim copies, excerpts, spins of one text, and copies of
copies) yields a pair for nearly every two members, siblings included. Each
derived article keeps one link: to its original, preferring, among parents that
explain it about equally well, the one the others descend from. Pairs whose
direction is unknown are kept only between articles with no known original.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from newstrace.groups import connected
from newstrace.model import Article, Relation
from newstrace.relate.classify import ClassifyOptions, Comparison, kind_of
from newstrace.relate.direction import DirectionOptions, decide


@dataclass(frozen=True)
class Edge:
    """A verified copy pair: ``left`` < ``right`` by id, and their aligned evidence (left's text as original)."""

    left: str
    right: str
    comparison: Comparison

    @property
    def score(self) -> float:
        return self.comparison.score


def components(edges: Iterable[Edge]) -> list[list[Edge]]:
    """Edges grouped by connected copy group, each group and the groups in a stable order."""
    edges = sorted(edges, key=lambda e: (e.left, e.right))
    nodes = sorted({node for edge in edges for node in (edge.left, edge.right)})
    group_of = {node: i for i, group in enumerate(connected(nodes, ((e.left, e.right) for e in edges))) for node in group}
    groups: dict[int, list[Edge]] = defaultdict(list)
    for edge in edges:
        groups[group_of[edge.left]].append(edge)
    return [groups[key] for key in sorted(groups)]


def resolve(
    edges: Iterable[Edge],
    articles: Mapping[str, Article],
    classify_options: ClassifyOptions | None = None,
    direction_options: DirectionOptions | None = None,
    parent_margin: float = 0.1,
    min_parent_coverage: float = 0.5,
) -> list[Relation]:
    """The relations a set of verified pairs stands for, sorted by (original, derived).

    The result depends only on the pairs and the articles, not on the order they came in.
    """
    classify_options = classify_options or ClassifyOptions()
    edges = sorted(edges, key=lambda e: (e.left, e.right))
    scores: dict[str, dict[str, float]] = defaultdict(dict)
    for edge in edges:
        scores[edge.left][edge.right] = scores[edge.right][edge.left] = edge.comparison.mutual
    candidates = [
        _relation(edge, articles, _centre(edge, scores), classify_options, direction_options)
        for edge in edges
    ]
    known = [(r, fit) for r, fit in candidates if r.direction == "known"]
    parents: dict[str, list[tuple[Relation, float]]] = defaultdict(list)
    for relation, fit in known:
        # A parent must explain most of the derived text (an excerpt is no parent of a full copy).
        if relation.coverage["derived"] >= min_parent_coverage:
            parents[relation.derived].append((relation, fit))
    known_pairs = {(r.original, r.derived) for r, _ in known}
    kept = [_best_parent(options, known_pairs, parent_margin) for options in parents.values()]
    has_parent = set(parents)
    kept += [
        r
        for r, _ in candidates
        if r.direction == "unknown" and r.original not in has_parent and r.derived not in has_parent
    ]
    return sorted(kept, key=lambda r: (r.original, r.derived))


def _centre(edge: Edge, scores: Mapping[str, Mapping[str, float]]) -> float:
    """Mean of how much closer each third copy is to ``left`` than to ``right``."""
    left, right = scores[edge.left], scores[edge.right]
    common = sorted(set(left) & set(right))
    if not common:
        return 0.0
    return sum(left[n] - right[n] for n in common) / len(common)


def _relation(
    edge: Edge,
    articles: Mapping[str, Article],
    centre: float,
    classify_options: ClassifyOptions,
    direction_options: DirectionOptions | None,
) -> tuple[Relation, float]:
    left, right = articles[edge.left], articles[edge.right]
    decision = decide(left, right, edge.comparison, centre, direction_options)
    comparison = edge.comparison
    original, derived = left.id, right.id
    if decision.original == right.id or (decision.original is None and _longer(right, left)):
        comparison, original, derived = comparison.swapped(), right.id, left.id
    relation = Relation(
        original=original,
        derived=derived,
        kind=kind_of(comparison, classify_options),
        score=comparison.score,
        coverage={"original": comparison.left.coverage, "derived": comparison.right.coverage},
        evidence=comparison.passages,
        direction="known" if decision.original else "unknown",
        reasons=comparison.notes + decision.reasons,
    )
    return relation, comparison.fit()


def _longer(a: Article, b: Article) -> bool:
    """Without a direction, the longer text is shown as the original (it contains the other)."""
    return (len(a.text), b.id) > (len(b.text), a.id)


def _best_parent(
    options: list[tuple[Relation, float]], known_pairs: set[tuple[str, str]], margin: float
) -> Relation:
    """The parent that best explains the derived text, or among those within ``margin`` of it
    one the others do not descend from (a close parent derived from another is a sibling)."""
    best = max(fit for _, fit in options)
    close = [(r, fit) for r, fit in options if fit >= best - margin]
    parents = {r.original for r, _ in close}
    descended = {p for p in parents if any((q, p) in known_pairs for q in parents if q != p)}
    return min(close, key=lambda rf: (rf[0].original in descended, -rf[1], rf[0].original))[0]
