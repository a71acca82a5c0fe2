"""The plain-text cleaner: junk lines with reasons, captions and credits, bylines, datelines, sign-offs."""

from __future__ import annotations

import pytest

from conftest import SAMPLES, needs_shared
from newstrace.extract.credits import is_sign_off, read_byline, read_caption, read_dateline, wire_name
from newstrace.extract.junk import junk_reason
from newstrace.extract.text import clean_body, split_paragraphs

STORY = [
    "The river authority of Valdoria said on Tuesday it would open the northern sluice gates for the first time in a decade.",
    "Engineers had warned for months that the old dam could not hold another wet spring, according to documents seen by reporters.",
    "Residents of the lower town were told to move cars and livestock to higher ground before Thursday evening.",
]


def _reasons(cleaned) -> dict[str, str]:
    return {r.text: r.reason for r in cleaned.removed}


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("Source link", "scraper-junk"),
        ("By admin", "scraper-junk"),
        ("Posted by admin on 2021-03-04", "scraper-junk"),
        ("by admin | 2021-06-21 | 0 comments", "scraper-junk"),
        ("Placeholder when article work is loaded", "scraper-junk"),
        ("Placeholder while article actions load", "scraper-junk"),
        ("Like this:", "scraper-junk"),
        ("Like Loading...", "scraper-junk"),
        ("Leave a Reply", "comments"),
        ("Your email address will not be published. Required fields are marked *", "comments"),
        ("Name *", "comments"),
        ("12 Comments", "comments"),
        ("Related Posts", "related"),
        ("You may also like", "related"),
        ("SEE ALSO: Valdoria opens its dam gates", "related"),
        ("Continue reading…", "read-more"),
        ("Read the full story at The Valdoria Herald", "read-more"),
        ("Share this:", "share"),
        ("Share on Facebook Share on Twitter", "share"),
        ("WhatsApp", "share"),
        ("Like this story? Share it with a friend!", "share"),
        ("Sign up for our daily newsletter", "newsletter"),
        (
            "Get the Valdoria briefing delivered to your inbox. By signing up, you agree to our terms.",
            "newsletter",
        ),
        ("We use cookies to improve your experience. By continuing to browse you accept them.", "cookies"),
        ("Advertisement", "advertisement"),
        ("Story continues below advertisement", "advertisement"),
        ("Follow us on Twitter @valdoriaherald", "promo"),
        ("Home » World » Valdoria opens its dam gates", "navigation"),
        ("Copyright © 2021 The Valdoria Herald. All rights reserved.", "copyright"),
        ("Updated at 4:24 p.m. ET", "dated"),
        ("Tags: Valdoria, dams, floods", "tags"),
        ("* * *", "separator"),
        ("The post Valdoria opens its dam gates appeared first on Valdoria Daily.", "attribution"),
        ("This article originally appeared on The Valdoria Herald.", "attribution"),
        ("Source: Valdoria Herald", "attribution"),
        ("Featured image via Northfoto", "photo-credit"),
        ("Write to Jana Kovac at jana.kovac@valdoria.example", "contact"),
        ("Order Reprints", "tools"),
    ],
)
def test_junk_lines_are_recognised_with_their_reason(line: str, reason: str) -> None:
    assert junk_reason(line) == reason


@pytest.mark.parametrize(
    "line",
    [
        "Please share your thoughts with the council, the mayor said at the meeting on Monday.",
        "The minister declined to comment on the report.",
        "He said the company would share the data with regulators by the end of the month.",
        "Comments from residents were mostly positive, the survey found.",
        "Follow the money, the inspector told the committee.",
        "Posted in 2015, the video went viral within a day.",
        "She baked cookies for the volunteers who stacked sandbags.",
        "Voters can sign up for the mayor's weekly newsletter, “so we can reach you directly,” his office said.",
        "Register to vote by Oct. 5.",
        "More than 200 people attended the hearing.",
        "Read the report and you will see why the dam failed.",
        "By contrast, the southern towns stayed dry.",
        "By 1991, the dam had been repaired twice.",
        "Advertising revenue fell by a third last year, the company said.",
        "Source: a senior official said the dam would hold.",
        "First published on Tuesday, the report found that the dam was safe.",
        "The post office closed early on Friday.",
        "Contact the council at council@valdoria.example if your home flooded.",
        "Print and broadcast journalists waited outside the authority's office.",
    ],
)
def test_ordinary_sentences_are_not_junk(line: str) -> None:
    assert junk_reason(line) is None
    assert clean_body("\n\n".join([*STORY, line])).text.endswith(line)


