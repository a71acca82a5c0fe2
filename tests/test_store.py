"""The stores: schema versions, round trips of every record on both backends, stage marks, term
indexes, and concurrent readers beside a writer."""

from __future__ import annotations

import dataclasses
import sqlite3
import threading
import time
from pathlib import Path

import pytest

from conftest import add_articles
from newstrace.errors import NotFoundError, StoreError
from newstrace.model import (
    Article,
    Brief,
    Caption,
    Finding,
    Passage,
    Problem,
    Relation,
    Removed,
    SpanRef,
    Story,
)
from newstrace.store import Changes, encode_article, open_store
from newstrace.store.migrations import MIGRATIONS

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
RELATION = Relation(
    original="a1", derived="b2", kind="spun", score=0.8, coverage={"original": 0.9, "derived": 0.95},
    evidence=(Passage((0, 10), (0, 12), "paraphrased", 0.7),), direction="known", reasons=("dated earlier",),
)
FINDING = Finding("b2", "name", "alteration", (4, 9), "Quenn", SpanRef("a1", (4, 8), "Quen"), "garbled")


def test_new_store_is_at_the_latest_schema_version(db_path: Path) -> None:
    with open_store(db_path) as store:
        assert store.schema_version == len(MIGRATIONS)


def test_a_version_1_store_is_migrated_and_keeps_its_articles_as_extracted_only(db_path: Path) -> None:
    with sqlite3.connect(db_path) as connection:
        connection.executescript(MIGRATIONS[0])
        connection.execute(
            "INSERT INTO articles (id, content_hash, site, outlet, date, data) VALUES (?,?,?,?,?,?)",
            encode_article(ARTICLE)[:6],
        )
        connection.execute("PRAGMA user_version=1")
    with open_store(db_path) as store:
        assert store.schema_version == len(MIGRATIONS) >= 3
        assert store.articles.get("a1") == ARTICLE
        assert store.stages.done("a1") == ("extract",)
        assert store.stages.pending("relate") == ["a1"]
        assert store.index("story").missing_ids() == ["a1"]
        assert store.index("relate").settings() is None


def test_a_version_2_store_is_migrated_and_keeps_everything(db_path: Path) -> None:
    with sqlite3.connect(db_path) as connection:
        for script in MIGRATIONS[:2]:
            connection.executescript(script)
        connection.execute(
            "INSERT INTO articles (id, content_hash, site, outlet, date, data) VALUES (?,?,?,?,?,?)",
            encode_article(ARTICLE)[:6],
        )
        connection.execute(
            "INSERT INTO relations (original, derived, kind, score, data) VALUES (?,?,?,?,?)",
            ("a1", "b2", "spun", 0.8, '{"original":"a1","derived":"b2","kind":"spun","score":0.8,"coverage":{}}'),
        )
        connection.execute("INSERT INTO settings (key, value) VALUES ('stories', '{}')")
        connection.execute("PRAGMA user_version=2")
    with open_store(db_path) as store:
        assert store.articles.get("a1") == ARTICLE
        assert [(r.original, r.derived) for r in store.relations.all()] == [("a1", "b2")]
        assert store.settings.get("stories") == "{}"
        assert store.stages.pending("relate") == ["a1"]


def test_store_written_by_a_newer_newstrace_is_refused(db_path: Path) -> None:
    with sqlite3.connect(db_path) as connection:
        connection.execute(f"PRAGMA user_version={len(MIGRATIONS) + 1}")
    with pytest.raises(StoreError, match="newer than this newstrace"):
        open_store(db_path)


def test_unopenable_path_raises_a_store_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError):
        open_store(tmp_path / "no-such-dir" / "x.db")


def test_article_round_trip_and_idempotent_add(any_store) -> None:
    assert add_articles(any_store, [ARTICLE, ARTICLE]) == ["a1"]
    assert add_articles(any_store, [ARTICLE]) == []
    assert any_store.articles.get("a1") == ARTICLE
    assert list(any_store.articles.many(["nope", "a1"])) == [ARTICLE]
    assert any_store.articles.known(["a1", "nope"]) == {"a1": (ARTICLE.content_hash, None)}
    with pytest.raises(NotFoundError):
        any_store.articles.get("nope")


def test_non_ascii_text_is_kept(any_store) -> None:
    article = dataclasses.replace(ARTICLE, id="a2", text="Zürich’s “ferry” — 渡し船 — was cancelled.")
    add_articles(any_store, [article])
    assert any_store.articles.get("a2") == article


def test_problems_are_kept_once(any_store) -> None:
    problem = Problem("feed.jsonl:3", "invalid JSON")
    any_store.commit(Changes(problems=[problem, problem]))
    any_store.commit(Changes(problems=[problem]))
    assert any_store.problems.all() == [problem]


