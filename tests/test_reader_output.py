"""Pages, feeds and files as readers, crawlers, feed readers and hosts read them, from content an
editor could plausibly write. Each test failed, before the fix it guards, for the reason its
docstring gives."""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

from .conftest import article, photo


def _srcset_urls(value: str) -> list[str]:
    """The URLs of a srcset as a browser reads them (HTML's srcset parsing: a URL runs up to
    the first white space, the descriptors follow it)."""
    urls, rest = [], value
    while rest.strip(" ,"):
        rest = rest.lstrip(" \t\n,")
        url = re.match(r"\S+", rest)[0]
        rest = rest[len(url):]
        url = url.rstrip(",")
        descriptors = re.match(r"[^,]*", rest)[0]
        rest = rest[len(descriptors):]
        assert re.fullmatch(r"\s*(\d+w|\d+(\.\d+)?x)?\s*", descriptors), (value, url, descriptors)
        urls.append(url)
    return urls


def test_date_shown_on_pages_is_in_the_site_timezone_like_the_feeds(make_site) -> None:
    """An article dated 2025-12-31T20:00:00Z was published at 03:00 on 1 January 2026 in
    Hanoi: the feeds say so, but every page prints 31/12/2025 (the date in UTC), so the home
    page lists it below a 01/01/2026 article with an older date."""
    site = make_site({
        "content/utc.md": article("Tin giờ UTC", date="2025-12-31T20:00:00Z"),
        "content/local.md": article("Tin sáng đầu năm", date="2026-01-01T01:00:00+07:00"),
    })
    site.build()
    assert "01 Jan 2026 03:00:00 +0700" in (site.output / "feed.xml").read_text(encoding="utf-8")
    shown = [t.text for t in site.page("/").cssselect(".card-meta time")]
    assert shown == ["01/01/2026", "01/01/2026"]  # newest first: utc.md (03:00), then local.md
    page = site.page("/tin/tin-gio-utc/")
    assert page.cssselect(".article-meta time")[0].text == "01/01/2026"


def test_srcset_of_a_photo_whose_name_has_a_space_is_parsable(make_site) -> None:
    """A photo saved as "anh hien truong.jpg" (cameras and phones name files with spaces) gets
    srcset="/tin/x/anh hien truong.480w.jpg 480w, …": a srcset splits at white space, so a
    browser reads the URL "/tin/x/anh" with the descriptors "hien truong.480w.jpg 480w" and drops
    every candidate. The URLs in src and srcset must be percent-encoded (as links to files are)."""
    site = make_site({
        "content/x/index.md": article("Ảnh có dấu cách", image='"anh hien truong.jpg"',
                                      image_alt='"Hiện trường"',
                                      body='![Ảnh thân bài](anh than bai.jpg "Chú thích")'),
        "content/x/anh hien truong.jpg": photo(),
        "content/x/anh than bai.jpg": photo(),
    })
    site.build()
    page = site.page("/tin/anh-co-dau-cach/")
    values = [e.get("srcset") for e in page.cssselect("img[srcset], source[srcset]")]
    assert len(values) == 4  # the lead photo and the body's, each as WebP and JPEG
    for value in values:
        for url in _srcset_urls(value):
            path = site.output / unquote(urlsplit(url).path).lstrip("/")
            assert path.is_file(), (value, url)


def test_feeds_of_a_tag_whose_name_holds_a_control_character_are_well_formed(make_site) -> None:
    """A tag or category written with a YAML escape for a control character (a vertical tab, as
    Word's line break is exported: "Tin\\vnóng") is accepted, and the entries' <category>
    elements drop the character (feeds.entry runs names through xml_text), but the title of the
    tag's and the category's own RSS and Atom feeds prints the raw name: XML 1.0 cannot hold
    U+000B, so all four files are not well-formed and feed readers reject them."""
    import lxml.etree

    site = make_site({
        "content/a.md": article("Tin có thẻ lạ", category='"Tin\\vnóng"', tags='["Thẻ\\vmột"]'),
    })
    site.build()
    for name in ("chuyen-muc/tin-nong/feed.xml", "chuyen-muc/tin-nong/atom.xml",
                 "the/the-mot/feed.xml", "the/the-mot/atom.xml"):
        lxml.etree.fromstring((site.output / name).read_bytes())  # raises XMLSyntaxError


