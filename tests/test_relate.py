"""The relate stage on hand-written fictional articles: kinds, direction, order independence, store, sites."""

from __future__ import annotations

import random
import zlib

import numpy as np
import pytest

from conftest import add_articles, run_stages
from newstrace.extract import extract_article
from newstrace.model import Article, RawDocument
from newstrace.nlp.annotate import sentences
from newstrace.relate import RelateOptions, Relator, relate_all, render_copy_trees, site_statistics
from newstrace.relate.candidates import CandidateIndex, fingerprint
from newstrace.relate.classify import ClassifyOptions, compare, is_copy
from newstrace.relate.stored_index import FINGERPRINT_SETTINGS, StoredPostings, article_fingerprint
from newstrace.store.base import filled_index
from newstrace.workers import Workers

ORIGINAL = """The harbour council of Port Velin voted on Tuesday to close the old ferry pier after a survey found its timber piles rotten.

Councillor Ada Brenn said the pier had cost the town 412,000 crowns in repairs since 2019, more than any other structure on the waterfront.

"We cannot keep pouring money into wood that the sea has already claimed," Brenn told the packed chamber.

Fishermen who moor their boats at the pier protested outside the town hall during the vote, holding placards that read "Save our berth".

Their association, led by skipper Tomas Ekland, says the nearest safe mooring is eleven kilometres away at Gull Point.

The council promised to build a new concrete pier at Gull Point by the end of next year, at an estimated cost of 2.3 million crowns.

Until then, the ferry to Skarra Island will leave from the cargo quay, which the harbour master called cramped but workable.

Ekland said the fishermen would ask the regional court in Halden to suspend the closure until the new pier is finished.

The survey, carried out by the engineering firm Nordvik & Sons, found that nineteen of the pier's forty piles had lost more than half their strength.

Demolition is scheduled to begin in May, weather permitting, and is expected to take six weeks."""

SPUN = """The harbour gathering of Port Velin cast a ballot on Tuesday to shut the ancient ferry wharf after an examination discovered its lumber piles decayed.

Councillor Ada Brenn stated the wharf had cost the town 412,000 crowns in fixes since 2019, more than some other construction on the seafront.

"We can not continue emptying cash into timber that the ocean has previously asserted," Brenn informed the stuffed chamber.

Anglers who secure their vessels at the wharf demonstrated outside the town corridor amid the ballot, holding signs that read "Spare our billet".

Their affiliation, driven by captain Tomas Ekland, says the closest protected mooring is eleven kilometres away at Gull Point.

The gathering guaranteed to construct a fresh solid wharf at Gull Point before the end of one year from now, at an expected expense of 2.3 million crowns.

Until at that point, the ferry to Skarra Island will depart from the freight quay, which the harbour ace called confined yet serviceable.

Ekland stated the anglers would ask the local court in Halden to suspend the conclusion until the new wharf is done.

The study, completed by the designing company Nordvik & Sons, discovered that nineteen of the wharf's forty piles had lost the greater part their quality.

Destruction is booked to start in May, climate allowing, and is relied upon to take six weeks."""

INDEPENDENT = """Port Velin will lose its ferry pier this spring, after councillors backed its closure on Tuesday evening.

The decision followed months of argument over the cost of keeping the structure standing.

Skipper Tomas Ekland, who speaks for the local fishermen, called the vote a betrayal of the families who have worked from the pier for generations.

"We cannot keep pouring money into wood that the sea has already claimed," Councillor Ada Brenn said before the vote.

An engineering report had warned that many of the pier's piles were failing.

The town plans a replacement at Gull Point, but fishermen doubt it will be ready on time.

Passengers for Skarra Island should check the new departure point before travelling, the ferry company said.

The fishermen's association is considering legal action."""


def _article(article_id: str, body: str, date: str | None = None, site: str | None = None) -> Article:
    raw = RawDocument(origin=f"test:{article_id}", body=body, id=article_id, date=date, outlet=site)
    return extract_article(raw)


@pytest.fixture
def original() -> Article:
    return _article("original", ORIGINAL, "2024-03-05", "harbourherald.example")


def _relation(relations, a: str, b: str):
    found = [r for r in relations if {r.original, r.derived} == {a, b}]
    assert len(found) == 1, relations
    return found[0]


