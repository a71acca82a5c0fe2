"""Site templates: lines recurring verbatim across a site's articles are learnt, marked and kept out of the text."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import replace

import pytest

from newstrace.engine import LocalEngine
from newstrace.extract import stage
from newstrace.extract.stage import learn_templates
from newstrace.extract.templates import (
    TEMPLATE_REASON,
    SiteTemplates,
    TemplateOptions,
    article_keys,
    changed_by,
    line_key,
    strip_templates,
)
from newstrace.model import Article, RawDocument
from newstrace.relate import relate_all
from newstrace.store import Store
from newstrace.stories import cluster_articles
from newstrace.workers import Workers

SITE = "flipwire.example"
# The standing passages every page of the hand-made site opens with (a scraper pasted them in).
PITCH = (
    "Subscribers to the Flipwire morning letter get every argument from both sides before breakfast, "
    "with the columns we quote linked in full and a weekly roundup of the readers' letters we liked best."
)
HEADING = "From both sides"

# Twenty different events, one per page, written for this test.
EVENTS = [
    "Flood waters in Marrowby reached the town hall steps on Monday after the Ousel river broke its banks "
    "near the old tannery, and volunteers stacked sandbags along Bridge Street through the night.",
    "The Kelton city council voted nine to four to close the Harwick Road library branch, citing a budget "
    "shortfall of 2.3 million dollars, while parents protested outside the chamber.",
    "A freight train carrying fertiliser derailed outside Pinecrest junction, forcing the evacuation of "
    "forty homes; the regional railway operator said no chemicals leaked into the creek.",
    "Astronomers at the Vellmar observatory reported a comet brighter than any seen in thirty years, "
    "visible to the naked eye low in the western sky after sunset until the end of March.",
    "Dockworkers at the port of Saltmere began a three-day strike over night-shift pay, leaving container "
    "ships anchored in the bay and supermarkets warning of empty fruit shelves.",
    "The Brannock school board approved a four-day week for its rural schools, saying the change would "
    "save bus fuel and help recruit teachers who commute from the coast.",
    "Wildfire crews contained a blaze that burned 1,200 acres of pine forest above Dunhollow, after "
    "aircraft dropped retardant along the ridge for two days.",
    "The governor of Estria signed a law capping insulin co-payments at thirty-five dollars a month, "
    "effective in January, after pharmacists testified about patients skipping doses.",
    "Archaeologists digging beneath a car park in Wetherell uncovered a Roman bathhouse floor with "
    "intact mosaics of dolphins and a bronze coin minted under Hadrian.",
    "The Corvane football club sacked its manager after eleven matches without a win, and the chairman "
    "promised supporters a new appointment before the winter transfer window.",
    "A magnitude 5.8 earthquake shook the Tessaly valley before dawn, cracking the bell tower of the "
    "cathedral and cutting power to twelve villages for most of the morning.",
    "Researchers at Halden University published a trial in which a cheap antiparasitic drug failed to "
    "shorten hospital stays for patients with severe influenza.",
    "The mayor of Quillport unveiled plans for a tram line linking the ferry terminal with the airport, "
    "to be paid for by a tourist tax on hotel rooms.",
    "Farmers in the Orrin plain blocked the motorway with tractors to protest a cut in diesel subsidies, "
    "causing tailbacks of fifteen kilometres on the morning commute.",
    "The central bank of Norland raised its main interest rate by half a point to 4.25 percent, its "
    "sixth increase in a year, as food prices kept climbing.",
    "A hospital in Fenwick suspended planned surgery for a week after a ransomware attack encrypted its "
    "patient records, and ambulances were diverted to Lowmarsh.",
    "The Ashgrove zoo announced the birth of twin snow leopard cubs, the first born in captivity in the "
    "country, and said visitors could see them from the spring.",
    "Police in Redwater arrested three men over the theft of copper cable from the signalling system, "
    "which had halted commuter trains for two days.",
    "The Calder ferry company cancelled all crossings to the islands after its only large vessel failed "
    "a safety inspection over corroded lifeboat davits.",
    "Voters in the Bellmoor district rejected a proposal to build a waste incinerator on the former "
    "airfield, by a margin of nearly two to one in Sunday's referendum.",
]


def _page(index: int) -> Article:
    text = f"{HEADING}\n\n{PITCH}\n\n{EVENTS[index]}"
    return Article(
        id=f"flip-{index:02d}",
        text=text,
        title=EVENTS[index].split(",")[0],
        site=SITE,
        date=f"2031-03-{1 + index:02d}",
    )


def _learnt(pages: list[Article]) -> SiteTemplates:
    learner = SiteTemplates()
    for page in pages:
        learner.add_article(page)
    return learner


def _template_lines(article: Article) -> list[str]:
    return [r.text for r in article.removed if r.reason == TEMPLATE_REASON]


def test_a_passage_on_every_page_of_a_site_is_marked_as_template_on_every_page() -> None:
    pages = [_page(i) for i in range(20)]
    templates = _learnt(pages).templates(SITE)
    assert templates == {line_key(PITCH), line_key(HEADING)}
    for page, event in zip(pages, EVENTS, strict=True):
        stripped = strip_templates(page, templates)
        assert stripped.text == event
        assert _template_lines(stripped) == [HEADING, PITCH]


def test_two_pages_on_different_events_are_neither_related_nor_one_story_once_the_template_is_out() -> None:
    pages = [_page(i) for i in range(20)]
    templates = _learnt(pages).templates(SITE)
    stripped = [strip_templates(page, templates) for page in pages]
    flood, library = stripped[0].id, stripped[1].id
    related = {(r.original, r.derived) for r in relate_all(stripped)}
    assert (flood, library) not in related
    assert (library, flood) not in related
    story_of = {a: story.id for story in cluster_articles(stripped) for a in story.articles}
    assert story_of[flood] != story_of[library]


def test_a_line_on_fewer_pages_than_the_minimum_is_not_template() -> None:
    learner = SiteTemplates(TemplateOptions(min_articles=5))
    for page in [_page(i) for i in range(4)]:
        learner.add_article(page)
    assert learner.templates(SITE) == frozenset()


def test_the_same_page_under_another_id_or_again_counts_once() -> None:
    learner = SiteTemplates(TemplateOptions(min_articles=2))
    page = _page(0)
    learner.add_article(page)
    learner.add_article(page)
    learner.add_article(replace(page, id="another-url-of-the-same-page"))
    assert learner.templates(SITE) == frozenset()
    learner.add_article(_page(1))
    assert learner.templates(SITE) == {line_key(PITCH), line_key(HEADING)}


def test_templates_do_not_depend_on_the_order_pages_arrive_in() -> None:
    pages = [_page(i) for i in range(12)]
    pages.append(replace(_page(12), id="copy-of-3", text=_page(3).text))
    forward, backward = _learnt(pages), _learnt(pages[::-1])
    assert forward.templates(SITE) == backward.templates(SITE)
    assert forward.templates(SITE)


def test_other_sites_learn_nothing_from_this_one() -> None:
    learner = _learnt([_page(i) for i in range(20)])
    assert learner.templates("another.example") == frozenset()
    assert learner.sites() == [SITE]


def test_keys_ignore_case_punctuation_and_spacing_but_not_words() -> None:
    assert line_key("Sign up for our newsletter!") == line_key("  SIGN UP — for our   newsletter ")
    assert line_key("Sign up for our newsletter") != line_key("Sign up for our podcast")
    assert line_key("—  …") is None


@pytest.mark.parametrize(
    "line",
    [
        "Plain ASCII, with_underscores and   spaces -- and (brackets).",
        "\u201cCurly quotes\u201d and \u2018single\u2019 ones \u2014 an em dash \u2013 an en dash \u2026 \u2022 bullet",
        "Soft\u00adhyphen, zero\u200bwidth, \u00abguillemets\u00bb \u00b7 middle dot",
        "Caf\u00e9 M\u00fcnchen \u00c9COLE \u2014 \u0130stanbul \u03a3\u039f\u03a6\u039f\u03a3",
        "\ufb01nal \uff26\uff55\uff4c\uff4c\uff57\uff49\uff44\uff54\uff48 \u2460 \u00bd \u00a0nbsp",
        "\u65b0\u95fb\u62a5\u9053\u3002\u201c\u5f15\u8bed\u201d \u0645\u0631\u062d\u0628\u0627",
        "\u2014 \u2026 \u201c\u201d",
    ],
)
def test_a_key_is_the_hash_of_the_casefolded_nfkc_words_whichever_path_reads_the_line(line: str) -> None:
    words = re.sub(r"[\W_]+", " ", unicodedata.normalize("NFKC", line).casefold()).strip()
    assert line_key(line) == (hashlib.sha1(words.encode("utf-8")).hexdigest()[:16] if words else None)


def test_learning_names_exactly_the_articles_holding_a_template_line_in_workers_or_not(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(stage, "PARALLEL_MIN_ARTICLES", 2)  # so that two forked workers read the keys
    pages = [_page(i) for i in range(8)]
    own = [replace(_page(i), id=f"own-{i}", text=EVENTS[i]) for i in range(8, 12)]
    elsewhere = [replace(page, id=f"x-{page.id}", site="another.example") for page in pages[:3]]
    articles = [*pages, *own, *elsewhere]
    with Workers(2) as workers:
        learnt = [
            learn_templates(articles, TemplateOptions()),
            learn_templates(articles, TemplateOptions(), workers),
        ]
    assert learnt[0] == learnt[1]
    assert learnt[0].templates == {"another.example": [], SITE: sorted({line_key(PITCH), line_key(HEADING)})}
    assert learnt[0].holders == {page.id for page in pages}


def test_a_stripped_page_gives_the_same_keys_so_learning_again_changes_nothing() -> None:
    page = _page(0)
    stripped = strip_templates(page, {line_key(PITCH)})
    assert article_keys(stripped) == article_keys(page)
    assert strip_templates(stripped, {line_key(PITCH)}) == stripped


def test_stripping_keeps_the_other_lines_of_a_paragraph_and_its_breaks() -> None:
    page = replace(_page(0), text=f"First line.\n{PITCH}\nThird line.\n\nNext paragraph.")
    stripped = strip_templates(page, {line_key(PITCH)})
    assert stripped.text == "First line.\nThird line.\n\nNext paragraph."


def test_growing_the_template_set_names_the_earlier_pages_it_changes() -> None:
    learner = SiteTemplates(TemplateOptions(min_articles=3))
    pages = [_page(i) for i in range(3)]
    other = replace(_page(3), text=EVENTS[3])
    became = frozenset()
    for page in [other, *pages]:
        became |= learner.add_article(page)
    assert became == {line_key(PITCH), line_key(HEADING)}
    assert changed_by([other, *pages], became) == [page.id for page in pages]
    assert changed_by(pages, frozenset()) == []


# More standing text, as a scraper that pastes a site's whole about box into every page leaves it.
ABOUT = [
    "Flipwire is an independent newsletter that reads the left, the right and the centre every day so that "
    "you do not have to, and it has no owner other than the readers who pay for it each month.",
    "We pick one question a day, summarise the strongest arguments made on each side of it in the week's "
    "columns, and link every column in full so that you can judge the whole argument for yourself.",
]


def _html_page(index: int) -> RawDocument:
    """Page ``index`` of the hand-made site as its HTML, the standing passages inside the article's markup."""
    title = " ".join(EVENTS[index].split()[:6])
    standing = "".join(f"<p>{p}</p>" for p in (PITCH, *ABOUT))
    body = f"<h1>{title}</h1><h2>{HEADING}</h2>{standing}<p>{EVENTS[index]}</p>"
    html = f"<html><head><title>{title}</title></head><body><article>{body}</article></body></html>"
    return RawDocument(
        origin=f"page-{index:02d}.html",
        body=html,
        format="html",
        url=f"https://{SITE}/2031/03/{index:02d}",
        date=f"2031-03-{1 + index:02d}",
    )


