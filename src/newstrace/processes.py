"""Worker processes: forked shares of a batch, and workers that do not outlive their parent.

Forked workers see the parent's memory (an index, a list of stories) without copying it,
which is what makes them cheap for the stages' batch work.
"""

from __future__ import annotations

import multiprocessing
import os
import queue as queues
import threading
import time
from collections.abc import Callable, Iterator
from typing import TypeVar

from newstrace.errors import NewstraceError


def exit_with_parent(parent: int) -> None:
    """Call first thing in a worker: it exits when ``parent`` dies, instead of waiting for work forever."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


T = TypeVar("T")
Reporter = Callable[[int], None]


def default_workers() -> int:
    """Worker processes a stage uses unless told otherwise: one per core, two at most."""
    return min(2, os.cpu_count() or 1)


def can_fork() -> bool:
    """Forked workers see the parent's memory without copying it; only some platforms offer it."""
    return "fork" in multiprocessing.get_all_start_methods()


def fork_map(work: Callable[[int, Reporter], T], workers: int, progress: Reporter | None = None) -> list[T]:
    """``[work(k, report) for k in range(workers)]``, each call in its own forked process.

    ``report(n)`` in a worker reaches ``progress(n)`` in the parent. Results come back
    pickled, in the order of ``k``. Raises ``NewstraceError`` if a worker dies.
    """
    context = multiprocessing.get_context("fork")
    channel = context.Queue()
    parent = os.getpid()

    def run(k: int) -> None:
        exit_with_parent(parent)
        try:
            channel.put(("done", k, work(k, lambda n: channel.put(("progress", k, n)))))
        except BaseException as error:  # the parent must hear of any failure, or it waits forever
            channel.put(("failed", k, repr(error)))
            raise

    processes = [context.Process(target=run, args=(k,), daemon=True) for k in range(workers)]
    for process in processes:
        process.start()
    results: dict[int, T] = {}
    try:
        while len(results) < workers:
            try:
                kind, k, payload = channel.get(timeout=1.0)
            except queues.Empty:
                if any(p.exitcode not in (None, 0) for p in processes):
                    raise NewstraceError("a worker process died unexpectedly") from None
                continue
            if kind == "progress":
                if progress:
                    progress(payload)
            elif kind == "failed":
                raise NewstraceError(f"worker {k} failed: {payload}")
            else:
                results[k] = payload
    finally:
        for process in processes:
            process.join(timeout=5)
            if process.is_alive():
                process.terminate()
    return [results[k] for k in range(workers)]


def interleaved(shares: list[list[T]]) -> Iterator[T]:
    """The items of ``fork_map``'s shares, where worker k took items k, k + workers, …, in their first order."""
    workers = len(shares)
    for i in range(sum(len(share) for share in shares)):
        yield shares[i % workers][i // workers]
