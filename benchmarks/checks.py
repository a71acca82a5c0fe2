"""Cross-checks against the recorded alterations of ``rewrites/dev.jsonl``.

Each derived article is paired with its true source (``source_id``, loaded from the news
corpus), both are extracted as newstrace stores them, aligned with
``relate.align.align_passages``, and checked with ``check_pair``. A finding is correct
when it is on the derived article, of the alteration's type, overlaps a place where the
altered string occurs and cites a place of the original where the original string occurs.

Printed: recall per type and precision overall (newstrace beside a baseline that flags
every name, number or quote of an aligned passage not found word for word in the
original); findings of severity ``alteration`` on styles with no recorded alteration
(verbatim, excerpt, llm_rewrite); the seed samples; p50/p95 milliseconds per article.
"""

from __future__ import annotations

import gzip
import json
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from benchmarks import SHARED_DATA, store_articles
from newstrace.checks import check_article, check_independent, check_pair, check_within
from newstrace.checks.facts import PassageIndex
from newstrace.extract import extract_article
from newstrace.model import Article, Finding, Passage, RawDocument, Relation, Span, SpanRef, Story
from newstrace.nlp import extract_quotes
from newstrace.nlp.annotate import annotate
from newstrace.relate.align import align_passages
from newstrace.store import Changes, Store, open_store

REWRITES = SHARED_DATA / "rewrites" / "dev.jsonl"
NEWS = SHARED_DATA / "news" / "allsides-articles.jsonl.gz"
SAMPLES = SHARED_DATA.parent / "samples"
BASIL = SHARED_DATA / "stories" / "basil-dev.jsonl"
TYPES = ("name", "number", "quote")
CLEAN_STYLES = ("verbatim", "excerpt", "llm_rewrite")


@dataclass(frozen=True)
class Case:
    """A derived article, its original, their passages and the recorded alterations as spans."""

    style: str
    original: Article
    derived: Article
    passages: list[Passage]
    alterations: list[Alteration]


@dataclass(frozen=True)
class Alteration:
    """A recorded alteration, with every place its strings occur in the derived and the original text."""

    kind: str
    original: str
    altered: str
    derived_spans: list[Span]
    original_spans: list[Span]


def _occurrences(text: str, needle: str) -> list[Span]:
    spans, start = [], text.find(needle)
    while needle and start >= 0:
        spans.append((start, start + len(needle)))
        start = text.find(needle, start + 1)
    return spans


def _article(origin: str, record: dict) -> Article:
    document = RawDocument(
        origin=origin, body=record["text"], format="text", title=record.get("title"), id=record["id"]
    )
    return extract_article(document)


def _news() -> Iterator[dict]:
    with gzip.open(NEWS, "rt", encoding="utf-8") as lines:
        for line in lines:
            yield json.loads(line)


def load_cases(path: Path = REWRITES) -> list[Case]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    wanted = {row["source_id"] for row in rows}
    sources = {r["id"]: _article(f"news#{r['id']}", r) for r in _news() if r["id"] in wanted}
    cases = []
    for row in rows:
        original = sources[row["source_id"]]
        derived = _article(f"rewrites#{row['id']}", row)
        alterations = [
            Alteration(
                a["type"],
                a["original"],
                a["altered"],
                _occurrences(derived.text, a["altered"]),
                _occurrences(original.text, a["original"]),
            )
            for a in row["alterations"]
        ]
        cases.append(
            Case(row["style"], original, derived, align_passages(original.text, derived.text), alterations)
        )
    return cases


def _overlaps(span: Span, spans: list[Span]) -> bool:
    return any(span[0] < b and a < span[1] for a, b in spans)


def _matches(finding: Finding, alteration: Alteration, strict: bool = False) -> bool:
    """The finding overlaps a place of the altered string and cites a place of the original string.

    A name is recorded once ("Avigdor Liberman" -> "Abigdor Riberman") but the copy changes every
    mention of it, so a finding on a later short mention ("Riberman" citing "Liberman") counts too
    (unless ``strict``).
    """
    if finding.kind != alteration.kind or finding.other is None:
        return False
    if _overlaps(finding.span, alteration.derived_spans) and _overlaps(
        finding.other.span, alteration.original_spans
    ):
        return True
    return (
        not strict
        and alteration.kind == "name"
        and finding.text in alteration.altered
        and finding.other.text in alteration.original
    )