def test_content_farm_copy_is_stripped_and_everything_removed_is_kept_with_its_reason() -> None:
    text = "\n\n".join(
        [
            "Home » World » Valdoria opens its dam gates",
            *STORY,
            "Share this:\nTwitter\nFacebook\nWhatsApp",
            "Like this:\nLike Loading...",
            "Source link",
            "By admin",
            "Related Posts",
            "Valdoria floods: what we know so far\nThe dam that nobody wanted to fix",
            "Leave a Reply",
            "Your email address will not be published. Required fields are marked *",
            "Comment\nName *\nEmail *",
        ]
    )
    cleaned = clean_body(text, title="Valdoria opens its dam gates")
    assert cleaned.text == "\n\n".join(STORY)
    reasons = _reasons(cleaned)
    assert reasons["Source link"] == "scraper-junk"
    assert reasons["Leave a Reply"] == "comments"
    assert reasons["Facebook"] == "share"
    assert reasons["Like Loading..."] == "scraper-junk"
    # Headlines listed under a "Related Posts" heading are teasers, not story.
    assert reasons["The dam that nobody wanted to fix"] == "related"
    assert reasons["Home » World » Valdoria opens its dam gates"] == "navigation"


def test_related_list_ends_at_the_first_sentence() -> None:
    cleaned = clean_body("\n\n".join([STORY[0], "Related", "Dam gates open in the north", STORY[1]]))
    assert cleaned.text == "\n\n".join([STORY[0], STORY[1]])


def test_repeated_title_and_headline_are_taken_out() -> None:
    title = "Valdoria opens its dam gates"
    cleaned = clean_body("\n\n".join([title, *STORY]), title=title)
    assert _reasons(cleaned)[title] == "repeated-title"
    untitled = clean_body("\n\n".join([title, *STORY]))
    assert untitled.title == title
    assert untitled.text == "\n\n".join(STORY)


def test_caption_with_copyright_credit_is_separated_from_the_body() -> None:
    caption = (
        "Mayor Ilse Varga (left) and engineer Tomas Brill (right) inspect the sluice gates at the northern dam\n"
        "The gates had not been opened for a decade © VALDORIA PRESS/Northfoto"
    )
    cleaned = clean_body("\n\n".join([STORY[0], caption, STORY[1]]))
    assert cleaned.text == "\n\n".join([STORY[0], STORY[1]])
    assert cleaned.captions[0].credit == "VALDORIA PRESS/Northfoto"
    assert cleaned.captions[0].text.startswith("Mayor Ilse Varga (left)")
    assert _reasons(cleaned)[caption] == "caption"


@pytest.mark.parametrize(
    ("paragraph", "credit"),
    [
        ("Engineers inspect the northern dam on March 3, 2021. (Jana Kovac/Reuters)", "Jana Kovac/Reuters"),
        ("The northern dam at dawn. Photo: Jana Kovac/Valdoria Herald", "Jana Kovac/Valdoria Herald"),
        (
            "FILE PHOTO: The northern dam in Valdoria, March 3, 2021. REUTERS/Jana Kovac/File Photo",
            "REUTERS/Jana Kovac/File Photo",
        ),
        ("The dam on Tuesday. (AP Photo/Jana Kovac, File)", "AP Photo/Jana Kovac, File"),
        ("Image copyright Getty Images Image caption The dam was built in 1961", "Getty Images"),
    ],
)
def test_caption_credit_forms(paragraph: str, credit: str) -> None:
    caption = read_caption(paragraph)
    assert caption is not None
    assert caption.credit == credit


