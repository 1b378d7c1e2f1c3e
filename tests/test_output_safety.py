"""Output safety: a refused --output is left untouched; output/ is replaced whole or not at all."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from bulletin import listing, writer
from bulletin.writer import MARKER, Transaction

from .conftest import NOW, PROJECT, Site, article, tree_digest
from .processes import command, env, run_with_output_mounted, run_with_read_only


class _NoTransaction:
    """Stands in for Transaction while a refusal is tested: any attempt to write fails the test."""

    def __init__(self, output: Path) -> None:
        raise AssertionError(f"the build tried to write to {output}")


@pytest.fixture
def no_writes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("bulletin.pipeline.Transaction", _NoTransaction)


@pytest.fixture
def site(make_site) -> Site:  # type: ignore[no-untyped-def]
    return make_site({"content/a.md": article("Bài A", tags='["ma tuý"]'),
                      "content/b.md": article("Bài B", date="2026-10-02")})


def leftovers(site: Site) -> list[str]:
    """Folders a build leaves beside output/ (a staging folder must never stay)."""
    return sorted(p.name for p in site.root.iterdir() if p.name.startswith(".output"))


def refused(site: Site, output: Path, *args: str, watch: Path | None = None) -> str:
    """Build into ``output``: the run must be refused with exit 2 and change no file."""
    watch = watch or site.root
    before = tree_digest(watch)
    result = site.run("--output", str(output), *args)
    assert result.code == 2, result.err
    assert result.err.startswith("error: refusing to "), result.err
    assert "\n    hint: " in result.err
    assert tree_digest(watch) == before
    return result.err.splitlines()[0]


def test_refuses_the_project_root(site: Site, no_writes: None) -> None:
    message = refused(site, site.root)
    assert message == ("error: refusing to use . as the output folder: it is or contains ., "
                       "which the build reads")


def test_refuses_the_tools_own_folder(site: Site, no_writes: None) -> None:
    message = refused(site, PROJECT, watch=PROJECT / "bulletin")
    assert "which the build reads" in message


def test_refuses_the_content_folder(site: Site, no_writes: None) -> None:
    message = refused(site, site.content)
    assert message == ("error: refusing to use content as the output folder: it is or contains "
                       "content, which the build reads")


def test_refuses_the_templates_folder(site: Site, no_writes: None) -> None:
    shutil.copytree(PROJECT / "templates", site.root / "theme")
    message = refused(site, site.root / "theme", "--templates", str(site.root / "theme"))
    assert "it is or contains theme, which the build reads" in message


def test_refuses_a_parent_of_the_content_folder(make_site, tmp_path: Path, no_writes: None) -> None:
    site = make_site({"src/bai-viet/a.md": article("Bài A"), "src/ghi-chu.txt": "không xoá"})
    message = refused(site, site.root / "src", "--content", str(site.root / "src/bai-viet"))
    assert "it is or contains src/bai-viet, which the build reads" in message


def test_refuses_a_folder_inside_the_sources(site: Site, no_writes: None) -> None:
    message = refused(site, site.content / "out")
    assert message == ("error: refusing to use content/out as the output folder: it lies inside "
                       "content")
    assert not (site.content / "out").exists()


def test_refuses_the_home_folder_and_its_parents(site: Site, tmp_path: Path, no_writes: None,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "users" / "bientap"
    home.mkdir(parents=True)
    (home / "thu.txt").write_text("thư riêng", encoding="utf-8")
    monkeypatch.setenv("HOME", str(home))
    for output in (home, home.parent):
        message = refused(site, output, watch=tmp_path / "users")
        assert message.endswith("as the output folder: it is or contains your home folder")


def test_refuses_the_root_folder(site: Site, no_writes: None) -> None:
    result = site.run("--output", "/")
    assert result.code == 2
    assert result.err.startswith("error: refusing to use / as the output folder: it is the root "
                                 "folder")


def test_refuses_a_non_empty_folder_it_did_not_make(site: Site, no_writes: None) -> None:
    (site.root / "public").mkdir()
    (site.root / "public" / "bao-cao.docx").write_bytes(b"PK\x03\x04 report")
    message = refused(site, site.root / "public")
    assert message == ("error: refusing to write into public: it is not empty and was not made by "
                       "this tool")


def test_refuses_a_file(site: Site, no_writes: None) -> None:
    (site.root / "output.txt").write_text("không phải thư mục", encoding="utf-8")
    message = refused(site, site.root / "output.txt")
    assert message.endswith("it is not a folder")


def test_check_never_needs_an_output_folder(site: Site, no_writes: None) -> None:
    result = site.run("check")
    assert result.code == 0, result.err
    assert not site.output.exists()


def test_an_empty_folder_is_used_and_marked(site: Site) -> None:
    site.output.mkdir()
    site.build()
    assert (site.output / MARKER).is_file()
    assert (site.output / "tin/bai-a/index.html").is_file()


def test_a_failed_build_leaves_output_byte_for_byte(site: Site) -> None:
    site.build()
    before = tree_digest(site.output)
    inode = (site.output / "index.html").stat().st_ino
    site.write({"content/a.md": article("Bài A", date="hôm qua")})
    result = site.run()
    assert result.code == 1
    assert tree_digest(site.output) == before
    assert (site.output / "index.html").stat().st_ino == inode
    assert leftovers(site) == []


def test_a_successful_build_leaves_exactly_what_it_produced(site: Site, tmp_path: Path) -> None:
    site.build()
    (site.output / "stray.html").write_text("<p>cũ</p>", encoding="utf-8")
    (site.output / "tin" / "bai-cu").mkdir()
    (site.output / "tin" / "bai-cu" / "index.html").write_text("<p>cũ</p>", encoding="utf-8")
    (site.output / "index.html").write_text("hỏng", encoding="utf-8")
    site.build()
    fresh = tmp_path / "fresh"
    site.build("--output", str(fresh))
    assert tree_digest(site.output) == tree_digest(fresh)
    assert MARKER in tree_digest(fresh)
    assert leftovers(site) == []


def test_deleted_and_renamed_articles_leave_no_pages(site: Site) -> None:
    site.build()
    before = set(tree_digest(site.output))
    assert {"tin/bai-a/index.html", "the/ma-tuy/index.html"} <= before
    (site.content / "a.md").unlink()
    site.write({"content/b.md": article("Bài B", date="2026-10-02", slug="bai-b-moi")})
    result = site.build()
    removed = before - set(tree_digest(site.output))
    assert {"tin/bai-a/index.html", "tin/bai-b/index.html", "the/ma-tuy/index.html"} <= removed
    assert all(name.startswith(("tin/bai-a/", "tin/bai-b/", "the/ma-tuy/")) for name in removed)
    assert not (site.output / "tin/bai-a").exists()
    assert not (site.output / "tin/bai-b").exists()
    assert not (site.output / "the/ma-tuy").exists()
    assert (site.output / "tin/bai-b-moi/index.html").is_file()
    assert f", {len(removed)} removed" in result.out
    hrefs = [a.get("href") for a in site.page("/").cssselect(".card-title a")]
    assert hrefs == ["/tin/bai-b-moi/"]


def test_a_crash_while_writing_leaves_the_old_output(site: Site,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    site.build()
    before = tree_digest(site.output)
    site.write({"content/c.md": article("Bài C", date="2026-10-03")})
    calls = []

    def failing_stage(self: Transaction, rel: object, data: bytes) -> bool:
        calls.append(rel)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        return original_stage(self, rel, data)  # type: ignore[arg-type]

    original_stage = Transaction.stage
    monkeypatch.setattr(Transaction, "stage", failing_stage)
    result = site.run()
    assert result.code == 3
    assert "Traceback" not in result.err
    assert result.err.startswith("internal error: ")
    assert len(calls) == 3
    assert tree_digest(site.output) == before
    assert leftovers(site) == []
    monkeypatch.undo()
    site.build()
    assert (site.output / "tin/bai-c/index.html").is_file()


def test_an_interrupt_while_writing_leaves_the_old_output(site: Site,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    site.build()
    before = tree_digest(site.output)
    site.write({"content/c.md": article("Bài C", date="2026-10-03")})

    def interrupted(self: Transaction, rel: object, source: Path) -> bool:
        raise KeyboardInterrupt

    monkeypatch.setattr(Transaction, "stage_copy", interrupted)
    result = site.run()
    assert result.code == 130
    assert tree_digest(site.output) == before
    assert leftovers(site) == []


def test_a_leftover_staging_folder_of_a_killed_build_is_replaced(site: Site) -> None:
    site.build()
    leftover = site.root / ".output.staging"
    leftover.mkdir()
    (leftover / MARKER).write_bytes(b"")
    (leftover / "half.html").write_text("nửa chừng", encoding="utf-8")
    site.write({"content/c.md": article("Bài C", date="2026-10-03")})
    site.build()
    assert not leftover.exists()
    assert "half.html" not in tree_digest(site.output)


def test_a_foreign_folder_with_the_staging_name_is_never_deleted(site: Site) -> None:
    site.build()
    before = tree_digest(site.output)
    foreign = site.root / ".output.staging"
    foreign.mkdir()
    (foreign / "cua-toi.txt").write_text("của tôi", encoding="utf-8")
    site.write({"content/c.md": article("Bài C", date="2026-10-03")})
    result = site.run()
    assert result.code == 2
    assert result.err.startswith("error: refusing to replace .output.staging: ")
    assert (foreign / "cua-toi.txt").read_text(encoding="utf-8") == "của tôi"
    assert tree_digest(site.output) == before


def test_a_commit_stopped_half_way_is_completed_by_the_next_run(
        site: Site, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    site.build()
    (site.content / "a.md").unlink()
    site.write({"content/c.md": article("Bài C", date="2026-10-03")})
    moves = []

    def power_cut(source: Path, target: Path) -> None:
        moves.append(target)
        if len(moves) == 2:
            raise OSError(5, "Input/output error")
        original_replace(source, target)

    original_replace = writer.os.replace
    monkeypatch.setattr(writer.os, "replace", power_cut)
    assert site.run().code == 3
    assert leftovers(site) == [".output.staging"]  # with its journal of the moves to make
    monkeypatch.undo()
    fresh = tmp_path / "fresh"
    site.build("--output", str(fresh))
    site.build()
    assert leftovers(site) == []
    assert tree_digest(site.output) == tree_digest(fresh)


def test_a_symlinked_output_folder_keeps_its_link(site: Site, tmp_path: Path) -> None:
    target = tmp_path / "www"
    target.mkdir()
    (site.root / "output").symlink_to(target)
    site.build()
    site.build()
    assert (site.root / "output").is_symlink()
    assert (target / "tin/bai-a/index.html").is_file()
    assert (target / MARKER).is_file()


def test_walk_files_lists_folders_on_request_and_stops_at_a_symlink_loop(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "f.txt").write_text("x", encoding="utf-8")
    assert sorted(name for name, _ in listing.walk_files(tmp_path)) == ["a/b/f.txt"]
    assert sorted(name for name, _ in listing.walk_files(tmp_path, folders=True)) == \
        ["a/", "a/b/", "a/b/f.txt"]
    (tmp_path / "a" / "b" / "vong").symlink_to(tmp_path / "a")
    assert sorted(name for name, _ in listing.walk_files(tmp_path)) == ["a/b/f.txt", "a/b/vong"]
    with pytest.raises(OSError, match="reached twice through symlinks"):
        list(listing.walk_files(tmp_path, follow_symlinks=True))


def test_a_listing_updated_for_the_paths_a_commit_changed_equals_a_new_listing(
        tmp_path: Path) -> None:
    root = tmp_path / "out"
    for name in ("index.html", "tin/a/index.html", "tin/b/index.html", "the/x/index.html"):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(name, encoding="utf-8")
    before = listing.listing(root)
    assert before is not None
    (root / "tin/a/index.html").write_text("khác", encoding="utf-8")  # rewritten in place
    (root / "tin/b/index.html").unlink()  # removed with its folder
    (root / "tin/b").rmdir()
    (root / "tin/c/d").mkdir(parents=True)  # new, in new folders
    (root / "tin/c/d/index.html").write_text("mới", encoding="utf-8")
    changed = ["tin/a/index.html", "tin/b/index.html", "tin/c/d/index.html"]
    assert listing.relisted(root, before, changed) == listing.listing(root)
    assert listing.relisted(root, before, changed[:1]) != listing.listing(root)


def test_an_output_left_as_the_last_build_listed_it_is_not_read_again(
        site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    from bulletin import uptodate

    site.build()
    site.write({"content/b.md": article("Bài B", date="2026-10-02", slug="bai-b-moi")})
    walked: list[Path] = []
    real_walk = writer.walk_files
    monkeypatch.setattr(writer, "walk_files",
                        lambda root, *a: walked.append(root) or real_walk(root, *a))
    real_listing = writer.listing
    monkeypatch.setattr(writer, "listing", lambda root: walked.append(root) or real_listing(root))
    site.build()
    assert walked == []  # the stale page and the new listing come from the last listing
    assert not (site.output / "tin/bai-b").exists()
    options = uptodate.Options(content=site.content, output=site.output,
                               config=site.root / "site.toml", templates=PROJECT / "templates",
                               static=PROJECT / "static", cache=site.root / ".cache")
    assert uptodate.last_output(options) == listing.listing(site.output)
    (site.output / "stray.html").write_text("<p>cũ</p>", encoding="utf-8")  # the folder changed
    site.write({"content/b.md": article("Bài B", date="2026-10-02")})
    site.build()
    assert walked and not (site.output / "stray.html").exists()


def test_a_symlink_in_the_output_is_removed_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("giữ", encoding="utf-8")
    output = tmp_path / "out"
    output.mkdir()
    (output / MARKER).write_text("x", encoding="utf-8")
    (output / "link").symlink_to(outside)
    known = listing.listing(output)
    assert known is not None and ("link/keep.txt",) == tuple(
        name for name, *_ in known if name.startswith("link/") and not name.endswith("/"))
    transaction = Transaction(output, known)
    transaction.commit()
    assert transaction.known is None  # a symlink: the listing is not trusted
    assert not (output / "link").exists() and (outside / "keep.txt").is_file()


def _links(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_symlink())


def test_a_page_folder_replaced_by_a_symlink_becomes_a_folder_again(site: Site,
                                                                     tmp_path: Path) -> None:
    # Someone moves a page's folder out of the output and links it back (by hand, or a deploy
    # script). The build replaces the link with a real folder holding the page: it neither
    # loses the page (the link, unclaimed, used to be removed after the page was found
    # unchanged through it) nor writes through the link into the folder it leads to.
    site.build()
    fresh = tmp_path / "fresh"
    site.build("--output", str(fresh))
    elsewhere = tmp_path / "elsewhere"
    (site.output / "tin/bai-a").rename(elsewhere)
    (site.output / "tin/bai-a").symlink_to(elsewhere)
    kept = tree_digest(elsewhere)
    site.build()
    assert _links(site.output) == []
    assert tree_digest(site.output) == tree_digest(fresh)
    assert tree_digest(elsewhere) == kept
    site.build()  # and the next build leaves it so
    assert tree_digest(site.output) == tree_digest(fresh)


def test_a_changed_page_under_a_symlinked_folder_is_not_written_through_the_link(
        site: Site, tmp_path: Path) -> None:
    site.build()
    elsewhere = tmp_path / "elsewhere"
    (site.output / "tin/bai-b").rename(elsewhere)
    (site.output / "tin/bai-b").symlink_to(elsewhere)
    (elsewhere / "index.html").write_text("<p>của người khác</p>", encoding="utf-8")
    site.write({"content/b.md": article("Bài B", date="2026-10-02", body="Nội dung đã sửa.")})
    site.build()
    assert _links(site.output) == []
    assert "Nội dung đã sửa." in (site.output / "tin/bai-b/index.html").read_text(encoding="utf-8")
    assert (elsewhere / "index.html").read_text(encoding="utf-8") == "<p>của người khác</p>"


def test_a_page_replaced_by_a_symlink_to_its_copy_becomes_a_file_again(site: Site,
                                                                        tmp_path: Path) -> None:
    site.build()
    page = site.output / "tin/bai-a/index.html"
    copy = tmp_path / "copy.html"
    copy.write_bytes(page.read_bytes())
    page.unlink()
    page.symlink_to(copy)
    site.build()
    assert _links(site.output) == [] and page.is_file()
    assert page.read_bytes() == copy.read_bytes()


# -- a staging folder another program holds --------------------------------------------------
def _hold(monkeypatch: pytest.MonkeyPatch, held: Callable[[Path], bool]) -> None:
    """Files another program holds open (a virus scanner, an editor, on Windows): deleting one,
    or a folder holding one, fails; all else goes. ``held`` tells them by path."""
    real_unlink, real_rmtree = os.unlink, shutil.rmtree

    def unlink(path, *args, **kwargs):  # type: ignore[no-untyped-def]
        if held(Path(path)):
            raise PermissionError(13, "in use by another program", str(path))
        return real_unlink(path, *args, **kwargs)

    def rmtree(path, ignore_errors=False, *args, **kwargs):  # type: ignore[no-untyped-def]
        top = Path(path)
        kept = [Path(root, name) for root, _, files in os.walk(top) for name in files
                if held(Path(root, name))]
        if not kept:
            return real_rmtree(path, ignore_errors, *args, **kwargs)
        for root, folders, files in os.walk(top, topdown=False):
            for name in files:
                if Path(root, name) not in kept:
                    real_unlink(Path(root, name))
            for name in folders:
                if not any(Path(root, name) in file.parents for file in kept):
                    os.rmdir(Path(root, name))
        if not ignore_errors:
            raise PermissionError(13, "in use by another program", str(kept[0]))
        return None

    monkeypatch.setattr(writer.os, "unlink", unlink)
    monkeypatch.setattr(writer.shutil, "rmtree", rmtree)


def _as_cold_build(site: Site) -> None:
    fresh = site.root / "fresh"
    assert site.run("--output", str(fresh), "--cache", str(site.root / "c2")).code == 0
    assert tree_digest(site.output) == tree_digest(fresh)


def test_a_staging_folder_held_after_a_whole_commit_is_finished_by_a_later_build(
        site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    # The output is whole when the staging folder goes; its journal is held open. The build
    # said "internal error"; then, its journal still there, the next one did too.
    site.build()
    staging = site.root / ".output.staging"
    _hold(monkeypatch, lambda path: path == staging / ".journal")
    site.write({"content/c.md": article("Bài C", date="2026-10-03")})
    assert site.run().code == 0
    assert (site.output / "tin/bai-c/index.html").is_file()
    site.write({"content/d.md": article("Bài D", date="2026-10-04")})
    result = site.run()  # still held: this build cannot stage its work, and says why
    assert result.code == 2
    assert "cannot delete .output.staging, which an earlier build left" in result.err
    monkeypatch.undo()
    assert site.run().code == 0
    assert leftovers(site) == []
    _as_cold_build(site)


def test_a_staging_folder_an_aborted_build_could_not_delete_is_deleted_later(
        site: Site, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # A build fails after staging pages (a template error on one page), and a staged page is
    # held: deleting the folder took its marker, and every later build refused the folder as
    # "not made by this tool".
    site.build()
    theme = tmp_path / "theme"
    shutil.copytree(PROJECT / "templates", theme)
    page = theme / "article.html"
    page.write_text(page.read_text(encoding="utf-8").replace(
        "{% block content %}", "{% block content %}{{ article.extra.missing.key }}", 1),
        encoding="utf-8")
    site.write({"content/c.md": article("Bài C", date="2026-10-03")})
    staging = site.root / ".output.staging"
    _hold(monkeypatch, lambda path: staging in path.parents and path.name == "index.html")
    assert site.run("--templates", str(theme)).code == 1
    assert (staging / MARKER).is_file()
    monkeypatch.undo()
    assert site.run().code == 0
    assert leftovers(site) == []
    _as_cold_build(site)


def test_a_build_killed_while_deleting_its_staging_folder_leaves_it_the_tools(
        site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    # Killed (Ctrl-C) half-way through deleting the staging folder after a whole commit: what
    # stays keeps its marker, which goes last, and the next build deletes it.
    site.build()
    staging = site.root / ".output.staging"
    real_unlink = os.unlink

    def interrupted(path, *args, **kwargs):  # type: ignore[no-untyped-def]
        if staging in Path(path).parents:
            raise KeyboardInterrupt
        return real_unlink(path, *args, **kwargs)

    monkeypatch.setattr(writer.os, "unlink", interrupted)
    site.write({"content/c.md": article("Bài C", date="2026-10-03")})
    assert site.run().code == 130
    assert (staging / MARKER).is_file()
    monkeypatch.undo()
    assert site.run().code == 0
    assert leftovers(site) == []
    _as_cold_build(site)


THEME = ["--templates", str(PROJECT / "templates"), "--static", str(PROJECT / "static")]


def test_a_build_with_a_read_only_cache_does_not_publish_and_then_call_it_an_internal_error(
        make_site) -> None:
    # The build published the new output, then failed in uptodate.save (EROFS unlinking its
    # stamp) and printed exit 3 "internal error ... a problem in the tool itself": the editor was
    # told the build failed (and to report a bug) while output/ was already replaced. Now the
    # cache folder is tried before anything is read: a usage error naming it, output/ as it was.
    site = make_site({"content/a.md": article("Bài một", body="Bản đầu."),
                      "content/b.md": article("Bài hai")})
    args = ["build", "--content", str(site.content), "--output", str(site.output),
            "--config", str(site.root / "site.toml"), "--cache", str(site.root / ".cache"),
            "--now", NOW, *THEME]
    first = subprocess.run(command(*args), cwd=site.root, env=env(), capture_output=True,
                           text=True)
    assert first.returncode == 0, first.stderr
    (site.content / "a.md").write_text(article("Bài một", body="Bản sửa."), encoding="utf-8")
    before = tree_digest(site.output)

    result = run_with_read_only(site.root / ".cache", args, cwd=site.root)
    assert "internal error" not in result.stderr, result.stderr
    assert result.returncode == 2, result.stderr
    assert tree_digest(site.output) == before, "a failed build changed output/"
    assert "error: cannot write the cache folder .cache: Read-only file system" in result.stderr \
        or os.geteuid() != 0, result.stderr
    assert "--cache" in result.stderr.partition("hint:")[2]
    assert not list(site.root.glob(".output.staging*"))


def test_a_build_into_an_output_folder_that_is_a_mount_point(make_site) -> None:
    # output/ mounted on its own (a Docker volume, an NFS share the web server reads): the
    # writer stages beside it, in .output.staging, and os.replace()d each file into it:
    # EXDEV "Invalid cross-device link" -> exit 3 "internal error", with .output.staging left
    # behind, on every build that changed a file. Now the changed page is published.
    site = make_site({"content/a.md": article("Bài một", body="Bản đầu.")})
    site.build()
    (site.content / "a.md").write_text(article("Bài một", body="Bản sửa."), encoding="utf-8")
    args = ["build", "--content", str(site.content), "--output", str(site.output),
            "--config", str(site.root / "site.toml"), "--cache", str(site.root / ".cache"),
            "--now", NOW, *THEME]
    result = run_with_output_mounted(site.output, args, cwd=site.root)
    assert "internal error" not in result.stderr, result.stderr
    assert result.returncode == 0, result.stderr
    assert "Bản sửa." in (site.output / "tin" / "bai-mot" / "index.html").read_text("utf-8")
    assert leftovers(site) == []


def _cross_device(monkeypatch: pytest.MonkeyPatch, site: Site,
                  copied: Callable[[Path], None] = lambda target: None) -> None:
    """Renames from the staging folder into the output fail as across file systems (EXDEV);
    ``copied`` is called before each file is copied into the output instead."""
    staging = str(site.root / ".output.staging")
    original_replace, original_copy = writer.os.replace, writer.shutil.copyfile

    def replace(source: str | Path, target: str | Path) -> None:
        if str(source).startswith(staging + os.sep):
            raise OSError(errno.EXDEV, "Invalid cross-device link")
        original_replace(source, target)

    def copyfile(source: Path, target: Path, **kwargs: bool) -> Path:
        copied(target)
        return original_copy(source, target, **kwargs)

    monkeypatch.setattr(writer.os, "replace", replace)
    monkeypatch.setattr(writer.shutil, "copyfile", copyfile)


def test_a_commit_across_file_systems_copies_each_file_beside_its_target(
        site: Site, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    site.build()
    (site.content / "a.md").unlink()
    site.write({"content/c.md": article("Bài C", date="2026-10-03")})
    outside = tmp_path / "outside.html"
    outside.write_text("ngoài", encoding="utf-8")
    # the home page's part file's name taken by a symlink: never written through
    os.symlink(outside, writer.part_of(site.output / "index.html"))
    copies: list[Path] = []
    _cross_device(monkeypatch, site, copies.append)
    site.build()
    monkeypatch.undo()
    assert writer.part_of(site.output / "index.html") in copies
    fresh = tmp_path / "fresh"
    site.build("--output", str(fresh))
    assert tree_digest(site.output) == tree_digest(fresh)
    assert leftovers(site) == []
    assert not [p for p in site.output.rglob("*") if p.name.endswith(writer.PART)]
    assert outside.read_text(encoding="utf-8") == "ngoài"


def test_a_commit_across_file_systems_puts_a_file_of_a_255_byte_name_in_place(
        site: Site, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # Its part file was named after it, 15 bytes longer: past the file system's limit, every
    # build on a mounted output stopped with exit 3, the site half published.
    long_name = "a" * 251 + ".txt"
    static = tmp_path / "static"
    static.mkdir()
    (static / long_name).write_text("một", encoding="utf-8")
    site.build("--static", str(static))
    (static / long_name).write_text("hai", encoding="utf-8")
    _cross_device(monkeypatch, site)
    site.build("--static", str(static))
    monkeypatch.undo()
    assert (site.output / long_name).read_text(encoding="utf-8") == "hai"
    assert leftovers(site) == []


def test_a_commit_across_file_systems_stopped_half_way_is_completed_by_the_next_run(
        site: Site, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    site.build()
    before = tree_digest(site.output)
    (site.content / "a.md").unlink()
    site.write({"content/c.md": article("Bài C", date="2026-10-03")})
    copies: list[Path] = []

    def power_cut(target: Path) -> None:
        copies.append(target)
        if len(copies) == 2:
            raise OSError(errno.EIO, "Input/output error")

    _cross_device(monkeypatch, site, power_cut)
    assert site.run().code == 3
    assert leftovers(site) == [".output.staging"]  # with its journal of the moves to make
    assert tree_digest(site.output) != before  # the first file is in place
    monkeypatch.undo()
    _cross_device(monkeypatch, site)
    site.build()
    monkeypatch.undo()
    fresh = tmp_path / "fresh"
    site.build("--output", str(fresh))
    assert leftovers(site) == []
    assert tree_digest(site.output) == tree_digest(fresh)
