"""Incremental builds: the cache and page fingerprints never change what a build produces."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bulletin.cli import main
from bulletin.slug import slugify

from .conftest import NOW, PROJECT, article, patch, photo, saved_long_ago, tree_digest

TAGS = ["ma tuý", "Hưng Yên", "giao thông", "cháy"]
BODIES = ["Công an tỉnh triệt phá đường dây ma tuý.", "Xe chữa cháy đến hiện trường kịp thời.",
          "Cảnh sát giao thông ra quân.\n\nĐoạn thứ hai của bài."]

edits = st.one_of(
    st.tuples(st.just("add"), st.integers(0, 30), st.sampled_from(TAGS), st.sampled_from(BODIES)),
    st.tuples(st.just("delete"), st.integers(0, 30)),
    st.tuples(st.just("retag"), st.integers(0, 30), st.lists(st.sampled_from(TAGS), max_size=2)),
    st.tuples(st.just("retitle"), st.integers(0, 30), st.text("abcđêôơư ", min_size=1, max_size=12)),
    st.tuples(st.just("body"), st.integers(0, 30), st.sampled_from(BODIES)),
    st.tuples(st.just("link"), st.integers(0, 30), st.integers(0, 30)),
    st.tuples(st.just("template"), st.sampled_from(["<p>A</p>", "<p>B</p>"])),
    st.tuples(st.just("config"), st.integers(1, 4)),
)


def write_article(content: Path, number: int, title: str, tags: list[str], body: str) -> None:
    tag_list = "[" + ", ".join(f'"{t}"' for t in tags) + "]"
    (content / f"a{number}.md").write_text(
        article(f"Bài {number} {title}".strip(), date=f"2026-10-{number % 28 + 1:02d}T0{number % 9}:00:00",
                tags=tag_list, body=body), encoding="utf-8")


def apply(root: Path, edit: tuple) -> None:  # type: ignore[type-arg]
    content = root / "content"
    files = sorted(content.glob("a*.md"), key=lambda p: int(p.stem[1:]))
    kind = edit[0]
    if kind == "add":
        number = edit[1] + 100 * len(files)
        write_article(content, number, "", [edit[2]], edit[3])
    elif kind in ("delete", "retag", "retitle", "body", "link") and files:
        path = files[edit[1] % len(files)]
        text = path.read_text(encoding="utf-8")
        number = int(path.stem[1:])
        front, body = text.split("\n---\n", 1)
        if kind == "delete":
            path.unlink()
        elif kind == "retag":
            write_article(content, number, "", list(edit[2]), body.strip())
        elif kind == "retitle":
            tags = front.split("tags: ", 1)[1].split("\n", 1)[0].strip("[]").replace('"', "")
            write_article(content, number, edit[2], [t.strip() for t in tags.split(",") if t.strip()],
                          body.strip())
        elif kind == "body":
            path.write_text(front + "\n---\n\n" + edit[2] + "\n", encoding="utf-8")
        else:
            other = files[edit[2] % len(files)]
            path.write_text(text + f"\nXem [bài khác]({other.name}).\n", encoding="utf-8")
    elif kind == "template":
        template = root / "templates" / "404.html"
        original = (PROJECT / "templates" / "404.html").read_text(encoding="utf-8")
        template.write_text(original.replace("{% endblock %}", edit[1] + "{% endblock %}", 1),
                            encoding="utf-8")
    elif kind == "config":
        (root / "site.toml").write_text(f'base_url = "https://example.gov.vn/"\npage_size = {edit[1]}\n',
                                        encoding="utf-8")


def show_counts(theme: Path) -> None:
    """Make a theme show tag counts beyond its tag pages: the first tag's on an article's page,
    every tag's on its card (a macro whose HTML every list showing the article reuses) and in
    feed entries. A page is rendered again only when a count it shows changed (see publish)."""
    patch(theme, "article.html", "{% block content %}",
          '{% block content %}<p>{{ article.tags[0].count if article.tags else "-" }}</p>')
    patch(theme, "partials/macros.html", '<div class="card-text">',
          '<div class="card-text">{% for tag in article.tags %}<i>{{ tag.count }}</i>{% endfor %}')
    patch(theme, "rss.xml", "{{ term.name }}</category>",
          "{{ term.name }} {{ term.count }}</category>")


def run(root: Path, output: Path, cache: Path) -> int:
    previous = Path.cwd()
    os.chdir(root)
    try:
        return main(["build", "--content", "content", "--templates", "templates", "--config", "site.toml",
                     "--static", str(PROJECT / "static"), "--output", str(output), "--cache", str(cache),
                     "--now", NOW, "--quiet"])
    finally:
        os.chdir(previous)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(edits, min_size=1, max_size=6))
def test_incremental_build_equals_cold_build(tmp_path_factory, steps) -> None:  # type: ignore[no-untyped-def]
    with pytest.MonkeyPatch.context() as monkeypatch:
        saved_long_ago(monkeypatch)  # else every file is read again, none recalled by its stat
        _edit_and_compare(tmp_path_factory.mktemp("site"), steps)


def _edit_and_compare(root: Path, steps: list[tuple[Any, ...]]) -> None:
    (root / "content").mkdir()
    shutil.copytree(PROJECT / "templates", root / "templates")
    show_counts(root / "templates")
    (root / "site.toml").write_text('base_url = "https://example.gov.vn/"\npage_size = 2\n', encoding="utf-8")
    for number in range(4):
        write_article(root / "content", number, "", [TAGS[number % 2]], BODIES[number % 3])
    assert run(root, root / "out", root / "cache") == 0
    for step, edit in enumerate(steps):
        apply(root, edit)
        incremental = run(root, root / "out", root / "cache")
        cold = run(root, root / f"cold{step}", root / f"cold-cache{step}")
        assert incremental == cold
        if cold == 0:
            assert tree_digest(root / "out") == tree_digest(root / f"cold{step}"), edit


def test_unchanged_files_keep_their_mtime_and_an_edit_rewrites_only_its_pages(make_site) -> None:
    files = {f"content/a{i}.md": article(f"Bài {i}", date=f"2026-10-{i + 1:02d}", tags='["chung"]')
             for i in range(6)}
    site = make_site(files)
    site.build()
    before = {p: p.stat().st_mtime_ns for p in site.output.rglob("*") if p.is_file()}
    second = site.build()
    assert "0 written" in second.out
    assert {p: p.stat().st_mtime_ns for p in site.output.rglob("*") if p.is_file()} == before
    (site.content / "a0.md").write_text(article("Bài 0", date="2026-10-01", tags='["chung"]',
                                                body="Nội dung mới."), encoding="utf-8")
    site.build()
    changed = {p for p, mtime in before.items() if p.stat().st_mtime_ns != mtime}
    assert site.output / "tin/bai-0/index.html" in changed
    assert site.output / "tin/bai-5/index.html" not in changed
    assert site.output / "css/style.css" not in changed


def test_a_page_changed_in_the_output_is_repaired_by_the_next_edit(make_site) -> None:
    """An edit decides which pages are unchanged by the listing the last build took of the
    output; a page file changed since (by hand, or by a tool) is found at the check of that
    listing, and rendered again."""
    files = {f"content/a{i}.md": article(f"Bài {i}", date=f"2026-10-{i + 1:02d}") for i in range(3)}
    site = make_site(files)
    site.build("--cache", "cache")
    page = site.output / "404.html"  # a page the edit below does not change
    good = page.read_bytes()
    page.write_bytes(good.replace(b"</body>", b"</BODY>"))  # the same size
    site.write({"content/a0.md": article("Bài 0", date="2026-10-01", body="Nội dung mới.")})
    site.build("--cache", "cache")
    assert page.read_bytes() == good
    assert "Nội dung mới." in (site.output / "tin/bai-0/index.html").read_text(encoding="utf-8")


def test_a_page_changed_in_the_output_with_its_mtime_put_back_is_repaired(make_site) -> None:
    # The same size and mtime (touch -r, or a tool that keeps times): only its ctime tells, and
    # then its bytes, whose hash the manifest keeps.
    files = {f"content/a{i}.md": article(f"Bài {i}", date=f"2026-10-{i + 1:02d}") for i in range(3)}
    site = make_site(files)
    site.build("--cache", "cache")
    for name in ("404.html", "tin/bai-1/index.html"):
        page = site.output / name
        good, before = page.read_bytes(), page.stat()
        page.write_bytes(good.replace(b"</body>", b"</BODY>"))
        os.utime(page, ns=(before.st_atime_ns, before.st_mtime_ns))
        site.build("--cache", "cache")
        assert page.read_bytes() == good
    _as_cold(site)


def test_pages_whose_ctime_alone_changed_are_read_not_rendered_again(make_site) -> None:
    # chmod -R, chown, cp -al or a restore that keeps times: every page's ctime (or inode)
    # changes, its bytes do not. They are compared with the manifest's hash of each page.
    files = {f"content/a{i}.md": article(f"Bài {i}", date=f"2026-10-{i + 1:02d}") for i in range(3)}
    site = make_site(files)
    site.build("--cache", "cache")
    before = tree_digest(site.output)
    for path in site.output.rglob("*"):
        path.chmod(path.stat().st_mode)  # a new ctime, nothing else
    (site.output / "404.html").chmod(0o600)
    result = site.build("--cache", "cache")
    assert " (0 rendered), files 0 written" in result.out, result.out
    assert tree_digest(site.output) == before


def test_an_unchanged_site_is_not_rebuilt_but_a_damaged_output_is_repaired(make_site) -> None:
    site = make_site({"content/a.md": article("Bài A"), "content/b.md": article("Bài B", date="2026-10-02")})
    site.build()
    page = site.output / "tin/bai-a/index.html"
    good = page.read_bytes()
    assert "0 written" in site.build().out
    page.write_text("hỏng", encoding="utf-8")
    stray = site.output / "la.html"
    stray.write_text("x", encoding="utf-8")
    result = site.build()
    assert "1 written" in result.out and "1 removed" in result.out
    assert page.read_bytes() == good and not stray.exists()


def test_time_passing_publishes_a_scheduled_article_without_other_changes(make_site) -> None:
    site = make_site({"content/a.md": article("Bài A"),
                      "content/b.md": article("Bài B", date="2026-12-01T08:00:00+07:00")})
    site.run("--now", "2026-11-30T00:00")
    assert not (site.output / "tin/bai-b").exists()
    site.run("--now", "2026-11-30T01:00")
    assert not (site.output / "tin/bai-b").exists()
    site.run("--now", "2026-12-01T09:00")
    assert (site.output / "tin/bai-b/index.html").is_file()


def _pinned_site(make_site):  # type: ignore[no-untyped-def]
    """Eight articles, a0 to a6 tagged "chung", a7 not; each related list is one pinned article
    other than a7, so that no related list changes when a7 is retagged."""
    def text(i: int, tags: str) -> str:
        pin = (i + 1) % 7
        return article(f"Bài {i}", date=f"2026-10-{i + 1:02d}", tags=tags, related=f'["bai-{pin}"]',
                       body=f"Nội dung riêng của bài số {i}.")
    files = {f"content/a{i}.md": text(i, f'["chung", "riêng {i}"]') for i in range(7)}
    files["content/a7.md"] = text(7, '["riêng 7"]')
    site = make_site(files, config='base_url = "https://example.gov.vn/"\nrelated_count = 1\n')
    return site, text


def _rendering(monkeypatch) -> list[str]:  # type: ignore[no-untyped-def]
    """The canonical URLs of the pages rendered from now on (the test sites are rendered in this
    process: too few pages for worker processes)."""
    from bulletin.render import Templates

    rendered: list[str] = []
    original = Templates.render

    def render(self, name, context):  # type: ignore[no-untyped-def]
        rendered.append(context.get("canonical", name))
        return original(self, name, context)

    monkeypatch.setattr(Templates, "render", render)
    return rendered


def test_a_retag_renders_again_the_pages_of_its_article_not_of_others_sharing_a_tag(
        make_site, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Tagging a7 "chung" changes the count of "chung", which a0 to a6 carry. Their pages do not
    show it, so they are not rendered again; the retagged article's page and the tag pages are."""
    site, text = _pinned_site(make_site)
    site.build()
    rendered = _rendering(monkeypatch)
    (site.content / "a7.md").write_text(text(7, '["chung"]'), encoding="utf-8")
    site.build()
    articles = sorted(url for url in rendered if "/tin/" in url)
    assert articles == ["https://example.gov.vn/tin/bai-7/"]
    assert "https://example.gov.vn/the/chung/" in rendered  # its count and list changed
    assert "https://example.gov.vn/the/rieng-1/" not in rendered
    site.build("--output", str(site.root / "cold"), "--cache", str(site.root / "cold-cache"))
    assert tree_digest(site.output) == tree_digest(site.root / "cold")


