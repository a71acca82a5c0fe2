"""Relate benchmark: copy detection on the news corpus plus the dev rewrites, beside a MinHash-LSH baseline.

Run: ``.venv/bin/python -m benchmarks.relate [--sample N] [--no-baseline] [--no-semantic]``
(``--sample N`` keeps N corpus articles besides the rewrites' sources, for quick runs).

Prints: per-style source recall, link precision, kind and direction accuracy (and
on the two halves of the dev set, to watch for overfitting); the same recall and
precision for MinHash-LSH; false-link rates on independent reports (NeuS-val leads,
BASIL full articles); real syndicated copies inside the corpus (written to
bench-out/relate-corpus-copies.jsonl); Clough & Stevenson ROC AUC; speed and memory.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import itertools
import json
import random
import resource
import statistics
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

from benchmarks import store_articles
from newstrace.engine import AnalyzeOptions, LocalEngine
from newstrace.extract import extract_article
from newstrace.model import Article, RawDocument, Relation
from newstrace.relate import RelateOptions, Relator, relate_all
from newstrace.relate.classify import compare
from newstrace.store import open_store

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
OUT = ROOT / "bench-out"
EXPECTED_KIND = {
    "verbatim": "duplicate",
    "excerpt": "excerpt",
    "light_edit": "edited",
    "synonym_spin": "spun",
    "mt_garble": "spun",
    "llm_rewrite": "rewrite",
}


def _jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as lines:
        return [json.loads(line) for line in lines]


def _article(origin: str, record: dict, article_id: str, outlet_key: str = "outlet") -> Article:
    return extract_article(
        RawDocument(
            origin=origin,
            body=record["text"],
            id=article_id,
            title=record.get("title"),
            url=record.get("url"),
            date=record.get("date"),
            outlet=record.get(outlet_key),
        )
    )


def load(sample: int | None) -> tuple[list[Article], list[dict], dict[str, list[str]], list[dict]]:
    """Corpus + dev rewrites + made excerpts + BASIL articles, the rewrite rows, BASIL events (article
    ids) and the made excerpts."""
    rewrites = _jsonl(DATA / "rewrites" / "dev.jsonl")
    sources = {r["source_id"] for r in rewrites}
    corpus = []
    with gzip.open(DATA / "news" / "allsides-articles.jsonl.gz", "rt", encoding="utf-8") as lines:
        for number, line in enumerate(lines):
            record = json.loads(line)
            corpus.append((number, record))
    excerpts = make_excerpts([r for _, r in corpus], sources)
    sources |= {e["source_id"] for e in excerpts}
    if sample is not None:
        keep = random.Random(0).sample([r for _, r in corpus if r["id"] not in sources], sample)
        corpus = [(n, r) for n, r in corpus if r["id"] in sources] + [(0, r) for r in keep]
    articles = [_article(f"allsides:{n}", r, r["id"]) for n, r in corpus]
    articles += [_article(f"rewrites:{r['id']}", r, r["id"], outlet_key="site") for r in rewrites]
    articles += [_article(f"excerpts:{e['id']}", e, e["id"], outlet_key="site") for e in excerpts]
    events: dict[str, list[str]] = defaultdict(list)
    for record in _jsonl(DATA / "stories" / "basil-dev.jsonl"):
        articles.append(_article(f"basil:{record['doc']}", record, f"basil:{record['doc']}"))
        events[record["event"]].append(f"basil:{record['doc']}")
    return articles, rewrites, events, excerpts


# "Read more" lines of excerpting sites (the kinds found in the dev rewrites' excerpts and on the web).
READ_MORE = (
    "Continue reading…",
    "Read the full story at {outlet}",
    "Read more at {outlet} »",
    "Click here to read the full article.",
    "Keep reading on {outlet}...",
)
EXCERPT_COUNT = 200


def make_excerpts(corpus: list[dict], exclude: set[str], count: int = EXCERPT_COUNT) -> list[dict]:
    """Excerpts made here, as content farms make them: the first two or three paragraphs of a corpus
    article, with a "read more" line, published by another site a day later.

    Sources are drawn (seeded) from articles not among ``exclude`` with at least six paragraphs of
    prose, so that each excerpt is a small share of a long original, the case the dev set holds too
    few of.
    """
    eligible = [r for r in corpus if r["id"] not in exclude and len(_prose(r["text"])) >= 6]
    rng = random.Random(7)
    excerpts = []
    for number, record in enumerate(rng.sample(sorted(eligible, key=lambda r: r["id"]), count)):
        paragraphs = [p.strip() for p in record["text"].split("\n") if p.strip()]
        # From the first paragraph of prose on (past a headline or a photo credit), as they come.
        start = paragraphs.index(_prose(record["text"])[0])
        kept = paragraphs[start : start + rng.choice((2, 3))]
        line = rng.choice(READ_MORE).format(outlet=record.get("outlet") or "the source")
        excerpts.append(
            {
                "id": f"excerpt-{number:03d}",
                "source_id": record["id"],
                "title": record.get("title"),
                "text": "\n\n".join([*kept, line]),
                "site": f"digest{number % 7}.example",
                "date": record.get("date"),
                "share": sum(len(p) for p in kept) / max(sum(len(p) for p in paragraphs), 1),
            }
        )
    return excerpts


def _prose(text: str) -> list[str]:
    """Paragraphs of prose: 80 characters or more, ending as a sentence ends (not a headline, a
    photo caption or a link)."""
    return [p.strip() for p in text.split("\n") if len(p.strip()) >= 80 and p.strip()[-1] in ".!?\"”’'"]


def score_excerpts(relations: list[Relation], excerpts: list[dict]) -> tuple[float, float, float]:
    """Share of the made excerpts linked to their source, and linked as an ``excerpt`` (and with the
    source as the known original)."""
    pairs = {frozenset((r.original, r.derived)): r for r in relations}
    found = [pairs.get(frozenset((e["id"], e["source_id"]))) for e in excerpts]
    linked = [r for r in found if r is not None]
    right_way = [r for r in linked if r.direction == "known" and r.derived.startswith("excerpt-")]
    n = max(len(excerpts), 1)
    return len(linked) / n, sum(r.kind == "excerpt" for r in linked) / n, len(right_way) / n


def score_rewrites(relations: list[Relation], rewrites: list[dict]) -> dict[str, dict[str, float]]:
    """Per style: source recall, link precision, kind and direction accuracy."""
    touching: dict[str, list[Relation]] = defaultdict(list)
    for relation in relations:
        touching[relation.derived].append(relation)
        if relation.direction == "unknown":
            touching[relation.original].append(relation)
    rows: dict[str, list[tuple[bool, int, int, bool, bool]]] = defaultdict(list)
    for row in rewrites:
        links = touching.get(row["id"], [])
        to_source = [r for r in links if row["source_id"] in (r.original, r.derived)]
        found = bool(to_source)
        right_way = any(
            r.original == row["source_id"] and r.derived == row["id"] and r.direction == "known"
            for r in to_source
        )
        kind = any(r.kind == EXPECTED_KIND[row["style"]] for r in to_source)
        rows[row["style"]].append((found, len(to_source), len(links), kind, right_way))
        rows["ALL"].append(rows[row["style"]][-1])
    table = {}
    for style, values in rows.items():
        links = sum(v[2] for v in values)
        table[style] = {
            "n": len(values),
            "recall": sum(v[0] for v in values) / len(values),
            "precision": sum(v[1] for v in values) / links if links else 1.0,
            "kind": sum(v[3] for v in values) / len(values),
            "direction": sum(v[4] for v in values) / len(values),
        }
    return table


def print_table(title: str, header: list[str], rows: list[list[object]]) -> None:
    print(f"\n{title}")
    widths = [max(len(str(x)) for x in column) for column in zip(header, *rows, strict=True)]
    print("  ".join(str(h).ljust(w) for h, w in zip(header, widths, strict=True)))
    for row in rows:
        print(
            "  ".join(
                (f"{x:.3f}" if isinstance(x, float) else str(x)).ljust(w)
                for x, w in zip(row, widths, strict=True)
            )
        )


def minhash_baseline(articles: list[Article], rewrites: list[dict]) -> dict[str, dict[str, float]]:
    """datasketch MinHash-LSH, word 5-gram shingles, 128 permutations, threshold 0.5."""
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(threshold=0.5, num_perm=128)
    hashes = {}
    for article in articles:
        words = article.text.lower().split()
        shingles = {" ".join(words[i : i + 5]).encode() for i in range(max(len(words) - 4, 1))}
        minhash = MinHash(num_perm=128)
        minhash.update_batch(shingles)
        hashes[article.id] = minhash
        lsh.insert(article.id, minhash)
    rows: dict[str, list[tuple[bool, int, int]]] = defaultdict(list)
    for row in rewrites:
        found = [i for i in lsh.query(hashes[row["id"]]) if i != row["id"]]
        value = (row["source_id"] in found, int(row["source_id"] in found), len(found))
        rows[row["style"]].append(value)
        rows["ALL"].append(value)
    return {
        style: {
            "recall": sum(v[0] for v in values) / len(values),
            "precision": sum(v[1] for v in values) / max(sum(v[2] for v in values), 1),
        }
        for style, values in rows.items()
    }


def false_links_basil(relations: list[Relation], events: dict[str, list[str]]) -> tuple[int, int]:
    linked = {frozenset((r.original, r.derived)) for r in relations}
    pairs = [frozenset(p) for ids in events.values() for p in itertools.combinations(ids, 2)]
    return sum(p in linked for p in pairs), len(pairs)


def false_links_neus(options: RelateOptions) -> tuple[int, int, int]:
    """Linked pairs within NeuS-val stories, total pairs, and linked pairs that are >= 90% identical text."""
    articles, stories = [], []
    for record in _jsonl(DATA / "stories" / "neus-val.jsonl"):
        ids = [f"{record['story']}:{i}" for i in range(len(record["articles"]))]
        articles += [
            Article(id=i, text=a["text"], title=a.get("title"))
            for i, a in zip(ids, record["articles"], strict=True)
        ]
        stories.append(ids)
    relations = relate_all(articles, options)
    linked = {frozenset((r.original, r.derived)): r for r in relations}
    pairs = [frozenset(p) for ids in stories for p in itertools.combinations(ids, 2)]
    hits = [linked[p] for p in pairs if p in linked]
    verbatim = sum(
        1 for r in hits if min(r.coverage.values()) >= 0.9 and r.kind in ("duplicate", "excerpt", "edited")
    )
    return len(hits), len(pairs), verbatim


def clough_stevenson_auc() -> dict[str, tuple[float, int]]:
    """ROC AUC of the relation score for each reuse category (cut, light, heavy, and all three) against non-reuse."""
    from sklearn.metrics import roc_auc_score

    folder = DATA / "reuse" / "clough-stevenson"
    read = lambda name: (folder / name).read_text(encoding="utf-8", errors="replace")  # noqa: E731
    scored: list[tuple[str, float]] = []
    with open(folder / "file_information.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["Category"] == "orig" or not (folder / row["File"]).exists():
                continue
            source = read(f"orig_task{row['Task']}.txt")
            scored.append((row["Category"], compare(source, read(row["File"])).score))
    result = {}
    for category in ("cut", "light", "heavy", "any"):
        chosen = [(c, s) for c, s in scored if c == "non" or c == category or (category == "any")]
        labels = [int(c != "non") for c, _ in chosen]
        result[category] = (roc_auc_score(labels, [s for _, s in chosen]), sum(labels))
    return result


def corpus_copies(relations: list[Relation], articles: dict[str, Article]) -> list[Relation]:
    """Relations between two articles of the news corpus itself (real republications)."""
    return [
        r
        for r in relations
        if articles[r.original].origin.startswith("allsides")
        and articles[r.derived].origin.startswith("allsides")
    ]


def add_one_latency(articles: list[Article], held_out: list[Article], options: RelateOptions) -> float:
    """p50 milliseconds of ``Relator.add`` for held-out articles against an index of ``articles``."""
    relator = Relator(options)
    relator.index(articles)
    timings = []
    for article in held_out:
        start = time.perf_counter()
        relator.add(article)
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def _cpu_seconds() -> float:
    """User + system CPU time of this process and its finished children (forked workers)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sample", type=int, default=None)
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--no-semantic", action="store_true")
    args = parser.parse_args([] if __name__ != "__main__" else None)
    options = RelateOptions()

    start = time.perf_counter()
    articles, rewrites, events, excerpts = load(args.sample)
    by_id = {a.id: a for a in articles}
    print(f"loaded and extracted {len(articles)} articles in {time.perf_counter() - start:.1f}s")

    with tempfile.TemporaryDirectory() as folder, open_store(Path(folder) / "bench.db") as store:
        store_articles(store, articles)
        start, cpu = time.perf_counter(), _cpu_seconds()
        with LocalEngine(store, AnalyzeOptions(relate=options)) as engine:
            engine.run(engine.pipeline("relate"))
            workers = engine.workers.count
        relations = store.relations.all()
        elapsed, cpu = time.perf_counter() - start, _cpu_seconds() - cpu
    peak_mb = (
        max(
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
        )
        / 1024
    )
    print(
        f"relate stage over {len(articles)} stored articles: {elapsed:.1f}s = {len(articles) / elapsed:.0f} articles/s "
        f"(end to end: load from SQLite, relate, write {len(relations)} relations, {workers} workers); "
        f"CPU {cpu:.0f}s in all = {len(articles) / cpu * 2:.0f} articles/s per 2 CPU-seconds; peak RSS {peak_mb:.0f} MB"
    )

    table = score_rewrites(relations, rewrites)
    styles = ["ALL", *EXPECTED_KIND]
    baseline = None if args.no_baseline else minhash_baseline(articles, rewrites)
    rows = [
        [s, table[s]["n"], table[s]["recall"], table[s]["precision"], table[s]["kind"], table[s]["direction"]]
        + ([baseline[s]["recall"], baseline[s]["precision"]] if baseline else [])
        for s in styles
    ]
    header = ["style", "n", "recall", "precision", "kind", "direction"] + (
        ["lsh recall", "lsh precision"] if baseline else []
    )
    print_table(
        "dev rewrites: newstrace vs MinHash-LSH (targets: recall >=.98 all, >=.95 each; precision >=.98; kind >=.90; direction >=.98)",
        header,
        rows,
    )
    for half in (0, 1):
        part = score_rewrites(relations, rewrites[half::2])["ALL"]
        print(
            f"  half {half}: recall {part['recall']:.3f} precision {part['precision']:.3f} kind {part['kind']:.3f} direction {part['direction']:.3f}"
        )

    found, as_excerpt, right_way = score_excerpts(relations, excerpts)
    shares = sorted(e["share"] for e in excerpts)
    print(
        f"\nexcerpts made here ({len(excerpts)}: the first 2-3 paragraphs of corpus articles outside the dev set, "
        f"with a 'read more' line; median share of the original {shares[len(shares) // 2]:.0%}): "
        f"found {found:.3f}, as 'excerpt' {as_excerpt:.3f} (target >= .97), original known {right_way:.3f}"
    )

    linked, total = false_links_basil(relations, events)
    print(f"\nBASIL independent pairs linked: {linked}/{total} = {linked / total:.3%} (target <= 1%)")
    linked, total, verbatim = false_links_neus(options)
    print(
        f"NeuS-val independent pairs linked: {linked}/{total} = {linked / total:.3%} (target <= 1%); "
        f"of them {verbatim} share >= 90% of their text verbatim (the same wire lead run by two outlets)"
    )

    copies = corpus_copies(relations, by_id)
    OUT.mkdir(exist_ok=True)
    with open(OUT / "relate-corpus-copies.jsonl", "w", encoding="utf-8") as out:
        for relation in copies:
            o, d = by_id[relation.original], by_id[relation.derived]
            out.write(
                json.dumps(
                    {
                        "original": o.id,
                        "derived": d.id,
                        "kind": relation.kind,
                        "score": relation.score,
                        "direction": relation.direction,
                        "reasons": relation.reasons,
                        "coverage": relation.coverage,
                        "original_outlet": o.outlet,
                        "derived_outlet": d.outlet,
                        "original_date": o.date,
                        "derived_date": d.date,
                        "original_title": o.title,
                        "derived_title": d.title,
                        "original_start": o.text[:200],
                        "derived_start": d.text[:200],
                    },
                    ensure_ascii=False,
                )
                + "\n"
            )
    print(
        f"\nreal copies inside the news corpus: {len(copies)} relations "
        f"({dict(Counter(r.kind for r in copies))}), written to {OUT / 'relate-corpus-copies.jsonl'}"
    )

    print("Clough & Stevenson: ROC AUC of the relation score against 'non' answers, per reuse category:")
    for category, (auc, count) in clough_stevenson_auc().items():
        print(f"  {category:<6} {auc:.3f} ({count} answers)")

    held_ids = {r["id"] for r in rewrites[::4]}
    background = [a for a in articles if a.id not in held_ids]
    held = [by_id[i] for i in sorted(held_ids)]
    p50 = add_one_latency(background, held, options)
    print(
        f"\nadd one article to the {len(background)}-article index and relate it: p50 {p50:.1f} ms (target <= 50 ms)"
    )
    if not args.no_semantic:
        semantic_report(articles, rewrites, held, by_id)


