"""Spread a stage's work over the machine's cores with forked worker processes."""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from typing import Any, TypeVar

T = TypeVar("T")
Batch = Callable[[Any, int, int], list[T]]
Progress = Callable[[int, int], None]

_SHARED: Any = None
_CANCELLED = False  # set by cancel(): no fan_out runs from then on, until resume()
_LONG_LIVED = 0  # how many long_lived() runs are under way
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


@contextmanager
def long_lived() -> Iterator[Callable[[], None]]:
    """For a run that builds up a large heap and keeps most of it to the end (a build): yields
    ``settle``, to call when a stage ends, which takes every object alive out of the cycle
    collector's reach until the run ends. They are still freed when no longer referenced; only
    reference cycles among them wait for the run's end to be collected. The collector's full
    passes would otherwise walk the whole, growing heap again and again: a second of a
    10k-article rebuild. It also runs less often meanwhile."""
    global _LONG_LIVED
    threshold = gc.get_threshold()
    gc.set_threshold(max(threshold[0], 10_000), *threshold[1:])
    _LONG_LIVED += 1
    try:
        yield gc.freeze
    finally:
        _LONG_LIVED -= 1
        if not _LONG_LIVED:
            gc.unfreeze()
            gc.set_threshold(*threshold)


@contextmanager
def _forking() -> Iterator[None]:
    """Around the making of a pool of forked workers that share this process's memory until
    they write to it (they fork as the first calls are submitted).

    Python's cycle collector, run in a worker, would write to every object it tracks and so copy
    the whole heap into each worker: the objects alive now are frozen out of its reach first, and
    let back in (unless a long run keeps them frozen) before SIGINT is unblocked, so that a
    Ctrl-C taken then leaves nothing frozen.

    Ctrl-C is this process's to handle: a worker interrupted while it sends a result would leave
    half a message in the result pipe, and this process waiting for the rest. Workers ignore
    SIGINT (and SIGTERM kills them, whatever handler this process has); SIGINT is blocked while
    they fork, so that none takes it before it ignores it. One that came meanwhile is raised here
    as the block ends, as KeyboardInterrupt: the caller must be ready to stop the pool by then.
    """
    trim()
    gc.freeze()
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        if not _LONG_LIVED:  # else they stay frozen until the run ends
            gc.unfreeze()
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)


def _worker_signals() -> None:
    """A worker's first call: Ctrl-C (sent to the whole process group) is left to the main
    process, which cancels the pool; SIGTERM has its default action."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def cancel() -> None:
    """Stop the fan_out under way in another thread (serve's rebuild, when Ctrl-C stops the
    server), and every later one until ``resume()``: no process takes another chunk, and fan_out
    raises KeyboardInterrupt once the chunks under way are done."""
    global _CANCELLED
    _CANCELLED = True
    running = _SHARED
    if running is not None:
        _, _, bounds, counter = running
        with counter.get_lock():
            counter.value = len(bounds)


def resume() -> None:
    """Let fan_out run again after ``cancel()``, once the thread it stopped has ended."""
    global _CANCELLED
    _CANCELLED = False


def fan_out(batch: Batch[T], shared: Any, count: int, *, minimum: int = 200,
            progress: Progress | None = None) -> list[T]:
    """``batch(shared, start, stop)`` over ``range(count)`` in chunks, results in order.

    This process works on the chunks too, beside one forked worker per other core: each takes
    the next chunk not yet taken. Workers are forked, so ``shared`` reaches them without
    pickling and only their results travel back; and one process fewer holds its own copy of
    what it touches of ``shared``. Small jobs, one core, or a platform without fork run here.
    A worker that dies (killed for want of memory, say) stops the build with an error rather
    than leaving it waiting for that worker's chunk.
    """
    global _SHARED
    if _CANCELLED:
        raise KeyboardInterrupt
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

    def record(number: int, part: list[T]) -> None:
        nonlocal done
        parts[number] = part
        done += len(part)
        if progress:
            progress(done, count)

    def keep(future: Any) -> None:
        try:
            number, part = future.result()
        except BrokenProcessPool as broken:
            raise RuntimeError("a worker process stopped before it finished (was it killed for "
                               "want of memory?)") from broken
        if number is not None:
            record(number, part)

    counter = multiprocessing.get_context("fork").Value("i", 0)
    pool: ProcessPoolExecutor | None = None
    theirs: list[Any] = []
    _SHARED = (batch, shared, bounds, counter)
    try:
        if _CANCELLED:  # cancel() ran after the check above, before it could see _SHARED
            raise KeyboardInterrupt
        with _forking():
            pool = ProcessPoolExecutor(cores - 1, initializer=_worker_signals,
                                       mp_context=multiprocessing.get_context("fork"))
            theirs = [pool.submit(_run, number) for number in range(len(bounds))]
        while (number := _take(counter, len(bounds))) is not None:
            record(number, batch(shared, *bounds[number]))
            while theirs and theirs[0].done():  # what the workers finished meanwhile, in order
                keep(theirs.pop(0))
        for future in theirs:
            keep(future)
        if len(parts) < len(bounds):  # cancel() took the chunks left
            raise KeyboardInterrupt
        pool.shutdown()
        return [item for number in range(len(bounds)) for item in parts[number]]
    except BaseException:
        with counter.get_lock():  # the workers take no more chunks
            counter.value = len(bounds)
        if pool is not None:
            pool.shutdown(cancel_futures=True)
        raise
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