def baseline(original: Article, derived: Article, passages: list[Passage]) -> list[Finding]:
    """Every name, number or quote of an aligned derived passage that the original does not contain verbatim."""
    facts = annotate(derived)
    index = PassageIndex(passages)
    items = [
        *(("name", m.span, m.text) for m in facts.names),
        *(("number", n.span, n.text) for n in facts.numbers),
        *(("quote", q.span, q.text) for q in facts.quotes),
    ]
    found = []
    for kind, span, text in items:
        passage = index.of_derived(span)
        if passage is None or text in original.text:
            continue
        other = SpanRef(
            original.id, passage.original, original.text[passage.original[0] : passage.original[1]]
        )
        found.append(Finding(derived.id, kind, "alteration", span, text, other, "not in the original"))
    return found


def score(cases: list[Case], findings: list[list[Finding]]) -> dict[str, float]:
    """Recall per type, precision overall, and false alterations on clean styles."""
    hit, total, unmapped = Counter(), Counter(), Counter()
    correct = strictly = flagged = false_alarms = clean = 0
    for case, found in zip(cases, findings, strict=True):
        for alteration in case.alterations:
            if not alteration.derived_spans or not alteration.original_spans:
                unmapped[alteration.kind] += 1
                continue
            total[alteration.kind] += 1
            hit[alteration.kind] += any(_matches(f, alteration) for f in found)
        alterations = [f for f in found if f.severity == "alteration"]
        if case.style in CLEAN_STYLES:
            clean += 1
            false_alarms += len(alterations)
        flagged += len(alterations)
        correct += sum(any(_matches(f, a) for a in case.alterations) for f in alterations)
        strictly += sum(any(_matches(f, a, strict=True) for a in case.alterations) for f in alterations)
    figures = {f"recall {t}": hit[t] / total[t] if total[t] else 0.0 for t in TYPES}
    figures |= {f"alterations {t}": float(total[t]) for t in TYPES}
    figures |= {f"unmapped {t}": float(unmapped[t]) for t in TYPES}
    figures["precision"] = correct / flagged if flagged else 0.0
    figures["precision, recorded spans only"] = strictly / flagged if flagged else 0.0
    figures["findings"] = float(flagged)
    figures["false alterations per 20 clean articles"] = 20 * false_alarms / clean if clean else 0.0
    return figures


def _time_checks(cases: list[Case]) -> tuple[list[list[Finding]], list[float], list[float]]:
    findings, pair_ms, full_ms = [], [], []
    for case in cases:
        started = time.perf_counter()
        found = check_pair(case.original, case.derived, case.passages)
        middle = time.perf_counter()
        passages = align_passages(case.original.text, case.derived.text)
        check_within(case.derived)
        ended = time.perf_counter()
        assert passages == case.passages
        findings.append(found)
        pair_ms.append(1000 * (middle - started))
        full_ms.append(1000 * (ended - started))
    return findings, pair_ms, full_ms


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def print_quality(cases: list[Case]) -> None:
    findings, pair_ms, full_ms = _time_checks(cases)
    ours = score(cases, findings)
    base = score(cases, [baseline(c.original, c.derived, c.passages) for c in cases])
    print(f"rewrites/dev: {len(cases)} derived articles paired with their true source")
    print(f"{'figure':<44} {'newstrace':>10} {'baseline':>10} {'target':>8}")
    targets = {
        "recall name": ">=0.90",
        "recall number": ">=0.90",
        "recall quote": ">=0.90",
        "precision": ">=0.90",
        "false alterations per 20 clean articles": "<=1",
    }
    for key, value in ours.items():
        print(f"{key:<44} {value:>10.3f} {base[key]:>10.3f} {targets.get(key, ''):>8}")
    by_style: Counter[str] = Counter()
    for case, found in zip(cases, findings, strict=True):
        by_style[case.style] += sum(f.severity == "alteration" for f in found)
    print("alteration findings by style: " + ", ".join(f"{s} {n}" for s, n in sorted(by_style.items())))
    within = Counter(c.style for c in cases for _ in check_within(c.derived))
    print(
        "within-article findings (difference) by style: "
        + ", ".join(f"{s} {n}" for s, n in sorted(within.items()))
    )
    print(
        f"ms per article, check_pair only: p50 {statistics.median(pair_ms):.1f}  p95 {_percentile(pair_ms, 0.95):.1f}"
    )
    print(
        f"ms per article, align + check_pair + check_within: p50 {statistics.median(full_ms):.1f}  "
        f"p95 {_percentile(full_ms, 0.95):.1f}  (target p50 <= 200)"
    )


