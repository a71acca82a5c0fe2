"""The SQLite store: schema versions, round trips of every record, and refusal of newer schemas."""

from __future__ import annotations

import dataclasses
import sqlite3
from pathlib import Path

import pytest

from newstrace.errors import NotFoundError, StoreError
from newstrace.model import Article, Caption, Finding, Passage, Problem, Relation, Removed, SpanRef, Story
from newstrace.store import open_store
from newstrace.store.migrations import MIGRATIONS
from newstrace.store.sqlite import article_row

ARTICLE = Article(
    id="a1",
    text="The ferry to Isle Quen was cancelled.",
    title="Ferry cancelled",
    url="https://quen.example/ferry",
    site="quen.example",
    date="2030-01-02",
    authors=("Ann Lee",),
    captions=(Caption("The ferry at the quay.", "Jo Pim"),),
    removed=(Removed("Source link", "scraper-junk"),),
    metadata={"topic": "transport"},
)


def test_new_store_is_at_the_latest_schema_version(db_path: Path) -> None:
    with open_store(db_path) as store:
        assert store.schema_version == len(MIGRATIONS)


def test_a_version_1_store_is_migrated_and_keeps_its_articles(db_path: Path) -> None:
    with sqlite3.connect(db_path) as connection:
        connection.executescript(MIGRATIONS[0])
        connection.execute(
            "INSERT INTO articles (id, content_hash, site, outlet, date, data) VALUES (?,?,?,?,?,?)",
            article_row(ARTICLE),
        )
        connection.execute("PRAGMA user_version=1")
    with open_store(db_path) as store:
        assert store.schema_version == len(MIGRATIONS) >= 2
        assert store.get_article("a1") == ARTICLE
        assert store.term_table("story").missing_ids() == ["a1"]
        assert store.term_table("relate").settings() is None


def test_store_written_by_a_newer_newstrace_is_refused(db_path: Path) -> None:
    with sqlite3.connect(db_path) as connection:
        connection.execute(f"PRAGMA user_version={len(MIGRATIONS) + 1}")
    with pytest.raises(StoreError, match="newer than this newstrace"):
        open_store(db_path)


def test_unopenable_path_raises_a_store_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError):
        open_store(tmp_path / "no-such-dir" / "x.db")


def test_article_round_trip_and_idempotent_add(store) -> None:
    assert store.add_articles([ARTICLE, ARTICLE]) == ["a1"]
    assert store.add_articles([ARTICLE]) == []
    assert store.get_article("a1") == ARTICLE
    with pytest.raises(NotFoundError):
        store.get_article("nope")


def test_rows_encoded_elsewhere_store_the_same_article_and_keep_non_ascii_text(store) -> None:
    article = dataclasses.replace(ARTICLE, id="a2", text="Zürich’s “ferry” — 渡し船 — was cancelled.")
    assert store.add_article_rows([article_row(article), article_row(article)]) == ["a2"]
    assert store.add_articles([article]) == []
    assert store.get_article("a2") == article


def test_problems_are_kept_once(store) -> None:
    problem = Problem("feed.jsonl:3", "invalid JSON")
    store.add_problems([problem, problem])
    store.add_problems([problem])
    assert store.problems() == [problem]


def test_relation_story_and_finding_round_trips(store) -> None:
    relation = Relation(
        original="a1", derived="b2", kind="spun", score=0.8, coverage={"original": 0.9, "derived": 0.95},
        evidence=(Passage((0, 10), (0, 12), "paraphrased", 0.7),), direction="known", reasons=("dated earlier",),
    )
    store.put_relations([relation])
    assert store.relations() == [relation]
    assert store.relations("b2") == [relation]
    store.delete_relations(["a1"])
    assert store.relations() == []

    story = Story("s1", "Ferry cancelled", ("a1", "b2"), "2030-01-02", "2030-01-03", ("quen.example",))
    store.replace_stories([story])
    assert store.stories() == [story] and store.story_of("b2") == "s1"
    moved = Story("s2", "Other", ("b2",))
    store.put_stories([moved])
    assert store.story_of("b2") == "s2"

    finding = Finding("b2", "name", "alteration", (4, 9), "Quenn", SpanRef("a1", (4, 8), "Quen"), "garbled")
    store.replace_findings("b2", [finding])
    assert store.findings() == [finding] == store.findings("b2")
    store.replace_findings("b2", [])
    assert store.findings() == []


def test_term_table_entries_are_found_by_any_of_their_terms_within_the_days(store) -> None:
    table = store.term_table("story")
    table.reset("test")
    table.add(
        [
            (("a", 10, "{}"), ["o'neil", "al-ass", "#2.5", "o'neil"]),
            (("b", 30, "{}"), ["o'neil", "quake"]),
            (("c", None, "{}"), ["#2.5", "münch"]),
            (("a", 10, "{}"), ["never", "counted"]),  # already stored: skipped
        ]
    )
    assert table.settings() == "test" and table.count() == 3
    assert table.frequencies() == {"o'neil": 2, "al-ass": 1, "#2.5": 2, "quake": 1, "münch": 1}
    assert [r[0] for r in table.sharing(["o'neil"])] == ["a", "b"]
    assert [r[0] for r in table.sharing(["o'neil"], (5, 15))] == ["a"]
    assert [r[0] for r in table.sharing(["#2.5"], (20, 40))] == ["c"]  # undated: any time
    assert table.sharing(["al", "2.5", "neil", "munch"]) == []  # whole terms only, accents kept
    assert sorted(table.holding("#2.5")) == [("a", 3), ("c", 2)]  # with their distinct terms
    assert table.entries(ids=["b", "zz"]) == [("b", 30, "{}")]
    table.reset("other")
    assert table.sharing(["o'neil", "#2.5"]) == [] and table.count() == 0 and table.frequencies() == {}
    assert store.term_table("relate").count() == 0


def test_an_unknown_term_table_is_refused(store) -> None:
    with pytest.raises(StoreError, match="no term table"):
        store.term_table("articles; DROP TABLE articles")
