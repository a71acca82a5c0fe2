"""Spark benchmark: the Spark engine beside the embedded engine on one slice of the news corpus plus the
dev rewrites (and a few WMT articles with their translations), from JSON Lines to briefs.

Run: ``.venv/bin/python -m benchmarks.spark [--sample N] [--master local[2]] [--translated-docs N]``
(``--sample N`` keeps the first N corpus articles besides the rewrites' sources; 0 keeps them all).

Prints the three difference counts between the engines' outputs (relations by original, derived and
kind; story partitions; findings: all must be 0), each engine's wall time and the Spark stages' own
times (the embedded ones from its stage callback: ingest includes extraction). Both engines run in this process, one after the other, on the same input file.
"""

from __future__ import annotations

import argparse
import gzip
import json
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from newstrace.engine import LocalEngine
from newstrace.spark import SparkEngine, SparkOptions
from newstrace.spark.identity import differences
from newstrace.store import open_store

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def write_slice(path: Path, sample: int, translated_docs: int) -> dict[str, int]:
    """The input file: the dev rewrites, their sources, the first ``sample`` other corpus articles, and
    every version of the first ``translated_docs`` WMT articles; returns how many of each."""
    rewrites = [json.loads(line) for line in (DATA / "rewrites" / "dev.jsonl").open(encoding="utf-8")]
    sources = {r["source_id"] for r in rewrites}
    counts = {"corpus": 0, "rewrites": len(rewrites), "wmt": 0}
    with path.open("w", encoding="utf-8") as out:
        with gzip.open(DATA / "news" / "allsides-articles.jsonl.gz", "rt", encoding="utf-8") as lines:
            for line in lines:
                record = json.loads(line)
                if record["id"] in sources or not sample or counts["corpus"] < sample:
                    out.write(line if line.endswith("\n") else line + "\n")
                    counts["corpus"] += 1
        for record in rewrites:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
        docs: list[str] = []
        for line in (DATA / "crosslingual" / "wmt-dev.jsonl").open(encoding="utf-8"):
            record = json.loads(line)
            if record["doc"] not in docs and len(docs) < translated_docs:
                docs.append(record["doc"])
            if record["doc"] in docs:
                out.write(line if line.endswith("\n") else line + "\n")
                counts["wmt"] += 1
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sample", type=int, default=2000, help="corpus articles besides the sources (0: all)")
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--translated-docs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        counts = write_slice(root / "slice.jsonl", args.sample, args.translated_docs)
        articles = sum(counts.values())
        print(f"input: {articles} items ({counts['corpus']} corpus, {counts['rewrites']} rewrites, {counts['wmt']} WMT)")

        start = time.perf_counter()
        starts: list[tuple[str, float]] = []

        def stage(name: str, total: int | None) -> Callable[[int], None]:
            starts.append((name, time.perf_counter()))
            return lambda done: None

        with open_store(root / "embedded.db") as store:
            with LocalEngine(store) as engine:
                engine.analyze([str(root / "slice.jsonl")], stage)
            embedded_seconds = time.perf_counter() - start
            ends = [moment for _, moment in starts[1:]] + [start + embedded_seconds]
            embedded_stages = [(name, end - began) for (name, began), end in zip(starts, ends, strict=True)]

            start = time.perf_counter()
            with SparkEngine(str(root / "spark"), spark=SparkOptions(args.master)) as spark:
                session_seconds = time.perf_counter() - start
                report = spark.analyze([str(root / "slice.jsonl")])
            spark_seconds = time.perf_counter() - start
            found = differences(store, str(root / "spark"))
            relations, stories = store.relations.count(), len(store.stories.all())

    print(f"embedded: {relations} relations, {stories} stories")
    print(f"differences (must be 0): {found}")
    print(f"wall time: embedded {embedded_seconds:.1f} s, Spark {args.master} {spark_seconds:.1f} s "
          f"(ratio {spark_seconds / embedded_seconds:.2f}; JVM start {session_seconds:.1f} s)")
    print("embedded stages: " + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in embedded_stages))
    print("Spark stages: " + ", ".join(f"{run.stage} {run.seconds:.1f} s" for run in report.stages))


if __name__ == "__main__":
    main()
