"""Sitemaps read back with lxml and checked against the sitemaps.org structure; robots.txt."""

from __future__ import annotations

import lxml.etree
import pytest

from .conftest import DEFAULT_CONFIG, article

BASE = "https://example.gov.vn/"
NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9",
      "news": "http://www.google.com/schemas/sitemap-news/0.9"}
CONFIG = f'title = "Bản tin thử"\nbase_url = "{BASE}"\npage_size = 2\n'

# The structure the sitemaps.org protocol (sitemap.xsd and siteindex.xsd, version 0.9) defines:
# urlset holds one or more url (loc, then optional lastmod, changefreq, priority, then elements of
# other namespaces); sitemapindex holds one or more sitemap (loc, optional lastmod). loc is a URI of
# 12 to 2048 characters; lastmod a W3C date or datetime. Extensions (news:) are checked separately.
SCHEMA = lxml.etree.XMLSchema(lxml.etree.fromstring(b"""\
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" elementFormDefault="qualified"
    targetNamespace="http://www.sitemaps.org/schemas/sitemap/0.9"
    xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <xs:simpleType name="loc"><xs:restriction base="xs:anyURI">
    <xs:minLength value="12"/><xs:maxLength value="2048"/></xs:restriction></xs:simpleType>
  <xs:simpleType name="lastmod"><xs:union memberTypes="xs:date xs:dateTime"/></xs:simpleType>
  <xs:simpleType name="changefreq"><xs:restriction base="xs:string">
    <xs:enumeration value="always"/><xs:enumeration value="hourly"/><xs:enumeration value="daily"/>
    <xs:enumeration value="weekly"/><xs:enumeration value="monthly"/>
    <xs:enumeration value="yearly"/><xs:enumeration value="never"/></xs:restriction></xs:simpleType>
  <xs:simpleType name="priority"><xs:restriction base="xs:decimal">
    <xs:minInclusive value="0.0"/><xs:maxInclusive value="1.0"/></xs:restriction></xs:simpleType>
  <xs:element name="urlset"><xs:complexType><xs:sequence>
    <xs:any namespace="##other" processContents="lax" minOccurs="0" maxOccurs="unbounded"/>
    <xs:element name="url" maxOccurs="unbounded"><xs:complexType><xs:sequence>
      <xs:element name="loc" type="loc"/>
      <xs:element name="lastmod" type="lastmod" minOccurs="0"/>
      <xs:element name="changefreq" type="changefreq" minOccurs="0"/>
      <xs:element name="priority" type="priority" minOccurs="0"/>
      <xs:any namespace="##other" processContents="lax" minOccurs="0" maxOccurs="unbounded"/>
    </xs:sequence></xs:complexType></xs:element>
  </xs:sequence></xs:complexType></xs:element>
  <xs:element name="sitemapindex"><xs:complexType><xs:sequence>
    <xs:element name="sitemap" maxOccurs="unbounded"><xs:complexType><xs:sequence>
      <xs:element name="loc" type="loc"/>
      <xs:element name="lastmod" type="lastmod" minOccurs="0"/>
    </xs:sequence></xs:complexType></xs:element>
  </xs:sequence></xs:complexType></xs:element>
</xs:schema>"""))


def read(site, path: str) -> lxml.etree._Element:  # type: ignore[no-untyped-def]
    """A built sitemap, parsed and validated against the sitemaps.org structure."""
    tree = lxml.etree.fromstring((site.output / path).read_bytes())
    assert SCHEMA.validate(tree), (path, SCHEMA.error_log)
    return tree


def locations(site, path: str = "sitemap.xml") -> dict[str, str]:  # type: ignore[no-untyped-def]
    """loc → lastmod of every url, following a sitemap index into its files."""
    tree = read(site, path)
    if tree.tag == f"{{{NS['s']}}}sitemapindex":
        found: dict[str, str] = {}
        for loc in tree.xpath("s:sitemap/s:loc/text()", namespaces=NS):
            assert loc.startswith(BASE)
            part = locations(site, loc.removeprefix(BASE))
            assert not set(part) & set(found)
            found.update(part)
        return found
    assert tree.tag == f"{{{NS['s']}}}urlset"
    return {url.findtext("s:loc", namespaces=NS): url.findtext("s:lastmod", namespaces=NS)
            for url in tree.xpath("s:url", namespaces=NS)}


