"""Related articles: Vietnamese terms, ranking with news sense, pins, explanations, list quality."""

from __future__ import annotations

import subprocess
import sys
import unicodedata
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks.corpus import generate
from bulletin.pipeline import Options, build
from bulletin.related import Doc, Match, explain, related
from bulletin.terms import occurrences, spelled, terms, tokenise
from tests.conftest import PROJECT, article

DRUG = "Lực lượng công an triệt phá đường dây mua bán ma tuý, thu giữ heroin và ma tuý tổng hợp."
FIRE = "Cảnh sát phòng cháy chữa cháy dập tắt đám cháy nhà xưởng, cứu nạn cứu hộ kịp thời."
ROAD = "Cảnh sát giao thông xử lý xe vi phạm nồng độ cồn trên quốc lộ vào ban đêm."


def doc(
    title: str,
    text: str = "",
    tags: tuple[str, ...] = (),
    day: float = 0.0,
    category: str | None = None,
    pins: tuple[int, ...] = (),
    summary: str = "",
) -> Doc:
    return Doc(
        tags=tags, title=title, summary=summary, text=text, day=day, category=category, pins=pins
    )


def indexes(found: tuple[Match, ...]) -> list[int]:
    return [m.index for m in found]


# -- Vietnamese terms ---------------------------------------------------------------------------
def test_terms_are_syllables_and_bigrams_without_stop_syllables() -> None:
    found = terms("Công an tỉnh và lực lượng phòng cháy")
    assert "công an" in found and "phòng cháy" in found and "lực lượng" in found
    assert "và" not in found and "tỉnh lực" not in found  # a stop-syllable breaks a bigram
    assert "cháy" in found and "công" in found


def test_terms_ignore_case_and_unicode_form() -> None:
    composed = "Ma tuý tổng hợp ở Hưng Yên"
    decomposed = unicodedata.normalize("NFD", composed.upper())
    assert decomposed != composed
    assert terms(decomposed) == terms(composed)


def test_punctuation_and_numbers_break_bigrams() -> None:
    found = terms("Phòng cháy, chữa cháy: 12 vụ cháy rừng")
    assert "cháy chữa" not in found and "cháy vụ" not in found
    assert "phòng cháy" in found and "chữa cháy" in found and "cháy rừng" in found
    assert "12" not in found


def test_the_texts_of_a_batch_never_make_a_bigram_together() -> None:
    tokens = tokenise(["Công an tỉnh", "Ma tuý", "phòng cháy"])
    found = occurrences(tokens)
    pairs = sorted(zip(spelled(tokens, found), found.text.tolist(), strict=True))
    assert ("tỉnh ma" not in [w for w, _ in pairs]) and ("tuý phòng" not in [w for w, _ in pairs])
    assert ("công an", 0) in pairs and ("ma tuý", 1) in pairs and ("phòng cháy", 2) in pairs


def test_a_text_may_hold_the_separator_of_a_batch() -> None:
    tokens = tokenise(["ma\x1ftuý", "công an"], digits=True)
    assert tokens.text.tolist() == [0, 0, 1, 1]
    assert "ma tuý" in terms("ma\x1ftuý") and terms("\x1f") == []


def test_every_code_unit_is_coded_by_the_rule_of_words() -> None:
    # The tables are worked out with map and numpy; here, one character at a time.
    from bulletin import terms as module

    # A unit that may compose with the one before it: the second half of a canonical pair,
    # a Hangul vowel or final consonant, a surrogate.
    composing = {int(parts[1], 16) for unit in range(65536)
                 if len(parts := unicodedata.decomposition(chr(unit)).split()) == 2
                 and not parts[0].startswith("<")}
    composing |= {*range(0x1161, 0x1176), *range(0x11A8, 0x11C3), *range(0xD800, 0xE000)}
    for digits in (False, True):
        codes, marked, _, _ = module._tables(digits)
        for unit in range(65536):
            char = chr(unit)
            low = char.lower() if len(char.lower()) == 1 else char
            word = low.isalnum() if digits else low.isalpha()
            space = low.isspace() or (digits and low == "_")
            expected = ord(low) if word else module._SPACE if space else module._BREAK
            if char == module.SEPARATOR:
                expected = module._SEPARATOR
            assert codes[unit] == expected, (digits, hex(unit))
            suspect = (unicodedata.normalize("NFC", char) != char
                       or unicodedata.combining(char) != 0 or unit in composing)
            assert marked[unit] == (module._SUSPECT if suspect else expected), (digits, hex(unit))
        assert marked[ord("ê")] == ord("ê") and marked[ord("\u0302")] == module._SUSPECT


