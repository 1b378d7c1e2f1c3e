"""Spread a stage's work over the machine's cores with forked worker processes."""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")
Batch = Callable[[Any, int, int], list[T]]
Progress = Callable[[int, int], None]

_SHARED: Any = None
_LIBC: Any = None  # the C library, for trim(); False where it has no malloc_trim


def workers() -> int:
    """Worker processes to use: BULLETIN_WORKERS if set, else one per core."""
    configured = os.environ.get("BULLETIN_WORKERS", "")
    if configured.isdigit() and int(configured) > 0:
        return int(configured)
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def trim() -> None:
    """Give the heap's free pages back to the system (glibc only; elsewhere nothing happens).

    Freed strings of a few kilobytes (article texts, rendered bodies) stay inside the C heap, and
    count towards this process's memory, and each forked worker's share of it, until trimmed.
    """
    global _LIBC
    if _LIBC is None:
        try:
            import ctypes

            _LIBC = ctypes.CDLL("libc.so.6")
            _LIBC.malloc_trim.argtypes = (ctypes.c_size_t,)
        except (OSError, AttributeError):
            _LIBC = False
    if _LIBC:
        _LIBC.malloc_trim(0)


def _pool(processes: int) -> Any:
    """A pool of forked workers that share this process's memory until they write to it.

    Python's cycle collector, run in a worker, would write to every object it tracks and so copy
    the whole heap into each worker: the objects alive now are frozen out of its reach first.
    """
    trim()
    gc.freeze()
    try:
        return multiprocessing.get_context("fork").Pool(processes)
    finally:
        gc.unfreeze()


def fan_out(batch: Batch[T], shared: Any, count: int, *, minimum: int = 200,
            progress: Progress | None = None) -> list[T]:
    """``batch(shared, start, stop)`` over ``range(count)`` in chunks, results in order.

    This process works on the chunks too, beside one forked worker per other core: each takes
    the next chunk not yet taken. Workers are forked, so ``shared`` reaches them without
    pickling and only their results travel back; and one process fewer holds its own copy of
    what it touches of ``shared``. Small jobs, one core, or a platform without fork run here.
    """
    global _SHARED
    cores = workers()
    if count < minimum or cores < 2 or "fork" not in multiprocessing.get_all_start_methods():
        results = batch(shared, 0, count)
        if progress:
            progress(count, count)
        return results
    size = max(16, -(-count // (cores * 6)))
    bounds = [(start, min(start + size, count)) for start in range(0, count, size)]
    parts: dict[int, list[T]] = {}
    done = 0

    def keep(number: int | None, part: list[T]) -> None:
        nonlocal done
        if number is not None:
            parts[number] = part
            done += len(part)
            if progress:
                progress(done, count)

    _SHARED = (batch, shared, bounds, multiprocessing.get_context("fork").Value("i", 0))
    try:
        with _pool(cores - 1) as pool:
            theirs = pool.imap_unordered(_run, range(len(bounds)))
            while (number := _take(_SHARED[3], len(bounds))) is not None:
                keep(number, batch(shared, *bounds[number]))
                while True:  # what the workers finished meanwhile, for the progress shown
                    try:
                        keep(*theirs.next(timeout=0))
                    except (multiprocessing.TimeoutError, StopIteration):
                        break
            for number, part in theirs:
                keep(number, part)
        return [item for number in range(len(bounds)) for item in parts[number]]
    finally:
        _SHARED = None


def _take(counter: Any, total: int) -> int | None:
    """The number of the next chunk no process has taken, or None when all are taken."""
    with counter.get_lock():
        number = counter.value
        if number >= total:
            return None
        counter.value = number + 1
    return number


def _run(_: int) -> tuple[int | None, list[Any]]:
    batch, shared, bounds, counter = _SHARED
    number = _take(counter, len(bounds))
    return (None, []) if number is None else (number, batch(shared, *bounds[number]))
