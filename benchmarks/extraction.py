"""Extraction quality and speed: HTML bodies on the scrapinghub set, and the plain-text cleaner.

1. Article bodies of the 181 scrapinghub pages, scored with the benchmark's own shingle
   metric, newstrace (the cleaned ``Article.text`` it stores) beside plain trafilatura in
   the same run. Systems are timed page by page in turn, so load from other processes
   falls on all of them alike; metadata coverage and the extraction pass used are counted too.
2. ``clean_body``: junk lines left in the content-farm copies of ``rewrites/dev.jsonl``,
   paragraphs removed from real news articles (false removals, printed for reading), and
   articles/s on a sample of the news corpus.
"""

from __future__ import annotations

import gc
import gzip
import json
import random
import time
from collections import Counter, defaultdict
from collections.abc import Callable

import trafilatura
from rapidfuzz import fuzz

from benchmarks import SHARED_DATA
from newstrace.extract import extract_article
from newstrace.extract.evaluate import GoldPage, load_scrapinghub, score_extractions
from newstrace.extract.html import extract_html
from newstrace.extract.text import clean_body
from newstrace.model import RawDocument, Removed

SCRAPINGHUB = SHARED_DATA / "extraction" / "scrapinghub"
REWRITES = SHARED_DATA / "rewrites" / "dev.jsonl"
NEWS = SHARED_DATA / "news" / "allsides-articles.jsonl.gz"
NEWS_SAMPLE = 3000
SHOWN_REMOVALS = 40
WARM_UP_PAGES = 5
ADDED_LINE_CHARS = 200

Extractor = Callable[[GoldPage], str]


def _newstrace(page: GoldPage) -> str:
    document = RawDocument(origin=page.id, body=page.html, format="html", url=page.url)
    return extract_article(document).text


SYSTEMS: dict[str, Extractor] = {
    "trafilatura (extract defaults)": lambda page: trafilatura.extract(page.html) or "",
    "trafilatura (no comments)": lambda page: trafilatura.extract(page.html, include_comments=False) or "",
    "newstrace": _newstrace,
}
BASELINE = "trafilatura (extract defaults)"


def run_extraction(pages: list[GoldPage]) -> None:
    """Score and time every system over ``pages``, taking turns page by page."""
    for page in pages[:WARM_UP_PAGES]:  # one-time loads (justext stoplists, lazy imports)
        for extract in SYSTEMS.values():
            extract(page)
    outputs: dict[str, list[str]] = {name: [] for name in SYSTEMS}
    seconds: Counter[str] = Counter()
    names = list(SYSTEMS)
    for index, page in enumerate(pages):
        for name in names[index % len(names) :] + names[: index % len(names)]:
            started = time.process_time()  # CPU time: other processes on the machine do not count
            outputs[name].append(SYSTEMS[name](page))
            seconds[name] += time.process_time() - started
    rates = {name: len(pages) / seconds[name] for name in names}
    print(f"scrapinghub: {len(pages)} pages")
    print(f"{'system':<32} {'precision':>9} {'recall':>7} {'F1':>7} {'pages/s':>8} {'ratio':>6}")
    for name in names:
        score = score_extractions(zip((p.text for p in pages), outputs[name], strict=True))
        print(
            f"{name:<32} {score.precision:>9.4f} {score.recall:>7.4f} {score.f1:>7.4f} "
            f"{rates[name]:>8.1f} {rates[name] / rates[BASELINE]:>6.2f}"
        )


def run_metadata(pages: list[GoldPage]) -> None:
    """How many pages yield each metadata field, and which extraction pass produced the body."""
    found: Counter[str] = Counter()
    passes: Counter[str] = Counter()
    for page in pages:
        result = extract_html(page.html, page.url)
        passes[result.extractor] += 1
        for name in ("title", "date", "authors", "outlet", "language", "url", "description"):
            found[name] += bool(getattr(result, name))
    print("metadata found on pages: " + ", ".join(f"{name} {count}" for name, count in found.items()))
    print("body from pass: " + ", ".join(f"{name} {count}" for name, count in sorted(passes.items())))


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.split("\n") if line.strip()]


def _added_lines(item: dict, source: str) -> list[str]:
    """Short lines of a near-verbatim copy that are in no form in its source: what the copier added.

    A copy may split its source's paragraphs, so a line counts as the source's when it matches
    some stretch of the source closely (partial ratio); lines holding a listed alteration are
    edited source text, and long lines are left out.
    """
    altered = [a["altered"] for a in item.get("alterations") or () if a.get("altered")]
    return [
        line
        for line in _lines(item["text"])
        if len(line) <= ADDED_LINE_CHARS
        and line not in source
        and not any(a in line for a in altered)
        and fuzz.partial_ratio(line, source) < 90
    ]