VIETNAMESE = "aăâeêioôơuưyđAĂÂĐ" + "\u0300\u0301\u0303\u0309\u0323\u0302\u0306\u031b"


@settings(max_examples=150, deadline=None)
@given(
    st.text(alphabet=st.sampled_from(VIETNAMESE + " ,.\u1100\u1161\u11a8\u0958\u2126😀")),
    st.text(),
)
def test_terms_are_the_same_in_any_unicode_form(vietnamese: str, anything: str) -> None:
    for text in (vietnamese, anything, vietnamese + anything):
        for form in ("NFC", "NFD", "NFKC"):
            normal = unicodedata.normalize(form, text)
            assert terms(normal) == terms(unicodedata.normalize("NFC", normal))


# -- ranking ------------------------------------------------------------------------------------
def test_never_the_article_itself_and_full_lists() -> None:
    docs = [doc(f"Ma tuý số {i}", DRUG, ("ma-tuy",), day=i) for i in range(8)]
    for i, found in enumerate(related(docs, 5)):
        assert len(found) == 5
        assert i not in indexes(found)
        assert len(set(indexes(found))) == 5


def test_two_runs_give_the_same_lists() -> None:
    docs = [
        doc(
            f"Tin {i}",
            [DRUG, FIRE, ROAD][i % 3],
            (["ma-tuy", "chay", "giao-thong"][i % 3],),
            day=i % 5,
        )
        for i in range(30)
    ]
    first = related(docs, 5)
    assert first == related(list(docs), 5)
    assert first == related(tuple(docs), 5)


def test_pins_come_first_in_their_order_then_the_rest_fills() -> None:
    docs = [
        doc("Triệt phá đường dây ma tuý", DRUG, ("ma-tuy",), pins=(3, 2)),
        doc("Ma tuý tổng hợp", DRUG, ("ma-tuy",)),
        doc("Cháy nhà xưởng", FIRE, ("chay",)),
        doc("Xử lý vi phạm nồng độ cồn", ROAD, ("giao-thong",)),
        doc("Thu giữ heroin", DRUG, ("ma-tuy",)),
    ]
    found = related(docs, 4)[0]
    assert indexes(found)[:2] == [3, 2]
    assert [m.reason for m in found[:2]] == ["pinned", "pinned"]
    assert set(indexes(found)[2:]) == {1, 4}  # the scored articles fill the rest


def test_a_rare_shared_tag_beats_a_common_one() -> None:
    filler = [doc(f"Tin {i}", ROAD, ("tin-tuc",), day=i) for i in range(20)]
    docs = [
        doc("Bài gốc", "Nội dung chung.", ("tin-tuc", "karaoke")),
        doc("Chung thẻ hiếm", "Nội dung chung.", ("karaoke", "xa-hoi")),
        doc("Chung thẻ phổ biến", "Nội dung chung.", ("tin-tuc",)),
        doc("Thẻ hiếm khác", FIRE, ("karaoke",)),
    ] + filler
    found = related(docs, 3)[0]
    assert found[0].index == 1
    scores = {m.index: m.score for m in found}
    assert 2 not in scores or scores[2] < scores[1]


def test_an_untagged_article_gets_neighbours_by_its_text() -> None:
    docs = [doc("Bắt đối tượng tàng trữ ma tuý", "Công an bắt đối tượng tàng trữ heroin, ma tuý.")]
    docs += [doc(f"Ma tuý {i}", DRUG, ("ma-tuy",), day=i) for i in range(3)]
    docs += [doc(f"Cháy {i}", FIRE, ("chay",), day=i) for i in range(3)]
    found = related(docs, 3)[0]
    assert set(indexes(found)) == {1, 2, 3}
    assert all(m.reason == "score" for m in found)