def test_verbatim_copy_with_junk_is_a_duplicate_of_the_original(original: Article) -> None:
    copy = _article(
        "copy", "Breaking\n\n" + ORIGINAL + "\n\nSource link\n\nLike this:", "2024-03-05", "farm.example"
    )
    relation = _relation(relate_all([original, copy]), "original", "copy")
    assert (relation.original, relation.derived, relation.kind, relation.direction) == (
        "original",
        "copy",
        "duplicate",
        "known",
    )
    assert relation.coverage["original"] == 1.0
    assert [p.change for p in relation.evidence] == ["identical"]


def test_excerpt_is_a_contiguous_part(original: Article) -> None:
    lead = "\n\n".join(ORIGINAL.split("\n\n")[:4])
    excerpt = _article("excerpt", lead + "\n\nContinue reading…", "2024-03-06", "digest.example")
    relation = _relation(relate_all([original, excerpt]), "original", "excerpt")
    assert (relation.original, relation.kind) == ("original", "excerpt")
    assert relation.coverage["derived"] == 1.0
    assert relation.coverage["original"] < 0.6


def test_one_number_edit_is_edited_and_the_evidence_shows_the_changed_sentence(original: Article) -> None:
    edited = _article("edited", ORIGINAL.replace("412,000", "512,000"), "2024-03-07", "other.example")
    relation = _relation(relate_all([original, edited]), "original", "edited")
    assert relation.kind == "edited"
    changed = [p for p in relation.evidence if p.change != "identical"]
    assert len(changed) == 1
    assert "512,000" in edited.text[changed[0].derived[0] : changed[0].derived[1]]
    assert "412,000" in original.text[changed[0].original[0] : changed[0].original[1]]


def test_synonym_spun_copy_is_spun(original: Article) -> None:
    spun = _article("spun", SPUN, "2024-03-06", "spinner.example")
    relation = _relation(relate_all([original, spun]), "original", "spun")
    assert (relation.original, relation.kind, relation.direction) == ("original", "spun", "known")
    assert relation.coverage["derived"] > 0.9


def test_independent_report_of_the_same_event_is_no_relation(original: Article) -> None:
    independent = _article("independent", INDEPENDENT, "2024-03-05", "gazette.example")
    assert relate_all([original, independent]) == []
    assert not is_copy(compare(ORIGINAL, INDEPENDENT), ClassifyOptions())


def test_direction_by_date_either_way_round(original: Article) -> None:
    earlier_copy = _article("copy", ORIGINAL, "2024-03-01")
    relation = _relation(relate_all([original, earlier_copy]), "original", "copy")
    assert (relation.original, relation.derived, relation.direction) == ("copy", "original", "known")
    assert any("2024-03-01" in reason for reason in relation.reasons)


def test_direction_by_credit_when_dates_are_equal() -> None:
    first = _article("first", ORIGINAL, "2024-03-05")
    second = _article("second", ORIGINAL + "\n\nSource link", "2024-03-05")
    relation = _relation(relate_all([second, first]), "first", "second")
    assert (relation.original, relation.derived, relation.direction) == ("first", "second", "known")


def test_direction_unknown_without_evidence() -> None:
    a, b = Article(id="a", text=ORIGINAL), Article(id="b", text=ORIGINAL)
    relation = _relation(relate_all([a, b]), "a", "b")
    assert relation.direction == "unknown"
    assert relation.kind == "duplicate"
    assert relation.reasons and "unknown" in relation.reasons[0]


def _group(original: Article) -> list[Article]:
    lead = "\n\n".join(ORIGINAL.split("\n\n")[:4])
    return [
        original,
        _article("copy", ORIGINAL + "\n\nSource link", "2024-03-06", "farm.example"),
        _article("excerpt", lead + "\n\nRead more", "2024-03-06", "digest.example"),
        _article("edited", ORIGINAL.replace("412,000", "512,000"), "2024-03-07", "other.example"),
        _article("spun", SPUN, "2024-03-08", "spinner.example"),
        _article("independent", INDEPENDENT, "2024-03-05", "gazette.example"),
    ]