def test_pages_that_show_a_term_count_are_rendered_again_when_it_changes(
        make_site, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A theme showing the counts of an article's tags on its page and on its cards (a macro
    whose HTML is reused on every page listing it): a retag that changes a count renders again
    every page showing it, and only those, and the output is a cold build's."""
    templates = tmp_path / "theme"
    shutil.copytree(PROJECT / "templates", templates)
    patch(templates, "article.html", "{% block content %}",
          '{% block content %}<p class="n">'
          '{{ article.tags | map(attribute="count") | join(",") }}</p>')
    patch(templates, "partials/macros.html", '<div class="card-text">',
          '<div class="card-text">{% for tag in article.tags %}'
          '<span class="n">{{ tag.count }}</span>{% endfor %}')
    site, text = _pinned_site(make_site)
    site.build("--templates", str(templates))
    rendered = _rendering(monkeypatch)
    (site.content / "a7.md").write_text(text(7, '["chung"]'), encoding="utf-8")
    site.build("--templates", str(templates))
    articles = sorted(url.rsplit("/", 2)[1] for url in rendered if "/tin/" in url)
    assert articles == [f"bai-{i}" for i in range(8)]  # all of them show the count of "chung"
    # The page of tag "riêng 1" lists a1 alone, by its card, which shows the count of "chung".
    assert "https://example.gov.vn/the/rieng-1/" in rendered
    assert site.page("/the/rieng-1/").cssselect(".card .n")[0].text == "8"
    assert site.page("/tin/bai-1/").cssselect("p.n")[0].text == "8,1"
    rendered.clear()
    edited = text(0, '["chung", "riêng 0"]').replace("riêng của", "mới của")
    (site.content / "a0.md").write_text(edited, encoding="utf-8")
    site.build("--templates", str(templates))  # a body edit changes no count
    # a0's page, and a6's, whose related list is a0
    assert sorted(url.rsplit("/", 2)[1] for url in rendered if "/tin/" in url) == ["bai-0", "bai-6"]
    site.build("--templates", str(templates), "--output", str(site.root / "cold"),
               "--cache", str(site.root / "cold-cache"))
    assert tree_digest(site.output) == tree_digest(site.root / "cold")


