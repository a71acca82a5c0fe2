"""The watcher: poll sources that are due, fetch the pages they list that are new, archive, hand on.

One thread (the caller's) decides and writes; a pool of threads fetches, one url a task. Each task's
result is recorded in the state in one transaction before anything else happens; every ``batch_size``
pages the responses are archived and the archived pages handed to the sink. A host gets a task only
while it has a free slot and its turn has come, so a slow or rate-limited host never holds up the rest.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from pathlib import Path

from newstrace.model import RawDocument
from newstrace.watch.archive import WarcArchive, read_record
from newstrace.watch.fetch import Fetched, Fetcher, FetchOptions, Validators, redirect_error
from newstrace.watch.listings import Listing, page_canonical, read_listing
from newstrace.watch.state import (
    Failure,
    Pending,
    Queued,
    Source,
    SourceStatus,
    StateChange,
    WatchState,
)
from newstrace.watch.urls import host_of, same_site, url_key, without_amp

Sink = Callable[[Sequence[RawDocument]], object]
"""Takes the pages fetched, as documents, through the stages (``newstrace.watch.sink`` has the default)."""
Checkpoint = Callable[[str], None]
"""Called at each step a crash test may stop at: received, committed, archive-written, archived, processed."""
EventCallback = Callable[[str], None]
"""Told of progress: "poll", "page", "unchanged", "duplicate", "error", "handed-on"."""


@dataclass(frozen=True)
class WatchOptions:
    """How the watcher polls, fetches and archives.

    Attributes:
        fetch: politeness and limits of every request.
        archive: the folder of WARC files.
        interval: seconds between two polls of a source that names no interval of its own.
        max_page_attempts: a page that failed this often (for reasons that may pass) is given up.
        batch_size: pages recorded before they are archived and handed on together.
        max_children: sitemaps of an index (or feeds of a home page) read in one poll, at most.
        max_depth: how far from the source a listing may be (site → sitemap index → sitemap is 2).
    """

    fetch: FetchOptions = field(default_factory=FetchOptions)
    archive: Path = Path("watch-archive")
    interval: float = 900.0
    max_page_attempts: int = 3
    batch_size: int = 20
    max_children: int = 25
    max_depth: int = 2


@dataclass
class WatchReport:
    """What one pass did."""

    polled: int = 0
    pages: int = 0
    handed_on: int = 0
    unchanged: int = 0
    duplicates: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class _Task:
    """One url to fetch: a listing of a source (``depth`` from it), or a page (with its redirect ``chain``)."""

    url: str
    poll: _Poll
    depth: int = 0
    page: bool = False
    chain: tuple[str, ...] = ()
    validators: Validators | None = None


@dataclass(frozen=True)
class _Result:
    task: _Task
    fetched: Fetched
    listing: Listing | None = None
    amp: bool = False
    canonical: str | None = None


@dataclass(eq=False)
class _Poll:
    """One source's poll in progress: its tasks still out, and what it has found so far."""

    status: SourceStatus
    started: float
    outstanding: int = 0
    new_pages: int = 0
    errors: list[str] = field(default_factory=list)
    validators: list[tuple[str, Validators]] = field(default_factory=list)


