"""fan_out: chunks shared between this process and forked workers, results in order."""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
import threading
import time

import pytest

from bulletin.parallel import fan_out

_STARTED = multiprocessing.get_context("fork").Event()  # set by a worker's first chunk


def _where(shared: tuple[int, list[int]], start: int, stop: int) -> list[tuple[int, int]]:
    parent, values = shared
    if os.getpid() != parent:
        _STARTED.set()
    else:  # this process waits for a worker to take a chunk, so that both surely do
        assert _STARTED.wait(60), "no worker took a chunk"
    return [(values[i] * 2, os.getpid()) for i in range(start, stop)]


def test_results_come_in_order_from_this_process_and_a_worker(monkeypatch) -> None:
    monkeypatch.setenv("BULLETIN_WORKERS", "2")
    _STARTED.clear()
    values = list(range(5000))
    seen: list[int] = []
    out = fan_out(_where, (os.getpid(), values), len(values),
                  progress=lambda done, total: seen.append(done))
    assert [value for value, _ in out] == [v * 2 for v in values]
    assert seen == sorted(seen) and seen[-1] == len(values)
    pids = {pid for _, pid in out}
    assert os.getpid() in pids and len(pids) == 2  # this process took chunks, and one worker


def _fails_in_worker(parent: int, start: int, stop: int) -> list[int]:
    if os.getpid() != parent:
        _STARTED.set()
        raise StopIteration("a worker's chunk failed")  # an exception a loop could swallow
    assert _STARTED.wait(60)
    return list(range(start, stop))


def _dies_in_worker(parent: int, start: int, stop: int) -> list[int]:
    if os.getpid() != parent:
        _STARTED.set()
        os._exit(9)  # as if killed for want of memory
    assert _STARTED.wait(60)
    return list(range(start, stop))


def _fails_here(parent: int, start: int, stop: int) -> list[int]:
    if os.getpid() == parent:
        raise ValueError("this process's chunk failed")
    return list(range(start, stop))


def test_a_failing_chunk_fails_the_whole_fan_out_wherever_it_runs(monkeypatch) -> None:
    monkeypatch.setenv("BULLETIN_WORKERS", "2")
    with pytest.raises(ValueError, match="this process's chunk failed"):
        fan_out(_fails_here, os.getpid(), 5000)
    _STARTED.clear()
    with pytest.raises(StopIteration, match="a worker's chunk failed"):
        fan_out(_fails_in_worker, os.getpid(), 5000)


def test_a_worker_that_dies_is_an_error_not_a_wait(monkeypatch) -> None:
    monkeypatch.setenv("BULLETIN_WORKERS", "2")
    _STARTED.clear()
    with pytest.raises(RuntimeError, match="worker process stopped"):
        fan_out(_dies_in_worker, os.getpid(), 5000)


def test_one_worker_or_a_small_job_runs_here(monkeypatch) -> None:
    monkeypatch.setenv("BULLETIN_WORKERS", "1")
    assert {pid for _, pid in fan_out(_where, (0, list(range(500))), 500)} == {os.getpid()}
    monkeypatch.setenv("BULLETIN_WORKERS", "2")
    assert {pid for _, pid in fan_out(_where, (0, list(range(50))), 50)} == {os.getpid()}


class _Node:
    def __init__(self) -> None:
        self.other: object = self  # a reference cycle: only the cycle collector frees it


def test_a_long_run_settles_its_stages_and_gives_everything_back_at_its_end(monkeypatch) -> None:
    import gc
    import weakref

    from bulletin.parallel import long_lived

    monkeypatch.setenv("BULLETIN_WORKERS", "2")
    gc.collect()
    threshold = gc.get_threshold()
    with long_lived() as settle:
        assert gc.get_threshold()[0] >= 10_000
        node = _Node()
        gone = weakref.ref(node)
        settle()
        assert gc.get_freeze_count() > 0  # what exists now is out of the collector's reach
        del node
        gc.collect()
        assert gone() is not None  # settled: a cycle dropped since is not collected yet
        _STARTED.clear()
        fan_out(_where, (os.getpid(), list(range(5000))), 5000)  # forks, yet keeps them settled
        gc.collect()
        assert gone() is not None
    assert gc.get_freeze_count() == 0 and gc.get_threshold() == threshold
    gc.collect()
    assert gone() is None  # the run is over: the collector frees the cycle


def _slow(parent: int, start: int, stop: int) -> list[int]:
    _STARTED.set()
    time.sleep(0.2)
    return list(range(start, stop))