def test_the_engine_marks_a_site_template_on_every_page_and_relates_no_pages_through_it(any_store: Store) -> None:
    store = any_store
    with LocalEngine(store, workers=Workers(1)) as engine:
        ingested = engine.ingest_documents([_html_page(i) for i in range(20)])
        before = list(store.articles.many(ingested.new_ids))
        report = engine.run()
    assert all(PITCH in article.text for article in before)  # extraction keeps it: it is in the article's markup
    assert report.notes[0] == "site templates: 80 lines moved out of 20 articles"
    articles = {article.text: article for article in store.articles.all()}
    assert sorted(articles) == sorted(EVENTS)
    assert all(_template_lines(article) == [HEADING, PITCH, *ABOUT] for article in articles.values())
    flood, library = articles[EVENTS[0]].id, articles[EVENTS[1]].id
    assert store.relations.of([flood, library]) == []
    story_of = store.stories.of([flood, library])
    assert story_of[flood] != story_of[library]
    # What the step prevents: with the standing text left in, relate takes both pages for edits of others.
    assert {a for r in relate_all(before) for a in (r.original, r.derived)} >= {flood, library}


def test_a_page_of_nothing_but_its_site_s_template_is_left_whole(any_store: Store) -> None:
    documents = [_html_page(i) for i in range(6)]
    standing = "".join(f"<p>{p}</p>" for p in (PITCH, *ABOUT))
    bare = f"<html><body><article><h2>{HEADING}</h2>{standing}</article></body></html>"
    documents.append(RawDocument(origin="about.html", body=bare, format="html", url=f"https://{SITE}/about"))
    with LocalEngine(any_store, workers=Workers(1)) as engine:
        engine.ingest_documents(documents)
        engine.run()
    about = next(a for a in any_store.articles.all() if a.url == f"https://{SITE}/about")
    assert PITCH in about.text
    assert _template_lines(about) == []


def test_a_page_arriving_alone_later_loses_the_template_learnt_before(any_store: Store) -> None:
    """A small run strips with the templates a bulk run kept in the store, without reading the site again."""
    with LocalEngine(any_store, workers=Workers(1)) as engine:
        engine.ingest_documents([_html_page(i) for i in range(19)])
        engine.run()
        late = engine.ingest_documents([_html_page(19)])
        report = engine.run()
    assert report.notes[0] == "site templates: 4 lines moved out of 1 articles"
    [article] = any_store.articles.many(late.new_ids)
    assert article.text == EVENTS[19] and _template_lines(article) == [HEADING, PITCH, *ABOUT]
