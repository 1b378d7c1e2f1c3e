"""The only module that touches the output folder: refuses unsafe targets, stages, swaps atomically."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Iterable

from .errors import SourceError, UsageError, display_path
from .listing import (
    Entry,
    Listing,
    file_stats,
    folders_of,
    intact,
    listing,
    relisted,
    signature,
    walk_files,
)

MARKER = ".bulletin-output"
_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0)
_MARKER_TEXT = b"This folder is written by build.py (Ban tin). Its contents are replaced on every build.\n"
# The marker of serve's preview (drafts, links to the local server): never to be published.
PREVIEW_MARKER_TEXT = (b"This folder is a preview written by build.py serve (Ban tin), drafts "
                       b"included. Never publish it.\n")


def built_for_publishing(folder: Path) -> bool:
    """Whether ``folder`` holds the marker of a build rather than a preview's (see Transaction):
    serve must never write into it. Any marker but the preview's counts as a build's."""
    try:
        return (folder / MARKER).read_bytes() != PREVIEW_MARKER_TEXT
    except OSError:  # no marker (or not a folder): no build made it
        return False


def check_output(output: Path, protected: Iterable[Path], sources: Iterable[Path] = ()) -> None:
    """Refuse an output folder that a build could hurt. Raises UsageError; touches nothing.

    Refused: ``/``, the home folder or a folder holding it; any ``protected`` folder (the project,
    the working folder) or a folder holding one; a folder inside a ``sources`` folder (content,
    templates, static); a file; a non-empty folder without this tool's marker file.
    """
    out = output.resolve()
    shown = display_path(output)
    hint = "Pass a dedicated folder, e.g. --output output"
    home = Path.home().resolve()
    if out == Path(out.anchor):
        raise UsageError(f"refusing to use {shown} as the output folder: it is the root folder",
                         hint)
    if out == home or home.is_relative_to(out):
        raise UsageError(f"refusing to use {shown} as the output folder: it is or contains your "
                         "home folder", hint)
    sources = [place.resolve() for place in sources]
    for place in [place.resolve() for place in protected] + sources:
        if out == place or place.is_relative_to(out):
            raise UsageError(f"refusing to use {shown} as the output folder: it is or contains "
                             f"{display_path(place)}, which the build reads", hint)
    for place in sources:
        if out.is_relative_to(place):
            raise UsageError(f"refusing to use {shown} as the output folder: it lies inside "
                             f"{display_path(place)}", "Pass a folder outside the sources.")
    if out.exists() or out.is_symlink():
        if not out.is_dir():
            raise UsageError(f"refusing to use {shown} as the output folder: it is not a folder",
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


JOURNAL = ".journal"


class Claims:
    """Which input writes each output path; touches no file, so ``check`` uses it too."""

    def __init__(self) -> None:
        self.owners: dict[PurePosixPath, str] = {}
        self._files: dict[str, str] = {}  # the same, by path as text
        self._folders: dict[str, str] = {}  # each folder the paths need: the first one's owner

    def claim(self, rel: PurePosixPath, owner: str) -> SourceError | None:
        """Reserve an output path; a second claim names both owners, and so does a file where
        another path needs a folder (static/the beside the tag pages in the/)."""
        if rel in self.owners:
            return SourceError(owner, None, f"writes {rel}, which {self.owners[rel]} writes too",
                               "Give one of them another slug or URL.")
        name = str(rel)
        if name in self._folders:
            return SourceError(owner, None, f"writes the file {rel}, where {self._folders[name]} "
                               f"needs a folder", "Rename the file, or give the other another URL.")
        folders = list(folders_of(name))
        for folder in folders:
            if folder in self._files:
                return SourceError(owner, None, f"writes {rel}, inside {folder}, which "
                                   f"{self._files[folder]} writes as a file",
                                   "Rename the file, or give the other another URL.")
        for folder in folders:
            self._folders.setdefault(folder, owner)
        self.owners[rel] = owner
        self._files[name] = owner
        return None


class Transaction:
    """Changes to the output folder, staged beside it and applied only when the whole build is good.

    New or changed files are written into a staging folder; ``commit`` then moves them into place
    (each with an atomic rename) and deletes files the build no longer produces. Files whose bytes
    are unchanged are never touched, so their mtimes stay. The list of moves is journaled first: a
    run interrupted half-way is completed by the next one before it starts. A first build renames
    the whole staging folder into place. ``abort`` leaves the output exactly as it was.
    """

    def __init__(self, output: Path, known: Listing = None, preview: bool = False) -> None:
        """``known``: a listing of the output the last build took after its commit (see
        bulletin.listing). If the output is still just that, the files it no longer needs and the
        listing after this commit are found from it, without reading the whole folder again.
        ``preview``: serve's build; the marker file says which kind of build wrote the folder
        last, so that serve can refuse one made for publishing."""
        self.marker = PREVIEW_MARKER_TEXT if preview else _MARKER_TEXT
        self.output = output.resolve()  # a symlinked output: stage beside what it points to
        self.root = os.path.join(self.output, "")  # for paths as plain strings
        self.staging = staging_folder(self.output)
        self.staging_root = os.path.join(self.staging, "")
        self.claims = Claims()
        self.staged: set[str] = set()  # paths relative to the output
        self.unchanged = 0
        recover(self.output)
        self.staging.mkdir(parents=True)
        (self.staging / MARKER).write_bytes(self.marker)  # tells a later run the folder is ours
        self.fresh = not self.output.exists()
        self.known = known if known and not self.fresh else None  # checked: see confirm
        self._listed: dict[str, tuple[int, int, int, int]] | None = None  # its files' stats
        self._confirmed: bool | None = None  # whether the output is still what it lists
        self.changed: list[str] | None = None  # what the commit moved or removed
        self.after: tuple[Entry, ...] | None = None  # see listing()

    def claim(self, rel: PurePosixPath, owner: str) -> SourceError | None:
        return self.claims.claim(rel, owner)

    def current(self, rel: PurePosixPath | str) -> tuple[int, int, int, int] | None:
        """The listing.signature of a file in the live output, or None when there is none.

        Until the commit, while the last build's listing is not found wrong (see confirm), it
        answers, and no file is stat'ed: an edit asks for every page's.
        """
        if self.known is not None and self._confirmed is not False and self.changed is None:
            if self._listed is None:
                self._listed = file_stats(self.known)
            return self._listed.get(str(rel))
        try:
            return signature(os.stat(f"{self.root}{rel}"))
        except OSError:
            return None

    def read(self, rel: PurePosixPath | str) -> bytes | None:
        """The bytes of a file in the live output, or None when it cannot be read."""
        try:
            with open(f"{self.root}{rel}", "rb") as file:
                return file.read()
        except OSError:
            return None

    def confirm(self) -> bool:
        """Whether the output is still what the last build's listing says (checked once, after
        the pages are decided on: a page is rendered again when its file changed since). When it
        is not, the listing is dropped, and ``current`` stats each file from then on. A listing
        holding a symlink is never confirmed: it holds what the link leads to."""
        if self._confirmed is None:
            self._confirmed = self.known is not None and \
                intact(self.output, self.known, follow_symlinks=False)
        if not self._confirmed:
            self.known = None
        return self._confirmed

    def stage(self, rel: PurePosixPath, data: bytes) -> bool:
        """Stage new bytes for ``rel``; False (nothing written) when the live file already has them.

        Safe to call from forked worker processes: it only writes below the staging folder.
        """
        name = str(rel)
        if not self.fresh and _same_bytes(self.root + name, data):
            return False
        # Plain os calls on strings: a build stages thousands of files, and pathlib's objects
        # and buffered file objects cost more than the writes themselves.
        target = self.staging_root + name
        try:
            handle = os.open(target, _NEW_FILE, 0o666)
        except FileNotFoundError:  # its folder is not made yet
            os.makedirs(os.path.dirname(target), exist_ok=True)
            handle = os.open(target, _NEW_FILE, 0o666)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(handle, view):]
        finally:
            os.close(handle)
        return True

    def stage_copy(self, rel: PurePosixPath, source: Path) -> bool:
        old = self.output / rel
        if not self.fresh and old.is_file() and old.stat().st_size == source.stat().st_size and \
                old.read_bytes() == source.read_bytes():
            return False
        target = self.staging / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        return True

    def record(self, rel: PurePosixPath | str, written: bool) -> None:
        if written:
            self.staged.add(str(rel))
        else:
            self.unchanged += 1

    def commit(self) -> WriteReport:
        if self.fresh:
            (self.staging / MARKER).write_bytes(self.marker)
            os.rename(self.staging, self.output)
            return WriteReport(len(self.staged), self.unchanged, 0)
        # The last build's listing stands for the output only if the output is still just that
        # and holds no symlink (see confirm): its listing holds what a link leads to, and the
        # walk removes the link itself, never what it leads to.
        self.confirm()
        links: list[str] = []
        if self.known is not None:
            present: Iterable[str] = file_stats(self.known)
        else:
            present = []
            for name, item in walk_files(self.output):  # a symlinked folder is one name
                present.append(name)
                if item.is_symlink():
                    links.append(name)
        claimed = {str(rel) for rel in self.claims.owners}
        if links:
            self._stage_through(links, claimed)
        stale = sorted(name for name in present
                       if name not in claimed and name.rpartition("/")[2] != MARKER)
        journal = {"move": sorted(self.staged), "remove": stale}
        (self.staging / JOURNAL).write_text(json.dumps(journal), encoding="utf-8")
        _apply(self.output, self.staging, journal)
        if not _same_bytes(os.path.join(self.output, MARKER), self.marker):
            (self.output / MARKER).write_bytes(self.marker)  # who wrote the folder last
        self.changed = journal["move"] + stale + [MARKER]
        return WriteReport(len(self.staged), self.unchanged, len(stale))

    def _stage_through(self, links: list[str], claimed: set[str]) -> None:
        """Stage the files the build keeps as they are that lie at or below a symlink in the
        output, copied from where the link leads: the commit then gives them a file or folder of
        the output's own. Else a folder linked in would be removed (no page's path is its own)
        with the pages found unchanged through it, and a page written into it would land where
        it leads, outside the output."""
        linked = set(links)
        for name in sorted(claimed - self.staged):
            if name in linked or any(folder in linked for folder in folders_of(name)):
                target = self.staging_root + name
                os.makedirs(os.path.dirname(target), exist_ok=True)
                shutil.copyfile(self.root + name, target)
                self.staged.add(name)
                self.unchanged -= 1

    def listing(self) -> tuple[Entry, ...] | None:
        """After the commit: the output's listing (see bulletin.listing), taken once, or None if
        a path in it cannot be stat'ed."""
        if self.after is None:
            try:
                if self.known is not None and self.changed is not None:
                    self.after = relisted(self.output, self.known, self.changed)
                else:
                    self.after = listing(self.output)
            except OSError:
                self.after = ()
        return self.after or None

    def abort(self) -> None:
        """Drop the staged files; a commit stopped half-way keeps its journal for ``recover``."""
        if not (self.staging / JOURNAL).is_file():
            _drop(self.staging)