def print_store_speed(cases: list[Case]) -> None:
    """Findings for one article as it joins its story, in a store holding the whole news corpus.

    Each source and its derived articles form a story; each derived article is related to its
    source by their aligned passages (what the relate stage records).
    """
    originals = {c.original.id: c.original for c in cases}
    with tempfile.TemporaryDirectory() as folder, open_store(Path(folder) / "bench.db") as store:
        store_articles(
            store,
            (
                originals.get(r["id"])
                or Article(id=r["id"], text=r["text"], title=r.get("title"), outlet=r.get("outlet"))
                for r in _news()
            ),
        )
        store_articles(store, (c.derived for c in cases))
        relations = [Relation(c.original.id, c.derived.id, "edited", 1.0, {}, tuple(c.passages)) for c in cases]
        members: dict[str, list[str]] = {}
        for case in cases:
            members.setdefault(case.original.id, [case.original.id]).append(case.derived.id)
        stories = [Story(f"story-{o}", o, tuple(ids)) for o, ids in members.items()]
        store.commit(Changes(relations=relations, stories=stories, done={"relate": set(store.articles.ids())}))
        timings = []
        for story in stories:
            for article_id in story.articles:
                started = time.perf_counter()
                _check_joining(store, article_id)
                timings.append(1000 * (time.perf_counter() - started))
        print(
            f"store of {store.articles.count()} articles, {len(members)} stories of {len(cases) // len(members) + 1}: "
            f"ms per article joining its story p50 {statistics.median(timings):.1f}  "
            f"p95 {_percentile(timings, 0.95):.1f}  (target p50 <= 200)"
        )


def _check_joining(store: Store, article_id: str) -> list[Finding]:
    """The findings of one article as it joins its story, everything read from the store (``check_article``)."""
    article = store.articles.get(article_id)
    relations = store.relations.of([article_id])
    story = store.stories.of([article_id]).get(article_id)
    members = list(store.stories.get(story).articles) if story else []
    originals = sorted({r.original for r in relations if r.derived == article_id} - set(members))
    others = [a for a in store.articles.many(members + originals) if a.id != article_id]
    return check_article(article, others, relations)


def print_quote_extraction() -> None:
    """Share of the direct quotes annotated in BASIL that ``extract_quotes`` covers (80 % of their characters)."""
    covered = total = found = attributed = 0
    for line in BASIL.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        text = record["text"]
        quotes = extract_quotes(text)
        found += len(quotes)
        attributed += sum(q.speaker is not None for q in quotes)
        for annotated in record["quote_spans"]:
            words = annotated["text"].strip("\"“”' ")
            start = text.find(words)
            if start < 0 or not words:
                continue
            total += 1
            inside = sum(
                max(0, min(b, start + len(words)) - max(a, start)) for a, b in (q.span for q in quotes)
            )
            covered += inside >= 0.8 * len(words)
    print(
        f"quote extraction on BASIL: {covered}/{total} annotated quotes covered ({covered / total:.3f}); "
        f"{found} quotes found, {attributed / found:.3f} with a speaker"
    )


def print_seeds() -> None:
    paths = sorted(SAMPLES.glob("*.txt"))
    if len(paths) < 2:
        return
    first, second = (
        extract_article(RawDocument(origin=str(p), body=p.read_text(), id=p.stem)) for p in paths[:2]
    )
    print(f"seed {second.id} within the article:")
    for found in check_within(second):
        print(f"  {found.text!r} ~ {found.other.text if found.other else ''!r}: {found.explanation}")
    print(f"seed {second.id} against {first.id} (independent reports of one story):")
    for found in check_independent(second, first):
        if found.kind == "name":
            print(
                f"  [{found.severity}] {found.text!r} ~ {found.other.text if found.other else ''!r}: {found.explanation}"
            )


def main() -> None:
    cases = load_cases()
    print_quality(cases)
    print_store_speed(cases)
    print_quote_extraction()
    print_seeds()


if __name__ == "__main__":
    main()
