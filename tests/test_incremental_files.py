"""Incremental = cold where the files an article names, or the output's own paths, change
between builds: files found under another Unicode form of their name, and output paths that
turn from a file into a folder or back."""

from __future__ import annotations

import os
import shutil
import unicodedata

import pytest

from bulletin import markup

from .conftest import PROJECT, article, saved_long_ago, tree_digest

NFC = unicodedata.normalize("NFC", "văn-bản.pdf")
NFD = unicodedata.normalize("NFD", "văn-bản.pdf")


@pytest.fixture(autouse=True)
def _long_ago(monkeypatch):  # type: ignore[no-untyped-def]
    saved_long_ago(monkeypatch)


def _cold(site) -> tuple[int, dict[str, str]]:  # type: ignore[no-untyped-def]
    fresh = site.root / "fresh"
    result = site.run("--output", str(fresh), "--cache", str(site.root / "cache2"))
    return result.code, (tree_digest(fresh) if result.code == 0 else {})


def _incremental(site):  # type: ignore[no-untyped-def]
    result = site.run("--cache", str(site.root / "cache"))
    return result.code, (tree_digest(site.output) if result.code == 0 else {})


def _bundle(body: str) -> dict[str, str | bytes]:
    return {"content/bai/index.md": article("Bài có văn bản", body=body)}


def test_a_twin_added_for_a_missing_attachment_is_found_by_the_next_build(make_site) -> None:
    # The link names the file in NFC; the file is missing (an error). Saved in NFD (as from a
    # Mac), a cold build finds it; the body cached with the error only re-checks the NFC path.
    site = make_site(_bundle(f"Xem [văn bản]({NFC})."))
    assert site.run("--cache", str(site.root / "cache")).code == 1
    (site.content / "bai" / NFD).write_bytes(b"%PDF-1.4 quyet dinh")
    assert _cold(site)[0] == 0
    assert _incremental(site) == _cold(site)


def test_an_exact_name_added_beside_a_twin_is_attached_as_a_cold_build_does(make_site) -> None:
    # First only the NFD file: the NFC link finds it as a twin. Then the NFC file appears too: a
    # cold build attaches the file of the exact name; the cached body keeps the twin.
    site = make_site({**_bundle(f"Xem [văn bản]({NFC})."),
                      f"content/bai/{NFD}": b"%PDF-1.4 ban NFD"})
    assert _incremental(site)[0] == 0
    (site.content / "bai" / NFC).write_bytes(b"%PDF-1.4 ban NFC, dung ten")
    assert _incremental(site) == _cold(site)


def test_a_twin_saved_within_the_folders_timestamp_step_is_found_by_the_next_build(
        make_site) -> None:
    # On a file system with coarse timestamps (FAT, HFS+, a network share) a file saved within
    # the folder's mtime step leaves the folder's mtime as it was. A process that builds again
    # (serve; here, in-process runs) does not trust a folder's listing from an earlier build.
    site = make_site(_bundle(f"Xem [văn bản]({NFC})."))
    folder = site.content / "bai"
    assert site.run("--cache", str(site.root / "cache")).code == 1
    before = folder.stat()
    (folder / NFD).write_bytes(b"%PDF-1.4 quyet dinh")
    os.utime(folder, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert folder.stat().st_mtime_ns == before.st_mtime_ns
    assert _incremental(site) == _cold(site)
    assert _cold(site)[0] == 0


def test_a_folder_is_listed_once_a_build_for_names_in_another_form(make_site, monkeypatch,
                                                                   ) -> None:
    # Each article of a flat folder links a file saved under the other Unicode form of its name:
    # the folder (every article of the site, on a real one) is read once a build, not per link.
    files: dict[str, str | bytes] = {
        f"content/bai-{n}.md": article(f"Bài số {n}", body=f"Xem [văn bản {n}]({NFC}).")
        for n in range(6)}
    site = make_site({**files, f"content/{NFD}": b"%PDF-1.4 van ban"})
    listed: list[str] = []
    real = os.listdir

    def listdir(path):  # type: ignore[no-untyped-def]
        listed.append(os.fspath(path))
        return real(path)

    monkeypatch.setattr(markup.os, "listdir", listdir)
    assert site.run("--cache", str(site.root / "cache")).code == 0
    assert [path for path in listed if "content" in path] == [str(site.content)]
    (site.content / "bai-0.md").write_text(article("Bài số 0, sửa", body=f"[Xem]({NFC})."),
                                           encoding="utf-8")
    listed.clear()
    assert site.run("--cache", str(site.root / "cache")).code == 0
    assert [path for path in listed if "content" in path] == [str(site.content)]
    assert _incremental(site) == _cold(site)


def test_a_twin_file_is_found_beside_a_folder_of_the_typed_name(make_site) -> None:
    # The link is typed in NFD; an entry of that very name is a folder; the file is saved in
    # NFC. The file is the link's, as it would be without the folder.
    site = make_site({**_bundle(f"Xem [văn bản]({NFD})."),
                      f"content/bai/{NFC}": b"%PDF-1.4 ban NFC"})
    (site.content / "bai" / NFD).mkdir()
    assert _cold(site)[0] == 0
    code, pages = _incremental(site)
    attached = [path for path in pages if path.endswith(".pdf")]
    assert code == 0 and len(attached) == 1 and attached[0].endswith(f"/{NFC}")


def _with_static(site, *args: str):  # type: ignore[no-untyped-def]
    return site.run("--static", str(site.root / "static"), *args)


@pytest.mark.parametrize("windows", [False, True], ids=["posix", "windows-replace"])
@pytest.mark.parametrize("first", ["file", "folder"])
def test_a_static_file_and_a_tag_folder_may_swap_places_between_builds(make_site, monkeypatch,
                                                                       first, windows) -> None:
    # Build 1: static/the/ha-noi is a file (or the tag Hà Nội has its folder the/ha-noi/).
    # Build 2: the other way round. No build has a clash, and a cold build of the second state
    # succeeds; the incremental commit moved the new path in before removing the old one, failed
    # with an internal error half-way, and its journal made every later build fail the same way.
    # On Windows, os.replace onto a folder raises PermissionError (not IsADirectoryError).
    if windows:
        from bulletin import writer

        real_replace = os.replace

        def replace(source, target):  # type: ignore[no-untyped-def]
            if os.path.isdir(target) and not os.path.isdir(source):
                raise PermissionError(13, "Access is denied", str(target))
            return real_replace(source, target)

        monkeypatch.setattr(writer.os, "replace", replace)
    site = make_site({"content/a.md": article("Bài A", tags='["Hà Tây"]')})
    shutil.copytree(PROJECT / "static", site.root / "static")
    static_file = site.root / "static" / "the" / "ha-noi"
    static_file.parent.mkdir()

    def state(file: bool) -> None:
        if file:
            static_file.write_bytes(b"tep tinh")
        else:
            static_file.unlink(missing_ok=True)
        (site.content / "a.md").write_text(
            article("Bài A", tags='["Hà Tây"]' if file else '["Hà Nội"]'), encoding="utf-8")

    state(first == "file")
    assert _with_static(site, "--cache", str(site.root / "cache")).code == 0
    state(first != "file")
    cold = _with_static(site, "--output", str(site.root / "fresh"),
                        "--cache", str(site.root / "c2"))
    assert cold.code == 0
    incremental = _with_static(site, "--cache", str(site.root / "cache"))
    assert incremental.code == 0, incremental.err
    assert tree_digest(site.output) == tree_digest(site.root / "fresh")
