"""Train the story decision (``src/newstrace/stories/decision.json``) from gold stories; deterministic.

Run: ``.venv/bin/python -m benchmarks.train_stories [--without NAME ...] [--output PATH]``

Replays the gold stories of several sets the way the stories stage sees them: each collection's
articles are signed, weighed by the collection's own term statistics and compared within the time
window (``cluster.cosine_pairs``); every compared pair is one example, labelled by whether the two
articles report one event. A logistic regression on the log of the pair's cosine and its time evidence
(``decision.time_evidence``) gives the evidence weights (its coefficients, divided by the cosine's).
The merge threshold is then the one of a grid that gives the best B-cubed F1 of average linkage on the
training collections, each set counting alike. Each set's pairs are weighed so that the set, and within
it each class, counts alike: a set with large stories (many same-story pairs) teaches no more than one
with small ones.

Sets (``--without`` leaves one out, for the leave-one-set-out figures of ``benchmarks.stories``):

- ``neus``: NeuS-train, in collections of about as many stories as NeuS-val; the articles whose headline
  is, word for word, the headline of exactly one dated article of the news corpus take that article's
  date (pairs derived from the news corpus: about 3 in 10 get one), so that dated leads compare the days
  their weekdays point to, and pairs further apart than the time window are not compared, as in a store.
- ``ecb``: ECB+ dev (undated; two look-alike events per topic).
- ``basil``: BASIL dev (dated; three outlets per event).
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression

from benchmarks.story_sets import DATA, GoldSet, b_cubed, load_basil, load_ecb, load_neus
from newstrace.stories.cluster import MIN_EDGE, StoryOptions, average_linkage, canonical_order, cosine_pairs
from newstrace.stories.decision import (
    EVIDENCE,
    MODEL_FILE,
    MODEL_FORMAT,
    DecisionModel,
    Evidence,
    time_evidence,
)
from newstrace.stories.features import Signature, TermStats, signature

SETS = ("neus", "ecb", "basil")
# NeuS-train is cut into collections of this many stories (NeuS-val has 307).
COLLECTION_STORIES = 307
THRESHOLDS = tuple(round(0.1 + 0.01 * i, 2) for i in range(21))
REGULARISATION = 1.0


@dataclass(frozen=True)
class Collection:
    """One collection of articles as the stories stage sees it, with every compared pair."""

    set_name: str
    signatures: tuple[Signature, ...]
    gold: tuple[str, ...]
    pairs: tuple[tuple[int, int, float], ...]
    evidence: np.ndarray


def dated_from_corpus(gold_set: GoldSet) -> GoldSet:
    """The set with each article whose headline is that of exactly one dated corpus article dated so."""
    with gzip.open(DATA / "news" / "allsides-articles.jsonl.gz", "rt", encoding="utf-8") as lines:
        rows = [json.loads(line) for line in lines]
    titles = Counter(_headline(r["title"]) for r in rows if r.get("title"))
    date_of = {_headline(r["title"]): r["date"] for r in rows if r.get("title") and r.get("date")}
    articles = tuple(
        replace(a, date=date_of[key]) if titles[key := _headline(a.title or "")] == 1 and key in date_of else a
        for a in gold_set.articles
    )
    return replace(gold_set, articles=articles)


def _headline(title: str) -> str:
    return " ".join(title.casefold().split())


def collections_of(name: str, options: StoryOptions) -> list[Collection]:
    """The training collections of one set."""
    if name == "neus":
        neus = dated_from_corpus(load_neus("train"))
        stories = sorted(set(neus.gold))
        part_of = {story: i // COLLECTION_STORIES for i, story in enumerate(stories)}
        parts: dict[int, list[int]] = {}
        for i, story in enumerate(neus.gold):
            parts.setdefault(part_of[story], []).append(i)
        sets = [
            GoldSet(neus.name, tuple(neus.articles[i] for i in items), tuple(neus.gold[i] for i in items))
            for _, items in sorted(parts.items())
        ]
    else:
        sets = [load_ecb() if name == "ecb" else load_basil()]
    return [collection(name, s, options) for s in sets]


def collection(name: str, gold_set: GoldSet, options: StoryOptions) -> Collection:
    gold_of = {a.id: g for a, g in zip(gold_set.articles, gold_set.gold, strict=True)}
    signatures = canonical_order([signature(a, options.features) for a in gold_set.articles])
    stats = TermStats.from_signatures(signatures)
    vectors = [stats.vector(s, options.features) for s in signatures]
    pairs = tuple(p for p in cosine_pairs(vectors, signatures, options.window_days) if p[2] >= MIN_EDGE / 4)
    evidence = np.array([time_evidence(signatures[a], signatures[b]) for a, b, _ in pairs])
    return Collection(
        name, tuple(signatures), tuple(gold_of[s.article] for s in signatures), pairs, evidence.reshape(-1, len(EVIDENCE))
    )


def fit_evidence(collections: Sequence[Collection]) -> Evidence:
    """Logistic regression of "one event" on [log cosine, evidence, 1], sets and classes weighed alike."""
    rows, labels, weights = [], [], []
    names = sorted({c.set_name for c in collections})
    for name in names:
        mine = [c for c in collections if c.set_name == name]
        x = np.vstack([np.column_stack([np.log([p[2] for p in c.pairs]), c.evidence]) for c in mine])
        y = np.concatenate([[c.gold[a] == c.gold[b] for a, b, _ in c.pairs] for c in mine])
        positives = max(1, int(y.sum()))
        negatives = max(1, len(y) - positives)
        rows.append(np.column_stack([x, np.ones(len(y))]))
        labels.append(y)
        weights.append(np.where(y, 0.5 / positives, 0.5 / negatives) * len(y))
    model = LogisticRegression(C=REGULARISATION, fit_intercept=False, max_iter=10_000, tol=1e-10)
    model.fit(np.vstack(rows), np.concatenate(labels), sample_weight=np.concatenate(weights) / len(names))
    coefficients = model.coef_[0]
    scale = coefficients[0]
    if scale <= 0:
        sys.exit("the cosine does not raise the odds of one event: the training data is broken")
    learned = {name: round(float(w / scale), 4) for name, w in zip(EVIDENCE, coefficients[1:-1], strict=True)}
    return Evidence(**learned)


def cluster_collection(c: Collection, options: StoryOptions) -> list[str]:
    """Average linkage over the collection's pairs with ``options``; a label per article."""
    weights = np.array(options.evidence.weights())
    factors = np.exp(c.evidence @ weights) if len(c.pairs) else np.zeros(0)
    edges = {
        (a, b): score
        for (a, b, cosine), factor in zip(c.pairs, factors, strict=True)
        if (score := cosine * float(factor)) >= MIN_EDGE
    }
    names = [s.names for s in c.signatures] if options.exclusive_share <= 1 else None
    groups = average_linkage(len(c.signatures), edges, options, names, [s.day for s in c.signatures])
    label = [""] * len(c.signatures)
    for group in groups:
        for item in group:
            label[item] = c.signatures[group[0]].article
    return label


