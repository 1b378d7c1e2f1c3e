"""The search index and the search entry points: folded words, exact forms, shards, page weight."""

from __future__ import annotations

import json
import multiprocessing
import os
import sqlite3
import unicodedata
from dataclasses import replace
from pathlib import Path
from unittest import mock

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from bulletin import postings, search
from bulletin.search import (
    CHUNK,
    MemoryDocs,
    SearchDoc,
    build,
    fold,
    index_files,
    shard_of,
    words,
)

from .conftest import PROJECT, article, tree_digest

DATA = "tim-kiem/du-lieu"


def _index(output: Path) -> tuple[dict, dict[str, object]]:
    meta = json.loads((output / DATA / "meta.json").read_text(encoding="utf-8"))
    terms: dict[str, object] = {}
    for number in range(meta["shards"]):
        terms.update(json.loads((output / DATA / f"t/{number}.json").read_text(encoding="utf-8")))
    return meta, terms


def _docs(text: str) -> list[int]:
    return postings.decode([text])[1].tolist()


def _counts(text: str) -> list[int]:
    return postings.decode([text])[2].tolist()


def _rows(output: Path, meta: dict) -> list[list[str]]:
    rows: list[list[str]] = []
    for number in range((meta["docs"] + CHUNK - 1) // CHUNK):
        rows += json.loads((output / DATA / f"d/{number}.json").read_text(encoding="utf-8"))
    return rows


def test_fold_drops_tone_marks_and_maps_d_stroke_like_readers_type() -> None:
    assert fold("ĐƯỜNG dây Công an Thủ Đức") == "duong day cong an thu duc"
    # Text in decomposed form (NFD, as some editors save it) folds and splits the same way.
    assert words("Cộng hoà") == words(unicodedata.normalize("NFD", "Cộng hoà")) == ["cộng", "hoà"]
    assert words("Co\u0302ng an") == ["công", "an"]


def test_index_keeps_each_folded_word_with_its_exact_forms(make_site) -> None:
    site = make_site(
        {
            "content/a.md": article(
                "Triệt phá đường dây ma tuý",
                "2026-10-01T08:00:00+07:00",
                "Công an tỉnh triệt phá một đường dây.",
            ),
            "content/b.md": article(
                "Chín người dương tính", "2026-10-02T08:00:00+07:00", "Kết quả: dương tính."
            ),
        }
    )
    site.build()
    meta, terms = _index(site.output)
    rows = _rows(site.output, meta)
    assert meta["docs"] == 2
    assert [row[1] for row in rows] == ["Triệt phá đường dây ma tuý", "Chín người dương tính"]
    assert rows[0][0] == "/tin/triet-pha-duong-day-ma-tuy/" and rows[0][2] == "01/10/2026"
    duong = terms["duong"]
    assert sorted(duong) == ["dương", "đường"]
    assert _docs(duong["đường"]) == [0] and _docs(duong["dương"]) == [1]
    assert _counts(duong["đường"]) == [5 + 1]  # in the title (weight 5) and in the body
    assert _docs(terms["cong an"]) == [0]  # a phrase: the pair of words side by side
    assert "tinh ket" not in terms  # "tính." ends a sentence: no pair across it


def test_every_term_sits_in_the_shard_its_hash_names() -> None:
    docs = [
        SearchDoc(
            url=f"/tin/{i}/",
            title=f"Bài {i} về an ninh trật tự số {i * 7}",
            date="",
            summary="",
            tags="",
            lead="",
            body=" ".join(f"từ{i * j % 997}" for j in range(400)),
        )
        for i in range(300)
    ]
    files = dict(index_files(docs))
    meta = json.loads(files["meta.json"])
    assert meta["shards"] > 1, "a larger archive is split into shards"
    for number in range(meta["shards"]):
        for term in json.loads(files[f"t/{number}.json"]):
            assert shard_of(term, meta["shards"]) == number
    sizes = [len(data) for name, data in files.items() if name.startswith("t/")]
    assert max(sizes) < 6 * sum(sizes) / len(sizes), "shards are roughly even"
    assert len([n for n in files if n.startswith("d/")]) == (300 + CHUNK - 1) // CHUNK


def test_index_bytes_are_stable_and_old_articles_keep_their_ids(make_site, tmp_path: Path) -> None:
    files = {
        f"content/a{i}.md": article(f"Bài {i} về công an", f"2026-10-{i + 1:02d}T08:00:00+07:00")
        for i in range(5)
    }
    site = make_site(files)
    site.build()
    first = tree_digest(site.output / DATA)
    site.build("--output", str(tmp_path / "again"))
    assert tree_digest(tmp_path / "again" / DATA) == first
    meta, _ = _index(site.output)
    before = _rows(site.output, meta)
    site.write({"content/moi.md": article("Bài mới nhất", "2026-11-01T08:00:00+07:00")})
    site.build()
    meta, _ = _index(site.output)
    assert _rows(site.output, meta)[:5] == before  # the new article is appended, ids unchanged


def test_every_page_header_has_a_search_form_going_to_the_search_page(make_site) -> None:
    site = make_site(
        {
            f"content/a{i}.md": article(f"Bài {i}", tags='["Công an"]', category='"Tin tức"')
            for i in range(4)
        },
        config='title = "Thử"\nbase_url = "https://example.gov.vn/ban-tin/"\npage_size = 3\n',
    )
    site.build()
    pages = sorted(site.output.rglob("*.html"))
    assert len(pages) >= 8
    for path in pages:
        page = site.page("/" + path.relative_to(site.output).as_posix())
        forms = page.cssselect("header form[role=search]")
        assert len(forms) == 1, path
        assert forms[0].get("action") == "/ban-tin/tim-kiem/" and forms[0].get("method") == "get"
        field = forms[0].cssselect("input[name=q]")[0]
        assert page.cssselect(f"label[for={field.get('id')}]"), "the field has a label"
    search = site.page("/tim-kiem/")
    assert search.cssselect("#search-results")[0].get("data-index") == "/ban-tin/tim-kiem/du-lieu/"
    assert search.cssselect("script")[0].get("src") == "/ban-tin/js/search.js"
    assert search.cssselect("noscript")
    assert (site.output / DATA / "meta.json").is_file()


def test_article_pages_weigh_less_than_60_kb_with_their_css(make_site, tmp_path: Path) -> None:
    from bulletin.cli import main

    output = tmp_path / "sample"
    assert (
        main(
            [
                "build",
                "--content",
                str(PROJECT / "content"),
                "--config",
                str(PROJECT / "site.toml"),
                "--templates",
                str(PROJECT / "templates"),
                "--static",
                str(PROJECT / "static"),
                "--output",
                str(output),
                "--cache",
                str(tmp_path / "cache"),
                "--quiet",
                "--now",
                "2026-11-26T12:00:00+07:00",
            ]
        )
        == 0
    )
    css = (output / "css" / "style.css").stat().st_size
    heaviest = max((output / "tin").glob("*/index.html"), key=lambda p: p.stat().st_size)
    assert heaviest.stat().st_size + css < 60_000, (heaviest, heaviest.stat().st_size, css)


def _doc(number: int, extra: str = "") -> SearchDoc:
    body = " ".join(f"từ{(number * 31 + j * 7) % 211} đường" if j % 9 == 0 else f"chữ{j % 53}"
                    for j in range(120))
    return SearchDoc(url=f"/tin/{number}/", title=f"Tin số {number} về công an {extra}", date="",
                     summary=f"Tóm tắt {number}", tags="Công an . An ninh", lead="",
                     body=body + " " + extra)


def test_an_index_updated_from_the_last_build_equals_one_made_afresh(monkeypatch) -> None:
    # Small shards, so that an edit touches only some of them, as on a large site.
    monkeypatch.setattr(search, "SHARD_TARGET", 500)
    docs = [_doc(n) for n in range(400)]
    store = MemoryDocs()
    made, state = build(docs, None, store)
    assert made == index_files(docs) and len(state.shards) > 1
    assert state.rewritten == len(state.shards)
    steps = [
        # (change, whether only some shards are written again)
        (lambda d: d[:37] + [_doc(37, "dương tính mới")] + d[38:], True),  # one article edited
        (lambda d: d[:37] + [_doc(37)] + d[38:], True),  # edited back: "mới" leaves the index
        (lambda d: d + [_doc(400, "bài mới nhất"), _doc(401)], True),  # two articles added
        (lambda d: [_doc(n, "sửa") if n % 50 == 0 else x for n, x in enumerate(d)], True),
        (lambda d: d[:10] + d[11:], False),  # one removed: ids shift, made afresh
        (lambda d: [_doc(n, "tất cả") for n in range(len(d))], False),  # all changed: afresh
        (lambda d: d + [_doc(n, "lớn") for n in range(len(d), len(d) + 600)], False),  # larger
        (lambda d: d, True),  # nothing changed: nothing written again
    ]
    for step, partial in steps:
        docs = step(docs)
        made, state = build(docs, state, store)
        assert made == index_files(docs)
        assert (state.rewritten < len(state.shards)) == partial, state.rewritten
    assert state.rewritten == 0


def test_an_edit_takes_the_old_words_out_of_the_index() -> None:
    docs = [_doc(n) for n in range(40)]
    store = MemoryDocs()
    _, state = build(docs[:39] + [_doc(39, "Độc nhất vô nhị")], None, store)
    made, state = build(docs, state, store)
    terms: dict[str, object] = {}
    for name, data in made:
        if name.startswith("t/"):
            terms.update(json.loads(data))
    assert "doc" not in terms and "nhat vo" not in terms
    assert _docs(terms["cong"]["công"]) == list(range(40))  # type: ignore[index]


def _term_shards(made: list[tuple[str, bytes]]) -> dict[str, bytes]:
    return {name: data for name, data in made if name.startswith("t/")}


def _differing(before: list[tuple[str, bytes]], after: list[tuple[str, bytes]]) -> int:
    """How many term shards differ in bytes between two indexes of the same shard count."""
    old, new = _term_shards(before), _term_shards(after)
    assert old.keys() == new.keys()
    return sum(old[name] != new[name] for name in old)


def test_an_edit_rewrites_only_the_shards_whose_terms_change(monkeypatch) -> None:
    # Small shards, as on a large site: 400 articles make 512 of them.
    monkeypatch.setattr(search, "SHARD_TARGET", 500)
    docs = [_doc(n) for n in range(400)]
    store = MemoryDocs()
    made, state = build(docs, None, store)
    assert len(state.shards) == 512
    sentence = replace(docs[37], body=docs[37].body + " Thêm một câu mới.")
    steps = [
        # (the docs after the edit, the most shards it may write again)
        # Only the summary, which is shown but not indexed: no term shard is written again.
        (docs[:9] + [replace(docs[9], summary="Khác")] + docs[10:], 0),
        (docs, 0),
        (docs[:37] + [sentence] + docs[38:], 8),  # 4 new words and 4 new pairs
        (docs, 8),  # the sentence removed again: its words leave the index
        # Only a count changes: "đường" is in every body, and a lead of one word has no pair.
        (docs[:5] + [replace(docs[5], lead="đường")] + docs[6:], 1),
        # Only the exact form changes: "dương" folds to the same key, "duong".
        (docs[:5] + [replace(docs[5], lead="dương")] + docs[6:], 1),
        # Two articles at once, one of them with no change to its terms (only the summary).
        (docs[:5] + [replace(docs[5], lead="dương đường")]
         + docs[6:9] + [replace(docs[9], summary="Khác")] + docs[10:], 2),
    ]
    for after, most in steps:
        again, state = build(after, state, store)
        assert again == index_files(after)
        assert state.rewritten == _differing(made, again) <= most
        made = again
    terms: dict[str, object] = {}
    for data in _term_shards(made).values():
        terms.update(json.loads(data))
    duong: dict[str, str] = terms["duong"]  # type: ignore[assignment]
    assert 5 in _docs(duong["dương"]) and _docs(terms["duong duong"]) == [5]  # type: ignore[arg-type]
    # 14 times in the body (weight 1), once in the lead (weight 2).
    assert dict(zip(_docs(duong["đường"]), _counts(duong["đường"]), strict=True))[5] == 16


_TAKEN = multiprocessing.get_context("fork").Event()  # set when a worker reads a batch


def _both_read(real):  # type: ignore[no-untyped-def]
    """search._read_parts, made to wait in the build's process until a worker has read a batch
    too, so that both surely do."""
    parent = os.getpid()
    _TAKEN.clear()

    def spy(shared, start, stop):  # type: ignore[no-untyped-def]
        if os.getpid() != parent:
            _TAKEN.set()
        else:
            assert _TAKEN.wait(60), "no worker read a batch"
        return real(shared, start, stop)

    return spy


def test_worker_processes_read_into_the_index_what_one_process_reads(monkeypatch) -> None:
    # From PARALLEL articles on, forked workers read batches of them beside the build's own
    # process, each numbering its words alone; the index numbers them afterwards.
    monkeypatch.setattr(search, "PARALLEL", 300)
    docs = [_doc(n, "Đường dây mới" if n % 7 == 0 else "dương tính") for n in range(700)]
    monkeypatch.setenv("BULLETIN_WORKERS", "1")
    alone = index_files(docs)
    monkeypatch.setenv("BULLETIN_WORKERS", "2")
    monkeypatch.setattr(search, "_read_parts", _both_read(search._read_parts))
    assert index_files(docs) == alone
    files = dict(alone)
    terms: dict[str, object] = {}
    for number in range(json.loads(files["meta.json"])["shards"]):
        terms.update(json.loads(files[f"t/{number}.json"]))
    assert sorted(terms["duong"]) == ["dương", "đường"]  # type: ignore[call-overload]
    assert _docs(terms["duong"]["đường"]) == list(range(700))  # type: ignore[index]
    assert _docs(terms["duong day"]) == list(range(0, 700, 7))  # type: ignore[arg-type]
    # A word first met in a batch read by the worker, and in none before it.
    assert _docs(terms["tu210"]["từ210"]) == [n for n in range(700)  # type: ignore[index]
                                              if any((n * 31 + j * 7) % 211 == 210
                                                     for j in range(0, 120, 9))]


def test_texts_unreadable_in_the_cache_are_made_again_here_not_in_a_worker(
        make_site, monkeypatch, tmp_path: Path) -> None:
    # A worker reads only the texts that the cache holds: a batch with a text that cannot be
    # read is read in the build's own process, where the text is made again (and stored).
    monkeypatch.setattr(search, "PARALLEL", 20)
    monkeypatch.setenv("BULLETIN_WORKERS", "2")
    site = make_site({f"content/a{n:02d}.md": article(
        f"Bài {n}", f"2026-10-{n % 28 + 1:02d}T{n // 28 + 8:02d}:00:00+07:00",
        body=f"Nội dung số {n} về an ninh, bài thứ {n}.") for n in range(40)})
    site.build()
    db = sqlite3.connect(site.root / ".cache" / "bulletin.sqlite")
    with db:
        db.execute("UPDATE entries SET value = x'00' WHERE kind = 'text'")  # unreadable
    db.close()
    site.write({"content/a07.md": article("Bài 7", "2026-10-08T08:00:00+07:00",
                                          body="Nội dung số 7 về phòng cháy.")})
    asked: list[str] = []  # body keys whose texts the index asked for, to be made if need be
    real = search.files

    def spy(articles, routes, date_format, cache, texts, cached, language):  # type: ignore[no-untyped-def]
        def counted(keys):  # type: ignore[no-untyped-def]
            asked.extend(keys)
            return texts(keys)

        return real(articles, routes, date_format, cache, counted, cached, language)

    monkeypatch.setattr(search, "files", spy)
    monkeypatch.setattr(search, "_read_parts", _both_read(search._read_parts))
    site.build()
    # The texts of all 40 articles, all read here (a worker could not have told this process
    # that it made one again): 39 made again, the edited one's new text at hand; and the old
    # version of the edited one, for the update that found it gone.
    assert len(set(asked)) == len(asked) == 41
    site.build("--output", str(tmp_path / "cold"), "--cache", str(tmp_path / "cold-cache"))
    assert tree_digest(site.output / DATA) == tree_digest(tmp_path / "cold" / DATA)
    meta, terms = _index(site.output)
    titles = [row[1] for row in _rows(site.output, meta)]
    assert [titles[n] for n in _docs(terms["phong chay"])] == ["Bài 7"]  # type: ignore[arg-type]
    assert sorted(titles[n] for n in _docs(terms["an ninh"])) == sorted(  # type: ignore[arg-type]
        f"Bài {n}" for n in range(40) if n != 7)


def test_an_old_store_entry_makes_the_index_afresh(monkeypatch) -> None:
    monkeypatch.setattr(search, "SHARD_TARGET", 500)
    docs = [_doc(n) for n in range(100)]
    store = MemoryDocs()
    _, state = build(docs, None, store)
    key = state.keys[7]
    # What an earlier version stored by an article's key: 16-bit CRC-32s, not the doc.
    store.held[key] = np.array([3, 9, 40, 41], dtype=np.uint16).tobytes()
    edited = docs[:7] + [_doc(7, "sửa")] + docs[8:]
    made, state = build(edited, state, store)
    assert made == index_files(edited)
    assert state.rewritten == len(state.shards) > 1  # made afresh, not misread


_VOCABULARY = ["đường", "dương", "Đường", "duong", "công", "cống", "cộng", "an", "ấn", "tin",
               "tín", "mới", "moi", "ma", "tuý", "mà", "12", "2026"]
_WORDS = st.lists(st.sampled_from(_VOCABULARY), max_size=12).map(" ".join)
_FIELDS = st.sampled_from(["title", "lead", "body", "tags"])
_EDITS = st.one_of(
    st.tuples(st.just("set"), st.integers(0, 40), _FIELDS, _WORDS),  # a field written anew
    st.tuples(st.just("append"), st.integers(0, 40), _FIELDS,
              st.sampled_from(_VOCABULARY)),  # a word more: a count changes, or a pair comes
    st.tuples(st.just("add"), _WORDS, _WORDS),  # an article added (title, body)
)


def _search_doc(number: int, title: str, body: str) -> SearchDoc:
    return SearchDoc(url=f"/tin/{number}/", title=title, date="", summary="", tags="", lead="",
                     body=body)


@settings(max_examples=80, deadline=None)
@given(start=st.lists(st.tuples(_WORDS, _WORDS), min_size=1, max_size=12),
       steps=st.lists(st.lists(_EDITS, min_size=1, max_size=3), min_size=1, max_size=6))
def test_random_edits_update_the_index_to_what_a_fresh_one_holds(start, steps) -> None:  # type: ignore[no-untyped-def]
    docs = [_search_doc(n, title, body) for n, (title, body) in enumerate(start)]
    store = MemoryDocs()
    with mock.patch.object(search, "SHARD_TARGET", 120):
        made, state = build(docs, None, store)
        for step in steps:
            for edit in step:
                if edit[0] == "add":
                    docs.append(_search_doc(len(docs), edit[1], edit[2]))
                    continue
                number, field = edit[1] % len(docs), edit[2]
                text = edit[3] if edit[0] == "set" else getattr(docs[number], field) + " " + edit[3]
                docs[number] = replace(docs[number], **{field: text})
            again, next_state = build(docs, state, store)
            assert again == index_files(docs)
            if len(next_state.shards) == len(state.shards):  # updated, not made afresh
                assert next_state.rewritten == _differing(made, again)
            made, state = again, next_state


def test_a_build_keys_each_article_as_its_search_doc_would_be_keyed(make_site, monkeypatch) -> None:
    # The keys are worked out from the articles, without making their docs: they must be the
    # docs' own keys, or an edit to a field could go unseen.
    seen: list[tuple[list[SearchDoc], list[str]]] = []
    real = search.build

    def spy(docs, previous=None, store=None, keys=None):  # type: ignore[no-untyped-def]
        seen.append((list(docs), list(keys)))
        return real(docs, previous, store, keys)

    monkeypatch.setattr(search, "build", spy)
    site = make_site({
        "content/a.md": article("Công an xã", tags='["An ninh", "Hưng Yên"]', category='"Tin tức"',
                                summary='"Một câu tóm tắt."', body="Tuần tra ban đêm."),
        "content/b.md": article("Phòng cháy", "2026-10-02T08:00:00+07:00", body="Diễn tập."),
    })
    site.build()
    [(docs, keys)] = seen
    assert [d.title for d in docs] == ["Công an xã", "Phòng cháy"]
    assert docs[0].tags == "An ninh . Hưng Yên . Tin tức" and docs[0].lead == "Một câu tóm tắt."
    assert keys == [search._doc_key(d) for d in docs]
    assert len(set(keys)) == 2


def test_an_edit_stores_again_only_the_index_files_it_changed(make_site, monkeypatch,
                                                              tmp_path: Path) -> None:
    import sqlite3

    from bulletin.cache import Cache

    monkeypatch.setattr(search, "SHARD_TARGET", 100)  # shards of a few terms each

    def text(number: int, extra: str = "") -> str:
        when = f"2026-10-{number % 28 + 1:02d}T08:{number:02d}:00+07:00"
        return article(f"Bài {number} về công an xã", when,
                       body=f"Tuần tra ban đêm số {number}, bắt giữ {number} đối tượng.{extra}")

    site = make_site({f"content/a{n:02d}.md": text(n) for n in range(40)})
    site.build()
    before = tree_digest(site.output / DATA)
    stored: list[str] = []
    put = Cache.put

    def spy(self, kind, key, value, remember=True):  # type: ignore[no-untyped-def]
        if kind == search.FILES:
            stored.append(key)
        put(self, kind, key, value, remember)

    monkeypatch.setattr(Cache, "put", spy)
    site.write({"content/a07.md": text(7, " Thêm một câu mới.")})
    site.build()
    after = tree_digest(site.output / DATA)
    changed = [name for name in after if name != "meta.json" and before.get(name) != after[name]]
    assert 1 < len(stored) == len(changed) < len(after) / 4
    site.build("--output", str(tmp_path / "cold"), "--cache", str(tmp_path / "cold-cache"))
    assert tree_digest(tmp_path / "cold" / DATA) == after
    # A file missing from the cache: the index is made afresh, the same.
    db = sqlite3.connect(site.root / ".cache" / "bulletin.sqlite")
    with db:
        db.execute("DELETE FROM entries WHERE rowid = "
                   "(SELECT min(rowid) FROM entries WHERE kind = ?)", (search.FILES,))
    db.close()
    site.write({"content/a07.md": text(7)})
    site.build()
    site.build("--output", str(tmp_path / "cold2"), "--cache", str(tmp_path / "cold-cache2"))
    assert tree_digest(site.output / DATA) == tree_digest(tmp_path / "cold2" / DATA) == before


def test_an_edit_reads_from_the_cache_only_the_old_version_of_the_edited_article(
        make_site, monkeypatch, tmp_path: Path) -> None:
    # Texts come from the cache, and only where the index is worked out again: here the old
    # version of the edited article, to find the postings that changed (the new version was
    # just rendered: its text is at hand).
    from bulletin.cache import Cache

    site = make_site({f"content/a{n:02d}.md": article(
        f"Bài {n}", f"2026-10-{n + 1:02d}T08:00:00+07:00", body=f"Nội dung số {n} về an ninh.")
        for n in range(20)})
    site.build()
    read: list[str] = []  # what the index reads of the texts in the cache
    indexing = False
    real, real_files = Cache.get_many, search.files

    def spy(self, kind, keys, keep=True):  # type: ignore[no-untyped-def]
        found = real(self, kind, keys, keep)
        if kind == "text" and indexing:
            read.extend(text.strip() for text in found.values())
        return found

    def files(*args, **names):  # type: ignore[no-untyped-def]
        nonlocal indexing
        indexing = True
        try:
            return real_files(*args, **names)
        finally:
            indexing = False

    monkeypatch.setattr(Cache, "get_many", spy)
    monkeypatch.setattr(search, "files", files)
    site.write({"content/a07.md": article("Bài 7", "2026-10-08T08:00:00+07:00",
                                          body="Nội dung số 7 về phòng cháy.")})
    site.build()
    assert read == ["Nội dung số 7 về an ninh."]
    site.build("--output", str(tmp_path / "cold"), "--cache", str(tmp_path / "cold-cache"))
    assert tree_digest(site.output / DATA) == tree_digest(tmp_path / "cold" / DATA)
    _, terms = _index(site.output)
    assert _docs(terms["phong chay"]) == [7] and _docs(terms["an ninh"]) == [  # type: ignore[arg-type]
        n for n in range(20) if n != 7]
    # The old version's text gone from the cache: the index is made afresh, the same.
    import sqlite3

    db = sqlite3.connect(site.root / ".cache" / "bulletin.sqlite")
    with db:
        db.execute("DELETE FROM entries WHERE kind = 'text'")
    db.close()
    site.write({"content/a07.md": article("Bài 7", "2026-10-08T08:00:00+07:00",
                                          body="Nội dung số 7 về giao thông.")})
    site.build()
    site.build("--output", str(tmp_path / "cold2"), "--cache", str(tmp_path / "cold-cache2"))
    assert tree_digest(site.output / DATA) == tree_digest(tmp_path / "cold2" / DATA)


def test_an_archive_without_words_has_an_empty_index() -> None:
    files = dict(index_files([SearchDoc(url="/tin/a/", title="", date="", summary="", tags="",
                                        lead="", body="")]))
    assert files["t/0.json"] == b"{}" and json.loads(files["meta.json"])["shards"] == 1
    assert dict(index_files([]))["t/0.json"] == b"{}"


def test_a_static_file_in_the_search_index_s_place_is_refused_and_nothing_is_written(make_site) -> None:
    site = make_site({"content/a.md": article("Công an xã", body="Tuần tra ban đêm.")})
    site.build()
    before = tree_digest(site.output)
    site.write({f"static/{DATA}/meta.json": "{}"})
    result = site.run("--static", str(site.root / "static"))
    assert result.code == 1
    assert f"{DATA}/meta.json" in result.err and "the search index" in result.err
    assert tree_digest(site.output) == before
    assert not (site.root / ".output.staging").exists()


def test_search_js_folds_the_same_letters_as_the_index() -> None:
    # search.js writes out its own copy of the table (slug.LETTERS and CAPITALS, and ς): a
    # letter missing there would be indexed under one form and looked up under another.
    import re

    script = (PROJECT / "static" / "js" / "search.js").read_text(encoding="utf-8")
    table = json.loads(re.search(r"var LETTERS = (\{.*?\});", script, re.DOTALL)[1])
    lower = {letter: bare for letter, bare in search._LETTERS.items() if letter == letter.lower()}
    assert table == lower
    assert set(re.search(r"replace\(/\[(.*?)\]/g", script)[1]) == set(table)
