"""The issue's must-show: a generated newsroom of a few hundred articles, built with --now fixed,
read back with feedparser, lxml and json.loads."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import feedparser
import lxml.etree
import lxml.html
import pytest

from benchmarks.corpus import CATEGORIES, Generated, generate
from bulletin.cli import main
from bulletin.slug import slugify

from .conftest import PROJECT
from .test_sitemap import NS, SCHEMA

BASE = "https://example.gov.vn/ban-tin/"
HANOI = timezone(timedelta(hours=7))
START = datetime(2020, 1, 1, 7, 0, tzinfo=HANOI)  # the generator's first date
NOW = START + timedelta(hours=7 * 290)  # about ten generated articles are still scheduled
FEED_ITEMS = 15


@dataclass(frozen=True)
class Newsroom:
    output: Path
    published: list[Generated]  # newest first
    unpublished: set[str]  # slugs of drafts and scheduled articles


@pytest.fixture(scope="module")
def newsroom(tmp_path_factory: pytest.TempPathFactory) -> Newsroom:
    root = tmp_path_factory.mktemp("newsroom")
    content = root / "content"
    made = generate(content, 300, noisy=True, words=60, seed=11, start=START)
    extra = {"nhap-1": (NOW - timedelta(hours=3), "draft: true"),
             "nhap-2": (NOW - timedelta(days=1), "draft: true"),
             "hen-gio": (NOW + timedelta(minutes=1), "")}
    tag = made[0].tags[0] if made[0].tags else "chủ đề"
    for slug, (date, line) in extra.items():
        (content / f"{slug}.md").write_text(
            f'---\ntitle: "Chưa đăng {slug}"\ndate: {date.isoformat()}\ntags: ["{tag}"]\n'
            f'category: "An ninh trật tự"\nslug: {slug}\n{line}\n---\n\nChưa đăng.\n',
            encoding="utf-8")
    (root / "site.toml").write_text(
        f'title = "Bản tin thử"\nbase_url = "{BASE}"\npage_size = 10\nfeed_items = {FEED_ITEMS}\n'
        "sitemap_max_urls = 200\n", encoding="utf-8")
    output = root / "output"
    code = main(["build", "--content", str(content), "--output", str(output),
                 "--config", str(root / "site.toml"), "--templates", str(PROJECT / "templates"),
                 "--static", str(PROJECT / "static"), "--now", NOW.isoformat(), "--quiet"])
    assert code == 0
    published = sorted((g for g in made if g.date <= NOW),
                       key=lambda g: (-g.date.timestamp(), g.slug))
    unpublished = {g.slug for g in made if g.date > NOW} | set(extra)
    assert 250 < len(published) < 300 and len(unpublished) > 5
    return Newsroom(output, published, unpublished)


def url(slug: str) -> str:
    return f"{BASE}tin/{slug}/"


def test_every_feed_parses_with_absolute_links_and_dated_entries(newsroom: Newsroom) -> None:
    feeds = sorted(newsroom.output.rglob("feed.xml")) + sorted(newsroom.output.rglob("atom.xml"))
    lists = [p.parent for p in newsroom.output.rglob("index.html")
             if p.parent.parent.name in ("the", "chuyen-muc")] + [newsroom.output]
    assert len(feeds) == 2 * len(lists) > 80  # the site, every tag, every category
    published = {url(g.slug) for g in newsroom.published}
    for path in feeds:
        parsed = feedparser.parse(path.read_bytes())
        assert parsed.bozo == 0, (path, parsed.get("bozo_exception"))
        assert parsed.version == ("rss20" if path.name == "feed.xml" else "atom10")
        assert parsed.feed.link.startswith(BASE)
        assert 0 < len(parsed.entries) <= FEED_ITEMS
        for entry in parsed.entries:
            assert entry.link in published, (path, entry.link)
            assert entry.id == entry.link
            assert entry.published_parsed is not None
            assert entry.published.endswith("+0700" if path.name == "feed.xml" else "+07:00")


def test_site_tag_and_category_feeds_hold_exactly_their_newest_articles(newsroom: Newsroom) -> None:
    def links(path: str) -> list[str]:
        return [e.link for e in feedparser.parse((newsroom.output / path).read_bytes()).entries]

    newest = [url(g.slug) for g in newsroom.published[:FEED_ITEMS]]
    assert links("feed.xml") == links("atom.xml") == newest
    tags = sorted({t for g in newsroom.published for t in g.tags})
    assert len(tags) > 20
    for tag in tags:
        wanted = [url(g.slug) for g in newsroom.published if tag in g.tags][:FEED_ITEMS]
        assert links(f"the/{slugify(tag)}/feed.xml") == wanted, tag
        assert links(f"the/{slugify(tag)}/atom.xml") == wanted, tag
    page = lxml.html.fromstring(
        (newsroom.output / "chuyen-muc/an-ninh-trat-tu/index.html").read_bytes())
    # the category's own feed comes after the site's
    rss = page.xpath('//head/link[@type="application/rss+xml"]/@href')[-1]
    assert rss == f"{BASE}chuyen-muc/an-ninh-trat-tu/feed.xml"
    wanted = [url(g.slug) for g in newsroom.published
              if CATEGORIES[g.topic % len(CATEGORIES)] == "An ninh trật tự"][:FEED_ITEMS]
    assert links(rss.removeprefix(BASE)) == wanted


def test_sitemap_lists_every_published_article_and_nothing_unpublished(newsroom: Newsroom) -> None:
    index = lxml.etree.fromstring((newsroom.output / "sitemap.xml").read_bytes())
    assert SCHEMA.validate(index) and index.tag == f"{{{NS['s']}}}sitemapindex"
    locs: list[str] = []
    for part in index.xpath("s:sitemap/s:loc/text()", namespaces=NS):
        tree = lxml.etree.fromstring((newsroom.output / part.removeprefix(BASE)).read_bytes())
        assert SCHEMA.validate(tree), SCHEMA.error_log
        assert len(tree) <= 200
        assert all(url.find("s:lastmod", NS) is not None for url in tree)
        locs += tree.xpath("s:url/s:loc/text()", namespaces=NS)
    assert len(locs) == len(set(locs)) and all(loc.startswith(BASE) for loc in locs)
    articles = {loc for loc in locs if loc.startswith(f"{BASE}tin/")}
    assert articles == {url(g.slug) for g in newsroom.published}
    assert not articles & {url(slug) for slug in newsroom.unpublished}
    pages = {BASE + p.relative_to(newsroom.output).as_posix().removesuffix("index.html")
             for p in newsroom.output.rglob("*.html") if p.name != "404.html"}
    assert set(locs) == pages - {f"{BASE}tim-kiem/"}  # the search page is noindex


def test_news_sitemap_holds_exactly_the_last_two_days(newsroom: Newsroom) -> None:
    tree = lxml.etree.fromstring((newsroom.output / "sitemap-news.xml").read_bytes())
    assert SCHEMA.validate(tree)
    wanted = [url(g.slug) for g in newsroom.published if g.date > NOW - timedelta(days=2)]
    assert 4 <= len(wanted) <= 10
    assert tree.xpath("s:url/s:loc/text()", namespaces=NS) == wanted
    assert set(tree.xpath("//news:language/text()", namespaces=NS)) == {"vi"}
    assert set(tree.xpath("//news:name/text()", namespaces=NS)) == {"Bản tin thử"}


def test_article_pages_carry_canonical_opengraph_and_a_news_article(newsroom: Newsroom) -> None:
    for generated in newsroom.published:
        path = newsroom.output / "tin" / generated.slug / "index.html"
        page = lxml.html.fromstring(path.read_bytes())
        permalink = url(generated.slug)
        assert page.xpath('//head/link[@rel="canonical"]/@href') == [permalink]
        og = {m.get("property"): m.get("content") for m in page.xpath("//head/meta[@property]")}
        assert og["og:url"] == permalink and og["og:type"] == "article"
        assert og["og:title"] == page.xpath("//h1")[0].text_content()
        assert og["og:image"].startswith(BASE) and og["og:description"]
        assert og["article:published_time"] == generated.date.isoformat()
        (data,) = [json.loads(s.text) for s in page.xpath('//script[@type="application/ld+json"]')]
        assert data["@type"] == "NewsArticle"
        assert data["headline"] == og["og:title"]
        assert data["datePublished"] == data["dateModified"] == generated.date.isoformat()
        assert data["author"]["name"].startswith("Phóng viên")
        assert data["publisher"]["logo"]["url"] == f"{BASE}img/logo.png"
        assert data["mainEntityOfPage"]["@id"] == permalink
        assert data["image"] == [f"{BASE}img/logo.png"]
