"""RSS and Atom feeds read back with feedparser: valid, absolute, dated, newest N, escaped."""

from __future__ import annotations

import feedparser
import lxml.etree
import lxml.html

from .conftest import article, photo

BASE = "https://example.gov.vn/"
CONFIG = f'title = "Bản tin thử"\nbase_url = "{BASE}"\npage_size = 3\nfeed_items = 3\n'


def parse(site, path: str) -> feedparser.FeedParserDict:  # type: ignore[no-untyped-def]
    """A built feed through feedparser, asserting it is well-formed (bozo == 0)."""
    parsed = feedparser.parse((site.output / path).read_bytes())
    assert parsed.bozo == 0, (path, parsed.get("bozo_exception"))
    return parsed


def five_articles() -> dict[str, str]:
    """a0 … a4, one day apart; even ones tagged "Công an", all in category "An ninh"."""
    return {
        f"content/a{i}.md": article(
            f"Bài {i}", date=f"2026-10-0{i + 1}T08:00:00+07:00", category='"An ninh"',
            tags='["Công an"]' if i % 2 == 0 else '["Giao thông"]', author=f'"Phóng viên {i}"',
            summary=f'"Tóm tắt bài {i}"')
        for i in range(5)
    }


def test_site_feeds_hold_the_newest_n_with_absolute_links_and_offset_dates(make_site) -> None:
    site = make_site(five_articles(), config=CONFIG)
    site.build()
    rss, atom = parse(site, "feed.xml"), parse(site, "atom.xml")
    assert rss.version == "rss20" and atom.version == "atom10"
    newest = [f"{BASE}tin/bai-{i}/" for i in (4, 3, 2)]
    for feed in (rss, atom):
        assert [e.link for e in feed.entries] == newest
        assert [e.id for e in feed.entries] == newest  # guid / id: the permalink, stable
        assert [e.title for e in feed.entries] == ["Bài 4", "Bài 3", "Bài 2"]
        assert [e.summary for e in feed.entries] == ["Tóm tắt bài 4", "Tóm tắt bài 3",
                                                     "Tóm tắt bài 2"]
        assert feed.entries[0].author == "Phóng viên 4"
        assert {t.term for t in feed.entries[0].tags} == {"An ninh", "Công an"}
        assert all(e.published_parsed for e in feed.entries)
        assert "content" not in feed.entries[0]  # full content is off by default
        assert feed.feed.link == BASE
    assert rss.entries[0].published == "Mon, 05 Oct 2026 08:00:00 +0700"
    guids = lxml.etree.fromstring((site.output / "feed.xml").read_bytes()).xpath("//item/guid")
    assert [(g.text, g.get("isPermaLink")) for g in guids] == [(link, "true") for link in newest]
    assert atom.entries[0].published == "2026-10-05T08:00:00+07:00"
    assert atom.feed.updated == "2026-10-05T08:00:00+07:00"
    assert atom.feed.id == f"{BASE}atom.xml"
    assert {link.href for link in atom.feed.links if link.rel == "self"} == {f"{BASE}atom.xml"}


def test_tag_and_category_feeds_hold_exactly_their_own_newest_articles(make_site) -> None:
    site = make_site(five_articles(), config=CONFIG)
    site.build()
    for kind in ("feed.xml", "atom.xml"):
        tagged = parse(site, f"the/cong-an/{kind}")
        assert [e.link for e in tagged.entries] == [f"{BASE}tin/bai-{i}/" for i in (4, 2, 0)]
        assert tagged.feed.link == f"{BASE}the/cong-an/"
        other = parse(site, f"the/giao-thong/{kind}")
        assert [e.link for e in other.entries] == [f"{BASE}tin/bai-{i}/" for i in (3, 1)]
        category = parse(site, f"chuyen-muc/an-ninh/{kind}")
        assert [e.link for e in category.entries] == [f"{BASE}tin/bai-{i}/" for i in (4, 3, 2)]
    assert parse(site, "the/cong-an/atom.xml").feed.title == "Bản tin thử – Thẻ: Công an"
    assert parse(site, "chuyen-muc/an-ninh/feed.xml").feed.title == "Bản tin thử – An ninh"


