"""The watcher against a local site that misbehaves on purpose (127.0.0.1 only, each test a few seconds).

Politeness is proved from the site's own log: it stamps each request as it reads it, and any k + 1
requests to one host must span at least k times the watcher's minimum interval (0.2 s here), less
one allowance of 0.1 s. The watcher spaces the starts exactly on its own clock (test_watch_parts
shows the gate does); the site, in the same busy process on a shared machine, reads one request
now and then tens of milliseconds late, which shortens the gap before the next. The allowance does
not add up over a run, so a watcher that went faster than its limit would still be caught.
"""

from __future__ import annotations

import gzip
import itertools
from collections import Counter
from dataclasses import replace
from pathlib import Path

import brotli
import pytest
from fastwarc.warc import ArchiveIterator, WarcRecordType

from newstrace.extract import extract_article, stable_id
from newstrace.model import RawDocument
from newstrace.store import MEMORY, open_store
from newstrace.watch import FetchOptions, MemoryWatchState, Source, SQLiteWatchState, Watcher, WatchOptions
from newstrace.watch.urls import url_key
from watch_server import Reply, Site, article_page, html_reply, news_sitemap, rss, sitemap_index

INTERVAL = 0.2
ALLOWANCE = 0.1
FAST = FetchOptions(
    contact="https://example.org/newstrace-tests",
    min_interval=INTERVAL,
    concurrency=4,
    connect_timeout=1.0,
    read_timeout=0.5,
    time_limit=1.0,
    max_bytes=200_000,
    retries=2,
    backoff=0.05,
    max_retry_after=3.0,
)
FEED_HEADERS = {"Content-Type": "application/rss+xml"}


class Clock:
    """The watcher's wall clock, moved by hand so that a second poll is due without waiting for it."""

    def __init__(self) -> None:
        self.now = 2_000_000_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self) -> None:
        self.now += 3600


class Run:
    """A watcher over ``sources`` with a sink that keeps what it is given."""

    def __init__(self, tmp_path: Path, sources: list[Source], state=None, **fetch: object) -> None:
        self.documents: list[RawDocument] = []
        self.clock = Clock()
        self.options = WatchOptions(fetch=replace(FAST, **fetch), archive=tmp_path / "archive", interval=600)
        self.state = state or MemoryWatchState()
        self.watcher = Watcher(sources, self.state, self.documents.extend, self.options, clock=self.clock)

    def once(self):
        return self.watcher.run_once()

    def again(self):
        self.clock.advance()
        return self.watcher.run_once()

    @property
    def urls(self) -> list[str]:
        return [d.url for d in self.documents]


def url_key_of(site: Site, path: str) -> str:
    return url_key(site.url + path)


def pages(site: Site, *numbers: int, prefix: str = "/a/") -> list[str]:
    for number in numbers:
        site.routes[f"{prefix}{number}"] = html_reply(article_page(number))
    return [f"{site.url}{prefix}{n}" for n in numbers]


def feed(site: Site, links: list[str], path: str = "/feed.xml", **headers: str) -> Source:
    site.routes[path] = Reply(200, rss(links), {**FEED_HEADERS, **headers})
    return Source(site.url + path)


def assert_spaced(site: Site) -> None:
    """Requests to the site never came faster than one a minimum interval (see the module's docstring)."""
    starts = sorted(hit.at for hit in site.hits)
    for i, j in itertools.combinations(range(len(starts)), 2):
        assert starts[j] - starts[i] >= (j - i) * INTERVAL - ALLOWANCE, [round(b - a, 3) for a, b in
                                                                         itertools.pairwise(starts)]


def assert_polite(site: Site) -> None:
    """Requests spaced, and no article page served whole twice."""
    assert_spaced(site)
    served = Counter(h.path for h in site.hits if h.completed and h.status == 200 and "/a/" in h.path)
    assert all(count == 1 for count in served.values()), served


def archived(run: Run) -> list[tuple[str, int, str | None]]:
    """(url, status, WARC-Truncated) of every response record in the run's WARC files."""
    records = []
    for path in sorted(run.options.archive.glob("*.warc.gz")):
        with gzip.open(path, "rb") as stream:
            for record in ArchiveIterator(stream, parse_http=True, record_types=WarcRecordType.response):
                records.append((record.headers["WARC-Target-URI"], record.http_headers.status_code,
                                record.headers.get("WARC-Truncated")))
    return records


