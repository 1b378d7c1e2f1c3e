"""The no-op rebuild: a stamp of what the last build read and wrote, checked before the engine.

Every successful build leaves a stamp in its cache folder, one per output folder. It holds:

- the stat of every file and folder the build read (articles, photos, templates, static files),
  taken before it read them;
- a digest of the config file, the options and the tool's own version;
- the span of time in which the clock's choices stay as they were (which articles are published,
  which are recent enough for the news sitemap);
- the stat of every file and folder of the output it left;
- the numbers its summary printed.

The build is skipped when all of that still holds. Checking it takes one stat per path, with no
folder read: a file added, removed or renamed changes its folder's mtime. The command line checks
before importing Jinja, Markdown and the rest, so this module needs only the standard library and
light modules.

A stat proves nothing about a path changed within the file system's timestamp granularity of the
moment the stat was taken: a second quick edit can leave the same size, mtime, ctime and inode.
Inputs changed that recently are recorded by a digest as well (of a file's bytes, of a folder's
entry names), which the check computes again. The output's listing is the writer's after the
build's last write: the paths the commit changed stat'ed then, the others as the last listing had
them when the commit found the output unchanged since (see writer.Transaction). A file someone
puts in, or edits, within that granularity after the commit is missed.
"""

from __future__ import annotations

import errno
import hashlib
import marshal
import os
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from .errors import SourceError, display_path
from .listing import Entry, Listing, intact, listing
from .options import BUILTIN_TEMPLATES, Options, Result
from .version import code_version
from .writer import MARKER, WriteReport, staging_folder

FORMAT = 2  # of the stamp file; a stamp of another format is a miss
RACY_NS = 2_000_000_000  # timestamps this close to a stat's moment prove nothing (FAT: 2 s steps)

Window = tuple[int | None, int | None]  # µs since the epoch: from (inclusive), until (exclusive)
Key = tuple[str | int | bool | None, ...]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


@dataclass(frozen=True, slots=True)
class Inputs:
    """Everything a build reads, as the file system describes it before the build reads it."""

    key: Key  # stamp format, tool version, Python, working folder, folders, options
    config: str  # digest of the config file's bytes; "" when there is none
    trees: tuple[Listing, ...]  # of folders(options), in that order
    racy: tuple[tuple[int, str, str], ...]  # (tree, path, digest) of the paths changed lately


@dataclass(frozen=True, slots=True)
class Stamp:
    """What the last successful build of an output folder read, decided, wrote and reported."""

    inputs: Inputs
    timezone: str  # the site's, in which a --now without an offset is read
    window: Window  # while the clock is in it, no article changes its published or recent state
    output: tuple[Entry, ...]  # the output folder, its marker file included
    articles: int
    pages: int
    drafts: int
    scheduled: tuple[tuple[str, str], ...]  # path shown, ISO 8601 moment
    warnings: tuple[tuple[str, int | None, str, str, bool], ...]  # SourceError's fields


def folders(options: Options) -> tuple[Path, ...]:
    """The folders a build reads, in the order of Inputs.trees."""
    return options.content, options.templates, BUILTIN_TEMPLATES, options.static


def inputs(options: Options) -> Inputs | None:
    """The stat of everything the build of ``options`` reads, taken now, before it reads anything.

    None when the build keeps no stamp (a check, or no cache folder) or a folder cannot be listed.
    """
    if not options.write or options.cache is None:
        return None
    taken = time.time_ns()
    places = folders(options)
    try:
        trees = tuple(listing(folder) for folder in places)
        config = _digest(options.config) if options.config.exists() else ""
        racy = tuple((number, entry[0], _digest(folder / entry[0]))
                     for number, (folder, tree) in enumerate(zip(places, trees, strict=True))
                     for entry in tree or () if racy_at(entry[2], entry[3], taken))
    except OSError:
        return None
    return Inputs(_key(options), config, trees, racy)


def racy_at(mtime_ns: int, ctime_ns: int, moment_ns: int) -> bool:
    """Whether a file with these times, stat'ed at ``moment_ns``, may be saved again without
    its stat changing: on a file system whose timestamps step by a second or two, a save
    within the same step leaves the same times (see RACY_NS)."""
    return max(mtime_ns, ctime_ns) >= moment_ns - RACY_NS