def semantic_report(
    articles: list[Article], rewrites: list[dict], held: list[Article], by_id: dict[str, Article]
) -> None:
    """Does the embedding model pay for itself? Quality and add-one latency with it, on a subset."""
    from newstrace.nlp.embedding import semantic_available

    if not semantic_available():
        print("semantic path: the embedding model is not available here; skipped")
        return
    keep = {r["source_id"] for r in rewrites} | {r["id"] for r in rewrites}
    subset = [a for a in articles if a.id in keep] + [a for a in articles if a.id not in keep][:500]
    options = RelateOptions(semantic=True)
    held_ids = {a.id for a in held}
    start = time.perf_counter()
    p50 = add_one_latency([a for a in subset if a.id not in held_ids], held, options)
    print(
        f"with embeddings (index of {len(subset) - len(held)} articles): add-one p50 {p50:.1f} ms "
        f"(whole run {time.perf_counter() - start:.0f}s)"
    )
    for label, opts in (("cheap", RelateOptions()), ("semantic", options)):
        start = time.perf_counter()
        table = score_rewrites(relate_all(subset, opts), rewrites)["ALL"]
        print(
            f"  {label:8} on {len(subset)} articles: recall {table['recall']:.3f} precision {table['precision']:.3f} "
            f"kind {table['kind']:.3f} direction {table['direction']:.3f} in {time.perf_counter() - start:.1f}s"
        )


if __name__ == "__main__":
    main()
