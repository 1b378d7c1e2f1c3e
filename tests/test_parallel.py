"""fan_out: chunks shared between this process and forked workers, results in order."""

from __future__ import annotations

import os
import time

import pytest

from bulletin.parallel import fan_out


def _where(shared: list[int], start: int, stop: int) -> list[tuple[int, int]]:
    time.sleep(0.02)  # long enough for the worker to start and take chunks too
    return [(shared[i] * 2, os.getpid()) for i in range(start, stop)]


def test_results_come_in_order_from_this_process_and_a_worker(monkeypatch) -> None:
    monkeypatch.setenv("BULLETIN_WORKERS", "2")
    values = list(range(5000))
    seen: list[int] = []
    out = fan_out(_where, values, len(values), progress=lambda done, total: seen.append(done))
    assert [value for value, _ in out] == [v * 2 for v in values]
    assert seen == sorted(seen) and seen[-1] == len(values)
    pids = {pid for _, pid in out}
    assert os.getpid() in pids and len(pids) == 2  # this process took chunks, and one worker


def _fails(shared: list[int], start: int, stop: int) -> list[int]:
    if start <= 4000 < stop:
        raise ValueError("chunk failed")
    return shared[start:stop]


def test_a_failing_chunk_fails_the_whole_fan_out(monkeypatch) -> None:
    monkeypatch.setenv("BULLETIN_WORKERS", "2")
    with pytest.raises(ValueError, match="chunk failed"):
        fan_out(_fails, list(range(5000)), 5000)


def test_one_worker_or_a_small_job_runs_here(monkeypatch) -> None:
    monkeypatch.setenv("BULLETIN_WORKERS", "1")
    assert {pid for _, pid in fan_out(_where, list(range(500)), 500)} == {os.getpid()}
    monkeypatch.setenv("BULLETIN_WORKERS", "2")
    assert {pid for _, pid in fan_out(_where, list(range(50)), 50)} == {os.getpid()}