def recover(output: Path) -> None:
    """Finish a commit that was interrupted, or drop a staging folder that never committed.

    A folder with the staging folder's name that this tool did not make is never deleted.
    """
    staging = staging_folder(output)
    journal = staging / JOURNAL
    if journal.is_file() and output.is_dir():
        _apply(output, staging, json.loads(journal.read_text(encoding="utf-8")))
        if staging.exists():  # finished, but still held: the build cannot stage its own work
            raise _held(staging)
    else:
        _remove_own(staging)


def staging_folder(output: Path) -> Path:
    """Where a build stages its changes to ``output``; it exists only while a build runs, or after
    one was interrupted (the next build completes or drops it)."""
    return output.parent / f".{output.name}.staging"


def _apply(output: Path, staging: Path, journal: dict[str, list[str]]) -> None:
    for rel in journal["remove"]:  # a symlinked folder goes first: a move would write through it
        if os.path.islink(output / rel):
            os.unlink(output / rel)
    removed: set[str] | None = None
    for rel in journal["move"]:
        source = staging / rel
        if source.exists():
            target = output / rel
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                _move(source, target)
            except OSError:  # a file or folder in the way? (Windows: PermissionError)
                removed = removed if removed is not None else set(journal["remove"])
                if not _clear_way(output, rel, removed):
                    raise
                target.parent.mkdir(parents=True, exist_ok=True)
                _move(source, target)
    folders: set[Path] = set()
    for rel in journal["remove"]:
        path = output / rel
        if not path.is_dir():  # a folder: one a move made where a symlink or a file was
            try:
                path.unlink()
            except (FileNotFoundError, NotADirectoryError):  # gone with its folder (_clear_way)
                pass
        folders.update(path.parents)
    for folder in sorted(folders, key=lambda p: len(p.parts), reverse=True):
        if folder.is_relative_to(output) and folder != output:
            try:
                folder.rmdir()
            except OSError:
                pass
    if not (output / MARKER).is_file():
        (output / MARKER).write_bytes(_MARKER_TEXT)
    _drop(staging)  # the output is whole: what cannot go yet goes with the next build (recover)


