"""A local web site that misbehaves on purpose, for the watcher's tests and benchmark.

It listens on 127.0.0.1 only (port 0: any free port), serves what each route says, and logs every
request it received (path, time, headers) and whether its answer went out whole.
"""

from __future__ import annotations

import multiprocessing
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Reply:
    """What a route answers. ``chunks`` (bytes, pause before them) stream a body without Content-Length."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    chunks: Iterable[tuple[bytes, float]] | None = None


@dataclass
class Hit:
    """One request as the site saw it: when it came (monotonic seconds), and whether the answer went out whole.

    It is logged as it comes, so a request the client gave up on is in the log even while its answer is
    still being held back.
    """

    path: str
    at: float
    headers: dict[str, str]
    status: int
    completed: bool


Route = Callable[[dict[str, str]], Reply]


class Site:
    """A threaded HTTP/1.1 server on a free loopback port, with ``routes`` by path (query included)."""

    def __init__(self, routes: dict[str, Route | Reply] | None = None) -> None:
        self.routes: dict[str, Route | Reply] = dict(routes or {})
        self.hits: list[Hit] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> Site:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    @contextmanager
    def forked(self) -> Iterator[Site]:
        """Serve from a forked child process instead (routes fixed, no log), so that the site's work
        does not share the caller's interpreter lock: for timing the client."""
        child = multiprocessing.get_context("fork").Process(target=self._server.serve_forever, daemon=True)
        child.start()
        try:
            yield self
        finally:
            child.terminate()
            child.join()
            self._server.server_close()

    def paths(self, completed_only: bool = True) -> list[str]:
        with self._lock:
            return [h.path for h in self.hits if h.completed or not completed_only]

    def _record(self, hit: Hit) -> Hit:
        with self._lock:
            self.hits.append(hit)
        return hit

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                at = time.monotonic()
                headers = {k.lower(): v for k, v in self.headers.items()}
                route = site.routes.get(self.path)
                if route is None:
                    reply = Reply(404, b"<html><body>not found</body></html>", {"Content-Type": "text/html"})
                else:
                    reply = route(headers) if callable(route) else route
                hit = site._record(Hit(self.path, at, headers, reply.status, completed=False))
                try:
                    time.sleep(reply.delay)
                    self._send(reply)
                    hit.completed = True
                except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
                    self.close_connection = True

            def _send(self, reply: Reply) -> None:
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                if reply.chunks is None:
                    self.send_header("Content-Length", str(len(reply.body)))
                    self.end_headers()
                    self.wfile.write(reply.body)
                    return
                self.send_header("Connection", "close")
                self.close_connection = True
                self.end_headers()
                for chunk, pause in reply.chunks:
                    time.sleep(pause)
                    self.wfile.write(chunk)
                    self.wfile.flush()

        return Handler


def article_page(number: int, path: str = "", canonical: str | None = None, amp: bool = False) -> bytes:
    """A made-up news article page: a headline, a date and four paragraphs that no other page shares."""
    town = f"Port {chr(65 + number % 26)}{'abcdefghij'[number % 10]}ville"
    paragraphs = [
        f"The harbour council of {town} voted {number + 3} to {number % 5} on Tuesday to rebuild the old "
        f"ferry pier number {number}, after a winter of storms left its timber deck split in {number + 2} places.",
        f"Mayor Elin Varga{number} said the work would begin in spring and cost about {number * 7 + 11} thousand "
        f"crowns, paid from the town's reserve fund and a regional grant approved last month.",
        f"Fishermen who use pier {number} have tied up at the northern quay since January, which they say added "
        f"an hour to every trip and cost them {number + 40} catches over the season.",
        f"The council will publish the builder's plans for pier {number} next week and hold a public meeting "
        f"in the {town} library before any work starts, a spokesperson said.",
    ]
    head = f"<title>Pier {number} to be rebuilt in {town}</title>"
    head += '<meta property="article:published_time" content="2031-05-06">'
    if canonical:
        head += f'<link rel="canonical" href="{canonical}">'
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    html_attribute = " amp" if amp else ""
    return (
        f"<!doctype html><html{html_attribute} lang=\"en\"><head>{head}</head><body><article>"
        f"<h1>Pier {number} to be rebuilt in {town}</h1>{body}</article></body></html>"
    ).encode()


def html_reply(body: bytes, **headers: str) -> Reply:
    return Reply(200, body, {"Content-Type": "text/html; charset=utf-8", **headers})


def rss(links: Iterable[str]) -> bytes:
    items = "".join(f"<item><title>item</title><link>{link}</link></item>" for link in links)
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{items}</channel></rss>'.encode()


def news_sitemap(links: Iterable[str]) -> bytes:
    entries = "".join(
        f"<url><loc>{link}</loc><news:news><news:publication_date>2031-05-06</news:publication_date>"
        "<news:title>t</news:title></news:news></url>"
        for link in links
    )
    return (
        '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        f'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{entries}</urlset>'
    ).encode()


def sitemap_index(links: Iterable[str]) -> bytes:
    entries = "".join(f"<sitemap><loc>{link}</loc></sitemap>" for link in links)
    return (
        f'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}'
        "</sitemapindex>"
    ).encode()