def content_stats(taken: Inputs | None) -> dict[str, Entry] | None:
    """The content folder's listing in ``taken`` by relative path (see inputs); None without."""
    if taken is None or taken.trees[0] is None:
        return None
    return {entry[0]: entry for entry in taken.trees[0]}


def window(dates: Iterable[datetime], now: datetime, recent: timedelta) -> Window:
    """The span of time around ``now`` in which, for every date, whether it is past (the article
    is published) and whether it lies within ``recent`` before the moment (the news sitemap's
    window) stay as they are at ``now``.

    >>> day = datetime(2026, 11, 26, tzinfo=UTC)
    >>> window([day], day + timedelta(hours=1), timedelta(days=2)) == (
    ...     _micros(day), _micros(day + timedelta(days=2)))
    True
    """
    moment, width = _micros(now), recent // _MICROSECOND
    start: int | None = None
    end: int | None = None
    for date in dates:
        for edge in (_micros(date), _micros(date) + width):
            if edge <= moment:
                start = edge if start is None else max(start, edge)
            else:
                end = edge if end is None else min(end, edge)
    return start, end


def unchanged(options: Options) -> Result | None:
    """The last build's result when nothing it read, decided or wrote has changed since; else None.

    Cheapest checks first; the first difference ends it.
    """
    started = time.perf_counter()
    if not options.write or options.cache is None:
        return None
    stamp = _load(_stamp_path(options))
    if stamp is None or not _same_inputs(options, stamp):
        return None
    if staging_folder(options.output.resolve()).exists():  # a build was interrupted: finish it
        return None
    if not intact(options.output, stamp.output):
        return None
    seconds = time.perf_counter() - started
    files = sum(1 for name, *_ in stamp.output if name and name[-1] != "/" and name != MARKER)
    return _result(stamp, WriteReport(0, files, 0), seconds)


def checked(options: Options) -> Result | None:
    """``check``'s verdict when the last build into ``options.output`` (with the same content,
    templates, static files, config, options and clock decisions) found no error and nothing it
    read has changed since: that build checked everything ``check`` would, with the same
    messages. Its output folder does not matter: ``check`` writes none. Else None."""
    started = time.perf_counter()
    if options.write or options.cache is None:
        return None
    stamp = _load(_stamp_path(options))
    if stamp is None or not _same_inputs(options, stamp):
        return None
    return _result(stamp, None, time.perf_counter() - started)


def _same_inputs(options: Options, stamp: Stamp) -> bool:
    """Whether the stamp's build read what a build of ``options`` would read now, and the clock
    leaves every publication decision as it made it."""
    if stamp.inputs.key != _key(options):
        return False
    start, end = stamp.window
    clock = _now(options.now, stamp.timezone)
    if (start is not None and clock < start) or (end is not None and clock >= end):
        return False
    places = folders(options)
    try:
        if stamp.inputs.config != (_digest(options.config) if options.config.exists() else ""):
            return False
        if not all(intact(folder, tree)
                   for folder, tree in zip(places, stamp.inputs.trees, strict=True)):
            return False
        return not any(_digest(places[number] / name) != digest
                       for number, name, digest in stamp.inputs.racy)
    except (OSError, ValueError, IndexError):  # ValueError, IndexError: a damaged stamp
        return False


def _result(stamp: Stamp, report: WriteReport | None, seconds: float) -> Result:
    """What the stamp's build reported, as the command line prints it."""
    return Result(
        articles=stamp.articles, pages=stamp.pages, report=report,
        scheduled=tuple((shown, datetime.fromisoformat(iso)) for shown, iso in stamp.scheduled),
        drafts=stamp.drafts, warnings=tuple(SourceError(*fields) for fields in stamp.warnings),
        seconds=seconds, rendered=0, timings=(("up to date", seconds),))


