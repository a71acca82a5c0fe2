"""The gold story sets, read the same way by the stories benchmark, its ceiling and the decision's training.

Article ids are opaque (a hash of the set's own document name): the stories stage orders undated
articles by id, and the sets' own names put one story's articles side by side ("story-0012-1",
"10_3ecb"), which would hand any order-dependent method the answer.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from newstrace.model import Article

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
STORIES = DATA / "stories"


@dataclass(frozen=True)
class GoldSet:
    """Articles with the story each belongs to."""

    name: str
    articles: tuple[Article, ...]
    gold: tuple[str, ...]


def opaque_id(name: str) -> str:
    return hashlib.sha1(name.encode("utf-8")).hexdigest()[:16]


def load_neus(split: str = "val") -> GoldSet:
    """NeuS roundups: three undated headline-and-lead reports of one event a line."""
    articles, gold = [], []
    for line in (STORIES / f"neus-{split}.jsonl").open(encoding="utf-8"):
        row = json.loads(line)
        for i, item in enumerate(row["articles"]):
            articles.append(Article(id=opaque_id(f"{row['story']}-{i}"), title=item["title"], text=item["text"]))
            gold.append(row["story"])
    return GoldSet(f"NeuS-{split}", tuple(articles), tuple(gold))


def load_ecb() -> GoldSet:
    """ECB+ dev: undated documents, two look-alike events per topic."""
    articles, gold = [], []
    for line in (STORIES / "ecbplus-dev.jsonl").open(encoding="utf-8"):
        row = json.loads(line)
        articles.append(Article(id=opaque_id(row["doc"]), title=row["title"], text=row["text"]))
        gold.append(row["event"])
    return GoldSet("ECB+ dev", tuple(articles), tuple(gold))


def load_basil() -> GoldSet:
    """BASIL dev: three dated full articles of one event, by three outlets."""
    articles, gold = [], []
    for line in (STORIES / "basil-dev.jsonl").open(encoding="utf-8"):
        row = json.loads(line)
        articles.append(
            Article(
                id=opaque_id(row["doc"]),
                title=row["title"],
                text=row["text"],
                date=row["date"],
                outlet=row["outlet"],
            )
        )
        gold.append(str(row["event"]))
    return GoldSet("BASIL dev", tuple(articles), tuple(gold))


def b_cubed(predicted: Sequence[str], gold: Sequence[str]) -> tuple[float, float, float]:
    """B-cubed precision, recall and F1 of a clustering (labels per item) against the gold one."""
    by_predicted: dict[str, set[int]] = defaultdict(set)
    by_gold: dict[str, set[int]] = defaultdict(set)
    for i, (p, g) in enumerate(zip(predicted, gold, strict=True)):
        by_predicted[p].add(i)
        by_gold[g].add(i)
    precision = recall = 0.0
    for p, g in zip(predicted, gold, strict=True):
        shared = len(by_predicted[p] & by_gold[g])
        precision += shared / len(by_predicted[p])
        recall += shared / len(by_gold[g])
    precision, recall = precision / len(gold), recall / len(gold)
    return precision, recall, 2 * precision * recall / (precision + recall)