class Watcher:
    """Polls ``sources``, remembering in ``state``, archiving under ``options.archive``, handing pages to ``sink``.

    Example:
        >>> watcher = Watcher([Source("https://example.org/feed.xml")], MemoryWatchState(), print)  # doctest: +SKIP
        >>> watcher.run_once()  # doctest: +SKIP
    """

    def __init__(
        self,
        sources: Sequence[Source],
        state: WatchState,
        sink: Sink,
        options: WatchOptions | None = None,
        fetcher: Fetcher | None = None,
        clock: Callable[[], float] = time.time,
        checkpoint: Checkpoint | None = None,
        on_event: EventCallback | None = None,
    ) -> None:
        self.sources = list(sources)
        self.state = state
        self.sink = sink
        self.options = options = options or WatchOptions()
        self.fetcher = fetcher or Fetcher(options.fetch)
        self.archive = WarcArchive(options.archive, {
            "software": "newstrace-watch",
            "http-header-user-agent": options.fetch.user_agent_header,
            "robots": "obey",
            "format": "WARC File Format 1.1",
        })
        self.clock = clock
        self.checkpoint = checkpoint or (lambda step: None)
        self.on_event = on_event or (lambda event: None)
        for file in state.robots_files():
            self.fetcher.robots.remember(file)
        # What one pass keeps track of (reset by run_once): its report, the tasks waiting per host and
        # running, the page keys scheduled, and the pages recorded since the last flush.
        self._report = WatchReport()
        self._queues: dict[str, deque[_Task]] = {}
        self._running: dict[Future[_Result], _Task] = {}
        self._scheduled: set[str] = set()
        self._since_flush = 0

    def close(self) -> None:
        self.fetcher.close()

    def due(self) -> list[SourceStatus]:
        """The sources whose next poll has come, by that time."""
        now = self.clock()
        statuses = [self.state.status(s) for s in self.sources]
        return sorted((s for s in statuses if s.next_poll <= now), key=lambda s: (s.next_poll, s.source.id))

    def run(self, stop: threading.Event) -> None:
        """Poll as sources fall due until ``stop`` is set (checked between passes)."""
        while not stop.is_set():
            self.run_once()
            next_poll = min((self.state.status(s).next_poll for s in self.sources), default=self.clock() + 60)
            stop.wait(max(1.0, next_poll - self.clock()))

    def run_once(self) -> WatchReport:
        """One pass: finish what a stopped run left, then poll every source that is due."""
        self._report, self._queues, self._running, self._scheduled = WatchReport(), {}, {}, set()
        self._flush()
        with ThreadPoolExecutor(self.options.fetch.concurrency, thread_name_prefix="watch") as pool:
            for status in self.due():
                poll = _Poll(status, self.clock())
                self._report.polled += 1
                self.on_event("poll")
                self._schedule(_Task(status.source.url, poll))
            while self._queues or self._running:
                next_turn = self._dispatch(pool)
                timeout = None if next_turn is None else max(0.0, next_turn - time.monotonic())
                if not self._running:
                    time.sleep(timeout or 0.0)
                    continue
                finished, _ = wait(list(self._running), timeout=timeout, return_when=FIRST_COMPLETED)
                for future in finished:
                    self._running.pop(future)
                    self._handle(future.result())
                if self._since_flush >= self.options.batch_size:
                    self._flush()
        self._flush()
        return self._report

    # -- scheduling --------------------------------------------------------------------------

    def _schedule(self, task: _Task) -> None:
        if not task.page:
            task = replace(task, validators=self.state.validators(url_key(task.url)))
        task.poll.outstanding += 1
        self._queues.setdefault(host_of(task.url), deque()).append(task)

    def _dispatch(self, pool: ThreadPoolExecutor) -> float | None:
        """Start the next task of every host that has a free slot and whose turn has come.

        Returns when the next host with a free slot and tasks waiting gets its turn (None: no such host).
        """
        busy: dict[str, int] = {}
        for task in self._running.values():
            busy[host_of(task.url)] = busy.get(host_of(task.url), 0) + 1
        now, next_turn = time.monotonic(), None
        for host in list(self._queues):
            queue = self._queues[host]
            while queue and busy.get(host, 0) < self.options.fetch.per_host:
                turn = self.fetcher.gate.ready_at(host)
                if turn > now:
                    next_turn = min(turn, next_turn or turn)
                    break
                task = queue.popleft()
                if task.page and self.state.done([url_key(task.url)], self.options.max_page_attempts):
                    self._finish(task.poll)  # recorded meanwhile (an AMP page named it, say)
                    continue
                self._running[pool.submit(self._work, task)] = task
                busy[host] = busy.get(host, 0) + 1
            if not queue:
                del self._queues[host]
        return next_turn

    # -- in the pool: one url --------------------------------------------------------------

    def _work(self, task: _Task) -> _Result:
        if task.page:
            fetched = self.fetcher.get(task.url)
            if fetched.ok and fetched.response is not None and _is_html(fetched):
                amp, canonical = page_canonical(fetched.response.body)
                return _Result(task, fetched, amp=amp, canonical=canonical)
            return _Result(task, fetched)
        fetched = self.fetcher.get_following(task.url, task.validators)
        if not fetched.ok or fetched.response is None:
            return _Result(task, fetched)
        listing = read_listing(fetched.response.body, fetched.response.url)
        if listing.kind == "page" and not listing.children:
            rules, _ = self.fetcher.robots.rules_for(task.url, host_of(task.url))
            listing = replace(listing, children=tuple(rules.sitemaps) if rules else ())
        return _Result(task, fetched, listing)

    # -- back in the caller's thread: record what came back ---------------------------------

    def _handle(self, result: _Result) -> None:
        self.checkpoint("received")
        change = self._page_change(result) if result.task.page else self._listing_change(result)
        self.state.apply(change)
        self.checkpoint("committed")
        self._finish(result.task.poll)

    def _listing_change(self, result: _Result) -> StateChange:
        task, fetched, poll = result.task, result.fetched, result.task.poll
        change = StateChange(queued=tuple(Queued(e) for e in fetched.exchanges), robots=fetched.robots)
        if fetched.not_modified:
            self._report.unchanged += 1
            self.on_event("unchanged")
            return change
        if not fetched.ok or result.listing is None:
            self._error(poll, task.url, fetched.error or f"HTTP {fetched.response.status if fetched.response else '?'}")
            return change
        expected = _LISTING_KINDS[poll.status.source.kind] if task.depth == 0 else _LISTING_KINDS["auto"]
        if result.listing.kind not in expected:
            self._error(poll, task.url, f"expected a {poll.status.source.kind}, found a {result.listing.kind}")
            return change
        if fetched.response is not None:
            poll.validators.append((url_key(task.url), fetched.response.validators))
        listing = result.listing
        if task.depth < self.options.max_depth:
            for child in listing.children[: self.options.max_children]:
                self._schedule(_Task(child, poll, depth=task.depth + 1))
        links = [without_amp(link) for link in listing.articles]
        keys = [url_key(link) for link in links]
        done = self.state.done(keys, self.options.max_page_attempts)
        for link, key in zip(links, keys, strict=True):
            if key not in done and key not in self._scheduled:
                self._scheduled.add(key)
                self._schedule(_Task(link, poll, page=True, chain=(key,)))
        return change

    def _page_change(self, result: _Result) -> StateChange:
        task, fetched, poll = result.task, result.fetched, result.task.poll
        self._report.pages += 1
        self.on_event("page")
        exchanges = list(fetched.exchanges)
        location = fetched.location
        if location is not None:
            error = redirect_error(location, list(task.chain), self.options.fetch.max_redirects)
            if error:
                return self._page_failure(task, exchanges, error, permanent=True, robots=fetched.robots)
            key = url_key(location)
            if key in self._scheduled or self.state.done([key], self.options.max_page_attempts):
                self._report.duplicates += 1
                self.on_event("duplicate")
                return StateChange(tuple(Queued(e) for e in exchanges), seen=task.chain, robots=fetched.robots)
            self._scheduled.add(key)
            self._schedule(_Task(location, poll, page=True, chain=(*task.chain, key)))
            return StateChange(tuple(Queued(e) for e in exchanges), robots=fetched.robots)
        if not fetched.ok:
            return self._page_failure(task, exchanges, fetched.error or "no answer", fetched.permanent, fetched.robots)
        if not _is_html(fetched):
            content_type = fetched.response.header("Content-Type") if fetched.response else None
            return self._page_failure(task, exchanges, f"not an HTML page ({content_type or 'no content type'})",
                                      True, fetched.robots)
        seen = [*task.chain]
        page_of: str | None = poll.status.source.id
        if result.canonical and same_site(result.canonical, task.url):
            canonical_key = url_key(result.canonical)
            if result.amp and self.state.done([canonical_key], self.options.max_page_attempts):
                page_of = None  # an AMP page of an article already had
                self._report.duplicates += 1
                self.on_event("duplicate")
            seen.append(canonical_key)
        if page_of:
            poll.new_pages += 1
            self._since_flush += 1
        queued = [Queued(e) for e in exchanges[:-1]] + [Queued(exchanges[-1], page_of)]
        return StateChange(tuple(queued), seen=tuple(dict.fromkeys(seen)), robots=fetched.robots)

    def _page_failure(self, task: _Task, exchanges: list, reason: str, permanent: bool,
                      robots: tuple = ()) -> StateChange:
        key = task.chain[0]
        earlier = self.state.failure(key)
        failure = Failure(key, task.url, reason, (earlier.attempts + 1) if earlier else 1, permanent)
        self._error(task.poll, task.url, reason)
        return StateChange(tuple(Queued(e) for e in exchanges), failures=(failure,), robots=robots)

    def _error(self, poll: _Poll, url: str, reason: str) -> None:
        poll.errors.append(f"{url}: {reason}")
        self._report.errors.append((url, reason))
        self.on_event("error")

    def _finish(self, poll: _Poll) -> None:
        """One task of ``poll`` is done; when it was the last, the source's status is recorded."""
        poll.outstanding -= 1
        if poll.outstanding:
            return
        self._flush()  # its pages are handed on before the poll counts as done
        status = poll.status
        interval = status.source.interval or self.options.interval
        self.state.apply(StateChange(validators=tuple(poll.validators), sources=(replace(
            status,
            polls=status.polls + 1,
            last_poll=poll.started,
            next_poll=poll.started + interval,
            new_pages=poll.new_pages,
            total_pages=status.total_pages + poll.new_pages,
            errors=len(poll.errors),
            last_error=poll.errors[-1] if poll.errors else None,
        ),)))

    # -- archive, then hand on ---------------------------------------------------------------

    def _flush(self) -> None:
        """Archive every queued response, then hand every archived page to the sink."""
        self._since_flush = 0
        while queued := self.state.queued(self.options.batch_size):
            position, records = self.archive.append(self.state.archive_position(), [q.exchange for _, q in queued])
            self.checkpoint("archive-written")
            pending = [Pending(record, q.page_of) for record, (_, q) in zip(records, queued, strict=True) if q.page_of]
            self.state.archived([number for number, _ in queued], position, pending)
            self.checkpoint("archived")
        while pending_pages := self.state.pending(self.options.batch_size):
            items = [read_record(p.record, self.options.fetch.max_bytes) for _, p in pending_pages]
            documents = [item for item in items if isinstance(item, RawDocument)]
            self.sink(documents)
            self.checkpoint("processed")
            self.state.processed([number for number, _ in pending_pages])
            self._report.handed_on += len(documents)
            for _ in documents:
                self.on_event("handed-on")


_LISTING_KINDS = {
    "auto": ("feed", "sitemap", "index", "page"),
    "feed": ("feed",),
    "sitemap": ("sitemap", "index"),
    "site": ("page",),
}


def _is_html(fetched: Fetched) -> bool:
    content_type = (fetched.response.header("Content-Type") if fetched.response else None) or ""
    return "html" in content_type.lower()
