"""HTML pages → title, body text and metadata: candidate bodies, a line vote between them, and a budget.

The page is parsed once; the metadata readers and every candidate (``candidates``) work on that
one tree. The body is a consensus (``consensus``): trafilatura's recall-focused pass proposes the
lines (with the paragraphs of an article split into same-template blocks put back, ``chunks``),
and a line stays when Readability's highest-scoring block, or trafilatura's precision-focused
pass when the two disagree, holds it too. Their errors differ (trafilatura sometimes prunes the
article down to a fragment, Readability sometimes takes a comment thread or a link list for it),
so no length threshold decides between them. A budget (``budget``) bounds what one page may
cost: oversized pages are cut, pages with too many elements take a cheap path, a spent time
budget skips the optional candidates, and the result says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree
from lxml.html import HtmlElement
from trafilatura.utils import load_html

from newstrace.extract.budget import BudgetOptions, Deadline, fit_page, fit_tree
from newstrace.extract.candidates import readability_candidate, trafilatura_candidate
from newstrace.extract.consensus import ConsensusOptions, agree
from newstrace.extract.language import guess_language
from newstrace.extract.meta import read_meta

# Scripts and styles hold no text any reader uses (JSON-LD scripts aside: the metadata readers do);
# every method would copy and search them again, so they go once, first (a tenth of a pass).
_CODE = etree.XPath("//script[not(@type='application/ld+json')]|//style")


@dataclass(frozen=True)
class HtmlOptions:
    """How a page's body is found.

    Attributes:
        include_tables: keep tables in the body (data tables are often part of a story).
        consensus: when the precision pass is run to break a disagreement (see ``consensus``).
        budget: what one page may cost (see ``budget``).
    """

    include_tables: bool = True
    consensus: ConsensusOptions = field(default_factory=ConsensusOptions)
    budget: BudgetOptions = field(default_factory=BudgetOptions)


@dataclass(frozen=True)
class Page:
    """What a page yields before the body is cleaned.

    ``extractor`` names the method whose body was kept (``"none"`` without a body);
    ``budget`` says what the page's budget cut or skipped, ``None`` when nothing.
    """

    text: str
    title: str | None = None
    url: str | None = None
    date: str | None = None
    authors: tuple[str, ...] = ()
    outlet: str | None = None
    language: str | None = None
    description: str | None = None
    extractor: str = "none"
    budget: str | None = None
    amp: bool = False  # an AMP page (<html amp> or <html ⚡>): another rendering of its canonical page


def extract_html(html: str, url: str | None = None, options: HtmlOptions | None = None) -> Page:
    """Main text and metadata of an HTML page (empty text when the page has no article).

    Args:
        html: the page source.
        url: where the page was fetched from, when known (a canonical link in the page wins).
        options: candidates, consensus and budget; defaults are the benchmarked ones.

    Returns:
        A ``Page``; ``extractor`` says which candidate gave the text and ``budget`` what the
        page's budget cost it.
    """
    options = options or HtmlOptions()
    deadline = Deadline(options.budget.time_budget_s)
    html, page_note = fit_page(html, options.budget.max_page_chars)
    tree = load_html(html)
    if tree is None:
        return Page(text="", url=url, budget=page_note)
    tree_note = fit_tree(tree, options.budget.max_elements)
    drop_code(tree)
    notes = [note for note in (page_note, tree_note) if note]
    cheap = tree_note is not None and "elements cut" in tree_note
    meta = read_meta(tree, url, thorough=not cheap)
    if cheap:
        notes.append("cheap path: Readability's body and the page's declared metadata only")
        body = readability_candidate(tree)
        text, extractor = body.text, body.method
    else:
        text, extractor = _body(tree, url, options, deadline, notes)
    return Page(
        text=text,
        title=meta.title,
        url=meta.canonical_url or url,
        date=meta.date,
        authors=meta.authors,
        outlet=meta.site_name,
        language=meta.language or (guess_language(text) if text else None),
        description=meta.description,
        extractor=extractor if text else "none",
        budget="; ".join(notes) or None,
        amp=any(name.lower() in ("amp", "⚡") for name in tree.attrib),
    )


def drop_code(tree: HtmlElement) -> None:
    """Remove the page's scripts and styles (JSON-LD kept for the metadata readers), in place."""
    for element in _CODE(tree):
        element.drop_tree()


def _body(
    tree: HtmlElement, url: str | None, options: HtmlOptions, deadline: Deadline, notes: list[str]
) -> tuple[str, str]:
    """The consensus body and how it was reached."""
    recall = trafilatura_candidate(tree, url, "recall", options.include_tables)
    if deadline.passed():
        notes.append(f"time budget of {deadline.seconds:g} s spent: trafilatura's recall pass alone")
        return recall.text, recall.method
    readability = readability_candidate(tree)

    def precise() -> str:
        if deadline.passed():
            notes.append(f"time budget of {deadline.seconds:g} s spent: no precision pass to break the tie")
            return recall.text
        return trafilatura_candidate(tree, url, "precise", options.include_tables, put_back_chunks=False).text

    found = agree(recall.text, readability.text, precise, options.consensus)
    return found.text, found.method + ("+chunks" if recall.recovered_chunks else "")
