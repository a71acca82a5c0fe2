"""Quality gate on the shared data: dev rewrites among a sample of the news corpus, and BASIL's independent reports.

Slow (about a minute): the full figures come from ``python -m benchmarks.relate``.
"""

from __future__ import annotations

import gzip
import itertools
import json
import random
from collections import defaultdict

import pytest

from conftest import SHARED_DATA, needs_shared
from newstrace.extract import extract_article
from newstrace.model import Article, RawDocument
from newstrace.relate import relate_all

EXPECTED_KIND = {
    "verbatim": "duplicate",
    "excerpt": "excerpt",
    "light_edit": "edited",
    "synonym_spin": "spun",
    "mt_garble": "spun",
    "llm_rewrite": "rewrite",
}
REWRITES = SHARED_DATA / "rewrites" / "dev.jsonl"
NEWS = SHARED_DATA / "news" / "allsides-articles.jsonl.gz"
BASIL = SHARED_DATA / "stories" / "basil-dev.jsonl"


def _article(record: dict, article_id: str, outlet: str | None) -> Article:
    raw = RawDocument(
        origin=article_id, body=record["text"], id=article_id, title=record.get("title"),
        url=record.get("url"), date=record.get("date"), outlet=outlet,
    )  # fmt: skip
    return extract_article(raw)


@pytest.mark.slow
@needs_shared(REWRITES)
@needs_shared(NEWS)
@needs_shared(BASIL)
def test_dev_rewrites_are_traced_to_their_sources_and_basil_reports_stay_apart() -> None:
    with open(REWRITES, encoding="utf-8") as lines:
        rewrites = [json.loads(line) for line in lines]
    sources = {r["source_id"] for r in rewrites}
    with gzip.open(NEWS, "rt", encoding="utf-8") as lines:
        corpus = [json.loads(line) for line in lines]
    background = random.Random(1).sample([r for r in corpus if r["id"] not in sources], 1500)
    articles = [_article(r, r["id"], r["outlet"]) for r in corpus if r["id"] in sources]
    articles += [_article(r, r["id"], r["outlet"]) for r in background]
    articles += [_article(r, r["id"], r["site"]) for r in rewrites]
    events = defaultdict(list)
    with open(BASIL, encoding="utf-8") as lines:
        for record in map(json.loads, lines):
            articles.append(_article(record, f"basil:{record['doc']}", record["outlet"]))
            events[record["event"]].append(f"basil:{record['doc']}")

    relations = relate_all(articles)

    links = defaultdict(list)
    for relation in relations:
        links[relation.derived].append(relation)
    found = [r for row in rewrites for r in links[row["id"]] if r.original == row["source_id"]]
    reported = sum(len(links[row["id"]]) for row in rewrites)
    assert len(found) >= 0.97 * len(rewrites)
    assert len(found) >= 0.97 * reported
    by_id = {row["id"]: row for row in rewrites}
    assert sum(r.kind == EXPECTED_KIND[by_id[r.derived]["style"]] for r in found) >= 0.88 * len(rewrites)
    assert sum(r.direction == "known" for r in found) >= 0.97 * len(rewrites)
    linked = {frozenset((r.original, r.derived)) for r in relations}
    basil_pairs = [frozenset(p) for ids in events.values() for p in itertools.combinations(ids, 2)]
    assert sum(p in linked for p in basil_pairs) <= 0.01 * len(basil_pairs)