def test_title_and_summary_weigh_more_than_body() -> None:
    docs = [
        doc("Đường dây ma tuý", "Bản tin tổng hợp trong ngày."),
        doc("Triệt phá đường dây ma tuý", "Bản tin tổng hợp trong tuần."),
        doc("Bản tin trong tuần", "Đường dây ma tuý. Bản tin tổng hợp."),
        doc("Giao thông", ROAD),
        doc("Cháy", FIRE),
    ]
    assert indexes(related(docs, 2)[0]) == [1, 2]
    summary = [
        doc("Đường dây ma tuý", "Bản tin."),
        doc("Bản tin tuần", "Bản tin tổng hợp.", summary="Đường dây ma tuý bị triệt phá."),
        doc("Bản tin tháng", "Bản tin tổng hợp. Đường dây ma tuý bị triệt phá."),
        doc("Giao thông", ROAD),
        doc("Cháy", FIRE),
    ]
    assert indexes(related(summary, 2)[0]) == [1, 2]


def test_the_closer_date_wins_a_tie_and_newer_follow_ups_count() -> None:
    docs = [
        doc("Cháy nhà xưởng khu công nghiệp", FIRE, ("chay",), day=100),
        doc("Cháy nhà xưởng khu công nghiệp", FIRE, ("chay",), day=40),  # 60 days older
        doc("Cháy nhà xưởng khu công nghiệp", FIRE, ("chay",), day=103),  # 3 days newer
        doc("Cháy nhà xưởng khu công nghiệp", FIRE, ("chay",), day=90),  # 10 days older
        doc("Giao thông", ROAD, ("giao-thong",), day=100),
    ]
    found = related(docs, 3)[0]
    assert indexes(found) == [2, 3, 1]
    assert found[0].score > found[1].score > found[2].score
    # The oldest story links to its follow-ups.
    assert set(indexes(related(docs, 3)[1])) == {0, 2, 3}


def test_a_short_list_is_filled_by_date_same_category_first() -> None:
    docs = [
        doc("Khen thưởng tập thể", "Trao bằng khen.", category="co-so", day=50),
        doc("Giao thông", ROAD, category="giao-thong", day=51),
        doc("Cháy", FIRE, category="co-so", day=10),
        doc("Ma tuý", DRUG, category="an-ninh", day=49),
        doc("Đường dây ma tuý", DRUG, category="an-ninh", day=30),
    ]
    found = related(docs, 3)[0]
    assert [m.reason for m in found] == ["recent"] * 3
    assert indexes(found) == [2, 1, 3]  # the same category first, then nearest in date


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["ma tuý", "cháy nhà", "giao thông", "tin tức", ""]),
            st.lists(st.sampled_from(["a", "b", "c"]), max_size=2),
            st.integers(0, 30),
        ),
        min_size=1,
        max_size=14,
    ),
    st.integers(1, 6),
)
def test_any_site_gets_lists_without_self_or_repeats(
    spec: list[tuple[str, list[str], int]], k: int
) -> None:
    docs = [
        doc(f"{words} {i}", words, tuple(tags), day=day)
        for i, (words, tags, day) in enumerate(spec)
    ]
    lists = related(docs, k)
    assert len(lists) == len(docs)
    for i, found in enumerate(lists):
        assert i not in indexes(found)
        assert len(set(indexes(found))) == len(found) == min(k, len(docs) - 1)


def test_explain_names_shared_tags_and_terms() -> None:
    docs = [
        doc("Triệt phá đường dây ma tuý", DRUG, ("ma-tuy", "hung-yen")),
        doc("Thu giữ ma tuý tổng hợp", DRUG, ("ma-tuy",)),
        doc("Cháy nhà xưởng", FIRE, ("chay", "hung-yen")),
        doc("Giao thông", ROAD),
    ]
    found = related(docs, 3)[0]
    explained = explain(docs, 0, found)
    assert indexes(explained) == indexes(found)
    first = explained[0]
    assert first.index == 1 and first.shared_tags == ("ma-tuy",)
    assert "ma tuý" in first.shared_terms and len(first.shared_terms) == 5
    for i in (0, 1):
        assert set(first.shared_terms) <= set(terms(" ".join((docs[i].title, docs[i].text))))
    assert explained[1].index == 2 and explained[1].shared_tags == ("hung-yen",)


