"""The no-op rebuild: skipped only while nothing the build reads, decides or writes has changed,
and decided before the engine's modules are imported."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import lxml.etree
import pytest

from bulletin import listing, uptodate
from bulletin.options import Options
from bulletin.writer import MARKER

from .conftest import NOW, PROJECT, Run, article, photo, tree_digest
from .processes import env as environment

UP_TO_DATE = "stages: up to date"
SUMMARY = re.compile(r"built (\d+) articles: (\d+) pages \((\d+) rendered\), files (\d+) written, "
                     r"(\d+) unchanged, (\d+) removed(.*) in \d+\.\d\d s")


@pytest.fixture(autouse=True, params=["by stat", "by digest"])
def recent(request, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Every test runs twice: once with no file taken as changed just before the stamp was made
    (its stat alone must tell a change), once with every file taken so (its digest must)."""
    monkeypatch.setattr(uptodate, "RACY_NS", 0 if request.param == "by stat" else 10**18)


def skipped(run: Run) -> bool:
    """Whether a build run with -v was the no-op (its only stage is 'up to date')."""
    return UP_TO_DATE in run.err


def summary(run: Run) -> tuple[str, ...]:
    """The summary line's numbers and extras, without its time."""
    found = SUMMARY.fullmatch(run.out.strip().splitlines()[-1])
    assert found, run.out
    return found.groups()


def two_articles(make_site, config: str | None = None):  # type: ignore[no-untyped-def]
    files = {"content/a.md": article("Bài A", body="Nội dung A."),
             "content/b.md": article("Bài B", date="2026-10-02T08:00:00+07:00")}
    return make_site(files) if config is None else make_site(files, config)


def test_an_unchanged_site_is_skipped_and_says_what_a_full_build_says(make_site) -> None:
    site = make_site({
        "content/a.md": article("Bài A", categroy='"Tin"'),  # a misspelt key: a warning
        "content/b.md": article("Bài B", date="2026-12-01T08:00:00+07:00"),  # scheduled
        "content/c.md": article("Bài C", draft="true"),
    })
    first = site.build("-v")
    assert not skipped(first)
    again = site.build("-v")
    assert skipped(again)
    files = [p for p in site.output.rglob("*") if p.is_file() and p.name != MARKER]
    assert summary(again) == ("1", summary(first)[1], "0", "0", str(len(files)), "0",
                              ", 1 draft(s) left out, 1 scheduled")
    # The same messages as a full build that finds nothing to do (the file is touched: its
    # stat changed, its bytes did not).
    (site.content / "c.md").write_bytes((site.content / "c.md").read_bytes())
    full = site.build("-v")
    assert not skipped(full)
    assert summary(full) == summary(again)
    assert again.out.splitlines()[:-1] == full.out.splitlines()[:-1]  # the scheduled line
    assert "scheduled: content/b.md will be published at 2026-12-01T08:00:00+07:00" in again.out
    warning = "warning: unknown key 'categroy'"
    assert warning in again.err and warning in full.err


