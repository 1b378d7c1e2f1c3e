"""What a build is asked to do (Options) and what it reports (Result), light enough to import
before the engine: the command line answers a no-op rebuild with these alone."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only: importing them would load the engine
    from .cache import Resident
    from .config import Config
    from .errors import SourceError
    from .models import Article
    from .related import Match
    from .writer import WriteReport

Progress = Callable[[str, int, int], None]

# Dates a build can move to any time zone, and a day either way, without leaving Python's range:
# an article's date, and --now.
FIRST_DAY = datetime(2, 1, 1, tzinfo=UTC)
LAST_DAY = datetime(9998, 12, 31, tzinfo=UTC)


def in_range(moment: datetime) -> bool:
    """Whether a date (naive ones in any time zone) lies between FIRST_DAY and LAST_DAY."""
    if moment.tzinfo is None:
        return FIRST_DAY.replace(tzinfo=None) <= moment <= LAST_DAY.replace(tzinfo=None)
    return FIRST_DAY <= moment <= LAST_DAY


# The default theme: any template a site's own folder lacks comes from here.
BUILTIN_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


@dataclass(frozen=True, slots=True)
class Options:
    content: Path = Path("content")
    output: Path = Path("output")
    config: Path = Path("site.toml")
    templates: Path = Path("templates")
    static: Path = Path("static")
    cache: Path | None = Path(".cache")
    drafts: bool = False
    future: bool = False
    now: datetime | None = None
    write: bool = True
    progress: Progress | None = field(default=None, compare=False)
    base_url: str | None = None  # replaces site.toml's base_url, e.g. for a local preview
    # Kept from build to build by a process that builds again and again (serve): see cache.Cache.
    resident: Resident | None = field(default=None, compare=False)
    preview: bool = False  # serve's: the output's marker file says it is a preview (see writer)


@dataclass(frozen=True, slots=True)
class Result:
    articles: int
    pages: int
    report: WriteReport | None
    scheduled: tuple[tuple[str, datetime], ...]
    drafts: int
    warnings: tuple[SourceError, ...]
    seconds: float
    config: Config | None = field(repr=False, default=None)  # None: skipped as up to date
    published: tuple[Article, ...] = field(repr=False, default=())
    matches: tuple[tuple[Match, ...], ...] = field(repr=False, default=())
    rendered: int = 0  # pages whose template ran; the others were unchanged since the last build
    timings: tuple[tuple[str, float], ...] = ()  # seconds per stage, for --verbose
    peaks: tuple[int, ...] = ()  # the main process's peak memory (bytes) at the end of each stage
    cpu: tuple[float, ...] = ()  # CPU seconds of each stage, its worker processes included
    # check mode: the plain texts of the articles' bodies, by body key (the related command's)
    texts: Mapping[str, str] = field(repr=False, default_factory=dict)
    # the articles left out by this build, by slug: "content/a.md is a draft" (or scheduled)
    held: Mapping[str, str] = field(repr=False, default_factory=dict)
