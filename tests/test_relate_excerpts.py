"""Short excerpts of long articles: the first two or three paragraphs and a "read more" line.

The article is written for these tests (a fictional town council and people).
"""

from __future__ import annotations

from newstrace.extract import extract_article
from newstrace.model import RawDocument
from newstrace.relate import RelateOptions, relate_all

PARAGRAPHS = [
    "HALVERTON — The Halverton town council voted 7 to 2 on Tuesday night to close the Marsh Lane library "
    "branch at the end of the year, ending a fight that had filled the council chamber for three meetings in a row.",
    "The decision saves about $410,000 a year, according to the finance office, and moves the branch's 38,000 "
    "books to the main library on Quay Street, two miles away.",
    "Council member Petra Ilves, who voted against the closure, said the savings would be eaten up by a new "
    "shuttle service the council promised to run for elderly readers.",
    "Supporters of the branch gathered more than 2,600 signatures in four weeks and read out letters from "
    "schoolchildren who use its reading room after classes.",
    "Mayor Colm Brady said the town could no longer afford two buildings that each needed a new roof, and that "
    "the main library would extend its opening hours on weekday evenings.",
    "The council also approved a study of whether the Marsh Lane building could be leased to a community group, "
    "with a report due in March.",
    "Librarians will keep their jobs, the town's human resources director said, and will be moved to the main "
    "library or to the mobile library van that visits outlying villages.",
    "Residents who spoke at the meeting said the branch was the only public indoor space in the neighbourhood "
    "open without charge, and asked the council to find another use for it that keeps it public.",
    "The closure still needs the approval of the county library board, which meets in November and has not "
    "overturned a town council decision in more than a decade.",
    "Ilves said she would ask the board to delay its vote until the lease study is finished.",
]


def _article(article_id: str, text: str, date: str) -> object:
    return extract_article(RawDocument(origin=article_id, body=text, id=article_id, date=date))


def _relations(excerpt: str) -> list[tuple[str, str, str]]:
    # The reporter's name and the paper's above the dateline, as some sites print them: the dateline
    # then stays in the original's text.
    articles = [
        _article("original", "\n\n".join(["Anna Kerr", "Halverton Courier", *PARAGRAPHS]), "2031-05-06"),
        _article("excerpt", excerpt + "\n\nContinue reading…", "2031-05-07"),
    ]
    return [(r.original, r.derived, r.kind) for r in relate_all(articles, RelateOptions())]  # type: ignore[arg-type]


def test_an_excerpt_of_two_one_sentence_paragraphs_is_found() -> None:
    assert _relations("\n\n".join(PARAGRAPHS[:2])) == [("original", "excerpt", "excerpt")]


def test_an_excerpt_without_the_dateline_of_its_original_is_still_an_excerpt() -> None:
    first = PARAGRAPHS[0].removeprefix("HALVERTON — ")
    assert first != PARAGRAPHS[0]
    assert _relations("\n\n".join([first, *PARAGRAPHS[1:3]])) == [("original", "excerpt", "excerpt")]
