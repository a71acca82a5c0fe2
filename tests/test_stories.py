"""Stories: event-level grouping, copies with their original, time window, order independence."""

from __future__ import annotations

import json
import math
import random

import pytest
from typer.testing import CliRunner

from conftest import add_articles, related, run_stages
from newstrace.cli import app
from newstrace.engine import AnalyzeOptions, LocalEngine
from newstrace.model import Article, Relation
from newstrace.store import open_store
from newstrace.stories import StoryOptions, cluster, cluster_articles, story_id
from newstrace.stories.cluster import average_linkage, canonical_order, edge_score, similarity_graph
from newstrace.stories.decision import Evidence, largest_factor
from newstrace.stories.features import (
    FeatureOptions,
    Signature,
    TermStats,
    publication_day,
    same_event_day,
    signature,
    terms,
)
from newstrace.stories.index import build_index
from newstrace.stories.stage import recorded_options
from newstrace.workers import Workers


def _add(store, articles: list[Article]) -> None:
    """Store ``articles`` and count every stored article as related (no copies among them)."""
    add_articles(store, articles)
    related(store)


def _place(store, options: StoryOptions | None = None) -> list:
    """Run the stories stage on the articles due for it; the stories it made or changed."""
    return run_stages(store, "stories", AnalyzeOptions(stories=options)).stories


def _rebuild(store, options: StoryOptions | None = None) -> list:
    """Group every stored article again; every story of the store."""
    with LocalEngine(store, AnalyzeOptions(stories=options), Workers(1)) as engine:
        engine.redo("stories")
    return store.stories.all()


def _story_of(store, article_id: str) -> str | None:
    return store.stories.of([article_id]).get(article_id)

QUAKE_VALDORIA = [
    (
        "Magnitude 7.1 earthquake strikes Valdoria, killing 42",
        "A magnitude 7.1 earthquake struck the Valdorian city of Marenta on Tuesday, killing at least 42 "
        "people and toppling the old cathedral, Valdoria's civil defence agency said. Rescue teams led by "
        "governor Ilsa Brandt searched the rubble of Marenta through the night.",
    ),
    (
        "Valdoria quake: death toll rises to 42 in Marenta",
        "The death toll from Tuesday's 7.1 earthquake in Marenta, Valdoria rose to 42, officials said. "
        "Governor Ilsa Brandt said the cathedral of Marenta collapsed and rescue teams were still searching.",
    ),
    (
        "Rescuers search Marenta rubble after deadly Valdoria earthquake",
        "Rescuers in Marenta dug through collapsed buildings after the magnitude 7.1 earthquake that hit "
        "Valdoria on Tuesday. Governor Ilsa Brandt said 42 people had died, including worshippers at the cathedral.",
    ),
]
QUAKE_KORVIA = [
    (
        "6.4 quake hits Korvia's Tessel island, three dead",
        "A 6.4-magnitude earthquake shook Tessel island in Korvia on Sunday, killing three people and cutting "
        "power to the port of Holmsund, the Korvian geological survey said. Mayor Petr Ostrava ordered schools closed.",
    ),
    (
        "Earthquake on Tessel: three killed, Holmsund port without power",
        "Three people were killed when a 6.4 earthquake hit Tessel, Korvia, on Sunday. Holmsund mayor Petr "
        "Ostrava said the port had no power and schools on Tessel would stay closed.",
    ),
]
ELECTION = [
    (
        "Aldermoor elects Jana Voss as mayor",
        "Jana Voss won the Aldermoor mayoral election with 54 percent of the vote, defeating incumbent Tomas "
        "Reed, the city election board said on Monday. Voss promised a new tram line for Aldermoor.",
    ),
]


def _articles(
    groups: list[list[tuple[str, str]]], prefix: str = "a", date: str | None = None
) -> list[Article]:
    return [
        Article(id=f"{prefix}{g}{i}", title=title, text=text, date=date, outlet=f"outlet{i}")
        for g, group in enumerate(groups)
        for i, (title, text) in enumerate(group)
    ]


