"""Quality gate: story grouping on the shared gold sets must not regress (B-cubed F1, pooled)."""

from __future__ import annotations

import json
import random
from collections import defaultdict

import pytest

from conftest import SHARED_DATA, needs_shared
from newstrace.model import Article
from newstrace.stories import cluster_articles

STORIES = SHARED_DATA / "stories"


def _b_cubed_f1(predicted: dict[str, str], gold: dict[str, str]) -> float:
    by_predicted: dict[str, set[str]] = defaultdict(set)
    by_gold: dict[str, set[str]] = defaultdict(set)
    for item in gold:
        by_predicted[predicted[item]].add(item)
        by_gold[gold[item]].add(item)
    precision = sum(
        len(by_predicted[predicted[i]] & by_gold[gold[i]]) / len(by_predicted[predicted[i]]) for i in gold
    )
    recall = sum(len(by_predicted[predicted[i]] & by_gold[gold[i]]) / len(by_gold[gold[i]]) for i in gold)
    precision, recall = precision / len(gold), recall / len(gold)
    return 2 * precision * recall / (precision + recall)


def _ecb() -> tuple[list[Article], dict[str, str]]:
    rows = [json.loads(line) for line in (STORIES / "ecbplus-dev.jsonl").open(encoding="utf-8")]
    return [Article(id=r["doc"], title=r["title"], text=r["text"]) for r in rows], {
        r["doc"]: r["event"] for r in rows
    }


def _neus() -> tuple[list[Article], dict[str, str]]:
    articles, gold = [], {}
    for line in (STORIES / "neus-val.jsonl").open(encoding="utf-8"):
        row = json.loads(line)
        for i, item in enumerate(row["articles"]):
            articles.append(Article(id=f"{row['story']}-{i}", title=item["title"], text=item["text"]))
            gold[articles[-1].id] = row["story"]
    return articles, gold


def _predicted(articles: list[Article]) -> dict[str, str]:
    return {a: s.id for s in cluster_articles(articles) for a in s.articles}


@pytest.mark.slow
@needs_shared(STORIES / "ecbplus-dev.jsonl")
def test_ecb_plus_look_alike_events_quality_and_order():
    articles, gold = _ecb()
    predicted = _predicted(articles)
    assert _b_cubed_f1(predicted, gold) >= 0.93
    shuffled = articles[:]
    random.Random(7).shuffle(shuffled)
    assert _predicted(shuffled) == predicted


@pytest.mark.slow
@needs_shared(STORIES / "neus-val.jsonl")
def test_neus_roundups_quality():
    articles, gold = _neus()
    assert _b_cubed_f1(_predicted(articles), gold) >= 0.84
