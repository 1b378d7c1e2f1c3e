"""The cache's background writes: entries stay readable while written, survive, and a failed write
keeps them pending instead of losing them."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bulletin import cache as cache_mod
from bulletin.cache import Cache


def test_entries_are_readable_while_written_and_after(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(cache_mod, "FLUSH_BYTES", 64)  # a background write every few entries
    cache = Cache(tmp_path / "c")
    assert cache.keys("x") == set()
    for n in range(200):
        cache.put("x", f"k{n}", {"n": n, "text": "đường " * 10}, remember=False)
        assert cache.get("x", f"k{n // 2}") == {"n": n // 2, "text": "đường " * 10}
    cache.commit()
    cache.close()
    again = Cache(tmp_path / "c")
    found = again.get_many("x", [f"k{n}" for n in range(200)])
    assert found == {f"k{n}": {"n": n, "text": "đường " * 10} for n in range(200)}


def test_a_failed_background_write_keeps_its_entries_pending(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    cache = Cache(tmp_path / "c")
    cache.keys("x")  # opens the file, as a build does first
    real = sqlite3.connect

    def refuse(*args: object, **kwargs: object) -> sqlite3.Connection:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(cache_mod.sqlite3, "connect", refuse)
    cache.put("x", "a", 1, remember=False)
    cache.flush(wait=True)
    assert cache.pending and cache.get("x", "a") == 1
    monkeypatch.setattr(cache_mod.sqlite3, "connect", real)
    cache.commit()
    cache.close()
    assert Cache(tmp_path / "c").get("x", "a") == 1


@pytest.mark.parametrize("readonly", [True, False])
def test_a_readonly_cache_never_writes(tmp_path: Path, readonly: bool) -> None:
    cache = Cache(tmp_path / "c", readonly=readonly)
    cache.put("x", "a", 1)
    cache.commit()
    cache.close()
    assert (tmp_path / "c" / "bulletin.sqlite").exists() is not readonly


@pytest.mark.parametrize("readonly", [True, False])
def test_an_entry_pickled_elsewhere_reads_back_as_its_value(tmp_path: Path, readonly: bool) -> None:
    Cache(tmp_path / "c").close()  # the file exists, so a readonly cache opens it
    cache = Cache(tmp_path / "c", readonly=readonly)
    value = {"html": "<p>Đường dây</p>", "n": 3}
    cache.put("x", "old", 1)
    cache.put_pickled("x", "old", cache_mod.pickled(value))  # replaces the live copy too
    cache.put_pickled("x", "new", cache_mod.pickled(value))
    assert cache.get_many("x", ["old", "new"]) == {"old": value, "new": value}
    cache.commit()
    cache.close()
    stored = Cache(tmp_path / "c").get_many("x", ["old", "new"])
    assert stored == ({} if readonly else {"old": value, "new": value})


def test_a_resident_cache_keeps_content_keyed_entries_between_builds(tmp_path: Path,
                                                                        monkeypatch) -> None:  # type: ignore[no-untyped-def]
    plain = Cache(tmp_path / "c")
    plain.put("meta", "a", ("Bài A",), remember=False)
    plain.put("meta", "b", ("Bài B",), remember=False)
    plain.put("meta", "c", ("Bài C",), remember=False)
    plain.put("stat", "content/a.md", (1, 2))  # keyed by path: its value changes, never kept
    plain.commit()
    plain.close()
    kept: cache_mod.Resident = {}
    first = Cache(tmp_path / "c", resident=kept)  # reads from the file, keeps what it read
    assert first.get_many("meta", ["a", "b"]) == {"a": ("Bài A",), "b": ("Bài B",)}
    assert first.get("meta", "c", keep=False) == ("Bài C",)  # read, not used: not kept
    assert first.get("stat", "content/a.md") == (1, 2)
    first.put_pickled("meta", "d", cache_mod.pickled(("Bài D",)))
    first.commit()
    first.close()
    assert sorted(key.split(":", 1)[1] for _, key in kept) == ["a", "b", "d"]
    with sqlite3.connect(tmp_path / "c" / "bulletin.sqlite") as db:  # gone from the file
        db.execute("DELETE FROM entries")
    db.close()
    second = Cache(tmp_path / "c", resident=kept)
    assert second.get_many("meta", ["a", "b", "c", "d"]) == \
        {"a": ("Bài A",), "b": ("Bài B",), "d": ("Bài D",)}
    assert second.get("stat", "content/a.md") is None
    assert Cache(tmp_path / "c").get_many("meta", ["a", "b"]) == {}  # a plain cache has none
    # A build that stops (BuildFailed) commits without pruning: memory keeps everything.
    stopped = Cache(tmp_path / "c", resident=kept)
    stopped.get("meta", "a")
    stopped.commit(prune=False)
    assert len(kept) == 3
    # What a whole build did not use leaves memory when it commits, as it leaves the file.
    third = Cache(tmp_path / "c", resident=kept)
    assert third.get("meta", "a") == ("Bài A",)
    third.commit()
    assert [key.split(":", 1)[1] for _, key in kept] == ["a"]
    # Another version of the tool finds none of them, and drops them.
    monkeypatch.setattr(cache_mod, "code_version", lambda: "another")
    newer = Cache(tmp_path / "c", resident=kept)
    assert newer.get("meta", "a") is None
    newer.commit()
    assert kept == {}


def test_a_commit_keeps_the_entries_used_and_drops_the_rest_and_another_versions(
        tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    def stored() -> list[tuple[str, str]]:
        with sqlite3.connect(tmp_path / "c" / "bulletin.sqlite") as db:
            rows = sorted(db.execute("SELECT kind, key FROM entries"))
        db.close()
        return rows

    monkeypatch.setattr(cache_mod, "code_version", lambda: "old")
    first = Cache(tmp_path / "c")
    for key in ("a", "b", "c"):
        first.put("meta", key, key.upper(), remember=False)
    first.commit()
    first.close()
    # The same version, once the file holds entries: what this build did not use goes.
    second = Cache(tmp_path / "c")
    assert second.get_many("meta", ["a", "b"]) == {"a": "A", "b": "B"}
    second.commit()
    second.close()
    assert stored() == [("meta", "old:a"), ("meta", "old:b")]
    # A new version of the tool: every entry of the old one goes, used or not, with its own
    # entries that this build did not use.
    monkeypatch.setattr(cache_mod, "code_version", lambda: "new")
    third = Cache(tmp_path / "c")
    assert third.get("meta", "a") is None
    third.put("meta", "a", "A2", remember=False)
    third.put("meta", "z", "Z", remember=False)
    third.commit()
    third.close()
    assert stored() == [("meta", "new:a"), ("meta", "new:z")]
    fourth = Cache(tmp_path / "c")
    assert fourth.get("meta", "z") == "Z"
    fourth.commit()
    fourth.close()
    assert stored() == [("meta", "new:z")]
