"""The only module that touches the output folder: refuses unsafe targets, stages, swaps atomically."""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Iterable

from .errors import SourceError, UsageError, display_path

MARKER = ".bulletin-output"
_MARKER_TEXT = b"This folder is written by build.py (Ban tin). Its contents are replaced on every build.\n"


def check_output(output: Path, protected: Iterable[Path]) -> None:
    """Refuse an output folder that a build could hurt. Raises UsageError; touches nothing."""
    out = output.resolve()
    shown = display_path(output)
    if out == Path(out.anchor) or out == Path.home().resolve():
        raise UsageError(f"refusing to use {shown} as the output folder: it is "
                         f"{'the root folder' if out == Path(out.anchor) else 'your home folder'}",
                         "Pass a dedicated folder, e.g. --output output")
    for place in protected:
        place = place.resolve()
        if out == place or place.is_relative_to(out):
            raise UsageError(f"refusing to use {shown} as the output folder: it is or contains "
                             f"{display_path(place)}, which the build reads",
                             "Pass a dedicated folder, e.g. --output output")
        if out.is_relative_to(place) and place.is_dir() and place.name in ("content", "templates",
                                                                            "static"):
            raise UsageError(f"refusing to use {shown} as the output folder: it lies inside "
                             f"{display_path(place)}", "Pass a folder outside the sources.")
    if out.exists():
        if not out.is_dir():
            raise UsageError(f"refusing to use {shown} as the output folder: it is a file",
                             "Pass a folder.")
        if any(out.iterdir()) and not (out / MARKER).is_file():
            raise UsageError(f"refusing to write into {shown}: it is not empty and was not made by "
                             "this tool", f"Empty it or pass another folder; a folder this tool made "
                             f"holds a {MARKER} file.")


@dataclass(frozen=True, slots=True)
class WriteReport:
    written: int
    unchanged: int
    removed: int


class Staging:
    """A new output tree built beside the old one; unchanged files are hard links to the old ones."""

    def __init__(self, output: Path) -> None:
        self.output = output
        self.tmp = output.parent / f".{output.name}.staging"
        self.owners: dict[PurePosixPath, str] = {}
        self.written = 0
        self.unchanged = 0
        if self.tmp.exists():
            shutil.rmtree(self.tmp)
        self.tmp.mkdir(parents=True)

    def claim(self, rel: PurePosixPath, owner: str) -> SourceError | None:
        """Reserve an output path; a second claim names both owners."""
        if rel in self.owners:
            return SourceError(owner, None, f"writes {rel}, which {self.owners[rel]} writes too",
                               "Give one of them another slug or URL.")
        self.owners[rel] = owner
        return None

    def put(self, rel: PurePosixPath, data: bytes) -> None:
        target = self.tmp / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        old = self.output / rel
        if _same_bytes(old, data):
            _link_or_copy(old, target)
            self.unchanged += 1
        else:
            target.write_bytes(data)
            self.written += 1

    def copy(self, rel: PurePosixPath, source: Path) -> None:
        target = self.tmp / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        old = self.output / rel
        if old.is_file() and old.stat().st_size == source.stat().st_size and \
                old.read_bytes() == source.read_bytes():
            _link_or_copy(old, target)
            self.unchanged += 1
        else:
            shutil.copyfile(source, target)
            self.written += 1

    def commit(self) -> WriteReport:
        (self.tmp / MARKER).write_bytes(_MARKER_TEXT)
        removed = 0
        if self.output.exists():
            for folder, _, files in os.walk(self.output):
                for name in files:
                    rel = PurePosixPath(Path(folder, name).relative_to(self.output).as_posix())
                    if rel not in self.owners and name != MARKER:
                        removed += 1
            if not _exchange(self.tmp, self.output):
                old = self.output.parent / f".{self.output.name}.old"
                if old.exists():
                    shutil.rmtree(old)
                os.rename(self.output, old)
                os.rename(self.tmp, self.output)
                self.tmp = old
            shutil.rmtree(self.tmp)
        else:
            os.rename(self.tmp, self.output)
        return WriteReport(self.written, self.unchanged, removed)

    def abort(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)


def _same_bytes(path: Path, data: bytes) -> bool:
    try:
        if path.stat().st_size != len(data):
            return False
        return path.read_bytes() == data
    except OSError:
        return False


def _link_or_copy(old: Path, target: Path) -> None:
    try:
        os.link(old, target)
    except OSError:
        shutil.copy2(old, target)


_RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one atomic step (Linux renameat2); False where unsupported."""
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    try:
        libc = ctypes.CDLL(libc_name, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd = -100
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE)
    return result == 0
