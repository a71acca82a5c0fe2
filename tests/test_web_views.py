"""The pieces the pages are built from: text cut at marked spans, copy trees, opaque cursors."""

from __future__ import annotations

import pytest

from newstrace.errors import CursorError
from newstrace.model import Finding, Passage, Relation, SpanRef
from newstrace.web.highlight import Mark, relation_marks, segments
from newstrace.web.paging import page_of, unwrap, wrap
from newstrace.web.views import copy_forest, relation_id

TEXT = "Mayor Ilse Varga said 12 were hurt."


def _relation(original: str, derived: str, kind: str = "duplicate") -> Relation:
    return Relation(original, derived, kind, 1.0, {"original": 1.0, "derived": 1.0})


def test_segments_put_the_text_back_together_with_each_piece_marked() -> None:
    marks = [Mark((0, 35), passage=0, change="edited"), Mark((6, 16), finding="name", note="garbled"), Mark((22, 24), finding="number")]
    pieces = segments(TEXT, marks)
    assert "".join(p["text"] for p in pieces) == TEXT
    assert [(p["text"], p["finding"]) for p in pieces if p["finding"]] == [("Ilse Varga", "name"), ("12", "number")]
    assert all(p["passage"] == 0 and p["change"] == "edited" for p in pieces)


def test_spans_outside_the_text_are_left_out() -> None:
    assert segments("short", [Mark((3, 99), finding="name"), Mark((4, 2), finding="name")]) == [
        {"text": "short", "passage": None, "change": None, "finding": None, "note": None}
    ]


def test_a_finding_between_the_two_articles_is_marked_on_both_sides() -> None:
    relation = Relation("a", "b", "spun", 0.8, {"original": 0.9, "derived": 0.9}, (Passage((0, 10), (0, 12), "paraphrased", 0.7),))
    finding = Finding("b", "number", "alteration", (4, 6), "21", SpanRef("a", (3, 5), "12"), "count changed")
    elsewhere = Finding("b", "number", "difference", (1, 2), "9", SpanRef("c", (1, 2), "8"), "not this pair")
    assert [m.span for m in relation_marks(relation, [finding, elsewhere], "derived")] == [(0, 12), (4, 6)]
    assert [m.span for m in relation_marks(relation, [finding, elsewhere], "original")] == [(0, 10), (3, 5)]


def test_the_copy_forest_has_each_original_at_a_root_and_each_copy_once() -> None:
    relations = [_relation("a", "b"), _relation("b", "c", "spun"), _relation("a", "c"), _relation("x", "y")]
    forest = copy_forest(relations)
    assert [tree["article"] for tree in forest] == ["a", "x"]
    [b] = forest[0]["children"]
    assert b["article"] == "b" and [c["relation"]["id"] for c in b["children"]] == [relation_id(relations[1])]


def test_cursors_are_opaque_round_trips_and_others_are_refused() -> None:
    assert unwrap(wrap('["2031-04-16", "story-1"]')) == '["2031-04-16", "story-1"]' and wrap(None) is None
    with pytest.raises(CursorError):
        unwrap("%%%")
    with pytest.raises(CursorError):
        page_of([1, 2], lambda n: (n,), 1, wrap("not json"))


def test_pages_follow_the_key_order_whatever_the_order_given() -> None:
    items, cursor, seen = [5, 3, 9, 1], None, []
    while True:
        page, cursor = page_of(items, lambda n: (n,), 3, cursor)
        seen += page
        if cursor is None:
            break
    assert seen == [1, 3, 5, 9]