def test_every_copy_in_a_group_points_to_the_original_whatever_the_order(original: Article) -> None:
    articles = _group(original)
    expected = relate_all(articles)
    assert {(r.original, r.derived) for r in expected} == {
        ("original", "copy"),
        ("original", "excerpt"),
        ("original", "edited"),
        ("original", "spun"),
    }
    for seed in range(3):
        shuffled = articles[:]
        random.Random(seed).shuffle(shuffled)
        assert relate_all(shuffled) == expected


def test_adding_articles_one_by_one_gives_the_same_relations(original: Article) -> None:
    articles = _group(original)
    relator = Relator()
    for article in reversed(articles):
        relator.add(article)
    assert relator.relations() == relate_all(articles)


def test_add_returns_the_new_article_s_group(original: Article) -> None:
    relator = Relator()
    assert relator.add(original) == []
    relations = relator.add(_article("spun", SPUN, "2024-03-08"))
    assert [(r.original, r.derived, r.kind) for r in relations] == [("original", "spun", "spun")]


def _fillers(count: int) -> list[Article]:
    """Unrelated articles of random made-up words, so that a few new articles are a small share of the store."""
    rng = random.Random(7)
    syllables = ["ka", "lo", "mi", "ren", "sto", "vu", "bel", "dra", "ne", "ph", "qui", "zor"]
    out = []
    for n in range(count):
        words = ["".join(rng.choices(syllables, k=3)) for _ in range(120)]
        sentences = [" ".join(words[i : i + 12]).capitalize() + "." for i in range(0, 120, 12)]
        out.append(Article(id=f"filler{n:02d}", text="\n\n".join(sentences), date="2024-01-01"))
    return out


def _relate_due(store) -> list:
    """Run the relate stage on the articles due for it; the relations it wrote."""
    return run_stages(store, "relate").relations


def test_the_relate_stage_writes_relations_and_relates_new_articles_incrementally(
    store, original: Article
) -> None:
    articles = _group(original)
    add_articles(store, articles[:3] + _fillers(20))
    assert {(r.original, r.derived) for r in _relate_due(store)} == {
        ("original", "copy"),
        ("original", "excerpt"),
    }
    # The whole-store path keeps every fingerprint for the incremental one.
    kept = {article: data.split() for article, _, data in store.index("relate").entries()}
    assert kept == {a.id: list(fingerprint(a.text)) for a in store.articles.all()}
    add_articles(store, articles[3:])
    written = _relate_due(store)
    assert {(r.original, r.derived) for r in written} == {
        ("original", "copy"),
        ("original", "excerpt"),
        ("original", "edited"),
        ("original", "spun"),
    }
    assert store.relations.all() == relate_all(articles)
    assert store.stages.pending("relate") == [] and len(store.stages.pending("stories")) == len(articles) + 20


def test_the_store_s_fingerprints_answer_as_an_index_of_the_whole_store_does(store, original: Article) -> None:
    articles = [*_group(original), *_fillers(30)]
    stored, new = articles[2:], articles[:2]
    add_articles(store, stored)
    in_memory = CandidateIndex()
    for article in stored:
        in_memory.add(article.id, fingerprint(article.text))
    index = filled_index(store, "relate", FINGERPRINT_SETTINGS, article_fingerprint)
    from_store = CandidateIndex(StoredPostings(index))
    assert len(from_store) == len(in_memory) == len(stored)
    for article in new + stored[:5]:
        stems = fingerprint(article.text)
        expected, found = in_memory.prepare(stems), from_store.prepare(stems)
        assert from_store.query(found, top_k=5) == in_memory.query(expected, top_k=5)
        for candidate in in_memory.query(expected, top_k=5):
            assert from_store.order_agreement(found, candidate.id) == in_memory.order_agreement(
                expected, candidate.id
            )
    add_articles(store, new)
    for article in new:
        in_memory.add(article.id, fingerprint(article.text))
        from_store.add(article.id, fingerprint(article.text))
    assert store.index("relate").count() == len(articles)
    probe = from_store.prepare(fingerprint(SPUN))
    assert from_store.query(probe) == in_memory.query(in_memory.prepare(fingerprint(SPUN)))
    assert "original" in from_store and "nowhere" not in from_store


