"""Watching a local site: pages fetched and taken through every stage per second, and where the time goes.

Run: ``python -m benchmarks.watch``

The 181 scrapinghub news pages (``../shared/data``; made-up pages when it is absent) are served
gzipped by a local site on 127.0.0.1 (the tests' ``watch_server.Site``, in a process of its own),
listed by one feed. The
watcher polls it once into a fresh store with the default sink (extract, store, relate, stories,
checks); politeness is set aside for the measure (no interval, 4 requests at a time to the one
host), since with it the rate is the interval's. Printed: pages/s, and the share of the watcher's
own thread spent waiting for fetches, archiving (WARC and state), extracting, storing and in the
later stages. Baseline in the same run: ``analyze`` of the same pages from HTML files (one process,
as the watcher's sink), pages/s.
"""

from __future__ import annotations

import gzip
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from contextlib import AbstractContextManager, ExitStack
from pathlib import Path
from typing import Any
from unittest import mock

from benchmarks import SHARED_DATA
from newstrace.engine import AnalyzeOptions, LocalEngine, analyze
from newstrace.store import open_store
from newstrace.watch import FetchOptions, Source, SQLiteWatchState, Watcher, WatchOptions
from newstrace.watch import sink as sink_module
from newstrace.watch import watcher as watcher_module

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # the local site the tests use
from watch_server import Reply, Site, article_page, rss

SCRAPINGHUB = SHARED_DATA / "extraction" / "scrapinghub" / "html"
MADE_UP_PAGES = 181


def load_pages() -> tuple[list[bytes], str]:
    """Gzipped HTML pages, and where they came from."""
    paths = sorted(SCRAPINGHUB.glob("*.html.gz"))
    if paths:
        return [p.read_bytes() for p in paths], f"scrapinghub ({len(paths)} pages)"
    return [gzip.compress(article_page(n)) for n in range(MADE_UP_PAGES)], f"made-up pages ({MADE_UP_PAGES})"


class Timers:
    """Seconds spent in wrapped functions, by name."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)

    def wrap(self, name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds[name] += time.perf_counter() - started

        return timed


    def patch(self, owner: object, attribute: str, name: str) -> AbstractContextManager[Any]:
        return mock.patch.object(owner, attribute, self.wrap(name, getattr(owner, attribute)))


def watch_pages(site: Site, folder: Path, batch_size: int, timers: Timers) -> tuple[int, float]:
    options = WatchOptions(fetch=FetchOptions(min_interval=0.0, per_host=4, concurrency=4),
                           archive=folder / f"archive-{batch_size}", batch_size=batch_size)
    archiving = "archiving (WARC, state)"
    with (
        open_store(folder / f"watch-{batch_size}.db") as store,
        LocalEngine(store, AnalyzeOptions(workers=1)) as engine,
        ExitStack() as patches,
    ):
        state = SQLiteWatchState(store)
        watcher = Watcher([Source(site.url + "/feed.xml")], state, sink_module.store_and_analyze(engine), options)
        for owner, attribute, name in [
            (engine, "ingest_documents", "extracting and storing"),
            (engine, "run", "relate, stories, checks, briefs"),
            (watcher_module, "read_record", archiving),
            (watcher.archive, "append", archiving),
            (state, "archived", archiving),
        ]:
            patches.enter_context(timers.patch(owner, attribute, name))
        started = time.perf_counter()
        report = watcher.run_once()
        elapsed = time.perf_counter() - started
        watcher.close()
        assert not report.errors, report.errors[:3]
        return store.articles.count(), elapsed


def analyze_files(pages: list[bytes], folder: Path) -> tuple[int, float]:
    pages_folder = folder / "pages"
    pages_folder.mkdir()
    for number, page in enumerate(pages):
        (pages_folder / f"{number:04d}.html").write_bytes(gzip.decompress(page))
    with open_store(folder / "files.db") as store:
        started = time.perf_counter()
        analyze(store, [pages_folder], AnalyzeOptions(workers=1))
        return store.articles.count(), time.perf_counter() - started


def main() -> None:
    pages, origin = load_pages()
    site = Site()
    for number, page in enumerate(pages):
        site.routes[f"/p/{number}"] = Reply(200, page, {"Content-Type": "text/html; charset=utf-8",
                                                       "Content-Encoding": "gzip"})
    site.routes["/feed.xml"] = Reply(200, rss(f"{site.url}/p/{n}" for n in range(len(pages))),
                                     {"Content-Type": "application/rss+xml"})
    with tempfile.TemporaryDirectory() as temporary, site.forked():
        folder = Path(temporary)
        timers = Timers()
        baseline_articles, baseline_seconds = analyze_files(pages, folder)
        articles, seconds = watch_pages(site, folder, WatchOptions().batch_size, timers)
        whole_articles, whole_seconds = watch_pages(site, folder, len(pages), Timers())
    print(f"pages: {origin}, served gzipped from 127.0.0.1; articles stored: {articles} and {whole_articles} "
          f"by the watcher, {baseline_articles} from files")
    print(f"{'run':<56} {'pages/s':>10} {'seconds':>10}")
    rows = [
        (f"watch --once, pages handed on {WatchOptions().batch_size} at a time (default)", seconds),
        ("watch --once, the whole poll handed on at once", whole_seconds),
        ("baseline: analyze of the same pages as files", baseline_seconds),
    ]
    for name, spent in rows:
        print(f"{name:<56} {len(pages) / spent:10.1f} {spent:10.1f}")
    print(f"ratio to the baseline: {baseline_seconds / seconds:.2f} (default), {baseline_seconds / whole_seconds:.2f}")
    print(f"\n{'where the watcher thread spent its time (default)':<56} {'share':>10} {'seconds':>10}")
    shares = dict(timers.seconds)
    shares["waiting for fetches, state, other"] = seconds - sum(shares.values())
    for name, spent in sorted(shares.items(), key=lambda item: -item[1]):
        print(f"{name:<56} {spent / seconds:10.1%} {spent:10.2f}")


if __name__ == "__main__":
    main()