def test_feed_pages_are_fetched_once_archived_and_handed_on(tmp_path: Path) -> None:
    with Site() as site:
        links = pages(site, 0, 1, 2)
        run = Run(tmp_path, [feed(site, links)])
        report = run.once()
        assert run.urls == links
        assert (report.pages, report.handed_on, report.errors) == (3, 3, [])
        run.again()  # the feed is unchanged, its pages are had already
        assert run.urls == links
        assert_polite(site)
        assert {h.headers["user-agent"] for h in site.hits} == {"newstrace-watch/0.1 (+https://example.org/newstrace-tests)"}
    assert [(url, status) for url, status, _ in archived(run) if "/a/" in url] == [(u, 200) for u in links]
    for document in run.documents:
        assert document.origin.startswith(str(tmp_path / "archive")) and "#" in document.origin
        assert extract_article(document).title.startswith("Pier ")


def test_a_500_is_retried_and_both_answers_are_archived(tmp_path: Path) -> None:
    answers = iter([Reply(500, b"<html>oops</html>", {"Content-Type": "text/html"})])

    def flaky(headers: dict[str, str]) -> Reply:
        return next(answers, html_reply(article_page(7)))

    with Site({"/a/7": flaky}) as site:
        run = Run(tmp_path, [feed(site, [site.url + "/a/7"])])
        report = run.once()
        assert run.urls == [site.url + "/a/7"] and report.errors == []
        assert [h.status for h in site.hits if h.path == "/a/7"] == [500, 200]
        assert_polite(site)
    assert [status for url, status, _ in archived(run) if url.endswith("/a/7")] == [500, 200]


def test_429_waits_as_long_as_retry_after_says(tmp_path: Path) -> None:
    answers = iter([Reply(429, b"slow down", {"Retry-After": "1"})])
    with Site({"/a/3": lambda headers: next(answers, html_reply(article_page(3)))}) as site:
        run = Run(tmp_path, [feed(site, [site.url + "/a/3"])])
        run.once()
        assert run.urls == [site.url + "/a/3"]
        tries = [h for h in site.hits if h.path == "/a/3"]
        assert [h.status for h in tries] == [429, 200]
        assert tries[1].at - tries[0].at >= 1.0 - ALLOWANCE
        assert_polite(site)


def test_a_retry_after_beyond_the_limit_leaves_the_page_for_a_later_poll(tmp_path: Path) -> None:
    with Site({"/a/4": Reply(503, b"", {"Retry-After": "3600"})}) as site:
        run = Run(tmp_path, [feed(site, [site.url + "/a/4"])])
        report = run.once()
        assert [h.path for h in site.hits].count("/a/4") == 1
        assert "Retry-After 3600 s" in report.errors[0][1]
        failure = run.state.failure(url_key_of(site, "/a/4"))
        assert (failure.attempts, failure.permanent) == (1, False)


def test_redirects_are_followed_and_loops_stopped(tmp_path: Path) -> None:
    with Site() as site:
        links = pages(site, 1)
        site.routes["/short/1"] = Reply(301, b"", {"Location": "/a/1"})
        site.routes["/loop/a"] = Reply(302, b"", {"Location": "/loop/b"})
        site.routes["/loop/b"] = Reply(302, b"", {"Location": "/loop/a"})
        source = feed(site, [site.url + "/short/1", site.url + "/loop/a", links[0]])
        run = Run(tmp_path, [source])
        report = run.once()
        assert run.urls == links  # /short/1 led to it, and the feed's own link to it is not fetched again
        (error,) = report.errors
        assert error[0].endswith("/loop/b") and error[1].startswith("redirect loop")
        run.again()
        paths = site.paths()
        assert (paths.count("/loop/a"), paths.count("/loop/b"), paths.count("/a/1")) == (1, 1, 1)
        assert_polite(site)


@pytest.mark.parametrize("declared", [True, False], ids=["declared", "undeclared"])
def test_a_100_mb_body_is_cut_at_the_size_limit(tmp_path: Path, declared: bool) -> None:
    headers = {"Content-Type": "text/html", **({"Content-Length": str(100_000_000)} if declared else {})}
    huge = Reply(200, headers=headers, chunks=((b"<p>" + b"x" * 65_533, 0.0) for _ in range(1526)))
    with Site({"/a/9": huge}) as site:
        run = Run(tmp_path, [feed(site, [site.url + "/a/9"])])
        report = run.once()
        assert run.documents == []
        assert "over the 200,000 byte limit" in report.errors[0][1]
        assert not next(h for h in site.hits if h.path == "/a/9").completed  # it stopped reading
        run.again()
        assert site.paths(completed_only=False).count("/a/9") == 1  # too large is for good
    assert [t for url, _, t in archived(run) if url.endswith("/a/9")] == ["length"]