def test_site_statistics_count_derived_output_and_its_sources(original: Article) -> None:
    articles = _group(original)
    stats = {s.site: s for s in site_statistics(relate_all(articles), {a.id: a for a in articles})}
    assert stats["farm.example"].derived == 1
    assert stats["farm.example"].derived_share == 1.0
    assert stats["farm.example"].sources == (("harbourherald.example", 1),)
    assert stats["harbourherald.example"].derived == 0
    assert stats["harbourherald.example"].originals == 1
    assert stats["gazette.example"].derived == 0


def test_copy_tree_names_the_original_at_the_root(original: Article) -> None:
    articles = _group(original)
    trees = render_copy_trees(relate_all(articles), {a.id: a for a in articles})
    assert len(trees) == 1
    lines = trees[0].splitlines()
    assert lines[0].startswith("original (harbourherald.example, 2024-03-05)")
    assert len(lines) == 5
    assert any("spun" in line and "spinner.example" in line for line in lines[1:])


def test_options_are_frozen() -> None:
    with pytest.raises(AttributeError):
        RelateOptions().top_k = 3  # type: ignore[misc]


def test_forked_workers_give_the_same_relations(original: Article) -> None:
    articles = _group(original)
    parallel = RelateOptions(parallel_min_articles=1)
    assert relate_all(articles, parallel, workers=Workers(2)) == relate_all(articles, parallel, workers=Workers(1))


class _BagOfWordsEncoder:
    """A stand-in sentence encoder: hashed bag of words, L2-normalised (no model needed)."""

    def encode(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), 384), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in text.lower().split():
                out[row, zlib.crc32(word.encode()) % 384] += 1.0
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)


def test_semantic_candidates_add_to_the_cheap_path_without_changing_its_findings(original: Article) -> None:
    articles = _group(original)
    relator = Relator(RelateOptions(semantic=True), encoder=_BagOfWordsEncoder())
    for article in articles:
        relator.add(article)
    assert relator.relations() == relate_all(articles)
    whole = Relator(RelateOptions(semantic=True), encoder=_BagOfWordsEncoder())
    whole.add_all(articles)
    assert whole.relations() == relate_all(articles)


QUOTED = [
    '"We cannot keep pouring money into wood that the sea has already claimed," Brenn said.',
    '"The pier is older than anyone in this chamber and it has served us well," she said.',
    '"Nobody wants to see the fishing boats leave Port Velin for good," Brenn added.',
    '"We will have a new berth at Gull Point before the next herring season," she said.',
    '"Until then the ferry will use the cargo quay, and it will be cramped," she said.',
]
NARRATION_A = [
    "The harbour council of Port Velin voted on Tuesday to close the old ferry pier.",
    "A survey by the engineering firm Nordvik & Sons found its timber piles rotten.",
    "Fishermen protested outside the town hall during the vote with placards.",
    "The new concrete pier is expected to cost 2.3 million crowns.",
    "Demolition is scheduled to begin in May and should take six weeks.",
]
NARRATION_B = [
    "Port Velin's old ferry pier will be torn down, councillors decided this week.",
    "Inspectors reported that nineteen of its forty supports had lost half their strength.",
    "Skipper Tomas Ekland led a crowd of angry boat owners to the meeting.",
    "Officials put the price of a replacement at Gull Point in the millions.",
    "Work crews are due on the waterfront in the spring.",
]
# NARRATION_A told again with words swapped, sentence by sentence (a spinner's work).
NARRATION_A_SPUN = [
    "The harbour gathering of Port Velin cast a ballot on Tuesday to shut the ancient ferry pier.",
    "An examination by the designing company Nordvik & Sons discovered its lumber piles decayed.",
    "Anglers demonstrated outside the town corridor amid the ballot with signs.",
    "The fresh solid pier is anticipated to cost 2.3 million crowns.",
    "Destruction is planned to start in May and ought to take six weeks.",
]


def _interleaved(narration: list[str]) -> str:
    return "\n\n".join(f"{n}\n\n{q}" for n, q in zip(narration, QUOTED, strict=True))


