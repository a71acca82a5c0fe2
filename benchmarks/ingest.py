"""Ingest throughput: the whole news corpus (JSON Lines, gzipped) into a fresh SQLite store, then again.

Prints articles/s, peak memory, and what the second run added (it must add nothing).
"""

from __future__ import annotations

import resource
import tempfile
import time
from pathlib import Path

from benchmarks import SHARED_DATA
from newstrace.pipeline import ingest
from newstrace.store import open_store

CORPUS = SHARED_DATA / "news" / "allsides-articles.jsonl.gz"


def peak_rss_mb() -> tuple[float, float]:
    """Peak resident memory of this process and of the largest worker process, in MB."""
    return (
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    )


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "bench.db"
        rows = []
        for run in ("first", "again"):
            started = time.perf_counter()
            with open_store(db) as store:
                report = ingest(store, [CORPUS])
                total = store.count_articles()
            seconds = time.perf_counter() - started
            handled = report.ingested + report.duplicates
            rows.append((run, report.ingested, report.duplicates, report.skipped, total, seconds, handled / seconds))
    print(f"{'run':<6} {'new':>7} {'already':>8} {'skipped':>8} {'stored':>7} {'seconds':>8} {'articles/s':>11}")
    for run, new, dup, skipped, total, seconds, rate in rows:
        print(f"{run:<6} {new:>7} {dup:>8} {skipped:>8} {total:>7} {seconds:>8.1f} {rate:>11.0f}")
    main_mb, worker_mb = peak_rss_mb()
    print(f"peak memory: main process {main_mb:.0f} MB, largest worker {worker_mb:.0f} MB")


if __name__ == "__main__":
    main()
