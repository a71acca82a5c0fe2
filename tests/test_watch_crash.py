"""A watcher killed with SIGKILL and started again loses no article, stores none twice and fetches no page
twice; and the archive it wrote, ingested into a fresh store, gives the same articles.

The killed run is a child process that kills itself at a chosen step (``Watcher(checkpoint=...)``), or
that the test kills at a moment of its own; the run that resumes and the clean run it is compared
with run in this process, with fresh objects over the same store and archive folder.
"""

from __future__ import annotations

import gzip
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from fastwarc.warc import ArchiveIterator, WarcRecordType

from newstrace.engine import LocalEngine, ingest
from newstrace.store import open_store
from newstrace.watch import FetchOptions, Source, SQLiteWatchState, Watcher, WatchOptions
from newstrace.watch.sink import store_and_analyze
from watch_server import Reply, Site, article_page, html_reply, rss

PAGES = 6
OPTIONS = WatchOptions(fetch=FetchOptions(min_interval=0.05, retries=1, backoff=0.05, read_timeout=2.0), batch_size=2)

CHILD = """
import json, os, signal, sys
from pathlib import Path
from newstrace.store import open_store
from newstrace.watch import FetchOptions, Source, SQLiteWatchState, Watcher, WatchOptions
import newstrace.watch.sink as sink

db, archive, feed, step, count = json.loads(sys.argv[1])
calls = 0

def checkpoint(name):
    global calls
    if name == step:
        calls += 1
        if calls == count:
            os.kill(os.getpid(), signal.SIGKILL)

from newstrace.engine import LocalEngine
stages = LocalEngine.run
LocalEngine.run = lambda *args, **kwargs: (checkpoint("stages"), stages(*args, **kwargs))[1]
options = WatchOptions(fetch=FetchOptions(min_interval=0.05, retries=1, backoff=0.05, read_timeout=2.0),
                       batch_size=2, archive=Path(archive))
with open_store(db) as store, LocalEngine(store) as engine:
    Watcher([Source(feed)], SQLiteWatchState(store), sink.store_and_analyze(engine), options,
            checkpoint=checkpoint).run_once()
print("finished")
"""


def make_site() -> Site:
    """One site for the whole module, so its urls, and so the article ids, are the same in every run."""
    site = Site()
    links = []
    for number in range(PAGES):
        site.routes[f"/a/{number}"] = lambda headers, number=number: Reply(
            200, article_page(number), {"Content-Type": "text/html"}, delay=site.delay
        )
        links.append(f"/a/{number}")
    site.routes["/amp/0"] = html_reply(article_page(0, canonical=site.url + "/a/0", amp=True))
    site.routes["/feed.xml"] = lambda headers: Reply(200, rss(site.url + link for link in [*links, "/amp/0"]),
                                                     {"Content-Type": "application/rss+xml"})
    site.delay = 0.0
    return site


def watch_here(db: Path, archive: Path, feed: str) -> None:
    options = WatchOptions(fetch=OPTIONS.fetch, batch_size=OPTIONS.batch_size, archive=archive)
    with open_store(db) as store, LocalEngine(store) as engine:
        watcher = Watcher([Source(feed)], SQLiteWatchState(store), store_and_analyze(engine), options)
        watcher.run_once()
        watcher.close()


def outcome(db: Path) -> tuple[list[dict], set[tuple[str, ...]]]:
    """The stored articles (without where they were read from) and the stories as sets of article ids."""
    with open_store(db) as store:
        articles = [{**a.to_dict(), "origin": None} for a in store.articles.all()]
        stories = {s.articles for s in store.stories.all()}
        assert set(store.stories.of(a["id"] for a in articles)) == {a["id"] for a in articles}
        assert not store.stages.missing("brief")
    return sorted(articles, key=lambda a: a["id"]), stories


