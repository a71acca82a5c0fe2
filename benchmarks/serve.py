"""Load on `newstrace serve`: many concurrent clients reading and posting, on loopback only, for a bounded time.

The server runs as a subprocess on 127.0.0.1 over a copy of a store of the news corpus; 200 clients
(asyncio, httpx) send requests one after another for 60 seconds, 90 % reads (story list with and
without filters, story pages and their JSON, article JSON, relation pages, full-text search) and 10 %
posts of new articles (edited copies of corpus articles, so every stage has work), a tenth of them sent
twice as a client's retry would be. Afterwards every posted article must be stored exactly once, and
no request may have failed. Prints requests/s and p50/p99 latencies, of reads and posts apart.

The store: `--db PATH` (or NEWSTRACE_SERVE_DB) reuses an analysed store (built with `newstrace ingest
--store-only` of the corpus, then `newstrace analyze`); otherwise one of the first `--sample` corpus
articles is built first (a full store takes long on a shared 2-core machine).

    python -m benchmarks.serve [--db PATH | --sample 2000] [--clients 200] [--seconds 60]
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import os
import random
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

import httpx

from benchmarks import SHARED_DATA
from newstrace.engine import AnalyzeOptions, LocalEngine
from newstrace.store import open_store

CORPUS = SHARED_DATA / "news" / "allsides-articles.jsonl.gz"
HOST = "127.0.0.1"  # loopback only, always
WORDS = ("president", "court", "vaccine", "election", "climate", "border", "senate", "economy", "police", "trade")


@dataclass
class Tally:
    """Latencies by kind of request, and the failures with their reasons."""

    latencies: dict[str, list[float]] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    posted: dict[str, int] = field(default_factory=dict)  # article id → times posted

    def add(self, kind: str, seconds: float) -> None:
        self.latencies.setdefault(kind, []).append(seconds)

    def of(self, *kinds: str) -> list[float]:
        return sorted(x for kind in kinds for x in self.latencies.get(kind, []))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def _corpus(count: int) -> list[dict]:
    with gzip.open(CORPUS, "rt", encoding="utf-8") as lines:
        return [json.loads(line) for line in islice(lines, count)]


def sample_store(path: Path, size: int) -> None:
    """A store of the first ``size`` corpus articles, analysed."""
    sample = path.with_suffix(".jsonl")
    sample.write_text("".join(json.dumps(r) + "\n" for r in _corpus(size)))
    with open_store(path) as store, LocalEngine(store, AnalyzeOptions()) as engine:
        engine.ingest([sample])
        engine.run()


def _copy_store(source: Path, folder: Path) -> Path:
    """A copy of the store to load (posts change it), with its write-ahead log if one is left."""
    target = folder / "served.db"
    shutil.copy(source, target)
    if Path(f"{source}-wal").exists():
        shutil.copy(f"{source}-wal", f"{target}-wal")
    return target


def _edited_copy(record: dict, article_id: str) -> dict:
    """A new article that copies a corpus article with a changed lead: every stage has work to do."""
    text = str(record.get("text") or "")
    return {
        "id": article_id, "outlet": "Load Test Daily", "date": record.get("date"),
        "title": f"Report: {record.get('title') or 'news'}",
        "text": f"This report was first published elsewhere and is reproduced here.\n\n{text}",
    }


async def _targets(client: httpx.AsyncClient) -> dict[str, list[str]]:
    """Paths to read: stories, articles and relations found through the API itself."""
    stories = (await client.get("/api/v1/stories", params={"limit": 200})).json()["stories"]
    stories += (await client.get("/api/v1/stories", params={"limit": 200, "has_findings": "true"})).json()["stories"]
    articles = [a for s in stories for a in s["articles"]][:400]
    relations: list[str] = []
    for article_id in articles[:200]:
        view = (await client.get(f"/api/v1/articles/{article_id}")).json()
        relations += [r["id"] for r in view["sources"] + view["copies"]]
    return {"stories": [s["id"] for s in stories], "articles": articles, "relations": relations or [None]}


def _read(rng: random.Random, targets: dict[str, list[str]]) -> tuple[str, str, dict]:
    """A read, as (kind, path, query)."""
    roll = rng.random()
    if roll < 0.15:
        return "list", rng.choice(["/", "/api/v1/stories"]), rng.choice([{}, {"has_findings": "true"}, {"since": "2020-06-01"}])
    if roll < 0.45:
        story = rng.choice(targets["stories"])
        return "story", rng.choice([f"/stories/{story}", f"/api/v1/stories/{story}"]), {}
    if roll < 0.65:
        return "article", f"/api/v1/articles/{rng.choice(targets['articles'])}", {}
    if roll < 0.80 and targets["relations"][0] is not None:
        relation = rng.choice(targets["relations"])
        return "relation", rng.choice([f"/relations/{relation}", f"/api/v1/relations/{relation}"]), {}
    return "search", "/api/v1/articles", {"q": " ".join(rng.sample(WORDS, rng.choice([1, 2])))}


async def _client(number: int, client: httpx.AsyncClient, targets: dict[str, list[str]], corpus: list[dict],
                  deadline: float, post_share: float, token: str, tally: Tally) -> None:
    rng = random.Random(number)
    posts = 0
    while time.monotonic() < deadline:
        started = time.monotonic()
        try:
            if rng.random() < post_share:
                article = _edited_copy(rng.choice(corpus), f"load-{number}-{posts}")
                posts += 1
                for _ in range(2 if rng.random() < 0.1 else 1):  # a tenth are sent again, as a retry
                    started = time.monotonic()
                    response = await client.post("/api/v1/articles", json=article, headers={"Authorization": f"Bearer {token}"})
                    response.raise_for_status()
                    assert response.json()["articles"][0]["id"] == article["id"]
                    tally.posted[article["id"]] = tally.posted.get(article["id"], 0) + 1
                    tally.add("post", time.monotonic() - started)
                continue
            kind, path, query = _read(rng, targets)
            response = await client.get(path, params=query)
            response.raise_for_status()
            tally.add(kind, time.monotonic() - started)
        except (httpx.HTTPError, AssertionError, ValueError) as error:
            tally.failures.append(f"{type(error).__name__}: {error}")


def _percentile(values: list[float], share: float) -> float:
    return values[min(len(values) - 1, int(share * len(values)))] * 1000 if values else float("nan")


async def _load(base: str, token: str, corpus: list[dict], clients: int, seconds: float, post_share: float) -> tuple[Tally, float]:
    # Idle connections are dropped by the client (after 5 s) well before the server drops them (after 30 s).
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients, keepalive_expiry=5.0)
    # Posts wait for the writer (every stage runs for them): a generous timeout, the run still bounded.
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=httpx.Timeout(300.0)) as client:
        targets = await _targets(client)
        tally = Tally()
        started = time.monotonic()
        deadline = started + seconds
        tasks = [asyncio.create_task(_client(n, client, targets, corpus, deadline, post_share, token, tally)) for n in range(clients)]
        _, late = await asyncio.wait(tasks, timeout=seconds + 300)
        for task in late:
            task.cancel()
            tally.failures.append("client still waiting 300 s after the end")
        return tally, time.monotonic() - started


def _cpu_seconds(pid: int) -> float:
    """CPU seconds (user and system) a process has used, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _serve(db: Path, port: int, token: str, log: Path) -> subprocess.Popen:
    command = [sys.executable, "-m", "newstrace", "serve", "--db", str(db), "--host", HOST, "--port", str(port)]
    with open(log, "w") as output:
        return subprocess.Popen(command, env={**os.environ, "NEWSTRACE_TOKEN": token}, stdout=output, stderr=subprocess.STDOUT)