def test_a_touched_but_unchanged_file_keeps_the_build_a_no_op(make_site) -> None:
    site = make_site({"content/a.md": article("Bài A")})
    site.build()
    path = site.content / "a.md"
    path.write_bytes(path.read_bytes())
    assert "0 written" in site.build().out


def test_cache_entries_survive_worker_processes(make_site, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Entries stored while the build runs (in small batches here) are all there after it, even
    though forked workers read the cache meanwhile; the next build renders no body again."""
    import sqlite3

    from bulletin import cache, prose

    monkeypatch.setattr(cache, "FLUSH_BYTES", 1)
    monkeypatch.setenv("BULLETIN_WORKERS", "2")
    count = 260  # above the size at which bodies and pages are rendered by worker processes
    site = make_site({f"content/bai-{n:03d}.md": article(f"Bài {n}", body=f"Nội dung {n}.", tags=["tin"])
                      for n in range(count)})
    site.build("--cache", "cache")
    db = sqlite3.connect(site.root / "cache" / "bulletin.sqlite")
    kinds = dict(db.execute("SELECT kind, count(*) FROM entries GROUP BY kind").fetchall())
    db.close()
    assert kinds["front"] == kinds["body"] == kinds["html"] == kinds["search-docs"] == count
    assert kinds["search"] == 1  # made in a process of its own, stored by this one

    rendered: list[str] = []  # every body rendered, by the quick path or by Markdown
    original = prose.paragraphs
    monkeypatch.setattr(prose, "paragraphs", lambda body: rendered.append(body) or original(body))
    monkeypatch.setenv("BULLETIN_WORKERS", "1")
    (site.content / "bai-007.md").write_text(article("Bài 7", body="Sửa."), encoding="utf-8")
    site.build("--cache", "cache")
    assert [body.strip() for body in rendered] == ["Sửa."]


def test_a_resident_build_reads_unchanged_articles_from_memory(make_site, tmp_path,
                                                               monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """As `serve` rebuilds: once a build has read them, the unchanged articles' front matter and
    bodies are not read from the cache file again, and the output is still a cold build's."""
    import pickle
    from datetime import datetime

    from bulletin.cache import Resident
    from bulletin.markup import Body
    from bulletin.models import Meta
    from bulletin.options import Options
    from bulletin.pipeline import build

    monkeypatch.setenv("BULLETIN_WORKERS", "1")
    site = make_site({f"content/bai-{n}.md":
                      article(f"Bài {n}", body=f"Nội dung {n}.", tags=["tin"]) for n in range(5)})

    def options(output: str, folder: str, resident: Resident | None) -> Options:
        return Options(content=site.content, output=site.root / output,
                       templates=PROJECT / "templates", config=site.root / "site.toml",
                       static=PROJECT / "static", cache=tmp_path / folder,
                       now=datetime.fromisoformat(NOW), resident=resident)

    unpickled: list[type] = []
    real = pickle.loads
    monkeypatch.setattr(pickle, "loads",
                        lambda data: unpickled.append(type(real(data))) or real(data))

    def edit_and_build(resident: Resident | None, text: str) -> list[type]:
        (site.content / "bai-2.md").write_text(article("Bài 2", body=text), encoding="utf-8")
        unpickled.clear()
        build(options("out", "cache", resident))
        return [kind for kind in unpickled if kind in (Meta, Body)]

    build(options("out", "cache", None))  # a build from the command line fills the file
    kept: Resident = {}
    # serve's first build reads the unchanged articles from the file; its next ones do not
    assert edit_and_build(kept, "Sửa một.") == [Meta] * 4 + [Body] * 4
    assert edit_and_build(kept, "Sửa hai.") == []
    assert edit_and_build(None, "Sửa ba.") == [Meta] * 4 + [Body] * 4  # without it
    assert edit_and_build(kept, "Sửa bốn.") == []  # the last build into out is serve's
    build(options("cold", "cold-cache", None))
    assert tree_digest(site.root / "out") == tree_digest(site.root / "cold")


def test_entries_of_a_deleted_article_leave_the_cache_with_it(make_site) -> None:
    import sqlite3

    site = make_site({"content/a.md": article("Bài A", body="Một."),
                      "content/b.md": article("Bài B", body="Hai.")})

    def counts() -> dict[str, int]:
        db = sqlite3.connect(site.root / "cache" / "bulletin.sqlite")
        try:
            return dict(db.execute("SELECT kind, count(*) FROM entries GROUP BY kind").fetchall())
        finally:
            db.close()

    site.build("--cache", "cache")
    assert counts()["front"] == counts()["html"] == counts()["text"] == 2
    site.write({"content/a.md": article("Bài A", body="Một, sửa.")})  # the old version goes
    site.build("--cache", "cache")
    # (the search index read the old version's text and doc, to take its words out: they go)
    assert counts()["front"] == counts()["html"] == counts()["text"] == counts()["search-docs"] == 2
    (site.content / "b.md").unlink()
    site.build("--cache", "cache")
    assert counts()["front"] == counts()["html"] == 1


def test_a_rebuild_reads_only_the_files_changed_since_the_last_build(make_site, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from bulletin import pipeline

    monkeypatch.setenv("BULLETIN_WORKERS", "1")
    saved_long_ago(monkeypatch)
    site = make_site({f"content/bai-{n}.md": article(f"Bài {n}", body=f"Nội dung {n}.", tags=["tin"])
                      for n in range(5)})
    site.build("--cache", "cache")
    cold = tree_digest(site.output)
    read: list[str] = []
    original = pipeline.read_source
    monkeypatch.setattr(pipeline, "read_source",
                        lambda path, *rest: read.append(path.name) or original(path, *rest))
    (site.content / "bai-3.md").write_text(article("Bài 3", body="Sửa lại.", tags=["tin"]),
                                           encoding="utf-8")
    site.build("--cache", "cache")
    assert read == ["bai-3.md"]
    (site.content / "bai-3.md").write_text(article("Bài 3", body="Nội dung 3.", tags=["tin"]),
                                           encoding="utf-8")
    read.clear()
    site.build("--cache", "cache")
    assert read == ["bai-3.md"] and tree_digest(site.output) == cold


def test_a_file_not_read_is_read_after_all_when_its_cached_parts_are_gone(make_site) -> None:
    import sqlite3

    site = make_site({f"content/bai-{n}.md": article(f"Bài {n}", body=f"Nội dung số {n}.")
                      for n in range(3)})
    site.build("--cache", "cache")
    cold = tree_digest(site.output)
    db = sqlite3.connect(site.root / "cache" / "bulletin.sqlite")
    with db:
        db.execute("DELETE FROM entries WHERE kind IN ('body', 'html', 'stamp')")
        db.execute("UPDATE entries SET value = x'00' WHERE kind = 'front'")  # damaged: a miss
    db.close()
    shutil.rmtree(site.output)
    site.build("--cache", "cache")
    assert tree_digest(site.output) == cold
    assert "Nội dung số 1." in (site.output / "tin/bai-1/index.html").read_text(encoding="utf-8")


def test_a_file_saved_again_before_the_build_reads_it_after_all_is_an_error(make_site) -> None:
    """The build took the file for the version its listing and records showed; it must not
    render other bytes under that version's digest."""
    from bulletin.errors import SourceError
    from bulletin.source import read_again, read_source

    site = make_site({"content/a.md": article("Bài A", body="Nội dung A.")})
    taken = read_source(site.content / "a.md", site.content, None, "content")
    assert not isinstance(taken, SourceError)
    recalled = taken.without_body()
    assert read_again(recalled) == taken  # unchanged: read as it was taken
    site.write({"content/a.md": article("Bài A", body="Nội dung đã sửa.")})
    problem = read_again(recalled)
    assert isinstance(problem, SourceError) and problem.path == "content/a.md"
    assert problem.message == "the file changed while the build was reading it"


def _four_stories(make_site):  # type: ignore[no-untyped-def]
    """A site of four short stories, built once with the cache in cache/."""
    site = make_site({f"content/bai-{n}.md": article(f"Bài {n}", body=f"Nội dung số {n} về {w}.",
                                                     date=f"2026-10-{n + 1:02d}")
                      for n, w in enumerate(["cháy rừng", "lũ quét", "cháy nhà", "giao thông"])})
    site.build("--cache", "cache")
    return site


def _spoil(site, kind: str, how: str) -> None:  # type: ignore[no-untyped-def]
    """Every cache entry of ``kind`` "deleted" or "damaged" (bytes no pickle can be)."""
    import sqlite3

    db = sqlite3.connect(site.root / "cache" / "bulletin.sqlite")
    with db:
        if how == "deleted":
            db.execute("DELETE FROM entries WHERE kind = ?", (kind,))
        else:
            db.execute("UPDATE entries SET value = x'00' WHERE kind = ?", (kind,))
    db.close()


def _as_cold(site) -> None:  # type: ignore[no-untyped-def]
    """The site's output is what a cold build of its content makes."""
    fresh = site.root / "fresh"
    site.build("--output", str(fresh), "--cache", "cache2")
    assert tree_digest(site.output) == tree_digest(fresh)


def test_texts_gone_from_the_cache_are_made_again_for_search_and_related_lists(make_site) -> None:
    # A body's plain text is cached apart from it, and read only where a list or the index is
    # worked out again: a body whose text has gone is rendered again, not indexed as empty.
    import json
    import sqlite3

    site = _four_stories(make_site)
    db = sqlite3.connect(site.root / "cache" / "bulletin.sqlite")
    with db:
        db.execute("DELETE FROM entries WHERE kind IN ('text', 'related', 'related-terms', "
                   "'search', 'search-docs')")
    db.close()
    (site.content / "bai-3.md").write_text(article("Bài 3", body="Nội dung số 3 về cháy.",
                                                   date="2026-10-04"), encoding="utf-8")
    site.build("--cache", "cache")
    _as_cold(site)
    shards = [json.loads(p.read_text(encoding="utf-8"))
              for p in (site.output / "tim-kiem").rglob("t/*.json")]
    assert any("chay rung" in shard for shard in shards)  # an unchanged article's words


@pytest.mark.parametrize("gone", ["deleted", "damaged"])
def test_a_body_that_could_not_be_read_again_is_not_kept_as_empty(make_site, monkeypatch,
                                                                    gone: str) -> None:
    # An unchanged article whose text left the cache is read again: by assemble, which renders
    # its body again (the text deleted), or for the search index (the text there but damaged).
    # When the file was saved again meanwhile, the build fails, and keeps nothing for the
    # version it took: once the file has those bytes back, the next build makes the body and
    # text again instead of reading them as empty.
    import sqlite3

    from bulletin import pipeline

    saved_long_ago(monkeypatch)
    site = _four_stories(make_site)
    _spoil(site, "text", gone)
    db = sqlite3.connect(site.root / "cache" / "bulletin.sqlite")
    with db:
        db.execute("DELETE FROM entries WHERE kind IN ('related', 'search', 'search-docs')")
    db.close()
    (site.content / "bai-3.md").write_text(article("Bài 3", body="Nội dung số 3 về cháy.",
                                                   date="2026-10-04"), encoding="utf-8")
    unchanged = site.content / "bai-0.md"
    kept = unchanged.read_bytes()
    real = pipeline.read_again
    asked = []

    def saved_meanwhile(source):  # type: ignore[no-untyped-def]
        if source.rel == "bai-0.md":
            asked.append(source.rel)
            unchanged.write_bytes(kept + "\nMột dòng mới.\n".encode())
        return real(source)

    monkeypatch.setattr(pipeline, "read_again", saved_meanwhile)
    failed = site.run("--cache", "cache")
    assert asked and failed.code == 1
    assert "content/bai-0.md: the file changed while the build was reading it" in failed.err
    monkeypatch.setattr(pipeline, "read_again", real)
    unchanged.write_bytes(kept)
    site.build("--cache", "cache")
    _as_cold(site)
    assert "Nội dung số 0 về cháy rừng." in (site.output / "tin/bai-0/index.html").read_text(
        encoding="utf-8")


def test_damaged_texts_and_term_runs_in_the_cache_are_made_again_not_read_as_empty(
        make_site) -> None:
    # A cache entry that cannot be read is a miss: the text is made again from its source, the
    # run of term counts counted again, and the site is as a cold build makes it.
    import pickle
    import sqlite3

    site = _four_stories(make_site)
    db = sqlite3.connect(site.root / "cache" / "bulletin.sqlite")
    with db:
        db.execute("UPDATE entries SET value = x'00' WHERE kind = 'text'")  # unreadable
        db.execute("UPDATE entries SET value = ? WHERE kind = 'related-terms'",  # cut short
                   (pickle.dumps(b"\x05\0\0\0\0\0\0\0abc"),))
        db.execute("DELETE FROM entries WHERE kind IN ('related', 'search', 'search-docs')")
    db.close()
    for stamp in (site.root / "cache" / "uptodate").iterdir():  # not a no-op: build it all
        stamp.unlink()
    site.build("--cache", "cache")
    _as_cold(site)


def test_term_runs_outlive_a_build_that_reused_the_related_lists(make_site) -> None:
    # A template edit reuses the related lists; the runs of term counts stay for the next edit.
    import sqlite3

    site = make_site({f"content/bai-{n}.md": article(f"Bài {n}", body=f"Nội dung {n}.")
                      for n in range(3)})
    (site.root / "templates").mkdir(exist_ok=True)
    site.build("--cache", "cache")

    def runs() -> int:
        db = sqlite3.connect(site.root / "cache" / "bulletin.sqlite")
        try:
            return db.execute("SELECT count(*) FROM entries WHERE kind = 'related-terms'"
                              ).fetchone()[0]
        finally:
            db.close()

    assert runs() == 1
    shutil.copytree(PROJECT / "templates", site.root / "templates", dirs_exist_ok=True)
    page = site.root / "templates" / "article.html"
    page.write_text(page.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    result = site.build("--cache", "cache", "--templates", str(site.root / "templates"))
    assert "(0 rendered)" not in result.out
    assert runs() == 1


def test_damaged_related_lists_in_the_cache_are_worked_out_again(make_site) -> None:
    # Related lists that cannot be read back from the cache are a miss, not an error nor empty.
    import pickle
    import sqlite3

    site = _four_stories(make_site)
    db = sqlite3.connect(site.root / "cache" / "bulletin.sqlite")
    with db:
        db.execute("UPDATE entries SET value = ? WHERE kind = 'related'",  # cut short
                   (pickle.dumps(b"\x02" + bytes(7) + b"abc"),))
    db.close()
    for stamp in (site.root / "cache" / "uptodate").iterdir():  # not a no-op: build it all
        stamp.unlink()
    site.build("--cache", "cache")
    _as_cold(site)


# -- the same, through every front-matter field an editor changes -------------------------------
CATEGORIES = ["Tin tức", "An ninh trật tự", "Pháp luật"]
SLUGS = ["tin-chinh", "tin-phu"]  # two articles given the same one clash: the build fails

front_edits = st.one_of(
    st.tuples(st.just("add"), st.sampled_from(TAGS), st.sampled_from(BODIES),
              st.none() | st.sampled_from(CATEGORIES)),
    st.tuples(st.just("delete"), st.integers(0, 30)),
    st.tuples(st.just("tags"), st.integers(0, 30), st.lists(st.sampled_from(TAGS), max_size=3)),
    st.tuples(st.just("title"), st.integers(0, 30), st.text("abcđêôơư ", max_size=8)),
    st.tuples(st.just("body"), st.integers(0, 30), st.sampled_from(BODIES)),
    st.tuples(st.just("link"), st.integers(0, 30), st.integers(0, 30)),
    st.tuples(st.just("category"), st.integers(0, 30), st.none() | st.sampled_from(CATEGORIES)),
    # Day 56 is NOW's: later days are scheduled, so not published (the builds pass no --future).
    st.tuples(st.just("date"), st.integers(0, 30), st.integers(0, 60), st.integers(0, 23)),
    st.tuples(st.just("draft"), st.integers(0, 30), st.booleans()),
    st.tuples(st.just("summary"), st.integers(0, 30),
              st.none() | st.sampled_from(["Tóm tắt.", "Khác."])),
    st.tuples(st.just("pins"), st.integers(0, 30), st.lists(st.integers(0, 30), max_size=2)),
    st.tuples(st.just("slug"), st.integers(0, 30), st.none() | st.sampled_from(SLUGS)),
    st.tuples(st.just("photo"), st.integers(0, 30), st.booleans()),
    # The photo's file is saved again (another width), or deleted: no article changes.
    st.tuples(st.just("rephoto"), st.none() | st.integers(200, 260)),
    st.tuples(st.just("template"), st.sampled_from(["<p>A</p>", "<p>B</p>"])),
    st.tuples(st.just("config"), st.integers(1, 4)),
)


@dataclass
class _Fields:
    """What an editor wrote in one article's file (a test's model of it, changed step by step)."""

    day: int  # from 2026-10-01
    hour: int
    tags: list[str]
    category: str | None
    body: str
    title: str = ""  # after "Bài <number>"
    summary: str | None = None
    draft: bool = False
    pins: list[int] = field(default_factory=list)  # the articles it pins, by number
    slug: str | None = None
    photo: bool = False

    def slug_of(self, number: int) -> str:
        return self.slug or slugify(f"Bài {number} {self.title}")

    def text(self, number: int, slugs: dict[int, str]) -> str:
        """The file; ``slugs``: every article's slug now, by number."""
        day = date(2026, 10, 1) + timedelta(days=self.day)
        front = {"tags": "[" + ", ".join(f'"{t}"' for t in self.tags) + "]"}
        for key in ("category", "summary", "slug"):
            if getattr(self, key) is not None:
                front[key] = f'"{getattr(self, key)}"'
        if self.draft:
            front["draft"] = "true"
        if self.pins:
            front["related"] = "[" + ", ".join(f'"{slugs[p]}"' for p in self.pins) + "]"
        if self.photo:
            front["image"] = "anh.jpg"
        return article(f"Bài {number} {self.title}".strip(),
                       date=f"{day.isoformat()}T{self.hour:02d}:00:00+07:00", body=self.body,
                       **front)


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(front_edits, min_size=1, max_size=6))
def test_incremental_build_equals_cold_build_through_front_matter_edits(
        tmp_path_factory: pytest.TempPathFactory, steps: list[tuple[Any, ...]]) -> None:
    """Dates that reorder the lists or schedule an article, drafts, categories, summaries, pins,
    slugs (clashing ones too), a photo and its file: each incremental build, failed or not, is
    followed by one that equals a cold build."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        saved_long_ago(monkeypatch)  # else every file is read again, none recalled by its stat
        _edit_front_matter_and_compare(tmp_path_factory.mktemp("site"), steps)


def _edit_front_matter_and_compare(root: Path, steps: list[tuple[Any, ...]]) -> None:
    content = root / "content"
    content.mkdir()
    shutil.copytree(PROJECT / "templates", root / "templates")
    show_counts(root / "templates")
    (root / "site.toml").write_text('base_url = "https://example.gov.vn/"\npage_size = 2\n',
                                    encoding="utf-8")
    (content / "anh.jpg").write_bytes(photo(240, 160))
    site: dict[int, _Fields] = {}

    def save(number: int) -> None:
        slugs = {n: fields.slug_of(n) for n, fields in site.items()}
        (content / f"a{number}.md").write_text(site[number].text(number, slugs), encoding="utf-8")

    def add(tags: list[str], body: str, category: str | None) -> None:
        number = max(site, default=-1) + 1
        site[number] = _Fields(day=number % 50, hour=number % 24, tags=tags, category=category,
                               body=body)
        save(number)

    for number in range(4):
        add([TAGS[number % 2]], BODIES[number % 3], CATEGORIES[number % 2] if number else None)
    site[0].photo = True
    save(0)
    assert run(root, root / "out", root / "cache") == 0
    for step, edit in enumerate(steps):
        kind, numbers = edit[0], sorted(site)
        if kind == "add":
            add([edit[1]], edit[2], edit[3])
        elif kind == "rephoto" and edit[1] is None:
            (content / "anh.jpg").unlink(missing_ok=True)
        elif kind == "rephoto":
            (content / "anh.jpg").write_bytes(photo(edit[1], 160))
        elif kind == "template" or kind == "config":
            apply(root, edit)
        elif numbers:
            number = numbers[edit[1] % len(numbers)]
            fields = site[number]
            if kind == "delete":
                del site[number]
                (content / f"a{number}.md").unlink()
            elif kind == "link":
                fields.body += f"\n\nXem [bài khác](a{numbers[edit[2] % len(numbers)]}.md)."
            elif kind == "date":
                fields.day, fields.hour = edit[2], edit[3]
            elif kind == "pins":
                fields.pins = [numbers[p % len(numbers)] for p in edit[2]]
            else:
                setattr(fields, kind, edit[2])
            if number in site:
                save(number)
        incremental = run(root, root / "out", root / "cache")
        cold = run(root, root / f"cold{step}", root / f"cold-cache{step}")
        assert incremental == cold, edit
        if cold == 0:
            assert tree_digest(root / "out") == tree_digest(root / f"cold{step}"), edit


# -- found by an adversarial hunt: each of these failed before its fix --------------------------
def test_a_timezone_change_works_the_related_lists_out_again(make_site) -> None:
    # x is dated without an offset (the site's timezone), y and z with one. Moving the site's
    # timezone moves x alone, nearer y than z, without changing the order of the articles:
    # its date-filled related list changes. The cached lists are keyed by the articles'
    # digests, which the timezone does not change.
    config = 'base_url = "https://example.gov.vn/"\nrelated_count = 1\n'
    site = make_site({
        "content/x.md": article("Gà vịt", date="2026-10-10T12:00:00", body="Chuyện nông thôn."),
        "content/y.md": article("Ô tô xe máy", date="2026-10-09T00:00:00Z",
                                body="Giao thông đô thị."),
        "content/z.md": article("Bão lũ miền Trung", date="2026-10-11T06:00:00Z",
                                body="Thời tiết khắc nghiệt."),
    }, config=config)
    site.build("--cache", "cache")
    first = site.page("/tin/ga-vit/").cssselect(".related a")[0]
    assert first.get("href") == "/tin/bao-lu-mien-trung/"
    (site.root / "site.toml").write_text(config + 'timezone = "Pacific/Kiritimati"\n',
                                         encoding="utf-8")
    site.build("--cache", "cache")
    _as_cold(site)
    assert site.page("/tin/ga-vit/").cssselect(".related a")[0].get("href") == "/tin/o-to-xe-may/"


@pytest.mark.parametrize("gone", ["deleted", "damaged"])
def test_rendered_bodies_gone_from_the_cache_are_rendered_again(make_site, gone: str) -> None:
    # The body entries are there, their HTML is not: a miss, as for every other kind, not a
    # "template error" on article.html that fails every build until the cache is deleted.
    site = _four_stories(make_site)
    _spoil(site, "html", gone)
    (site.content / "bai-3.md").write_text(article("Bài 3", body="Nội dung số 3 về cháy.",
                                                   date="2026-10-04"), encoding="utf-8")
    result = site.run("--cache", "cache")
    assert result.code == 0, result.err
    _as_cold(site)


def test_a_body_rendered_again_from_a_file_changed_meanwhile_is_the_files_error(
        make_site, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # The HTML is damaged, so the page renders the body again from its file, which was saved
    # again since the build took it: the error is the file's, not article.html's.
    from bulletin import pipeline

    saved_long_ago(monkeypatch)
    site = _four_stories(make_site)
    _spoil(site, "html", "damaged")
    (site.content / "bai-3.md").write_text(article("Bài 3", body="Nội dung số 3 về cháy.",
                                                   date="2026-10-04"), encoding="utf-8")
    unchanged = site.content / "bai-0.md"
    kept = unchanged.read_bytes()
    real = pipeline.read_again

    def saved_meanwhile(source):  # type: ignore[no-untyped-def]
        if source.rel == "bai-0.md":
            unchanged.write_bytes(kept + "\nMột dòng mới.\n".encode())
        return real(source)

    monkeypatch.setattr(pipeline, "read_again", saved_meanwhile)
    failed = site.run("--cache", "cache")
    assert failed.code == 1
    assert "content/bai-0.md: the file changed while the build was reading it" in failed.err
    assert "article.html" not in failed.err and "Traceback" not in failed.err


def _bundle_with_photo(make_site, photo_bytes: bytes):  # type: ignore[no-untyped-def]
    site = make_site({"content/a.md": article("Bài A"),
                      "content/b/index.md": article(
                          "Bài B", body="Mở đầu.\n\n![Ảnh hiện trường](anh.jpg)\n")})
    (site.content / "b" / "anh.jpg").write_bytes(photo_bytes)
    return site


def test_a_photo_replaced_by_one_of_the_same_size_and_mtime_is_read_again(make_site) -> None:
    # An article file is recalled by its size, times and inode; a photo was by its size and
    # mtime only (images.current, and Photos._digest's memo), so a photo saved over with a copy
    # that keeps the old mtime (cp -p, rsync -t, tar, unzip) and happens to have the same size
    # kept the old photo's width, height and resized copies.
    big, small = photo(600, 400), photo(300, 200)
    size = max(len(big), len(small))
    big, small = big.ljust(size, b"\0"), small.ljust(size, b"\0")  # bytes after the JPEG's end
    site = _bundle_with_photo(make_site, big)
    site.build("--cache", "cache")
    path = site.content / "b" / "anh.jpg"
    before = path.stat()
    path.write_bytes(small)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    site.build("--cache", "cache")
    _as_cold(site)


def test_a_photo_saved_again_within_the_timestamp_granularity_is_read_again(
        make_site, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # On a file system with 2-second timestamps, a photo saved over in place with another of
    # the same size, in the step its stamp was taken in, keeps its size, times and inode: a
    # stamp taken that close to the photo's last change proves nothing (uptodate.racy_at).
    # Here every stat of a photo shows the times of one step, and the clock stands a second
    # into it.
    from bulletin import images, listing

    step = 1_900_000_000_000_000_000

    def coarse(stat: os.stat_result) -> tuple[int, int, int, int]:
        size, _, _, inode = listing.signature(stat)
        return size, step, step, inode

    monkeypatch.setattr(images, "signature", coarse)
    monkeypatch.setattr(images.time, "time_ns", lambda: step + 1_000_000_000)
    big, small = photo(600, 400), photo(300, 200)
    size = max(len(big), len(small))
    big, small = big.ljust(size, b"\0"), small.ljust(size, b"\0")
    site = _bundle_with_photo(make_site, big)
    site.build("--cache", "cache")
    with open(site.content / "b" / "anh.jpg", "r+b") as file:  # in place: the same inode
        file.write(small)
    site.build("--cache", "cache")
    assert 'width="300"' in (site.output / "tin/bai-b/index.html").read_text(encoding="utf-8")
    _as_cold(site)


def test_a_symlinked_photo_pointed_at_another_photo_is_read_again(make_site) -> None:
    # A cached body's photos are checked by the stat of the file the link led to when it was
    # rendered, which has not changed: the new target is never looked at.
    site = make_site({"content/a.md": article("Bài A"),
                      "content/b/index.md": article("Bài B", body="Mở đầu.\n\n![Ảnh](anh.jpg)\n")})
    (site.content / "kho").mkdir()
    (site.content / "kho" / "mot.jpg").write_bytes(photo(600, 400))
    (site.content / "kho" / "hai.jpg").write_bytes(photo(300, 200))
    (site.content / "b" / "anh.jpg").symlink_to("../kho/mot.jpg")
    site.build("--cache", "cache")
    (site.content / "b" / "anh.jpg").unlink()
    (site.content / "b" / "anh.jpg").symlink_to("../kho/hai.jpg")
    site.build("--cache", "cache")
    _as_cold(site)


def test_an_article_saved_again_within_the_timestamp_granularity_is_read_again(
        make_site, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # On a file system whose timestamps have 2-second steps (FAT; ext3, HFS+ and many network
    # shares have 1-second ones), a file saved again in the same step with the same size has
    # the same size, mtime, ctime and inode. uptodate knows (RACY_NS), but the stat records of
    # read_all do not: the file saved while a build reads it is recalled as the version that
    # build read, by every later build.
    import time

    from bulletin import listing, pipeline

    real_stat, real_entry, step = os.stat, listing.entry, 2_000_000_000

    class Coarse:
        def __init__(self, stat: os.stat_result) -> None:
            self.stat = stat

        def __getattr__(self, name: str) -> Any:
            value = getattr(self.stat, name)
            return value // step * step if name in ("st_mtime_ns", "st_ctime_ns") else value

    monkeypatch.setattr(os, "stat", lambda *args, **kwargs: Coarse(real_stat(*args, **kwargs)))
    monkeypatch.setattr(listing, "entry", lambda name, stat: real_entry(name, Coarse(stat)))
    site = make_site({"content/a.md": article("Bài A", body="Tin sáng nay: cháy lớn."),
                      "content/b.md": article("Bài B", body="Nội dung khác.")})
    path = site.content / "a.md"
    real_read = pipeline.read_source

    def saved_while_read(file, *rest):  # type: ignore[no-untyped-def]
        taken = real_read(file, *rest)
        if file == path:  # saved again just after the build read it: same size, same step
            path.write_text(article("Bài A", body="Tin sáng nay: cháy nhỏ."), encoding="utf-8")
        return taken

    monkeypatch.setattr(pipeline, "read_source", saved_while_read)
    while time.time_ns() % step > step // 4:  # saved early in a step: the build reads it in it
        time.sleep(0.05)
    path.write_text(article("Bài A", body="Tin sáng nay: cháy lớn."), encoding="utf-8")
    site.build("--cache", "cache")
    monkeypatch.setattr(pipeline, "read_source", real_read)
    site.build("--cache", "cache")
    assert "cháy nhỏ" in (site.output / "tin/bai-a/index.html").read_text(encoding="utf-8")
    _as_cold(site)


def test_an_article_file_name_that_is_not_utf8_is_a_content_error(make_site) -> None:
    # A name from an archive made on another system (cp1258, Latin-1): "rõng.md" in Latin-1.
    # The cache's SQLite query could not encode the path: it was an "internal error", exit 3.
    site = make_site({"content/a.md": article("Bài A")})
    (site.content / os.fsdecode(b"r\xf5ng.md")).write_text(article("Bài B"), encoding="utf-8")
    result = site.run("--cache", "cache")
    assert result.code == 1, result.err
    assert "internal error" not in result.err and "content/r" in result.err


def test_a_template_included_from_a_symlinked_folder_is_in_the_digest(make_site, tmp_path) -> None:
    # Templates.digest hashes the theme's files: Jinja's listing does not follow symlinked
    # folders, though its loader reads through them. A page including such a template is
    # rendered again when it changes.
    theme = tmp_path / "theme"
    theme.mkdir()
    shared = tmp_path / "shared"
    shared.mkdir()
    (theme / "chung").symlink_to(shared)
    ads = shared / "ads.html"
    ads.write_text("<p>Quảng cáo A</p>", encoding="utf-8")
    base = (PROJECT / "templates" / "base.html").read_text(encoding="utf-8")
    (theme / "base.html").write_text(
        base.replace("</body>", "{% include 'chung/ads.html' %}</body>", 1), encoding="utf-8")
    site = make_site({"content/a.md": article("Bài A")})
    site.build("--cache", "cache", "--templates", str(theme))
    ads.write_text("<p>Quảng cáo B</p>", encoding="utf-8")
    site.build("--cache", "cache", "--templates", str(theme))
    assert "Quảng cáo B" in (site.output / "index.html").read_text(encoding="utf-8")
