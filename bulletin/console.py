"""What the command line prints: messages by verbosity, colour on a TTY only, a progress bar."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TextIO

from .errors import SourceError, UsageError


def wants_colour(stream: TextIO) -> bool:
    """Colour only on a terminal, never with NO_COLOR set (https://no-color.org) or TERM=dumb."""
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


@dataclass(frozen=True, slots=True)
class Console:
    """Where messages go: results to stdout, problems to stderr; --quiet keeps problems only."""

    quiet: bool = False
    verbose: bool = False
    out: TextIO = field(default_factory=lambda: sys.stdout)
    err: TextIO = field(default_factory=lambda: sys.stderr)

    def say(self, text: str) -> None:
        """A normal message, hidden by --quiet."""
        if not self.quiet:
            print(text, file=self.out, flush=True)

    def detail(self, text: str) -> None:
        """A message shown only with --verbose."""
        if self.verbose and not self.quiet:
            print(text, file=self.err, flush=True)

    def problem(self, text: str) -> None:
        """An error line; always shown."""
        print(text, file=self.err, flush=True)

    def usage_error(self, error: UsageError) -> None:
        """``error: message`` and its hint: a refused option or folder, as every command prints
        it (the command line's exit 2, a rebuild serve's writer refuses)."""
        hint = f"\n    hint: {error.hint}" if error.hint else ""
        self.problem(f"error: {error.message}{hint}")

    def source_error(self, error: SourceError) -> None:
        """``path:line: message`` and its hint; on a TTY its first line is red (yellow: warning)."""
        text = error.format()
        if wants_colour(self.err):
            head, _, rest = text.partition("\n")
            colour = "33" if error.warning else "31"
            text = f"\033[1;{colour}m{head}\033[0m" + ("\n" + rest if rest else "")
        self.problem(text)

    def progress(self) -> ProgressBar | None:
        """A progress bar on stderr when it is a terminal and messages are wanted, else None."""
        if self.quiet or not getattr(self.err, "isatty", lambda: False)():
            return None
        return ProgressBar(self.err)


class ProgressBar:
    """``render [########------------]  412/1000`` redrawn in place; silent for short builds.

    Pass it as ``Options.progress``; it draws only after ``delay`` seconds, at most every ``every``
    seconds, and ``clear()`` removes it before the summary line is printed.
    """

    def __init__(self, stream: TextIO, delay: float = 0.5, every: float = 0.1, width: int = 30,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.stream = stream
        self.delay = delay
        self.every = every
        self.width = width
        self.clock = clock
        self.started = clock()
        self.drawn_at: float | None = None

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = self.clock()
        if now - self.started < self.delay:
            return
        if self.drawn_at is not None and now - self.drawn_at < self.every and done < total:
            return
        filled = self.width * done // total if total else self.width
        bar = "#" * filled + "-" * (self.width - filled)
        count = f"{done}/{total}".rjust(2 * len(str(total)) + 1)
        self.stream.write(f"\r\033[K{stage:<8} [{bar}] {count}")
        self.stream.flush()
        self.drawn_at = now

    def clear(self) -> None:
        if self.drawn_at is not None:
            self.stream.write("\r\033[K")
            self.stream.flush()
            self.drawn_at = None
