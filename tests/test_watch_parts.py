"""The watcher's parts on their own: url identity, listings, bounded decoding, host limits, robots.txt,
Retry-After, the watch list, and the two state backends keeping the same promises."""

from __future__ import annotations

import gzip
import threading
import time
import zlib
from pathlib import Path

import brotli
import pytest

from newstrace.extract import extract_article, stable_id
from newstrace.model import RawDocument
from newstrace.store import MEMORY, open_store
from newstrace.watch import ConfigError, MemoryWatchState, Source, SQLiteWatchState, load_watch_list
from newstrace.watch.archive import ArchivedRecord, ArchivePosition
from newstrace.watch.bodies import BodyError, BoundedDecoder
from newstrace.watch.fetch import Exchange, Validators, retry_after
from newstrace.watch.listings import page_canonical, read_listing
from newstrace.watch.polite import HostGate, Robots, RobotsFile
from newstrace.watch.state import Failure, Pending, Queued, SourceStatus, StateChange
from newstrace.watch.urls import url_key, without_amp
from watch_server import article_page, news_sitemap, rss, sitemap_index


@pytest.mark.parametrize(
    ("url", "same_as"),
    [
        ("https://www.example.com/news/story/?utm_source=rss#top", "http://example.com/news/story"),
        ("https://example.com/news/story/amp", "https://example.com/news/story"),
        ("https://example.com/news/story/amp/", "https://example.com/news/story"),
        ("https://example.com/news/story?amp=1", "https://example.com/news/story"),
        ("https://example.com/news/story?outputType=amp&id=4", "https://example.com/news/story?id=4"),
        ("https://example.com/news/story.amp.html", "https://example.com/news/story.html"),
        ("https://example-com.cdn.ampproject.org/c/s/example.com/news/story", "https://example.com/news/story"),
    ],
)
def test_spellings_of_one_article_share_a_key(url: str, same_as: str) -> None:
    assert url_key(url) == url_key(same_as)


def test_amp_lookalikes_and_other_pages_keep_their_own_key() -> None:
    assert url_key("https://amp.example.com/story") != url_key("https://example.com/story")
    assert url_key("https://example.com/amplifier") != url_key("https://example.com/")
    assert url_key("https://example.com/story?id=1") != url_key("https://example.com/story?id=2")
    assert without_amp("https://example.com/a?q=a+b%2F&amp=1") == "https://example.com/a?q=a+b%2F"


def test_listings_are_read_by_what_they_are() -> None:
    base = "http://site.example/feeds/main.xml"
    assert read_listing(rss(["/a/1", "http://other.example/b", "mailto:x@y"]), base).articles == (
        "http://site.example/a/1", "http://other.example/b")
    atom = (b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><link rel="edit" href="/e"/>'
            b'<link href="/a/2"/></entry></feed>')
    assert read_listing(atom, base).articles == ("http://site.example/a/2",)
    mixed = news_sitemap(["http://site.example/a/3"]).replace(
        b"</urlset>", b"<url><loc>http://site.example/section/world</loc></url></urlset>")
    assert read_listing(mixed, base).articles == ("http://site.example/a/3",)  # news entries only
    index = read_listing(sitemap_index(["/news-1.xml"]), base)
    assert (index.kind, index.children) == ("index", ("http://site.example/news-1.xml",))
    home = b'<html><head><link rel="alternate" type="application/atom+xml" href="/atom"></head></html>'
    assert read_listing(home, base).children == ("http://site.example/atom",)
    assert read_listing(b"\x00\x01binary", base).kind == "page"


def test_amp_pages_and_their_canonical_link() -> None:
    assert page_canonical(article_page(1, canonical="https://x.example/a/1", amp=True)) == (
        True, "https://x.example/a/1")
    assert page_canonical(article_page(1, canonical="/a/1")) == (False, None)  # as extraction: absolute only
    assert page_canonical("<html ⚡><head></head><body>x</body></html>".encode()) == (True, None)


@pytest.mark.parametrize("coding", ["gzip", "deflate", "raw-deflate", "br"])
def test_decoding_never_goes_past_the_room_left(coding: str) -> None:
    plain = b"\0" * 20_000_000
    data = {
        "gzip": lambda: gzip.compress(plain),
        "deflate": lambda: zlib.compress(plain),
        "raw-deflate": lambda: zlib.compress(plain)[2:-4],
        "br": lambda: brotli.compress(plain, quality=5),
    }[coding]()
    decoder = BoundedDecoder("deflate" if coding == "raw-deflate" else coding)
    out = decoder.decode(data[:4096], 100_000)
    assert len(out) == 100_001  # one byte over says "the limit is passed"; the rest is never inflated