def test_sitemap_lists_every_page_with_lastmod_and_nothing_unpublished(make_site) -> None:
    site = make_site({
        "content/a.md": article("Bài A", date="2026-10-01T08:00:00+07:00", tags='["Công an"]',
                                category='"An ninh"'),
        "content/b.md": article("Bài B", date="2026-10-02T08:00:00+07:00", tags='["Công an"]',
                                updated="2026-10-20T10:00:00+07:00"),
        "content/c.md": article("Bài C", date="2026-10-03T08:00:00+07:00", tags='["Công an"]'),
        "content/nhap.md": article("Nháp", draft="true", tags='["Công an"]'),
        "content/hen.md": article("Hẹn giờ", date="2027-01-01T08:00:00+07:00"),
    }, config=CONFIG)
    site.build()
    urls = locations(site)
    pages = {BASE + p.relative_to(site.output).as_posix().removesuffix("index.html")
             for p in site.output.rglob("*.html") if p.name != "404.html"}
    assert set(urls) == pages - {f"{BASE}tim-kiem/"}  # the search page is noindex
    assert {u for u in urls if "/tin/" in u} == {f"{BASE}tin/bai-{x}/" for x in "abc"}
    assert urls[f"{BASE}tin/bai-a/"] == "2026-10-01T08:00:00+07:00"
    assert urls[f"{BASE}tin/bai-b/"] == "2026-10-20T10:00:00+07:00"  # updated counts
    # Every page of a list changes when any of its articles does.
    assert urls[f"{BASE}the/cong-an/"] == "2026-10-20T10:00:00+07:00"
    assert urls[f"{BASE}the/cong-an/page/2/"] == "2026-10-20T10:00:00+07:00"
    assert urls[f"{BASE}chuyen-muc/an-ninh/"] == "2026-10-01T08:00:00+07:00"
    assert urls[BASE] == urls[f"{BASE}the/"] == "2026-10-20T10:00:00+07:00"


def test_sitemap_leaves_out_preview_articles_even_in_a_preview_build(make_site) -> None:
    site = make_site({
        "content/a.md": article("Bài A"),
        "content/nhap.md": article("Nháp", draft="true"),
        "content/hen.md": article("Hẹn giờ", date="2027-01-01T08:00:00+07:00"),
    }, config=CONFIG)
    site.build("--drafts", "--future")
    assert (site.output / "tin/nhap/index.html").is_file()
    assert {u for u in locations(site) if "/tin/" in u} == {f"{BASE}tin/bai-a/"}


def test_past_the_limit_a_sitemap_index_splits_the_urls(make_site) -> None:
    files = {f"content/a{i}.md": article(f"Bài {i}", date=f"2026-10-{i + 1:02d}T08:00:00+07:00")
             for i in range(9)}
    site = make_site(files, config=CONFIG + "sitemap_max_urls = 4\n")
    site.build()
    index = read(site, "sitemap.xml")
    assert index.tag == f"{{{NS['s']}}}sitemapindex"
    parts = index.xpath("s:sitemap/s:loc/text()", namespaces=NS)
    # 9 articles, 5 home pages, the tags overview: 15 URLs in files of 4
    assert parts == [f"{BASE}sitemap-{n}.xml" for n in (1, 2, 3, 4)]
    sizes = [len(read(site, f"sitemap-{n}.xml")) for n in (1, 2, 3, 4)]
    assert sizes == [4, 4, 4, 3]
    urls = locations(site)
    assert len(urls) == 15 and {f"{BASE}tin/bai-{i}/" for i in range(9)} <= set(urls)
    lastmods = index.xpath("s:sitemap/s:lastmod/text()", namespaces=NS)
    for n, lastmod in enumerate(lastmods, 1):
        assert lastmod == max(locations(site, f"sitemap-{n}.xml").values())


def test_sitemap_limit_cannot_pass_the_protocols(make_site) -> None:
    site = make_site({"content/a.md": article("Bài A")},
                     config=CONFIG + "sitemap_max_urls = 50001\n")
    result = site.run()
    assert result.code == 1 and "sitemap_max_urls may be at most 50,000" in result.err


@pytest.mark.parametrize("language, code", [("vi", "vi"), ("vi-VN", "vi"), ("zh-TW", "zh-tw")])
def test_news_sitemap_holds_exactly_the_last_two_days(make_site, language: str, code: str) -> None:
    now = "2026-11-26T12:00:00+07:00"
    dates = {"cu": "2026-11-24T11:59:00+07:00",  # 2 days and a minute ago: out
             "vua": "2026-11-24T12:01:00+07:00", "moi": "2026-11-26T12:00:00+07:00",
             "utc": "2026-11-25T01:00:00+00:00",  # written in UTC: 08:00 in Hanoi
             "sau": "2026-11-26T12:01:00+07:00"}  # scheduled: out
    files = {f"content/{slug}.md": article(f"Bài {slug} <&>", date=date, slug=slug)
             for slug, date in dates.items()}
    files["content/nhap.md"] = article("Nháp", date="2026-11-26T08:00:00+07:00", draft="true")
    site = make_site(files, config=CONFIG + f'language = "{language}"\n')
    assert site.run("--drafts", now=now).code == 0  # a preview build: the draft still stays out
    tree = read(site, "sitemap-news.xml")
    urls = tree.xpath("s:url", namespaces=NS)
    assert [u.findtext("s:loc", namespaces=NS) for u in urls] == [
        f"{BASE}tin/{slug}/" for slug in ("moi", "utc", "vua")]
    first = urls[0].find("news:news", NS)
    assert first.findtext("news:publication/news:name", namespaces=NS) == "Bản tin thử"
    assert first.findtext("news:publication/news:language", namespaces=NS) == code
    assert first.findtext("news:publication_date", namespaces=NS) == "2026-11-26T12:00:00+07:00"
    assert first.findtext("news:title", namespaces=NS) == "Bài moi <&>"
    assert urls[1].findtext("news:news/news:publication_date", namespaces=NS) == \
        "2026-11-25T08:00:00+07:00"


