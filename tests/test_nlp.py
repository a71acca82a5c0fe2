"""Sentences, names, numbers and quotes on hand-written fictional text."""

from __future__ import annotations

import pytest

from newstrace.model import Article
from newstrace.nlp import extract_quotes, find_names, find_numbers, split_sentences
from newstrace.nlp.annotate import annotate, list_share, plain_words, quoted_chars
from newstrace.nlp.entities import tokenize
from newstrace.nlp.numbers import words_to_number
from newstrace.nlp.tokens import normalized


def _sentences(text: str) -> list[str]:
    return [text[a:b] for a, b in split_sentences(text)]


def test_sentences_keep_abbreviations_and_initials_together() -> None:
    text = "Mr. Dalo met U.S. officials on Friday. Sen. Ana B. Ruiz said no. Then she left at 3 p.m. Monday."
    assert _sentences(text) == [
        "Mr. Dalo met U.S. officials on Friday.",
        "Sen. Ana B. Ruiz said no.",
        "Then she left at 3 p.m. Monday.",
    ]


def test_an_acronym_in_capitals_may_end_a_sentence() -> None:
    # "ft." (feet) and "Ft." (Fort) are abbreviations; "FT." (a newspaper) ends its sentence.
    assert _sentences("The wall at Ft. Meade is 6 ft. high. Sales fell, said the FT. Aucune confirmation n'a suivi.") == [
        "The wall at Ft. Meade is 6 ft. high.",
        "Sales fell, said the FT.",
        "Aucune confirmation n'a suivi.",
    ]


def test_sentences_split_after_dotted_abbreviation_before_an_opener() -> None:
    assert _sentences("He moved to the U.S. The move was quick.") == [
        "He moved to the U.S.",
        "The move was quick.",
    ]


def test_sentences_end_at_quotes_and_paragraph_breaks() -> None:
    text = "“We won,” she said. “It was hard.”\n\nA new paragraph\nwithout a period"
    assert _sentences(text) == [
        "“We won,” she said.",
        "“It was hard.”",
        "A new paragraph",
        "without a period",
    ]


def test_sentence_spans_are_offsets_into_the_text() -> None:
    text = "  One. Two!  "
    assert split_sentences(text) == [(2, 6), (7, 11)]


def test_names_split_titles_off_as_role() -> None:
    mentions = find_names("Veldorian President Maro Telkan-uu met Prime Minister Ida Brask in Quellport.")
    by_text = {m.text: m for m in mentions}
    assert by_text["Maro Telkan-uu"].role == "veldorian president"
    assert by_text["Ida Brask"].role == "prime minister"
    assert by_text["Maro Telkan-uu"].kind == "person"
    assert by_text["Quellport"].kind == "place"


def test_names_skip_sentence_openers_and_keep_connectors() -> None:
    text = (
        "But the Harbor Institute for Tidal Studies said so. The report was late. We’re told Osk Varn agreed."
    )
    names = [m.text for m in find_names(text)]
    assert names == ["Harbor Institute for Tidal Studies", "Osk Varn"]
    assert find_names(text)[0].kind == "organization"


def test_names_mark_single_sentence_initial_words() -> None:
    mentions = find_names("Silence. Then Brask spoke.")
    assert [(m.text, m.initial) for m in mentions] == [("Silence", True), ("Brask", False)]


def test_names_drop_possessive() -> None:
    assert [m.text for m in find_names("It was Ida Brask’s plan.")] == ["Ida Brask"]


