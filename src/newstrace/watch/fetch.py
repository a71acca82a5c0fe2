"""HTTP for the watcher: one polite ``Fetcher`` (httpx) that every poll and page goes through.

Each request waits for its host's turn (``HostGate``) and for robots.txt's leave; a 429 or 5xx is
asked again after ``Retry-After`` or an exponential back-off with jitter; a body is read as a stream,
decoded here, and cut at the size and time limits; every response received, robots.txt and failed
tries included, comes back as an ``Exchange`` for the archive.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import httpx

from newstrace.watch.bodies import BodyError, BoundedDecoder
from newstrace.watch.polite import HostGate, Robots, RobotsFile
from newstrace.watch.urls import host_of, url_key

Headers = tuple[tuple[str, str], ...]

_RETRIED = frozenset({429, 500, 502, 503, 504})
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
# Hop-by-hop and coding headers describe the bytes on the wire; the archive keeps the decoded body, so
# it keeps these as X-Archive-Orig-* (the convention of pywb and webrecorder) and a new Content-Length.
_WIRE_HEADERS = ("content-encoding", "transfer-encoding", "content-length")


@dataclass(frozen=True)
class FetchOptions:
    """How the watcher asks: who it says it is, how often and how many at once per host, and its limits.

    Attributes:
        user_agent: the User-Agent, sent with ``contact`` as ``name (+contact)``.
        contact: a url where site owners learn who runs the watcher and how to reach them.
        robots_token: the product token robots.txt rules are matched against.
        min_interval: seconds between the starts of two requests to one host, at least.
        per_host: requests running on one host at once, at most.
        concurrency: requests running at once, at most.
        connect_timeout, read_timeout: seconds to connect, and to wait for any next bytes.
        time_limit: seconds one response may take in all; a slower one is cut off.
        max_bytes: decoded body bytes kept, at most; a longer body (or a compression bomb) is cut off.
        max_redirects: redirects followed from one url, at most.
        retries: tries after the first for a 429, a 5xx or a failed connection.
        backoff: seconds before the first retry when the server names none; doubled each time, jittered.
        max_retry_after: a longer ``Retry-After`` is not waited for: the url is left for a later poll.
        robots_ttl: seconds a robots.txt is trusted (RFC 9309 asks for at most a day).
        unreadable_robots_ttl: seconds before a robots.txt that could not be read is asked for again.
    """

    user_agent: str = "newstrace-watch/0.1"
    contact: str | None = None
    robots_token: str = "newstrace"
    min_interval: float = 1.0
    per_host: int = 1
    concurrency: int = 8
    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    time_limit: float = 60.0
    max_bytes: int = 10_000_000
    max_redirects: int = 5
    retries: int = 3
    backoff: float = 1.0
    max_retry_after: float = 120.0
    robots_ttl: float = 86_400.0
    unreadable_robots_ttl: float = 600.0

    @property
    def user_agent_header(self) -> str:
        return f"{self.user_agent} (+{self.contact})" if self.contact else self.user_agent


@dataclass(frozen=True)
class Validators:
    """What a server said about a resource's version, for a conditional GET (a 304 costs nothing)."""

    etag: str | None = None
    last_modified: str | None = None

    def request_headers(self) -> dict[str, str]:
        headers = {}
        if self.etag:
            headers["If-None-Match"] = self.etag
        if self.last_modified:
            headers["If-Modified-Since"] = self.last_modified
        return headers


@dataclass(frozen=True)
class Exchange:
    """One HTTP response as archived: the url asked, the status line, the headers kept and the decoded body.

    ``truncated`` is ``"length"`` or ``"time"`` when the body was cut off (WARC's ``WARC-Truncated``).
    """

    url: str
    status: int
    reason: str
    headers: Headers
    body: bytes
    fetched_at: float
    truncated: str | None = None
    http_version: str = "HTTP/1.1"

    def header(self, name: str) -> str | None:
        name = name.lower()
        return next((value for key, value in self.headers if key.lower() == name), None)

    @property
    def validators(self) -> Validators:
        return Validators(self.header("ETag"), self.header("Last-Modified"))


