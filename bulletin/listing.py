"""Folder listings: every path below a folder with its stat, to tell later whether it changed.

The no-op check compares the folders a build reads, and the output it left, with the listings the
last build took (see uptodate); the writer lists what it leaves in the output folder.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

# A file or folder (its path then ends in "/"; the top folder is ""): path relative to the
# listed folder, size, mtime_ns, ctime_ns, inode.
Entry = tuple[str, int, int, int, int]
Listing = tuple[Entry, ...] | None  # None: the folder does not exist


def walk_files(root: Path, follow_symlinks: bool = False,
               folders: bool = False) -> Iterator[tuple[str, os.DirEntry[str]]]:
    """Every file below ``root``: its posix path relative to ``root`` and its directory entry;
    with ``folders``, every folder below it as well, its path ending in "/".

    Following symlinks, a folder reached twice through them (a loop, or two links to one folder)
    raises OSError(ELOOP) rather than walking on forever: its ``filename`` and ``filename2``
    are the two paths leading there.
    """
    stack = [(str(root), "")]
    linked: dict[object, str] = {}  # the folders reached through a symlink: the first link
    while stack:
        here, rel = stack.pop()
        with os.scandir(here) as entries:
            items = list(entries)
        for item in items:
            if item.is_dir(follow_symlinks=follow_symlinks):
                if follow_symlinks and item.is_symlink():
                    stat = item.stat()
                    identity = (stat.st_dev, stat.st_ino) if getattr(stat, "st_ino", 0) \
                        else os.path.realpath(item.path)
                    if identity in linked:
                        raise OSError(errno.ELOOP, "folder reached twice through symlinks",
                                      item.path, None, linked[identity])
                    linked[identity] = item.path
                stack.append((item.path, f"{rel}{item.name}/"))
                if folders:
                    yield f"{rel}{item.name}/", item
            else:
                yield f"{rel}{item.name}", item


def listing(folder: Path) -> Listing:
    """Every file and folder below ``folder`` (see Entry), following symlinks, sorted; None when
    the folder does not exist. Raises OSError for a path that cannot be stat'ed (a broken
    symlink) or a symlink loop."""
    if not folder.is_dir():
        return None
    found = [entry("", os.stat(folder))]
    found += [entry(name, item.stat()) for name, item in walk_files(folder, True, True)]
    found.sort()
    return tuple(found)


def file_stats(entries: Iterable[Entry]) -> dict[str, tuple[int, int, int, int]]:
    """The files of a listing (its folders left out), by path: their signatures."""
    return {entry[0]: entry[1:] for entry in entries if entry[0] and entry[0][-1] != "/"}


def entry(name: str, stat: os.stat_result) -> Entry:
    return (name, *signature(stat))


def signature(stat: os.stat_result) -> tuple[int, int, int, int]:
    """What tells that a file changed without reading it: size, mtime, ctime (ns) and inode
    (an Entry without its path)."""
    return stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino


def folders_of(name: str) -> Iterator[str]:
    """The folders holding a posix path, innermost first.

    >>> list(folders_of("tin/bai-a/index.html"))
    ['tin/bai-a', 'tin']
    """
    cut = name.rfind("/")
    while cut > 0:
        yield name[:cut]
        cut = name.rfind("/", 0, cut)


def intact(folder: Path, entries: Listing, follow_symlinks: bool = True) -> bool:
    """True when every path of ``entries`` (a listing of ``folder``) has the stat it had then.

    A folder keeps its mtime only while no entry is added to it, removed or renamed, so this
    also finds new files without reading a folder. Without ``follow_symlinks``, a listed path that
    is a symlink (its own stat is not its target's) makes the listing not intact.
    """
    if entries is None:
        return not os.path.isdir(folder)
    stat = os.stat
    try:
        if stat in os.supports_dir_fd:  # paths looked up from the folder: a shorter walk each
            top = os.open(folder, os.O_RDONLY)
            try:
                for name, size, mtime, ctime, inode in entries:
                    # "a/" would stand for what a symlink "a" leads to: look "a" up
                    found = stat(name.rstrip("/") or ".", dir_fd=top,
                                 follow_symlinks=follow_symlinks)
                    if found.st_mtime_ns != mtime or found.st_ctime_ns != ctime or \
                            found.st_size != size or found.st_ino != inode:
                        return False
            finally:
                os.close(top)
            return True
        base = os.path.join(folder, "")
        return all(entry(name, stat(base + name.rstrip("/"), follow_symlinks=follow_symlinks))
                   == (name, size, mtime, ctime, inode)
                   for name, size, mtime, ctime, inode in entries)
    except OSError:
        return False


def relisted(folder: Path, before: tuple[Entry, ...], changed: Iterable[str]) -> tuple[Entry, ...]:
    """The listing of ``folder`` now, from one taken ``before`` that held for every path but the
    files ``changed`` since (written, replaced or deleted, folders made or removed for them):
    those files and the folders holding them are stat'ed again; the rest stays as it was.

    Raises OSError, as ``listing`` does, for a path that is there but cannot be stat'ed.
    """
    again: set[str] = {""}
    for name in changed:
        again.add(name)
        again.update(f"{folder}/" for folder in folders_of(name))
    found = [old for old in before if old[0] not in again]
    base = os.path.join(folder, "")
    for name in again:
        try:
            stat = os.stat(base + name if name else folder)
        except FileNotFoundError:
            continue
        found.append(entry(name, stat))
    found.sort()
    return tuple(found)
