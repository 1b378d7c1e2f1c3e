"""Drafts and scheduled articles: what --drafts, --future and --now publish, and the summary."""

from __future__ import annotations

import pytest

from .conftest import article, tree_digest


def published(site) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(p.parent.name for p in site.output.glob("tin/*/index.html"))


def test_a_draft_is_left_out_everywhere_unless_drafts_is_given(make_site) -> None:
    site = make_site({
        "content/a.md": article("Bài A", tags='["ma tuý"]', category="An ninh"),
        "content/nhap.md": article("Bài nháp", date="2026-10-02", tags='["ma tuý", "nháp"]',
                                   category="Nháp", draft="true"),
    })
    result = site.build()
    assert published(site) == ["bai-a"]
    assert "1 draft(s) left out" in result.out
    assert not (site.output / "the/nhap").exists()
    assert not (site.output / "chuyen-muc/nhap").exists()
    every_page = b"".join((site.output / name).read_bytes() for name in tree_digest(site.output))
    assert "Bài nháp".encode() not in every_page
    result = site.build("--drafts")
    assert published(site) == ["bai-a", "bai-nhap"]
    assert "draft(s) left out" not in result.out
    page = site.page("/tin/bai-nhap/")
    assert [b.text for b in page.cssselect(".article-meta .badge")] == ["Bản nháp"]
    assert site.page("/the/nhap/").cssselect(".card-title a")[0].text == "Bài nháp"


def test_a_link_to_a_draft_is_an_error_until_drafts_are_included(make_site) -> None:
    site = make_site({"content/a.md": article("Bài A", body="Xem [bài nháp](nhap.md)."),
                      "content/nhap.md": article("Bài nháp", draft="true")})
    result = site.run()
    assert result.code == 1
    assert "content/a.md:6: link to an article that is not published: nhap.md" in result.err
    site.build("--drafts")
    assert site.page("/tin/bai-a/").cssselect(".article-body a")[0].get("href") == "/tin/bai-nhap/"


def test_scheduled_articles_are_listed_with_their_date_and_a_badge_under_future(make_site) -> None:
    site = make_site({
        "content/a.md": article("Bài A"),
        "content/hen-gio.md": article("Bài hẹn giờ", date="2026-12-01T08:00:00+07:00"),
        "content/nhap-hen-gio.md": article("Nháp hẹn giờ", date="2026-12-02", draft="true"),
    })
    result = site.build()
    assert published(site) == ["bai-a"]
    scheduled = [line for line in result.out.splitlines() if line.startswith("scheduled:")]
    assert scheduled == ["scheduled: content/hen-gio.md will be published at "
                         "2026-12-01T08:00:00+07:00 (use --future to include it now)"]
    assert result.out.splitlines()[-1].startswith("built 1 articles: ")
    assert ", 1 draft(s) left out, 1 scheduled in " in result.out
    result = site.build("--future")
    assert published(site) == ["bai-a", "bai-hen-gio"]
    assert "scheduled:" not in result.out
    page = site.page("/tin/bai-hen-gio/")
    assert [b.text for b in page.cssselect(".article-meta .badge")] == ["Hẹn giờ đăng"]
    site.build("--future", "--drafts")
    assert published(site) == ["bai-a", "bai-hen-gio", "nhap-hen-gio"]


def test_now_fixes_the_clock_in_the_site_timezone_unless_an_offset_is_given(make_site) -> None:
    site = make_site({"content/a.md": article("Bài A", date="2026-10-01"),
                      "content/trua.md": article("Bài trưa", date="2026-11-26T12:00:00+07:00")})
    site.run("--now", "2026-11-26T11:59")
    assert published(site) == ["bai-a"]
    site.run("--now", "2026-11-26T12:00")
    assert published(site) == ["bai-a", "bai-trua"]
    site.run("--now", "2026-11-26T04:59:00Z")
    assert published(site) == ["bai-a"]
    site.run("--now", "2026-11-26T05:00:00+00:00")
    assert published(site) == ["bai-a", "bai-trua"]


def test_now_makes_builds_reproducible(make_site, tmp_path) -> None:  # type: ignore[no-untyped-def]
    site = make_site({"content/a.md": article("Bài A"),
                      "content/b.md": article("Bài B", date="2026-11-20T08:00:00+07:00")})
    site.run("--now", "2026-11-21T00:00")
    first = tree_digest(site.output)
    site.run("--now", "2026-11-21T00:00", "--output", str(tmp_path / "again"))
    assert tree_digest(tmp_path / "again") == first


def test_a_bad_now_is_a_usage_error(make_site) -> None:
    site = make_site({"content/a.md": article("Bài A")})
    with pytest.raises(SystemExit) as stopped:  # argparse exits; build.py passes the code on
        site.run("--now", "hôm qua")
    assert stopped.value.code == 2
    assert "'hôm qua' is not an ISO 8601 date or datetime" in site.capsys.readouterr().err
    assert not site.output.exists()


def test_check_lists_scheduled_articles_and_writes_nothing(make_site) -> None:
    site = make_site({"content/a.md": article("Bài A"),
                      "content/b.md": article("Bài B", date="2027-01-01")})
    result = site.run("check")
    assert result.code == 0
    assert "scheduled: content/b.md will be published at 2027-01-01T00:00:00+07:00" in result.out
    assert not site.output.exists()


def test_a_related_pin_to_a_scheduled_article_says_it_is_scheduled(make_site) -> None:
    site = make_site({
        "content/a.md": article("Bài A", related="[bai-hen-gio, bai-nhap]"),
        "content/hen-gio.md": article("Bài hẹn giờ", date="2026-12-01T08:00:00+07:00"),
        "content/nhap.md": article("Bài nháp", draft="true"),
    })
    result = site.run()
    assert result.code == 1
    lines = result.err.splitlines()
    for error in ("content/a.md:4: related: the article with the slug 'bai-hen-gio' is not "
                  "published: content/hen-gio.md is scheduled for 2026-12-01T08:00:00+07:00",
                  "content/a.md:4: related: the article with the slug 'bai-nhap' is not "
                  "published: content/nhap.md is a draft"):
        assert error in lines, result.err
        assert lines[lines.index(error) + 1] == \
            "    hint: Publish that article first, or remove its slug from related:."
    site.build("--future", "--drafts")
    assert [a.get("href") for a in site.page("/tin/bai-a/").cssselect(".related a")][:2] == \
        ["/tin/bai-hen-gio/", "/tin/bai-nhap/"]
