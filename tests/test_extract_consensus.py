"""The consensus body: a line stays when two extractors find it; the costly one runs only on disagreement."""

from __future__ import annotations

from lxml.html import fromstring

from newstrace.extract.candidates import block_text, readability_candidate
from newstrace.extract.consensus import ConsensusOptions, agree

ARTICLE = [
    "The river authority of Valdoria said on Tuesday it would open the northern sluice gates for the first "
    "time in a decade, after a week of rain swelled the reservoir above its summer mark.",
    "Engineers had warned for months that the old dam could not hold another wet spring, according to "
    "documents seen by reporters, and the board met through the night before deciding.",
    "Residents of the lower town were told to move cars and livestock to higher ground before Thursday "
    "evening, and the regional council opened two schools as shelters for anyone who needed one.",
]
TEASERS = [
    "- Floods: what we know so far about the valley and the dam that nobody fixed",
    "- Ten pictures of the spring storms that swept across the northern provinces",
]


def _never() -> str:
    raise AssertionError("the precision pass must not run when the cheap candidates agree")


def test_agreeing_candidates_keep_the_recall_body_without_the_precision_pass() -> None:
    body = "\n".join(ARTICLE)
    found = agree(body, body, _never)
    assert found.text == body
    assert found.method == "trafilatura-recall"


def test_lines_only_the_recall_pass_found_are_dropped_when_no_second_method_holds_them() -> None:
    recall = "\n".join([*ARTICLE, *TEASERS])
    found = agree(recall, "\n".join(ARTICLE), lambda: "\n".join(ARTICLE[:2]))
    assert found.text == "\n".join(ARTICLE)
    assert found.method == "consensus"


def test_a_line_the_precision_pass_holds_stays_though_readability_lacks_it() -> None:
    recall = "\n".join([*ARTICLE, *TEASERS])
    found = agree(recall, ARTICLE[0], lambda: "\n".join(ARTICLE))
    assert found.text == "\n".join(ARTICLE)


def test_a_subheading_between_two_kept_lines_stays() -> None:
    recall = "\n".join([ARTICLE[0], "What happens next", ARTICLE[1], *TEASERS])
    found = agree(recall, "\n".join(ARTICLE[:2]), lambda: "")
    assert found.text == "\n".join([ARTICLE[0], "What happens next", ARTICLE[1]])


def test_a_paragraph_readability_prints_twice_in_a_row_is_printed_twice() -> None:
    readability = "\n".join([ARTICLE[0], ARTICLE[0], "Share", ARTICLE[0], ARTICLE[1]])
    found = agree("\n".join(ARTICLE[:2]), readability, _never, ConsensusOptions(agreement=0.9))
    assert found.text == "\n".join([ARTICLE[0], ARTICLE[0], ARTICLE[0], ARTICLE[1]])
    assert found.method == "trafilatura-recall+repeats"


def test_an_empty_recall_pass_leaves_readability_s_body() -> None:
    assert agree("", ARTICLE[0], _never).text == ARTICLE[0]
    assert agree("", "", _never).method == "none"


def test_readability_skips_invisible_elements() -> None:
    hidden = "".join(f"<p>{p}</p>" for p in ARTICLE)
    page = fromstring(
        f"<html><body><div class='story'>{hidden}</div>"
        f"<div style='display: NONE'>{hidden}</div><div hidden>{hidden}</div></body></html>"
    )
    assert readability_candidate(page).text == "\n".join(ARTICLE)
    assert len(page.findall(".//p")) == 9  # the page itself is not changed


def test_block_text_breaks_paragraphs_at_block_elements_only() -> None:
    element = fromstring(
        "<div><h2>Title</h2><p>One <b>bold</b> word<br>next line</p><!-- x --><ul><li>a</li></ul></div>"
    )
    assert block_text(element) == "Title\nOne bold word\nnext line\na"
