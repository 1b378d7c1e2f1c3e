"""Rebuilds against cold builds where the clock does something unusual (a clock change of the
site's timezone), and a damaged compiled template in the cache. Each test failed on the code
before the fix it guards."""

from __future__ import annotations

from .conftest import article, tree_digest


def _as_cold(site, *args: str) -> None:  # type: ignore[no-untyped-def]
    fresh = site.root / "fresh"
    site.run("--output", str(fresh), "--cache", str(site.root / "cache2"), *args)
    assert tree_digest(site.output) == tree_digest(fresh)


def test_the_news_sitemap_window_across_a_dst_change_is_noticed_by_the_no_op_check(
        make_site) -> None:
    # Europe/Berlin leaves summer time on 2026-10-25. The news sitemap's window starts at
    # now - 2 days in wall-clock time (an aware datetime minus a timedelta), 49 hours before a
    # --now of 26 October; the no-op check's window (uptodate.window) takes it as 48 hours. The
    # article (10:00 UTC on the 24th) leaves the sitemap at 11:00 UTC on the 26th, but the
    # stamp taken at 10:30 UTC says nothing changes after 10:00 UTC: the build at 11:30 UTC is
    # skipped and sitemap-news.xml still lists it.
    config = ('base_url = "https://example.gov.vn/"\ntimezone = "Europe/Berlin"\n'
              'news_sitemap_days = 2\n')
    site = make_site({"content/a.md": article("Bài A", date="2026-10-24T12:00:00+02:00")},
                     config=config)
    # The window is 48 hours, the clock change in it or not: listed until 10:00 UTC on the 26th.
    site.build("--cache", "cache", "--now", "2026-10-26T10:30")  # 09:30 UTC: still listed
    assert "bai-a" in (site.output / "sitemap-news.xml").read_text(encoding="utf-8")
    site.build("--cache", "cache", "--now", "2026-10-26T11:30")  # 10:30 UTC: no longer
    fresh = site.root / "fresh"
    site.build("--output", str(fresh), "--cache", str(site.root / "cache2"),
               "--now", "2026-10-26T11:30")
    assert "bai-a" not in (fresh / "sitemap-news.xml").read_text(encoding="utf-8")
    assert tree_digest(site.output) == tree_digest(fresh)


def test_a_truncated_compiled_template_in_the_cache_is_a_miss_not_an_internal_error(
        make_site) -> None:
    # cache/templates holds Jinja's compiled templates (render._Bytecode, a
    # FileSystemBytecodeCache).
    # One cut short after its magic header (a disk that filled up, a copy stopped half-way)
    # makes jinja2's Bucket.load_bytecode raise from pickle.load: every build then fails with
    # exit 3, "internal error", until the cache folder is deleted by hand. Every other damaged
    # entry of the cache is a miss.
    site = make_site({"content/a.md": article("Bài A"),
                      "content/b.md": article("Bài B", date="2026-10-02")})
    site.build("--cache", "cache")
    compiled = sorted((site.root / "cache" / "templates").iterdir())
    assert compiled
    for path in compiled:
        path.write_bytes(path.read_bytes()[:20])  # the magic and a little more
    site.write({"content/a.md": article("Bài A", body="Nội dung mới.")})
    result = site.run("--cache", "cache", "--verbose")
    assert result.code == 0, result.err[-1500:]
    _as_cold(site)


def _clock_at(monkeypatch, utc: str) -> None:  # type: ignore[no-untyped-def]
    """The real clock (no --now, as `serve` and a plain `build.py` run) stands at ``utc``."""
    import time
    import types
    from datetime import datetime

    from bulletin import pipeline, uptodate

    moment = datetime.fromisoformat(utc)

    class Clock(datetime):
        @classmethod
        def now(cls, tz=None):  # type: ignore[no-untyped-def, override]
            return datetime.fromtimestamp(moment.timestamp(), tz)

    monkeypatch.setattr(pipeline, "datetime", Clock)
    ns = int(moment.timestamp()) * 1_000_000_000
    monkeypatch.setattr(uptodate, "time", types.SimpleNamespace(
        time_ns=lambda: ns, perf_counter=time.perf_counter))


