"""The one-pass byline reader gives trafilatura's ``extract_author`` answer, page kind by page kind."""

from __future__ import annotations

import pytest
from lxml.html import fromstring
from trafilatura.metadata import extract_author

from newstrace.extract.byline import read_byline

STORY = "<p>The harbour board met on Tuesday and agreed to dredge the inner basin before the storms.</p>"
PAGES = {
    "class author-name": "<div class='author-name'>Jana Kovac</div>",
    "rel author link": "<a rel='author' href='/staff/jk'>Jana Kovac</a>",
    "itemprop author": "<span itemprop='author'>Jana Kovac and Tomas Brill</span>",
    "byline class": "<p class='byline'>By Jana Kovac</p>",
    "data-component Byline": "<div data-component='Byline'>Tomas Brill</div>",
    "byline inside a comment thread only": "<div id='comments'><span class='author'>troll42</span></div>",
    "byline after a comment thread": (
        "<div class='comments'><span class='author'>troll42</span></div><div class='author'>Jana Kovac</div>"
    ),
    "byline with a date inside": "<div class='author'>Jana Kovac <time>12 March</time>, Port Ellery</div>",
    "byline with a figure inside": "<div class='author'><figure>photo</figure>Jana Kovac</div>",
    "too long to be a byline": "<div class='author'>" + "word " * 40 + "</div>",
    "no byline": "",
}


@pytest.mark.parametrize("kind", sorted(PAGES))
def test_read_byline_agrees_with_trafilatura(kind: str) -> None:
    html = f"<html><body><article>{PAGES[kind]}{STORY}</article></body></html>"
    assert read_byline(fromstring(html)) == extract_author(fromstring(html))


def test_read_byline_names_the_author_and_skips_comment_threads() -> None:
    html = f"<html><body>{PAGES['byline after a comment thread']}{STORY}</body></html>"
    assert read_byline(fromstring(html)) == "Jana Kovac"
