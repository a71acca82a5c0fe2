"""Ingest: idempotent, crash-safe, and never losing what is already stored."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from newstrace.engine import IngestOptions, ingest
from newstrace.store import open_store
from newstrace.workers import Workers


def write_corpus(path: Path, count: int, start: int = 0) -> list[str]:
    """A JSON Lines file of fictional articles; returns their ids."""
    ids = []
    with open(path, "w", encoding="utf-8") as file:
        for number in range(start, start + count):
            ids.append(f"vell-{number:06d}")
            body = (
                f"Council meeting {number} in the town of Vell approved budget line {number * 7}. "
                f"The vote was {number % 9} to {number % 5}, the clerk said.\n\n"
                f"Residents of ward {number % 13} asked for more buses and fewer potholes."
            )
            file.write(json.dumps({"id": ids[-1], "site": "vell-courier.example", "date": "2024-03-01",
                                   "title": f"Council meeting {number}", "text": body}) + "\n")
    return ids


def test_ingesting_twice_stores_each_article_once(tmp_path: Path, store) -> None:
    corpus = tmp_path / "corpus.jsonl"
    ids = write_corpus(corpus, 120)
    first = ingest(store, [corpus], Workers(1), IngestOptions(batch_size=50))
    second = ingest(store, [corpus], Workers(1), IngestOptions(batch_size=50))
    assert (first.ingested, first.duplicates) == (120, 0)
    assert (second.ingested, second.duplicates) == (0, 120)
    assert store.articles.ids() == ids


def test_worker_processes_give_the_same_articles_in_the_same_order(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.jsonl"
    write_corpus(corpus, 300)
    results = []
    for workers in (1, 2):
        with open_store(tmp_path / f"w{workers}.db") as store:
            ingest(store, [corpus], Workers(workers), IngestOptions(batch_size=100, min_batch_for_workers=10))
            results.append([a.to_dict() for a in store.articles.all()])
    assert results[0] == results[1]


def test_an_id_repeated_in_batches_extracted_at_the_same_time_is_stored_once(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.jsonl"
    ids = write_corpus(corpus, 40)
    with open(corpus, "a", encoding="utf-8") as file:  # the first 40 again: batches 3-4 repeat batches 1-2
        file.write(corpus.read_text(encoding="utf-8"))
    with open_store(tmp_path / "repeat.db") as store:
        report = ingest(store, [corpus], Workers(2), IngestOptions(batch_size=20, min_batch_for_workers=10))
        assert (report.ingested, report.duplicates, report.skipped) == (40, 40, 0)
        assert store.articles.ids() == ids


def test_same_article_without_ids_is_recognised_by_url_or_text(tmp_path: Path, store) -> None:
    text = "The ferry to Isle Quen was cancelled for a third day as gales hit the coast."
    lines = [
        {"url": "https://www.quen-news.example/ferry?utm_source=x", "text": text},
        {"url": "http://quen-news.example/ferry", "text": text},
        {"text": text + " More to follow."},
        {"text": text + " More to follow."},
    ]
    corpus = tmp_path / "noid.jsonl"
    corpus.write_text("\n".join(json.dumps(line) for line in lines))
    report = ingest(store, [corpus])
    assert (report.ingested, report.duplicates) == (2, 2)


def test_bad_items_are_recorded_and_stored_articles_kept(tmp_path: Path, store) -> None:
    good = tmp_path / "good.jsonl"
    write_corpus(good, 10)
    ingest(store, [good])
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x", "text": \n' + json.dumps({"id": "fine", "text": "A whole sentence of text."}))
    report = ingest(store, [bad, tmp_path / "missing.txt"])
    assert report.ingested == 1
    assert [p.origin for p in report.problems] == [f"{bad}:1", str(tmp_path / "missing.txt")]
    assert store.articles.count() == 11
    assert {p.origin for p in store.problems.all()} == {f"{bad}:1", str(tmp_path / "missing.txt")}


def test_the_same_id_with_other_text_is_refused_and_reported(tmp_path: Path, store) -> None:
    """Issue 16, case 2: never counted as "already stored" in silence, in one file or across runs."""
    first = tmp_path / "first.jsonl"
    first.write_text(json.dumps({"id": "x1", "text": "The ferry sailed at dawn."}) + "\n"
                     + json.dumps({"id": "x1", "text": "The ferry never sailed at all."}) + "\n")
    report = ingest(store, [first])
    assert (report.ingested, report.duplicates) == (1, 0)
    (problem,) = report.problems
    assert problem.origin == f"{first}:2" and "stored already with other text" in problem.reason
    later = tmp_path / "later.jsonl"
    later.write_text(json.dumps({"id": "x1", "text": "The ferry sailed at noon."}) + "\n")
    again = ingest(store, [later, first])
    assert (again.ingested, again.duplicates) == (0, 1)
    assert [p.origin for p in again.problems] == [f"{later}:1", f"{first}:2"]
    assert store.articles.get("x1").text == "The ferry sailed at dawn."
    assert {p.origin for p in store.problems.all()} == {f"{later}:1", f"{first}:2"}


def test_kill_mid_run_then_resume_loses_and_doubles_nothing(tmp_path: Path) -> None:
    corpus = tmp_path / "big.jsonl"
    ids = write_corpus(corpus, 60_000)
    db = tmp_path / "crash.db"
    command = [sys.executable, "-m", "newstrace", "ingest", "--store-only", str(corpus), "--db", str(db)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    stored = 0
    while time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.2)
        stored = _count(db)
        if stored >= 1000:
            break
    workers = _children(process.pid)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert 0 < stored < len(ids), "the run should have been killed part-way"
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(pid) for pid in workers):
        time.sleep(0.2)
    assert not any(_alive(pid) for pid in workers), "worker processes must not outlive a killed ingest"
    resumed = subprocess.run(command, capture_output=True, text=True, check=True)
    assert "already stored" in resumed.stderr
    with open_store(db) as store:
        assert store.articles.ids() == ids


def _count(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(db, timeout=1) as connection:
            return connection.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
    except sqlite3.Error:
        return 0


def _children(pid: int) -> list[int]:
    """Process ids of ``pid``'s children (Linux ``/proc``; none found elsewhere)."""
    try:
        return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False