def _grouping(stories) -> set[frozenset[str]]:
    return {frozenset(s.articles) for s in stories}


def test_two_different_earthquakes_are_two_stories():
    articles = _articles([QUAKE_VALDORIA, QUAKE_KORVIA, ELECTION])
    assert _grouping(cluster_articles(articles)) == {
        frozenset({"a00", "a01", "a02"}),
        frozenset({"a10", "a11"}),
        frozenset({"a20"}),
    }


def test_copy_and_independent_report_join_the_original_story():
    original, independent = _articles([QUAKE_VALDORIA[:1], QUAKE_VALDORIA[1:2]])
    copy = Article(id="copy", text="Breaking news roundup. Read more at our site.", title="Site news")
    relation = Relation(original.id, copy.id, "duplicate", 1.0, {"original": 1.0, "derived": 1.0})
    stories = cluster_articles([original, independent, copy], relations=[relation])
    assert _grouping(stories) == {frozenset({original.id, independent.id, copy.id})}


def test_articles_months_apart_are_not_merged_by_default():
    first = Article(id="early", title=QUAKE_VALDORIA[0][0], text=QUAKE_VALDORIA[0][1], date="2020-01-07")
    near = Article(id="near", title=QUAKE_VALDORIA[1][0], text=QUAKE_VALDORIA[1][1], date="2020-01-08")
    late = Article(id="late", title=QUAKE_VALDORIA[1][0], text=QUAKE_VALDORIA[1][1], date="2020-06-20")
    assert _grouping(cluster_articles([first, near, late])) == {
        frozenset({"early", "near"}),
        frozenset({"late"}),
    }
    wide = StoryOptions(window_days=365, max_span_days=365)
    assert _grouping(cluster_articles([first, near, late], wide)) == {frozenset({"early", "near", "late"})}


FARM_PROTESTS = [
    (
        "monday",
        "Farmers block Marenta ring road over fuel prices",
        "Hundreds of farmers drove tractors onto the Marenta ring road on Monday to protest against diesel "
        "prices, union leader Ilsa Brandt said. Police closed two exits.",
    ),
    (
        "monday-too",
        "Tractors shut Marenta ring road in diesel protest",
        "Farmers led by union chief Ilsa Brandt blocked the Marenta ring road with tractors on Monday, angry "
        "at diesel prices. Police closed exits.",
    ),
    (
        "thursday",
        "Farmers return to Marenta ring road in diesel price protest",
        "Farmers again blocked the Marenta ring road with tractors on Thursday over diesel prices, union "
        "leader Ilsa Brandt said. Police closed two exits.",
    ),
]


DAY_RULE = Evidence(same_weekday=math.log(1.2), other_weekday=math.log(0.7))


def test_leads_naming_different_days_are_less_alike_than_the_same_day():
    articles = [Article(id=key, title=title, text=text) for key, title, text in FARM_PROTESTS]
    options = StoryOptions(evidence=DAY_RULE)
    signatures = canonical_order([signature(a, options.features) for a in articles])
    assert [s.weekdays for s in signatures] == [(0,), (0,), (3,)]
    stats = TermStats.from_signatures(signatures)
    vectors = [stats.vector(s, options.features) for s in signatures]
    plain = similarity_graph(vectors, signatures, StoryOptions(evidence=Evidence()))
    weighed = similarity_graph(vectors, signatures, options)
    assert math.isclose(weighed[(0, 1)], plain[(0, 1)] * 1.2)
    assert math.isclose(weighed[(0, 2)], plain[(0, 2)] * 0.7)
    # The Thursday blockade is a second event: with the day rule it stays out, without it it joins.
    strict = StoryOptions(threshold=0.7, evidence=DAY_RULE)
    assert _grouping(cluster_articles(articles, strict)) == {
        frozenset({"monday", "monday-too"}),
        frozenset({"thursday"}),
    }
    blind = StoryOptions(threshold=0.7, evidence=Evidence())
    assert _grouping(cluster_articles(articles, blind)) == {frozenset({"monday", "monday-too", "thursday"})}