def archived_urls(archive: Path) -> list[str]:
    urls = []
    for path in sorted(archive.glob("*.warc.gz")):
        with gzip.open(path, "rb") as stream:  # gzip raises on a cut or corrupt member
            urls += [r.headers["WARC-Target-URI"] for r in ArchiveIterator(stream, record_types=WarcRecordType.response)]
    return urls


@pytest.fixture(scope="module")
def module_site() -> Site:
    with make_site() as site:
        yield site


@pytest.fixture
def site(module_site: Site) -> Site:
    module_site.hits.clear()
    module_site.delay = 0.0
    return module_site


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory, module_site: Site) -> tuple[Path, Path, tuple]:
    folder = tmp_path_factory.mktemp("clean")
    watch_here(folder / "clean.db", folder / "archive", module_site.url + "/feed.xml")
    return folder / "clean.db", folder / "archive", outcome(folder / "clean.db")


def run_child(folder: Path, site: Site, step: str, count: int) -> subprocess.Popen:
    arguments = json.dumps([str(folder / "w.db"), str(folder / "archive"), site.url + "/feed.xml", step, count])
    return subprocess.Popen([sys.executable, "-c", CHILD, arguments], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, "ORT_DISABLE_TELEMETRY": "1"})


def page_counts(site: Site) -> Counter[str]:
    return Counter(h.path for h in site.hits if h.completed and h.path.startswith(("/a/", "/amp/")))


@pytest.mark.parametrize(
    ("step", "count"),
    [("received", 3), ("committed", 4), ("archive-written", 2), ("archived", 3), ("stages", 2), ("processed", 2)],
)
def test_killed_at_any_step_and_resumed_is_like_a_clean_run(tmp_path: Path, clean: tuple, site: Site, step: str,
                                                           count: int) -> None:
    child = run_child(tmp_path, site, step, count)
    _, errors = child.communicate(timeout=60)
    assert child.returncode == -signal.SIGKILL, errors.decode()
    watch_here(tmp_path / "w.db", tmp_path / "archive", site.url + "/feed.xml")
    served = page_counts(site)
    assert outcome(tmp_path / "w.db") == clean[2]
    # A response in hand but not yet recorded is the one thing a kill can cost: that page is asked again.
    assert [page for page, n in served.items() if n > 1] == (["/a/1"] if step == "received" else [])
    assert sorted(served) == sorted([f"/a/{n}" for n in range(PAGES)] + ["/amp/0"])
    # Each page is archived once; the feed is read again by the run that resumes (its poll had not ended).
    pages = Counter(url for url in archived_urls(tmp_path / "archive") if "/feed.xml" not in url)
    assert pages == Counter(url for url in archived_urls(clean[1]) if "/feed.xml" not in url)
    assert set(pages.values()) == {1}


def test_killed_from_outside_and_resumed_is_like_a_clean_run(tmp_path: Path, clean: tuple, site: Site) -> None:
    site.delay = 0.1
    child = run_child(tmp_path, site, "never", 0)
    while sum(page_counts(site).values()) < 3 and child.poll() is None:
        time.sleep(0.01)
    child.send_signal(signal.SIGKILL)
    child.communicate(timeout=60)
    watch_here(tmp_path / "w.db", tmp_path / "archive", site.url + "/feed.xml")
    served = page_counts(site)
    assert outcome(tmp_path / "w.db") == clean[2]
    assert sum(n > 1 for n in served.values()) <= 1  # one host, one request at a time: at most one in hand


def test_the_archive_ingests_into_the_same_articles(tmp_path: Path, clean: tuple) -> None:
    clean_db, archive, _ = clean
    with open_store(tmp_path / "again.db") as store:
        report = ingest(store, [archive])
        again = sorted((a.to_dict() for a in store.articles.all()), key=lambda a: a["id"])
    with open_store(clean_db) as store:
        watched = sorted((a.to_dict() for a in store.articles.all()), key=lambda a: a["id"])
    assert again == watched  # origins included: the watcher read each page back from the archive
    assert len(watched) == PAGES
    assert report.duplicates == 1  # the AMP page, named by its canonical url as the watcher named it
