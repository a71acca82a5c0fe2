"""The page budget: a 50 MB page and a page of 100,000 nested or sibling elements finish, and say what was cut.

Before the budget, the 50 MB page ran for over ten minutes and the page of 100,000 sibling
blocks for a minute; these tests would hang. They assert what each page's result says, not
how long it took (timings are for ``benchmarks/extraction.py``, which prints them).
"""

from __future__ import annotations

from lxml.html import fromstring

from newstrace.engine.ingest import extract_item
from newstrace.extract import extract_article
from newstrace.extract.budget import BudgetOptions, fit_page, fit_tree
from newstrace.extract.html import HtmlOptions, extract_html
from newstrace.model import RawDocument

PARAGRAPHS = [
    "The harbour board of Port Ellery met on Tuesday and agreed to dredge the inner basin before the autumn "
    "storms, after two ferries ran aground on the silt bank in a single week.",
    "The work will cost 4.2 million and close the fish quay for a month, the board's chair told reporters, "
    "adding that the fishermen's co-operative had been consulted and had agreed to the dates.",
    "Dredging last took place in 1998, when the basin was deepened for the container ships that no longer "
    "call at the port; since then the river has carried down about a metre of mud.",
]
ARTICLE = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
HEAD = "<head><title>Port Ellery will dredge its harbour</title></head>"


def _document(html: str) -> RawDocument:
    return RawDocument(
        origin="page.html", body=html, format="html", url="https://ellery-post.example/dredging"
    )


def test_a_50_mb_page_is_cut_and_its_article_still_found() -> None:
    archive = "".join(f'<li><a href="/archive/{n}">Archive entry {n}</a></li>' for n in range(1_000_000))
    html = f"<html>{HEAD}<body><article>{ARTICLE}</article><ul>{archive}</ul></body></html>"
    assert len(html) > 50_000_000
    article = extract_article(_document(html))
    assert PARAGRAPHS[0] in article.text
    note = article.metadata["extraction_budget"]
    assert f"page of {len(html):,} characters" in note
    assert "cut to its first" in note


def test_a_50_mb_page_of_inline_data_loses_only_the_data() -> None:
    payload = "A" * 50_000_000
    html = f'<html>{HEAD}<body><article>{ARTICLE}<img src="data:image/png;base64,{payload}"></article></body></html>'
    article = extract_article(_document(html))
    assert article.text == "\n\n".join(PARAGRAPHS)
    assert "inline data dropped" in article.metadata["extraction_budget"]
    assert "cut to" not in article.metadata["extraction_budget"]


def test_a_page_of_100000_nested_elements_gives_its_article_and_says_what_the_parser_dropped() -> None:
    nested = "<div>" * 100_000 + "<p>Lost in the depths.</p>" + "</div>" * 100_000
    html = f"<html>{HEAD}<body><article>{ARTICLE}</article>{nested}</body></html>"
    article = extract_article(_document(html))
    assert article.text == "\n\n".join(PARAGRAPHS)
    assert "nested deeper than the 255 levels" in article.metadata["extraction_budget"]


def test_a_page_whose_only_text_lies_below_100000_levels_is_a_problem_saying_why() -> None:
    html = f"<html>{HEAD}<body>" + "<div>" * 100_000 + ARTICLE + "</div>" * 100_000 + "</body></html>"
    problem = extract_item(_document(html))
    assert problem.stage == "extract"
    assert "no article text found" in problem.reason
    assert "nested deeper than the 255 levels" in problem.reason


def test_a_page_of_100000_sibling_elements_takes_the_cheap_path() -> None:
    blocks = "<div><span>menu</span></div>" * 100_000
    html = f"<html>{HEAD}<body><article>{ARTICLE}</article>{blocks}</body></html>"
    page = extract_html(html)
    assert all(p in page.text for p in PARAGRAPHS)
    assert page.budget.startswith("page of 200,00")
    assert "cheap path" in page.budget
    assert page.extractor == "readability"


def test_a_spent_time_budget_skips_the_other_methods_and_says_so() -> None:
    options = HtmlOptions(budget=BudgetOptions(time_budget_s=0.0))
    page = extract_html(f"<html>{HEAD}<body><article>{ARTICLE}</article></body></html>", options=options)
    assert all(p in page.text for p in PARAGRAPHS)
    assert page.budget == "time budget of 0 s spent: trafilatura's recall pass alone"


def test_a_page_within_the_budget_is_read_whole_and_says_nothing() -> None:
    html = f"<html>{HEAD}<body><article>{ARTICLE}</article></body></html>"
    assert fit_page(html, 10_000) == (html, None)
    assert fit_tree(fromstring(html), 100) is None
    assert extract_html(html).budget is None


def test_an_unclosed_script_drops_the_rest_of_an_oversized_page() -> None:
    html = f"<html><body>{ARTICLE}<script>" + "var x = 1;" * 1000 + "</body></html>"
    fitted, note = fit_page(html, 1000)
    assert fitted == f"<html><body>{ARTICLE}"
    assert note.startswith(f"page of {len(html):,} characters")


def test_a_tree_is_cut_after_its_first_elements_in_document_order() -> None:
    tree = fromstring("<html><body><div><p>a</p><p>b</p></div><p>c</p><p>d</p></body></html>")
    note = fit_tree(tree, 4)  # html, body, div, the first p
    assert note == "page of 7 elements cut to its first 4"
    assert [element.tag for element in tree.iter()] == ["html", "body", "div", "p"]