def test_full_content_feeds_leave_code_samples_as_written(make_site) -> None:
    """With feed_full_content, feeds.absolute_links rewrites every ` href="…"` it finds in the
    HTML text, also inside a code sample, where it is text (`&lt;a href="tai-ve.exe"&gt;`):
    the feed shows readers a different snippet from the one the article page shows."""
    import feedparser

    site = make_site({
        "content/a.md": article("Cảnh báo mã độc", body=(
            "Kẻ gian chèn đoạn mã sau vào trang:\n\n"
            "```html\n<a href=\"tai-ve.exe\">Tải về</a>\n```\n")),
    }, config='title = "T"\nbase_url = "https://example.gov.vn/"\nfeed_full_content = true\n')
    site.build()
    page = site.page("/tin/canh-bao-ma-doc/")
    assert page.cssselect("pre code")[0].text_content().strip() == '<a href="tai-ve.exe">Tải về</a>'
    entry = feedparser.parse((site.output / "feed.xml").read_bytes()).entries[0]
    assert '&lt;a href="tai-ve.exe"&gt;' in entry.content[0].value


def test_article_page_updated_line_agrees_with_its_modified_time(make_site) -> None:
    """An article dated 2026-03-01T08:00 with `updated: 2026-03-01` (a date only: midnight,
    before publication). Article.modified ignores an update not later than the date, and so do
    article:modified_time, JSON-LD dateModified, the feeds and the sitemap; but the page's
    meta line still prints "Cập nhật: <time datetime="2026-03-01T00:00:00+07:00">", an update
    eight hours before the article was published, contradicting the page's own metadata."""
    import json

    site = make_site({
        "content/a.md": article("Cập nhật trước khi đăng", date="2026-03-01T08:00:00+07:00",
                                updated="2026-03-01"),
    })
    site.build()
    page = site.page("/tin/cap-nhat-truoc-khi-dang/")
    modified = page.cssselect('meta[property="article:modified_time"]')[0].get("content")
    data = json.loads(page.cssselect('script[type="application/ld+json"]')[0].text)
    assert modified == data["dateModified"] == "2026-03-01T08:00:00+07:00"
    shown = [t.get("datetime") for t in page.cssselect(".article-meta time")]
    assert shown == ["2026-03-01T08:00:00+07:00"]  # no update before publication


def test_an_update_after_the_date_is_shown_in_the_clock_change_hour_too(make_site) -> None:
    """An update 40 minutes after the date, in the hour the end of summer time repeats: the
    page shows it, with the time of the update, as its metadata does. Dates in one zone
    compared by their wall clocks put the update before the date."""
    import json

    config = 'base_url = "https://example.gov.vn/"\ntimezone = "Europe/Berlin"\n'
    site = make_site({
        "content/a.md": article("Tin sửa sau", date="2026-03-01T08:00:00+01:00",
                                updated="2026-03-02T09:30:00+01:00"),
        "content/b.md": article("Tin sửa trong giờ lặp", date="2026-10-25T02:30:00+02:00",
                                updated="2026-10-25T02:10:00+01:00"),
    }, config=config)
    site.build()
    for slug, updated in (("tin-sua-sau", "2026-03-02T09:30:00+01:00"),
                          ("tin-sua-trong-gio-lap", "2026-10-25T02:10:00+01:00")):
        page = site.page(f"/tin/{slug}/")
        shown = [t.get("datetime") for t in page.cssselect(".article-meta time")]
        assert shown[1:] == [updated], (slug, shown)
        data = json.loads(page.cssselect('script[type="application/ld+json"]')[0].text)
        assert data["dateModified"] == updated