def test_cancel_stops_a_fan_out_under_way_in_another_thread(monkeypatch) -> None:
    """serve, stopped by Ctrl-C during a rebuild in its watcher's thread, cancels it: no process
    takes another chunk, the fan_out raises KeyboardInterrupt there, and so does any later one."""
    from bulletin import parallel

    monkeypatch.setenv("BULLETIN_WORKERS", "2")
    monkeypatch.setattr(parallel, "_CANCELLED", False)
    _STARTED.clear()
    outcome: list[BaseException | None] = []

    def run() -> None:
        try:
            fan_out(_slow, os.getpid(), 12 * 16 * 10)  # 12 chunks of 0.2 s over 2 processes
            outcome.append(None)
        except BaseException as exc:  # noqa: BLE001
            outcome.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    assert _STARTED.wait(10)
    parallel.cancel()
    thread.join(5)
    assert not thread.is_alive() and isinstance(outcome[0], KeyboardInterrupt)
    with pytest.raises(KeyboardInterrupt):
        fan_out(_slow, os.getpid(), 5000)


def test_workers_leave_ctrl_c_to_this_process(monkeypatch) -> None:
    """Ctrl-C reaches the whole process group: workers ignore it (one interrupted while it sends
    its result would leave this process waiting for the rest), and SIGTERM kills them, not
    serve's handler that makes it a Ctrl-C."""
    monkeypatch.setenv("BULLETIN_WORKERS", "2")
    _STARTED.clear()
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: None)
    try:
        handlers = fan_out(_handlers, os.getpid(), 5000)
    finally:
        signal.signal(signal.SIGTERM, previous)
    theirs = {handler for handler, pid in handlers if pid != os.getpid()}
    assert theirs == {(signal.SIG_IGN, signal.SIG_DFL)}


def _handlers(parent: int, start: int, stop: int) -> list[tuple[object, int]]:
    if os.getpid() != parent:
        _STARTED.set()
    else:
        assert _STARTED.wait(60), "no worker took a chunk"
    mine = (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM))
    return [(mine, os.getpid())] * (stop - start)


def test_ctrl_c_as_the_workers_fork_stops_them_and_leaves_nothing_behind(monkeypatch) -> None:
    """Ctrl-C while the pool is made (SIGINT is blocked then, and raised as the block ends): the
    pool is shut down, so its workers take no more chunks and the exit does not wait for them;
    nothing stays frozen out of the cycle collector's reach, and the shared state is cleared."""
    from concurrent.futures import ProcessPoolExecutor

    from bulletin import parallel

    monkeypatch.setenv("BULLETIN_WORKERS", "2")
    made: list[ProcessPoolExecutor] = []
    processes: set[multiprocessing.Process] = set()

    class Interrupted(ProcessPoolExecutor):
        def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
            super().__init__(*args, **kwargs)
            made.append(self)
            os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C, as the pool is made

        def submit(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            future = super().submit(*args, **kwargs)
            processes.update(self._processes.values())  # noqa: SLF001
            return future

    monkeypatch.setattr(parallel, "ProcessPoolExecutor", Interrupted)
    with pytest.raises(KeyboardInterrupt):
        fan_out(_slow, os.getpid(), 20 * 16 * 10)  # 20 chunks of 0.2 s: 4 s for one worker
    assert made[0]._shutdown_thread, "the pool was not shut down"  # noqa: SLF001
    assert processes  # a worker had forked
    for process in processes:
        process.join(1.0)  # the chunk under way (0.2 s), then no other
    assert not any(process.is_alive() for process in processes)
    assert gc.get_freeze_count() == 0
    assert parallel._SHARED is None  # noqa: SLF001


def test_a_cancel_as_a_fan_out_starts_stops_it_and_resume_lifts_it(monkeypatch) -> None:
    """cancel() run after fan_out's first look at the flag, before the chunks are shared where
    cancel() can stop them, still stops that fan_out; resume() (serve's, once its watcher's thread
    has ended) lets later ones run."""
    from bulletin import parallel

    monkeypatch.setenv("BULLETIN_WORKERS", "2")
    monkeypatch.setattr(parallel, "_CANCELLED", False)
    monkeypatch.setattr(parallel, "workers", lambda: (parallel.cancel(), 2)[1])
    with pytest.raises(KeyboardInterrupt):
        fan_out(_slow, os.getpid(), 20 * 16 * 10)
    assert parallel._SHARED is None  # noqa: SLF001
    monkeypatch.setattr(parallel, "workers", lambda: 2)
    parallel.resume()
    assert fan_out(_double, None, 1000) == [2 * i for i in range(1000)]


def _double(_: None, start: int, stop: int) -> list[int]:
    return [2 * i for i in range(start, stop)]
