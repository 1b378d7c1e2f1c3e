"""Sites in other languages than Vietnamese. Each test builds a small site the way a French,
German, Turkish, Arabic or Chinese newsroom would set it up, and reads back what its readers (or
a crawler) get. Each failed before the fix it guards."""

from __future__ import annotations

import json
from pathlib import Path

from .conftest import article

DATA = "tim-kiem/du-lieu"


def _config(language: str, **more: str) -> str:
    lines = ['title = "Test"', 'base_url = "https://example.com/"', "page_size = 3",
             f'language = "{language}"']
    lines += [f'{key} = "{value}"' for key, value in more.items()]
    return "\n".join(lines) + "\n"


def _index_terms(output: Path) -> dict[str, object]:
    """Every term of the built search index, as search.js looks terms up (its folded form)."""
    meta = json.loads((output / DATA / "meta.json").read_text(encoding="utf-8"))
    terms: dict[str, object] = {}
    for number in range(meta["shards"]):
        terms.update(json.loads((output / DATA / f"t/{number}.json").read_text(encoding="utf-8")))
    return terms


def test_a_french_site_shows_french_month_names(make_site) -> None:
    # A French site asks for the month by name; strftime runs in the C locale and there is no
    # setting that names the months, so every date reads "01 October 2026".
    site = make_site({"content/a.md": article("La rentrée", date="2026-10-01T08:00:00+02:00",
                                               slug="la-rentree")},
                     config=_config("fr", timezone="Europe/Paris", date_format="%d %B %Y"))
    site.build()
    shown = site.page("/tin/la-rentree/").cssselect(".article-meta time")[0].text
    assert shown == "01 octobre 2026"


def test_an_arabic_site_is_laid_out_right_to_left(make_site) -> None:
    # <html lang="ar"> without dir="rtl": browsers lay every page out left to right, so the
    # Arabic text, the navigation and the punctuation run the wrong way.
    site = make_site({"content/a.md": article("مرحبا بالعالم", slug="marhaba",
                                               body="نص عربي هنا.")},
                     config=_config("ar", timezone="Asia/Riyadh"))
    site.build()
    root = site.page("/tin/marhaba/").getroottree().getroot()
    assert root.get("lang") == "ar"
    assert root.get("dir") == "rtl"


def test_search_finds_strasse_lodz_and_oresund_typed_with_plain_letters(make_site) -> None:
    # Slugs map ß → ss, ł → l, ø → o (slug.py), but the search index folds only combining marks:
    # "Straße" is indexed as "straße", so a reader typing "strasse" (as search.js folds it) finds
    # nothing; likewise "lodz" for Łódź and "oresund" for Øresund.
    site = make_site({"content/a.md": article(
        "Neue Straße in Łódź", slug="neue-strasse", body="Eine Brücke über den Øresund.")},
        config=_config("de", timezone="Europe/Berlin"))
    site.build()
    terms = _index_terms(site.output)
    assert "brucke" in terms  # ü folds to u, as it should
    assert {"strasse", "lodz", "oresund"} <= set(terms), sorted(terms)


def test_german_tags_sort_umlauts_with_their_base_letter(make_site) -> None:
    # Any language but Vietnamese sorts by code point after NFKD: Ä is A + U+0308, and U+0308
    # sorts after every letter, so "Ärger" comes after "Azur" (and "école" after "ezra").
    site = make_site({"content/a.md": article(
        "Nachrichten", slug="nachrichten", tags='["Bahn", "Azur", "Ärger", "ezra", "école"]')},
        config=_config("de", timezone="Europe/Berlin"))
    site.build()
    names = [a.text_content() for a in site.page("/the/").cssselect(".tag-cloud a")]
    assert names == ["Ärger", "Azur", "Bahn", "école", "ezra"]


def test_a_chinese_summary_is_not_cut_at_the_only_space(make_site) -> None:
    # A derived summary is cut "at a word boundary": at the last space before summary_length.
    # Chinese text has a space only after the dateline, so the summary is the dateline alone.
    body = "2026年10月1日 " + "东京今天下雨，交通受到影响。" * 30
    site = make_site({"content/a.md": article("东京的新闻", slug="tokyo", body=body)},
                     config=_config("zh-CN", timezone="Asia/Shanghai"))
    site.build()
    summary = site.page("/tin/tokyo/").cssselect('meta[name="description"]')[0].get("content")
    assert len(summary) > 100, summary


