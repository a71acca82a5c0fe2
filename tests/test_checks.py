"""Cross-checks on hand-written fictional articles (and the seed samples when ../shared is present)."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from typer.testing import CliRunner

from conftest import SAMPLES, add_articles, grouped, needs_shared, related, run_stages
from newstrace.checks import check_article, check_independent, check_pair, check_story, check_within
from newstrace.checks.names import name_similarity, sound_key
from newstrace.checks.quotes import is_excerpt
from newstrace.cli import app
from newstrace.model import Article, Finding, Passage, Relation, Story

ORIGINAL = (
    "Veldorian President Maro Telkan visited Quellport on Monday, where 21 people died in the floods.\n\n"
    "Members of the Tidewater Alliance met him at the harbor.\n\n"
    "“We will rebuild the harbor within a year, and nobody will be left behind,” said Telkan.\n\n"
    "Port chief Davi Renn said five ships were lost. “The storm came without warning,” Renn said."
)


def _paragraph_spans(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in re.finditer(r"[^\n]+", text)]


def _passages(original: str, derived: str) -> list[Passage]:
    """Paragraph i of the copy corresponds to paragraph i of the original (as the relate stage would find)."""
    pairs = zip(_paragraph_spans(original), _paragraph_spans(derived), strict=True)
    return [Passage(o, d, "edited", 0.9) for o, d in pairs]


def _article(article_id: str, text: str) -> Article:
    return Article(id=article_id, text=text)


def _check(derived_text: str) -> list[Finding]:
    return check_pair(
        _article("orig", ORIGINAL), _article("copy", derived_text), _passages(ORIGINAL, derived_text)
    )


def test_identical_copy_has_no_findings() -> None:
    assert _check(ORIGINAL) == []


def test_garbled_name_in_aligned_passage_is_an_alteration() -> None:
    findings = _check(ORIGINAL.replace("Telkan", "Delkan"))
    names = [f for f in findings if f.kind == "name"]
    assert {(f.text, f.other.text) for f in names} == {("Delkan", "Telkan")}
    assert all(f.severity == "alteration" and f.other.article == "orig" for f in names)
    assert len(names) == 2  # every mention of the garbled name


def test_translated_name_is_paired_by_its_place_in_the_passage() -> None:
    findings = _check(ORIGINAL.replace("Tidewater Alliance", "Shoreline Union"))
    assert [(f.kind, f.text, f.other.text) for f in findings] == [
        ("name", "Shoreline Union", "Tidewater Alliance")
    ]


def test_changed_number_is_an_alteration_citing_the_original() -> None:
    derived = ORIGINAL.replace("21 people", "24 people")
    (finding,) = _check(derived)
    assert (finding.kind, finding.text, finding.other.text) == ("number", "24", "21")
    assert derived[finding.span[0] : finding.span[1]] == "24"


def test_written_out_number_is_the_same_number() -> None:
    assert _check(ORIGINAL.replace("five ships", "5 ships")) == []


def test_reworded_quote_cites_the_original_quote() -> None:
    derived = ORIGINAL.replace(
        "We will rebuild the harbor within a year", "We shall reconstruct the harbor inside a year"
    )
    (finding,) = _check(derived)
    assert finding.kind == "quote" and finding.severity == "alteration"
    assert finding.text.startswith("We shall reconstruct")
    assert finding.other.text.startswith("We will rebuild the harbor")


def test_shorter_quote_excerpt_is_not_an_alteration() -> None:
    derived = ORIGINAL.replace(
        "“We will rebuild the harbor within a year, and nobody will be left behind,” said Telkan.",
        "Telkan promised that “nobody will be left behind.”",
    )
    assert [f for f in _check(derived) if f.kind == "quote"] == []


def test_quote_given_to_another_named_person_is_flagged() -> None:
    derived = ORIGINAL.replace("warning,” Renn said.", "warning,” said Maro Telkan.").replace(
        "Port chief Davi Renn said", "Port chief Davi Renn, who met Maro Telkan, said"
    )
    original = ORIGINAL.replace(
        "Port chief Davi Renn said", "Port chief Davi Renn, who met Maro Telkan, said"
    )
    findings = check_pair(_article("orig", original), _article("copy", derived), _passages(original, derived))
    (finding,) = [f for f in findings if f.kind == "quote"]
    assert "Maro Telkan" in finding.explanation and "Davi Renn" in finding.explanation


def test_unknown_direction_gives_differences() -> None:
    derived = ORIGINAL.replace("21 people", "24 people")
    findings = check_pair(
        _article("a", ORIGINAL), _article("b", derived), _passages(ORIGINAL, derived), severity="difference"
    )
    assert [f.severity for f in findings] == ["difference"]


def test_name_similarity_tolerates_spelling_sound_and_acronyms() -> None:
    assert sound_key("Yoon") == sound_key("Eun")
    assert name_similarity("Mike Pence", "Mike Fence") >= 0.85
    assert name_similarity("FBI", "Federal Investigation Bureau") >= 0.85
    assert name_similarity("Quellport", "Telkan") < 0.4


def test_excerpt_is_a_stretch_in_order_unless_marked_as_cut() -> None:
    whole = ["we", "will", "rebuild", "the", "harbor", "within", "a", "year"]
    assert is_excerpt(["rebuild", "the", "harbor"], whole)
    assert not is_excerpt(["harbor", "the", "rebuild"], whole)
    assert not is_excerpt(["we", "will", "rebuild", "within", "a", "year"], whole)
    assert is_excerpt(["we", "will", "rebuild", "within", "a", "year"], whole, elided=True)


def test_one_person_named_two_ways_within_an_article() -> None:
    text = (
        "Veldorian President Eun Tarek-sol arrived on Friday. Eun spoke first.\n\n"
        "Later, Yoon told the crowd that the port would reopen."
    )
    (finding,) = check_within(_article("a", text))
    assert (finding.text, finding.other.text, finding.severity) == ("Yoon", "Eun Tarek-sol", "difference")


def test_consistent_names_give_no_within_finding() -> None:
    assert check_within(_article("a", ORIGINAL)) == []


def test_independent_reports_with_the_same_role_and_another_name() -> None:
    other = ORIGINAL.replace("Veldorian President Maro Telkan", "Veldorian President Aro Belkin")
    findings = check_independent(_article("b", other), _article("a", ORIGINAL))
    assert ("Aro Belkin", "Maro Telkan") in {(f.text, f.other.text) for f in findings if f.kind == "name"}
    assert all(f.severity == "difference" for f in findings)


def _story_articles() -> tuple[list[Article], list[Relation]]:
    copy_text = ORIGINAL.replace("21 people", "24 people")
    independent = (
        "Floods hit Quellport. Veldorian President Aro Belkin toured the harbor on Monday, "
        "where 21 people died in the floods."
    )
    articles = [_article("orig", ORIGINAL), _article("copy", copy_text), _article("indep", independent)]
    relation = Relation(
        "orig",
        "copy",
        "edited",
        0.9,
        {"original": 1.0, "derived": 1.0},
        tuple(_passages(ORIGINAL, copy_text)),
    )
    return articles, [relation]


def test_story_checks_copies_as_alterations_and_others_as_differences() -> None:
    articles, relations = _story_articles()
    findings = check_story(articles, relations)
    alterations = [(f.article, f.kind, f.text) for f in findings if f.severity == "alteration"]
    assert alterations == [("copy", "number", "24")]
    assert any(f.article == "indep" and f.kind == "name" and f.severity == "difference" for f in findings)
    assert check_story(list(reversed(articles)), relations) == findings


def _stored_story(store, suffix: str = "") -> None:
    articles, relations = _story_articles()
    add_articles(store, [replace(a, id=f"{a.id}{suffix}") for a in articles])
    related(store, [replace(r, original=f"{r.original}{suffix}", derived=f"{r.derived}{suffix}") for r in relations])
    grouped(store, [Story(f"s{suffix}", "Floods", tuple(f"{a.id}{suffix}" for a in articles))])


def test_story_findings_are_stored_and_exported(db_path) -> None:
    from newstrace.store import open_store

    articles, relations = _story_articles()
    with open_store(db_path) as disk:
        _stored_story(disk)
        report = run_stages(disk, "checks")
        assert disk.findings.of(["copy"]) == [f for f in report.findings if f.article == "copy"]
        assert disk.findings.all() == check_story(articles, relations)
    result = CliRunner().invoke(app, ["export", "findings", "--db", str(db_path), "--format", "jsonl"])
    assert result.exit_code == 0
    assert '"kind": "number"' in result.stdout and '"severity": "alteration"' in result.stdout
    rerun = CliRunner().invoke(app, ["check", "--db", str(db_path)])
    assert rerun.exit_code == 0


def test_checking_a_store_in_two_processes_gives_the_same_findings(db_path, monkeypatch) -> None:
    import newstrace.checks.stage
    from newstrace.engine import LocalEngine
    from newstrace.store import open_store
    from newstrace.workers import Workers

    with open_store(db_path) as disk:
        for n in range(4):  # four copies of the story, under other ids
            _stored_story(disk, str(n))
        with LocalEngine(disk, workers=Workers(1)) as engine:
            alone = engine.redo("checks").findings
        expected = disk.findings.all()
        monkeypatch.setattr(newstrace.checks.stage, "PARALLEL_MIN_STORIES", 1)
        seen: list[int] = []
        with LocalEngine(disk, workers=Workers(2)) as engine:
            assert engine.redo("checks", lambda name, total: seen.append).findings == alone
        assert disk.findings.all() == expected and sum(seen) == 4
        assert any(f.article == "copy3" and f.severity == "alteration" for f in expected)


@pytest.mark.parametrize("command", [["check", "--help"], ["export", "findings", "--help"]])
def test_commands_have_help(command: list[str]) -> None:
    assert CliRunner().invoke(app, command).exit_code == 0


def _sample(prefix: str) -> Article:
    (path,) = SAMPLES.glob(f"{prefix}_*.txt")
    return _article(path.stem, path.read_text(encoding="utf-8"))


@needs_shared(SAMPLES)
def test_seed_spun_copy_names_the_president_two_ways() -> None:
    spun = _sample("001")
    within = {(f.text, f.other.text) for f in check_within(spun)}
    assert ("Yoon", "Eun-suk-eul") in within
    across = {
        (f.text, f.other.text, f.severity)
        for f in check_independent(spun, _sample("000"))
        if f.kind == "name"
    }
    assert ("Eun-suk-eul", "Yoon Suk-yeol", "difference") in across


def test_article_findings_as_it_joins_a_story() -> None:
    articles, relations = _story_articles()
    (copy,) = [a for a in articles if a.id == "copy"]
    found = check_article(copy, articles, [r for r in relations if "copy" in (r.original, r.derived)])
    assert [(f.kind, f.text, f.severity) for f in found if f.severity == "alteration"] == [
        ("number", "24", "alteration")
    ]
    assert found == [f for f in check_story(articles, relations) if f.article == "copy"]


def test_renamed_speaker_inside_a_quote_is_reported_as_a_name_only() -> None:
    original = ORIGINAL.replace(
        "“The storm came without warning,” Renn said.", "“Davi Renn saw the storm first,” he said."
    )
    derived = original.replace("Davi Renn", "Davi Lenn")
    findings = check_pair(_article("orig", original), _article("copy", derived), _passages(original, derived))
    assert {f.kind for f in findings} == {"name"}


def test_changed_number_in_a_moved_paragraph_is_found_without_a_passage() -> None:
    derived = ORIGINAL.replace("21 people", "24 people")
    moved = [p for p in _passages(ORIGINAL, derived) if "24" not in derived[p.derived[0] : p.derived[1]]]
    findings = check_pair(_article("orig", ORIGINAL), _article("copy", derived), moved)
    assert [(f.text, f.other.text) for f in findings] == [("24", "21")]


def test_places_and_inflections_are_not_a_second_name() -> None:
    text = "President Ana Veldor spoke on Friday. Veldor smiled.\n\nYesterday Veldoria’s economy grew, and Veldor left."
    assert check_within(_article("a", text)) == []


def test_variant_spelling_of_a_surname_within_an_article() -> None:
    text = "Senator Tomas Brekovich arrived. Brekovich spoke first.\n\nLater, Brekovic told reporters he would stay."
    (finding,) = check_within(_article("a", text))
    assert (finding.text, finding.other.text) == ("Brekovic", "Tomas Brekovich")


def test_quote_with_words_dropped_silently_is_an_alteration_but_not_with_an_ellipsis() -> None:
    cut = ORIGINAL.replace("within a year, and nobody", "and nobody")
    assert [f.kind for f in _check(cut)] == ["quote"]
    marked = ORIGINAL.replace("within a year, and nobody", "… and nobody")
    assert _check(marked) == []