def _wait_until_up(base: str, process: subprocess.Popen) -> dict:
    for _ in range(600):
        if process.poll() is not None:
            sys.exit(f"the server stopped with status {process.returncode}")
        try:
            return httpx.get(f"{base}/api/v1/status", timeout=5).json()
        except httpx.HTTPError:
            time.sleep(0.2)
    sys.exit("the server did not answer within 2 minutes")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", default=os.environ.get("NEWSTRACE_SERVE_DB"), help="an analysed store to load (copied first)")
    parser.add_argument("--sample", type=int, default=2000, help="without --db: build a store of this many corpus articles")
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--post-share", type=float, default=0.1)
    arguments = parser.parse_args()
    if not CORPUS.exists():
        sys.exit(f"{CORPUS} not present")
    corpus = _corpus(3000)
    with tempfile.TemporaryDirectory(prefix="newstrace-serve-bench-") as scratch:
        folder = Path(scratch)
        if arguments.db:
            db = _copy_store(Path(arguments.db), folder)
        else:
            db = folder / "sample.db"
            print(f"building a store of the first {arguments.sample} corpus articles (give --db for the full store)", flush=True)
            sample_store(db, arguments.sample)
        port, token = _free_port(), secrets.token_urlsafe(24)
        base = f"http://{HOST}:{port}"
        process = _serve(db, port, token, folder / "server.log")
        try:
            before = _wait_until_up(base, process)
            started = time.monotonic()
            httpx.get(f"{base}/api/v1/articles", params={"q": "the"}, timeout=600).raise_for_status()
            index_seconds = time.monotonic() - started
            server_before, client_before = _cpu_seconds(process.pid), time.process_time()
            tally, wall = asyncio.run(_load(base, token, corpus, arguments.clients, arguments.seconds, arguments.post_share))
            cpu = (_cpu_seconds(process.pid) - server_before, time.process_time() - client_before, os.getloadavg()[0])
            after = httpx.get(f"{base}/api/v1/status", timeout=60).json()
        finally:
            process.terminate()
            process.wait(timeout=60)
        with open_store(db) as store:
            ids = store.articles.ids()
            counts = {article_id: ids.count(article_id) for article_id in tally.posted} if len(ids) < 200_000 else {}
            refused = [p for p in store.problems.all() if p.origin.startswith("api:")]
        _report(before, after, tally, wall, cpu, index_seconds, counts, refused, arguments)


