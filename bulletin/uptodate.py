"""The no-op fast path: skip a build whose inputs, clock-dependent choices and output are unchanged."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Sequence

from .cache import Cache
from .errors import SourceError
from .fingerprint import fingerprint
from .models import Source
from .writer import MARKER


@dataclass(frozen=True, slots=True)
class Stamp:
    """What the last successful build of an output folder was made from, and what it reported."""

    key: str
    articles: int
    pages: int
    drafts: int
    scheduled: tuple[tuple[str, datetime], ...]
    warnings: tuple[SourceError, ...]
    files: tuple[tuple[str, int, int], ...]  # every output file: path, size, mtime_ns


def tree_listing(folder: Path, skip_suffix: str = "") -> list[tuple[str, int, int]]:
    """(relative path, size, mtime_ns) of every file below ``folder``, sorted."""
    found = []
    if not folder.is_dir():
        return found
    stack = [(str(folder), "")]
    while stack:
        here, rel = stack.pop()
        with os.scandir(here) as entries:
            for entry in entries:
                name = f"{rel}{entry.name}"
                if entry.is_dir():
                    stack.append((entry.path, name + "/"))
                elif not (skip_suffix and entry.name.endswith(skip_suffix)):
                    stat = entry.stat()
                    found.append((name, stat.st_size, stat.st_mtime_ns))
    found.sort()
    return found


def input_key(cache: Cache, sources: Sequence[Source], now: datetime, parts: Any) -> str | None:
    """A digest of everything a build reads, or None when a source was never seen (build it).

    ``parts`` holds the config, template digest, options and listings of photos and static files.
    The clock enters only through what it decides: which articles are published by now.
    """
    when = cache.get_many("when", (s.digest for s in sources))
    if len(when) < len({s.digest for s in sources}):
        return None
    flags = [(s.rel, s.shown, s.digest, when[s.digest] <= now) for s in sources]
    return fingerprint((cache.version, parts, flags))


def output_intact(output: Path, stamp: Stamp) -> bool:
    """True when the output folder holds exactly the files the stamp recorded, untouched."""
    if not (output / MARKER).is_file():
        return False
    current = tree_listing(output)
    return tuple(entry for entry in current if entry[0] != MARKER) == stamp.files