@dataclass(frozen=True)
class Fetched:
    """What asking for one url gave: its last response, every response on the way, and why it failed.

    ``permanent`` says whether asking again later is pointless (a 404, a body over the size limit,
    robots.txt saying no); ``robots`` holds the robots.txt files read on the way, to be remembered.
    """

    url: str
    response: Exchange | None
    exchanges: tuple[Exchange, ...] = ()
    robots: tuple[RobotsFile, ...] = ()
    error: str | None = None
    permanent: bool = False

    @property
    def ok(self) -> bool:
        return self.error is None and self.response is not None and 200 <= self.response.status < 300

    @property
    def not_modified(self) -> bool:
        return self.error is None and self.response is not None and self.response.status == 304

    @property
    def location(self) -> str | None:
        """Where a redirect points, made absolute; None for any other answer."""
        response = self.response
        if response is None or response.status not in _REDIRECTS or not response.header("Location"):
            return None
        return urljoin(response.url, response.header("Location") or "")


@dataclass
class _Attempt:
    """What one url's tries have gathered so far."""

    exchanges: list[Exchange] = field(default_factory=list)
    robots: list[RobotsFile] = field(default_factory=list)

    def result(self, url: str, response: Exchange | None, error: str | None = None,
               permanent: bool = False) -> Fetched:
        return Fetched(url, response, tuple(self.exchanges), tuple(self.robots), error, permanent)


