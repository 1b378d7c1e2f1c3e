"""Feeds: RSS 2.0 and Atom for the site, each tag and each category, holding the newest articles."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from html import escape
from urllib.parse import urljoin

from .config import Config
from .models import Article, Planned, Term
from .routes import Routes

# A feed with no entries still needs a date; a fixed one keeps the same input giving the same bytes.
EMPTY_FEED_DATE = datetime(1970, 1, 1, tzinfo=UTC)

# Characters XML 1.0 forbids even as references (control characters pasted from word processors).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_LINK_ATTRIBUTE = re.compile(r"""(\s(?:href|src)\s*=\s*)(["'])(.*?)\2""", re.IGNORECASE | re.DOTALL)
# a start tag: "<", a name, then attributes, whose quoted values may hold ">"
_START_TAG = re.compile(r"""<[a-zA-Z][^\s/>]*(?:"[^"]*"|'[^']*'|[^'">])*>""")
_SRCSET = re.compile(r"""(\ssrcset\s*=\s*)(["'])(.*?)\2""", re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True, slots=True)
class Entry:
    """One article as feeds show it; every text is safe to put in XML.

    Everything here follows from the article (and the config), so only the article takes part in
    comparisons and page fingerprints: it stands for itself by its digest, which is fast.
    """

    article: Article
    title: str = field(compare=False)
    link: str = field(compare=False)  # the absolute permalink: also the RSS guid and the Atom id
    published: datetime = field(compare=False)  # in the site's timezone
    updated: datetime = field(compare=False)
    summary: str = field(compare=False)  # plain text
    summary_html: str = field(compare=False)  # the same as HTML: RSS readers read it as HTML
    content: str | None = field(compare=False)  # full HTML, absolute links, by feed_full_content
    author: str | None = field(compare=False)
    categories: tuple[Term, ...] = field(compare=False)  # the category first, then the tags


@dataclass(frozen=True, slots=True)
class Feed:
    """One list's feed, in both formats: what ``rss.xml`` and ``atom.xml`` get as ``feed``."""

    kind: str  # "site", "tag" or "category"
    term: Term | None  # the tag or category; None for the site
    link: str  # absolute URL of the list's first page
    rss_url: str
    atom_url: str
    updated: datetime  # the newest entry's update, so an unchanged site gives the same bytes
    entries: tuple[Entry, ...]


def xml_text(text: str) -> str:
    """Text without the characters XML 1.0 cannot carry.

    >>> xml_text("Tin\\x0bmới\\x00")
    'Tinmới'
    """
    return _NOT_XML.sub("", text)


def absolute_links(html: str, base: str) -> str:
    """HTML whose href, src and srcset URLs are absolute, resolved against ``base``.

    Feed readers show entries away from the site, where ``/tin/x/anh.jpg`` leads nowhere.

    >>> absolute_links('<a href="/tin/b/">b</a><img src="anh.jpg" srcset="a.jpg 1x, b.jpg 2x">',
    ...                "https://a.vn/tin/a/")
    '<a href="https://a.vn/tin/b/">b</a><img src="https://a.vn/tin/a/anh.jpg" \
srcset="https://a.vn/tin/a/a.jpg 1x, https://a.vn/tin/a/b.jpg 2x">'
    >>> absolute_links('<code>&lt;a href="x.exe"&gt;</code> <a title="1 > 0" href="b/">', "https://a.vn/")
    '<code>&lt;a href="x.exe"&gt;</code> <a title="1 > 0" href="https://a.vn/b/">'
    """
    def one(match: re.Match[str]) -> str:
        return f"{match[1]}{match[2]}{_joined(base, match[3].strip())}{match[2]}"

    def candidates(match: re.Match[str]) -> str:
        parts = []
        for candidate in match[3].split(","):
            url, _, size = candidate.strip().partition(" ")
            parts.append(f"{_joined(base, url)} {size.strip()}".rstrip())
        return f"{match[1]}{match[2]}{', '.join(parts)}{match[2]}"

    def tag(match: re.Match[str]) -> str:
        return _SRCSET.sub(candidates, _LINK_ATTRIBUTE.sub(one, match[0]))

    # In start tags only: a code sample's `<a href="x">` is text, escaped (&lt;a href="x"&gt;).
    return _START_TAG.sub(tag, html)


def _joined(base: str, url: str) -> str:
    """``url`` resolved against ``base``; one Python cannot read stays as written, as on the
    page (raw HTML that a site trusts may hold one: ``<a href="http://x.vn[1]">``).

    >>> _joined("https://a.vn/tin/a/", "anh.jpg"), _joined("https://a.vn/", "http://x.vn[1]")
    ('https://a.vn/tin/a/anh.jpg', 'http://x.vn[1]')
    """
    try:
        return urljoin(base, url)
    except ValueError:
        return url


def entry(article: Article, config: Config, shown: dict[int, Term] | None = None) -> Entry:
    """An article's feed entry, dates in the site's timezone. ``shown`` remembers each term
    as entries show it, by the identity of the article's term (many articles share one)."""
    terms = ((article.category,) if article.category else ()) + article.tags
    shown = {} if shown is None else shown
    for term in terms:
        if id(term) not in shown:
            shown[id(term)] = replace(term, name=xml_text(term.name))
    return Entry(
        article=article,
        title=xml_text(article.title),
        link=article.permalink,
        published=article.date,  # in the site's zone, with a fixed offset (meta.in_site_time):
        updated=article.modified,  # max() below compares them by the instant
        summary=xml_text(article.summary),
        summary_html=escape(xml_text(article.summary), quote=False),
        content=xml_text(absolute_links(article.body, article.permalink))
        if config.feed_full_content else None,
        author=xml_text(article.author) if article.author else None,
        categories=tuple([shown[id(t)] for t in terms]),
    )


def plan(articles: Sequence[Article], tags: Mapping[str, Term], by_tag: Mapping[str, list[Article]],
         categories: Mapping[str, Term], by_category: Mapping[str, list[Article]], config: Config,
         routes: Routes) -> list[Planned]:
    """The RSS and Atom files of the site, of every tag and of every category.

    Each holds the newest ``feed_items`` published articles of its list; drafts and scheduled
    articles (shown only in preview builds) never reach a feed.
    """
    made: dict[int, Entry] = {}  # one Entry per article, shared by every feed that holds it
    shown: dict[int, Term] = {}  # the terms as entries show them (see entry)

    def entries(items: Iterable[Article]) -> tuple[Entry, ...]:
        chosen: list[Entry] = []
        for article in items:
            if article.draft or article.scheduled:
                continue
            if id(article) not in made:
                made[id(article)] = entry(article, config, shown)
            chosen.append(made[id(article)])
            if len(chosen) == config.feed_items:
                break
        return tuple(chosen)

    lists: list[tuple[str, Term | None, str, Sequence[Article]]] = [
        ("site", None, routes.home(), articles)]
    lists += [("tag", tag, routes.tag(slug), by_tag[slug]) for slug, tag in tags.items()]
    lists += [("category", category, routes.category(slug), by_category[slug])
              for slug, category in categories.items()]
    planned: list[Planned] = []
    for kind, term, first, items in lists:
        chosen = entries(items)
        if term is not None and id(term) not in shown:  # its name, as XML can carry it
            shown[id(term)] = replace(term, name=xml_text(term.name))
        feed = Feed(
            kind=kind, term=shown[id(term)] if term is not None else None,
            link=routes.permalink(first),
            rss_url=routes.permalink(routes.feed(first)),
            atom_url=routes.permalink(routes.atom(first)),
            updated=max((e.updated for e in chosen), default=EMPTY_FEED_DATE), entries=chosen,
        )
        owner = "the site's feed" if term is None else f"the feed of {kind} {term.name!r}"
        planned.append(Planned(routes.feed(first), "rss.xml", owner, "rss", {"feed": feed}))
        planned.append(Planned(routes.atom(first), "atom.xml", owner, "atom", {"feed": feed}))
    return planned
