"""Sitemaps for crawlers: sitemaps.org urlsets (split under an index when large), a Google News
sitemap of the last days' articles, and robots.txt naming them."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from .config import Config
from .feeds import xml_text
from .models import Article, Planned
from .routes import Routes

NEWS_MAX_URLS = 1_000  # Google News reads at most this many URLs from one news sitemap


@dataclass(frozen=True, slots=True)
class Url:
    """One <url> (or, in a sitemap index, one <sitemap>): an absolute location and its lastmod."""

    loc: str
    lastmod: datetime | None  # None only when no published article says when anything changed


@dataclass(frozen=True, slots=True)
class NewsUrl:
    """One article of the news sitemap."""

    loc: str
    title: str
    published: datetime


def page_urls(pages: Iterable[Any], config: Config, routes: Routes) -> list[Url]:
    """Every HTML page of the plan but the 404 page, each with when its content last changed.

    ``pages`` are pipeline Pages (route, template, context). An article page changed when the
    article did; every page of a list changed when any of its articles did (publishing one shifts
    them all); any other page (the tags overview) when any article did. Pages of drafts and
    scheduled articles, which only preview builds hold, are left out.
    """
    shown = [p for p in pages if p.template.endswith(".html")
             and p.context["page_kind"] not in ("404", "search")]  # search: noindex
    lists: dict[str, datetime] = {}
    for page in shown:
        pager = page.context.get("pager")
        if pager is not None:
            newest = _newest(pager.items)
            if newest is not None:
                first = pager.urls[0]
                lists[first] = max(lists.get(first, newest), newest)
    site = max(lists.values(), default=None)
    urls: list[Url] = []
    for page in shown:
        article: Article | None = page.context.get("article")
        pager = page.context.get("pager")
        lastmod: datetime | None
        if article is not None:
            if article.draft or article.scheduled:
                continue
            lastmod = article.modified
        elif pager is not None:
            lastmod = lists.get(pager.urls[0], site)
        else:
            lastmod = site
        urls.append(Url(routes.permalink(page.route), lastmod))  # in the site's zone already
    return urls


def news_since(config: Config, now: datetime) -> datetime:
    """Where the news sitemap's window starts, in UTC: articles dated after it are recent. The
    window is ``news_sitemap_days`` times 24 hours, whatever clock changes the site's timezone
    has in it (with a --now early in year 2 and a window of years, the earliest moment there is).

    >>> from zoneinfo import ZoneInfo
    >>> from .config import Config
    >>> now = datetime(2026, 10, 26, 12, 30, tzinfo=ZoneInfo("Europe/Berlin"))  # after a DST end
    >>> now - news_since(Config(news_sitemap_days=2), now)
    datetime.timedelta(days=2)
    """
    try:
        return now.astimezone(UTC) - timedelta(days=config.news_sitemap_days)
    except OverflowError:
        return datetime.min.replace(tzinfo=UTC)


def news_urls(articles: Sequence[Article], config: Config, now: datetime) -> list[NewsUrl]:
    """The published articles of the last ``news_sitemap_days`` days as of ``now``, newest first."""
    since = news_since(config, now)
    return [NewsUrl(a.permalink, xml_text(a.title), a.date) for a in articles
            if since < a.date <= now and not a.draft and not a.scheduled]


def news_language(language: str) -> str:
    """The language code Google News wants: ISO 639 (``vi``), but ``zh-cn``/``zh-tw`` for Chinese.

    >>> news_language("vi-VN"), news_language("zh-TW")
    ('vi', 'zh-tw')
    """
    code = language.lower().replace("_", "-")
    return code if code in ("zh-cn", "zh-tw") else code.split("-")[0]


def plan(pages: Iterable[Any], articles: Sequence[Article], config: Config, routes: Routes,
         now: datetime) -> list[Planned]:
    """sitemap.xml (an index over numbered files past ``sitemap_max_urls``), the news sitemap and
    robots.txt."""
    planned = _split(page_urls(pages, config, routes), config.sitemap_max_urls, "sitemap.xml",
                     "the sitemap", routes.sitemap(), routes.sitemap_part, routes,
                     lambda part: max((u.lastmod for u in part if u.lastmod), default=None))
    news = {"publication": xml_text(config.title), "language": news_language(config.language)}
    planned += _split(news_urls(articles, config, now), NEWS_MAX_URLS, "news-sitemap.xml",
                      "the news sitemap", routes.news_sitemap(), routes.news_sitemap_part, routes,
                      lambda part: max(u.published for u in part), news)
    maps = (routes.permalink(routes.sitemap()), routes.permalink(routes.news_sitemap()))
    planned.append(Planned(routes.robots(), "robots.txt", "robots.txt", "robots",
                           {"sitemaps": maps}))
    return planned


def _split(urls: Sequence[Any], limit: int, template: str, owner: str, route: str,
           part_route: Callable[[int], str], routes: Routes,
           lastmod: Callable[[Sequence[Any]], datetime | None],
           names: Mapping[str, Any] | None = None) -> list[Planned]:
    """One file at ``route`` when ``urls`` fit in ``limit``; else numbered parts and, at
    ``route``, a sitemap index listing them."""
    names = dict(names or {})
    kind = template.removesuffix(".xml")
    if len(urls) <= limit:
        return [Planned(route, template, owner, kind, {**names, "urls": tuple(urls)})]
    planned, parts = [], []
    for number, start in enumerate(range(0, len(urls), limit), 1):
        chunk = tuple(urls[start:start + limit])
        planned.append(Planned(part_route(number), template, f"{owner}, part {number}", kind,
                               {**names, "urls": chunk}))
        parts.append(Url(routes.permalink(part_route(number)), lastmod(chunk)))
    planned.append(Planned(route, "sitemap-index.xml", f"{owner} index", "sitemap-index",
                           {"sitemaps": tuple(parts)}))
    return planned


def _newest(articles: Iterable[Article]) -> datetime | None:
    return max((a.modified for a in articles if not (a.draft or a.scheduled)), default=None)