def test_decoding_whole_bodies_and_refusing_unknown_codings() -> None:
    assert BoundedDecoder("gzip").decode(gzip.compress(b"one ") + gzip.compress(b"two"), 100) == b"one two"
    assert BoundedDecoder("identity").decode(b"plain", 100) == b"plain"
    with pytest.raises(BodyError, match="unsupported content coding"):
        BoundedDecoder("compress")
    with pytest.raises(BodyError, match="corrupt gzip body"):
        BoundedDecoder("gzip").decode(b"\x1f\x8bnot really", 100)


class ManualClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_the_gate_spaces_starts_per_host_and_holds_a_host_back() -> None:
    clock = ManualClock()
    gate = HostGate(interval=1.0, per_host=1, clock=clock)
    with gate.slot("a"):
        pass
    assert gate.ready_at("a") == 1.0 and gate.ready_at("b") == 0.0
    with gate.slot("b"):  # another host is not held up by the first
        pass
    gate.set_interval("a", 5.0)  # a Crawl-delay
    gate.hold("b", 30.0)  # a Retry-After
    clock.now = 1.0
    with gate.slot("a"):
        pass
    assert gate.ready_at("a") == 6.0 and gate.ready_at("b") == 30.0
    gate.set_interval("a", 0.1)
    clock.now = 6.0
    with gate.slot("a"):
        pass
    assert gate.ready_at("a") == 7.0  # never below the minimum interval


def test_the_gate_lets_one_request_run_per_host_at_a_time() -> None:
    gate = HostGate(interval=0.0, per_host=1)
    running, most = [0], [0]
    lock = threading.Lock()

    def request() -> None:
        with gate.slot("a"):
            with lock:
                running[0] += 1
                most[0] = max(most[0], running[0])
            time.sleep(0.01)
            with lock:
                running[0] -= 1

    threads = [threading.Thread(target=request) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert most[0] == 1


def test_robots_rules_follow_rfc_9309_and_are_read_once() -> None:
    reads = []

    def fetch(url: str) -> tuple[RobotsFile, tuple]:
        reads.append(url)
        host = url.split("/")[2]
        status, text = {"ok.example": (200, "User-agent: newstrace\nDisallow: /x\nCrawl-delay: 4\n"),
                        "missing.example": (404, ""), "down.example": (503, "")}[host]
        return RobotsFile(host, status, text, time.time()), ()

    robots = Robots(fetch, "newstrace", ttl=3600, unreadable_ttl=60)
    rules, read = robots.rules_for("http://ok.example/a", "ok.example")
    assert read is not None and robots.allows(rules, "http://ok.example/a")
    assert not robots.allows(rules, "http://ok.example/x/1") and robots.interval(rules) == 4.0
    assert robots.rules_for("http://ok.example/b", "ok.example")[1] is None  # remembered
    assert robots.allows(robots.rules_for("http://missing.example/a", "missing.example")[0], "http://missing.example/a")
    assert not robots.allows(robots.rules_for("http://down.example/a", "down.example")[0], "http://down.example/a")
    assert len(reads) == 3


def test_retry_after_in_seconds_or_as_a_date() -> None:
    assert retry_after("120", 0.0) == 120.0
    assert retry_after("Wed, 21 Oct 2015 07:28:00 GMT", 1445412470.0) == 10.0
    assert retry_after("soon", 0.0) is None and retry_after(None, 0.0) is None


def test_the_watch_list(tmp_path: Path) -> None:
    listed = tmp_path / "watch.toml"
    listed.write_text(
        '[watch]\ncontact = "https://example.org/bot"\nmin_interval = 2.5\narchive = "warcs"\n'
        '[[source]]\nurl = "https://a.example/rss"\nkind = "feed"\ninterval = 60\n'
        '[[source]]\nurl = "https://b.example/"\nkind = "site"\n'
    )
    config = load_watch_list([str(listed), "https://c.example/sitemap.xml", "https://a.example/rss?utm_source=x"])
    assert [s.url for s in config.sources] == ["https://a.example/rss?utm_source=x", "https://b.example/",
                                               "https://c.example/sitemap.xml"]
    assert config.options.fetch.min_interval == 2.5 and config.options.archive == Path("warcs")
    assert config.options.fetch.user_agent_header == "newstrace-watch/0.1 (+https://example.org/bot)"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[watch]\nspeed = 3\n", "unknown setting(s) under [watch]: speed"),
        ('[[source]]\nurl = "https://a.example"\nkind = "blog"\n', "kind must be one of"),
        ('[[source]]\nurl = "ftp://a.example"\n', "is not an http(s) url"),
        ("[[source]]\nname = 'x'\n", "needs a url"),
        ("[watch\n", "not valid TOML"),
    ],
)
def test_a_bad_watch_list_says_what_is_wrong(tmp_path: Path, text: str, message: str) -> None:
    listed = tmp_path / "watch.toml"
    listed.write_text(text)
    with pytest.raises(ConfigError) as raised:
        load_watch_list([str(listed)])
    assert str(raised.value).startswith(f"{listed}: ") and message in str(raised.value)