def test_dated_leads_compare_the_days_their_weekdays_point_to():
    def lead(key: str, date: str | None, text: str):
        return signature(Article(id=key, text=text, date=date), FeatureOptions())

    tuesday = lead("a", "2021-03-02", "Voters went to the polls on Monday. Turnout was high.")
    thursday = lead("b", "2021-03-04", "The count from Monday's vote was finished. It took days.")
    next_week = lead("c", "2021-03-09", "Voters went to the polls again on Monday.")
    undated = lead("d", None, "The vote on Monday was calm.")
    no_day = lead("e", "2021-03-02", "Voters went to the polls. Turnout was high. Results come on Friday.")
    assert same_event_day(tuesday, thursday) is True  # both mean 1 March
    assert same_event_day(tuesday, next_week) is False  # 1 March against 8 March
    assert same_event_day(next_week, undated) is True  # only the weekdays can be compared
    assert same_event_day(tuesday, no_day) is None  # a weekday past the lead does not count


def test_clustering_does_not_depend_on_input_order():
    articles = _articles([QUAKE_VALDORIA, QUAKE_KORVIA, ELECTION], date="2021-03-02")
    expected = cluster_articles(articles)
    for seed in range(5):
        shuffled = articles[:]
        random.Random(seed).shuffle(shuffled)
        assert cluster_articles(shuffled) == expected


def test_ingest_order_gives_the_same_stories(tmp_path):
    from newstrace.store import open_store

    articles = _articles([QUAKE_VALDORIA, QUAKE_KORVIA, ELECTION], date="2021-03-02")
    results = []
    for name, order in (("forward", articles), ("backward", articles[::-1])):
        with open_store(tmp_path / f"{name}.db") as store:
            incremental = []
            for article in order:
                _add(store, [article])
                _place(store)
            incremental = store.stories.all()
            rebuilt = _rebuild(store)
            results.append((incremental, rebuilt))
    (forward_incremental, forward_rebuilt), (backward_incremental, backward_rebuilt) = results
    assert forward_rebuilt == backward_rebuilt
    assert _grouping(forward_incremental) == _grouping(backward_incremental) == _grouping(forward_rebuilt)
    assert [s.id for s in forward_incremental] == [s.id for s in forward_rebuilt]


def test_a_bulk_of_new_articles_is_placed_by_a_rebuild(store, monkeypatch):
    import newstrace.stories.stage

    articles = _articles([QUAKE_VALDORIA, QUAKE_KORVIA, ELECTION], date="2021-03-02")
    _add(store, articles)
    monkeypatch.setattr(newstrace.stories.stage, "BULK_ARTICLES", 2)
    changed = _place(store)
    assert changed == store.stories.all() == cluster_articles(articles)
    assert _place(store) == []


def test_assign_joins_a_matching_story_or_starts_one(store):
    valdoria = _articles([QUAKE_VALDORIA[:2]], date="2021-03-02")
    _add(store, valdoria)
    _rebuild(store)
    report = Article(
        id="late-report", title=QUAKE_VALDORIA[2][0], text=QUAKE_VALDORIA[2][1], date="2021-03-03"
    )
    election = Article(id="vote", title=ELECTION[0][0], text=ELECTION[0][1], date="2021-03-03")
    _add(store, [report, election])
    changed = _place(store)
    assert _story_of(store, "late-report") == _story_of(store, valdoria[0].id)
    assert _story_of(store, "vote") == story_id([election])
    assert {s.id for s in changed} == {_story_of(store, "late-report"), _story_of(store, "vote")}
    assert len(store.stories.all()) == 2


def test_assign_does_not_join_a_story_months_away(store):
    _add(store, _articles([QUAKE_VALDORIA[:2]], date="2021-03-02"))
    _rebuild(store)
    late = Article(id="late", title=QUAKE_VALDORIA[2][0], text=QUAKE_VALDORIA[2][1], date="2021-09-01")
    _add(store, [late])
    _place(store)
    assert _story_of(store, "late") == story_id([late])
    assert len(store.stories.all()) == 2