@pytest.mark.parametrize(
    ("text", "value", "kind", "unit"),
    [
        ("a $5.5bn plant", 5.5e9, "amount", "USD"),
        ("a 5.5 billion dollars plant", 5.5e9, "amount", "USD"),
        ("£12 million", 12e6, "amount", "GBP"),
        ("Twenty-six moderate members", 26, "count", "moderate"),
        ("about five minutes", 5, "count", "minutes"),
        ("a 5.8 percent lead", 5.8, "percent", "percent"),
        ("rose 12%", 12, "percent", "percent"),
        ("the 131-year-old brand", 131, "age", "years"),
        ("aged 45 when", 45, "age", "years"),
        ("In 2007 the firm", 2007, "year", None),
        ("21 deaths", 21, "count", "deaths"),
        ("nearly 2 million people", 2e6, "count", "people"),
        ("1,200 people", 1200, "count", "people"),
        ("On August 19, 2016 it", 20160819, "date", None),
        ("by June 30 it", 630, "date", None),
    ],
)
def test_numbers_are_normalised(text: str, value: float, kind: str, unit: str | None) -> None:
    (number,) = find_numbers(text)
    assert (number.value, number.kind, number.unit) == (value, kind, unit)
    assert text[number.span[0] : number.span[1]] == number.text


def test_written_out_and_digit_forms_compare_equal() -> None:
    assert words_to_number("two hundred thousand") == 200_000
    assert words_to_number("one hundred and five") == 105
    assert find_numbers("five ships")[0].value == find_numbers("5 ships")[0].value


def test_one_as_a_pronoun_is_not_a_number() -> None:
    assert find_numbers("No one knew; one of them left.") == []


def test_quotes_with_speakers_after_and_before() -> None:
    text = (
        "Mayor Lina Oksa spoke on Monday. “The bridge will open in May,” said Oksa. "
        "“We are ready,” she added.\n\n"
        "Port chief Davi Renn told reporters: “Ships are waiting.”\n\n"
        "“Delays cost money,” according to Tomas Ek, an analyst."
    )
    quotes = extract_quotes(text)
    assert [(q.text, q.speaker) for q in quotes] == [
        ("The bridge will open in May,", "Lina Oksa"),
        ("We are ready,", "Lina Oksa"),
        ("Ships are waiting.", "Davi Renn"),
        ("Delays cost money,", "Tomas Ek"),
    ]
    first = quotes[0]
    assert text[first.span[0] : first.span[1]] == first.text
    assert text[first.speaker_span[0] : first.speaker_span[1]] == "Oksa"


def test_quotes_straight_marks_and_multi_paragraph() -> None:
    text = 'Ana Ruiz said: "First part of it.\n\n"Second part of it."\n\nThen "scare" words, he said.'
    quotes = extract_quotes(text)
    assert quotes[0].text.startswith("First part of it.") and quotes[0].text.endswith("Second part of it.")
    assert quotes[0].speaker == "Ana Ruiz"
    assert quotes[1].text == "scare"


def test_quote_without_attribution_has_no_speaker() -> None:
    (quote,) = extract_quotes("The plan was called “a fresh start” by nobody in particular.")
    assert quote.speaker is None


def test_names_keep_qualified_roles_and_skip_titles_alone() -> None:
    text = (
        "It met former Veldorian President Ana Kell. The Prime Minister left. Seoul-based Brask Group grew."
    )
    mentions = {m.text: m for m in find_names(text)}
    assert mentions["Ana Kell"].role == "former veldorian president"
    assert "Prime Minister" not in mentions
    assert "Seoul" in mentions and "Brask Group" in mentions


def test_written_numbers_and_capital_headings_are_not_names() -> None:
    text = "Thirty-eight Delegates voted. INVITED BACK TO WORK\n\nThe F.B.I. agreed."
    assert [m.text for m in find_names(text)] == ["Delegates", "F.B.I."]


def test_sentences_do_not_split_at_abbreviations() -> None:
    text = "Mr. Brenn met Gov. Ola in Washington, D.C. on Monday. They agreed."
    assert [text[s:e] for s, e in split_sentences(text)] == [
        "Mr. Brenn met Gov. Ola in Washington, D.C. on Monday.",
        "They agreed.",
    ]