@pytest.mark.parametrize("coding", ["gzip", "br"])
def test_a_compression_bomb_stops_at_the_size_limit(tmp_path: Path, coding: str) -> None:
    zeros = b"\0" * 100_000_000
    bomb = gzip.compress(zeros, 9) if coding == "gzip" else brotli.compress(zeros, quality=5)
    with Site({"/a/5": Reply(200, bomb, {"Content-Type": "text/html", "Content-Encoding": coding})}) as site:
        run = Run(tmp_path, [feed(site, [site.url + "/a/5"])])
        report = run.once()
        assert run.documents == []
        assert "over the 200,000 byte limit" in report.errors[0][1]
    assert [t for url, _, t in archived(run) if url.endswith("/a/5")] == ["length"]


def test_slow_answers_are_cut_off_and_tried_again_later_a_few_times(tmp_path: Path) -> None:
    def drip(headers: dict[str, str]) -> Reply:
        return Reply(200, headers={"Content-Type": "text/html"}, chunks=((b"<p>more</p>", 0.3) for _ in range(10)))

    with Site({
        "/a/6": drip,
        "/a/8": Reply(200, article_page(8), {"Content-Type": "text/html"}, delay=0.8),
    }) as site:
        run = Run(tmp_path, [feed(site, [site.url + "/a/6", site.url + "/a/8"])], max_retry_after=3.0)
        report = run.once()
        reasons = dict(report.errors)
        assert "took over the 1 s limit" in reasons[site.url + "/a/6"]
        assert reasons[site.url + "/a/8"].startswith("timed out")
        run.again()
        run.again()  # the third and last attempt
        run.again()
        paths = site.paths(completed_only=False)
        assert (paths.count("/a/6"), paths.count("/a/8")) == (3, 3)
        assert_spaced(site)


def test_robots_txt_is_obeyed(tmp_path: Path) -> None:
    with Site({"/robots.txt": Reply(200, b"User-agent: *\nDisallow: /private/\n", {"Content-Type": "text/plain"})}) as site:
        allowed = pages(site, 1)
        hidden = pages(site, 2, prefix="/private/")
        run = Run(tmp_path, [feed(site, hidden + allowed)])
        report = run.once()
        run.again()
        assert run.urls == allowed
        assert report.errors == [(hidden[0], "disallowed by robots.txt")]
        assert "/private/2" not in site.paths(completed_only=False)
        assert site.paths().count("/robots.txt") == 1  # read once, remembered
        assert_polite(site)


def test_an_unreadable_robots_txt_allows_nothing(tmp_path: Path) -> None:
    with Site({"/robots.txt": Reply(503, b"")}) as site:
        run = Run(tmp_path, [feed(site, pages(site, 1))])
        report = run.once()
        assert run.documents == [] and "could not be read" in report.errors[0][1]
        assert [h.path for h in site.hits] == ["/robots.txt"] * 3  # tried and retried; nothing else asked


def test_an_unchanged_feed_costs_a_304(tmp_path: Path) -> None:
    modified = "Tue, 06 May 2031 10:00:00 GMT"

    def conditional(headers: dict[str, str]) -> Reply:
        if headers.get("if-none-match") == '"v1"' and headers.get("if-modified-since") == modified:
            return Reply(304, b"", {"ETag": '"v1"'})
        return Reply(200, rss([site.url + "/a/1"]), {**FEED_HEADERS, "ETag": '"v1"', "Last-Modified": modified})

    with Site({"/feed.xml": conditional}) as site:
        pages(site, 1)
        run = Run(tmp_path, [Source(site.url + "/feed.xml")])
        run.once()
        report = run.again()
        assert report.unchanged == 1 and report.pages == 0
        assert [h.status for h in site.hits if h.path == "/feed.xml"] == [200, 304]
    assert [status for url, status, _ in archived(run) if url.endswith("/feed.xml")] == [200, 304]