def test_articles_added_after_a_rebuild_follow_its_options(store, tmp_path):
    _add(store, _articles([QUAKE_VALDORIA[:2]], date="2021-03-02"))
    _rebuild(store, StoryOptions(window_days=365, max_span_days=365))
    late = Article(id="late", title=QUAKE_VALDORIA[2][0], text=QUAKE_VALDORIA[2][1], date="2021-09-01")
    _add(store, [late])
    _place(store)  # no options: those of the rebuild, a year's window
    assert _story_of(store, "late") == _story_of(store, "a00")
    assert _rebuild(store) == store.stories.all() and len(store.stories.all()) == 1
    db = tmp_path / "cli.db"
    with open_store(db) as disk:
        _add(disk, _articles([QUAKE_VALDORIA], date="2021-03-02"))
    assert CliRunner().invoke(app, ["stories", "rebuild", "--db", str(db), "--window-days", "3"]).exit_code == 0
    assert CliRunner().invoke(app, ["stories", "rebuild", "--db", str(db)]).exit_code == 0
    with open_store(db) as disk:
        assert recorded_options(disk) == StoryOptions(window_days=3)


def test_assign_puts_a_copy_with_its_original(store):
    original = Article(id="orig", title=ELECTION[0][0], text=ELECTION[0][1], date="2021-03-02")
    _add(store, [original])
    _rebuild(store)
    # Republished half a year later: outside the time window, but a copy all the same.
    copy = Article(id="farm-copy", text="Unrelated scraped text about gardening tips.", date="2021-09-05")
    _add(store, [copy])
    related(store, [Relation("orig", "farm-copy", "rewrite", 0.9, {"original": 0.9, "derived": 0.9})])
    _place(store)
    assert _story_of(store, "farm-copy") == _story_of(store, "orig")


def test_the_store_keeps_every_signature_and_the_frequencies_of_their_terms(store):
    articles = _articles([QUAKE_VALDORIA, QUAKE_KORVIA, ELECTION], date="2021-03-02")
    _add(store, articles[:4])
    _rebuild(store)
    _add(store, articles[4:])
    _place(store)
    expected = TermStats.from_signatures(signature(a, FeatureOptions()) for a in articles)
    table = store.index("story")
    assert table.count() == len(articles)
    assert table.frequencies() == expected.document_frequency
    assert table.entries(ids=["a00"])[0][:2] == ("a00", publication_day("2021-03-02"))


def test_signatures_are_made_again_when_the_feature_options_change(store):
    articles = _articles([QUAKE_VALDORIA], date="2021-03-02")
    _add(store, articles)
    _rebuild(store)
    whole_words = StoryOptions(features=FeatureOptions(prefix=0))
    _rebuild(store, whole_words)
    expected = TermStats.from_signatures(signature(a, whole_words.features) for a in articles)
    assert store.index("story").frequencies() == expected.document_frequency
    assert "earthquake" in store.index("story").frequencies()


def test_an_earlier_article_renames_the_story(store):
    later = Article(id="z-later", title=QUAKE_KORVIA[0][0], text=QUAKE_KORVIA[0][1], date="2021-03-05")
    _add(store, [later])
    _rebuild(store)
    earlier = Article(id="y-earlier", title=QUAKE_KORVIA[1][0], text=QUAKE_KORVIA[1][1], date="2021-03-04")
    _add(store, [earlier])
    _place(store)
    stories = store.stories.all()
    assert [s.id for s in stories] == [story_id([earlier])]
    assert stories[0].articles == ("y-earlier", "z-later")
    assert stories[0].first_seen == "2021-03-04" and stories[0].last_seen == "2021-03-05"


