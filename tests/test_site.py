"""Whole builds read back with an HTML parser: pages, links, pagination, tags, related lists."""

from __future__ import annotations

import shutil
import unicodedata
from pathlib import Path
from urllib.parse import quote

import lxml.html

from .conftest import PROJECT, article, internal_links, photo, resolve


def chain(site, first: str) -> list[str]:  # type: ignore[no-untyped-def]
    """Follow rel=next from a list's first page; the article links of every page, in order."""
    seen, hrefs, route = set(), [], first
    while route:
        assert route not in seen
        seen.add(route)
        page = site.page(route)
        hrefs += [a.get("href") for a in page.cssselect(".card-title a")]
        nxt = page.cssselect('a[rel="next"]')
        route = nxt[0].get("href") if nxt else None
    return hrefs


def test_sample_site_builds_every_page_kind_and_every_link_resolves(make_site, tmp_path: Path) -> None:
    site = make_site({})
    shutil.copytree(PROJECT / "content", site.content)
    shutil.copy(PROJECT / "site.toml", site.root / "site.toml")
    site.build()
    out = site.output
    assert (out / "index.html").is_file()
    assert (out / "404.html").is_file()
    assert (out / "the" / "index.html").is_file()
    assert (out / "the" / "ma-tuy" / "index.html").is_file()
    assert (out / "chuyen-muc" / "an-ninh-trat-tu" / "index.html").is_file()
    assert len(list((out / "tin").glob("*/index.html"))) == 13  # 14 files, one draft
    broken = [(page, href) for page, href in internal_links(out) if resolve(out, href) is None]
    assert broken == []


def test_article_page_carries_what_the_sample_shows(make_site) -> None:
    site = make_site({
        "content/hoi-nghi/index.md": article(
            "Bộ Công an sơ kết công tác quý III", date="2023-09-29T08:00:00+07:00",
            category='"Tin tức, sự kiện"', tags='["Công an", "sơ kết"]', author='"Phương Huyền – Công an tỉnh"',
            image="anh.jpg", image_alt='"Toàn cảnh hội nghị"', image_caption='"Toàn cảnh hội nghị tại điểm cầu"',
            body="Ngày 28/9/2023, Bộ Công an tổ chức hội nghị.\n\nĐoạn thứ hai."),
        "content/hoi-nghi/anh.jpg": photo(),
    })
    site.build()
    page = site.page("/tin/bo-cong-an-so-ket-cong-tac-quy-iii/")
    assert page.cssselect(".article-category")[0].text_content().strip() == "Tin tức, sự kiện"
    time = page.cssselect(".article-meta time")[0]
    assert time.get("datetime") == "2023-09-29T08:00:00+07:00"
    assert time.text == "29/09/2023"
    assert "Đăng ngày" in page.cssselect(".article-meta")[0].text_content()
    assert page.cssselect("h1")[0].text_content() == "Bộ Công an sơ kết công tác quý III"
    assert page.cssselect(".article-photo figcaption")[0].text == "Toàn cảnh hội nghị tại điểm cầu"
    assert page.cssselect(".article-photo img")[0].get("alt") == "Toàn cảnh hội nghị"
    assert page.cssselect(".article-author")[0].text == "Phương Huyền – Công an tỉnh"
    assert [a.get("rel") for a in page.cssselect(".article-tags a")] == ["tag", "tag"]
    assert page.getroottree().getroot().get("lang") == "vi"
    assert (site.output / "tin/bo-cong-an-so-ket-cong-tac-quy-iii/anh.jpg").is_file()
    canonical = page.cssselect('link[rel="canonical"]')[0].get("href")
    assert canonical == "https://example.gov.vn/tin/bo-cong-an-so-ket-cong-tac-quy-iii/"


def test_pagination_reaches_every_article_newest_first(make_site) -> None:
    files = {f"content/a{i:02d}.md": article(f"Bài số {i:02d}", date=f"2026-10-{i + 1:02d}T08:00:00")
             for i in range(8)}
    site = make_site(files)  # page_size = 3
    site.build()
    hrefs = chain(site, "/")
    assert hrefs == [f"/tin/bai-so-{i:02d}/" for i in reversed(range(8))]
    second = site.page("/page/2/")
    assert second.cssselect('a[rel="prev"]')[0].get("href") == "/"
    assert second.cssselect('a[rel="next"]')[0].get("href") == "/page/3/"