def run_rewrites_junk(news: dict[str, dict]) -> None:
    """Junk the content farms added (lines of near-verbatim copies absent from their source) left after cleaning.

    The junk vocabulary is learnt from the data, not from the cleaner's rules: the added lines
    of the verbatim and excerpt copies (light edits reword sentences too). Every copy (all six styles) is checked
    for any of those lines left in its cleaned text.
    """
    rewrites = [
        json.loads(line) for line in REWRITES.read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    copy_styles = {"verbatim", "excerpt"}
    vocabulary: set[str] = set()
    for item in rewrites:
        if item["style"] in copy_styles and item["source_id"] in news:
            vocabulary.update(_added_lines(item, news[item["source_id"]]["text"]))
    with_junk, left_lines = Counter(), Counter()
    totals = Counter(item["style"] for item in rewrites)
    for item in rewrites:
        before = [line for line in _lines(item["text"]) if line in vocabulary]
        cleaned = clean_body(item["text"], title=item.get("title"))
        left = [line for line in _lines(cleaned.text) if line in vocabulary]
        if left:
            with_junk[item["style"]] += 1
            left_lines.update(left)
        with_junk[item["style"] + ":before"] += bool(before)
    print(
        f"rewrites/dev: {len(rewrites)} copies; added-line vocabulary learnt from copies: {len(vocabulary)} lines"
    )
    print(f"{'style':<14} {'copies':>6} {'with junk before':>17} {'with junk after':>16}")
    for style in sorted(totals):
        print(f"{style:<14} {totals[style]:>6} {with_junk[style + ':before']:>17} {with_junk[style]:>16}")
    for line, count in left_lines.most_common(15):
        print(f"  left x{count}: {line[:110]}")


def run_news_cleaning(news: dict[str, dict]) -> None:
    """False removals on real articles (printed for reading), and clean_body's speed."""
    sample = random.Random(7).sample(sorted(news), min(NEWS_SAMPLE, len(news)))
    articles = [news[key] for key in sample]
    # CPU time of this process: the figure that adds up in ingest, whatever else the machine runs.
    started = time.process_time()
    cleaned = [clean_body(a["text"], title=a.get("title")) for a in articles]
    seconds = time.process_time() - started
    paragraphs = sum(len(_lines(a["text"])) for a in articles)
    size = sum(len(a["text"]) for a in articles) / len(articles)
    by_reason: dict[str, list[Removed]] = defaultdict(list)
    for result in cleaned:
        for removed in result.removed:
            by_reason[removed.reason].append(removed)
    print(f"news sample: {len(articles)} articles, {paragraphs} lines, mean {size / 1000:.1f} KB")
    print(
        f"clean_body (CPU): {len(articles) / seconds:,.0f} articles/s, {seconds / len(articles) * 1e3:.3f} ms/article "
        f"({seconds / len(articles) * 1e3 * 5000 / size:.3f} ms per 5 KB)"
    )
    print(
        f"removed: {sum(map(len, by_reason.values()))} lines; by reason: "
        + ", ".join(
            f"{reason} {len(items)}"
            for reason, items in sorted(by_reason.items(), key=lambda kv: -len(kv[1]))
        )
    )
    long_removals = [r for items in by_reason.values() for r in items if len(r.text) > 200]
    print(f"removed lines over 200 characters (most suspect): {len(long_removals)}")
    shown = random.Random(11).sample(
        [r for items in by_reason.values() for r in items],
        min(SHOWN_REMOVALS, sum(map(len, by_reason.values()))),
    )
    for removed in sorted(shown, key=lambda r: r.reason):
        print(f"  [{removed.reason}] {removed.text[:120]!r}")
    for removed in long_removals[:10]:
        print(f"  long [{removed.reason}] {removed.text[:160]!r}")


def main() -> None:
    pages = load_scrapinghub(SCRAPINGHUB)
    run_extraction(pages)
    run_metadata(pages)
    with gzip.open(NEWS, "rt", encoding="utf-8") as lines:
        news = {record["id"]: record for record in map(json.loads, lines)}
    # The corpus is held in memory only to sample it; keep the collector from rescanning it in
    # the timed loops (ingest streams articles and never holds them all).
    gc.freeze()
    print()
    run_rewrites_junk(news)
    print()
    run_news_cleaning(news)


if __name__ == "__main__":
    main()
