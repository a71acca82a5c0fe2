"""Politeness: how often and how many at once each host is asked, and what its robots.txt allows.

``HostGate`` spaces the starts of requests to one host by at least its interval (the watcher's minimum,
or a longer ``Crawl-delay`` / ``Request-rate`` from robots.txt), holds back a host that said
``Retry-After`` or answered with a server error, and lets at most ``per_host`` requests run on a host
at once. ``Robots`` answers "may this url be fetched" from robots.txt files read with protego, by the
rules of RFC 9309: a robots.txt that is missing (4xx) allows everything, one that cannot be read (5xx,
no answer) allows nothing until it can be.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Generic, TypeVar

from protego import Protego

Clock = Callable[[], float]
T = TypeVar("T")


class HostGate:
    """Per-host spacing and concurrency limits, shared by every thread that fetches."""

    def __init__(self, interval: float, per_host: int, clock: Clock = time.monotonic) -> None:
        self.interval = interval
        self.per_host = per_host
        self.clock = clock
        self._condition = threading.Condition()
        self._next_start: dict[str, float] = {}
        self._intervals: dict[str, float] = {}
        self._running: dict[str, int] = {}

    def set_interval(self, host: str, seconds: float) -> None:
        """A longer spacing for ``host`` (its robots.txt asked for one); never shorter than the minimum."""
        with self._condition:
            self._intervals[host] = max(self.interval, seconds)

    def hold(self, host: str, seconds: float) -> None:
        """Start nothing on ``host`` for ``seconds`` (``Retry-After``, or a back-off after an error)."""
        with self._condition:
            until = self.clock() + seconds
            self._next_start[host] = max(self._next_start.get(host, until), until)
            self._condition.notify_all()

    def ready_at(self, host: str) -> float:
        """When ``host`` may next start a request, on the gate's clock."""
        with self._condition:
            return self._next_start.get(host, 0.0)

    @contextmanager
    def slot(self, host: str) -> Iterator[None]:
        """Wait until a request to ``host`` may start, and hold one of its slots while it runs."""
        with self._condition:
            while True:
                now = self.clock()
                wait = self._next_start.get(host, 0.0) - now
                if wait <= 0 and self._running.get(host, 0) < self.per_host:
                    break
                self._condition.wait(timeout=wait if wait > 0 else None)
            self._running[host] = self._running.get(host, 0) + 1
            self._next_start[host] = now + self._intervals.get(host, self.interval)
        try:
            yield
        finally:
            with self._condition:
                self._running[host] -= 1
                self._condition.notify_all()


@dataclass(frozen=True)
class RobotsFile:
    """A host's robots.txt as read: its status (0: no answer), its text, and when it was read (epoch seconds)."""

    host: str
    status: int
    text: str
    fetched_at: float

    def rules(self) -> Protego | None:
        """The parsed rules; None when the file could not be read, which allows nothing (RFC 9309, 2.3.1.4)."""
        if 200 <= self.status < 300:
            return Protego.parse(self.text)
        if 400 <= self.status < 500 and self.status != 429:
            return Protego.parse("")
        return None


class Robots(Generic[T]):
    """What each host's robots.txt allows the watcher's product token, read once per host and kept a while.

    ``fetch(url)`` reads the robots.txt of ``url``'s host and returns it with whatever else the caller
    wants back from that reading (the responses, for the archive).
    """

    def __init__(
        self,
        fetch: Callable[[str], tuple[RobotsFile, T]],
        token: str,
        ttl: float,
        unreadable_ttl: float,
        clock: Clock = time.time,
    ) -> None:
        self.fetch = fetch
        self.token = token
        self.ttl = ttl
        self.unreadable_ttl = unreadable_ttl
        self.clock = clock
        self._files: dict[str, tuple[RobotsFile, Protego | None]] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()

    def remember(self, file: RobotsFile) -> None:
        """Use a robots.txt read before (kept in the watcher's state) while it is fresh."""
        with self._lock:
            self._files[file.host] = (file, file.rules())

    def rules_for(self, url: str, host: str) -> tuple[Protego | None, tuple[RobotsFile, T] | None]:
        """The rules for ``host`` and, when they had to be read just now, what ``fetch`` returned."""
        with self._lock:
            lock = self._locks.setdefault(host, threading.Lock())
        with lock:  # one thread reads a host's robots.txt; the others wait for it
            known = self._files.get(host)
            if known and self._fresh(*known):
                return known[1], None
            read = self.fetch(url)
            rules = read[0].rules()
            with self._lock:
                self._files[host] = (read[0], rules)
            return rules, read

    def _fresh(self, file: RobotsFile, rules: Protego | None) -> bool:
        ttl = self.ttl if rules is not None else self.unreadable_ttl
        return self.clock() - file.fetched_at < ttl

    def allows(self, rules: Protego | None, url: str) -> bool:
        return rules is not None and rules.can_fetch(url, self.token)

    def interval(self, rules: Protego | None) -> float:
        """The spacing the rules ask for (``Crawl-delay``, ``Request-rate``), 0 when they ask for none."""
        if rules is None:
            return 0.0
        delay = rules.crawl_delay(self.token) or 0.0
        rate = rules.request_rate(self.token)
        if rate and rate.requests:
            delay = max(delay, rate.seconds / rate.requests)
        return float(delay)