# -- whole builds -------------------------------------------------------------------------------
def test_pins_drafts_and_scheduled_in_a_build(make_site) -> None:
    files = {
        f"content/ma-tuy-{i}.md": article(
            f"Triệt phá đường dây ma tuý số {i}",
            date=f"2026-10-0{i + 1}",
            tags='["ma tuý"]',
            body=DRUG,
        )
        for i in range(4)
    }
    files["content/chay.md"] = article(
        "Cháy nhà xưởng", date="2026-10-05", tags='["cháy"]', body=FIRE
    )
    files["content/goc.md"] = article(
        "Bài gốc về ma tuý",
        date="2026-10-06",
        tags='["ma tuý"]',
        body=DRUG,
        related="[chay-nha-xuong]",
    )
    files["content/nhap.md"] = article(
        "Ma tuý bản nháp", tags='["ma tuý"]', body=DRUG, draft="true"
    )
    files["content/hen.md"] = article(
        "Ma tuý hẹn giờ", date="2027-01-01", tags='["ma tuý"]', body=DRUG
    )
    site = make_site(files, config='base_url = "https://example.gov.vn/"\nrelated_count = 3\n')
    site.build()
    links = [a.get("href") for a in site.page("/tin/bai-goc-ve-ma-tuy/").cssselect(".related a")]
    assert links[0] == "/tin/chay-nha-xuong/"
    assert len(links) == 3 and all("ma-tuy" in link for link in links[1:])
    every = [
        a.get("href")
        for p in site.output.glob("tin/*/index.html")
        for a in site.page(f"/tin/{p.parent.name}/").cssselect(".related a")
    ]
    assert "/tin/ma-tuy-ban-nhap/" not in every and "/tin/ma-tuy-hen-gio/" not in every


def test_the_related_command_explains_each_entry(make_site) -> None:
    files = {
        f"content/ma-tuy-{i}.md": article(
            f"Triệt phá đường dây ma tuý số {i}",
            date=f"2026-10-0{i + 1}",
            tags='["ma tuý"]',
            body=DRUG,
        )
        for i in range(2)
    }
    files["content/goc.md"] = article(
        "Bài gốc về ma tuý",
        date="2026-10-06",
        tags='["ma tuý"]',
        body=DRUG,
        related="[khen-thuong]",
    )
    files["content/khen.md"] = article("Khen thưởng", date="2026-10-04", body="Trao bằng khen.")
    files["content/le.md"] = article("Lễ kỷ niệm", date="2026-10-03", body="Mít tinh trọng thể.")
    site = make_site(files, config='base_url = "https://example.gov.vn/"\nrelated_count = 4\n')
    result = site.run("related", "bai-goc-ve-ma-tuy")
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0].startswith("Bài gốc về ma tuý")
    assert lines[1] == "tags: ma tuý"
    assert lines[2].startswith("1. Khen thưởng  [khen-thuong, 2 day(s) older]")
    assert "pinned by the editor" in lines[3]
    assert lines[4].startswith("2. Triệt phá đường dây ma tuý số ")
    assert lines[5].startswith("   score ") and "shared tags: ma tuý" in lines[5]
    assert "ma tuý" in lines[5].split("shared terms:")[1]
    assert lines[-2].startswith("4. Lễ kỷ niệm")
    assert "date-filled" in lines[-1]
    missing = site.run("related", "khong-co")
    assert missing.code == 2 and "no published article has the slug 'khong-co'" in missing.err


def test_related_counts_days_by_the_calendar_not_by_24_hour_spans(make_site) -> None:
    # cli._explain printed (other.date - article.date).days, a floor of the timedelta: an article
    # one hour older on the same day was "1 day(s) older", one published the next morning (23 h
    # later) "same day".
    site = make_site({
        "content/a.md": article("Cháy kho hàng ở Mỹ Hào", "2026-10-01T08:00:00+07:00",
                                "Cháy kho hàng.", tags="[cháy]"),
        "content/b.md": article("Cháy kho hàng đã dập tắt", "2026-10-01T07:00:00+07:00",
                                "Cháy kho hàng đã dập tắt.", tags="[cháy]"),
        "content/c.md": article("Cháy kho hàng khởi tố", "2026-10-02T07:00:00+07:00",
                                "Cháy kho hàng khởi tố.", tags="[cháy]"),
    })
    result = site.run("related", "chay-kho-hang-o-my-hao")
    assert result.code == 0, result.err
    assert "[chay-kho-hang-da-dap-tat, same day]" in result.out, result.out
    assert "[chay-kho-hang-khoi-to, 1 day(s) newer]" in result.out, result.out


