"""Run one function over shares of a batch in forked processes, which share the parent's index read-only."""

from __future__ import annotations

import multiprocessing
import os
import queue as queues
from collections.abc import Callable
from typing import TypeVar

from newstrace.errors import NewstraceError
from newstrace.processes import exit_with_parent

T = TypeVar("T")
Reporter = Callable[[int], None]


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
                    raise NewstraceError("a relate worker process died unexpectedly") from None
                continue
            if kind == "progress":
                if progress:
                    progress(payload)
            elif kind == "failed":
                raise NewstraceError(f"relate worker {k} failed: {payload}")
            else:
                results[k] = payload
    finally:
        for process in processes:
            process.join(timeout=5)
            if process.is_alive():
                process.terminate()
    return [results[k] for k in range(workers)]
