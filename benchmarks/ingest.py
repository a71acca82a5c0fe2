"""Ingest throughput: the whole news corpus (JSON Lines, gzipped) into a fresh SQLite store, then again.

The target is a rate on an unloaded 2-core machine, but the machine this runs on is
often shared, so wall-clock articles/s alone says more about the neighbours than about
ingest: with Linux's autogroup scheduling each busy terminal session gets an equal share
of the CPU however many processes it runs, so under load the workers buy no extra CPU
and ``wall/s`` is roughly ``cores used × per CPU-s``. Each run therefore reports, besides
``wall/s`` (articles per wall-clock second, as measured here, with the load average and
the ``cores used``, CPU seconds per wall second, beside it):

- ``per CPU-s``: articles per CPU-second of the main process and its workers together
  (``getrusage`` of self and children), which other load changes little;
- ``2-core/s est.``: the range of rates those CPU seconds allow on two idle cores. The
  low end assumes the main process and the workers take turns (main's CPU time plus half
  the workers'); the high end that they overlap fully (half of all CPU time, but never
  less than the main process's own, which runs on one core). An estimate, not a
  measurement; disk waits are not in it.

The baseline, measured in the same run, is the serial ingest (one process, no workers)
into its own store. The second run over the same store must add nothing. Peak memory is
the main process plus its largest worker.
"""

from __future__ import annotations

import os
import resource
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks import SHARED_DATA
from newstrace.engine import ingest
from newstrace.store import open_store
from newstrace.workers import Workers

CORPUS = SHARED_DATA / "news" / "allsides-articles.jsonl.gz"
CORES = 2


@dataclass(frozen=True)
class Run:
    name: str
    new: int
    already: int
    skipped: int
    stored: int
    wall: float
    main_cpu: float
    workers_cpu: float
    load: float  # 1-minute load average when the run ended

    @property
    def handled(self) -> int:
        return self.new + self.already

    @property
    def per_cpu_second(self) -> float:
        return self.handled / (self.main_cpu + self.workers_cpu)

    @property
    def two_core_estimate(self) -> tuple[float, float]:
        """(taking turns, overlapping fully): see the module docstring."""
        turns = self.main_cpu + self.workers_cpu / CORES
        overlap = max((self.main_cpu + self.workers_cpu) / CORES, self.main_cpu)
        return self.handled / turns, self.handled / overlap


def cpu_seconds(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def timed_ingest(name: str, db: Path, workers: int) -> Run:
    """One ingest of the corpus, with its wall-clock and CPU time (workers are reaped when it returns)."""
    main_before, workers_before = cpu_seconds(resource.RUSAGE_SELF), cpu_seconds(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    with open_store(db) as store, Workers(workers) as pool:
        report = ingest(store, [CORPUS], pool)
        stored = store.articles.count()
    wall = time.perf_counter() - started
    return Run(
        name=name,
        new=report.ingested,
        already=report.duplicates,
        skipped=report.skipped,
        stored=stored,
        wall=wall,
        main_cpu=cpu_seconds(resource.RUSAGE_SELF) - main_before,
        workers_cpu=cpu_seconds(resource.RUSAGE_CHILDREN) - workers_before,
        load=os.getloadavg()[0],
    )


def peak_rss_mb() -> tuple[float, float]:
    """Peak resident memory of this process and of the largest worker process, in MB."""
    return (
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    )


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        serial = timed_ingest("serial", Path(folder) / "serial.db", 1)
        db = Path(folder) / "bench.db"
        first, again = (timed_ingest(name, db, CORES) for name in ("first", "again"))
    print(
        f"{os.cpu_count()} cores here; 'serial' is the baseline (1 process), 'first' and 'again' use {CORES} workers"
    )
    print(
        f"{'run':<6} {'new':>6} {'already':>7} {'skipped':>7} {'stored':>6} {'wall s':>6} {'main CPU s':>10} "
        f"{'workers CPU s':>13} {'load':>5} {'cores used':>10} {'wall/s':>7} {'per CPU-s':>9} {'2-core/s est.':>13}"
    )
    for r in (serial, first, again):
        low, high = r.two_core_estimate
        print(
            f"{r.name:<6} {r.new:>6} {r.already:>7} {r.skipped:>7} {r.stored:>6} {r.wall:>6.1f} {r.main_cpu:>10.1f} "
            f"{r.workers_cpu:>13.1f} {r.load:>5.1f} {(r.main_cpu + r.workers_cpu) / r.wall:>10.2f} "
            f"{r.handled / r.wall:>7.0f} {r.per_cpu_second:>9.0f} "
            f"{f'{low:.0f}-{high:.0f}':>13}"
        )
    main_mb, worker_mb = peak_rss_mb()
    print(
        f"peak memory: main process {main_mb:.0f} MB + largest worker {worker_mb:.0f} MB = {main_mb + worker_mb:.0f} MB"
    )
    print(f"second run added {again.stored - first.stored} articles (must be 0)")


if __name__ == "__main__":
    main()
