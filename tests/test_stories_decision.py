"""Stories: the learned decision (time evidence, model file), months named in leads, the seed articles and a
site whose pages share a template."""

from __future__ import annotations

import json
import math
from dataclasses import asdict

import pytest

from conftest import SAMPLES, needs_shared
from newstrace.errors import NewstraceError
from newstrace.model import Article, Removed
from newstrace.stories import StoryOptions, cluster_articles
from newstrace.stories.decision import (
    EVIDENCE,
    DecisionModel,
    Evidence,
    load_model,
    pair_factor,
    shipped_model,
    time_evidence,
)
from newstrace.stories.features import FeatureOptions, lead_months, same_event_month, signature


def _sig(key: str, text: str, date: str | None = None, title: str = ""):
    return signature(Article(id=key, title=title, text=text, date=date), FeatureOptions())


def test_leads_name_months_and_may_only_before_a_number():
    assert lead_months("Jobs report", "Employers added 943,000 jobs in July. More came in August.", 2) == (6, 7)
    assert lead_months("", "Officials may say more. The vote is on May 3.", 2) == (4,)
    assert lead_months("", "They may vote soon. It rained. In March it snowed.", 2) == ()  # third sentence


def test_same_event_month_compares_the_months_the_leads_name():
    july = _sig("a", "The economy added 943,000 jobs in July.")
    july_too = _sig("b", "Payrolls rose by 943,000 in July, the department said.")
    september = _sig("c", "The economy added 136,000 jobs in September.")
    no_month = _sig("d", "The economy added jobs.")
    assert same_event_month(july, july_too) is True
    assert same_event_month(july, september) is False
    assert same_event_month(july, no_month) is None


def test_time_evidence_reads_the_weekdays_and_months_the_leads_name():
    monday = _sig("a", "Farmers blocked the road on Monday in May 2021.", "2021-05-04")
    same_day = _sig("b", "On Monday farmers blocked the road, in May 2021.", "2021-05-04")
    week_later = _sig("c", "Farmers blocked the road again on Thursday, in June 2021.", "2021-05-13")
    no_time = _sig("d", "Farmers blocked a road.", "2021-05-04")
    values = dict(zip(EVIDENCE, time_evidence(monday, same_day), strict=True))
    assert values == {"same_weekday": 1.0, "other_weekday": 0.0, "same_month": 1.0, "other_month": 0.0}
    values = dict(zip(EVIDENCE, time_evidence(monday, week_later), strict=True))
    assert values == {"same_weekday": 0.0, "other_weekday": 1.0, "same_month": 0.0, "other_month": 1.0}
    assert time_evidence(monday, no_time) == (0.0,) * len(EVIDENCE)


def test_absent_evidence_leaves_the_similarity_as_it_is():
    model = Evidence(same_weekday=0.5, other_weekday=-0.5, same_month=0.25, other_month=-1.0)
    assert pair_factor(_sig("a", "A storm hit."), _sig("b", "A storm hit the coast."), model) == 1.0
    monday = _sig("a", "A storm hit on Monday, May 3.", "2021-05-04")
    assert math.isclose(pair_factor(monday, _sig("b", "A storm hit on Monday, May 3."), model), math.exp(0.75))


def test_the_shipped_model_reads_time_as_evidence_of_one_event():
    model = shipped_model()
    assert 0 < model.threshold < 1
    evidence = model.evidence
    assert evidence.same_weekday > 0 > evidence.other_weekday
    assert evidence.same_month > 0 > evidence.other_month


def test_a_model_file_round_trips_and_a_foreign_one_is_refused(tmp_path):
    model = DecisionModel(0.25, Evidence(same_month=0.4))
    path = tmp_path / "decision.json"
    path.write_text(json.dumps({"format": 1, "model": model.to_dict()}), encoding="utf-8")
    assert load_model(path) == model
    path.write_text(json.dumps({"format": 99, "model": model.to_dict()}), encoding="utf-8")
    with pytest.raises(NewstraceError, match="format"):
        load_model(path)
    with pytest.raises(NewstraceError, match="cannot read"):
        load_model(tmp_path / "missing.json")