def test_the_no_op_imports_no_part_of_the_engine(make_site) -> None:
    site = two_articles(make_site)
    site.build()
    args = ["build", "--content", str(site.content), "--config", str(site.root / "site.toml"),
            "--templates", str(PROJECT / "templates"), "--static", str(PROJECT / "static"),
            "--output", str(site.output), "--now", "2026-11-26T12:00:00+07:00"]
    probe = ("import sys\nfrom bulletin.cli import main\ncode = main(sys.argv[1:])\n"
             "engine = ('bulletin.pipeline', 'jinja2', 'markdown', 'yaml', 'frontmatter', 'nh3', "
             "'PIL', 'numpy', 'scipy')\n"
             "print('imported:', sorted(m for m in engine if m in sys.modules))\nsys.exit(code)\n")
    env = {**os.environ, "PYTHONPATH": str(PROJECT)}

    def run() -> subprocess.CompletedProcess[str]:
        done = subprocess.run([sys.executable, "-c", probe, *args], cwd=site.root, env=env,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return done

    noop = run()
    assert "imported: []" in noop.stdout
    assert ", files 0 written, " in noop.stdout
    (site.content / "b.md").write_text(article("Bài B sửa"), encoding="utf-8")
    rebuilt = run()  # the probe sees the engine when it is used
    assert "'jinja2'" in rebuilt.stdout and "bulletin.pipeline" in rebuilt.stdout
    assert (site.output / "tin/bai-b-sua/index.html").is_file()


def test_an_article_edited_to_the_same_size_and_mtime_is_rebuilt(make_site) -> None:
    site = two_articles(make_site)
    site.build()
    path = site.content / "a.md"
    before = path.stat()
    path.write_text(article("Bài A", body="Nội dung Z."), encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    run = site.build("-v")
    assert not skipped(run)
    assert "Nội dung Z." in (site.output / "tin/bai-a/index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("change", ["edit", "new file"])
def test_a_change_within_the_timestamp_granularity_is_caught_by_its_digest(
        make_site, monkeypatch, change: str) -> None:  # type: ignore[no-untyped-def]
    """A second change within the file system's timestamp step can leave a file's (or a
    folder's) size, mtime, ctime and inode as they were: the stamp is forged to show that, and
    the digest of the file's bytes (of the folder's names) must still see it."""
    monkeypatch.setattr(uptodate, "RACY_NS", 10**18)  # every path taken as just changed
    site = two_articles(make_site)
    site.build()
    if change == "edit":
        site.write({"content/a.md": article("Bài A", body="Nội dung Z.")})  # the same size
        changed, page = "a.md", "tin/bai-a/index.html"
    else:
        site.write({"content/c.md": article("Bài C", body="Nội dung Z.")})
        changed, page = "", "tin/bai-c/index.html"  # "": the content folder itself
    options = Options(content=site.content, output=site.output, config=site.root / "site.toml",
                      templates=PROJECT / "templates", static=PROJECT / "static",
                      cache=site.root / ".cache")
    place = uptodate._stamp_path(options)
    stamp = uptodate._load(place)
    assert stamp is not None and (0, changed) in {(t, name) for t, name, _ in stamp.inputs.racy}
    content = tuple(listing.entry(changed, (site.content / changed).stat())
                    if entry[0] == changed else entry for entry in stamp.inputs.trees[0] or ())
    assert listing.intact(site.content, content)  # by their stat, the paths are unchanged
    place.write_bytes(uptodate._dump(replace(stamp, inputs=replace(
        stamp.inputs, trees=(content, *stamp.inputs.trees[1:])))))
    run = site.build("-v")
    assert not skipped(run)
    assert "Nội dung Z." in (site.output / page).read_text(encoding="utf-8")


def test_a_new_and_a_deleted_article_are_built(make_site) -> None:
    site = two_articles(make_site)
    site.build()
    site.write({"content/c.md": article("Bài C")})
    assert not skipped(site.build("-v"))
    assert (site.output / "tin/bai-c/index.html").is_file()
    (site.content / "b.md").unlink()
    assert not skipped(site.build("-v"))
    assert not (site.output / "tin/bai-b").exists()
    assert skipped(site.build("-v"))


def test_photos_in_a_bundle_new_or_replaced_are_noticed(make_site) -> None:
    site = make_site({"content/chay/index.md": article("Cháy", body="![Xe chữa cháy](anh.jpg)"),
                      "content/chay/anh.jpg": photo(1200, 800)})
    site.build()
    assert skipped(site.build("-v"))
    site.write({"content/chay/khac.jpg": photo(600, 400)})  # in the bundle, not in the article
    assert not skipped(site.build("-v"))
    assert skipped(site.build("-v"))
    site.write({"content/chay/anh.jpg": photo(1000, 700)})  # the article's photo, replaced
    assert not skipped(site.build("-v"))
    img = site.page("/tin/chay/").cssselect(".article-body picture img")[0]
    assert (img.get("width"), img.get("height")) == ("1000", "700")


def test_a_template_added_to_the_sites_folder_shadows_the_built_in_one(make_site) -> None:
    site = two_articles(make_site)
    theme = site.root / "theme"
    theme.mkdir()
    site.build("--templates", str(theme))
    assert skipped(site.build("-v", "--templates", str(theme)))
    (theme / "404.html").write_text("<p>Trang riêng của toà soạn</p>\n", encoding="utf-8")
    assert not skipped(site.build("-v", "--templates", str(theme)))
    assert (site.output / "404.html").read_text(encoding="utf-8") == \
        "<p>Trang riêng của toà soạn</p>\n"


def test_a_changed_static_file_or_config_is_built(make_site) -> None:
    site = two_articles(make_site)
    static = site.root / "static"
    static.mkdir()
    (static / "ghi-chu.txt").write_text("một", encoding="utf-8")
    site.build("--static", str(static))
    (static / "ghi-chu.txt").write_text("hai", encoding="utf-8")
    assert not skipped(site.build("-v", "--static", str(static)))
    assert (site.output / "ghi-chu.txt").read_text(encoding="utf-8") == "hai"
    (site.root / "site.toml").write_text('title = "Tên mới"\nbase_url = "https://example.gov.vn/"\n',
                                         encoding="utf-8")
    assert not skipped(site.build("-v", "--static", str(static)))
    assert "Tên mới" in (site.output / "index.html").read_text(encoding="utf-8")


def test_an_option_that_changes_the_output_is_built(make_site) -> None:
    site = make_site({"content/a.md": article("Bài A"),
                      "content/b.md": article("Bài B", draft="true")})
    site.build()
    assert not skipped(site.build("-v", "--drafts"))
    assert (site.output / "tin/bai-b/index.html").is_file()
    assert not skipped(site.build("-v"))
    assert not (site.output / "tin/bai-b").exists()


def test_a_damaged_output_is_repaired(make_site) -> None:
    site = two_articles(make_site)
    site.build()
    good = tree_digest(site.output)
    page = site.output / "tin/bai-a/index.html"
    page.unlink()
    assert not skipped(site.build("-v"))
    assert tree_digest(site.output) == good
    stray = site.output / "tin/bai-a/la.html"  # deep in a folder, not at the top
    stray.write_text("x", encoding="utf-8")
    run = site.build("-v")
    assert not skipped(run) and not stray.exists() and ", 1 removed" in run.out
    text = page.read_bytes()
    page.write_bytes(text.replace(b"A", b"B", 1))  # edited in place: same size, same folder
    assert not skipped(site.build("-v"))
    assert tree_digest(site.output) == good
    assert skipped(site.build("-v"))


def test_an_interrupted_build_is_finished_not_skipped(make_site) -> None:
    site = two_articles(make_site)
    site.build()
    staging = site.root / ".output.staging"  # what a build stopped before its commit leaves
    staging.mkdir()
    (staging / MARKER).write_text("", encoding="utf-8")
    assert not skipped(site.build("-v"))
    assert not staging.exists()


def test_a_damaged_stamp_is_a_miss_not_an_error(make_site) -> None:
    site = two_articles(make_site)
    site.build()
    for stamp in (site.root / ".cache" / "uptodate").iterdir():
        stamp.write_bytes(stamp.read_bytes()[:100])
    assert not skipped(site.build("-v"))
    assert skipped(site.build("-v"))


def test_the_clock_passing_a_scheduled_date_or_the_news_window_rebuilds(make_site) -> None:
    site = make_site({"content/a.md": article("Bài A", date="2026-11-25T08:00:00+07:00"),
                      "content/b.md": article("Bài B", date="2026-12-01T08:00:00+07:00")})

    def news() -> list[str]:
        tree = lxml.etree.fromstring((site.output / "sitemap-news.xml").read_bytes())
        return [loc.text for loc in tree.iter("{*}loc")]

    def at(moment: str) -> Run:
        run = site.run("-v", now=moment)
        assert run.code == 0, run.err
        return run

    at("2026-11-26T12:00:00+07:00")
    assert news() == ["https://example.gov.vn/tin/bai-a/"]
    assert skipped(at("2026-11-27T07:59:59.999999+07:00"))  # a still recent, b still scheduled
    assert not skipped(at("2026-11-27T08:00:00+07:00"))  # a is 2 days old
    assert news() == []
    assert skipped(at("2026-12-01T07:59:59+07:00"))
    assert not skipped(at("2026-12-01T08:00:00+07:00"))  # b is published
    assert (site.output / "tin/bai-b/index.html").is_file()
    assert not skipped(at("2026-11-30T00:00:00+07:00"))  # back before it: unpublished again
    assert not (site.output / "tin/bai-b").exists()
    assert skipped(at("2026-11-30T00:00:00"))  # the same moment, in the site's timezone


def test_another_output_or_cache_folder_builds(make_site, tmp_path: Path) -> None:
    site = two_articles(make_site)
    site.build()
    other = tmp_path / "other-output"
    run = site.build("-v", "--output", str(other))
    assert not skipped(run)
    assert tree_digest(other) == tree_digest(site.output)
    assert skipped(site.build("-v"))
    assert not skipped(site.build("-v", "--cache", str(tmp_path / "other-cache")))
    assert skipped(site.build("-v", "--cache", str(tmp_path / "other-cache")))


def test_window_bounds_are_the_nearest_dates_and_window_ends_around_now() -> None:
    now = datetime(2026, 11, 26, 12, tzinfo=UTC)
    day = timedelta(days=1)
    dates = [now - 5 * day, now - day, now + 3 * day, now]  # one exactly now: published
    start, end = uptodate.window(dates, now, 2 * day)
    assert (start, end) == (uptodate._micros(now), uptodate._micros(now + day))
    assert uptodate.window([], now, 2 * day) == (None, None)


def test_files_are_recalled_by_the_listing_taken_when_the_build_started(make_site) -> None:
    """An article whose stat in the build's first listing is the one recorded when it was last
    read is not read again; the others are. One saved just before it was read ("by digest":
    all of them) has no record, and is read again in any case: its stat could not tell a save
    within the same step of a coarse clock."""
    from bulletin.cache import Cache
    from bulletin.pipeline import read_all

    site = two_articles(make_site)
    site.build()
    old = listing.listing(site.content)
    site.write({"content/a.md": article("Bài A", body="Nội dung A, sửa lại.")})
    now = listing.listing(site.content)
    racy = {"a.md", "b.md"} if uptodate.RACY_NS else set()
    for taken, read_again in ((now, {"a.md"}), (old, set())):
        cache = Cache(site.root / ".cache")
        sources = read_all(site.content, [], cache=cache,
                           stats={entry[0]: entry for entry in taken or ()})
        cache.close()
        assert {s.rel for s in sources} == {"a.md", "b.md"}
        assert {s.rel for s in sources if s.body} == read_again | racy


def test_a_stamp_that_cannot_be_saved_is_a_warning_after_a_build_that_published(make_site) -> None:
    # The stamp's folder unusable (here a file where .cache/uptodate/ should be): save raised
    # from its own cleanup, after the commit, and the editor read exit 3 "internal error" about
    # a build that had published. Now: exit 0, a warning, and the next build is a full one.
    site = make_site({"content/a.md": article("Bài một")})
    (site.root / ".cache").mkdir()
    (site.root / ".cache" / "uptodate").write_text("not a folder", encoding="utf-8")
    first = site.run("-v")
    assert first.code == 0, first.err
    assert "warning: the build's up-to-date stamp could not be saved" in first.err
    assert "next build will be a full one" in first.err
    assert (site.output / "tin" / "bai-mot" / "index.html").is_file()
    again = site.run("-v")
    assert again.code == 0 and not skipped(again), again.err


THEME = ["--templates", str(PROJECT / "templates"), "--static", str(PROJECT / "static")]


def test_check_of_an_unchanged_site_is_not_slower_than_a_build(make_site) -> None:
    # After a build, `build` again is answered from the up-to-date stamp before Jinja, Markdown
    # or YAML is imported (0.15 s at 2,000 articles); `check` on the same unchanged site loads,
    # relates and plans every article again (0.7 s at 2,000 articles), though the stamp already
    # says the site built without errors and holds its warnings. The pre-commit hook runs check,
    # so every commit paid it. Measured here by whether the engine (jinja2) was imported.
    site = make_site({f"content/a{i}.md": article(f"Bài số {i}") for i in range(5)})
    common = ["--content", str(site.content), "--config", str(site.root / "site.toml"),
              "--cache", str(site.root / ".cache"), "--now", NOW, *THEME]
    probe = ("import sys; from bulletin.cli import main; code = main(sys.argv[1:]); "
             "print(code, 'jinja2' in sys.modules)")

    def run(*args: str) -> str:
        done = subprocess.run([sys.executable, "-c", probe, *args], cwd=site.root,
                              env=environment(), capture_output=True, text=True)
        return done.stdout.splitlines()[-1]

    run("build", "--output", str(site.output), *common)
    assert run("build", "--output", str(site.output), *common) == "0 False"  # the no-op
    assert run("check", *common) == "0 False"


def test_check_after_a_build_says_what_a_full_check_says_until_something_changes(
        make_site) -> None:
    site = make_site({
        "content/a.md": article("Bài A", categroy='"Tin"'),  # a misspelt key: a warning
        "content/b.md": article("Bài B", date="2026-12-01T08:00:00+07:00"),  # scheduled
        "content/c.md": article("Bài C", draft="true"),
    })
    full = site.run("check", "-v")
    assert full.code == 0 and not skipped(full), full.err
    site.build()
    answered = site.run("check", "-v")
    assert answered.code == 0 and skipped(answered), answered.err
    assert answered.out.splitlines()[:-1] == full.out.splitlines()[:-1]  # the scheduled line
    assert re.sub(r"\(.*\)", "", answered.out) == re.sub(r"\(.*\)", "", full.out)
    assert "warning: unknown key 'categroy'" in answered.err
    # other options than the build's: a check of its own
    assert not skipped(site.run("check", "-v", "--drafts"))
    # the related command needs the articles themselves: never answered from the stamp
    related = site.run("related", "bai-a")
    assert related.code == 0 and related.out.startswith("Bài A"), related.err
    # an edit that breaks an article is found
    (site.content / "a.md").write_text(article("Bài A", date="hôm qua"), encoding="utf-8")
    broken = site.run("check", "-v")
    assert broken.code == 1 and not skipped(broken)
    assert "content/a.md:3: " in broken.err
