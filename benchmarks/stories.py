"""Stories benchmark: event grouping quality against the TF-IDF baseline and the present rule, and speed.

Run: ``.venv/bin/python -m benchmarks.stories [--quick]``

Quality: B-cubed precision/recall/F1 and adjusted Rand index of the stories on NeuS-val (all 3 x 307
articles pooled, undated), ECB+ dev (grouped by ``event``; two look-alike events per topic) and BASIL
dev (50 events x 3 full articles, dated), in one run, for:

- ``baseline``: TF-IDF with English stop words, average-linkage clustering at cosine distance 0.8;
- ``present``: the rule before the learned decision (threshold 0.2, leads naming the same weekday
  x1.2 and only different ones x0.7, nothing else of time);
- ``newstrace``: the shipped decision model (``src/newstrace/stories/decision.json``);
- ``left out``: a model trained by ``benchmarks.train_stories`` without the set measured (for NeuS-val,
  without NeuS-train), to show how far the figure rests on having seen the kind of data.

Article ids are opaque (``story_sets``), so that no method can read a story off the ids' order.

Speed, over the 37,554-article news corpus (dated) in a SQLite store: the full rebuild of a new store
(making and keeping every signature, term statistics, similarity graph, average linkage, writing the
stories), then regrouping with the signatures kept, by the present rule and by the shipped model; the time to assign one new article (the 240 derived articles of rewrites/dev.jsonl) to a
``StoryIndex`` holding the whole corpus, with the share of them that join their source article's story;
the time to add one article to the store and place it with the stories stage, for 60 of them in turn;
how close greedy incremental assignment of 10 % of the corpus stays to the full rebuild (B-cubed F1); and
the site-template case: the articles of one outlet that begin with a passage at least 5 other
articles of that outlet also begin with (The Flip Side's scraped template), and how many of them the
largest story holds. ``--quick`` leaves the corpus figures out.
"""

from __future__ import annotations

import gzip
import json
import math
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

from sklearn.cluster import AgglomerativeClustering
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import adjusted_rand_score

from benchmarks import store_articles
from benchmarks.story_sets import DATA, GoldSet, b_cubed, load_basil, load_ecb, load_neus
from benchmarks.train_stories import train
from newstrace.engine import AnalyzeOptions, LocalEngine, Pipeline
from newstrace.model import Article
from newstrace.store import Changes, open_store
from newstrace.stories import StoryOptions, cluster_articles
from newstrace.stories.decision import Evidence
from newstrace.stories.features import article_order, signature
from newstrace.stories.index import build_index

# Derived articles placed one at a time into the stored corpus, each by the stories stage.
STORE_ASSIGNED = 60
# The rule before the learned decision.
PRESENT = StoryOptions(threshold=0.2, evidence=Evidence(same_weekday=math.log(1.2), other_weekday=math.log(0.7)))
# Which training set stands for each measured set when it is left out.
TRAINING_SET = {"NeuS-val": "neus", "ECB+ dev": "ecb", "BASIL dev": "basil"}
# An outlet's articles that open with the same passage as at least this many others share a template.
TEMPLATE_SHARED = 5


def baseline(articles: Sequence[Article]) -> list[str]:
    """TF-IDF (English stop words) + average-linkage clustering at cosine distance 0.8."""
    matrix = TfidfVectorizer(stop_words="english").fit_transform(
        [f"{a.title or ''}\n{a.text}" for a in articles]
    )
    clustering = AgglomerativeClustering(
        n_clusters=None, metric="cosine", linkage="average", distance_threshold=0.8
    )
    return [str(label) for label in clustering.fit_predict(matrix.toarray())]


def newstrace_labels(articles: Sequence[Article], options: StoryOptions) -> list[str]:
    story_of = {a: s.id for s in cluster_articles(articles, options) for a in s.articles}
    return [story_of[a.id] for a in articles]


def quality() -> list[tuple[str, str, float, float, float, float]]:
    rows = []
    sets: list[GoldSet] = [load_neus(), load_ecb(), load_basil()]
    for gold_set in sets:
        left_out, _ = train([name for name in TRAINING_SET.values() if name != TRAINING_SET[gold_set.name]])
        methods = (
            ("baseline", baseline(gold_set.articles)),
            ("present", newstrace_labels(gold_set.articles, PRESENT)),
            ("newstrace", newstrace_labels(gold_set.articles, StoryOptions())),
            (
                "left out",
                newstrace_labels(
                    gold_set.articles, StoryOptions(threshold=left_out.threshold, evidence=left_out.evidence)
                ),
            ),
        )
        for method, labels in methods:
            precision, recall, f1 = b_cubed(labels, gold_set.gold)
            rows.append((gold_set.name, method, precision, recall, f1, adjusted_rand_score(gold_set.gold, labels)))
    return rows


def load_corpus() -> list[Article]:
    with gzip.open(DATA / "news" / "allsides-articles.jsonl.gz", "rt", encoding="utf-8") as lines:
        rows = [json.loads(line) for line in lines]
    return [
        Article(
            id=r["id"], text=r["text"] or "", title=r.get("title"), date=r.get("date"), outlet=r.get("outlet")
        )
        for r in rows
    ]


def load_derived() -> list[tuple[Article, str]]:
    rows = [json.loads(line) for line in (DATA / "rewrites" / "dev.jsonl").open(encoding="utf-8")]
    return [
        (Article(id=r["id"], text=r["text"], title=r.get("title"), date=r.get("date")), r["source_id"])
        for r in rows
    ]


