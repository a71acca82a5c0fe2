"""Extraction quality against a gold set, with the scrapinghub article-extraction benchmark's metric.

Tokens are ``\\w+`` runs; each page's gold and predicted texts become multisets of
4-token shingles; precision and recall are averaged over pages (a page whose prediction
is empty has no precision, one whose gold is empty no recall) and F1 is taken from the
two means. Used by the quality gate test and ``benchmarks/extraction.py``.
"""

from __future__ import annotations

import gzip
import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

_TOKEN = re.compile(r"\w+")
SHINGLE_SIZE = 4


@dataclass(frozen=True)
class GoldPage:
    """One page of a gold set: its html, url and the article body a person marked."""

    id: str
    url: str | None
    html: str
    text: str


@dataclass(frozen=True)
class PageScore:
    """Shingle precision and recall of one page (``None`` where undefined)."""

    precision: float | None
    recall: float | None


@dataclass(frozen=True)
class ExtractionScore:
    """Mean precision and recall over pages, and the F1 of the two means."""

    precision: float
    recall: float
    f1: float
    pages: int


def _shingles(text: str) -> Counter[tuple[str, ...]]:
    tokens = _TOKEN.findall(text or "")
    return Counter(tuple(tokens[i : i + SHINGLE_SIZE]) for i in range(len(tokens) - SHINGLE_SIZE + 1))


def page_score(gold: str, predicted: str) -> PageScore:
    """Precision and recall of ``predicted`` against ``gold`` over shingle multisets."""
    gold_shingles, predicted_shingles = _shingles(gold), _shingles(predicted)
    shared = sum((gold_shingles & predicted_shingles).values())
    predicted_total, gold_total = sum(predicted_shingles.values()), sum(gold_shingles.values())
    return PageScore(
        precision=shared / predicted_total if predicted_total else None,
        recall=shared / gold_total if gold_total else None,
    )


def score_extractions(pairs: Iterable[tuple[str, str]]) -> ExtractionScore:
    """Score ``(gold, predicted)`` text pairs, one per page."""
    scores = [page_score(gold, predicted) for gold, predicted in pairs]
    precisions = [s.precision for s in scores if s.precision is not None]
    recalls = [s.recall for s in scores if s.recall is not None]
    precision = sum(precisions) / len(precisions) if precisions else 0.0
    recall = sum(recalls) / len(recalls) if recalls else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return ExtractionScore(precision, recall, f1, len(scores))


def load_scrapinghub(folder: Path) -> list[GoldPage]:
    """The scrapinghub set: ``ground-truth.json`` and ``html/<id>.html.gz`` (UTF-8), sorted by id."""
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    return [
        GoldPage(
            id=page_id,
            url=entry.get("url"),
            html=gzip.decompress((folder / "html" / f"{page_id}.html.gz").read_bytes()).decode(
                "utf-8", "replace"
            ),
            text=entry.get("articleBody") or "",
        )
        for page_id, entry in sorted(truth.items())
    ]
