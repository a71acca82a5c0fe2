"""Extraction quality and speed on three gold sets, the page budget, site templates, and the text cleaner.

1. Article bodies of the scrapinghub (181 pages), dragnet-dev (461) and readability (116) gold
   sets, scored with the scrapinghub benchmark's shingle metric: newstrace (the cleaned
   ``Article.text`` it stores) beside trafilatura's default, no-comments, precision and recall
   modes, in one run. The precision and recall modes run without comments, their stronger
   setting on these sets (the gold bodies hold no comments). Systems are timed page by page in
   turn (CPU time), so load from other processes falls on all of them alike. newstrace's body
   is a consensus of extractors with no trained part and no constant fitted to any of the sets
   (see ``newstrace.extract.consensus``; ``benchmarks.extraction_loso`` varies its constants and
   leaves each set out), so its figure on each set is also its left-out figure. Metadata
   coverage and how each body was reached are counted too.
2. The page budget: a 50 MB page and pages of 100,000 nested and sibling elements, timed.
3. Site templates learnt from the news corpus: lines and sites marked, and a sample to read.
4. ``clean_body``: junk lines left in the content-farm copies of ``rewrites/dev.jsonl``,
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
from newstrace.errors import InputError
from newstrace.extract import extract_article
from newstrace.extract.evaluate import GoldPage, load_scrapinghub, score_extractions
from newstrace.extract.html import extract_html
from newstrace.extract.templates import SiteTemplates, line_key, strip_templates
from newstrace.extract.text import clean_body
from newstrace.model import Article, RawDocument, Removed

GOLD_SETS = ("scrapinghub", "dragnet-dev", "readability")
REWRITES = SHARED_DATA / "rewrites" / "dev.jsonl"
NEWS = SHARED_DATA / "news" / "allsides-articles.jsonl.gz"
NEWS_SAMPLE = 3000
SHOWN_REMOVALS = 40
SHOWN_TEMPLATES = 40
WARM_UP_PAGES = 5
ADDED_LINE_CHARS = 200

Extractor = Callable[[GoldPage], str]


def _newstrace(page: GoldPage) -> str:
    document = RawDocument(origin=page.id, body=page.html, format="html", url=page.url)
    try:
        return extract_article(document).text
    except InputError:  # a page without a body scores as an empty prediction
        return ""


def _trafilatura(**settings: bool) -> Extractor:
    return lambda page: trafilatura.extract(page.html, **settings) or ""


SYSTEMS: dict[str, Extractor] = {
    "trafilatura (defaults)": _trafilatura(),
    "trafilatura (no comments)": _trafilatura(include_comments=False),
    "trafilatura (precision)": _trafilatura(favor_precision=True, include_comments=False),
    "trafilatura (recall)": _trafilatura(favor_recall=True, include_comments=False),
    "newstrace": _newstrace,
}
BASELINE = "trafilatura (defaults)"


def run_extraction(name: str, pages: list[GoldPage]) -> None:
    """Score and time every system over ``pages``, taking turns page by page."""
    for page in pages[:WARM_UP_PAGES]:  # one-time loads (justext stoplists, lazy imports)
        for extract in SYSTEMS.values():
            extract(page)
    outputs: dict[str, list[str]] = {system: [] for system in SYSTEMS}
    seconds: Counter[str] = Counter()
    systems = list(SYSTEMS)
    for index, page in enumerate(pages):
        for system in systems[index % len(systems) :] + systems[: index % len(systems)]:
            started = time.process_time()  # CPU time: other processes on the machine do not count
            outputs[system].append(SYSTEMS[system](page))
            seconds[system] += time.process_time() - started
    rates = {system: len(pages) / seconds[system] for system in systems}
    scores = {
        system: score_extractions(zip((p.text for p in pages), outputs[system], strict=True))
        for system in systems
    }
    print(f"{name}: {len(pages)} pages")
    print(f"  {'system':<30} {'precision':>9} {'recall':>7} {'F1':>7} {'pages/s':>8} {'ratio':>6}")
    for system in systems:
        score = scores[system]
        print(
            f"  {system:<30} {score.precision:>9.4f} {score.recall:>7.4f} {score.f1:>7.4f} "
            f"{rates[system]:>8.1f} {rates[system] / rates[BASELINE]:>6.2f}"
        )
    best = max((s for s in systems if s != "newstrace"), key=lambda s: scores[s].f1)
    ours = scores["newstrace"].f1
    print(
        f"  newstrace {ours:.4f} vs best trafilatura mode {scores[best].f1:.4f} ({best}): {ours - scores[best].f1:+.4f}; "
        f"with {name} left out (no constant chosen on it; see benchmarks.extraction_loso): {ours:.4f}; "
        f"pages/s {rates['newstrace'] / rates[BASELINE]:.2f}x trafilatura's defaults"
    )


def run_metadata(name: str, pages: list[GoldPage]) -> None:
    """How many pages yield each metadata field, and how each body was reached."""
    found: Counter[str] = Counter()
    methods: Counter[str] = Counter()
    for page in pages:
        result = extract_html(page.html, page.url)
        methods[result.extractor] += 1
        for field in ("title", "date", "authors", "outlet", "language", "url", "description"):
            found[field] += bool(getattr(result, field))
    print(f"  metadata found on {name} pages: " + ", ".join(f"{f} {n}" for f, n in found.items()))
    print("  body from: " + ", ".join(f"{m} {n}" for m, n in sorted(methods.items())))


def run_budget() -> None:
    """Pathological pages: each finishes within its time budget, and says what was cut."""
    paragraph = "<p>The harbour board met on Tuesday and agreed to dredge the inner basin before the storms.</p>"
    article = f"<article>{paragraph * 5}</article>"
    pages = {
        "50 MB page": f"<html><body>{article}" + paragraph * (50_000_000 // len(paragraph)) + "</body></html>",
        "100,000 nested elements": f"<html><body>{article}" + "<div>" * 100_000 + "</div>" * 100_000 + "</body></html>",
        "100,000 sibling elements": f"<html><body>{article}" + "<div><span>menu</span></div>" * 100_000 + "</body></html>",
    }
    print("page budget (CPU seconds, one run each):")
    for name, html in pages.items():
        started = time.process_time()
        page = extract_html(html)
        print(f"  {name:<26} {time.process_time() - started:6.2f} s  {len(page.text):>6} chars  budget: {page.budget}")


def run_templates(news: dict[str, dict]) -> None:
    """Site templates learnt over the whole news corpus (outlets as sites): what the rule marks."""
    articles = [
        Article(id=key, text=record["text"], site=record["outlet"], title=record.get("title"))
        for key, record in news.items()
    ]
    learner = SiteTemplates()
    for article in articles:
        learner.add_article(article)
    templates = {site: learner.templates(site) for site in learner.sites()}
    changed: Counter[str] = Counter()
    removed_chars = emptied = 0
    marked: dict[tuple[str, str], str] = {}
    for article in articles:
        stripped = strip_templates(article, templates.get(article.site or "", frozenset()))
        if stripped is article:
            continue
        changed[article.site or ""] += 1
        removed_chars += len(article.text) - len(stripped.text)
        emptied += not stripped.text.strip()
        for removed in stripped.removed:
            marked.setdefault((article.site or "", line_key(removed.text) or ""), removed.text)
    total_chars = sum(len(a.text) for a in articles)
    print(
        f"site templates (a line on at least {learner.options.min_articles} distinct articles of one outlet): "
        f"{sum(map(len, templates.values())):,} lines on {len(templates)} of {len({a.site for a in articles})} outlets; "
        f"{sum(changed.values()):,} of {len(articles):,} articles changed, {emptied} emptied, "
        f"{removed_chars / total_chars:.2%} of the text moved out"
    )
    print(
        f"  The Flip Side: {len(templates.get('The Flip Side', ()))} lines, "
        f"{changed['The Flip Side']} of {sum(a.site == 'The Flip Side' for a in articles)} articles changed"
    )
    for (site, _), text in random.Random(5).sample(sorted(marked.items()), min(SHOWN_TEMPLATES, len(marked))):
        print(f"  [{site}] {text[:110]!r}")


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
    for name in GOLD_SETS:
        pages = load_scrapinghub(SHARED_DATA / "extraction" / name)
        run_extraction(name, pages)
        run_metadata(name, pages)
    print()
    run_budget()
    with gzip.open(NEWS, "rt", encoding="utf-8") as lines:
        news = {record["id"]: record for record in map(json.loads, lines)}
    # The corpus is held in memory only to sample it; keep the collector from rescanning it in
    # the timed loops (ingest streams articles and never holds them all).
    gc.freeze()
    print()
    run_templates(news)
    print()
    run_rewrites_junk(news)
    print()
    run_news_cleaning(news)


if __name__ == "__main__":
    main()