PART = ".bulletin-part"  # the suffix of a file copied into the output before its rename


def _move(source: Path, target: Path) -> None:
    """Put a staged file in place with an atomic rename. An output folder on a file system of
    its own (a mount point: a Docker volume, an NFS share) cannot be renamed into from the
    staging folder beside it (EXDEV): the file is copied beside its target, in the output's
    file system, then renamed over it, so no reader ever sees it half-written, and the staged
    file goes. A copy cut short leaves the part file, which the next build's ``recover`` writes
    again and renames, or which its commit removes (no page claims it)."""
    try:
        os.replace(source, target)
        return
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
    part = part_of(target)
    try:
        part.unlink(missing_ok=True)  # one a power cut left; a symlink is never written through
        shutil.copyfile(source, part, follow_symlinks=False)
        os.replace(part, target)
    except BaseException:
        try:
            part.unlink(missing_ok=True)
        except OSError:
            pass  # the error to report is the first one
        raise
    os.unlink(source)


def part_of(target: Path) -> Path:
    """The part file ``target`` is copied to before its rename (see _move): named by a hash
    of the name, as short for a name of 255 bytes as for any, and the same on every build."""
    digest = hashlib.blake2b(os.fsencode(target.name), digest_size=8).hexdigest()
    return target.with_name(f".{digest}{PART}")