def test_tag_and_category_pages_list_exactly_their_articles(make_site) -> None:
    nfd = unicodedata.normalize("NFD", "ma tuý")
    site = make_site({
        "content/a.md": article("Bài A", tags='["ma tuý", "Hưng Yên"]', category="An ninh"),
        "content/b.md": article("Bài B", date="2026-10-02", tags=f'["{nfd}"]', category="An ninh"),
        "content/c.md": article("Bài C", date="2026-10-03", tags='["Hưng Yên"]'),
        "content/d.md": article("Bài D", date="2026-10-04", tags='["ma tuý"]', draft="true"),
        "content/e.md": article("Bài E", date="2026-10-05"),
    })
    site.build()
    assert chain(site, "/the/ma-tuy/") == ["/tin/bai-b/", "/tin/bai-a/"]
    assert chain(site, "/the/hung-yen/") == ["/tin/bai-c/", "/tin/bai-a/"]
    assert chain(site, "/chuyen-muc/an-ninh/") == ["/tin/bai-b/", "/tin/bai-a/"]
    overview = site.page("/the/")
    names = [li.text_content().split("(")[0].strip() for li in overview.cssselect(".tag-cloud li")]
    counts = [li.cssselect(".count")[0].text for li in overview.cssselect(".tag-cloud li")]
    assert names == ["Hưng Yên", "ma tuý"]
    assert counts == ["(2)", "(2)"]
    assert not (site.output / "tin/bai-d").exists()
    site.build("--drafts")
    assert chain(site, "/the/ma-tuy/") == ["/tin/bai-d/", "/tin/bai-b/", "/tin/bai-a/"]


def test_tags_overview_uses_vietnamese_order(make_site) -> None:
    tags = ["đường", "dương", "Ân Thi", "an ninh", "ăn", "bão", "bạo"]
    files = {f"content/t{i}.md": article(f"Bài {i}", tags=f'["{tag}"]') for i, tag in enumerate(tags)}
    site = make_site(files)
    site.build()
    overview = site.page("/the/")
    names = [a.text for a in overview.cssselect(".tag-cloud a")]
    assert names == ["an ninh", "ăn", "Ân Thi", "bão", "bạo", "dương", "đường"]


def test_related_list_is_relevant_and_never_self_or_unpublished(make_site) -> None:
    drug = "Lực lượng công an triệt phá đường dây mua bán ma tuý, thu giữ heroin và ma tuý tổng hợp."
    fire = "Cảnh sát phòng cháy chữa cháy dập tắt đám cháy nhà xưởng, cứu nạn cứu hộ kịp thời."
    files = {}
    for i in range(4):
        files[f"content/ma-tuy-{i}.md"] = article(f"Triệt phá đường dây ma tuý số {i}", date=f"2026-10-0{i + 1}",
                                                  tags='["ma tuý"]', body=drug)
        files[f"content/chay-{i}.md"] = article(f"Cháy nhà xưởng số {i}", date=f"2026-10-0{i + 1}",
                                                tags='["cháy"]', body=fire)
    files["content/untagged.md"] = article("Bắt đối tượng tàng trữ ma tuý", date="2026-10-06",
                                           body="Công an bắt đối tượng tàng trữ heroin, ma tuý tổng hợp.")
    files["content/draft.md"] = article("Ma tuý bản nháp", tags='["ma tuý"]', body=drug, draft="true")
    files["content/future.md"] = article("Ma tuý hẹn giờ", date="2027-01-01", tags='["ma tuý"]', body=drug)
    site = make_site(files, config='base_url = "https://example.gov.vn/"\nrelated_count = 3\n')
    site.build()
    page = site.page("/tin/triet-pha-duong-day-ma-tuy-so-0/")
    links = [a.get("href") for a in page.cssselect(".related a")]
    assert len(links) == 3
    assert "/tin/triet-pha-duong-day-ma-tuy-so-0/" not in links
    assert all("ma-tuy" in link for link in links)
    assert page.cssselect(".related h2")[0].text == "Tin liên quan"
    untagged = [a.get("href") for a in site.page("/tin/bat-doi-tuong-tang-tru-ma-tuy/").cssselect(".related a")]
    assert untagged and all("ma-tuy" in link for link in untagged)
    all_related = [a.get("href") for p in site.output.glob("tin/*/index.html")
                   for a in site.page("/" + p.parent.relative_to(site.output).as_posix() + "/").cssselect(".related a")]
    assert "/tin/ma-tuy-ban-nhap/" not in all_related and "/tin/ma-tuy-hen-gio/" not in all_related