def save(options: Options, current: Inputs, timezone_name: str, clock: Window,
         result: Result, output: Listing = None) -> SourceError | None:
    """Stamp the output folder the build of ``options`` has just written (see ``unchanged``).

    ``current`` was taken before the build read anything, so a file changed while it ran no longer
    matches. ``output``: the output's listing after the build's last write, if the writer has it.
    A stamp that cannot be written only costs the next no-op its speed: it never raises, and
    returns the warning to print then (None when saved). An old stamp left in place is harmless:
    it holds the inputs and output of an earlier build, which no longer match.
    """
    path = _stamp_path(options)
    try:
        output = output or listing(options.output)
        if output is None or not any(entry[0] == MARKER for entry in output):
            raise FileNotFoundError(errno.ENOENT, "the output folder has lost its marker file",
                                    str(options.output / MARKER))
        stamp = Stamp(
            inputs=current, timezone=timezone_name, window=clock, output=output,
            articles=result.articles, pages=result.pages, drafts=result.drafts,
            scheduled=tuple((shown, moment.isoformat()) for shown, moment in result.scheduled),
            warnings=tuple((w.path, w.line, w.message, w.hint, w.warning) for w in result.warnings))
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        try:
            partial.write_bytes(_dump(stamp))
            os.replace(partial, path)
        except OSError:
            partial.unlink(missing_ok=True)
            raise
    except OSError as exc:
        try:
            path.unlink(missing_ok=True)
        except OSError:
            pass
        # named by the stamp, not by the temporary file it is written to first (gone now)
        place = path if exc.filename is None or str(exc.filename).endswith(".tmp") \
            else exc.filename
        return SourceError(display_path(Path(place)), None,
                           "the build's up-to-date stamp could not be saved "
                           f"({(exc.strerror or str(exc)).lower()}): the site was built and "
                           "published, but "
                           "the next build will be a full one",
                           "Check that the cache folder (--cache) is yours to write and not full.",
                           warning=True)
    return None


def last_output(options: Options) -> tuple[Entry, ...] | None:
    """The listing of the output folder the last build of ``options`` left (as it took it after
    its last write), or None. Whether the folder is still just that is for the caller to check."""
    if not options.write or options.cache is None:
        return None
    stamp = _load(_stamp_path(options))
    return stamp.output if stamp is not None else None


def _key(options: Options) -> Key:
    """Everything but files that decides what a build makes: the tool, where it runs, and how."""
    return (FORMAT, code_version(), sys.version, os.getcwd(),
            *(os.path.abspath(path) for path in (*folders(options), options.config)),
            str(options.output.resolve()), options.drafts, options.future, options.base_url)


def _dump(stamp: Stamp) -> bytes:
    """The stamp as marshal data: plain tuples of str, int, bool and None, read back in a few ms
    (its listings hold an entry per path). Marshal's format may change with Python's version,
    which the key holds: a stamp of another version is a miss either way."""
    i = stamp.inputs
    return marshal.dumps((FORMAT, (i.key, i.config, i.trees, i.racy), stamp.timezone, stamp.window,
                          stamp.output, stamp.articles, stamp.pages, stamp.drafts, stamp.scheduled,
                          stamp.warnings))


def _load(path: Path) -> Stamp | None:
    """The stamp stored at ``path``, or None when it is missing, damaged or of another format."""
    try:
        data = marshal.loads(path.read_bytes())
        if data[0] != FORMAT:
            return None
        return Stamp(Inputs(*data[1]), *data[2:])
    except (OSError, EOFError, ValueError, TypeError, IndexError):
        return None


def _stamp_path(options: Options) -> Path:
    assert options.cache is not None
    name = hashlib.blake2b(str(options.output.resolve()).encode(), digest_size=8).hexdigest()
    return options.cache / "uptodate" / f"{name}.stamp"


def _digest(path: Path) -> str:
    """A file's bytes, or a folder's entry names, hashed."""
    if path.is_dir():
        data = "\0".join(sorted(os.listdir(path))).encode("utf-8", "surrogateescape")
    else:
        data = path.read_bytes()
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _micros(moment: datetime) -> int:
    return (moment - _EPOCH) // _MICROSECOND


def _now(now: datetime | None, timezone_name: str) -> int:
    """The build's clock in µs since the epoch, as pipeline.build reads it: --now, in the site's
    timezone when it has no offset, or the time of day."""
    if now is None:
        return time.time_ns() // 1000
    if now.tzinfo is None:
        from zoneinfo import ZoneInfo

        now = now.replace(tzinfo=ZoneInfo(timezone_name))
    return _micros(now)