def test_story_index_assigns_in_memory():
    options = StoryOptions()
    known = _articles([QUAKE_VALDORIA[:2], QUAKE_KORVIA, ELECTION], date="2021-03-02")
    story_of = {a: s.id for s in cluster_articles(known, options) for a in s.articles}
    index = build_index([signature(a, options.features) for a in known], story_of, options)
    report = Article(id="new", title=QUAKE_VALDORIA[2][0], text=QUAKE_VALDORIA[2][1], date="2021-03-03")
    assert index.assign(report) == story_of["a00"]
    other = Article(id="other", title="Orchestra tours Fennland", text="The Brask orchestra began a tour.")
    assert index.assign(other) == "other"
    assert len(index) == len(known) + 2
    assert index.stories()[story_of["a00"]] == ["a00", "a01", "new"]


def test_story_record_fields():
    articles = _articles([QUAKE_KORVIA], date="2021-03-02")
    (story,) = cluster_articles(articles)
    assert story.title == QUAKE_KORVIA[0][0]
    assert story.outlets == ("outlet0", "outlet1")
    assert story.first_seen == story.last_seen == "2021-03-02"
    assert story.id == story_id(articles) and story.id.startswith("story-")


def test_features_weigh_names_and_numbers_and_drop_function_words():
    counts = terms("The mayor met Jana Voss. Voss won 54 percent.", FeatureOptions(prefix=0))
    assert counts["voss"] == 1.5 + 1.0  # a name inside a sentence, then at a sentence start
    assert counts["#54"] == 1.0
    assert "the" not in counts


def test_vector_leaves_out_terms_only_one_article_has():
    options = FeatureOptions(prefix=0)
    a = signature(Article(id="a", text="Quake hits Marenta city."), options)
    b = signature(Article(id="b", text="Marenta mourns."), options)
    stats = TermStats.from_signatures([a, b])
    assert set(stats.vector(a, options)) == {"marenta"}
    assert publication_day("2020-01-02T10:00:00") == publication_day("2020-01-02")
    assert publication_day("not a date") is None


def test_average_linkage_does_not_chain_look_alikes():
    edges = {(0, 1): 0.9, (1, 2): 0.3, (2, 3): 0.9}
    assert average_linkage(4, edges, StoryOptions(threshold=0.25)) == [[0, 1], [2, 3]]
    assert average_linkage(4, edges, StoryOptions(threshold=0.05)) == [[0, 1, 2, 3]]


def test_undated_articles_do_not_bridge_events_months_apart():
    # 0 and 2 are dated half a year apart; the undated 1 resembles both.
    edges = {(0, 1): 0.9, (1, 2): 0.9}
    days = [737000, None, 737180]
    assert average_linkage(3, edges, StoryOptions(threshold=0.2), days=days) == [[0, 1], [2]]
    assert average_linkage(3, edges, StoryOptions(threshold=0.2, max_span_days=365), days=days) == [[0, 1, 2]]


def test_groups_naming_different_participants_are_kept_apart():
    # Two bouts of one boxer: every pair is alike, but each group names its own challenger.
    edges = {(a, b): 0.6 if (a < 4) == (b < 4) else 0.4 for a in range(8) for b in range(a + 1, 8)}
    names = [{"klitschko", "rahman"}] * 4 + [{"klitschko", "thompson"}] * 4
    assert average_linkage(8, edges, StoryOptions(threshold=0.3), names) == [[0, 1, 2, 3], [4, 5, 6, 7]]
    assert average_linkage(8, edges, StoryOptions(threshold=0.3)) == [list(range(8))]
    shared = [{"klitschko", "rahman"}] * 8
    assert average_linkage(8, edges, StoryOptions(threshold=0.3), shared) == [list(range(8))]