def test_links_to_articles_already_had_are_not_fetched(tmp_path: Path) -> None:
    with Site() as site:
        base = site.url
        pages(site, 0, 1)
        site.routes["/amp-of-0"] = html_reply(article_page(0, canonical=f"{base}/a/0", amp=True))
        site.routes["/amp-of-3"] = html_reply(article_page(3, canonical=f"{base}/a/3", amp=True))
        pages(site, 3)
        run = Run(tmp_path, [feed(site, [f"{base}/a/0", f"{base}/a/1"])])
        run.once()
        later = [f"{base}/a/0?utm_source=rss#top", f"{base}/a/1/amp", f"{base}/a/1?amp=1", f"{base}/amp-of-0",
                 f"{base}/amp-of-3", f"{base}/a/3"]
        site.routes["/feed.xml"] = Reply(200, rss(later), FEED_HEADERS)
        report = run.again()
        assert run.urls == [f"{base}/a/0", f"{base}/a/1", f"{base}/amp-of-3"]
        assert report.duplicates == 1  # the AMP page of /a/0, known only once fetched
        paths = site.paths(completed_only=False)
        assert all(paths.count(p) == 1 for p in ("/a/0", "/a/1", "/amp-of-0", "/amp-of-3"))
        assert "/a/3" not in paths  # its AMP page was had first
        assert_polite(site)
    # An AMP page is named by its canonical url: the article it gives is the one /a/3 would have given.
    assert extract_article(run.documents[-1]).id == stable_id(f"{base}/a/3", "")


def test_news_sitemaps_and_indexes(tmp_path: Path) -> None:
    with Site() as site:
        links = pages(site, 1, 2)
        site.routes["/news.xml"] = Reply(200, news_sitemap(links), {"Content-Type": "application/xml"})
        site.routes["/index.xml"] = Reply(200, sitemap_index([site.url + "/news.xml"]),
                                          {"Content-Type": "application/xml"})
        run = Run(tmp_path, [Source(site.url + "/index.xml", kind="sitemap")])
        run.once()
        assert run.urls == links


def test_a_site_is_read_through_the_feeds_its_home_page_names(tmp_path: Path) -> None:
    with Site() as site:
        links = pages(site, 1)
        feed(site, links)
        home = b'<html><head><link rel="alternate" type="application/rss+xml" href="/feed.xml"></head></html>'
        site.routes["/"] = html_reply(home)
        run = Run(tmp_path, [Source(site.url + "/", kind="site")])
        run.once()
        assert run.urls == links


def test_hosts_are_polled_side_by_side_each_at_its_own_pace(tmp_path: Path) -> None:
    with Site() as first, Site() as second:
        run = Run(tmp_path, [feed(first, pages(first, 1, 2, 3)), feed(second, pages(second, 4, 5, 6))])
        run.once()
        assert sorted(run.urls) == sorted(pages(first, 1, 2, 3) + pages(second, 4, 5, 6))
        assert_polite(first)
        assert_polite(second)
        # The two hosts were asked at once: the second's first request came before the first host finished.
        assert min(h.at for h in second.hits) < max(h.at for h in first.hits)


def test_memory_and_sqlite_state_give_the_same_watch(tmp_path: Path) -> None:
    outcomes = []
    with Site() as site:
        links = pages(site, 1, 2)
        site.routes["/gone"] = Reply(404, b"")
        sources = [feed(site, [*links, site.url + "/gone"])]
        with open_store(MEMORY) as store:
            for number, state in enumerate([MemoryWatchState(), SQLiteWatchState(store)]):
                run = Run(tmp_path / str(number), sources, state=state)
                run.once()
                run.again()
                statuses = [replace(s, last_poll=None, next_poll=0) for s in state.statuses()]
                outcomes.append((run.urls, statuses, state.counts(), state.failure(url_key_of(site, "/gone"))))
    assert outcomes[0] == outcomes[1]
    assert outcomes[0][2].seen == 2 and outcomes[0][3].permanent


def test_the_archive_holds_every_response_as_warc(tmp_path: Path) -> None:
    with Site({"/robots.txt": Reply(404, b"")}) as site:
        run = Run(tmp_path, [feed(site, pages(site, 1))])
        run.once()
    (path,) = run.options.archive.glob("*.warc.gz")
    with gzip.open(path, "rb") as stream:
        records = [(r.record_type, r.reader.read()) for r in ArchiveIterator(stream, parse_http=False)]
    assert [kind for kind, _ in records] == [WarcRecordType.warcinfo] + [WarcRecordType.response] * 3
    assert b"http-header-user-agent: newstrace-watch/0.1 (+https://example.org/newstrace-tests)" in records[0][1]
    assert [url.rsplit("/", 1)[1] for url, _, _ in archived(run)] == ["robots.txt", "feed.xml", "1"]
