"""The stores' paged lists: full-text search of articles and the story list with its filters, the same on
both backends, with cursors that walk every item once and refuse what no list gave."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import add_articles
from newstrace.errors import CursorError
from newstrace.model import Article, Finding, Story
from newstrace.store import Changes, open_store
from newstrace.store.base import StoryQuery, search_words

ARTICLES = [
    Article(id="a1", text="The ferry to Isle Quen was cancelled by the storm.", title="Ferry cancelled"),
    Article(id="a2", text="Storm closes the harbour; ferries stay in port.", title="Harbour closed"),
    Article(id="a3", text="A café in Quen reopened after the storm.", title="Café reopens"),
    Article(id="a4", text="Council budget passed without debate.", title="Budget"),
]
STORIES = [
    Story("s1", "Ferry cancelled", ("a1",), "2030-01-02", "2030-01-02", ("Quen Post",)),
    Story("s2", "Harbour closed", ("a2",), "2030-01-01", "2030-01-05", ("Harbour News", "Quen Post")),
    Story("s3", "Café reopens", ("a3",), "2030-01-05", "2030-01-05", ("Quen Post",)),
    Story("s4", "Budget", ("a4",), None, None, ()),
]
FINDING = Finding("a2", "number", "difference", (0, 5), "Storm", None, "a number differs")


def _walk(page, limit: int) -> list:
    """Every item of a paged list, page by page."""
    items, cursor = [], None
    while True:
        found, cursor = page(limit, cursor)
        items += found
        if cursor is None:
            return items


def test_sites_are_each_articles_site_else_its_outlet(any_store) -> None:
    add_articles(any_store, [Article(id="x", text="t", site="x.example", outlet="X"), Article(id="y", text="t", outlet="Y"),
                             Article(id="z", text="t")])
    assert any_store.articles.sites() == {"x": "x.example", "y": "Y", "z": None}


def test_search_words_are_letters_and_digits_lower_cased() -> None:
    assert search_words("Café-2030, ISLE_quen!") == ["café", "2030", "isle", "quen"]


def test_search_finds_articles_holding_every_word_newest_first(any_store) -> None:
    add_articles(any_store, ARTICLES)
    assert any_store.articles.search("storm")[0] == ["a3", "a2", "a1"]
    assert any_store.articles.search("STORM quen") == (["a3", "a1"], None)
    assert any_store.articles.search("reopens")[0] == ["a3"]  # the title counts
    assert any_store.articles.search("café")[0] == ["a3"]
    assert any_store.articles.search("cafe")[0] == []  # diacritics are kept
    assert any_store.articles.search("nothing here")[0] == []
    assert any_store.articles.search("")[0] == ["a4", "a3", "a2", "a1"]  # no words: every article


def test_search_pages_walk_every_match_once(any_store) -> None:
    add_articles(any_store, ARTICLES)
    assert _walk(lambda n, c: any_store.articles.search("storm", n, c), 1) == ["a3", "a2", "a1"]
    assert _walk(lambda n, c: any_store.articles.search("", n, c), 3) == ["a4", "a3", "a2", "a1"]
    first, cursor = any_store.articles.search("storm", 2)
    assert first == ["a3", "a2"] and cursor is not None


def test_search_sees_articles_stored_after_an_earlier_search(db_path: Path) -> None:
    with open_store(db_path) as store:
        add_articles(store, ARTICLES[:2])
        assert store.articles.search("storm")[0] == ["a2", "a1"]
        add_articles(store, ARTICLES[2:])
        assert store.articles.search("storm")[0] == ["a3", "a2", "a1"]
    with open_store(db_path) as reopened:
        assert reopened.articles.search("storm")[0] == ["a3", "a2", "a1"]


def test_stories_are_listed_latest_first_and_filtered(any_store) -> None:
    add_articles(any_store, ARTICLES)
    any_store.commit(Changes(stories=STORIES, findings={"a2": [FINDING]}))
    ids = lambda query=None: [s.id for s in any_store.stories.listed(query)[0]]  # noqa: E731
    assert ids() == ["s3", "s2", "s1", "s4"]
    assert ids(StoryQuery(since="2030-01-03")) == ["s3", "s2"]
    assert ids(StoryQuery(until="2030-01-01")) == ["s2"]
    assert ids(StoryQuery(outlet="Harbour News")) == ["s2"]
    assert ids(StoryQuery(with_findings=True)) == ["s2"]
    assert ids(StoryQuery(with_findings=False, outlet="Quen Post")) == ["s3", "s1"]
    assert _walk(lambda n, c: any_store.stories.listed(None, n, c), 1) == STORIES[2:3] + STORIES[1::-1] + STORIES[3:]


@pytest.mark.parametrize("cursor", ["x", "-1", "[1, 2]", '["a"]', "{}"])
def test_a_cursor_no_list_gave_is_refused(any_store, cursor: str) -> None:
    with pytest.raises(CursorError):
        any_store.stories.listed(None, 10, cursor)
    if not cursor.isdigit():
        with pytest.raises(CursorError):
            any_store.articles.search("storm", 10, cursor)