def test_turkish_istanbul_and_its_lower_case_are_one_tag(make_site) -> None:
    # "İstanbul" lower-cased in Turkish is "istanbul", but str.casefold gives "i̇stanbul" (i with a
    # combining dot): the two spellings become two tags, /the/istanbul/ and /the/istanbul-2/.
    site = make_site({
        "content/a.md": article("Haber bir", slug="haber-bir", tags='["İstanbul"]'),
        "content/b.md": article("Haber iki", slug="haber-iki", tags='["istanbul"]'),
    }, config=_config("tr", timezone="Europe/Istanbul"))
    site.build()
    tags = [(a.get("href"), a.text_content())
            for a in site.page("/the/").cssselect(".tag-cloud a")]
    assert len(tags) == 1, tags
    assert not (site.output / "the" / "istanbul-2").exists()


def test_a_chinese_tag_keeps_its_address_when_another_tag_is_added(make_site) -> None:
    # A tag without Latin letters gets the slug "the", numbered in alphabetical order: a new
    # tag that sorts first takes "the" and moves the old tag to "the-2", so every link, bookmark
    # and feed subscription to /the/the/ now shows another tag.
    site = make_site({"content/a.md": article("中国新闻", slug="zhongguo", tags='["中国"]')},
                     config=_config("zh-CN", timezone="Asia/Shanghai"))
    site.build()
    before = {a.text_content(): a.get("href") for a in site.page("/the/").cssselect(".tag-cloud a")}
    site.write({"content/b.md": article("一个新闻", slug="yige", date="2026-10-02T08:00:00+08:00",
                                        tags='["一"]')})
    site.build()
    after = {a.text_content(): a.get("href") for a in site.page("/the/").cssselect(".tag-cloud a")}
    assert after["中国"] == before["中国"], (before, after)


def test_a_language_code_the_build_does_not_know_is_a_warning_at_its_line(make_site) -> None:
    # "vn" for Vietnamese (the country's code): month names would silently be English.
    config = 'title = "T"\nbase_url = "https://example.com/"\nlanguage = "{}"\n'
    site = make_site({"content/a.md": article("Tin một")}, config=config.format("vi"))
    result = site.run()
    assert result.code == 0 and "language" not in result.err
    (site.root / "site.toml").write_text(config.format("vn"), encoding="utf-8")
    result = site.run()
    assert result.code == 0
    lines = result.err.splitlines()
    warning = next(line for line in lines if "language 'vn'" in line)
    assert warning.startswith("site.toml:3: warning: language 'vn' is not a language code")
    assert 'language = "vi"' in lines[lines.index(warning) + 1]


def test_the_pagination_arrows_point_the_way_an_arabic_reader_turns_pages(make_site) -> None:
    # In a right-to-left page the "previous" link sits on the right: its arrow points right.
    site = make_site({f"content/a{n}.md": article(f"Tin {n}", slug=f"tin-{n}",
                                                  date=f"2026-10-0{n + 1}T08:00:00+03:00")
                      for n in range(4)}, config=_config("ar", timezone="Asia/Riyadh"))
    site.build()
    first, second = site.page("/"), site.page("/page/2/")
    assert first.cssselect("a[rel=next]")[0].text_content().endswith("←")
    assert second.cssselect("a[rel=prev]")[0].text_content().startswith("→")


def test_an_article_in_a_chinese_category_keeps_the_category_in_its_address(make_site) -> None:
    # {category} was the slug of the name, empty for "新闻": the article moved to the site's root,
    # where its address could take another page's (an article with the slug "the" at /the/).
    config = _config("zh") + '\n[permalinks]\narticle = "/{category}/{slug}/"\n'
    site = make_site({"content/a.md": article("北京新闻", slug="tin-a", category="新闻")},
                     config=config)
    site.build()
    (link,) = site.page("/").cssselect(".card a[href$='/tin-a/'], article a[href$='/tin-a/']")[:1]
    category_page = next((site.output / "chuyen-muc").iterdir()).name
    assert category_page.startswith("the-")
    assert link.get("href") == f"/{category_page}/tin-a/"
    assert (site.output / category_page / "tin-a" / "index.html").is_file()