def test_extra_front_matter_keys_reach_templates(make_site, tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    shutil.copytree(PROJECT / "templates", templates)
    (templates / "article.html").write_text(
        "{{ article.title }}|{{ article.topic }}|{{ article.extra['topic'] }}", encoding="utf-8")
    site = make_site({"content/a.md": article("Bài A", topic="3")})
    result = site.run("--templates", str(templates))
    assert result.code == 0, result.err
    assert (site.output / "tin/bai-a/index.html").read_text(encoding="utf-8") == "Bài A|3|3"


def test_links_work_under_a_sub_path(make_site) -> None:
    site = make_site({
        "content/a.md": article("Bài A", tags='["x"]', category="Tin", body="Xem [bài B](b.md#doan)."),
        "content/b.md": article("Bài B", date="2026-10-02", tags='["x"]'),
    }, config='base_url = "https://example.gov.vn/ban-tin/"\n')
    site.build()
    links = internal_links(site.output)
    assert links and all(href.startswith("/ban-tin/") for _, href in links)
    assert [h for _, h in links if resolve(site.output, h, "/ban-tin") is None] == []
    body_link = site.page("/tin/bai-a/").cssselect(".article-body a")[0].get("href")
    assert body_link == "/ban-tin/tin/bai-b/#doan"
    canonical = site.page("/tin/bai-a/").cssselect('link[rel="canonical"]')[0].get("href")
    assert canonical == "https://example.gov.vn/ban-tin/tin/bai-a/"


def test_ui_strings_and_language_come_from_config(make_site) -> None:
    site = make_site({"content/a.md": article("Bài A")}, config=(
        'base_url = "https://example.com/"\nlanguage = "en"\ndate_format = "%Y-%m-%d"\n'
        '[ui]\nposted = "Published"\nrelated = "Related"\n'))
    site.build()
    page = site.page("/tin/bai-a/")
    assert page.getroottree().getroot().get("lang") == "en"
    assert "Published" in page.cssselect(".article-meta")[0].text_content()
    assert page.cssselect(".article-meta time")[0].text == "2026-10-01"


def test_summary_defaults_to_the_first_paragraph(make_site) -> None:
    lead = "Sáng 5/10, Công an tỉnh tổ chức lễ ra quân " + "bảo đảm an toàn giao thông " * 20
    site = make_site({"content/a.md": article("Bài A", body=lead + "\n\nĐoạn hai.")})
    site.build()
    summary = site.page("/").cssselect(".card-summary")[0].text
    assert summary.startswith("Sáng 5/10, Công an tỉnh") and summary.endswith("…")
    assert len(summary) <= 221


def test_scheduled_articles_wait_for_their_date(make_site) -> None:
    site = make_site({"content/a.md": article("Bài A", date="2026-12-01T08:00:00+07:00"),
                      "content/b.md": article("Bài B")})
    result = site.build()
    assert not (site.output / "tin/bai-a").exists()
    assert "scheduled: content/a.md" in result.out and "2026-12-01T08:00:00+07:00" in result.out
    site.build("--future")
    assert (site.output / "tin/bai-a/index.html").is_file()
    site.run("--now", "2026-12-02T00:00")
    assert (site.output / "tin/bai-a/index.html").is_file()


def test_two_builds_give_the_same_bytes(make_site, tmp_path: Path) -> None:
    from .conftest import tree_digest

    site = make_site({})
    shutil.copytree(PROJECT / "content", site.content)
    site.build()
    first = tree_digest(site.output)
    site.build("--output", str(tmp_path / "second"))
    assert tree_digest(tmp_path / "second") == first


def test_a_theme_folder_needs_only_the_templates_it_changes(make_site, tmp_path: Path) -> None:
    theme = tmp_path / "theme"
    theme.mkdir()
    (theme / "404.html").write_text("{% extends 'base.html' %}{% block content %}Lạc đường{% endblock %}",
                                    encoding="utf-8")
    site = make_site({"content/a.md": article("Bài A")})
    result = site.run("--templates", str(theme))
    assert result.code == 0, result.err
    assert "Lạc đường" in (site.output / "404.html").read_text(encoding="utf-8")
    assert site.page("/tin/bai-a/").cssselect("h1")[0].text == "Bài A"


def test_a_theme_calls_cached_as_a_filter_or_as_a_function_with_the_same_html(
        make_site, tmp_path: Path) -> None:
    theme = tmp_path / "theme"
    theme.mkdir()
    (theme / "index.html").write_text(
        '{% from "partials/macros.html" import card %}'
        "{% for a in articles %}{{ cached(card, a, t) }}<!--|-->{{ card | cached(a, t) }}<!--|-->"
        "{{ card(a, t) }}<!--end-->{% endfor %}", encoding="utf-8")
    site = make_site({"content/a.md": article("Bài A", tags='["an ninh"]'),
                      "content/b.md": article("Bài <B> & C", date="2026-10-02T08:00:00+07:00")})
    site.build("--templates", str(theme))
    entries = (site.output / "index.html").read_text(encoding="utf-8").split("<!--end-->")[:-1]
    assert len(entries) == 2
    for entry in entries:
        function, filtered, direct = entry.split("<!--|-->")
        assert function == filtered == direct
        assert lxml.html.fromstring(direct).cssselect(".card-title a")[0].text in (
            "Bài A", "Bài <B> & C")


def test_a_tag_without_latin_letters_and_the_tag_the_keep_their_own_pages(make_site) -> None:
    # A tag whose slug is empty ("中国") fell back to "the", the slug of the tag "Thẻ": both
    # linked to /the/the/, one page listing both articles under one tag's name.
    site = make_site({"content/a.md": article("Bài một", tags='["Thẻ"]'),
                      "content/b.md": article("Bài hai", tags='["中国"]')})
    site.build()
    pages = {}
    for slug in ("bai-mot", "bai-hai"):
        (href,) = [a.get("href") for a in site.page(f"/tin/{slug}/").cssselect("a[rel=tag]")]
        pages[slug] = href
    assert pages == {"bai-mot": "/the/the/", "bai-hai": "/the/the-5e6c7e5b1ca7/"}
    assert "中国" in site.page("/the/the-5e6c7e5b1ca7/").cssselect("h1")[0].text_content()
    assert "中国" not in site.page("/the/the/").cssselect("h1")[0].text_content()


def test_a_link_typed_in_nfc_leads_to_a_file_named_in_nfd(make_site) -> None:
    # A file copied from a Mac keeps its NFD name; the editor types the link in NFC. It was
    # "link to a missing article: tin-tức.md", hinted "Did you mean 'tin-tức.md'?".
    nfd = unicodedata.normalize("NFD", "tin-tức.md")
    site = make_site({f"content/{nfd}": article("Tin tức"),
                      "content/b.md": article("Bài hai", body="Xem [tin](tin-tức.md).")})
    site.build()
    assert [a.get("href") for a in site.page("/tin/bai-hai/").iter("a") if a.text == "tin"] == \
        ["/tin/tin-tuc/"]


def test_a_file_linked_from_an_article_is_copied_beside_its_page(make_site) -> None:
    # The PDF of a decree beside the article: it was left behind, and the link 404ed.
    site = make_site({
        "content/bo/index.md": article("Bó", body="Tải [văn bản](van-ban.pdf#page=2) và "
                                                  "[bảng](../tai-lieu/bang%20so%20lieu.xlsx)."),
        "content/bo/van-ban.pdf": b"%PDF-1.4\n",
        "content/tai-lieu/bang so lieu.xlsx": b"PK\x03\x04",
        "content/c.md": article("Bài C",
                                body="[chuyên mục](../chuyen-muc/an-ninh/), [trang](a.html)"),
    })
    site.build()
    links = {a.text: a.get("href") for a in site.page("/tin/bo/").iter("a")}
    assert links["văn bản"] == "/tin/bo/van-ban.pdf#page=2"
    assert links["bảng"] == "/tin/bo/bang%20so%20lieu.xlsx"
    assert (site.output / "tin/bo/van-ban.pdf").read_bytes() == b"%PDF-1.4\n"
    assert (site.output / "tin/bo/bang so lieu.xlsx").read_bytes() == b"PK\x03\x04"
    links = {a.text: a.get("href") for a in site.page("/tin/bai-c/").iter("a")}
    assert (links["chuyên mục"], links["trang"]) == ("../chuyen-muc/an-ninh/", "a.html")


def test_a_linked_file_that_is_missing_or_goes_missing_is_a_content_error(make_site) -> None:
    site = make_site({"content/bo/index.md": article("Bó", body="Tải [văn bản](van-ban.pdf)."),
                      "content/bo/van-ban.pdf": b"%PDF-1.4\n"})
    site.build("--cache", "cache")
    (site.content / "bo" / "van-ban.pdf").rename(site.content / "bo" / "van-ban-1.pdf")
    result = site.run("--cache", "cache")  # the body is cached: its file is looked for again
    assert result.code == 1
    assert result.err.splitlines()[:2] == [
        "content/bo/index.md:6: link to a missing file: van-ban.pdf",
        "    hint: Did you mean 'van-ban-1.pdf'? Paths are relative to the article's file."]


def test_a_link_to_a_photo_the_article_shows_keeps_its_resized_copies(make_site) -> None:
    site = make_site({"content/bo/index.md": article(
        "Bó", body="Mở đầu.\n\n![Hiện trường](anh.jpg)\n\nXem [ảnh gốc](anh.jpg).")})
    (site.content / "bo" / "anh.jpg").write_bytes(photo(1200, 800))
    site.build()
    links = {a.text: a.get("href") for a in site.page("/tin/bo/").iter("a")}
    assert links["ảnh gốc"] == "/tin/bo/anh.jpg"
    assert {"anh.jpg", "anh.480w.webp", "anh.1200w.jpg"} <= \
        {p.name for p in (site.output / "tin/bo").iterdir()}


def test_a_web_address_written_without_https_is_hinted_at(make_site) -> None:
    site = make_site({"content/a.md": article("Bài", body="Theo [Báo Chính phủ](baochinhphu.vn).")})
    result = site.run()
    assert result.code == 1
    assert result.err.splitlines()[:2] == [
        "content/a.md:6: link to a missing file: baochinhphu.vn",
        "    hint: For a web address, write it in full: https://baochinhphu.vn"]


def test_links_that_only_look_like_file_names_stay_as_written(make_site) -> None:
    # Only a document beside the article must be there: these were "missing file" errors.
    body = ("[biểu mẫu](../../files/mau-don.docx), [trang cũ](../../tin-cu/trang.php), "
            "[phiên bản](v1.2), [Nghị định](ND-15.2020)")
    site = make_site({"content/a.md": article("Bài", body=body)})
    site.build()
    links = [a.get("href") for a in site.page("/tin/bai/").cssselect(".article-body a")]
    assert links == ["../../files/mau-don.docx", "../../tin-cu/trang.php", "v1.2", "ND-15.2020"]
    site.write({"content/v1.2": "phiên bản"})  # once there, it is copied, by an edit build too
    site.build()
    assert "/tin/bai/v1.2" in [a.get("href") for a in site.page("/tin/bai/").iter("a")]


def test_a_linked_file_named_in_nfd_is_found_by_a_name_typed_in_nfc(make_site) -> None:
    nfd = unicodedata.normalize("NFD", "văn-bản.pdf")
    site = make_site({"content/bo/index.md": article("Bó", body="Tải [văn bản](văn-bản.pdf)."),
                      f"content/bo/{nfd}": b"%PDF-1.4\n"})
    site.build()
    (href,) = [a.get("href") for a in site.page("/tin/bo/").iter("a") if a.text == "văn bản"]
    assert (site.output / "tin" / "bo" / nfd).read_bytes() == b"%PDF-1.4\n"
    assert href == "/tin/bo/" + quote(nfd)


def test_a_query_on_a_link_to_an_article_is_kept(make_site) -> None:
    # [xem](b.md?utm_source=x) became /tin/bai-b/, without its query.
    body = "[xem](b.md?utm_source=ban-tin&x=1#dau)"
    site = make_site({"content/a.md": article("Bài A", body=body),
                      "content/b.md": article("Bài B")})
    site.build()
    (href,) = [a.get("href") for a in site.page("/tin/bai-a/").iter("a") if a.text == "xem"]
    assert href == "/tin/bai-b/?utm_source=ban-tin&x=1#dau"
