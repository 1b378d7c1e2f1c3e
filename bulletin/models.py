"""The typed, frozen models every stage passes on: Term, Source, Meta, Article, Pager, Planned."""

from __future__ import annotations

import operator
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from datetime import datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping
from zoneinfo import ZoneInfo

from .frozen import compact


class CountReads(threading.local):
    """The terms whose ``count`` was read while ``terms`` is a list: pipeline.publish records
    them for each page it renders, so that a page is rendered again when a count it shows
    changes, and only then (a term's count is not part of its fingerprint). One per thread, so
    that builds in two threads never share it."""

    def __init__(self) -> None:
        self.terms: list[Term] | None = None


COUNT_READS = CountReads()


@contextmanager
def noting_counts() -> Iterator[list[Term]]:
    """A list of the terms whose count is read within the block; the reads noted before it are
    noted again after it, without these."""
    outer = COUNT_READS.terms
    reads: list[Term] = []
    COUNT_READS.terms = reads
    try:
        yield reads
    finally:
        COUNT_READS.terms = outer


@compact
@dataclass(frozen=True, slots=True)
class Term:
    """A tag or a category: the name editors wrote and the page it lives on.

    ``count`` is left out of comparisons, and so of fingerprints (bulletin.fingerprint): a retag
    changes the counts of the terms it touches, and an article stands for its terms on every page
    that lists it. A page depends on a count only if its template reads it; every read is noted in
    COUNT_READS (by the template, by ``repr`` or by a filter alike).
    """

    name: str
    slug: str
    url: str = ""
    permalink: str = ""
    count: int = field(default=0, compare=False)  # published articles
    feed_url: str = ""  # absolute URL of its RSS feed
    atom_url: str = ""  # absolute URL of its Atom feed


class _NotedCount:
    """Term.count: the slot's own descriptor, with each read noted in COUNT_READS. Only ``count``
    pays for it: a term's other fields are read as plain slots, hundreds of thousands of times a
    build."""

    __slots__ = ("slot",)

    def __init__(self, slot: Any) -> None:
        self.slot = slot

    def __get__(self, term: Term | None, owner: type | None = None) -> Any:
        if term is None:
            return self
        terms = COUNT_READS.terms
        if terms is not None:
            terms.append(term)
        return self.slot.__get__(term, owner)

    def __set__(self, term: Term, value: int) -> None:  # by __init__ alone (the class is frozen)
        self.slot.__set__(term, value)


setattr(Term, "count", _NotedCount(Term.__dict__["count"]))  # setattr: mypy takes it for an int


@compact
@dataclass(frozen=True, slots=True)
class Source:
    """One article file read from disk: decoded text split into front matter and body."""

    path: Path  # the .md file
    shown: str  # path as printed in messages
    rel: str  # posix path relative to the content folder
    bundle: Path | None  # folder of a page bundle (content/<name>/index.md), else None
    front: str
    body: str
    front_line: int  # line number of the first front-matter line
    body_line: int  # line number of the first body line
    digest: str  # hash of the file's bytes

    def without_body(self) -> Source:
        """This source without its body's text (the largest thing it holds, once rendered)."""
        return Source(self.path, self.shown, self.rel, self.bundle, self.front, "",
                      self.front_line, self.body_line, self.digest)


