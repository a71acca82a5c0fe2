"""Issue 6, item 3: the two seed articles (one event, two outlets) are no copies of each other, and a
verbatim copy of either, wrapped in scraper junk, is a duplicate with the seed as its original."""

from __future__ import annotations

import pytest

from conftest import SAMPLES, needs_shared
from newstrace.extract import extract_article
from newstrace.model import Article, RawDocument
from newstrace.relate import relate_all

pytestmark = needs_shared(SAMPLES)
FARM_WRAPPER = ("Breaking News Today\n\nShare on Facebook\n\n", "\n\nSource link\n\nBy admin\n\nRelated Posts\n\nLeave a Reply")


def seeds() -> list[Article]:
    return [
        extract_article(RawDocument(origin=str(path), body=path.read_text(encoding="utf-8"), id=path.stem[:3]))
        for path in sorted(SAMPLES.glob("*.txt"))
    ]


def test_the_two_seed_articles_are_not_copies() -> None:
    assert relate_all(seeds()) == []


@pytest.mark.parametrize("which", [0, 1])
def test_a_verbatim_copy_with_junk_is_a_duplicate_of_its_seed(which: int) -> None:
    articles = seeds()
    seed = articles[which]
    raw = (SAMPLES / f"{seed.origin.rsplit('/', 1)[-1]}").read_text(encoding="utf-8")
    copy = extract_article(
        RawDocument(origin="farm", body=FARM_WRAPPER[0] + raw + FARM_WRAPPER[1], id="farm-copy", url="https://farm.example/x")
    )
    relations = relate_all([*articles, copy])
    assert [(r.original, r.derived, r.kind, r.direction) for r in relations] == [
        (seed.id, "farm-copy", "duplicate", "known")
    ]
