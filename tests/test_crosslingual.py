"""Translations across languages: locale numbers, anchors, the Gale-Church alignment, and relate.

The texts are written for these tests (fictional places and people): an English report, its
Spanish translation, and an independent Spanish report of the same flood.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from newstrace.checks import check_story
from newstrace.extract.language import guess_language
from newstrace.model import Article
from newstrace.nlp.embedding import ModelIntegrityError
from newstrace.nlp.multilingual import (
    MultilingualOptions,
    load_multilingual_encoder,
    multilingual_available,
)
from newstrace.nlp.numbers import localized_number, writes_decimal_comma
from newstrace.relate import RelateOptions, Relator, relate_all
from newstrace.relate.bitext import AlignOptions, OrderTest, Profile, align_translation, lengths_in_order
from newstrace.relate.candidates import CandidateIndex, fingerprint
from newstrace.relate.crosslingual import (
    CrosslingualOptions,
    Translations,
    anchor_stems,
    fold,
    is_translation,
    roman_value,
    xsentences,
)
from newstrace.relate.graph import Edge
from newstrace.relate.relator import resolve_group

ENGLISH = (
    "Flood waters rose across the Verrin valley on Tuesday after three days of rain, forcing 2,400 residents "
    "from their homes, the regional authority said.\n\n"
    "The river at Oskeby reached 6.8 metres, its highest level since 1987, and two bridges were closed to traffic.\n\n"
    "Governor Alma Kessler visited the town of Lund Harbour in the afternoon and promised 15 million euros in "
    "emergency aid. “Nobody will be left alone with the damage,” Kessler told residents gathered at the fire station.\n\n"
    "Forecasters expect the rain to ease on Thursday, but warned that the water could keep rising downstream "
    "until the weekend.\n\n"
    "Schools in Oskeby and Lund Harbour will stay closed until Friday, officials said."
)
SPANISH = (
    "Las aguas de la inundación subieron el martes en todo el valle de Verrin tras tres días de lluvia y "
    "obligaron a 2.400 vecinos a abandonar sus casas, según informó la autoridad regional.\n\n"
    "El río a su paso por Oskeby alcanzó 6,8 metros, su nivel más alto desde 1987, y dos puentes se cerraron "
    "al tráfico.\n\n"
    "La gobernadora Alma Kessler visitó por la tarde la localidad de Lund Harbour y prometió 15 millones de "
    "euros en ayuda de emergencia. «Nadie se quedará solo con los daños», dijo Kessler a los vecinos reunidos "
    "en el cuartel de bomberos.\n\n"
    "Los meteorólogos esperan que la lluvia amaine el jueves, pero advirtieron de que el agua podría seguir "
    "subiendo río abajo hasta el fin de semana.\n\n"
    "Las escuelas de Oskeby y Lund Harbour seguirán cerradas hasta el viernes, dijeron las autoridades."
)
SPANISH_REPORT = (
    "La gobernadora Alma Kessler anunció ayudas para los afectados por las inundaciones en el valle de Verrin.\n\n"
    "Según los bomberos de Lund Harbour, más de cien casas quedaron anegadas durante la noche del lunes.\n\n"
    "En Oskeby, los comerciantes sacaron sus mercancías a la calle para secarlas mientras el agua bajaba "
    "lentamente.\n\n"
    "El alcalde de la ciudad criticó la falta de diques modernos y pidió una investigación sobre el "
    "mantenimiento del río.\n\n"
    "Varias carreteras comarcales siguen cortadas y el servicio de trenes entre las dos localidades está "
    "suspendido.\n\n"
    "Los vecinos organizaron comedores populares en el polideportivo municipal."
)


def _article(article_id: str, text: str, language: str, date: str | None = None) -> Article:
    return Article(id=article_id, text=text, language=language, date=date)


@pytest.mark.parametrize(
    ("token", "decimal_comma", "value"),
    [
        ("1.234,5", True, 1234.5),
        ("1,234.5", False, 1234.5),
        ("1.234,5", False, 1234.5),  # both marks: the last one is the decimal mark, whatever the language
        ("3,1", True, 3.1),
        ("3,1", False, 3.1),  # a lone mark not followed by three digits is a decimal mark
        ("1,234", False, 1234.0),
        ("1,234", True, 1.234),
        ("1.234", True, 1234.0),
        ("1.234.567", False, 1234567.0),
        ("12 000", True, 12000.0),
        ("12\u202f000", False, 12000.0),
        ("0,125", False, 0.125),
        ("2007", True, 2007.0),
        ("abc", True, None),
    ],
)
def test_localized_number_reads_either_locale(token: str, decimal_comma: bool, value: float | None) -> None:
    assert localized_number(token, decimal_comma) == value


def test_languages_that_write_a_decimal_comma() -> None:
    assert writes_decimal_comma("de") and writes_decimal_comma("cs")
    assert not writes_decimal_comma("en") and not writes_decimal_comma(None)


def test_anchors_are_the_same_numbers_and_names_across_languages() -> None:
    english, spanish = xsentences(ENGLISH, "en"), xsentences(SPANISH, "es")
    assert "#2400" in english[0].anchors and "#2400" in spanish[0].anchors
    assert {"#6.8", "#1987", "oske"} <= english[1].anchors & spanish[1].anchors
    assert "kess" in english[2].anchors & spanish[2].anchors


def test_names_are_folded_for_transliteration() -> None:
    assert fold("Paříž") == "pariz"
    assert fold("Kaczyński") == "kaczynski"
    assert "kaczyn" in anchor_stems("Premier Jarosław Kaczyński said so.")


def test_a_lower_case_continuation_is_not_a_new_sentence() -> None:
    text = "A hivatalos vélemény a XXII. kerületi balesetről szól. Morvai Attila közölte."
    assert len(xsentences(text, "hu")) == 2


def test_a_translation_aligns_sentence_by_sentence_in_order() -> None:
    comparison = align_translation(xsentences(ENGLISH, "en"), xsentences(SPANISH, "es"))
    assert comparison.translated
    assert [p.original for p in comparison.pairs] == sorted(p.original for p in comparison.pairs)
    assert [p.derived for p in comparison.pairs] == sorted(p.derived for p in comparison.pairs)
    assert comparison.matched >= 5
    assert is_translation(comparison, CrosslingualOptions())
    first = comparison.passages[0]
    assert ENGLISH[first.original[0] : first.original[1]].startswith("Flood waters")
    assert SPANISH[first.derived[0] : first.derived[1]].startswith("Las aguas")


def test_an_independent_report_in_another_language_is_no_translation() -> None:
    comparison = align_translation(xsentences(ENGLISH, "en"), xsentences(SPANISH_REPORT, "es"))
    assert not is_translation(comparison, CrosslingualOptions())


def test_relate_links_a_translation_to_its_earlier_original_with_evidence() -> None:
    articles = [
        _article("report-es", SPANISH_REPORT, "es", "2031-03-03"),
        _article("original-en", ENGLISH, "en", "2031-03-02"),
        _article("translation-es", SPANISH, "es", "2031-03-03"),
    ]
    relations = relate_all(articles, RelateOptions())
    assert [(r.original, r.derived, r.kind, r.direction) for r in relations] == [
        ("original-en", "translation-es", "translation", "known")
    ]
    assert relations[0].evidence and all(p.change == "paraphrased" for p in relations[0].evidence)
    assert relate_all(articles[::-1], RelateOptions()) == relations


def test_without_dates_a_translation_says_its_direction_is_unknown_and_why() -> None:
    articles = [_article("b", SPANISH, "es"), _article("a", ENGLISH, "en")]
    (relation,) = relate_all(articles, RelateOptions())
    assert relation.kind == "translation" and relation.direction == "unknown"
    assert "publication dates" in relation.reasons[0]


def test_the_cross_lingual_step_can_be_turned_off() -> None:
    options = RelateOptions(crosslingual=CrosslingualOptions(enabled=False))
    assert relate_all([_article("a", ENGLISH, "en"), _article("b", SPANISH, "es")], options) == []


def test_articles_of_unknown_language_are_not_compared_across_languages() -> None:
    assert (
        relate_all([_article("a", ENGLISH, "en"), _article("b", SPANISH, None)], RelateOptions())
        == []
    )  # type: ignore[arg-type]


def test_languages_without_a_stop_list_are_identified_by_py3langid() -> None:
    czech = "Vláda ve středu schválila nový zákon o veřejných zakázkách, který podle ministra zjednoduší řízení pro obce."
    hungarian = "A kormány szerdán elfogadta az új közbeszerzési törvényt, amely a miniszter szerint egyszerűsíti a pályázatokat."
    assert guess_language(czech) == "cs"
    assert guess_language(hungarian) == "hu"
    assert guess_language(ENGLISH) == "en"


def test_a_tampered_model_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "weights.npz").write_bytes(b"not the pinned weights")
    (tmp_path / "sp.model").write_bytes(b"not the pinned vocabulary")
    with pytest.raises(ModelIntegrityError, match="SHA-256"):
        load_multilingual_encoder(MultilingualOptions(model_dir=tmp_path))


@pytest.mark.skipif(not multilingual_available(), reason="multilingual extra not installed")
def test_the_encoder_puts_a_sentence_near_its_translation() -> None:
    encoder = load_multilingual_encoder()
    english = encoder.encode(
        ["Schools will stay closed until Friday.", "The river reached its highest level."]
    )
    spanish = encoder.encode(["Las escuelas seguirán cerradas hasta el viernes."])
    assert english.shape == (2, 512)
    assert np.allclose(np.linalg.norm(english, axis=1), 1.0, atol=1e-5)
    assert float(english[0] @ spanish[0]) > float(english[1] @ spanish[0])
    assert np.array_equal(encoder.encode(["Las escuelas seguirán cerradas hasta el viernes."]), spanish)


def _translation_findings(translation: str) -> list[tuple[str, str, str | None]]:
    articles = [
        _article("original-en", ENGLISH, "en", "2031-03-02"),
        _article("translation-es", translation, "es", "2031-03-03"),
    ]
    relations = relate_all(articles, RelateOptions())
    assert [r.kind for r in relations] == ["translation"]
    return [(f.kind, f.text, f.other.text if f.other else None) for f in check_story(articles, relations)]


def test_a_faithful_translation_has_no_findings_whatever_its_number_format() -> None:
    assert _translation_findings(SPANISH) == []


def test_a_changed_figure_and_a_garbled_name_in_a_translation_are_found() -> None:
    altered = SPANISH.replace("2.400 vecinos", "2.900 vecinos").replace("valle de Verrin", "valle de Berrin")
    assert sorted(_translation_findings(altered)) == [
        ("name", "Berrin", "Verrin"),
        ("number", "2.900", "2,400"),
    ]


def test_a_one_sentence_text_aligns_without_error() -> None:
    comparison = align_translation(
        xsentences("Mayor Alma Kessler resigned.", "en"), xsentences(SPANISH, "es")
    )
    assert comparison.matched <= 1


def test_a_translation_arriving_after_its_original_finds_it() -> None:
    relator = Relator(RelateOptions())
    assert relator.add(_article("original-en", ENGLISH, "en", "2031-03-02")) == []
    relations = relator.add(_article("translation-es", SPANISH, "es", "2031-03-03"))
    assert [(r.original, r.derived, r.kind) for r in relations] == [
        ("original-en", "translation-es", "translation")
    ]


@pytest.mark.parametrize(
    ("word", "value"),
    [("XXII", 22), ("XVI", 16), ("IV", 4), ("XXXIX", 39), ("I", None), ("X", None), ("IIII", None), ("Xi", None), ("DC", None)],
)
def test_roman_numerals_of_two_letters_or_more_have_their_value(word: str, value: int | None) -> None:
    assert roman_value(word) == value


def test_a_roman_numeral_is_the_same_number_as_the_digits_of_its_translation() -> None:
    (hungarian,) = xsentences("Elkészült a vélemény a XXII. kerületi kapitány balesetéről.", "hu")
    (english,) = xsentences("The opinion on the accident of the District 22 police chief is out.", "en")
    assert "#22" in hungarian.anchors & english.anchors
    assert "xxii" not in hungarian.anchors


# A text with no names and no numbers: only lengths and meaning can align it.
PLAIN_ENGLISH = (
    "The rain stopped in the early morning and the streets dried slowly.\n\n"
    "Shop owners opened their doors and swept the water out onto the pavement.\n\n"
    "Children went back to school after a long week at home with their parents.\n\n"
    "The buses ran again, although many of them were late and crowded.\n\n"
    "By the evening the town looked almost as it had before the storm came."
)
PLAIN_SPANISH = (
    "La lluvia paró de madrugada y las calles se secaron poco a poco.\n\n"
    "Los comerciantes abrieron sus puertas y barrieron el agua hacia la acera.\n\n"
    "Los niños volvieron a la escuela tras una larga semana en casa con sus padres.\n\n"
    "Los autobuses volvieron a circular, aunque muchos iban con retraso y llenos.\n\n"
    "Al caer la tarde el pueblo parecía casi el mismo que antes de la tormenta."
)


class _SentenceNumberEncoder:
    """Puts the n-th sentence of any text at the n-th unit vector: every sentence meets its counterpart."""

    def encode(self, texts: list[str]) -> np.ndarray:
        return np.eye(len(texts), 8, dtype=np.float32)


def test_meaning_confirms_a_translation_that_lengths_cover_but_nothing_else_can() -> None:
    options = CrosslingualOptions()
    english, spanish = _article("a", PLAIN_ENGLISH, "en"), _article("b", PLAIN_SPANISH, "es")
    by_lengths = align_translation(xsentences(PLAIN_ENGLISH, "en"), xsentences(PLAIN_SPANISH, "es"))
    assert by_lengths.shorter().weighted >= options.min_coverage and by_lengths.shorter().confirmed == 0
    assert Translations(replace(options, meaning=False)).verify(english, spanish) is None
    comparison = Translations(options, encoder=_SentenceNumberEncoder()).verify(english, spanish)
    assert comparison is not None and comparison.shorter().confirmed > options.min_confirmed


# A longer text with neither names nor numbers, its sentences of very different lengths, and a translation.
ESSAY_ENGLISH = [
    "The village bakery opens before dawn.",
    "By four in the morning the ovens are hot, and the first loaves are already rising on long wooden boards.",
    "Nobody remembers it ever closing.",
    "Neighbours say that the smell of fresh bread drifts across the square every morning, reaching the church "
    "steps and the bus stop long before the shutters of the other shops go up.",
    "The recipes are old.",
    "Some were written down by hand on cards that are now yellow and stained with flour and butter.",
    "Others were never written.",
    "They were passed on from one baker to the next, over years of working side by side at the same table, "
    "and nobody could say exactly how much salt or water goes into them.",
    "Prices have risen lately.",
    "Flour, butter and electricity all cost more than they did, and the owners have had to choose between "
    "smaller loaves, higher prices or longer days for themselves.",
    "They chose the longer days.",
    "Regular customers noticed, and many now come a little earlier to help.",
    "Children love the place.",
    "On their way to school they press their faces against the window, counting the pastries and arguing about "
    "which one is the biggest and which one they would buy if they could.",
    "Tourists come too.",
    "Most of them take photographs, buy a single roll and ask for directions to somewhere else.",
    "The bakers do not mind.",
    "As long as the ovens are warm and the square smells of bread, they say, the village will be all right, "
    "whatever happens in the towns further down the valley.",
]
ESSAY_SPANISH = [
    "La panadería del pueblo abre antes del amanecer.",
    "A las cuatro de la mañana los hornos ya están calientes y las primeras hogazas suben sobre largas tablas "
    "de madera.",
    "Nadie recuerda que haya cerrado nunca.",
    "Los vecinos cuentan que el olor a pan recién hecho cruza la plaza cada mañana y llega a la escalinata de "
    "la iglesia y a la parada del autobús mucho antes de que suban las persianas de las demás tiendas.",
    "Las recetas son antiguas.",
    "Algunas se escribieron a mano en fichas que hoy están amarillentas y manchadas de harina y mantequilla.",
    "Otras nunca se escribieron.",
    "Pasaron de un panadero al siguiente, tras años de trabajar codo con codo en la misma mesa, y nadie sabría "
    "decir cuánta sal o cuánta agua llevan exactamente.",
    "Los precios han subido últimamente.",
    "La harina, la mantequilla y la electricidad cuestan más que antes, y los dueños han tenido que elegir entre "
    "hogazas más pequeñas, precios más altos o jornadas más largas para ellos mismos.",
    "Eligieron las jornadas más largas.",
    "Los clientes habituales se dieron cuenta, y muchos vienen ahora un poco antes para echar una mano.",
    "A los niños les encanta el lugar.",
    "Camino de la escuela pegan la cara al escaparate, cuentan los pasteles y discuten cuál es el más grande y "
    "cuál comprarían si pudieran.",
    "También vienen turistas.",
    "La mayoría hace fotos, compra un solo panecillo y pregunta cómo llegar a otro sitio.",
    "A los panaderos no les importa.",
    "Mientras los hornos estén calientes y la plaza huela a pan, dicen, al pueblo le irá bien, pase lo que pase "
    "en las ciudades del fondo del valle.",
]


def test_sentence_lengths_in_order_confirm_a_translation_where_nothing_else_can() -> None:
    options = replace(CrosslingualOptions(), meaning=False)
    english = _article("a", "\n\n".join(ESSAY_ENGLISH), "en")
    spanish = _article("b", "\n\n".join(ESSAY_SPANISH), "es")
    comparison = Translations(options).verify(english, spanish)
    assert comparison is not None and comparison.shorter().confirmed == 0
    assert comparison.notes[0].startswith("sentence lengths in order")
    # The relation gives the test as its first reason (relate finds such a pair through its copy group:
    # with no name or number in common, the two never meet as candidates of each other).
    (relation,) = resolve_group([Edge("a", "b", comparison)], {"a": english, "b": spanish}, RelateOptions())
    assert relation.kind == "translation" and relation.reasons[0] == comparison.notes[0]


def test_the_same_sentences_out_of_order_are_no_translation() -> None:
    options = replace(CrosslingualOptions(), meaning=False)
    english = _article("a", "\n\n".join(ESSAY_ENGLISH), "en")
    shuffled = ESSAY_SPANISH[6:] + ESSAY_SPANISH[:6]
    assert Translations(options).verify(english, _article("b", "\n\n".join(shuffled[::-1]), "es")) is None


def test_the_order_test_is_not_run_on_a_few_sentences() -> None:
    english = Profile(xsentences(PLAIN_ENGLISH, "en"))
    spanish = Profile(xsentences(PLAIN_SPANISH, "es"))
    assert lengths_in_order(english, spanish, 1.0, AlignOptions(), OrderTest()) is None


def test_candidates_are_found_past_many_articles_of_the_searching_article_s_own_language() -> None:
    index: dict[str, Article] = {"original-en": _article("original-en", ENGLISH, "en")}
    # Spanish sites that ran the same translation: each shares more with it than the original does.
    for number in range(100):
        index[f"es-{number:03}"] = _article(f"es-{number:03}", SPANISH, "es")
    candidates = CandidateIndex()
    for article_id, article in index.items():
        candidates.add(article_id, fingerprint(article.text))
    translation = _article("translation-es", SPANISH, "es")
    found = Translations(CrosslingualOptions(main_language=None)).candidates(translation, candidates, index, [])
    assert found == ["original-en"]


def test_capitalised_words_that_differ_count_against_a_bead_only_where_told() -> None:
    english = "The Central Bank of the Republic raised its main rate again on Monday morning."
    hungarian = "A Nemzeti Jegybank hétfő reggel ismét megemelte az irányadó kamatlábat."
    strict = align_translation(xsentences(english, "en"), xsentences(hungarian, "hu"))
    lenient_options = AlignOptions(unmatched_names=0.0)
    lenient = align_translation(xsentences(english, "en"), xsentences(hungarian, "hu"), options=lenient_options)
    assert strict.matched == 0 and lenient.matched == 1
    # A language that capitalises every noun keeps its names counted against.
    german = Profile(xsentences("Die Zentralbank der Republik erhöhte am Montag ihren Leitzins.", "de"), True)
    assert align_translation(xsentences(hungarian, "hu"), german, options=lenient_options).matched == 0