@dataclass(frozen=True, slots=True)
class Meta:
    """Validated front matter of one article."""

    title: str
    date: datetime
    slug: str
    tags: tuple[str, ...] = ()
    category: str | None = None
    author: str | None = None
    summary: str | None = None
    image: str | None = None
    image_alt: str | None = None
    image_caption: str | None = None
    draft: bool = False
    updated: datetime | None = None
    related: tuple[str, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    lines: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        """Pickled (the cache keeps validated front matter) with its two mappings as dicts and
        its date as a naive one and the name of its zone: a zone is slow to unpickle."""
        title, date, *rest = _META_HEAD(self)
        zone = date.tzinfo.key if isinstance(date.tzinfo, ZoneInfo) else None  # None: no name
        return _meta, (zone, title, date if zone is None else date.replace(tzinfo=None), *rest,
                       dict(self.extra), dict(self.lines))


def _meta(zone: str | None, title: str, date: datetime, *rest: Any) -> Meta:
    """A Meta from what its ``__reduce__`` gave."""
    make: Any = Meta  # positional arguments: mypy cannot tell that they fit
    return make(title, date if zone is None else date.replace(tzinfo=ZoneInfo(zone)), *rest[:-2],
                MappingProxyType(rest[-2]), MappingProxyType(rest[-1]))


# every field in order but extra and lines, the last two (see Meta.__reduce__)
_META_HEAD = operator.attrgetter(*(f.name for f in fields(Meta) if f.name not in ("extra", "lines")))


@compact
@dataclass(frozen=True, slots=True)
class Image:
    """A photo as templates show it."""

    url: str
    alt: str
    caption: str | None = None
    permalink: str = ""
    width: int | None = None  # displayed size, for <img width height>; None when unknown
    height: int | None = None
    srcset: str = ""  # resized copies in the photo's own format: "url 480w, url 960w"
    srcset_webp: str = ""  # the same as WebP
    thumb: str = ""  # the smallest copy, for list pages (the photo itself when it has no copies)
    thumb_webp: str = ""


@dataclass(frozen=True, slots=True)
class Article:
    """A published article, ready for templates."""

    source: Source
    title: str
    slug: str
    date: datetime
    url: str  # href, with the site's base path
    permalink: str  # absolute URL
    route: str  # path below the site root, e.g. /tin/abc/
    tags: tuple[Term, ...]
    category: Term | None
    author: str | None
    summary: str  # the summary from front matter, else the first paragraph cut short
    lead: str | None  # the summary an editor wrote, shown above the body; None when derived
    body_key: str  # where the rendered body is kept (see markup.BodyStore)
    links: tuple[Any, ...]  # markup.Link: links to other articles inside the body
    image: Image | None
    updated: datetime | None
    draft: bool
    scheduled: bool
    related_pins: tuple[str, ...]
    extra: Mapping[str, Any]
    assets: tuple[Any, ...] = ()  # markup.Asset: photos copied beside the page
    bodies: Any = field(default=None, compare=False, repr=False)  # markup.BodyStore
    digest: str = ""  # changes whenever anything a page shows of this article changes

    @property
    def body(self) -> str:
        """The body as sanitised HTML, with links to other articles resolved."""
        return str(self.bodies.html(self.body_key, self.links))

    @property
    def modified(self) -> datetime:
        """When the article last changed: ``updated`` when later than ``date``, else ``date``."""
        return self.updated if self.updated is not None and self.updated > self.date else self.date

    def __getattr__(self, name: str) -> Any:
        # Front-matter keys we do not know pass through to templates: {{ article.topic }}.
        extra = object.__getattribute__(self, "extra")
        if name in extra:
            return extra[name]
        raise AttributeError(name)


@compact
@dataclass(frozen=True, slots=True)
class Pager:
    """One page of a paginated list."""

    number: int
    total: int
    items: tuple[Article, ...]
    urls: tuple[str, ...]  # href of every page in the chain, page 1 first

    @property
    def prev_url(self) -> str | None:
        return self.urls[self.number - 2] if self.number > 1 else None

    @property
    def next_url(self) -> str | None:
        return self.urls[self.number] if self.number < self.total else None

    @property
    def url(self) -> str:
        return self.urls[self.number - 1]


@dataclass(frozen=True, slots=True)
class Planned:
    """A file that feeds or sitemaps ask plan() to render: its route, template and own names."""

    route: str
    template: str
    owner: str  # what produced it, for collision messages
    kind: str  # the page_kind templates see
    names: Mapping[str, Any]
