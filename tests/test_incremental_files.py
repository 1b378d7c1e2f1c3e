"""Incremental = cold where the files an article names, or the output's own paths, change
between builds: files found under another Unicode form of their name, and output paths that
turn from a file into a folder or back."""

from __future__ import annotations

import shutil
import unicodedata

import pytest

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


def _with_static(site, *args: str):  # type: ignore[no-untyped-def]
    return site.run("--static", str(site.root / "static"), *args)


@pytest.mark.parametrize("first", ["file", "folder"])
def test_a_static_file_and_a_tag_folder_may_swap_places_between_builds(make_site, first) -> None:
    # Build 1: static/the/ha-noi is a file (or the tag Hà Nội has its folder the/ha-noi/).
    # Build 2: the other way round. No build has a clash, and a cold build of the second state
    # succeeds; the incremental commit moves the new path in before removing the old one, fails
    # with an internal error half-way, and its journal makes every later build fail the same way.
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