def test_related_counts_days_in_the_sites_timezone_not_in_the_dates_offsets(make_site) -> None:
    # Dates written in UTC: 16:30 UTC on 30/9 is 23:30 of 30/9 in Hà Nội, 18:00 UTC is 01:00 of
    # 1/10. Counted by the UTC dates, both would be "1 day(s) older".
    site = make_site({
        "content/a.md": article("Cháy kho hàng ở Mỹ Hào", "2026-10-01T08:00:00+07:00",
                                "Cháy kho hàng.", tags="[cháy]"),
        "content/b.md": article("Cháy kho hàng đêm qua", "2026-09-30T16:30:00+00:00",
                                "Cháy kho hàng đêm qua.", tags="[cháy]"),
        "content/c.md": article("Cháy kho hàng rạng sáng", "2026-09-30T18:00:00+00:00",
                                "Cháy kho hàng rạng sáng.", tags="[cháy]"),
    })
    result = site.run("related", "chay-kho-hang-o-my-hao")
    assert result.code == 0, result.err
    assert "[chay-kho-hang-dem-qua, 1 day(s) older]" in result.out, result.out
    assert "[chay-kho-hang-rang-sang, same day]" in result.out, result.out


def test_related_with_a_mistyped_slug_suggests_the_nearest_one(make_site) -> None:
    # Was: "error: no published article has the slug 'chay-kho-hang-o-my-ha'" and a hint about
    # --drafts, with no did-you-mean, though the build suggests the nearest file for a mistyped
    # link and the slugs are long.
    site = make_site({
        "content/a.md": article("Cháy kho hàng ở Mỹ Hào", tags="[cháy]"),
        "content/b.md": article("Diễn tập chữa cháy", tags="[cháy]"),
    })
    result = site.run("related", "chay-kho-hang-o-my-ha")
    assert result.code == 2
    assert "chay-kho-hang-o-my-hao" in result.err, result.err


def test_related_with_the_slug_of_a_draft_or_a_scheduled_article_says_so(make_site) -> None:
    site = make_site({
        "content/a.md": article("Cháy kho hàng ở Mỹ Hào", tags="[cháy]"),
        "content/nhap.md": article("Diễn tập chữa cháy", tags="[cháy]", draft="true"),
        "content/hen.md": article("Tổng kết phòng cháy", "2026-12-20T08:00:00+07:00",
                                  tags="[cháy]"),
    })
    draft = site.run("related", "dien-tap-chua-chay")
    assert draft.code == 2
    assert "the article with the slug 'dien-tap-chua-chay' is not published: content/nhap.md " \
        "is a draft" in draft.err, draft.err
    assert "Add --drafts" in draft.err
    scheduled = site.run("related", "tong-ket-phong-chay")
    assert scheduled.code == 2
    assert "content/hen.md is scheduled for 2026-12-20T08:00:00+07:00" in scheduled.err
    assert "Add --future" in scheduled.err
    assert site.run("related", "tong-ket-phong-chay", "--future").code == 0
    near = site.run("related", "dien-tap-chua-chayy")
    assert near.code == 2
    assert "did you mean 'dien-tap-chua-chay' (content/nhap.md is a draft)?" in near.err, near.err
    nothing = site.run("related", "khong-lien-quan-gi-ca")
    assert nothing.code == 2 and "did you mean" not in nothing.err