@pytest.fixture(params=["memory", "sqlite"])
def state(request: pytest.FixtureRequest):
    if request.param == "memory":
        yield MemoryWatchState()
        return
    with open_store(MEMORY) as store:
        yield SQLiteWatchState(store)


def test_state_keeps_its_promises(state) -> None:
    source = Source("https://a.example/rss", kind="feed")
    response = Exchange("https://a.example/1", 200, "OK", (("Content-Type", "text/html"),), b"<p>x</p>", 1.5)
    state.apply(StateChange(
        queued=(Queued(response, source.id), Queued(response)),
        seen=("//a.example/1",),
        failures=(Failure("//a.example/2", "https://a.example/2", "HTTP 503", attempts=2),
                  Failure("//a.example/3", "https://a.example/3", "HTTP 404", permanent=True)),
        validators=(("//a.example/rss", Validators('"v1"', None)),),
        robots=(RobotsFile("a.example", 200, "User-agent: *\n", 1.0),),
        sources=(SourceStatus(source, polls=1, next_poll=99.0),),
    ))
    keys = ["//a.example/1", "//a.example/2", "//a.example/3", "//a.example/4"]
    assert state.done(keys, max_attempts=3) == {"//a.example/1", "//a.example/3"}
    assert state.done(keys, max_attempts=2) == {"//a.example/1", "//a.example/2", "//a.example/3"}
    assert state.validators("//a.example/rss") == Validators('"v1"', None)
    assert state.robots_files() == [RobotsFile("a.example", 200, "User-agent: *\n", 1.0)]
    assert state.status(Source("https://a.example/rss", name="A")).source.name == "A"
    assert state.status(source).next_poll == 99.0 and state.status(Source("https://b.example/")).polls == 0
    queued = state.queued(10)
    assert [q for _, q in queued] == [Queued(response, source.id), Queued(response)]
    position = ArchivePosition("x.warc.gz", 100, 3)
    state.archived([queued[0][0]], position, [Pending(ArchivedRecord("x.warc.gz", 50, 2), source.id)])
    assert [q for _, q in state.queued(10)] == [Queued(response)] and state.archive_position() == position
    ((number, pending),) = state.pending(10)
    assert pending == Pending(ArchivedRecord("x.warc.gz", 50, 2), source.id)
    state.processed([number])
    state.apply(StateChange(seen=("//a.example/2",)))  # a page that failed before, had at last
    assert state.failure("//a.example/2") is None and state.failure("//a.example/3").permanent
    assert (state.counts().seen, state.counts().failed, state.counts().queued, state.counts().pending) == (2, 1, 1, 0)


def test_an_amp_page_is_named_by_its_canonical_url_on_the_same_site_only() -> None:
    def article_id(url: str, canonical: str, amp: bool) -> str:
        page = article_page(1, canonical=canonical, amp=amp).decode()
        return extract_article(RawDocument(origin="t", body=page, format="html", url=url)).id

    same_site = "https://news.example/2031/pier-1"
    assert article_id("https://news.example/amp/pier-1", same_site, amp=True) == stable_id(same_site, "")
    # A copy that kept the original's canonical link (or any page that is not AMP) keeps its own url.
    assert article_id("https://farm.example/pier-1", same_site, amp=True) == stable_id("https://farm.example/pier-1", "")
    assert article_id("https://news.example/pier-1?ref=x", same_site, amp=False) != stable_id(same_site, "")
