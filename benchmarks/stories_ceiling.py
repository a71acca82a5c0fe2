"""How far can pairwise similarity take story grouping? Ceilings on NeuS-val and ECB+ dev.

Run: ``cd /work/main && .venv/bin/python -m benchmarks.stories_ceiling``

For each similarity — newstrace's event vectors (the cosine that ``cluster_signatures`` starts
from, before the weekday rule), the MiniLM sentence encoder on headline + lead (when the
``semantic`` extra is installed), and their sum — it prints:

- nearest neighbour: the share of articles whose most similar other article is in their story;
- best average linkage: B-cubed F1 of average-linkage clustering at the best of 40 thresholds, chosen
  on the gold groups themselves (an optimistic figure: no threshold chosen blind does better);
- oracle top-k: B-cubed F1 when an oracle links each article to whichever of its k most similar
  articles are in its story (and transitivity does the rest): what a perfect decision over the
  k nearest candidates could reach.

The gap between the last two is the part no threshold on these similarities can close.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from benchmarks.story_sets import b_cubed, load_ecb, load_neus
from newstrace.groups import connected
from newstrace.model import Article
from newstrace.stories import StoryOptions
from newstrace.stories.cluster import average_linkage
from newstrace.stories.features import TermStats, signature

THRESHOLDS = np.linspace(0.05, 1.0, 40)


def event_vector_similarity(articles: Sequence[Article]) -> np.ndarray:
    features = StoryOptions().features
    signatures = [signature(a, features) for a in articles]
    stats = TermStats.from_signatures(signatures)
    vectors = [stats.vector(s, features) for s in signatures]
    column = {term: i for i, term in enumerate(sorted({t for v in vectors for t in v}))}
    matrix = np.zeros((len(articles), len(column)), dtype=np.float32)
    for row, vector in enumerate(vectors):
        for term, weight in vector.items():
            matrix[row, column[term]] = weight
    return matrix @ matrix.T


def encoder_similarity(articles: Sequence[Article]) -> np.ndarray:
    from newstrace.nlp.embedding import load_encoder

    vectors = load_encoder().encode([f"{a.title or ''}. {a.text[:1000]}" for a in articles])
    return vectors @ vectors.T


def labels(groups: Sequence[Sequence[int]], size: int) -> list[int]:
    label = [0] * size
    for number, group in enumerate(groups):
        for item in group:
            label[item] = number
    return label


def best_average_linkage(similarity: np.ndarray, gold: Sequence[str]) -> tuple[float, float]:
    size = len(gold)
    upper = np.triu_indices(size, 1)
    edges = {(int(i), int(j)): float(similarity[i, j]) for i, j in zip(*upper, strict=True)}
    best = (0.0, 0.0)
    for threshold in THRESHOLDS:
        groups = average_linkage(size, edges, StoryOptions(threshold=float(threshold)))
        best = max(best, (b_cubed(labels(groups, size), gold)[2], float(threshold)))
    return best


def oracle_top_k(similarity: np.ndarray, gold: Sequence[str], k: int) -> float:
    masked = similarity.copy()
    np.fill_diagonal(masked, -np.inf)
    nearest = np.argsort(-masked, axis=1)[:, :k]
    links = [(i, int(j)) for i in range(len(gold)) for j in nearest[i] if gold[i] == gold[j]]
    return b_cubed(labels(connected(range(len(gold)), links), len(gold)), gold)[2]


def main() -> None:
    measures: list[tuple[str, Callable[[Sequence[Article]], np.ndarray]]] = [
        ("event vectors", event_vector_similarity)
    ]
    try:
        from newstrace.nlp.embedding import semantic_available

        if semantic_available():
            measures.append(("MiniLM headline+lead", encoder_similarity))
    except ImportError:
        pass
    print(
        f"{'set':<9} {'similarity':<24} {'nearest':>8} {'best avg-link (thr)':>20} {'oracle k=1':>10} {'k=2':>6} {'k=5':>6}"
    )
    for gold_set in (load_neus(), load_ecb()):
        name, articles, gold = gold_set.name, gold_set.articles, gold_set.gold
        matrices = {label: measure(articles) for label, measure in measures}
        if len(matrices) == 2:
            matrices["sum of both"] = sum(matrices.values())
        same = np.array(gold)[:, None] == np.array(gold)[None, :]
        for label, similarity in matrices.items():
            masked = similarity.copy()
            np.fill_diagonal(masked, -np.inf)
            nearest = float(same[np.arange(len(gold)), masked.argmax(axis=1)].mean())
            f1, threshold = best_average_linkage(similarity, gold)
            oracle = [oracle_top_k(similarity, gold, k) for k in (1, 2, 5)]
            print(
                f"{name:<9} {label:<24} {nearest:8.3f} {f1:13.3f} ({threshold:.2f})"
                f" {oracle[0]:10.3f} {oracle[1]:6.3f} {oracle[2]:6.3f}"
            )


if __name__ == "__main__":
    main()
