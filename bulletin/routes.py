"""The one place that decides URLs and output paths; no path can leave the output folder."""

from __future__ import annotations

import functools
import re
from datetime import datetime
from pathlib import PurePosixPath
from urllib.parse import quote

from .config import Config
from .slug import slugify
from .taxonomy import stable_slug, term_key

# What quote(route, safe="/#?=&%") leaves as it is: ASCII letters, digits, "_.-~" and the safe ones.
_PLAIN = re.compile(r"[A-Za-z0-9_.~/#?=&%-]*\Z").match


class Routes:
    """Route paths (``/tin/abc/``), hrefs (with the base path) and absolute permalinks."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.prefix = config.base_path
        self.origin = config.origin
        self.links = config.permalinks

    # -- route paths, relative to the site root -------------------------------------------
    def article(self, slug: str, date: datetime, category: str | None) -> str:
        return _normalise(self.links.article.format(
            slug=slug, year=f"{date.year:04d}", month=f"{date.month:02d}", day=f"{date.day:02d}",
            category=_category_part(category) if category else "tin",
        ))

    def tag(self, slug: str) -> str:
        return _normalise(self.links.tag.format(slug=slug))

    def tags_index(self) -> str:
        return _normalise(self.links.tags_index)

    def category(self, slug: str) -> str:
        return _normalise(self.links.category.format(slug=slug))

    def home(self) -> str:
        return "/"

    def not_found(self) -> str:
        return "/404.html"

    def feed(self, first: str) -> str:
        """The RSS feed of the list starting at ``first``: ``/the/x/`` → ``/the/x/feed.xml``."""
        return _normalise(first + self.links.feed)

    def atom(self, first: str) -> str:
        return _normalise(first + self.links.atom)

    def sitemap(self) -> str:
        return _normalise(self.links.sitemap)

    def sitemap_part(self, number: int) -> str:
        """File ``number`` (from 1) of a sitemap split under a sitemap index."""
        return _normalise(self.links.sitemap_part.format(n=number))

    def news_sitemap(self) -> str:
        return _normalise(self.links.news_sitemap)

    def news_sitemap_part(self, number: int) -> str:
        return _normalise(self.links.news_sitemap_part.format(n=number))

    def robots(self) -> str:
        """Crawlers read robots.txt only at the root of a host, so a sub-path site's is advisory."""
        return "/robots.txt"

    def search(self) -> str:
        """The search page; its index lives below it, in ``search_data()``."""
        return _normalise(self.links.search)

    def search_data(self, name: str) -> str:
        """A file of the search index, e.g. ``meta.json`` or ``t/12.json``."""
        return _normalise(self.links.search + "/du-lieu/" + name)

    def page(self, first: str, number: int) -> str:
        """The route of page ``number`` of a list whose first page is ``first``."""
        if number == 1:
            return first
        return _normalise(first + self.links.page.format(n=number))

    # -- what pages link to ---------------------------------------------------------------
    def href(self, route: str) -> str:
        """A link usable on any page: the route under the site's base path."""
        if _PLAIN(route):  # a slug's route, as nearly all are: nothing to quote
            return self.prefix + route
        return self.prefix + quote(route, safe="/#?=&%")

    def permalink(self, route: str) -> str:
        return self.origin + self.href(route)

    def asset(self, path: str) -> str:
        """The absolute URL of a file such as the logo: an absolute URL stays as it is.

        >>> Routes(Config(base_url="https://a.vn/tin/")).asset("img/logo.png")
        'https://a.vn/tin/img/logo.png'
        """
        if "://" in path:
            return path
        return self.permalink("/" + path.lstrip("/"))

    @staticmethod
    def photo_variant(name: str, width: int, ext: str) -> str:
        """The file name of a resized copy of a photo, beside the original.

        >>> Routes.photo_variant("anh-hien-truong.JPG", 480, "webp")
        'anh-hien-truong.480w.webp'
        """
        stem = name.rsplit(".", 1)[0] if "." in name else name
        return f"{stem}.{width}w.{ext}"

    # -- where files go ---------------------------------------------------------------------
    @staticmethod
    def output_path(route: str) -> PurePosixPath:
        """The file a route is written to, relative to the output folder.

        >>> Routes.output_path("/tin/abc/")
        PurePosixPath('tin/abc/index.html')
        >>> Routes.output_path("/404.html")
        PurePosixPath('404.html')
        """
        return _output_path(route)


@functools.lru_cache(maxsize=None)
def _output_path(route: str) -> PurePosixPath:
    """Routes.output_path, once per route (a build asks for a page's path in several stages, and
    the page workers it forks inherit the answers)."""
    path = route.lstrip("/")
    if not path or path.endswith("/"):
        path += "index.html"
    result = PurePosixPath(path)
    if result.is_absolute() or any(part in ("..", ".", "") for part in result.parts):
        raise ValueError(f"route {route!r} leaves the output folder")
    return result


def _category_part(category: str) -> str:
    """The {category} of an article's permalink: its category's slug, made as the category
    page's is, from the name alone (a name without a letter a slug can hold, "新闻", takes
    "the-" and a hash of it, never nothing: an empty part would move the article to the root).

    >>> _category_part("Thời sự"), _category_part("新闻")
    ('thoi-su', 'the-86bc41de4118')
    """
    return slugify(category) or stable_slug(term_key(category))


def _normalise(route: str) -> str:
    """Routes start with '/' and, unless they name a file, end with '/'."""
    route = "/" + route.strip().lstrip("/")
    while "//" in route:
        route = route.replace("//", "/")
    last = route.rsplit("/", 1)[-1]
    if last and "." not in last:
        route += "/"
    return route
