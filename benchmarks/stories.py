"""Stories benchmark: event grouping quality against the TF-IDF baseline, and assignment/rebuild speed.

Run: ``cd /work/main && .venv/bin/python -m benchmarks.stories [--quick]``

Quality: B-cubed precision/recall/F1 and adjusted Rand index of the stories on NeuS-val (all
3 x 307 articles pooled, undated) and ECB+ dev (grouped by ``event``; two look-alike events per
topic), and on BASIL dev (50 events x 3 full articles, dated; a check, no target), for newstrace
and for the baseline (TF-IDF with English stop words, average-linkage
clustering at cosine distance 0.8), in the same run. Speed, over the 37,554-article news corpus
(dated) in a SQLite store: the full rebuild (reading the articles, signatures, term
statistics, similarity graph, average linkage, writing the stories); the time to assign one new
article (the 240 derived articles of rewrites/dev.jsonl) to a ``StoryIndex`` holding the whole
corpus, with the share of them that join their source article's story; the time to add one
article to the store and place it with the stories stage (which reads only the stored signatures
of its time window), for 60 of them in turn; and how close
greedy incremental assignment of 10 % of the corpus stays to the full rebuild (B-cubed F1).
``--quick`` leaves the corpus timings out.
"""

from __future__ import annotations

import gzip
import json
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from sklearn.cluster import AgglomerativeClustering
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import adjusted_rand_score

from benchmarks import store_articles
from newstrace.engine import AnalyzeOptions, LocalEngine, Pipeline
from newstrace.model import Article
from newstrace.store import Changes, open_store
from newstrace.stories import StoryOptions, cluster_articles
from newstrace.stories.features import article_order, signature
from newstrace.stories.index import build_index

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
# Derived articles placed one at a time into the stored corpus, each by the stories stage.
STORE_ASSIGNED = 60


def b_cubed(predicted: Sequence[str], gold: Sequence[str]) -> tuple[float, float, float]:
    """B-cubed precision, recall and F1 of a clustering (labels per item) against the gold one."""
    by_predicted: dict[str, set[int]] = defaultdict(set)
    by_gold: dict[str, set[int]] = defaultdict(set)
    for i, (p, g) in enumerate(zip(predicted, gold, strict=True)):
        by_predicted[p].add(i)
        by_gold[g].add(i)
    precision = recall = 0.0
    for p, g in zip(predicted, gold, strict=True):
        shared = len(by_predicted[p] & by_gold[g])
        precision += shared / len(by_predicted[p])
        recall += shared / len(by_gold[g])
    precision, recall = precision / len(gold), recall / len(gold)
    return precision, recall, 2 * precision * recall / (precision + recall)


def load_neus() -> tuple[list[Article], list[str]]:
    articles, gold = [], []
    for line in (DATA / "stories" / "neus-val.jsonl").open(encoding="utf-8"):
        row = json.loads(line)
        for i, item in enumerate(row["articles"]):
            articles.append(Article(id=f"{row['story']}-{i}", title=item["title"], text=item["text"]))
            gold.append(row["story"])
    return articles, gold


def load_ecb() -> tuple[list[Article], list[str]]:
    articles, gold = [], []
    for line in (DATA / "stories" / "ecbplus-dev.jsonl").open(encoding="utf-8"):
        row = json.loads(line)
        articles.append(Article(id=row["doc"], title=row["title"], text=row["text"]))
        gold.append(row["event"])
    return articles, gold


def load_basil() -> tuple[list[Article], list[str]]:
    articles, gold = [], []
    for line in (DATA / "stories" / "basil-dev.jsonl").open(encoding="utf-8"):
        row = json.loads(line)
        articles.append(
            Article(
                id=row["doc"], title=row["title"], text=row["text"], date=row["date"], outlet=row["outlet"]
            )
        )
        gold.append(str(row["event"]))
    return articles, gold


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


def quality(options: StoryOptions) -> list[tuple[str, str, float, float, float, float]]:
    rows = []
    sets = (("NeuS-val", load_neus()), ("ECB+ dev", load_ecb()), ("BASIL dev", load_basil()))
    for name, (articles, gold) in sets:
        for method, labels in (
            ("newstrace", newstrace_labels(articles, options)),
            ("baseline", baseline(articles)),
        ):
            precision, recall, f1 = b_cubed(labels, gold)
            rows.append((name, method, precision, recall, f1, adjusted_rand_score(gold, labels)))
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


def speed(options: StoryOptions) -> dict[str, float]:
    corpus = load_corpus()
    derived = load_derived()
    with tempfile.TemporaryDirectory() as folder, open_store(Path(folder) / "stories.db") as store:
        engine = LocalEngine(store, AnalyzeOptions(stories=options))
        store_articles(store, corpus)
        store.commit(Changes(done={"relate": set(store.articles.ids())}))  # the stories stage alone is timed
        started = time.perf_counter()
        engine.redo("stories")
        rebuild_s = time.perf_counter() - started
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
        "stories rebuild s (store, full corpus)": rebuild_s,
        "StoryIndex build s": index_s,
        "StoryIndex.assign p50 ms": statistics.median(timings),
        "StoryIndex.assign p95 ms": sorted(timings)[int(0.95 * (len(timings) - 1))],
        "derived joining their source's story": joined / len(timings),
        f"stories stage p50 ms (store, one new article, {STORE_ASSIGNED} times)": statistics.median(store_timings),
        "stories stage p95 ms": sorted(store_timings)[int(0.95 * (len(store_timings) - 1))],
        "incremental (10% by StoryIndex) vs rebuild B3-F1": agreement,
    }


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
    print(f"{'set':<10} {'method':<10} {'B3-P':>6} {'B3-R':>6} {'B3-F1':>6} {'ARI':>6}")
    for name, method, precision, recall, f1, ari in quality(options):
        print(f"{name:<10} {method:<10} {precision:6.3f} {recall:6.3f} {f1:6.3f} {ari:6.3f}")
    if "--quick" in argv:
        return
    print()
    for key, value in speed(options).items():
        print(f"{key:<52} {value:10.3f}" if isinstance(value, float) else f"{key:<52} {value:10d}")


if __name__ == "__main__":
    main(sys.argv[1:])