@pytest.mark.parametrize(
    "paragraph",
    [
        "The photo by Jana Kovac won a regional prize last year.",
        "Prices rose 5% in the year to March, the ONS/Eurostat figures showed on Tuesday.",
        "It is possible (even likely) that Varga (R) won the vote. — Tomas Brill (@tbrill) March 14, 2021",
        "Trump (left) and Biden (right) clashed over the dam in a debate that ran long.",
    ],
)
def test_sentences_are_not_captions(paragraph: str) -> None:
    assert read_caption(paragraph) is None


@pytest.mark.parametrize(
    ("opening", "place", "credit"),
    [
        ("SEOUL (Reuters) – President Varga said", "SEOUL", "Reuters"),
        ("WASHINGTON (AP) — The dam", "WASHINGTON", "AP"),
        ("LONDON, May 3 (Reuters) - The dam", "LONDON", "Reuters"),
        ("NEW YORK, N.Y. — The dam", "NEW YORK", None),
        ("SAN DIEGO—The dam", "SAN DIEGO", None),
        ("Washington (CNN) — The dam", "Washington", "CNN"),
        ("(AFP) - The dam", None, "AFP"),
        ("BERLIN (The Associated Press) -- The dam", "BERLIN", "AP"),
        ("(CNN)The dam", None, "CNN"),
        ("Hong Kong (CNN Business)The dam", "Hong Kong", "CNN Business"),
    ],
)
def test_dateline_forms(opening: str, place: str | None, credit: str | None) -> None:
    found = read_dateline(opening)
    assert found is not None
    assert (found.place, found.credit) == (place, credit)


@pytest.mark.parametrize(
    "opening",
    [
        "LIMBAUGH: Right, and here we go.",
        "Sen. Ilse Varga (R-Ohio) — who chairs the panel — said no.",
        "Sen. Ilse Varga (D-Pa.) — who chairs the panel — said no.",
        "The dam — built in 1961 — held.",
        "UPDATE - the gates are open.",
    ],
)
def test_no_dateline(opening: str) -> None:
    assert read_dateline(opening) is None


def test_wire_story_dateline_and_credit_are_read_and_sign_off_removed() -> None:
    text = "\n\n".join(
        [
            "SEOUL (Reuters) – " + STORY[0],
            STORY[1],
            "(Reporting by Jana Kovac; Editing by Tomas Brill)",
        ]
    )
    cleaned = clean_body(text)
    assert (cleaned.dateline, cleaned.credit) == ("SEOUL", "Reuters")
    assert cleaned.text.startswith("The river authority")
    assert _reasons(cleaned)["SEOUL (Reuters) –"] == "dateline"
    assert _reasons(cleaned)["(Reporting by Jana Kovac; Editing by Tomas Brill)"] == "sign-off"
    assert "Editing by" not in cleaned.text


def test_credit_from_copyright_or_wire_line_at_the_end() -> None:
    ap = clean_body("\n\n".join([*STORY, "Copyright 2021 The Associated Press. All rights reserved."]))
    assert ap.credit == "AP"
    afp = clean_body("\n\n".join([*STORY, "(AFP)"]))
    assert afp.credit == "AFP"
    assert _reasons(afp)["(AFP)"] == "sign-off"


def test_byline_gives_authors() -> None:
    cleaned = clean_body("\n\n".join(["By Jana Kovac and Tomas Brill", *STORY]))
    assert cleaned.authors == ("Jana Kovac", "Tomas Brill")
    assert cleaned.text == "\n\n".join(STORY)
    assert _reasons(cleaned)["By Jana Kovac and Tomas Brill"] == "byline"


@pytest.mark.parametrize(
    ("line", "names"),
    [
        ("By Ilse N. Varga and Tomas Brill", ("Ilse N. Varga", "Tomas Brill")),
        ("By Jana Kovac, Reuters", ("Jana Kovac",)),
        ("By Jana Kovac, VBC Valley Desk Co-Editor", ("Jana Kovac",)),
        ("By contrast, the southern towns stayed dry.", None),
        ("By 1991, the dam had been repaired twice.", None),
    ],
)
def test_byline_forms(line: str, names: tuple[str, ...] | None) -> None:
    assert read_byline(line) == names