def test_cli_rebuild_and_export(db_path):
    from newstrace.store import open_store

    with open_store(db_path) as store:
        _add(store, _articles([QUAKE_VALDORIA, QUAKE_KORVIA]))
    runner = CliRunner()
    result = runner.invoke(app, ["stories", "rebuild", "--db", str(db_path)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["export", "stories", "--db", str(db_path)])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert sorted(len(r["articles"]) for r in records) == [2, 3]
    assert set(records[0]) == {"id", "title", "articles", "first_seen", "last_seen", "outlets"}
    result = runner.invoke(app, ["export", "stories", "--db", str(db_path), "--format", "csv"])
    assert result.exit_code == 0 and result.stdout.startswith("id,title,articles")


def test_cli_commands_have_help():
    runner = CliRunner()
    for command in (["stories", "--help"], ["stories", "rebuild", "--help"], ["export", "stories", "--help"]):
        result = runner.invoke(app, command)
        assert result.exit_code == 0 and "Usage" in result.output


def test_a_rebuild_with_other_options_keeps_the_stories_it_leaves_alike(store):
    articles = _articles([QUAKE_VALDORIA, QUAKE_KORVIA, ELECTION], date="2021-03-02")
    _add(store, articles)
    before = _rebuild(store)
    after = _rebuild(store, StoryOptions(window_days=3))
    assert after == before == cluster_articles(articles)
    assert sorted(a for s in after for a in s.articles) == sorted(a.id for a in articles)


def _random_signatures(count: int, seed: int) -> list[Signature]:
    """Signatures over a small vocabulary, published over six weeks or undated (one in five)."""
    rng = random.Random(seed)
    vocabulary = [f"term{i}" for i in range(60)]
    return canonical_order(
        [
            Signature(
                article=f"a{i:03d}",
                day=None if rng.random() < 0.2 else 738000 + rng.randrange(42),
                counts=tuple((term, float(rng.randint(1, 3))) for term in sorted(rng.sample(vocabulary, 8))),
            )
            for i in range(count)
        ]
    )


def test_the_similarity_graph_holds_every_pair_in_the_window_the_same_in_workers(monkeypatch):
    """Each pair (i < j) in the window that shares a term, scored over j's terms in their order, as one pass
    over the articles would; two workers scoring half the articles each give the same graph, in the same order."""
    options = StoryOptions(evidence=DAY_RULE)
    signatures = _random_signatures(120, seed=5)
    stats = TermStats.from_signatures(signatures)
    vectors = [stats.vector(s, options.features) for s in signatures]
    expected = {}
    for j, later in enumerate(signatures):
        for i, earlier in enumerate(signatures[:j]):
            if None not in (earlier.day, later.day) and later.day - earlier.day > options.window_days:
                continue
            shared = [weight * vectors[i][term] for term, weight in vectors[j].items() if term in vectors[i]]
            cosine = 0.0
            for product in shared:
                cosine += product
            score = edge_score(cosine, earlier, later, options.evidence, largest_factor(options.evidence))
            if shared and score is not None:
                expected[(i, j)] = score
    alone = similarity_graph(vectors, signatures, options)
    monkeypatch.setattr(cluster, "PARALLEL_MIN_ARTICLES", 2)
    with Workers(2) as workers:
        shared_out = similarity_graph(vectors, signatures, options, workers)
    assert len(expected) > 500
    assert alone == expected
    assert list(shared_out.items()) == list(alone.items())


def test_the_similarity_graph_refuses_articles_out_of_canonical_order():
    signatures = _random_signatures(10, seed=1)
    stats = TermStats.from_signatures(signatures)
    vectors = [stats.vector(s, FeatureOptions()) for s in signatures]
    with pytest.raises(ValueError, match="canonical order"):
        similarity_graph(vectors[::-1], signatures[::-1], StoryOptions())


def test_a_rebuild_in_two_workers_makes_the_signatures_and_stories_of_one(tmp_path, monkeypatch):
    import newstrace.store.base

    monkeypatch.setattr(newstrace.store.base, "FILL_BATCH", 3)  # signatures made in workers, 3 articles a batch
    monkeypatch.setattr(cluster, "PARALLEL_MIN_ARTICLES", 2)  # pairs scored in workers
    articles = _articles([QUAKE_VALDORIA, QUAKE_KORVIA, ELECTION], date="2021-03-02")
    made = []
    for count in (1, 2):
        with open_store(tmp_path / f"{count}.db") as store, LocalEngine(store, workers=Workers(count)) as engine:
            _add(store, articles)
            engine.redo("stories")
            made.append((store.index("story").entries(), store.stories.all()))
    assert made[0] == made[1]
    assert _grouping(made[0][1]) == _grouping(cluster_articles(articles))