def test_derived_summary_is_the_first_paragraph_as_readers_see_it(make_site) -> None:
    """The summary made from the first paragraph (meta description, og:description, cards,
    feeds, search results) is read off Markdown's tree before Markdown has finished: raw
    inline HTML and entities are placeholders there, replaced by a space, and code is still
    escaped. So "500 m<sup>2</sup>" becomes "500 m 2", "A&amp;B" becomes "A B", "&#8220;"
    quotes vanish, and `x < y` is shown to readers as "x &lt; y"."""
    site = make_site({
        "content/a.md": article("Thu hồi đất", body=(
            "Thu hồi 500 m<sup>2</sup> đất của Công ty A&amp;B, &#8220;dự án X&#8221;, "
            "mã `x < y`, giá 5\\*3.\n\nĐoạn hai.")),
    })
    site.build()
    page = site.page("/tin/thu-hoi-dat/")
    seen = " ".join(page.cssselect(".article-body p")[0].text_content().split())
    assert seen == "Thu hồi 500 m2 đất của Công ty A&B, “dự án X”, mã x < y, giá 5*3."
    assert page.cssselect('meta[name="description"]')[0].get("content") == seen
    assert site.page("/").cssselect(".card-summary")[0].text_content() == seen


def test_tags_index_puts_a_two_word_tag_before_a_longer_first_word(make_site) -> None:
    """vietnamese_sort_key ranks a space after every letter (1000 + 32), so the tags index
    lists "Anh hùng" before "An ninh" and "An toàn": dictionaries (and any collation, and
    Python's own str order) put "an ninh" before "anh", the syllable "an" before "anh"."""
    site = make_site({
        "content/a.md": article("Tin một", tags='["Anh hùng", "An ninh", "An toàn", "Ba"]'),
    })
    site.build()
    shown = [a.text_content() for a in site.page("/the/").cssselect(".tag-cloud a")]
    assert shown == ["An ninh", "An toàn", "Anh hùng", "Ba"]


def test_tags_differing_only_by_invisible_characters_are_one_tag(make_site) -> None:
    """A tag pasted from a web page or Word often carries a no-break space ("Công\\u00a0an") or
    a zero-width space. term_key (NFC, casefold, strip) keeps them, so the site gets two or three
    tags that print identically, "Công an", at /the/cong-an/, /the/cong-an-2/, …: the tags index
    lists "Công an" several times and each page holds only part of the articles."""
    site = make_site({
        "content/a.md": article("Tin một", tags='["Công an"]'),
        "content/b.md": article("Tin hai", tags='["Công\\u00a0an"]'),
        "content/c.md": article("Tin ba", tags='["Công an\\u200b"]'),
    })
    site.build()
    shown = [a.text_content() for a in site.page("/the/").cssselect(".tag-cloud a")]
    assert len(shown) == 1, [ascii(name) for name in shown]


def test_a_long_unbroken_word_does_not_widen_the_phone_layout(make_site) -> None:
    """A scam warning quoting a wallet address or a long address
    ("0x742d35Cc6634C0532925a3b844Bc454e4438f44e…", "https://dichvucong.gov.vn/p/home/…")
    is one unbreakable word: style.css sets no overflow-wrap, so at 375 px the article page is
    about 650 px wide (the reader scrolls sideways, the text runs off the screen), and the home
    page's lead card cuts the word off."""
    import pytest

    from .test_browser import ARGS, CHROMIUM, _missing, _serve

    if _missing():
        pytest.skip(_missing())
    from playwright.sync_api import sync_playwright

    wallet = "0x742d35Cc6634C0532925a3b844Bc454e4438f44e0x742d35Cc6634C05329"
    site = make_site({
        "content/a.md": article("Cảnh báo giả mạo", body=(
            f"Địa chỉ ví lừa đảo: {wallet} và trang "
            "https://dichvucong.gov.vn/p/home/dvc-tthc-thu-tuc-hanh-chinh-chi-tiet.html?"
            "ma_thu_tuc=1.001234&tinh=ha-noi.")),
    })
    site.build()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 375, "height": 800})
            for base in _serve(site.output):
                page.goto(base + "/tin/canh-bao-gia-mao/")
                width = page.evaluate("document.documentElement.scrollWidth")
                assert width <= 375, f"the article page is {width} px wide at 375 px"
        finally:
            browser.close()
