"""Run one build as a child process and measure it: wall time, exit code, peak memory, output tails.

Memory is measured two ways, both over the child and every process it starts (the child runs in a
session of its own, so its pool workers are found even after they are re-parented):

- ``peak_mb``: the highest sum of PSS (proportional set size: a page shared by n processes counts
  1/n in each) over the whole tree, sampled from /proc. It is what the tree costs the machine;
  pages shared by forked workers are not counted twice, as a sum of RSS would.

  The kernel works PSS out by walking a process's page tables: about 17 ms for 370 MB and 80 ms
  for 3 GB on the project's machine. Read every 50 ms, that walk took a quarter to two thirds of
  a core from the build it measured (a 10,000-article build ran about 1.5 s slower). So every
  50 ms the sampler reads the tree's RSS, which costs next to nothing, and reads its PSS only
  - when the RSS is above the peak found so far: PSS is never above RSS, so this misses no
    higher peak;
  - and while its PSS reads have taken no more than 0.5 s plus a tenth of one core since the
    build started. The reads a lower RSS saves are spent when the tree grows (when workers
    start, say), every 50 ms again.
  In paired 10,000-article runs the peak it found was as before (436-444 MB against 436-450 MB)
  and the build about 0.4 s slower than with no sampler at all.
- ``max_rss_mb``: the largest RSS any one process of the tree reached, exact, from wait4's rusage
  (the kernel's ru_maxrss, which covers the child and its waited-for descendants).

Wall time runs from just before the fork to the moment wait4 returns; the sampler thread does not
delay it. CPU time (user + system, from the same rusage) is less sensitive to a busy machine.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

SAMPLE_SECONDS = 0.05
PSS_SHARE = 0.1  # of one core, at most, that reading PSS takes from the build it measures
PSS_START = 0.5  # seconds of PSS reads allowed at once from the start
_PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024


@dataclass(frozen=True, slots=True)
class Run:
    """What one build did."""

    command: tuple[str, ...]
    seconds: float
    cpu_seconds: float  # user + system, the child and its waited-for descendants
    code: int
    timed_out: bool
    peak_mb: float
    max_rss_mb: float
    load: float
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        return self.code == 0 and not self.timed_out

    def tail(self, lines: int = 20) -> str:
        """The last lines of stderr (or stdout when stderr is empty), for a failure report."""
        text = self.stderr.strip() or self.stdout.strip()
        return "\n".join(text.splitlines()[-lines:])

    def last_line(self) -> str:
        """The last non-empty line of stdout: a tool's closing summary."""
        lines = [line for line in self.stdout.splitlines() if line.strip()]
        return lines[-1].strip() if lines else ""


def _session_members(session: int) -> list[int]:
    """Process ids whose session id is ``session`` (field 6 of /proc/PID/stat)."""
    members = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            stat = Path(f"/proc/{name}/stat").read_bytes()
        except OSError:
            continue
        fields = stat[stat.rfind(b")") + 2:].split()
        if len(fields) > 3 and int(fields[3]) == session:
            members.append(int(name))
    return members


def _memory_kb(pid: int) -> int:
    """A process's PSS in kB (RSS when smaps_rollup cannot be read); 0 once it has gone."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return _rss_kb(pid)


def _rss_kb(pid: int) -> int:
    """A process's RSS in kB, read without walking its pages; 0 once it has gone."""
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * _PAGE_KB
    except (OSError, ValueError, IndexError):
        return 0


class _Sampler(threading.Thread):
    """Samples the summed memory of a session's processes until stopped; keeps the peak."""

    def __init__(self, session: int) -> None:
        super().__init__(daemon=True)
        self.session = session
        self.peak_kb = 0
        self._done = threading.Event()

    def run(self) -> None:
        start = time.perf_counter()
        spent = 0.0  # on reading PSS
        while not self._done.is_set():
            members = _session_members(self.session)
            began = time.perf_counter()
            if (sum(_rss_kb(pid) for pid in members) > self.peak_kb  # PSS is never above RSS
                    and spent <= PSS_START + PSS_SHARE * (began - start)):
                total = sum(_memory_kb(pid) for pid in members)
                self.peak_kb = max(self.peak_kb, total)
                spent += time.perf_counter() - began
            self._done.wait(SAMPLE_SECONDS)

    def stop(self) -> None:
        self._done.set()
        self.join()


def _kill_session(pid: int, flag: threading.Event) -> None:
    flag.set()
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def measure(command: list[str], *, cwd: Path, logs: Path, name: str, timeout: float,
            env: dict[str, str] | None = None) -> Run:
    """Run ``command`` in ``cwd``; stdout and stderr go to logs/<name>.out and .err."""
    logs.mkdir(parents=True, exist_ok=True)
    out_path, err_path = logs / f"{name}.out", logs / f"{name}.err"
    timed_out = threading.Event()
    load = os.getloadavg()[0]
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        start = time.perf_counter()
        child = subprocess.Popen(command, cwd=cwd, stdin=subprocess.DEVNULL, stdout=out,
                                 stderr=err, start_new_session=True, env=env)
        sampler = _Sampler(child.pid)
        sampler.start()
        timer = threading.Timer(timeout, _kill_session, (child.pid, timed_out))
        timer.start()
        try:
            _, status, usage = os.wait4(child.pid, 0)
            seconds = time.perf_counter() - start
        except BaseException:  # e.g. Ctrl-C: the child's own session does not receive it
            _kill_session(child.pid, timed_out)
            child.wait()
            raise
        finally:
            timer.cancel()
            sampler.stop()
    child.returncode = os.waitstatus_to_exitcode(status)
    return Run(command=tuple(command), seconds=seconds,
               cpu_seconds=usage.ru_utime + usage.ru_stime, code=child.returncode,
               timed_out=timed_out.is_set(), peak_mb=sampler.peak_kb / 1024,
               max_rss_mb=usage.ru_maxrss / 1024, load=load,
               stdout=out_path.read_text(encoding="utf-8", errors="replace"),
               stderr=err_path.read_text(encoding="utf-8", errors="replace"))