def set_scores(collections: Sequence[Collection], options: StoryOptions) -> dict[str, float]:
    """B-cubed F1 of each set: the mean over its collections."""
    scores: dict[str, list[float]] = {}
    for c in collections:
        scores.setdefault(c.set_name, []).append(b_cubed(cluster_collection(c, options), c.gold)[2])
    return {name: sum(values) / len(values) for name, values in sorted(scores.items())}


def train(sets: Sequence[str], base: StoryOptions | None = None) -> tuple[DecisionModel, dict[str, object]]:
    """The decision model trained on ``sets``, and what the model card reports of its training."""
    base = base or StoryOptions()
    collections = [c for name in sets for c in collections_of(name, base)]
    evidence = fit_evidence(collections)
    grid = {}
    for threshold in THRESHOLDS:
        grid[threshold] = set_scores(collections, replace(base, threshold=threshold, evidence=evidence))
    threshold = max(THRESHOLDS, key=lambda t: (round(sum(grid[t].values()) / len(grid[t]), 6), -t))
    pairs = Counter(c.set_name for c in collections for _ in c.pairs)
    same = Counter(c.set_name for c in collections for a, b, _ in c.pairs if c.gold[a] == c.gold[b])
    report = {
        "sets": list(sets),
        "collections": dict(Counter(c.set_name for c in collections)),
        "articles": dict(Counter(c.set_name for c in collections for _ in c.signatures)),
        "dated articles": dict(Counter(c.set_name for c in collections for s in c.signatures if s.day is not None)),
        "pairs": dict(pairs),
        "same-story pairs": dict(same),
        "regularisation C": REGULARISATION,
        "scikit-learn": sklearn.__version__,
        "threshold grid (B3-F1 per set)": {str(t): {k: round(v, 4) for k, v in grid[t].items()} for t in THRESHOLDS},
    }
    return DecisionModel(threshold, evidence), report


def write_model(model: DecisionModel, report: dict[str, object], path: Path) -> None:
    data = {"format": MODEL_FORMAT, "model": model.to_dict(), "training": report}
    path.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def main(argv: Sequence[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--without", action="append", default=[], choices=SETS, help="leave a set out")
    parser.add_argument("--output", type=Path, default=MODEL_FILE, help="where to write the model")
    args = parser.parse_args(argv)
    sets = [name for name in SETS if name not in args.without]
    model, report = train(sets)
    write_model(model, report, args.output)
    factors = {name: round(math.exp(w), 3) for name, w in zip(EVIDENCE, model.evidence.weights(), strict=True)}
    print(f"trained on {', '.join(sets)}: threshold {model.threshold}, factors {factors} -> {args.output}")


if __name__ == "__main__":
    main(sys.argv[1:])