class Fetcher:
    """The watcher's one HTTP client: polite by construction, safe to share between threads."""

    def __init__(
        self,
        options: FetchOptions | None = None,
        transport: httpx.BaseTransport | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.options = options = options or FetchOptions()
        self.gate = HostGate(options.min_interval, options.per_host)
        self.robots: Robots[tuple[Exchange, ...]] = Robots(self._read_robots, options.robots_token, options.robots_ttl,
                             options.unreadable_robots_ttl)
        self._rng = rng or random.Random()
        self._client = httpx.Client(
            transport=transport,
            follow_redirects=False,
            headers={"User-Agent": options.user_agent_header, "Accept-Encoding": "gzip, deflate, br"},
            limits=httpx.Limits(max_connections=options.concurrency,
                                max_keepalive_connections=options.concurrency),
        )

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def get(self, url: str, validators: Validators | None = None) -> Fetched:
        """One url, robots.txt permitting, with retries; a redirect is returned, not followed."""
        attempt = _Attempt()
        host = host_of(url)
        rules, read = self.robots.rules_for(url, host)
        if read:
            attempt.robots.append(read[0])
            attempt.exchanges.extend(read[1])
        self.gate.set_interval(host, self.robots.interval(rules))
        if rules is None:
            return attempt.result(url, None, f"robots.txt of {host} could not be read: nothing is fetched there")
        if not self.robots.allows(rules, url):
            return attempt.result(url, None, "disallowed by robots.txt", permanent=True)
        return self._get_with_retries(url, validators, attempt)

    def get_following(self, url: str, validators: Validators | None = None) -> Fetched:
        """``get``, following redirects (at most ``max_redirects``, never in a loop)."""
        return self._follow(url, lambda hop: self.get(hop, validators))

    def _follow(self, url: str, ask: Callable[[str], Fetched]) -> Fetched:
        chain = [url_key(url)]
        exchanges: list[Exchange] = []
        robots: list[RobotsFile] = []
        while True:
            fetched = ask(url)
            exchanges.extend(fetched.exchanges)
            robots.extend(fetched.robots)
            fetched = replace(fetched, exchanges=tuple(exchanges), robots=tuple(robots))
            error = redirect_error(fetched.location, chain, self.options.max_redirects)
            if error:
                return replace(fetched, error=error, permanent=True)
            if fetched.location is None:
                return fetched
            url = fetched.location
            chain.append(url_key(url))

    # -- one url -----------------------------------------------------------------------------

    def _get_with_retries(self, url: str, validators: Validators | None, attempt: _Attempt) -> Fetched:
        host = host_of(url)
        headers = validators.request_headers() if validators else {}
        for number in range(self.options.retries + 1):
            try:
                exchange = self._request(url, headers)
            except httpx.TimeoutException as error:
                return attempt.result(url, None, f"timed out: {type(error).__name__}")
            except httpx.TransportError as error:
                if number == self.options.retries:
                    return attempt.result(url, None, f"no answer: {error or type(error).__name__}")
                self.gate.hold(host, self._backoff(number))
                continue
            except BodyError as error:
                return attempt.result(url, None, str(error), permanent=True)
            attempt.exchanges.append(exchange)
            if exchange.truncated:
                return attempt.result(url, exchange, self._truncation(exchange), exchange.truncated == "length")
            if exchange.status not in _RETRIED:
                return attempt.result(url, exchange, *_status_error(exchange.status))
            wait = retry_after(exchange.header("Retry-After"), time.time())
            if wait is not None and wait > self.options.max_retry_after:
                self.gate.hold(host, wait)
                return attempt.result(url, exchange, f"HTTP {exchange.status}, Retry-After {wait:.0f} s: "
                                      "left for a later poll")
            if number == self.options.retries:
                break
            self.gate.hold(host, wait if wait is not None else self._backoff(number))
        return attempt.result(url, exchange, f"HTTP {exchange.status} after {self.options.retries + 1} tries")

    def _backoff(self, number: int) -> float:
        """Exponential back-off with jitter: half the delay fixed, half random, so retries do not align."""
        delay = self.options.backoff * 2**number
        return delay / 2 + self._rng.uniform(0, delay / 2)

    def _truncation(self, exchange: Exchange) -> str:
        if exchange.truncated == "length":
            return f"response over the {self.options.max_bytes:,} byte limit: cut off"
        return f"response took over the {self.options.time_limit:g} s limit: cut off"

    def _request(self, url: str, headers: dict[str, str]) -> Exchange:
        """One GET in the host's turn; the body read as a stream, decoded, and cut at the limits."""
        options = self.options
        with self.gate.slot(host_of(url)):
            started = time.monotonic()
            deadline = started + options.time_limit
            timeout = httpx.Timeout(options.read_timeout, connect=options.connect_timeout)
            fetched_at = time.time()
            with self._client.stream("GET", url, headers=headers, timeout=timeout) as response:
                body, truncated = self._read_body(response, deadline)
                return Exchange(
                    url=url,
                    status=response.status_code,
                    reason=response.reason_phrase,
                    headers=_archived_headers(response.headers.multi_items(), len(body)),
                    body=body,
                    fetched_at=fetched_at,
                    truncated=truncated,
                    http_version=response.http_version,
                )

    def _read_body(self, response: httpx.Response, deadline: float) -> tuple[bytes, str | None]:
        limit = self.options.max_bytes
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > limit and not response.headers.get("Content-Encoding"):
            return b"", "length"
        decoder = BoundedDecoder(response.headers.get("Content-Encoding", ""))
        pieces: list[bytes] = []
        size = 0
        for raw in response.iter_raw():  # as it arrives: a chunk size would hold back a slow drip
            piece = decoder.decode(raw, limit - size)
            pieces.append(piece)
            size += len(piece)
            if size > limit:
                return b"".join(pieces)[:limit], "length"
            if time.monotonic() > deadline:
                return b"".join(pieces), "time"
        return b"".join(pieces), None

    # -- robots.txt --------------------------------------------------------------------------

    def _read_robots(self, url: str) -> tuple[RobotsFile, tuple[Exchange, ...]]:
        """Read ``/robots.txt`` of ``url``'s host (redirects followed), as ``Robots`` asks."""
        parts = urlsplit(url)
        fetched = self._follow(
            f"{parts.scheme}://{parts.netloc}/robots.txt", lambda hop: self._get_with_retries(hop, None, _Attempt())
        )
        status, text = 0, ""
        if fetched.response is not None and fetched.error is None and not fetched.response.truncated:
            status = fetched.response.status
            text = fetched.response.body.decode("utf-8", errors="replace")
        elif fetched.response is not None and fetched.response.status >= 400:
            status = fetched.response.status
        return RobotsFile(parts.netloc.lower(), status, text, time.time()), fetched.exchanges


def redirect_error(location: str | None, chain: list[str], max_redirects: int) -> str | None:
    """Why a redirect to ``location`` is not followed after ``chain`` (the url keys so far), if it is not."""
    if location is None:
        return None
    if url_key(location) in chain:
        return "redirect loop: " + " -> ".join([*chain, url_key(location)])
    if len(chain) > max_redirects:
        return f"more than {max_redirects} redirects"
    return None


def retry_after(value: str | None, now: float) -> float | None:
    """Seconds a ``Retry-After`` header asks to wait (given as seconds or as an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - now)
    except (TypeError, ValueError, IndexError):
        return None


def _status_error(status: int) -> tuple[str | None, bool]:
    """The error of a final status that is not retried, and whether it is permanent."""
    if status < 400:
        return None, False
    return f"HTTP {status}", status not in (408, 425) and status < 500


def _archived_headers(items: list[tuple[str, str]], body_length: int) -> Headers:
    kept = [
        (f"X-Archive-Orig-{name}" if name.lower() in _WIRE_HEADERS else name, value) for name, value in items
    ]
    return (*kept, ("Content-Length", str(body_length)))