def test_options_of_an_older_store_are_read_with_todays_evidence():
    saved = {**asdict(StoryOptions(window_days=3)), "same_day_factor": 1.2, "other_day_factor": 0.7}
    del saved["evidence"]
    options = StoryOptions.from_dict(json.loads(json.dumps(saved)))
    assert options == StoryOptions(window_days=3)
    saved = {**asdict(options), "evidence": {"same_month": 0.5, "near_in_time": 2.0}}
    assert StoryOptions.from_dict(saved).evidence == Evidence(same_month=0.5)
    assert StoryOptions.from_dict(json.loads(json.dumps(asdict(options)))) == options


JOBS = [
    ("July jobs report: payrolls jump", "The US economy added 943,000 jobs in July, the Labor Department said, and unemployment fell to 5.4%."),
    ("Employers add 943,000 jobs", "Employers added 943,000 jobs in July as unemployment fell to 5.4%, the Labor Department reported."),
    ("September jobs report: hiring slows", "The US economy added 136,000 jobs in September, the Labor Department said, and unemployment fell to 3.5%."),
    ("Employers add 136,000 jobs", "Employers added 136,000 jobs in September as unemployment fell to 3.5%, the Labor Department reported."),
]  # fmt: skip


def test_monthly_reports_of_one_kind_are_told_apart_by_the_month_they_name():
    articles = [Article(id=f"jobs-{i}", title=title, text=text) for i, (title, text) in enumerate(JOBS)]
    blind = StoryOptions(threshold=0.3, evidence=Evidence())
    assert len(cluster_articles(articles, blind)) == 1
    months = StoryOptions(threshold=0.3, evidence=Evidence(same_month=math.log(1.3), other_month=math.log(0.5)))
    grouped = {frozenset(s.articles) for s in cluster_articles(articles, months)}
    assert grouped == {frozenset({"jobs-0", "jobs-1"}), frozenset({"jobs-2", "jobs-3"})}


@needs_shared(SAMPLES)
def test_the_two_seed_articles_form_one_story():
    articles = [Article(id=p.name[:3], text=p.read_text(encoding="utf-8")) for p in sorted(SAMPLES.glob("*.txt"))]
    (story,) = cluster_articles(articles)
    assert story.articles == ("000", "001")


# A small opinion site: every page opens with the same scraped passages, then reports its own event.
TEMPLATE = (
    "Some say the council should stop the endless procedure debates and govern, and let voters judge "
    "the results at the next election. Others argue that procedure protects the minority and the budget.",
    "Critics on both sides say the Lorvik council spends too much time on procedure and too little on "
    "roads, schools and the harbour. Supporters answer that the procedure kept the budget balanced.",
)
EVENTS = [
    ("Ferry fares rise", "The Lorvik ferry will charge 12 crowns a trip from May 3, the operator Nordlys said."),
    ("Halden dam fails", "Soldiers evacuated 1,200 residents of Odda when the Halden dam burst after heavy rain."),
    ("Schools to merge", "The schools of Brenn and Vik will merge next year, the education board decided."),
]


def test_pages_of_a_site_do_not_form_one_story_once_their_template_is_set_aside():
    """The extraction stage moves a site's template passages out of the text (reason "site-template");
    what is left, each page's own event, decides the story."""
    raw = [
        Article(id=f"side-{i}", outlet="The Other Side", title=title, text="\n\n".join((*TEMPLATE, body)))
        for i, (title, body) in enumerate(EVENTS)
    ]
    assert len(cluster_articles(raw)) == 1  # with the template in their text, one story: the failure
    cleaned = [
        Article(
            id=a.id,
            outlet=a.outlet,
            title=a.title,
            text=a.text.split("\n\n")[-1],
            removed=tuple(Removed(passage, "site-template") for passage in TEMPLATE),
        )
        for a in raw
    ]
    assert len(cluster_articles(cleaned)) == 3
