"""Passage alignment: spans slice the matched passages out of both texts, in order, with the right change."""

from __future__ import annotations

from newstrace.relate.align import align_passages, heaviest_chain

ORIGINAL = (
    "The harbour council of Port Velin voted on Tuesday to close the old ferry pier.\n\n"
    "Councillor Ada Brenn said the pier had cost the town 412,000 crowns in repairs since 2019.\n\n"
    "Fishermen who moor at the pier protested outside the town hall during the vote.\n\n"
    "A new pier will be built at Gull Point by the end of next year, the council said."
)


def _slices(text: str, span: tuple[int, int]) -> str:
    return text[span[0] : span[1]]


def test_identical_text_is_one_identical_passage_covering_both() -> None:
    passages = align_passages(ORIGINAL, ORIGINAL)
    assert [p.change for p in passages] == ["identical"]
    assert passages[0].original == passages[0].derived == (0, len(ORIGINAL))


def test_spans_slice_out_the_matched_sentences_with_junk_around() -> None:
    derived = (
        "Breaking news from our partners\n\n" + ORIGINAL.replace("412,000", "512,000") + "\n\nLike this:"
    )
    passages = align_passages(ORIGINAL, derived)
    assert [p.change for p in passages] == ["identical", "edited", "identical"]
    for passage in passages:
        left, right = _slices(ORIGINAL, passage.original), _slices(derived, passage.derived)
        if passage.change == "identical":
            assert left == right
    edited = passages[1]
    assert "412,000" in _slices(ORIGINAL, edited.original)
    assert "512,000" in _slices(derived, edited.derived)
    assert "Breaking news" not in _slices(derived, passages[0].derived)


def test_reworded_sentences_align_as_paraphrased_in_order() -> None:
    derived = (
        "On Tuesday the Port Velin harbour council decided by vote that the ancient ferry pier will shut.\n\n"
        "Since 2019 the pier has cost the town 412,000 crowns for repairs, according to councillor Ada Brenn.\n\n"
        "The council announced that by the end of the next year a new pier will rise at Gull Point."
    )
    passages = align_passages(ORIGINAL, derived)
    assert len(passages) == 3
    assert [p.derived for p in passages] == sorted(p.derived for p in passages)
    assert all(p.change == "paraphrased" for p in passages)
    assert "Gull Point" in _slices(ORIGINAL, passages[-1].original)


def test_unrelated_text_aligns_nothing() -> None:
    other = "A storm knocked out power across the valley overnight. Crews expect repairs to last days."
    assert align_passages(ORIGINAL, other) == []


def test_heaviest_chain_keeps_the_order_on_both_sides() -> None:
    cells = [(0, 0, 0.5), (1, 2, 0.9), (2, 1, 0.8), (3, 3, 0.6)]
    chain = heaviest_chain(cells, 4)
    assert [(p.derived, p.original) for p in chain] == [(0, 0), (1, 2), (3, 3)]