@pytest.mark.parametrize(
    ("line", "sign_off"),
    [
        ("(Reporting by Jana Kovac; Editing by Tomas Brill)", True),
        ("Additional reporting by Ilse Varga in Brno", True),
        ("Writing by Jana Kovac; editing by Tomas Brill", True),
        ("Reporting by journalists scores slightly better with the public, the survey found.", False),
        ("Research by Valdoria University economists shows the dam paid for itself.", False),
    ],
)
def test_sign_off_forms(line: str, sign_off: bool) -> None:
    assert is_sign_off(line) is sign_off
    cleaned = clean_body("\n\n".join([*STORY, line]))
    assert (line in cleaned.text) is not sign_off


def test_wire_names_are_normalised() -> None:
    assert wire_name("The Associated Press") == "AP"
    assert wire_name("Agence France-Presse") == "AFP"
    assert wire_name("Valdoria Wire") == "Valdoria Wire"


def test_split_paragraphs_uses_blank_lines_else_newlines() -> None:
    assert split_paragraphs("a\nb\n\nc") == ["a\nb", "c"]
    assert split_paragraphs("a\r\nb") == ["a", "b"]


@needs_shared(SAMPLES)
def test_seed_samples_are_cleaned() -> None:
    verbatim = clean_body(next(SAMPLES.glob("000_*.txt")).read_text(encoding="utf-8"))
    spun = clean_body(next(SAMPLES.glob("001_*.txt")).read_text(encoding="utf-8"))
    junk = (
        "Source link",
        "By admin",
        "Leave a Reply",
        "Your email address will not be published",
        "Related Posts",
        "Placeholder when article work is loaded",
    )
    for cleaned in (verbatim, spun):
        assert not any(line.startswith(junk) for line in cleaned.text.split("\n"))
    assert [c.credit for c in verbatim.captions] == ["YONHAP/EPA-EFE/Shutterstock"]
    assert "Shutterstock" not in verbatim.text
    assert (spun.dateline, spun.credit) == ("SEOUL", "Reuters")
    assert spun.text.startswith("President Biden held bilateral talks")
    assert {r.reason for r in verbatim.removed} >= {"scraper-junk", "comments", "caption"}


def test_embedded_photo_gallery_and_video_carousel_are_cut_out_of_the_paragraph() -> None:
    text = (
        "The ferry to Isle Quen ran aground on Sunday, the coastguard said.\n\n"
        "Rescuers reached it within the hour. Photos: Ferry aground off Quen Passengers wait on deck. "
        "Hide Caption 1 of 3 Photos: Ferry aground off Quen A tug pulls alongside. Hide Caption 2 of 3 "
        "Photos: Ferry aground off Quen The captain speaks to reporters. Hide Caption 3 of 3 "
        "All 212 passengers were brought ashore.\n\n"
        "JUST WATCHED Ferry aground off Quen Replay More Videos ... MUST WATCH Ferry aground off Quen 01:42\n\n"
        "An inquiry will begin next week."
    )
    cleaned = clean_body(text)
    assert "Hide Caption" not in cleaned.text and "MUST WATCH" not in cleaned.text
    assert "Rescuers reached it within the hour. All 212 passengers were brought ashore." in cleaned.text
    reasons = [r.reason for r in cleaned.removed]
    assert reasons.count("gallery") == 1 and reasons.count("video") == 1


def test_newsletter_form_with_country_picker_is_removed_whatever_its_length() -> None:
    countries = " ".join(["Aldoria", "Belmark", "Corvania", "Dunmore", "Estrel"] * 20)
    text = (
        "The council approved the budget on Tuesday.\n\n"
        f"Get The Daily. Sign up to receive the top stories. Choose your country {countries} Sign Up Now\n\n"
        "Spending on roads rises by 4 percent."
    )
    cleaned = clean_body(text)
    assert cleaned.text == "The council approved the budget on Tuesday.\n\nSpending on roads rises by 4 percent."
    assert [r.reason for r in cleaned.removed] == ["newsletter"]