def _report(before: dict, after: dict, tally: Tally, wall: float, cpu: tuple[float, float, float], index_seconds: float,
            counts: dict[str, int], refused: list, arguments: argparse.Namespace) -> None:
    reads = tally.of("list", "story", "article", "relation", "search")
    posts = tally.of("post")
    total = len(reads) + len(posts)
    print(f"store: {before['articles']:,} articles, {before['stories']:,} stories, {before['relations']:,} relations")
    print(f"search index filled by the first search: {index_seconds:.1f} s")
    print(f"{arguments.clients} clients for {arguments.seconds:.0f} s on {HOST}: {total:,} requests in {wall:.1f} s, "
          f"{total / wall:.1f} requests/s, errors {len(tally.failures)}")
    # On a shared machine the wall-clock figures say as much about the neighbours as about the server; the
    # server's own CPU time per request changes little with other load (the server runs on one core: the GIL).
    print(f"server CPU {cpu[0]:.1f} s ({cpu[0] / wall:.2f} cores), {total / cpu[0]:.1f} requests per server CPU-second; "
          f"client CPU {cpu[1]:.1f} s; load average {cpu[2]:.1f} on {os.cpu_count()} cores")
    print(f"{'requests':<10} {'count':>7} {'p50 ms':>8} {'p99 ms':>9}")
    for name, values in [("all", sorted(reads + posts)), ("reads", reads), ("posts", posts),
                         *((kind, tally.of(kind)) for kind in ("list", "story", "article", "relation", "search"))]:
        print(f"{name:<10} {len(values):>7,} {_percentile(values, 0.5):>8.0f} {_percentile(values, 0.99):>9.0f}")
    retried = sum(1 for n in tally.posted.values() if n > 1)
    once = all(n == 1 for n in counts.values()) and len(counts) == len(tally.posted)
    print(f"posted {len(tally.posted):,} articles ({retried} of them twice); stored exactly once each: {once}; "
          f"store grew by {after['articles'] - before['articles']:,}; refused posts: {len(refused)}")
    for failure in sorted(set(tally.failures))[:10]:
        print(f"  failure: {failure}")
    if tally.failures or not once or refused or after["articles"] - before["articles"] != len(tally.posted):
        sys.exit(1)


if __name__ == "__main__":
    main()
