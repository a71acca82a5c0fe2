"""A stream into a large store: what one new article costs, every later stage included.

Run: ``cd /work/main && .venv/bin/python -m benchmarks.stream``

The 37,554-article news corpus is stored and grouped into stories (a rebuild; the corpus counts
as related, checked and briefed, so that only the new articles are due), and every article's
relate fingerprint is stored (timed: it is paid once). Then derived articles of rewrites/dev.jsonl
arrive one at a time, each stored and taken through every stage by the engine, as ``newstrace
ingest`` does: related against the store, placed into a story, the stories that changed
cross-checked and briefed. Printed: p50/p95 milliseconds per article for each stage and in all,
beside the in-memory path that relating a few articles used before the store kept fingerprints
(index every stored article, then relate the new one), measured in the same run on a few of the
same articles.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from benchmarks import store_articles
from benchmarks.stories import load_corpus, load_derived
from newstrace.engine import LocalEngine, Pipeline
from newstrace.relate import Relator
from newstrace.relate.stored_index import FINGERPRINT_SETTINGS, INDEX, article_fingerprint
from newstrace.store import Changes, open_store
from newstrace.store.base import filled_index

ARRIVING = 40
IN_MEMORY = 3


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[int(share * (len(ordered) - 1))]


def main() -> None:
    corpus = load_corpus()
    derived = [article for article, _ in load_derived()]
    with tempfile.TemporaryDirectory() as folder, open_store(Path(folder) / "stream.db") as store:
        engine = LocalEngine(store)
        store_articles(store, corpus)
        ids = set(store.articles.ids())
        store.commit(Changes(done={"relate": ids}))
        engine.redo("stories")
        store.commit(Changes(done={"checks": ids, "brief": ids}))
        started = time.perf_counter()
        filled_index(store, INDEX, FINGERPRINT_SETTINGS, article_fingerprint)
        print(f"fingerprinting the stored corpus once: {time.perf_counter() - started:.1f} s")

        stages: dict[str, list[float]] = defaultdict(list)
        for article in derived[:ARRIVING]:
            store_articles(store, [article])
            total = 0.0
            for number, stage in enumerate(engine.pipeline().stages, start=1):
                started = time.perf_counter()
                engine.run(Pipeline([stage]))
                elapsed = (time.perf_counter() - started) * 1000
                stages[f"{number} {stage.name}"].append(elapsed)
                total += elapsed
                if stage.name == "checks":
                    stages["all but the brief (relate, stories, checks)"].append(total)
            stages["all stages"].append(total)

        in_memory = []
        stored = list(store.articles.all())
        for article in derived[ARRIVING : ARRIVING + IN_MEMORY]:
            started = time.perf_counter()
            relator = Relator()
            relator.index(stored)
            relator.add(article)
            in_memory.append((time.perf_counter() - started) * 1000)

    print(f"{'per new article (store of 37.5k)':<44} {'p50 ms':>10} {'p95 ms':>10}")
    for name, values in sorted(stages.items()):
        print(f"{name:<44} {statistics.median(values):10.1f} {percentile(values, 0.95):10.1f}")
    before = statistics.median(in_memory)
    print(f"{'relate with an in-memory index (before)':<44} {before:10.1f}")
    print(
        f"ratio, in-memory relate / relate from the store: {before / statistics.median(stages['1 relate']):.0f}"
    )


if __name__ == "__main__":
    main()