def test_relation_story_finding_and_brief_round_trips(any_store) -> None:
    any_store.commit(Changes(relations=[RELATION]))
    assert any_store.relations.all() == [RELATION] == any_store.relations.of(["b2"])
    any_store.commit(Changes(relations_dropped={"a1"}))
    assert any_store.relations.all() == []

    story = Story("s1", "Ferry cancelled", ("a1", "b2"), "2030-01-02", "2030-01-03", ("quen.example",))
    any_store.commit(Changes(stories=[story]))
    assert any_store.stories.all() == [story] and any_store.stories.of(["b2"]) == {"b2": "s1"}
    moved = Story("s2", "Other", ("b2",))
    any_store.commit(Changes(stories=[moved]))
    assert any_store.stories.of(["b2"]) == {"b2": "s2"}
    any_store.commit(Changes(stories_dropped={"s2"}))
    assert any_store.stories.of(["b2"]) == {} and any_store.stories.many(["s1", "s2"]) == [story]

    any_store.commit(Changes(findings={"b2": [FINDING]}))
    assert any_store.findings.all() == [FINDING] == any_store.findings.of(["b2"])
    any_store.commit(Changes(findings={"b2": []}))
    assert any_store.findings.all() == []

    brief = Brief("s1", "Ferry cancelled", None, None, (), ("a1",), (RELATION,), (), (), (), (FINDING,))
    any_store.commit(Changes(briefs=[brief]))
    assert any_store.briefs.get("s1") == brief and list(any_store.briefs.all()) == [brief]
    any_store.commit(Changes(briefs_dropped={"s1"}))
    with pytest.raises(NotFoundError):
        any_store.briefs.get("s1")


def test_stage_marks_and_resets_cascade_to_later_stages(any_store) -> None:
    add_articles(any_store, [ARTICLE, dataclasses.replace(ARTICLE, id="b2")])
    assert any_store.stages.pending("relate") == ["a1", "b2"] and any_store.stages.pending("stories") == []
    any_store.commit(Changes(done={"relate": {"a1", "b2"}, "stories": {"a1", "b2"}, "checks": {"a1"}}))
    assert any_store.stages.done("a1") == ("extract", "relate", "stories", "checks")
    assert any_store.stages.pending("checks") == ["b2"] and any_store.stages.pending("brief") == ["a1"]
    any_store.commit(Changes(undone={"stories": {"a1"}}))
    assert any_store.stages.done("a1") == ("extract", "relate")
    assert any_store.stages.missing("checks") == ["a1", "b2"]


def test_a_failed_commit_writes_nothing(db_path: Path) -> None:
    with open_store(db_path) as store:
        add_articles(store, [ARTICLE])
        broken = Changes(relations=[RELATION], findings={"b2": [FINDING]}, done={"relate": {"a1"}})
        broken.settings = {"k": object()}  # not bindable: the transaction fails after writing the rest
        with pytest.raises(StoreError):
            store.commit(broken)
        assert store.relations.all() == [] and store.findings.all() == []
        assert store.stages.done("a1") == ("extract",) and store.settings.get("k") is None


def test_term_index_entries_are_found_by_any_of_their_terms_within_the_days(any_store) -> None:
    add_articles(any_store, [dataclasses.replace(ARTICLE, id=i) for i in "abcd"])
    index = any_store.index("story")
    index.reset("test")
    index.add(
        [
            (("a", 10, "{}"), ["o'neil", "al-ass", "#2.5", "o'neil"]),
            (("b", 30, "{}"), ["o'neil", "quake"]),
            (("c", None, "{}"), ["#2.5", "münch"]),
            (("a", 10, "{}"), ["never", "counted"]),  # already stored: skipped
        ]
    )
    assert index.settings() == "test" and index.count() == 3 and index.missing_ids() == ["d"]
    assert index.frequencies() == {"o'neil": 2, "al-ass": 1, "#2.5": 2, "quake": 1, "münch": 1}
    assert [r[0] for r in index.sharing(["o'neil"])] == ["a", "b"]
    assert [r[0] for r in index.sharing(["o'neil"], (5, 15))] == ["a"]
    assert [r[0] for r in index.sharing(["#2.5"], (20, 40))] == ["c"]  # undated: any time
    assert index.sharing(["al", "2.5", "neil", "munch"]) == []  # whole terms only, accents kept
    assert sorted(index.holding("#2.5")) == [("a", 3), ("c", 2)]  # with their distinct terms
    assert index.entries(ids=["b", "zz"]) == [("b", 30, "{}")]
    index.reset("other")
    assert index.sharing(["o'neil", "#2.5"]) == [] and index.count() == 0 and index.frequencies() == {}
    assert any_store.index("relate").count() == 0


def test_an_unknown_term_index_is_refused(any_store) -> None:
    with pytest.raises(StoreError, match="no term index"):
        any_store.index("articles; DROP TABLE articles")


def test_eight_readers_beside_one_writer_see_every_write(db_path: Path) -> None:
    """Issue 11: 8 threads read through the store while one writes for 10 seconds: no error, every
    write read back."""
    with open_store(db_path) as store:
        written: list[str] = []
        errors: list[BaseException] = []
        stop = threading.Event()

        def write() -> None:
            number = 0
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                article = dataclasses.replace(ARTICLE, id=f"w{number:06d}", text=f"Ferry {number} ran late.")
                story = Story(f"s{number:06d}", "Ferry", (article.id,))
                store.commit(Changes(articles=[encode_article(article)], stories=[story], done={"stories": {article.id}}))
                written.append(article.id)
                number += 1
            stop.set()

        def read() -> None:
            try:
                while not stop.is_set():
                    seen = list(written)
                    if seen:
                        last = seen[-1]
                        assert store.articles.get(last).id == last
                        assert store.stories.of([last]) == {last: "s" + last[1:]}
                        assert set(seen) <= set(store.articles.ids())
                        assert "relate" not in store.stages.done(last)
            except BaseException as error:  # reported to the test thread below
                errors.append(error)
                stop.set()

        readers = [threading.Thread(target=read) for _ in range(8)]
        writer = threading.Thread(target=write)
        for thread in [*readers, writer]:
            thread.start()
        for thread in [writer, *readers]:
            thread.join()
        assert not errors, errors[0]
        assert len(written) > 100
        assert store.articles.ids() == written
        assert [a.id for a in store.articles.many(written)] == written
