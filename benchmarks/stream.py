"""A stream into a large store: what one new article costs, every later stage included.

Run: ``cd /work/main && .venv/bin/python -m benchmarks.stream``

The 37,554-article news corpus is stored and grouped into stories (``rebuild_stories``), and
every article's relate fingerprint is stored (``fingerprint_articles``, timed: it is paid once).
Then derived articles of rewrites/dev.jsonl arrive one at a time, each stored, related against
the store, placed into a story, and the stories that changed cross-checked, as ``newstrace
ingest`` does (``analysis.update_stages``). Printed: p50/p95 milliseconds per article for each stage
and in all, beside the in-memory path that relating a few articles used before the store kept
fingerprints (index every stored article, then relate the new one), measured in the same run on
a few of the same articles.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from benchmarks.stories import load_corpus, load_derived
from newstrace.checks.store import check_story_in_store
from newstrace.relate import Relator, relate_store
from newstrace.relate.store import fingerprint_articles
from newstrace.store import open_store
from newstrace.stories import assign_stories, rebuild_stories

ARRIVING = 40
IN_MEMORY = 3


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[int(share * (len(ordered) - 1))]


def main() -> None:
    corpus = load_corpus()
    derived = [article for article, _ in load_derived()]
    with tempfile.TemporaryDirectory() as folder, open_store(Path(folder) / "stream.db") as store:
        store.add_articles(corpus)
        rebuild_stories(store)
        started = time.perf_counter()
        fingerprint_articles(store)
        print(f"fingerprinting the stored corpus once: {time.perf_counter() - started:.1f} s")

        stages: dict[str, list[float]] = defaultdict(list)
        for article in derived[:ARRIVING]:
            store.add_articles([article])
            started = time.perf_counter()
            relate_store(store, [article.id])
            related = time.perf_counter()
            stories = assign_stories(store, [article.id])
            placed = time.perf_counter()
            for story in stories:
                check_story_in_store(store, story.id)
            checked = time.perf_counter()
            stages["1 relate"].append((related - started) * 1000)
            stages["2 place into a story"].append((placed - related) * 1000)
            stages["3 cross-check changed stories"].append((checked - placed) * 1000)
            stages["all stages"].append((checked - started) * 1000)

        in_memory = []
        stored = list(store.iter_articles())
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
