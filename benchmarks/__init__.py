"""Benchmarks: each module prints its figures as a table; run one with `python -m benchmarks.<name>`.

They read the evaluation data from ../shared/data beside the checkout (never shipped with the project).
"""

from pathlib import Path

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def store_articles(store, articles) -> None:
    """Store ``articles`` as ingest does (extracted; later stages due), in transactions of 2,000."""
    from newstrace.store import Changes, encode_article

    batch: list = []
    for article in articles:
        batch.append(encode_article(article))
        if len(batch) == 2000:
            store.commit(Changes(articles=batch))
            batch = []
    store.commit(Changes(articles=batch))
