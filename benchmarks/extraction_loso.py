"""Leave one gold set out: are the consensus's three constants fitted to the sets it is measured on?

The consensus (``newstrace.extract.consensus``) has three constants, set by reasoning, not by
search: ``agreement`` (0.95), ``held_share`` (0.5) and ``paragraph_chars`` (80). Here each is
varied over a grid; for each gold set in turn, the grid point with the best mean F1 on the
other two sets is chosen and scored on the set left out, beside the defaults and the grid's
worst and best on that set. A default close to the left-out choice, and a narrow spread, say the
figures do not rest on the constants. Candidate bodies are made once per page (they do not
depend on the constants); each grid point reruns the vote and the text cleaner only.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from trafilatura.utils import load_html

from benchmarks import SHARED_DATA
from benchmarks.extraction import GOLD_SETS
from newstrace.extract.candidates import readability_candidate, trafilatura_candidate
from newstrace.extract.consensus import ConsensusOptions, agree
from newstrace.extract.evaluate import load_scrapinghub, score_extractions
from newstrace.extract.html import drop_code
from newstrace.extract.meta import read_meta
from newstrace.extract.text import clean_body

GRID = [
    ConsensusOptions(agreement=a, held_share=h, paragraph_chars=c)
    for a, h, c in itertools.product((0.9, 0.95, 1.0), (0.3, 0.5, 0.7), (40, 80, 120))
]
DEFAULT = ConsensusOptions()


@dataclass(frozen=True)
class PageCandidates:
    """One gold page's candidate bodies and title, made once."""

    gold: str
    title: str | None
    recall: str
    readability: str
    precise: str


def _candidates(html: str, url: str | None, gold: str) -> PageCandidates:
    tree = load_html(html)
    if tree is None:
        return PageCandidates(gold, None, "", "", "")
    drop_code(tree)
    return PageCandidates(
        gold=gold,
        title=read_meta(tree, url).title,
        recall=trafilatura_candidate(tree, url, "recall").text,
        readability=readability_candidate(tree).text,
        precise=trafilatura_candidate(tree, url, "precise", put_back_chunks=False).text,
    )


def _f1(pages: list[PageCandidates], options: ConsensusOptions) -> float:
    def body(page: PageCandidates) -> str:
        text = agree(page.recall, page.readability, lambda: page.precise, options).text
        return clean_body(text, title=page.title).text

    return score_extractions((page.gold, body(page)) for page in pages).f1


def _label(options: ConsensusOptions) -> str:
    return (
        f"agreement {options.agreement:g}, held {options.held_share:g}, paragraph {options.paragraph_chars}"
    )


def main() -> None:
    sets = {
        name: [
            _candidates(p.html, p.url, p.text) for p in load_scrapinghub(SHARED_DATA / "extraction" / name)
        ]
        for name in GOLD_SETS
    }
    scores = {name: {options: _f1(pages, options) for options in GRID} for name, pages in sets.items()}
    print(f"consensus constants over a grid of {len(GRID)} points; defaults: {_label(DEFAULT)}")
    print(
        f"  {'left out':<12} {'default':>8} {'chosen':>8} {'worst':>8} {'best':>8}  chosen on the other sets"
    )
    for name in GOLD_SETS:
        others = [other for other in GOLD_SETS if other != name]
        chosen = max(GRID, key=lambda o: (sum(scores[other][o] for other in others), o == DEFAULT))
        row = scores[name]
        print(
            f"  {name:<12} {row[DEFAULT]:>8.4f} {row[chosen]:>8.4f} {min(row.values()):>8.4f} "
            f"{max(row.values()):>8.4f}  {_label(chosen)}"
        )


if __name__ == "__main__":
    main()
