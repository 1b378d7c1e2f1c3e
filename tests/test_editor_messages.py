"""Content-error messages that were there but wrong or unhelpful: each points at the right line
and sends the editor the right way (found by hunt 11; each test failed on the code before)."""

from __future__ import annotations

import re

import pytest

from .conftest import DEFAULT_CONFIG, article, photo
from .test_errors import GOOD, built, fails, with_hint

__all__ = ["built"]  # the fixture, shared with test_errors


# A link (and a pin) to an article whose front matter has an error is called "missing", and
#    the hint proposes another, unrelated file.
def test_a_link_to_an_article_with_its_own_error_is_not_called_missing(built) -> None:
    lines = fails(*built, {
        "content/bai-mot.md": article("Bài một", tags="ma tuý, cờ bạc"),
        "content/bai-hai.md": article("Bài hai", related="[bai-mot]",
                                      body="Xem [bài một](bai-mot.md)."),
        "content/bai-bon.md": article("Bài bốn"),
    })
    with_hint(lines, "content/bai-mot.md:4: tags must be a list, not the text 'ma tuý, cờ bạc'")
    about_hai = [line for line in lines if line.startswith("content/bai-hai.md:")]
    # bai-mot.md is there: its own error is the one to fix. Saying it is missing (with "Did
    # you mean 'bai-bon.md'?") sends the editor to rewrite a link that is right.
    assert not any("missing article" in line or "no published article" in line
                   for line in about_hai), "\n".join(lines)
    assert not any("bai-bon.md" in line for line in lines), "\n".join(lines)


# A related pin to a draft gets the hint to use the article's slug, which it does.
def test_a_related_pin_to_a_draft_says_it_is_a_draft(built) -> None:
    lines = fails(*built, {
        "content/bai-ba.md": article("Bài ba", draft="true"),
        "content/bai-bon.md": article("Bài bốn", related="[bai-ba]"),
    })
    error = next(line for line in lines if line.startswith("content/bai-bon.md:4: related:"))
    hint = with_hint(lines, error)
    # As for a body link to a draft ("link to an article that is not published", "Publish that
    # article first"): the slug is right, the article is not published.
    assert "Use the slug of the other article" not in hint
    assert "publish" in (error + hint).lower() and "draft" in (error + hint).lower(), hint


# Body errors are placed at the first line where the address's text appears, not at the
#    image or link the error is about.
def test_an_image_without_alt_text_is_reported_at_its_own_line(built) -> None:
    body = "![Ảnh hội nghị](anh.jpg)\n\nĐoạn giữa.\n\n![](anh.jpg)"
    lines = fails(*built, {"content/bai/index.md": article("Bài", body=body),
                           "content/bai/anh.jpg": photo(300, 200)})
    # line 6 is the photo with alt text; line 10 the one without
    with_hint(lines, "content/bai/index.md:10: image has no alt text: anh.jpg")


def test_a_missing_link_after_a_fenced_code_block_is_reported_at_its_line(built) -> None:
    body = "Cách viết:\n\n```\n[xem](bai-cu.md)\n```\n\nĐoạn.\n\nXem [bài cũ](bai-cu.md)."
    lines = fails(*built, {"content/bad.md": article("Bài", body=body)})
    # line 9 is inside the code block (shown as text, never a link); the link is on line 14
    with_hint(lines, "content/bad.md:14: link to a missing article: bai-cu.md")


# draft: "false" (quoted) gets the hint "draft: true", the opposite of what was meant.
def test_a_quoted_draft_value_gets_its_own_value_unquoted_as_hint(built) -> None:
    lines = fails(*built, {"content/bad.md": article("Bài", draft='"false"')})
    error = next(line for line in lines if line.startswith("content/bad.md:4: draft must be"))
    assert with_hint(lines, error) == "    hint: draft: false"


# A misspelt site.toml key is silently a template extra: no word, and the setting is lost.
def test_a_misspelt_site_toml_key_is_a_warning_with_did_you_mean(make_site) -> None:
    config = DEFAULT_CONFIG.replace("base_url", "base_ulr")
    site = make_site(dict(GOOD), config=config)
    result = site.run()
    # the site is built for http://localhost:8000/ (feeds, canonical links, sitemaps) in silence
    assert "site.toml:2: warning: unknown key 'base_ulr': did you mean 'base_url'?" in \
        result.err.splitlines(), result.err


# site.toml type errors name Python types: "must be a str", "must be a bool".
@pytest.mark.parametrize("line", ["author = 2026", 'trust_html = "true"'])
def test_a_site_toml_value_of_the_wrong_kind_is_explained_without_python_type_names(
        built, line: str) -> None:
    site, before = built
    (site.root / "site.toml").write_text(DEFAULT_CONFIG + line + "\n", encoding="utf-8")
    lines = fails(site, before, {})
    error = next(line for line in lines if line.startswith("site.toml:4:"))
    assert not re.search(r"\b(str|bool)\b", error), error