def test_news_sitemap_window_is_configurable(make_site) -> None:
    files = {f"content/a{i}.md": article(f"Bài {i}", date=f"2026-11-{20 + i}T08:00:00+07:00")
             for i in range(6)}
    site = make_site(files, config=CONFIG + "news_sitemap_days = 4\n")
    site.build()  # now: 2026-11-26T12:00+07:00
    tree = lxml.etree.fromstring((site.output / "sitemap-news.xml").read_bytes())
    assert tree.xpath("s:url/s:loc/text()", namespaces=NS) == [
        f"{BASE}tin/bai-{i}/" for i in (5, 4, 3)]  # after 22/11 12:00


def test_robots_txt_names_the_sitemaps(make_site) -> None:
    site = make_site({"content/a.md": article("Bài A")},
                     config=CONFIG.replace(BASE, BASE + "ban-tin/"))
    site.build()
    lines = (site.output / "robots.txt").read_text(encoding="utf-8").splitlines()
    assert "User-agent: *" in lines
    sitemaps = [line.removeprefix("Sitemap: ") for line in lines if line.startswith("Sitemap: ")]
    assert sitemaps == [f"{BASE}ban-tin/sitemap.xml", f"{BASE}ban-tin/sitemap-news.xml"]
    for url in sitemaps:
        assert (site.output / url.removeprefix(f"{BASE}ban-tin/")).is_file()


def test_past_a_thousand_the_news_sitemap_is_split_too(make_site, monkeypatch) -> None:
    monkeypatch.setattr("bulletin.sitemap.NEWS_MAX_URLS", 2)  # Google's 1,000, made small
    files = {f"content/a{i}.md": article(f"Bài {i}", date=f"2026-11-26T0{i}:00:00+07:00")
             for i in range(5)}
    site = make_site(files, config=CONFIG)
    site.build()
    index = read(site, "sitemap-news.xml")
    assert index.xpath("s:sitemap/s:loc/text()", namespaces=NS) == [
        f"{BASE}sitemap-news-{n}.xml" for n in (1, 2, 3)]
    assert index.xpath("s:sitemap/s:lastmod/text()", namespaces=NS) == [
        "2026-11-26T04:00:00+07:00", "2026-11-26T02:00:00+07:00", "2026-11-26T00:00:00+07:00"]
    found = [url.findtext("s:loc", namespaces=NS)
             for n in (1, 2, 3) for url in read(site, f"sitemap-news-{n}.xml")]
    assert found == [f"{BASE}tin/bai-{i}/" for i in (4, 3, 2, 1, 0)]


def test_a_later_clock_moves_the_news_window_even_with_nothing_else_changed(make_site) -> None:
    site = make_site({"content/a.md": article("Bài A", date="2026-11-26T08:00:00+07:00"),
                      "content/b.md": article("Bài B", date="2026-11-20T08:00:00+07:00")},
                     config=CONFIG)

    def news() -> list[str]:
        tree = lxml.etree.fromstring((site.output / "sitemap-news.xml").read_bytes())
        return tree.xpath("s:url/s:loc/text()", namespaces=NS)

    assert site.run(now="2026-11-26T12:00:00+07:00").code == 0
    assert news() == [f"{BASE}tin/bai-a/"]
    assert site.run(now="2026-11-27T12:00:00+07:00").code == 0  # the same articles published
    assert news() == [f"{BASE}tin/bai-a/"]
    assert site.run(now="2026-11-28T12:00:00+07:00").code == 0  # bai-a is now 2 days old
    assert news() == []


def test_a_news_window_reaching_before_the_first_day_builds(make_site) -> None:
    # --now in the year 50 and a window of 100 years: the window's start overflowed, exit 3.
    site = make_site({"content/a.md": article("Bài A", date="0049-06-01")},
                     config="news_sitemap_days = 36500\n" + DEFAULT_CONFIG)
    result = site.run(now="0050-01-01")
    assert result.code == 0, result.err
    assert "/tin/bai-a/" in (site.output / "sitemap-news.xml").read_text(encoding="utf-8")