def test_issue6_reports_sharing_only_quotes_are_no_copy() -> None:
    comparison = compare(_interleaved(NARRATION_A), _interleaved(NARRATION_B))
    assert comparison.shorter().coverage >= ClassifyOptions().min_shorter_coverage  # the quotes align
    assert comparison.shorter().narration < ClassifyOptions().min_narration_coverage
    assert not is_copy(comparison, ClassifyOptions())


def test_issue6_copy_keeping_quotes_and_rewording_the_rest_is_still_a_copy() -> None:
    comparison = compare(_interleaved(NARRATION_A), _interleaved(NARRATION_A_SPUN))
    assert comparison.shorter().narration >= ClassifyOptions().min_narration_coverage
    assert is_copy(comparison, ClassifyOptions())


def test_issue6_shared_roster_of_names_is_no_copy() -> None:
    names = "Ada Brenn, Tomas Ekland, Lise Varn, Otto Holm, Mira Sand, Jon Kvale, Eva Lund, Per Dahl."
    regions = ("Velin", "Halden", "Skarra", "Gull Point", "Nordvik")
    roster = "\n\n".join(f"{region}: {names.replace('Ada', 'Ada ' + region[:2])}" for region in regions)
    comparison = compare(
        _interleaved(NARRATION_A) + "\n\n" + roster, _interleaved(NARRATION_B) + "\n\n" + roster
    )
    assert comparison.shorter().coverage >= ClassifyOptions().min_shorter_coverage  # quotes and roster align
    assert not is_copy(comparison, ClassifyOptions())


def test_issue6_verbatim_block_under_a_new_lede_is_edited(original: Article) -> None:
    lede = (
        "Port Velin's fishermen lost their fight for the old pier on Wednesday, a day after the vote.\n\n"
        "The regional court in Halden refused to suspend the closure, saying the pier was unsafe.\n\n"
        "Skipper Tomas Ekland called the ruling a sad day for the harbour and its families.\n\n"
        "Councillor Ada Brenn said the council had no choice once the survey of the piles came in.\n\n"
        "The ferry to Skarra Island moved to the cargo quay the same afternoon.\n\n"
    )
    block = "\n\n".join(ORIGINAL.split("\n\n")[:8])
    follow_up = _article("follow-up", lede + block, "2024-03-06", "harbourherald.example")
    relation = _relation(relate_all([original, follow_up]), "original", "follow-up")
    assert (relation.original, relation.kind) == ("original", "edited")


def test_issue6_direction_by_a_credit_in_the_text() -> None:
    first = _article("first", ORIGINAL, "2024-03-05", "Harbour Herald")
    credited = ORIGINAL.replace("Tuesday", "Tuesday, the Harbour Herald reported", 1)
    second = _article("second", credited, "2024-03-05", "Coast Daily (Web News)")
    relation = _relation(relate_all([second, first]), "first", "second")
    assert (relation.original, relation.derived, relation.direction) == ("first", "second", "known")
    assert any("cites" in reason for reason in relation.reasons)


def test_issue6_quoted_share_reads_double_and_single_quotes_but_not_apostrophes() -> None:
    text = (
        "'I have no single post about politics,' he added.\n\n"
        "“We will appeal,” Brenn said.\n\n"
        "The fishermen's boats didn't leave the harbour's old berth."
    )
    single, double, plain = sentences(text)
    assert single.quoted > 0.6 and double.quoted > 0.5
    assert plain.quoted == 0.0


def test_issue6_shared_photo_gallery_printed_twice_is_no_copy() -> None:
    captions = [
        f"Ada Brenn visits the {place} harbour with the council in {month}, months before the vote."
        for place, month in (
            ("Velin", "May"),
            ("Halden", "June"),
            ("Skarra", "July"),
            ("Gull Point", "August"),
        )
    ]
    gallery = "\n\n".join(c for caption in captions for c in (caption, caption))
    first = "\n\n".join(NARRATION_A) + "\n\n" + gallery
    second = "\n\n".join(NARRATION_B) + "\n\n" + gallery
    comparison = compare(first, second)
    assert comparison.shorter().coverage >= ClassifyOptions().min_shorter_coverage  # the gallery aligns
    assert not is_copy(comparison, ClassifyOptions())
    assert is_copy(compare(first, first.replace("Tuesday", "Monday")), ClassifyOptions())
