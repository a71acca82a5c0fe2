"""Quality gate: the cross-checks against the recorded alterations of ../shared rewrites/dev.jsonl."""

from __future__ import annotations

import gzip
import json
from collections import Counter

import pytest

from conftest import SHARED_DATA, needs_shared
from newstrace.checks import check_pair
from newstrace.extract import extract_article
from newstrace.model import Article, Finding, RawDocument
from newstrace.relate.align import align_passages

REWRITES = SHARED_DATA / "rewrites" / "dev.jsonl"
NEWS = SHARED_DATA / "news" / "allsides-articles.jsonl.gz"
CLEAN_STYLES = ("verbatim", "excerpt", "llm_rewrite")


def _article(record: dict) -> Article:
    return extract_article(
        RawDocument(origin=record["id"], body=record["text"], title=record.get("title"), id=record["id"])
    )


def _spans(text: str, needle: str) -> list[tuple[int, int]]:
    found, start = [], text.find(needle)
    while start >= 0:
        found.append((start, start + len(needle)))
        start = text.find(needle, start + 1)
    return found


def _hits(
    finding: Finding, kind: str, altered: str, original: str, derived: Article, source: Article
) -> bool:
    if finding.kind != kind or finding.other is None:
        return False
    overlaps = any(
        finding.span[0] < b and a < finding.span[1] for a, b in _spans(derived.text, altered)
    ) and any(
        finding.other.span[0] < b and a < finding.other.span[1] for a, b in _spans(source.text, original)
    )
    return overlaps or (kind == "name" and finding.text in altered and finding.other.text in original)


@pytest.mark.slow
@needs_shared(REWRITES)
@needs_shared(NEWS)
def test_findings_recover_recorded_alterations() -> None:
    rows = [json.loads(line) for line in REWRITES.read_text(encoding="utf-8").splitlines() if line.strip()]
    wanted = {row["source_id"] for row in rows}
    with gzip.open(NEWS, "rt", encoding="utf-8") as lines:
        sources = {r["id"]: _article(r) for r in map(json.loads, lines) if r["id"] in wanted}
    hit, total = Counter(), Counter()
    correct = flagged = false_alarms = clean = 0
    for row in rows:
        source, derived = sources[row["source_id"]], _article(row)
        found = check_pair(source, derived, align_passages(source.text, derived.text))
        alterations = [(a["type"], a["altered"], a["original"]) for a in row["alterations"]]
        for alteration in alterations:
            total[alteration[0]] += 1
            hit[alteration[0]] += any(_hits(f, *alteration, derived, source) for f in found)
        flagged += len(found)
        correct += sum(any(_hits(f, *a, derived, source) for a in alterations) for f in found)
        if row["style"] in CLEAN_STYLES:
            clean += 1
            false_alarms += len(found)
    for kind in ("name", "number", "quote"):
        assert hit[kind] / total[kind] >= 0.9, kind
    assert correct / flagged >= 0.9
    assert false_alarms * 20 <= clean