def test_a_scheduled_article_in_the_repeated_hour_of_a_dst_change_is_published_when_due(
        make_site, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # Europe/Berlin repeats 02:00-03:00 on 2026-10-25. The article, dated 02:50 without an
    # offset, is the first pass's 02:50 (00:50 UTC). The real clock (no --now) read the second
    # pass's 02:10 (01:10 UTC, fold=1) and pipeline._build compared the two as datetimes with
    # the same tzinfo, by wall time: still scheduled. The no-op check's window compares instants
    # (due at 00:50 UTC), so the next build was skipped and the article never published.
    config = 'base_url = "https://example.gov.vn/"\ntimezone = "Europe/Berlin"\n'
    site = make_site({"content/a.md": article("Bài A", date="2026-10-20T08:00:00"),
                      "content/b.md": article("Bài B", date="2026-10-25T02:50:00")}, config=config)
    _clock_at(monkeypatch, "2026-10-25T00:40:00+00:00")
    assert site.run("--cache", "cache", now=None).code == 0
    assert not (site.output / "tin/bai-b").exists()  # due in ten minutes
    _clock_at(monkeypatch, "2026-10-25T01:10:00+00:00")  # 02:10 on the wall, the second time
    assert site.run("--cache", "cache", now=None).code == 0
    assert (site.output / "tin/bai-b/index.html").is_file()
    fresh = site.root / "fresh"
    assert site.run("--output", str(fresh), "--cache", str(site.root / "cache2"),
                    now=None).code == 0
    assert tree_digest(site.output) == tree_digest(fresh)


def test_a_scheduled_article_after_the_spring_gap_is_published_as_a_cold_build_does(
        make_site) -> None:
    # Europe/Berlin skips 02:00-03:00 on 2026-03-29. --now 02:45 names a moment the clock never
    # shows; it is read as Python reads it (01:45 UTC, the offset before the change), in the
    # build and in the no-op check alike, so the next build publishes what a cold build does.
    config = 'base_url = "https://example.gov.vn/"\ntimezone = "Europe/Berlin"\n'
    site = make_site({"content/a.md": article("Bài A", date="2026-03-20T08:00:00"),
                      "content/b.md": article("Bài B", date="2026-03-29T03:30:00")}, config=config)
    for now in ("2026-03-29T01:20", "2026-03-29T02:45", "2026-03-29T03:40"):
        site.build("--cache", "cache", "--now", now)
        fresh = site.root / f"fresh-{now[-5:-3]}"
        site.build("--output", str(fresh), "--cache", str(site.root / f"c-{now[-5:-3]}"),
                   "--now", now)
        assert tree_digest(site.output) == tree_digest(fresh), now
    assert (site.output / "tin/bai-b/index.html").is_file()


def test_a_feed_is_updated_by_its_latest_entry_in_the_repeated_hour(make_site) -> None:
    # 02:10 CET comes 40 minutes after 02:30 CEST; compared by their wall clocks (one zone),
    # the feed's <updated> took the earlier one. (The sitemap's lastmod, checked too, was right:
    # it compared the articles' own dates.)
    config = 'base_url = "https://example.gov.vn/"\ntimezone = "Europe/Berlin"\n'
    site = make_site({"content/a.md": article("Bài A", date="2026-10-25T02:30:00+02:00"),
                      "content/b.md": article("Bài B", date="2026-10-25T02:10:00+01:00")},
                     config=config)
    site.build("--now", "2026-10-26T12:00")
    atom = (site.output / "atom.xml").read_text(encoding="utf-8")
    assert "<updated>2026-10-25T02:10:00+01:00</updated>" in atom.split("<entry>")[0]
    sitemap = (site.output / "sitemap.xml").read_text(encoding="utf-8")
    home = sitemap.split("<loc>https://example.gov.vn/</loc>")[1].split("</url>")[0]
    assert "2026-10-25T02:10:00+01:00" in home