def test_quality_on_a_small_noisy_corpus(tmp_path: Path) -> None:
    made = generate(tmp_path / "content", 300, noisy=True, words=120)
    assert sum(not g.tags for g in made) > 20  # untagged articles are part of the test
    (tmp_path / "site.toml").write_text('base_url = "http://localhost/"\n', encoding="utf-8")
    result = build(
        Options(
            content=tmp_path / "content",
            output=tmp_path / "output",
            config=tmp_path / "site.toml",
            templates=PROJECT / "templates",
            static=PROJECT / "static",
            cache=None,
            write=False,
            now=datetime.fromisoformat("2099-01-01T00:00:00+07:00"),
        )
    )
    topic = {a.slug: a.extra["topic"] for a in result.published}
    pairs = [
        (a.slug, result.published[m.index].slug)
        for a, found in zip(result.published, result.matches, strict=True)
        for m in found
    ]
    assert all(len(found) == 5 for found in result.matches)
    precision = sum(topic[x] == topic[y] for x, y in pairs) / len(pairs)
    assert precision >= 0.9


def test_lists_from_counted_terms_equal_lists_from_the_texts_themselves(tmp_path: Path) -> None:
    # A build counts the texts' terms, lets the texts go, then relates: same lists.
    from bulletin.related import count

    docs = [  # the subject is in the body alone
        doc(f"Bản tin số {i}", text=f"{(DRUG, FIRE, ROAD)[i % 3]} Chi tiết {i % 7}.",
            tags=(f"t{i % 5}",), day=float(i))
        for i in range(150)
    ]
    counted = count(docs)
    textless = [Doc(d.tags, d.title, d.summary, "", d.day, d.category, d.pins) for d in docs]
    assert related(textless, 5, counted=counted) == related(docs, 5)
    assert related(textless, 5) != related(docs, 5)  # the texts did count


def test_terms_counted_with_other_settings_or_docs_are_refused() -> None:
    from bulletin.related import Settings, count

    docs = [doc(f"Tin {i}", text=DRUG) for i in range(4)]
    with pytest.raises(ValueError, match="other docs or with other settings"):
        related(docs, 2, Settings(title_weight=1.0), counted=count(docs))
    with pytest.raises(ValueError, match="other docs or with other settings"):
        related(docs[:3], 2, counted=count(docs))


def test_runs_counted_before_are_reused_where_their_docs_now_start() -> None:
    # A build keeps each run's counts by its articles; the next build, with a new article first
    # and an older one edited, counts only the runs that changed, and relates as if all were new.
    from bulletin.related import Settings, count, packed, spans

    settings = Settings(batch=10)

    def story(i: int, extra: str = "") -> Doc:
        return doc(f"Bản tin số {i}", text=f"{(DRUG, FIRE, ROAD)[i % 3]} Chi tiết {i % 7}. {extra}",
                   tags=(f"t{i % 5}",), day=float(i))

    before = [story(i) for i in range(45, 0, -1)]  # newest first
    runs = spans(len(before), settings)
    assert runs == [(0, 5), (5, 15), (15, 25), (25, 35), (35, 45)]
    counted = count(before, settings)
    kept = {tuple(before[a:b]): packed(counted, n) for n, (a, b) in enumerate(runs)}

    after = [story(46)] + before[:30] + [story(15, "Cháy rừng lớn.")] + before[31:]
    known = [kept.get(tuple(after[a:b])) for a, b in spans(len(after), settings)]
    assert [blob is not None for blob in known] == [False, True, True, False, True]
    reused = count(after, settings, known)
    assert related(after, 5, settings, counted=reused) == related(after, 5, settings)
    fresh = count(after, settings)
    for mine, theirs in zip(reused.batches, fresh.batches, strict=True):
        assert mine.start == theirs.start and mine.keys.tolist() == theirs.keys.tolist()
        assert mine.tf.tolist() == theirs.tf.tolist() and mine.docs.tolist() == theirs.docs.tolist()
    with pytest.raises(ValueError, match="another number of runs"):
        count(after, settings, known[1:])