def template_sharing(corpus: Sequence[Article]) -> list[str]:
    """Articles whose opening passage (first paragraph, 80 characters or more) opens at least
    ``TEMPLATE_SHARED`` other articles of their outlet: the outlet's scraped template, not their event."""
    opening = {a.id: (a.outlet, a.text.split("\n", 1)[0].strip()) for a in corpus}
    counts = Counter(key for key in opening.values() if len(key[1]) >= 80)
    return sorted(i for i, key in opening.items() if counts[key] > TEMPLATE_SHARED)


def speed(options: StoryOptions) -> dict[str, float]:
    corpus = load_corpus()
    derived = load_derived()
    templated = template_sharing(corpus)
    with tempfile.TemporaryDirectory() as folder, open_store(Path(folder) / "stories.db") as store:
        engine = LocalEngine(store, AnalyzeOptions(stories=options))
        store_articles(store, corpus)
        store.commit(Changes(done={"relate": set(store.articles.ids())}))  # the stories stage alone is timed
        fresh_s = _timed(lambda: engine.redo("stories"))  # the signatures are made and kept
        present_s = _timed(lambda: LocalEngine(store, AnalyzeOptions(stories=PRESENT)).redo("stories"))
        present_story_of = {a: s.id for s in store.stories.all() for a in s.articles}
        rebuild_s = _timed(lambda: engine.redo("stories"))
        stories = store.stories.all()
        story_of = {a: s.id for s in stories for a in s.articles}
        started = time.perf_counter()
        index = build_index((signature(a, options.features) for a in corpus), story_of, options)
        index_s = time.perf_counter() - started
        timings, joined = [], 0
        for article, source in derived:
            started = time.perf_counter()
            story = index.assign(article)
            timings.append((time.perf_counter() - started) * 1000)
            joined += story == story_of.get(source)
        store_timings = []
        for article, _ in derived[:STORE_ASSIGNED]:
            store_articles(store, [article])
            store.commit(Changes(done={"relate": {article.id}}))
            started = time.perf_counter()
            engine.run(Pipeline([engine.stages["stories"]]))
            store_timings.append((time.perf_counter() - started) * 1000)
    sizes = sorted((len(s.articles) for s in stories), reverse=True)
    agreement = convergence(corpus, story_of, options)
    return {
        "articles": len(corpus),
        "stories": len(stories),
        "largest story": sizes[0],
        "stories with 2+ articles": sum(1 for s in sizes if s > 1),
        "present rule: stories": len(set(present_story_of.values())),
        "present rule vs newstrace B3-F1 (agreement)": b_cubed(
            [present_story_of[a.id] for a in corpus], [story_of[a.id] for a in corpus]
        )[2],
        "full rebuild s (new store: signatures made, then grouped)": fresh_s,
        "regroup s, signatures kept": rebuild_s,
        "regroup s, signatures kept, present rule (same run)": present_s,
        "StoryIndex build s": index_s,
        "StoryIndex.assign p50 ms": statistics.median(timings),
        "StoryIndex.assign p95 ms": sorted(timings)[int(0.95 * (len(timings) - 1))],
        "derived joining their source's story": joined / len(timings),
        f"stories stage p50 ms (store, one new article, {STORE_ASSIGNED} times)": statistics.median(store_timings),
        "stories stage p95 ms": sorted(store_timings)[int(0.95 * (len(store_timings) - 1))],
        "incremental (10% by StoryIndex) vs rebuild B3-F1": agreement,
        "site-template articles (one outlet, shared opening)": len(templated),
        "  of them in the largest one story": max(Counter(story_of[i] for i in templated).values(), default=0),
        "  the same, present rule": max(Counter(present_story_of[i] for i in templated).values(), default=0),
    }


def _timed(work: Callable[[], object]) -> float:
    """Seconds ``work`` takes."""
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def convergence(corpus: Sequence[Article], rebuilt: dict[str, str], options: StoryOptions) -> float:
    """How close greedy incremental assignment stays to a rebuild: cluster 90 % of the corpus, assign
    every tenth article (in canonical order) one by one with ``StoryIndex.assign``, and compare the
    grouping with the full rebuild's (B-cubed F1)."""
    ordered = sorted(corpus, key=article_order)
    base = [a for i, a in enumerate(ordered) if i % 10]
    story_of = {a: s.id for s in cluster_articles(base, options) for a in s.articles}
    index = build_index((signature(a, options.features) for a in base), story_of, options)
    for i in range(0, len(ordered), 10):
        index.assign(ordered[i])
    incremental = {a: key for key, members in index.stories().items() for a in members}
    ids = [a.id for a in corpus]
    return b_cubed([incremental[i] for i in ids], [rebuilt[i] for i in ids])[2]


def main(argv: Sequence[str]) -> None:
    options = StoryOptions()
    print(f"options: {options}")
    print(f"present: {PRESENT}")
    print(f"{'set':<10} {'method':<10} {'B3-P':>6} {'B3-R':>6} {'B3-F1':>6} {'ARI':>6}")
    for name, method, precision, recall, f1, ari in quality():
        print(f"{name:<10} {method:<10} {precision:6.3f} {recall:6.3f} {f1:6.3f} {ari:6.3f}")
    if "--quick" in argv:
        return
    print()
    for key, value in speed(options).items():
        print(f"{key:<52} {value:10.3f}" if isinstance(value, float) else f"{key:<52} {value:10d}")


if __name__ == "__main__":
    main(sys.argv[1:])
