"""The story brief: corroboration by independent sources (copies count once), quotes, rendering, CLI."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from conftest import SAMPLES, add_articles, needs_shared, related, run_stages
from newstrace.brief import BriefOptions, make_brief, render_brief_text, sources_of
from newstrace.cli import app
from newstrace.model import Article, Relation
from newstrace.stories import make_story

ORIGINAL = Article(
    id="wire",
    outlet="Wire Service",
    date="2023-04-02",
    title="Dam breach floods Lorvik valley",
    text=(
        "The Halden dam above the Lorvik valley burst on Sunday after three days of heavy rain. "
        "Water flooded the villages of Odda and Brenn, and 1,200 residents were evacuated by the army.\n"
        "“We got everyone out before the water came,” said regional governor Mari Solberg.\n"
        "Engineers had warned in a 2019 report that the spillway of the Halden dam was too narrow for floods."
    ),
)
COPY = Article(
    id="farm",
    outlet="Content Farm",
    date="2023-04-03",
    title="Dam breach floods Lorvik valley",
    text=ORIGINAL.text + "\nShare this story with your friends on social media today.",
)
INDEPENDENT = Article(
    id="daily",
    outlet="Lorvik Daily",
    date="2023-04-02",
    title="Army evacuates Odda and Brenn as Halden dam fails",
    text=(
        "Soldiers evacuated 1,200 residents from Odda and Brenn on Sunday when the Halden dam burst after "
        "days of rain, sending water into the Lorvik valley.\n"
        "“We got everyone out before the water came,” governor Mari Solberg told reporters.\n"
        "A local farmer, Per Lund, said his cattle drowned in the flood waters near the river."
    ),
)
RELATION = Relation("wire", "farm", "duplicate", 0.98, {"original": 1.0, "derived": 0.9})
LEXICAL = BriefOptions(semantic=False)


def _brief(articles=(ORIGINAL, COPY, INDEPENDENT), relations=(RELATION,)):
    story = make_story(list(articles))
    return make_brief(list(articles), list(relations), story, LEXICAL)


def test_copies_form_one_source_with_their_original():
    sources = sources_of([COPY, INDEPENDENT, ORIGINAL], [RELATION])
    assert [[a.id for a in s] for s in sources] == [["daily"], ["wire", "farm"]]


def test_a_copy_does_not_corroborate_its_original():
    brief = _brief()
    corroborated = {s.text: s.sources for s in brief.corroborated}
    evacuation = next(t for t in corroborated if "evacuated" in t or "Odda" in t)
    assert sorted(corroborated[evacuation]) == ["daily", "wire"]
    # The spillway sentence is in the original and its copy only: one source.
    spillway = [s for s in brief.single_source if "spillway" in s.text]
    assert len(spillway) == 1 and spillway[0].sources == ("wire",)
    assert not any("spillway" in s.text for s in brief.corroborated)
    assert any("cattle" in s.text and s.sources == ("daily",) for s in brief.single_source)


def test_without_the_relation_the_copy_would_count():
    brief = _brief(relations=())
    assert any("spillway" in s.text and len(s.sources) == 2 for s in brief.corroborated)


# A small opinion site whose pages all open with the same scraped passages (its template), on
# different events: its articles are one source, so the template corroborates nothing.
SITE_TEMPLATE = (
    "Critics on both sides say the Lorvik council spends too much time on procedure and too little on results.\n"
    "Supporters answer that careful procedure has kept the valley's budget balanced for a decade.\n"
)
SITE_PAGES = [
    Article(
        id=f"side-{n}",
        outlet="The Other Side",
        site="otherside.example",
        title=title,
        text=SITE_TEMPLATE + body,
    )
    for n, (title, body) in enumerate(
        [
            ("Ferry fares", "The Lorvik ferry will charge 12 crowns a trip from May, the operator said."),
            ("Dam breach", "Soldiers evacuated 1,200 residents from Odda and Brenn when the Halden dam burst."),
            ("School merger", "The schools of Odda and Brenn will merge next year to save money, the council decided."),
        ]
    )
]


def test_articles_of_one_outlet_are_one_source():
    sources = sources_of([*SITE_PAGES, INDEPENDENT], [])
    assert [[a.id for a in s] for s in sources] == [["daily"], ["side-0", "side-1", "side-2"]]


def test_a_site_template_is_not_corroborated_by_the_sites_own_pages():
    brief = _brief((*SITE_PAGES, INDEPENDENT), ())
    assert not any("procedure" in s.text for s in brief.corroborated)
    assert any("procedure" in s.text for s in brief.single_source)
    # The dam breach page says what the independent report says: two sources, one of them the site.
    evacuation = [s for s in brief.corroborated if "evacuated" in s.text]
    assert len(evacuation) == 1 and sorted(evacuation[0].sources) == ["daily", "side-1"]


def test_one_outlet_named_by_its_site_alone_is_one_source():
    pages = [Article(id=a.id, site=a.site, title=a.title, text=a.text) for a in SITE_PAGES[:2]]
    assert len(sources_of(pages, [])) == 1


def test_quotes_are_grouped_with_every_carrier_and_the_speaker():
    brief = _brief()
    (quote,) = [q for q in brief.quotes if "everyone out" in q.text]
    assert quote.speaker == "Mari Solberg"
    assert sorted(quote.sources) == ["daily", "farm", "wire"]


def test_brief_header_and_copy_tree():
    brief = _brief()
    assert brief.copy_tree == (RELATION,)
    assert brief.first_seen == "2023-04-02" and brief.last_seen == "2023-04-03"
    assert brief.first_reported_by == ("daily", "wire")
    assert brief.outlets == ("Content Farm", "Lorvik Daily", "Wire Service")
    text = render_brief_text(brief, {a.id: a for a in (ORIGINAL, COPY, INDEPENDENT)})
    assert '  wire (Wire Service, 2023-04-02) "Dam breach floods Lorvik valley"\n  └── farm (Content Farm' in text
    assert "Mari Solberg" in text and "2023-04-02 to 2023-04-03" in text


def test_brief_is_deterministic_whatever_the_article_order():
    assert _brief((INDEPENDENT, COPY, ORIGINAL)) == _brief()


def test_cli_brief_json_and_text(db_path):
    from newstrace.store import open_store

    with open_store(db_path) as store:
        add_articles(store, [ORIGINAL, COPY, INDEPENDENT])
        related(store, [RELATION])
        (story,) = run_stages(store, "stories").stories
    runner = CliRunner()
    result = runner.invoke(app, ["brief", story.id, "--db", str(db_path), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["story"] == story.id and data["corroborated"]
    result = runner.invoke(app, ["brief", story.id, "--db", str(db_path)])
    assert result.exit_code == 0 and "Corroborated by several independent sources" in result.stdout
    assert runner.invoke(app, ["brief", "--help"]).exit_code == 0


def test_cli_brief_rejects_an_unknown_format(db_path):
    from newstrace.errors import NewstraceError

    result = CliRunner().invoke(app, ["brief", "story-x", "--db", str(db_path), "--format", "xml"])
    assert isinstance(result.exception, NewstraceError) and "xml" in str(result.exception)


def test_cli_brief_unknown_story_is_an_error(db_path):
    from newstrace.errors import NotFoundError

    result = CliRunner().invoke(app, ["brief", "story-nope", "--db", str(db_path)])
    assert isinstance(result.exception, NotFoundError)


@needs_shared(SAMPLES)
@pytest.mark.slow
@pytest.mark.parametrize("semantic", [False, True])
def test_seed_articles_brief(semantic):
    from newstrace.nlp.embedding import load_encoder, semantic_available

    if semantic and not semantic_available():
        pytest.skip("semantic extra not installed")
    articles = [Article(id=p.name[:3], text=p.read_text()) for p in sorted(SAMPLES.glob("*.txt"))]
    from newstrace.stories import cluster_articles

    (story,) = cluster_articles(articles)
    brief = make_brief(articles, [], story, BriefOptions(), load_encoder() if semantic else None)
    corroborated = " ".join(s.text for s in brief.corroborated)
    for needle in ("sincere", "vaccines", "Samsung"):
        assert needle in corroborated
    single = {s.text: s.sources for s in brief.single_source}
    assert any("Hyundai" in t and src == ("000",) for t, src in single.items())
    assert any("wreath" in t and src == ("001",) for t, src in single.items())