# Behaviour pinned while making the text analysis faster (each rewritten function gives the outputs of the
# one before on the whole news corpus; these are the edge cases that checking turned up).


def test_tokens_keep_periods_only_on_initials_and_titles() -> None:
    tokens = tokenize("U.S.A. A.) Dr. Ida. Seoul-based.  É. x")
    assert [t.text for t in tokens] == ["U.S.A.", "A.", "Dr.", "Ida", "Seoul", "É.", "x"]
    assert [(t.start, t.end) for t in tokens][3:5] == [(15, 18), (20, 25)]


def test_tokens_of_text_without_words() -> None:
    assert tokenize("") == [] and tokenize(" ... — ") == []


def test_names_take_the_word_before_the_whole_run() -> None:
    """ "from" in "from The Hague" comes before the run "The Hague", not before "Hague"."""
    (mention,) = find_names("He flew from The Hague.")
    assert (mention.text, mention.kind) == ("Hague", "place")


def test_names_join_over_spaces_and_tabs_only() -> None:
    assert [m.text for m in find_names("Ola Brenn of\tHarbor Group")] == ["Ola Brenn of\tHarbor Group"]
    assert [m.text for m in find_names("Ola Brenn of\nHarbor Group")] == ["Ola Brenn", "Harbor Group"]
    assert [m.text for m in find_names("Ola Brenn,  Harbor Group")] == ["Ola Brenn", "Harbor Group"]


def test_names_repeated_keep_their_own_role() -> None:
    """The words of a run are judged once; the role and the place come from each occurrence."""
    mentions = find_names("Dr. Ida Brask and Ida Brask.")
    assert [(m.text, m.role, m.span) for m in mentions] == [
        ("Ida Brask", "dr", (4, 13)),
        ("Ida Brask", None, (18, 27)),
    ]


def test_descriptive_tails_are_cut_off_capitalised_words_only() -> None:
    text = "Seoul-based and seoul-based and GOP-backed Velin-born"
    assert [m.text for m in find_names(text)] == ["Seoul", "GOP", "Velin"]


def test_sentences_take_a_long_run_of_periods_as_one_mark() -> None:
    """A run of periods is read once (it was read again from each of its periods: quadratic)."""
    text = "." * 50_000 + " Next one."
    assert split_sentences(text) == [(0, 50_000), (50_001, len(text))]


def test_list_share_reads_words_after_opening_marks() -> None:
    assert list_share("Iowa: Tim Albrecht, Brad Anderson, (Carl) 12 “Dee” -Eve *Fay") == 1.0
    assert list_share("one two three four five six seven eight") == 0.0


def test_single_quotes_open_at_the_start_or_after_a_non_word() -> None:
    text = "'Tis the 'best' plan, don't you 'think'"
    assert quoted_chars(text, [(0, len(text))]) == [len("'Tis the 'best'") + len("'think'")]


def test_plain_words_join_over_either_apostrophe() -> None:
    assert plain_words("Don’t stop, don't Ida’s") == ["don't", "stop", "don't", "ida's"]


def test_normalized_makes_marks_plain_and_collapses_space() -> None:
    assert normalized("  “Quote” — ‘x’ – y \n z ") == "\"Quote\" - 'x' - y z"


def test_short_words_are_left_out_of_sentence_content() -> None:
    notes = annotate(Article(id="a", text="An ox ate it. The old ox ran far away."))
    assert [words for _, words in notes.sentence_content] == [{"ate"}, {"ran", "the", "far", "old", "away"}]
    assert notes.vocabulary == {"away"}


def test_quotes_take_mentions_in_the_order_given() -> None:
    text = "Ana Ruiz and Ben Ode said it was “a fresh start” today."
    mentions = find_names(text)
    assert extract_quotes(text, mentions)[0].speaker == "Ben Ode"
    assert extract_quotes(text, list(reversed(mentions)))[0].speaker == "Ana Ruiz"
