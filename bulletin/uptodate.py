"""The no-op fast path: skip a build whose inputs, clock-dependent choices and output are unchanged."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Sequence

from .cache import Cache
from .errors import SourceError
from .fingerprint import fingerprint
from .frozen import compact
from .writer import MARKER, walk_files


@compact
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
    found: list[tuple[str, int, int]] = []
    if not folder.is_dir():
        return found
    for name, entry in walk_files(folder, follow_symlinks=True):
        if not (skip_suffix and entry.name.endswith(skip_suffix)):
            stat = entry.stat()
            found.append((name, stat.st_size, stat.st_mtime_ns))
    found.sort()
    return found


Known = tuple[str, str, str]  # rel, shown, digest of one article file


def known_files(cache: Cache, files: Sequence[tuple[Path, Path | None]], content: Path,
                shown: str) -> list[Known] | None:
    """The digests of article files from the last build, where their stat has not changed since.

    None as soon as one file is new or changed: then the build reads every file.
    """
    names = [str(path) for path, _ in files]
    stats = cache.get_many("stat", names)
    prefix = len(str(content).rstrip("/")) + 1
    known = []
    for name in names:
        entry = stats.get(name)
        if entry is None:
            return None
        try:
            stat = os.stat(name)
        except OSError:
            return None
        if entry[:4] != (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino):
            return None
        rel = name[prefix:].replace(os.sep, "/")
        known.append((rel, f"{shown}/{rel}", entry[4]))
    return known


def input_key(cache: Cache, files: Sequence[Known], now: datetime, parts: Any,
              since: datetime | None = None) -> str | None:
    """A digest of everything a build reads, or None when a file was never built (build it).

    ``parts`` holds the config, template digest, options and listings of photos and static files.
    The clock enters only through what it decides: which articles are published by now, and
    which are recent (dated after ``since``: the news sitemap's window).
    """
    when = cache.get_many("when", (digest for _, _, digest in files))
    if len(when) < len({digest for _, _, digest in files}):
        return None
    hasher = hashlib.blake2b(fingerprint((cache.version, parts)).encode(), digest_size=16)
    for rel, shown, digest in files:
        recent = since is not None and when[digest] > since
        hasher.update(f"{rel}\0{shown}\0{digest}\0{when[digest] <= now}\0{recent}\n".encode())
    return hasher.hexdigest()


def output_intact(output: Path, stamp: Stamp) -> bool:
    """True when the output folder holds exactly the files the stamp recorded, untouched."""
    if not (output / MARKER).is_file():
        return False
    current = tree_listing(output)
    return tuple(entry for entry in current if entry[0] != MARKER) == stamp.files