def _drop(folder: Path) -> bool:
    """Delete a staging folder of this tool, its marker last: whatever cannot go (a file another
    program holds open), or stays when the build is killed half-way, is still marked as the
    tool's for a later build to delete. Whether the folder is gone."""
    marker = folder / MARKER
    try:
        with os.scandir(folder) as entries:
            for entry in list(entries):
                if entry.name == MARKER:
                    continue
                if entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(entry.path)
                else:
                    os.unlink(entry.path)
        marker.unlink(missing_ok=True)
        folder.rmdir()
    except FileNotFoundError:
        pass
    except OSError:
        if folder.is_dir() and not marker.exists():  # the marker went, a folder stayed (rmdir)
            try:
                marker.write_bytes(_MARKER_TEXT)
            except OSError:
                pass
    return not folder.exists()


def _clear_way(output: Path, rel: str, removed: set[str]) -> bool:
    """Make room for the file ``rel`` where the last build left a file that is now a folder of
    this one's (a static file the/ha-noi, then the tag pages in the/ha-noi/), or a folder that is
    now a file: the stale files in the way go before the move, not after it. Nothing else is in
    the way: the build's claims hold no file where another path needs a folder. Whether anything
    was in the way."""
    cleared = False
    for folder in folders_of(rel):
        if folder in removed and (output / folder).exists() and not (output / folder).is_dir():
            (output / folder).unlink()
            cleared = True
    target = output / rel
    if target.is_dir() and not target.is_symlink():
        for name in removed:
            if name.startswith(rel + "/"):
                (output / name).unlink(missing_ok=True)
        for folder, _, _ in sorted(os.walk(target), key=lambda row: -len(row[0])):
            os.rmdir(folder)
        cleared = True
    return cleared


def _remove_own(folder: Path) -> None:
    """Delete a leftover folder of this tool (it holds the marker, or nothing); refuse others."""
    if not folder.exists() and not folder.is_symlink():
        return
    if folder.is_symlink() or not folder.is_dir() or \
            not ((folder / MARKER).is_file() or not any(folder.iterdir())):
        raise UsageError(f"refusing to replace {display_path(folder)}: the build needs this name "
                         "for its work and the folder was not made by this tool",
                         "Move it away and build again.")
    if not _drop(folder):
        raise _held(folder)


def _held(folder: Path) -> UsageError:
    return UsageError(f"cannot delete {display_path(folder)}, which an earlier build left: "
                      "another program holds a file in it",
                      "Close the program (a virus scanner, an editor), or delete the folder, and "
                      "build again.")


def _same_bytes(path: str, data: bytes) -> bool:
    try:
        if os.stat(path).st_size != len(data):
            return False
        with open(path, "rb") as file:
            return file.read() == data
    except OSError:
        return False
