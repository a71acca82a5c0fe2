"""The service's one writer: a thread that runs every write through the engine, one at a time.

Readers read the store from any thread (the SQLite store gives each its own connection); writes queue
here. Articles posted while a write runs are written together in the next engine step (ingest, then
every stage), which costs little more than writing one; a retried post finds its article stored and
is answered from the store as the first one was. A file upload runs as a job with its progress kept.
Each write tells ``StoryEvents`` which stories it changed, so open story pages update at once.
"""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newstrace.engine import LocalEngine, RunReport
from newstrace.model import RawDocument


@dataclass(frozen=True)
class Stored:
    """What became of each posted document: the id of its stored article (None when it yielded none)
    and, by position, the reason for each that yielded none."""

    ids: list[str | None]
    problems: dict[int, str]


@dataclass
class Job:
    """A file being analysed in the background, as ``GET /jobs/{id}`` shows it."""

    id: str
    name: str
    state: str = "queued"  # queued, running, done or failed
    stage: str | None = None
    handled: int = 0
    report: dict[str, Any] = field(default_factory=dict)
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "name": self.name, "state": self.state,
            "progress": {"stage": self.stage, "handled": self.handled},
            "report": self.report, "error": self.error,
        }


class StoryEvents:
    """In-process publish and subscribe: a write names the stories it changed; each open story page's
    event stream waits on its own queue (on the server's event loop)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queues: dict[str, set[tuple[asyncio.AbstractEventLoop, asyncio.Queue[str]]]] = {}

    def subscribe(self, story_id: str) -> asyncio.Queue[str]:
        queue: asyncio.Queue[str] = asyncio.Queue()
        with self._lock:
            self._queues.setdefault(story_id, set()).add((asyncio.get_running_loop(), queue))
        return queue

    def unsubscribe(self, story_id: str, queue: asyncio.Queue[str]) -> None:
        with self._lock:
            listeners = self._queues.get(story_id, set())
            listeners -= {pair for pair in listeners if pair[1] is queue}
            if not listeners:
                self._queues.pop(story_id, None)

    def publish(self, story_ids: set[str]) -> None:
        """Wake every stream open on one of ``story_ids`` (from any thread)."""
        with self._lock:
            listeners = [pair for story_id in story_ids for pair in self._queues.get(story_id, ())]
        for loop, queue in listeners:
            loop.call_soon_threadsafe(queue.put_nowait, "changed")


@dataclass
class _Post:
    documents: list[RawDocument]
    future: Future[Stored]


@dataclass
class _Task:
    run: Callable[[LocalEngine], Any]
    future: Future[Any]


class Writer:
    """The queue of writes and the thread that runs them through ``engine``, in order.

    Args:
        engine: the engine over the service's store; only this thread uses it.
        events: told which stories each write changed.
        max_batch: the most posted articles written in one engine step.
    """

    def __init__(self, engine: LocalEngine, events: StoryEvents, max_batch: int = 100) -> None:
        self.engine, self.events, self.max_batch = engine, events, max_batch
        self.jobs: dict[str, Job] = {}
        self._queue: deque[_Post | _Task | None] = deque()
        self._ready = threading.Condition()
        self._thread = threading.Thread(target=self._loop, name="newstrace-writer", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Finish the writes queued so far, then stop the thread."""
        self._put(None)
        self._thread.join()

    def post(self, documents: list[RawDocument]) -> Future[Stored]:
        """Queue ``documents`` to be stored and brought through every stage."""
        future: Future[Stored] = Future()
        self._put(_Post(documents, future))
        return future

    def submit(self, run: Callable[[LocalEngine], Any]) -> Future[Any]:
        """Queue ``run(engine)``, to be called alone, after every write queued before it."""
        future: Future[Any] = Future()
        self._put(_Task(run, future))
        return future

    def analyze_file(self, path: Path, name: str) -> Job:
        """Queue the analysis of the file at ``path`` (deleted when done) as a job named ``name``."""
        job = Job(uuid.uuid4().hex, name)
        self.jobs[job.id] = job

        def run(engine: LocalEngine) -> None:
            job.state = "running"

            def stage(stage_name: str, total: int | None) -> Callable[[int], None]:
                job.stage, job.handled = stage_name, 0
                return lambda n: setattr(job, "handled", job.handled + n)

            try:
                report = engine.analyze([path], stage)
                self._published(report, report.ingest.new_ids)
                job.report = {
                    "ingested": report.ingest.ingested,
                    "duplicates": report.ingest.duplicates,
                    "problems": [p.to_dict() for p in report.ingest.problems[:100]],
                    "problem_count": len(report.ingest.problems),
                    "stories": sorted({s.id for s in report.stories}),
                }
                job.state = "done"
            except Exception as error:
                job.state, job.error = "failed", str(error)
            finally:
                path.unlink(missing_ok=True)

        self.submit(run)
        return job

    def _put(self, item: _Post | _Task | None) -> None:
        with self._ready:
            self._queue.append(item)
            self._ready.notify()

    def _take(self) -> list[_Post] | _Task | None:
        """The next write: a task, or as many queued posts as one engine step takes."""
        with self._ready:
            while not self._queue:
                self._ready.wait()
            first = self._queue.popleft()
            if not isinstance(first, _Post):
                return first
            posts, count = [first], len(first.documents)
            while self._queue and isinstance(self._queue[0], _Post) and count + len(self._queue[0].documents) <= self.max_batch:
                posts.append(self._queue.popleft())
                count += len(posts[-1].documents)
            return posts

    def _loop(self) -> None:
        while (work := self._take()) is not None:
            if isinstance(work, _Task):
                _settle(work.future, lambda work=work: work.run(self.engine))
            else:
                self._write(work)

    def _write(self, posts: list[_Post]) -> None:
        try:
            report = self.engine.ingest_documents([d for post in posts for d in post.documents])
            self._published(self.engine.run(), report.new_ids)
        except BaseException as error:
            for post in posts:
                post.future.set_exception(error)
            if not isinstance(error, Exception):
                raise
            return
        reasons = {p.origin: p.reason for p in report.problems}
        for post in posts:
            ids = [report.stored.get(d.origin) for d in post.documents]
            problems = {i: reasons.get(d.origin, "not stored") for i, d in enumerate(post.documents) if ids[i] is None}
            post.future.set_result(Stored(ids, problems))

    def _published(self, run: RunReport, new_ids: Iterable[str] = ()) -> None:
        """Tell the open story pages which stories ``run`` changed (and those the new articles joined)."""
        stories = {s.id for s in run.stories} | set(self.engine.store.stories.of(new_ids).values())
        if stories:
            self.events.publish(stories)


def _settle(future: Future[Any], call: Callable[[], Any]) -> None:
    try:
        future.set_result(call())
    except Exception as error:
        future.set_exception(error)
