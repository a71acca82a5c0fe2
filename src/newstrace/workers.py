"""The engine's worker processes: one object that every stage's parallel work goes through.

Two kinds of work: ``map`` sends picklable items to a pool of processes (extraction of input
items), and ``shares`` forks processes that see the parent's memory (an index of the whole
store, a list of stories) without copying it, each working on its share. Either way a worker that
fails is reported with its own traceback, workers ignore Ctrl-C (the parent stops them and says
so once), and a worker never outlives its parent.
"""

from __future__ import annotations

import multiprocessing
import os
import queue as queues
import signal
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager
from typing import TypeVar

from newstrace.errors import NewstraceError

T = TypeVar("T")
R = TypeVar("R")

Progress = Callable[[int], None]
"""Called with the number of items handled since the last call."""


# A batch step over fewer articles than this runs in this process: forking workers costs more than it saves.
PARALLEL_MIN_ARTICLES = 2000


class WorkerError(NewstraceError):
    """A worker process failed; the message holds its traceback."""


def default_workers() -> int:
    """Worker processes unless told otherwise: one per core, two at most."""
    return min(2, os.cpu_count() or 1)


def can_fork() -> bool:
    """Forked workers see the parent's memory without copying it; only some platforms offer it."""
    return "fork" in multiprocessing.get_all_start_methods()


@contextmanager
def _forking() -> Iterator[None]:
    """Ctrl-C held back while workers are forked: one that struck during a fork would reach the new
    worker before it can ignore it (and a worker's traceback would be printed), and not this process."""
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def _start_worker(parent: int) -> None:
    """First thing in a worker: ignore Ctrl-C (the parent handles it) and exit when the parent dies."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


class Workers:
    """Worker processes for the stages of one engine.

    Example:
        >>> with Workers(1) as workers:
        ...     list(workers.map(abs, [-1, 2]))
        [1, 2]
    """

    def __init__(self, count: int | None = None) -> None:
        self.count = max(1, count or default_workers())
        self._pool: Executor | None = None

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def map(self, work: Callable[[T], R], items: list[T], parallel: bool = True) -> Iterator[R]:
        """``work`` over ``items`` in order; in the pool when ``parallel`` (and there are several workers).

        The work starts at once; results are read as they are needed, so the caller can do other
        work (store the previous batch, read the next) meanwhile.
        """
        if self.count == 1 or not parallel:
            return map(work, items)
        if self._pool is None:
            self._pool = ProcessPoolExecutor(self.count, initializer=_start_worker, initargs=(os.getpid(),))
        # Two chunks per worker: the executor queues only a call or so per worker, and with small
        # chunks the workers ran dry whenever the main process was busy storing.
        chunk = max(1, len(items) // (2 * self.count))
        with _forking():  # the pool forks its workers on the first map
            results = self._pool.map(work, items, chunksize=chunk)
        return _reported(results)

    def each(self, work: Callable[[T], R], items: Sequence[T], parallel: bool = True) -> list[R]:
        """``[work(item) for item in items]``, the items shared out as ``shares`` does: in forked workers when
        ``parallel``, where ``work`` and ``items`` arrive by the fork (only the results are pickled)."""
        return list(interleaved(self.shares(lambda k, n, _: [work(item) for item in items[k::n]], parallel=parallel)))

    def shares(
        self, work: Callable[[int, int, Progress], T], progress: Progress | None = None, parallel: bool = True
    ) -> list[T]:
        """``[work(k, n, report) for k in range(n)]``, where ``n`` is the number of shares: each call in a
        forked process of its own when ``parallel`` and the platform can fork, else one call in this one.

        Worker ``k`` takes items ``k, k + n, …`` of whatever it works on (see ``interleaved``).
        ``report(n)`` in a worker reaches ``progress(n)`` here. Results come back pickled, in order of ``k``.

        Raises:
            WorkerError: a worker failed (its traceback is in the message) or died.
        """
        count = self.count if parallel and can_fork() else 1
        if count == 1:
            return [work(0, 1, progress or (lambda n: None))]
        return _fork(work, count, progress)


def _reported(results: Iterable[R]) -> Iterator[R]:
    """``results``, with a worker's failure raised as a ``WorkerError`` holding the worker's traceback."""
    try:
        yield from results
    except Exception as error:
        # The pool attaches the worker's own traceback as the cause; a broken pool has none.
        detail = str(error.__cause__) if error.__cause__ is not None else repr(error)
        raise WorkerError(f"a worker process failed: {error!r}\n{detail}") from error


def _fork(work: Callable[[int, int, Progress], T], count: int, progress: Progress | None) -> list[T]:
    context = multiprocessing.get_context("fork")
    channel = context.Queue()
    parent = os.getpid()

    def run(k: int) -> None:
        _start_worker(parent)
        try:
            channel.put(("done", k, work(k, count, lambda n: channel.put(("progress", k, n)))))
        except BaseException:  # the parent must hear of any failure, with its traceback, or it waits forever
            channel.put(("failed", k, traceback.format_exc()))
            os._exit(1)

    processes = [context.Process(target=run, args=(k,), daemon=True) for k in range(count)]
    with _forking():
        for process in processes:
            process.start()
    results: dict[int, T] = {}
    try:
        while len(results) < count:
            try:
                kind, k, payload = channel.get(timeout=1.0)
            except queues.Empty:
                if any(p.exitcode not in (None, 0) for p in processes):
                    raise WorkerError("a worker process died unexpectedly") from None
                continue
            if kind == "progress":
                if progress:
                    progress(payload)
            elif kind == "failed":
                raise WorkerError(f"worker {k} of {count} failed:\n{payload}")
            else:
                results[k] = payload
    finally:
        for process in processes:
            process.join(timeout=5)
            if process.is_alive():
                process.terminate()
    return [results[k] for k in range(count)]


def interleaved(shares: list[list[T]]) -> Iterator[T]:
    """The items of ``shares``, where worker k took items k, k + n, …, back in their first order."""
    count = len(shares)
    for i in range(sum(len(share) for share in shares)):
        yield shares[i % count][i // count]