def test_feed_entries_show_their_terms_whole(make_site, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """An entry's categories are the article's terms, with every name README lists for a term."""
    import shutil

    from .conftest import PROJECT, patch

    theme = tmp_path / "theme"
    shutil.copytree(PROJECT / "templates", theme)
    patch(theme, "rss.xml", "{{ term.name }}</category>",
          "{{ term.name }}|{{ term.count }}|{{ term.feed_url }}|{{ term.atom_url }}</category>")
    site = make_site(five_articles(), config=CONFIG)
    site.build("--templates", str(theme))
    shown = {term.term for term in parse(site, "feed.xml").entries[0].tags}  # a4
    category, tag = f"{BASE}chuyen-muc/an-ninh/", f"{BASE}the/cong-an/"
    assert shown == {f"An ninh|5|{category}feed.xml|{category}atom.xml",
                     f"Công an|3|{tag}feed.xml|{tag}atom.xml"}


def test_updated_articles_carry_their_update_in_atom(make_site) -> None:
    site = make_site({"content/a.md": article("Bài A", date="2026-10-01T08:00:00+07:00",
                                              updated="2026-10-03T09:30:00+07:00")}, config=CONFIG)
    site.build()
    atom = parse(site, "atom.xml")
    assert atom.entries[0].published == "2026-10-01T08:00:00+07:00"
    assert atom.entries[0].updated == "2026-10-03T09:30:00+07:00"
    assert atom.feed.updated == "2026-10-03T09:30:00+07:00"


def test_full_content_by_config_with_absolute_links(make_site) -> None:
    files = {
        "content/anh/index.md": article(
            "Bài có ảnh", body="Đoạn đầu [bài khác](../b.md).\n\n![Ảnh hiện trường](anh.png)\n"),
        "content/anh/anh.png": photo(300, 200, "PNG"),
        "content/b.md": article("Bài B", date="2026-09-01T08:00:00+07:00"),
    }
    config = CONFIG.replace(BASE, BASE + "ban-tin/") + "feed_full_content = true\n"
    site = make_site(files, config=config)
    site.build()
    for kind in ("feed.xml", "atom.xml"):
        entry = parse(site, kind).entries[0]
        html = lxml.html.fragment_fromstring(entry.content[0].value, create_parent="div")
        assert html.xpath("//img/@src") == [f"{BASE}ban-tin/tin/bai-co-anh/anh.300w.png"]
        assert html.xpath("//a/@href") == [f"{BASE}ban-tin/tin/bai-b/"]
        assert entry.summary.startswith("Đoạn đầu")


def test_any_title_gives_a_well_formed_feed(make_site) -> None:
    title = r'A\x0bB <b>&amp; \"trích\" ]]> </script> “Hà Nội” & Co'
    site = make_site({"content/a.md": article(title, tags='["x<y & z"]', summary=f'"{title}"')},
                     config=CONFIG)
    site.build()
    wanted = 'AB <b>&amp; "trích" ]]> </script> “Hà Nội” & Co'  # the vertical tab cannot be in XML
    for kind in ("feed.xml", "atom.xml"):
        feed = parse(site, kind)
        assert feed.entries[0].title == wanted
        assert {t.term for t in feed.entries[0].tags} == {"x<y & z"}
        summary = feed.entries[0].summary_detail
        shown = (lxml.html.fragment_fromstring(summary.value, create_parent="div").text_content()
                 if summary.type == "text/html" else summary.value)  # what a reader displays
        assert shown == wanted
        tree = lxml.etree.fromstring((site.output / kind).read_bytes())
        titles = [e.text for e in tree.iter() if lxml.etree.QName(e).localname == "title"]
        assert wanted in titles


def test_drafts_and_scheduled_articles_never_reach_a_feed(make_site) -> None:
    site = make_site({
        "content/a.md": article("Đã đăng", date="2026-10-01T08:00:00+07:00", tags='["t"]'),
        "content/b.md": article("Nháp", date="2026-10-02T08:00:00+07:00", draft="true",
                                tags='["t"]'),
        "content/c.md": article("Hẹn giờ", date="2026-12-01T08:00:00+07:00", tags='["t"]'),
    }, config=CONFIG)
    site.build("--drafts", "--future")  # a preview build shows them, feeds still do not
    assert (site.output / "tin/nhap/index.html").is_file()
    for path in ("feed.xml", "atom.xml", "the/t/feed.xml", "the/t/atom.xml"):
        assert [e.title for e in parse(site, path).entries] == ["Đã đăng"]


def test_every_page_announces_the_site_feeds_and_lists_their_own(make_site) -> None:
    site = make_site(five_articles(), config=CONFIG)
    site.build()
    for html in sorted(site.output.rglob("*.html")):
        page = lxml.html.fromstring(html.read_bytes())
        feeds = {(link.get("type"), link.get("href"))
                 for link in page.xpath('//head/link[@rel="alternate"]')}
        assert ("application/rss+xml", f"{BASE}feed.xml") in feeds, html
        assert ("application/atom+xml", f"{BASE}atom.xml") in feeds, html
        for _, href in feeds:
            assert (site.output / href.removeprefix(BASE)).is_file(), href
    tag = site.page("/the/cong-an/")
    assert {link.get("href") for link in tag.xpath('//head/link[@rel="alternate"]')} == {
        f"{BASE}feed.xml", f"{BASE}atom.xml", f"{BASE}the/cong-an/feed.xml",
        f"{BASE}the/cong-an/atom.xml"}
    category = site.page("/chuyen-muc/an-ninh/page/2/")
    assert f"{BASE}chuyen-muc/an-ninh/atom.xml" in category.xpath(
        '//head/link[@type="application/atom+xml"]/@href')


def test_feed_urls_follow_the_permalink_config(make_site) -> None:
    site = make_site(five_articles(), config=CONFIG + '[permalinks]\nfeed = "rss/"\n')
    result = site.run()
    assert result.code == 1 and "the feed permalink must name a file" in result.err
    site = make_site(five_articles(), config=CONFIG + '[permalinks]\nfeed = "rss.xml"\n'
                                                       'atom = "feed.atom"\n')
    site.build()
    assert parse(site, "the/cong-an/rss.xml").entries
    assert parse(site, "feed.atom").version == "atom10"
    assert not (site.output / "feed.xml").exists()


def test_an_incremental_build_updates_the_feeds_of_an_edited_article(make_site) -> None:
    site = make_site(five_articles(), config=CONFIG + "feed_full_content = true\n")
    site.build()
    site.write({"content/a4.md": article(
        "Bài 4 đã sửa", date="2026-10-05T08:00:00+07:00", updated="2026-10-06T09:00:00+07:00",
        category='"An ninh"', tags='["Công an"]', author='"Phóng viên 4"', body="Nội dung mới.")})
    site.build()
    for path in ("feed.xml", "atom.xml", "the/cong-an/atom.xml", "chuyen-muc/an-ninh/feed.xml"):
        first = parse(site, path).entries[0]
        assert first.title == "Bài 4 đã sửa" and "Nội dung mới." in first.content[0].value
    assert parse(site, "atom.xml").entries[0].updated == "2026-10-06T09:00:00+07:00"


def test_a_trusted_raw_link_python_cannot_read_does_not_stop_the_feeds(make_site) -> None:
    body = 'Đoạn đầu <a href="http://x.vn[1]">nguồn</a> và <a href="/tin/b/">b</a>.\n'
    config = CONFIG + "feed_full_content = true\ntrust_html = true\n"
    site = make_site({"content/a.md": article("Bài A", body=body)}, config=config)
    site.build()
    for kind in ("feed.xml", "atom.xml"):
        entry = parse(site, kind).entries[0]
        html = lxml.html.fragment_fromstring(entry.content[0].value, create_parent="div")
        assert html.xpath("//a/@href")[1:] == [f"{BASE}tin/b/"]  # the others made absolute