# A tab in front matter: YAML's jargon and a hint about quoting, never the word "tab".
@pytest.mark.parametrize("front", ['title: "Bài"\ndate: 2026-10-01\ntags:\n\t- ma tuý',
                                   'title: "Bài"\n\tdate: 2026-10-01'])
def test_a_tab_in_front_matter_is_named_as_a_tab(built, front: str) -> None:
    lines = fails(*built, {"content/bad.md": f"---\n{front}\n---\nx\n"})
    error = next(line for line in lines if line.startswith("content/bad.md:"))
    hint = with_hint(lines, error)
    assert "cannot start any token" not in error
    assert "tab" in (error + hint).lower(), (error, hint)


# A date_format directive Python does not know is printed as it is on every page, silently.
@pytest.mark.parametrize("pattern", ["%d/%m/%Y %Q", "dd/mm/yyyy"])
def test_a_date_format_python_does_not_know_is_reported_at_its_line(make_site,
                                                                    pattern: str) -> None:
    site = make_site(dict(GOOD), config=DEFAULT_CONFIG + f'date_format = "{pattern}"\n')
    result = site.run()
    # the home page shows "01/10/2026 %Q" or "dd/mm/yyyy" under every article
    assert any(line.startswith("site.toml:4:") and "date_format" in line
               for line in result.err.splitlines()), result.err


def test_a_misspelt_ui_key_is_a_warning_and_a_known_key_set_beside_it_is_not(make_site) -> None:
    config = DEFAULT_CONFIG + '\n[ui]\nrelatd = "Cùng chủ đề"\nhom = "Trang chủ"\n' \
        'home = "Trang nhà"\n'
    site = make_site(dict(GOOD), config=config)
    result = site.run()
    assert result.code == 0, result.err
    lines = result.err.splitlines()
    assert "site.toml:6: warning: unknown key 'relatd' in [ui]: did you mean 'related'?" in \
        lines, result.err
    assert not any("'hom'" in line for line in lines), result.err  # home is set: hom is meant


@pytest.mark.parametrize(("line", "named"), [('description = "Tin\\u0001"', "description U+0001"),
                                             ('author = "Ban biên tập\\u007f"', "author U+007F")])
def test_a_control_character_in_a_site_setting_is_an_error_at_its_line(
        built, line: str, named: str) -> None:
    site, before = built
    (site.root / "site.toml").write_text(DEFAULT_CONFIG + line + "\n", encoding="utf-8")
    lines = fails(site, before, {})
    key, code = named.split()
    error = next(line for line in lines if line.startswith("site.toml:4:"))
    assert f"{key} holds the invisible control character {code}" in error, error


@pytest.mark.parametrize(("pattern", "said"), [
    ("%d/%m/%Y %", "ends with a lone %"), ("%d/%m/%Y %Ez", "has %Ez"),
    ("100%% dd/mm", "shows no date")])
def test_a_date_format_is_checked_whole(make_site, pattern: str, said: str) -> None:
    site = make_site(dict(GOOD), config=DEFAULT_CONFIG + f'date_format = "{pattern}"\n')
    result = site.run()
    assert result.code == 1
    assert any(line.startswith(f"site.toml:4: date_format {said}") for line in
               result.err.splitlines()), result.err


@pytest.mark.parametrize("pattern", ["%-d tháng %-m năm %Y, %H:%M", "%A %d %B %Y", "%Ey %Od %z", "%H:%M:%S.%f"])
def test_a_date_format_with_known_directives_builds(make_site, pattern: str) -> None:
    site = make_site(dict(GOOD), config=DEFAULT_CONFIG + f'date_format = "{pattern}"\n')
    result = site.run()
    assert result.code == 0, result.err


@pytest.mark.parametrize(("written", "hint"), [
    ("2024-02-30", "February 2024 has 29 days: check the day, e.g. date: 2024-02-29"),
    ("2025-13-05", "There is no month 13: write the month before the day, e.g. date: 2025-05-13"),
])
def test_a_year_first_date_the_calendar_lacks_says_which_part_is_wrong(built, written: str,
                                                                        hint: str) -> None:
    # The hint said "Write dates year first", to an editor who had.
    lines = fails(*built, {"content/bad.md": article("Bài", date=written)})
    error = f"content/bad.md:3: date '{written}' is not a valid date"
    assert with_hint(lines, error) == f"    hint: {hint}"


def test_a_toml_syntax_error_names_its_line_once(built) -> None:
    site, before = built
    (site.root / "site.toml").write_text(DEFAULT_CONFIG + "author = Ban biên tập\n",
                                         encoding="utf-8")
    lines = fails(site, before, {})
    assert "site.toml:4: site.toml is not valid TOML: Invalid value (column 10)" in lines, lines