def test_runs_counted_in_worker_processes_give_the_same_lists(monkeypatch) -> None:
    # A cold build counts its runs on every core: each run's counts come back as bytes, and the
    # lists made of them are those of counting in this process.
    from bulletin.parallel import fan_out
    from bulletin.pipeline import _count_runs
    from bulletin.related import Settings, count, count_run, packed, spans

    monkeypatch.setenv("BULLETIN_WORKERS", "2")
    settings = Settings(batch=4)
    docs = [doc(f"Bản tin số {i}", text=f"{(DRUG, FIRE, ROAD)[i % 3]} Chi tiết {i % 7}.",
                tags=(f"t{i % 5}",), day=float(i)) for i in range(150)]
    runs = spans(len(docs), settings)
    here = count(docs, settings)
    blobs = fan_out(_count_runs, (docs, settings, runs), len(runs), minimum=1)
    assert blobs == [packed(here, n) for n in range(len(runs))]
    assert blobs[3] == count_run(docs, settings, *runs[3])
    textless = [Doc(d.tags, d.title, d.summary, "", d.day, d.category, d.pins) for d in docs]
    from_workers = count(textless, settings, blobs)
    assert related(textless, 5, settings, counted=from_workers) == related(docs, 5, settings)


def test_related_lists_packed_for_the_cache_come_back_the_same() -> None:
    # The cache keeps the lists as bytes: every reason, score and index comes back as it was.
    from bulletin.related import packed_lists, unpacked_lists

    docs = [doc("Ma tuý", DRUG, day=0.0, category="a", pins=(3,)), doc("Ma tuý lớn", DRUG, day=1.0),
            doc("Lẻ loi", "Một câu khác hẳn.", day=2.0, category="a"), doc("Cháy", FIRE, day=3.0)]
    found = related(docs, 3)
    assert {m.reason for matches in found for m in matches} == {"pinned", "score", "recent"}
    assert unpacked_lists(packed_lists(found), len(docs)) == found
    assert unpacked_lists(packed_lists([(), ()]), 2) == [(), ()]
    assert packed_lists([explain(docs, 1, found[1])]) is None  # not cached, worked out again


def test_bytes_that_cannot_be_packed_lists_are_none() -> None:
    from bulletin.related import packed_lists, unpacked_lists

    import numpy as np

    good = packed_lists(related([doc("Ma tuý", DRUG), doc("Ma tuý lớn", DRUG)], 1))
    assert good is not None and unpacked_lists(good, 2) is not None
    assert unpacked_lists(good, 3) is None  # lists for another number of articles
    at = 8 + 8 * 2  # where the first match's index is kept
    outside = good[:at] + np.int64(2).tobytes() + good[at + 8:]  # an index past the articles
    for bad in (None, b"", b"\x05", good[:-1], good + b"\0", good[:-1] + b"\x07", outside,
                [(Match(1, 0.5),)]):
        assert unpacked_lists(bad, 2) is None


def test_relating_leaves_numpys_unused_subpackages_unloaded_until_used() -> None:
    """Importing scipy reads every attribute of numpy; the subpackages it would so import (f2py
    and the like) are left lazy, and still work when something uses them."""
    code = (
        "import sys, bulletin.related as r\n"
        "docs = [r.Doc(('a',), 'x y', '', 'x y z', 0.0), r.Doc(('a',), 'x y', '', 'x', 1.0)]\n"
        "print(r.related(docs, 1))\n"
        "names = ('numpy.f2py', 'numpy.testing', 'numpy.polynomial', 'numpy.ctypeslib')\n"
        "print(sorted(n for n in names if type(sys.modules.get(n)).__name__ != '_LazyModule'))\n"
        "import numpy\n"
        "print(numpy.polynomial.polynomial.polyval(2, [1, 3]), numpy.testing.assert_equal(1, 1),"
        " numpy.f2py.__name__)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=PROJECT, capture_output=True,
                          text=True, check=True)
    lists, loaded, used = done.stdout.splitlines()
    assert lists.startswith("[(Match(index=1"), done.stdout
    assert loaded == "[]", done.stdout
    assert used == "7.0 None numpy.f2py", done.stdout


def test_related_with_the_slug_of_a_scheduled_draft_names_both_options(make_site) -> None:
    site = make_site({"content/a.md": article("Bài một", slug="mot"),
                      "content/nhap.md": article("Nháp hẹn", slug="nhap-hen", draft="true",
                                                 date="2026-12-20T08:00:00+07:00")})
    result = site.run("related", "nhap-hen")
    assert result.code == 2
    assert "content/nhap.md is a draft, scheduled for 2026-12-20T08:00:00+07:00" in result.err
    assert "Add --drafts and --future to explain its list" in result.err, result.err
    assert site.run("related", "nhap-hen", "--drafts", "--future").code == 0
