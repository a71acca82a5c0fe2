"""Translations benchmark: the WMT news test sets ingested with the English news corpus.

Run: ``.venv/bin/python -m benchmarks.crosslingual [--sample N] [--no-encoders]``
(``--sample N`` keeps N corpus articles instead of all 37.5k, for quick runs).

``crosslingual/wmt-dev.jsonl`` holds 320 news articles in their original language and 1,576 human
translations of them; different articles of one test set are independent reports of the same days.
The whole store is related twice in one run, with the cross-lingual step and without it (the
present relate, the baseline), and both are scored: per language pair, the share of translations
linked to their original as a ``translation`` (recall); the originals involved in a link to another
article of the set (false links); the direction where dates are given (the set gives none, so the
links must say ``unknown``, with the reason); aligned passages on every link; throughput of each
run (whole-store relate) and the p50 of relating one new article against the store. Then the
candidate encoders are compared on the pairs the cross-lingual step verified (``--no-encoders``
skips it).
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import statistics
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import replace
from pathlib import Path

from benchmarks import SHARED_DATA, store_articles
from benchmarks.relate import _article, _cpu_seconds, print_table
from newstrace.engine import AnalyzeOptions, LocalEngine
from newstrace.model import Article, Relation
from newstrace.relate import RelateOptions
from newstrace.relate.crosslingual import CrosslingualOptions
from newstrace.store import Store, open_store

WMT = SHARED_DATA / "crosslingual" / "wmt-dev.jsonl"
CORPUS = SHARED_DATA / "news" / "allsides-articles.jsonl.gz"
# New articles related one at a time against the store, for the p50: half WMT versions in other
# languages, half English corpus articles; each half related alternately with and without the step.
ARRIVING = 40


def load_wmt() -> tuple[list[Article], dict[str, dict]]:
    """Every version of every WMT article, and its record by article id."""
    records = {}
    articles = []
    with open(WMT, encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            records[record["id"]] = record
            articles.append(
                _article(
                    f"wmt:{record['id']}", {**record, "outlet": record["doc"].split("/")[1]}, record["id"]
                )
            )
    return articles, records


def load_corpus(sample: int | None) -> list[Article]:
    with gzip.open(CORPUS, "rt", encoding="utf-8") as lines:
        records = [json.loads(line) for line in lines]
    if sample is not None:
        records = random.Random(0).sample(records, sample)
    return [_article(f"allsides:{n}", r, r["id"]) for n, r in enumerate(records)]


def score(
    relations: list[Relation], records: dict[str, dict], skip: set[str] = frozenset()
) -> dict[str, object]:  # type: ignore[assignment]
    """Recall per language pair, false links, direction and evidence of the links to WMT articles.

    Translations in ``skip`` (or whose original is) are left out of the recall; ``held`` lists
    whether each translation in ``skip`` was linked.
    """
    linked: dict[frozenset[str], Relation] = {frozenset((r.original, r.derived)): r for r in relations}
    originals = {r["doc"]: r["id"] for r in records.values() if r["original"]}
    per_pair: dict[str, list[bool]] = defaultdict(list)
    found: list[Relation] = []
    held: list[bool] = []
    for record in records.values():
        if record["original"]:
            continue
        relation = linked.get(frozenset((record["id"], originals[record["doc"]])))
        hit = relation is not None and relation.kind == "translation"
        if record["id"] in skip or originals[record["doc"]] in skip:
            held.append(hit)
            continue
        per_pair[f"{record['origlang']}>{record['lang']}"].append(hit)
        per_pair["ALL"].append(hit)
        if relation is not None:
            found.append(relation)
    wrong_docs = [
        r
        for r in relations
        if r.original in records
        and r.derived in records
        and records[r.original]["doc"] != records[r.derived]["doc"]
    ]
    with_corpus = [r for r in relations if (r.original in records) != (r.derived in records)]
    falsely_linked_docs = {records[i]["doc"] for r in wrong_docs for i in (r.original, r.derived)}
    within = [
        r
        for r in relations
        if r.original in records
        and r.derived in records
        and records[r.original]["doc"] == records[r.derived]["doc"]
    ]
    return {
        "pairs": {k: (sum(v) / len(v), len(v)) for k, v in per_pair.items()},
        "wrong_docs": len(wrong_docs),
        "falsely_linked_originals": len(falsely_linked_docs),
        "with_corpus": len(with_corpus),
        "within": within,
        "found": found,
        "held": held,
    }


def relate_timed(store: Store, options: RelateOptions) -> tuple[list[Relation], float, float]:
    """Relate the whole store (the relate stage on every article), timed."""
    start, cpu = time.perf_counter(), _cpu_seconds()
    with LocalEngine(store, AnalyzeOptions(relate=options)) as engine:
        engine.redo("relate")
    return store.relations.all(), time.perf_counter() - start, _cpu_seconds() - cpu


def one_new_article_p50(store: Store, arriving: list[Article], options: RelateOptions) -> float:
    """p50 milliseconds of relating one new article against the store (its fingerprints kept)."""
    timings = []
    with LocalEngine(store, AnalyzeOptions(relate=options)) as engine:
        for article in arriving:
            store_articles(store, [article])
            start = time.perf_counter()
            engine.run(engine.pipeline("relate"))
            timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sample", type=int, default=None)
    parser.add_argument("--no-encoders", action="store_true")
    args = parser.parse_args([] if __name__ != "__main__" else None)

    start = time.perf_counter()
    wmt, records = load_wmt()
    corpus = load_corpus(args.sample)
    languages = Counter(a.language for a in wmt)
    right = sum(a.language == records[a.id]["lang"] for a in wmt)
    print(
        f"loaded and extracted {len(wmt)} WMT versions and {len(corpus)} corpus articles in "
        f"{time.perf_counter() - start:.0f}s; language identified right on {right}/{len(wmt)} WMT versions "
        f"({dict(sorted(languages.items(), key=str))})"
    )
    dated = sum(1 for a in wmt if a.date)
    with_step = RelateOptions()
    without = replace(with_step, crosslingual=CrosslingualOptions(enabled=False))
    # Articles that arrive one at a time after the whole-store runs: WMT versions in other languages
    # (their links then come from the one-article path) and corpus articles (English).
    arriving = random.Random(1).sample([a for a in wmt if a.language != "en"], ARRIVING // 2)
    arriving += random.Random(1).sample(corpus, ARRIVING - len(arriving))
    later = {a.id for a in arriving}
    total = len(corpus) + len(wmt) - len(later)
    with tempfile.TemporaryDirectory() as folder, open_store(Path(folder) / "bench.db") as store:
        store_articles(store, [a for a in corpus + wmt if a.id not in later])
        baseline, base_wall, base_cpu = relate_timed(store, without)
        _, wall, cpu = relate_timed(store, with_step)
        foreign = arriving[: ARRIVING // 2]
        p50_foreign = one_new_article_p50(store, foreign[::2], with_step)
        p50_foreign_without = one_new_article_p50(store, foreign[1::2], without)
        p50_english = one_new_article_p50(store, arriving[ARRIVING // 2 :: 2], with_step)
        p50_without = one_new_article_p50(store, arriving[ARRIVING // 2 + 1 :: 2], without)
        relations = store.relations.all()
    ours, theirs = score(relations, records, skip=later), score(baseline, records, skip=later)
    # The translations among (or of) the foreign articles that arrived with the step, and were linked.
    held_recall = score(relations, records, skip={a.id for a in foreign[::2]})["held"]
    print(
        f"\nwhole-store relate of {total} articles: with the cross-lingual step {wall:.0f}s "
        f"({total / wall:.0f} articles/s, CPU {cpu:.0f}s), without it {base_wall:.0f}s "
        f"({total / base_wall:.0f} articles/s, CPU {base_cpu:.0f}s): throughput ratio {base_wall / wall:.2f} "
        f"(CPU ratio {base_cpu / cpu:.2f}; target >= 0.80)"
    )
    print(
        f"one new article related against the store, p50 with the cross-lingual step / without it: "
        f"WMT versions in other languages {p50_foreign:.1f} / {p50_foreign_without:.1f} ms, English corpus "
        f"articles {p50_english:.1f} / {p50_without:.1f} ms ({ARRIVING // 4} articles each; target <= 100 ms)"
    )

    pairs = sorted(ours["pairs"], key=lambda k: (k != "ALL", k))  # type: ignore[arg-type]
    print_table(
        f"translations linked to their original as 'translation' (target: recall >= .95 for every pair; "
        f"the {ARRIVING // 2} that arrived one at a time are left out)",
        ["pair", "n", "recall", "present relate"],
        [[k, ours["pairs"][k][1], ours["pairs"][k][0], theirs["pairs"][k][0]] for k in pairs],  # type: ignore[index]
    )
    print(
        f"  of the translations among (or of) the {ARRIVING // 4} that arrived one at a time with the step: "
        f"{sum(held_recall)}/{len(held_recall)} linked"  # type: ignore[arg-type]
    )
    print(
        f"\nfalse links between different WMT articles: {ours['wrong_docs']} relations touching "
        f"{ours['falsely_linked_originals']}/320 articles = {ours['falsely_linked_originals'] / 320:.1%} "
        f"(target <= 1%); present relate {theirs['wrong_docs']} relations, "
        f"{theirs['falsely_linked_originals']}/320"
    )
    print(
        f"links between a WMT version and a corpus article: {ours['with_corpus']} (present relate {theirs['with_corpus']})"
    )
    within: list[Relation] = ours["within"]  # type: ignore[assignment]
    kinds = Counter(r.kind for r in within)
    print(f"links between two versions of one WMT article: {len(within)}, kinds {dict(kinds)}")
    print(
        f"aligned passages on every such link: {all(r.evidence for r in within)} "
        f"(median {statistics.median(len(r.evidence) for r in within) if within else 0} passages a link)"
    )
    directions = Counter(r.direction for r in within)
    reasons = Counter(r.reasons[0] for r in within if r.reasons and r.kind == "translation")
    print(
        f"direction: {dated} of {len(wmt)} WMT versions carry a date, so none can be ordered by date; "
        f"links say {dict(directions)}; "
        f"known and wrong: {sum(1 for r in within if r.direction == 'known' and not records[r.original]['original'])}; "
        f"the translation links' reasons: {dict(reasons)}"
    )
    if not args.no_encoders:
        from benchmarks.crosslingual_encoders import compare_encoders

        compare_encoders(wmt, records)


if __name__ == "__main__":
    main()