def test_a_category_spelt_without_its_accents_is_a_warning_at_its_article(make_site) -> None:
    site = make_site({**{f"content/a{n}.md": article(f"Bài {n}", slug=f"a{n}", category="Thời sự")
                         for n in range(3)},
                      "content/b.md": article("Bài b", slug="b", category="Thoi su"),
                      "content/c.md": article("Bài c", slug="c", category="Kinh tế")})
    result = site.run()
    assert result.code == 0, result.err
    warned = [line for line in result.err.splitlines() if "warning" in line]
    assert warned == ["content/b.md:5: warning: category 'Thoi su' (1 article(s)) is not "
                      "'Thời sự' (3): each has its own page, /chuyen-muc/thoi-su/ and "
                      "/chuyen-muc/thoi-su-2/"], result.err


def test_an_empty_tag_entry_says_which(built) -> None:
    # "  -" with nothing after it: YAML reads an empty entry, which the message called a list
    # "not of words or phrases", without saying where.
    lines = fails(*built, {"content/bad.md": '---\ntitle: "Bài"\ndate: 2026-10-01\ntags:\n'
                                             '  - ma tuý\n  -\n  - cờ bạc\n---\nx\n'})
    hint = with_hint(lines, "content/bad.md:4: tags has an empty entry (entry 2 of 3)")
    assert "Delete the '-' line with nothing after it" in hint


def test_a_link_with_a_backslash_escape_names_the_file_it_spells(make_site) -> None:
    # Markdown keeps "\_" as a placeholder until its last step: the link named
    # "a\x0295\x03b.md", a missing article, with the hint "Did you mean 'a_b.md'?".
    site = make_site({"content/a_b.md": article("Bài a b", slug="a-b"),
                      "content/hai.md": article("Bài hai", slug="hai",
                                                body="Xem [bài a b](a\\_b.md).")})
    result = site.run()
    assert result.code == 0, result.err
    (link,) = [a for a in site.page("/tin/hai/").cssselect(".article-body a")
               if a.text_content() == "bài a b"]
    assert link.get("href") == "/tin/a-b/"


def test_raw_html_the_page_leaves_out_is_a_warning_at_its_line(make_site) -> None:
    # An editor pastes a video site's embed code: it vanished from the page without a word.
    body = ("Đoạn một.\n\nXem video:\n\n"
            '<iframe width="560" src="https://www.youtube.com/embed/x"></iframe>\n\n'
            "<SCRIPT>alert(1)</SCRIPT>\n\n<b>Đậm</b> vẫn giữ.")
    files = {"content/a.md": article("Bài", slug="a", body=body),
             "content/b.md": article("Bài b", slug="b")}
    site = make_site(files)
    for round_ in ("cold", "from the cache"):
        result = site.run()
        assert result.code == 0, result.err
        warned = [line for line in result.err.splitlines() if "warning:" in line]
        assert warned == [
            "content/a.md:11: warning: raw HTML <iframe> is left out of the page: an article "
            "keeps only text formatting, links, photos and tables",
            "content/a.md:13: warning: raw HTML <script> is left out of the page: an article "
            "keeps only text formatting, links, photos and tables"], (round_, result.err)
        page = (site.output / "tin/a/index.html").read_text(encoding="utf-8")
        assert "<iframe" not in page and "alert(1)" not in page and "<b>Đậm</b>" in page
        site.write({"content/b.md": article("Bài b", slug="b", body="Sửa.")})
    site.write({"site.toml": DEFAULT_CONFIG + "trust_html = true\n"})
    result = site.run()
    assert result.code == 0 and "warning" not in result.err, result.err


def test_links_and_images_out_of_the_text_order_are_placed_at_their_own_lines(built) -> None:
    # A photo inside a link, a footnote (Markdown moves it to the end), reference links beside
    # inline ones with the same address, indented code and an HTML comment each moved an
    # error onto another element's line.
    body = ("<!-- ![cũ](thieu.jpg) -->\n\n"  # 6: a comment, not an image
            "[![](anh.jpg)](https://x.vn/anh-lon)\n\n"  # 8: no alt text, inside a link
            "Xem[^1] [x][r].\n\n"  # 10: a reference link, defined on 18
            "[y](gone.md)\n\n"  # 12
            "    [z](gone.md) là mã\n\n"  # 14: indented code, not a link
            "[^1]: Ảnh ![](thieu.jpg).\n\n"  # 16: in a footnote: no alt text, not found
            "[r]: gone.md\n\n"  # 18
            "![Ảnh hội nghị](anh.jpg) và ![Ảnh](thieu.jpg) [w](gone.md)")  # 20
    lines = fails(*built, {"content/bai/index.md": article("Bài", body=body),
                           "content/bai/anh.jpg": photo(300, 200)})
    errors = [line for line in lines if not line.startswith(" ")]
    assert errors == ["content/bai/index.md:8: image has no alt text: anh.jpg",
                      "content/bai/index.md:12: link to a missing article: gone.md",
                      "content/bai/index.md:16: image has no alt text: thieu.jpg",
                      "content/bai/index.md:16: image not found: thieu.jpg",
                      "content/bai/index.md:18: link to a missing article: gone.md",
                      "content/bai/index.md:20: image not found: thieu.jpg",
                      "content/bai/index.md:20: link to a missing article: gone.md",
                      "7 error(s); nothing was written."], "\n".join(lines)


def test_raw_html_warnings_skip_code_and_comments_and_name_the_whole_tag(make_site) -> None:
    body = ("Ví dụ:\n\n```\n<iframe src=x></iframe>\n```\n\n"  # 10: an example in code
            "<!-- <iframe src=cu></iframe> -->\n\n"  # 13: commented out
            "<table><tr><td>1</td></tr></table>\n\n"  # 15: kept
            "Giá <tăng> mạnh <o:p></o:p>\n\n"  # 17: a typo and a Word paste
            '<iframe src="https://x.vn/v"></iframe>')  # 19
    site = make_site({"content/a.md": article("Bài", slug="a", body=body)})
    result = site.run()
    assert result.code == 0, result.err
    warned = [line.split(": warning: ")[0] + ": " + line.split("raw HTML ")[1].split(" is")[0]
              for line in result.err.splitlines() if "warning:" in line]
    assert warned == ["content/a.md:17: <tăng>", "content/a.md:17: <o:p>",
                      "content/a.md:19: <iframe>"], result.err


@pytest.mark.parametrize("line", ['subtitle = "Tin tỉnh nhà"', 'time_format = "%H:%M"',
                                  'author_url = "https://x.vn/"', "page_sizes = 5"])
def test_a_setting_of_its_own_for_templates_is_no_misspelling(make_site, line: str) -> None:
    site = make_site(dict(GOOD), config=DEFAULT_CONFIG + line + "\n")
    result = site.run()
    assert result.code == 0 and "warning" not in result.err, result.err


@pytest.mark.parametrize("line", ['Title = "Bản tin"', 'base_urls = "https://x.vn/"'])
def test_a_known_key_in_capitals_or_with_a_letter_added_is_a_misspelling(make_site,
                                                                         line: str) -> None:
    config = DEFAULT_CONFIG.replace('title = "Bản tin thử"\n', "").replace(
        'base_url = "https://example.gov.vn/"\n', "") + line + "\n"
    site = make_site(dict(GOOD), config=config)
    result = site.run()
    assert result.code == 0 and "warning: unknown key" in result.err and "did you mean" \
        in result.err, result.err


@pytest.mark.parametrize(("line", "said"), [("title = 07:30:00", "the time 07:30:00"),
                                            ("title = 2024-05-01", "the date 2024-05-01"),
                                            ("title = {a = 1}", "a table"),
                                            ('title = ["a"]', "a list")])
def test_a_setting_of_the_wrong_kind_is_named_in_editor_words(built, line: str,
                                                              said: str) -> None:
    site, before = built
    config = DEFAULT_CONFIG.replace('title = "Bản tin thử"\n', "") + line + "\n"
    (site.root / "site.toml").write_text(config, encoding="utf-8")
    lines = fails(site, before, {})
    assert f"site.toml:3: title must be text in quotes, not {said}" in lines, lines


@pytest.mark.parametrize(("body", "lines"), [
    # a footnote's second paragraph, indented: no code block
    ("A[^1] [o](x10.md)\n\n[^1]: Đoạn 1.\n\n    Đoạn 2 [p](x10.md)", [6, 10]),
    # a footnote's line without indent continues it
    ("[^1]: Nguồn:\n[Báo](x2.md)\n\n[Khác](x2.md)", [7, 9]),
    # a definition's second paragraph
    ("Thuật ngữ\n:   Nghĩa [d](y.md)\n\n    Đoạn thêm [e](y.md)\n\n[f](y.md)", [7, 9, 11]),
    # "<!--" in a code span is text, not the start of a comment
    ("Viết `<!--` để mở.\n\n[a](x1.md)\n\n[b](x1.md)", [8, 10]),
    # an unclosed "<!--" is shown as text
    ("Giá <!-- chưa\n\n[a](x3.md)\n\n[b](x3.md)", [8, 10]),
])
def test_links_in_footnotes_definitions_and_after_comment_marks_keep_their_lines(
        built, body: str, lines: list[int]) -> None:
    found = fails(*built, {"content/bai.md": article("Bài", body=body)})
    assert [int(line.split(":")[1]) for line in found
            if line.startswith("content/bai.md:") and "missing article" in line] == lines, found
