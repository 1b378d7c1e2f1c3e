"""Every bad input of issue 3: exit 1, the exact `path:line: message`, output/ left as it was."""

from __future__ import annotations

import shutil
import unicodedata
from pathlib import Path

import pytest

from .conftest import DEFAULT_CONFIG, PROJECT, Site, article, photo, tree_digest

GOOD = {"content/good.md": article("Bài tốt", tags='["ma tuý"]', category="An ninh")}


def first_build(make_site) -> tuple[Site, dict[str, str]]:  # type: ignore[no-untyped-def]
    """A site that built once: the output a broken build must leave alone."""
    site = make_site(dict(GOOD))
    site.build()
    before = tree_digest(site.output)
    assert "index.html" in before and "tin/bai-tot/index.html" in before
    return site, before


def fails(site: Site, before: dict[str, str], files: dict[str, str | bytes],
          *args: str) -> list[str]:
    """Add ``files``, build, and check the run failed as a content error with output/ untouched."""
    site.write(files)
    result = site.run(*args)
    assert result.code == 1, result.err
    assert "Traceback" not in result.err and "internal error" not in result.err
    assert result.err.rstrip().endswith("nothing was written.")
    assert tree_digest(site.output) == before
    assert not any(p.name.endswith((".staging", ".old")) for p in site.root.iterdir())
    return result.err.splitlines()


def with_hint(lines: list[str], error: str) -> str:
    """The hint printed under ``error`` (which must be one whole line of the report)."""
    assert error in lines, "\n".join(lines)
    hint = lines[lines.index(error) + 1]
    assert hint.startswith("    hint: ")
    return hint


@pytest.fixture
def built(make_site):  # type: ignore[no-untyped-def]
    return first_build(make_site)


def test_unquoted_colon_in_a_value(built) -> None:
    bad = "---\ntitle: Tin nóng: cháy lớn\ndate: 2026-10-01\n---\nx\n"
    lines = fails(*built, {"content/bad.md": bad})
    hint = with_hint(lines, "content/bad.md:2: a value contains ': ' and must be quoted")
    assert hint.endswith('title: "Tin nóng: cháy lớn"')


def test_yaml_syntax_error_on_a_later_line(built) -> None:
    bad = '---\ntitle: "A"\ndate: 2026-10-01\ntags: ["a", "b"\n---\nx\n'
    lines = fails(*built, {"content/bad.md": bad})
    assert [line for line in lines if line.startswith("content/bad.md:")] == [
        "content/bad.md:5: front matter is not valid YAML: did not find expected ',' or ']'"]


@pytest.mark.parametrize(("front", "kind"), [("- title\n- date", "a list"),
                                             ('"Chỉ một dòng chữ"', "a single value")])
def test_front_matter_that_is_not_a_mapping(built, front: str, kind: str) -> None:
    lines = fails(*built, {"content/bad.md": f"---\n{front}\n---\nx\n"})
    with_hint(lines, f"content/bad.md:2: front matter must be 'key: value' lines, not {kind}")


def test_missing_title_and_date(built) -> None:
    lines = fails(*built, {"content/bad.md": "---\ncategory: An ninh\n---\nx\n"})
    assert with_hint(lines, "content/bad.md:1: missing title").endswith('title: "Tiêu đề bài viết"')
    assert "date: 2024-03-15" in with_hint(lines, "content/bad.md:1: missing date")


@pytest.mark.parametrize(("value", "shown"), [
    ("hôm qua", "2024-03-15"), ("30/02/2024", "2024-03-15"),
    ("2024-02-30", "2024-02-29"), ("2024-13-01", "2024-01-13")])  # the calendar's own hints
def test_a_date_that_is_not_a_date(built, value: str, shown: str) -> None:
    lines = fails(*built, {"content/bad.md": f'---\ntitle: "Bài"\ndate: {value}\n---\nx\n'})
    hint = with_hint(lines, f"content/bad.md:3: date '{value}' is not a valid date")
    assert shown in hint


def test_tags_written_as_text_get_the_list_form_as_hint(built) -> None:
    lines = fails(*built, {"content/bad.md": article("Bài", tags="ma tuý, cờ bạc")})
    hint = with_hint(lines, "content/bad.md:4: tags must be a list, not the text 'ma tuý, cờ bạc'")
    assert hint == '    hint: Write a list in square brackets: tags: ["ma tuý", "cờ bạc"]'


def test_tags_that_are_not_a_list_of_strings(built) -> None:
    lines = fails(*built, {"content/bad.md": article("Bài", tags="[[a], {b: c}]")})
    with_hint(lines, "content/bad.md:4: tags: entry 1 is not a word or phrase but a list")
    lines = fails(*built, {"content/bad.md": article("Bài", tags="[a, {b: c}]")})
    with_hint(lines, "content/bad.md:4: tags: entry 2 is not a word or phrase but a 'key: value' "
              "pair")
    lines = fails(*built, {"content/bad.md": article("Bài", tags="{a: b}")})
    with_hint(lines, "content/bad.md:4: tags must be a list of words or phrases")


def test_misspelt_title_and_date_fail_with_did_you_mean(built) -> None:
    lines = fails(*built, {"content/bad.md": '---\ntilte: "Bài"\ndat: 2026-10-01\n---\nx\n'})
    assert "rename it to 'title'" in with_hint(lines, "content/bad.md:2: missing title")
    assert "rename it to 'date'" in with_hint(lines, "content/bad.md:3: missing date")
    assert "content/bad.md:2: warning: unknown key 'tilte': did you mean 'title'?" in lines
    assert "content/bad.md:3: warning: unknown key 'dat': did you mean 'date'?" in lines
    assert lines[-1] == "2 error(s); nothing was written."


def test_a_misspelt_optional_key_is_a_warning_on_a_successful_build(make_site) -> None:
    site = make_site({"content/a.md": article("Bài A", categry='"An ninh"')})
    result = site.run()
    assert result.code == 0
    lines = result.err.splitlines()
    with_hint(lines, "content/a.md:4: warning: unknown key 'categry': did you mean 'category'?")
    assert (site.output / "tin/bai-a/index.html").is_file()
    assert not (site.output / "chuyen-muc/an-ninh").exists()


def test_empty_file(built) -> None:
    lines = fails(*built, {"content/bad.md": ""})
    with_hint(lines, "content/bad.md:1: the file is empty")


def test_file_without_front_matter(built) -> None:
    lines = fails(*built, {"content/bad.md": "# Tiêu đề\n\nChỉ có nội dung.\n"})
    with_hint(lines, "content/bad.md:1: no front matter: the file must start with a line '---'")


def test_front_matter_that_is_never_closed(built) -> None:
    lines = fails(*built, {"content/bad.md": '---\ntitle: "Bài"\ndate: 2026-10-01\n\nNội dung.\n'})
    with_hint(lines, "content/bad.md:1: front matter is not closed: no second '---' line")


def test_invalid_utf8_names_the_byte_offset(built) -> None:
    data = article("Bài", body="Công an tỉnh").encode("utf-8")
    data = data.replace("Công".encode(), "Công".encode("cp1258"))  # a word saved as Windows-1258
    offset = data.index(b"C\xf4ng") + 1
    lines = fails(*built, {"content/bad.md": data})
    error = f"content/bad.md:6: not valid UTF-8: byte 0xf4 at byte offset {offset}"
    assert "UTF-8" in with_hint(lines, error)


def test_same_url_names_both_files(built) -> None:
    lines = fails(*built, {"content/a.md": article("Bài A", slug="trung"),
                           "content/b.md": article("Bài B", slug="trung")})
    with_hint(lines, "content/b.md:4: has the same URL /tin/trung/ as content/a.md")


def test_nfc_and_nfd_spellings_of_one_title_are_the_same_url(built) -> None:
    title = "Phòng cháy chữa cháy ở Hưng Yên"
    nfd = unicodedata.normalize("NFD", title)
    assert nfd != title
    lines = fails(*built, {"content/nfc.md": article(title), "content/nfd.md": article(nfd)})
    with_hint(lines, "content/nfd.md:2: has the same URL /tin/phong-chay-chua-chay-o-hung-yen/ "
                     "as content/nfc.md")


@pytest.mark.parametrize(("slug", "reason"), [
    ("tin/moi", "contains a path separator ('/' or '\\')"),
    ('"tin\\\\moi"', "contains a path separator ('/' or '\\')"),
    ("../../etc", "contains '..'"),
    ('"tin\\0moi"', "contains a NUL character"),
    ("/etc/passwd", "is an absolute path"),
    ('"C:\\\\Windows"', "is an absolute path"),
])
def test_unsafe_slugs(built, slug: str, reason: str) -> None:
    lines = fails(*built, {"content/bad.md": article("Bài", slug=slug)})
    error = next(line for line in lines if line.startswith("content/bad.md:4: slug "))
    assert error.endswith(reason)
    assert with_hint(lines, error).startswith("    hint: A slug is one URL segment")


def test_link_to_a_missing_article(built) -> None:
    body = "Đoạn một.\n\nXem [bài cũ](bai-cu.md) và [bài tốt](good.md)."
    lines = fails(*built, {"content/bad.md": article("Bài", body=body)})
    with_hint(lines, "content/bad.md:8: link to a missing article: bai-cu.md")
    assert not any("good.md" in line for line in lines)


def test_missing_image_in_front_matter_and_in_body(built) -> None:
    body = "Đoạn một.\n\n![Hiện trường](hien-truong.jpg)"
    lines = fails(*built, {"content/bad/index.md": article("Bài", image="anh-chinh.jpg", body=body),
                           "content/bad/anh-chinh.jpeg": b"\xff\xd8"})
    hint = with_hint(lines, "content/bad/index.md:4: image not found: anh-chinh.jpg")
    assert "anh-chinh.jpeg" in hint
    with_hint(lines, "content/bad/index.md:9: image not found: hien-truong.jpg")


def test_a_photo_deleted_after_a_build_is_reported_not_a_crash(make_site) -> None:
    body = "![Ảnh](hai.jpg)"
    site = make_site({"content/bai/index.md": article("Bài", image="anh.jpg", body=body),
                      "content/bai/anh.jpg": photo(300, 200),
                      "content/bai/hai.jpg": photo(320, 200)})
    site.build()
    before = tree_digest(site.output)
    assert "tin/bai/hai.jpg" in before
    (site.content / "bai" / "hai.jpg").unlink()
    lines = fails(site, before, {})
    with_hint(lines, "content/bai/index.md:7: image not found: hai.jpg")


def test_adding_the_missing_photo_clears_the_error(built) -> None:
    site, before = built
    lines = fails(site, before, {"content/bai/index.md": article("Bài", body="![Ảnh](anh.jpg)")})
    with_hint(lines, "content/bai/index.md:6: image not found: anh.jpg")
    site.write({"content/bai/anh.jpg": photo(300, 200)})
    site.build()
    assert (site.output / "tin/bai/anh.jpg").read_bytes() == photo(300, 200)


def test_image_outside_the_content_folder_is_not_found(built, tmp_path: Path) -> None:
    (tmp_path / "secret.jpg").write_bytes(b"\xff\xd8")
    lines = fails(*built, {"content/bad.md": article("Bài", body="![Ảnh](../../secret.jpg)")})
    with_hint(lines, "content/bad.md:6: image not found: ../../secret.jpg")


def copy_templates(site: Site, files: dict[str, str | bytes]) -> Path:
    """The project's templates copied into the site, with ``files`` (by name) written over."""
    folder = site.root / "templates"
    shutil.copytree(PROJECT / "templates", folder)
    for name, text in files.items():
        data = text.encode("utf-8") if isinstance(text, str) else text
        (folder / name).write_bytes(data)
    return folder


def template_fails(built: tuple[Site, dict[str, str]], files: dict[str, str | bytes]) -> list[str]:
    """A build with the project's templates and ``files`` among them fails as a content error."""
    site, before = built
    return fails(site, before, {}, "--templates", str(copy_templates(site, files)))


def article_template(line: str) -> dict[str, str | bytes]:
    """article.html whose third line is ``line``."""
    return {"article.html": f'{{% extends "base.html" %}}\n{{% block content %}}\n{line}\n'
                            "{% endblock %}\n"}


def test_template_syntax_error(built) -> None:
    lines = template_fails(built,
                           article_template("{% if article %}\n<h1>{{ article.title }}</h1>"))
    error = next(line for line in lines if line.startswith("templates/article.html:"))
    assert error.startswith("templates/article.html:5: template syntax error: Encountered unknown "
                            "tag 'endblock'")


def test_template_runtime_error(built) -> None:
    lines = template_fails(built, article_template("<p>{{ article.title | int // 0 }}</p>"))
    error = ("templates/article.html:3: template error: ZeroDivisionError: integer division or "
             "modulo by zero")
    with_hint(lines, error)


def test_template_undefined_variable(built) -> None:
    lines = template_fails(built, {"tag.html": '{% extends "base.html" %}\n{% block content %}\n\n'
                                               "<h1>{{ tag.name }} {{ tag_count }}</h1>\n"
                                               "{% endblock %}\n"})
    hint = with_hint(lines, "templates/tag.html:4: template error: 'tag_count' is undefined")
    assert "README" in hint


def test_template_including_a_missing_template(built) -> None:
    lines = template_fails(built, article_template('{% include "partials/khong-co.html" %}'))
    hint = with_hint(lines, "templates/article.html:3: template not found: "
                            "partials/khong-co.html")
    assert hint == "    hint: Create it in templates/"


def test_template_including_a_hidden_template(built) -> None:
    # Hidden files are no templates (editors' swap files are hidden): the build would not see
    # such a file change, so it refuses to read one rather than show it stale.
    lines = template_fails(built, {**article_template('{% include "partials/.quang-cao.html" %}'),
                                   "partials/.quang-cao.html": "<p>Quảng cáo</p>\n"})
    hint = with_hint(lines, "templates/article.html:3: template partials/.quang-cao.html is a "
                            "hidden file, which the build does not read")
    assert "Rename it without the leading dot" in hint


def test_an_editors_swap_file_among_the_templates_is_not_a_template(built) -> None:
    site, _ = built
    folder = copy_templates(site, {"partials/.macros.html.swp": b"b0VIM 8.2\x00\x00\xff\xfe\x80"})
    assert site.run("--templates", str(folder)).code == 0
    assert site.run("check", "--templates", str(folder)).code == 0


def test_a_template_saved_in_a_legacy_encoding(built) -> None:
    text = article_template("<p>Tin Đà Lạt</p>")["article.html"]
    assert isinstance(text, str)
    data = unicodedata.normalize("NFD", text).encode("cp1258")  # its tones: combining marks
    lines = template_fails(built, {"article.html": data})
    offset = data.index(b"\xd0")  # Đ
    hint = with_hint(lines, f"templates/article.html:3: not valid UTF-8: byte 0xd0 at byte offset "
                            f"{offset}")
    assert "Save the file with UTF-8 encoding" in hint


def test_a_picture_or_thumbs_db_in_the_templates_folder_is_no_template(built) -> None:
    # They are not UTF-8: check() compiled every file, exit 3, then an error for each.
    site, _ = built
    folder = copy_templates(site, {"logo.png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
                                   "Thumbs.db": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"})
    assert site.run("--templates", str(folder)).code == 0
    assert site.run("check", "--templates", str(folder)).code == 0


def test_site_toml_saved_in_a_legacy_encoding(built) -> None:
    site, before = built
    lines = fails(site, before, {"site.toml": 'title = "Tin Đà"\n'.encode("cp1258")})
    assert lines[0].startswith("site.toml:1: not valid UTF-8: byte ")


def test_template_misspelt_attribute_in_a_partial(built) -> None:
    site, before = built
    folder = site.root / "templates"
    shutil.copytree(PROJECT / "templates", folder)
    macros = folder / "partials" / "macros.html"
    text = macros.read_text(encoding="utf-8")
    assert "article.date" in text
    macros.write_text(text.replace("article.date", "article.dated", 1), encoding="utf-8")
    line = 1 + text[: text.index("article.date")].count("\n")
    lines = fails(site, before, {}, "--templates", str(folder))
    assert any(entry.startswith(f"templates/partials/macros.html:{line}: template error: ")
               and "'dated'" in entry for entry in lines), lines


@pytest.mark.parametrize("tag", ["!!python/object/apply:os.system", "!!python/object/new:os.system",
                                 "!!python/name:os.system", "!!python/object:builtins.dict"])
def test_yaml_never_constructs_python_objects(built, tmp_path: Path, tag: str) -> None:
    marker = tmp_path / "pwned"
    front = f'---\ntitle: "Bài"\ndate: 2026-10-01\nx: {tag} ["touch {marker}"]\n---\nx\n'
    lines = fails(*built, {"content/bad.md": front})
    name = tag.split()[0]
    with_hint(lines, f"content/bad.md:4: the YAML tag '{name}' is not allowed in front matter")
    assert not marker.exists()


def test_symlink_to_a_file_outside_content_is_refused(built, tmp_path: Path) -> None:
    outside = tmp_path / "outside.md"
    outside.write_text(article("Bài ngoài"), encoding="utf-8")
    site, before = built
    (site.content / "link.md").symlink_to(outside)
    lines = fails(site, before, {})
    with_hint(lines, "content/link.md: symlink points outside the content folder")


def test_symlink_to_a_folder_outside_content_is_refused(built, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "a.md").write_text(article("Bài ngoài"), encoding="utf-8")
    site, before = built
    (site.content / "ngoai").symlink_to(outside)
    lines = fails(site, before, {})
    with_hint(lines, "content/ngoai: symlink points outside the content folder")


def test_symlink_loop_inside_content_is_reported_once(built) -> None:
    site, before = built
    (site.content / "sub").mkdir()
    (site.content / "sub" / "vong").symlink_to("..")
    lines = fails(site, before, {})
    errors = [line for line in lines if line.startswith("content/")]
    assert errors == ["content/sub/vong: is the same folder as content (a symlink leads there), "
                      "which is read already"]


def test_broken_symlink_is_a_content_error(built) -> None:
    site, before = built
    (site.content / "mat.md").symlink_to("khong-ton-tai.md")
    lines = fails(site, before, {})
    with_hint(lines, "content/mat.md: broken symlink: it leads to no file")


def test_ten_thousand_nested_quotes_fail_that_article_only(built) -> None:
    body = "Đoạn đầu.\n\n" + ">" * 10_000 + " trích dẫn"
    lines = fails(*built, {"content/bad.md": article("Bài", body=body),
                           "content/bad2.md": article("Bài hai", date="hôm qua")})
    with_hint(lines, "content/bad.md:8: quotes or lists nested more than 50 levels deep")
    assert "content/bad2.md:3: date 'hôm qua' is not a valid date" in lines
    assert lines[-1] == "2 error(s); nothing was written."


def test_ten_thousand_open_brackets_fail_that_article_only(built) -> None:
    body = "Đoạn đầu.\n\nĐoạn hai " + "[" * 10_000
    lines = fails(*built, {"content/bad.md": article("Bài", body=body)})
    error = "content/bad.md:8: more than 50 '[' open at once (nested, or never closed)"
    hint = with_hint(lines, error)
    assert "\\[" in hint


@pytest.mark.parametrize(("body", "error"), [
    ("".join("    " * i + "- mục\n" for i in range(60)),
     "content/bad.md:57: the line is indented by more than 200 spaces"),
    ("- " * 5000 + "x", "content/bad.md:6: quotes or lists nested more than 50 levels deep"),
    ("Văn bản [chưa đóng " * 40 + "chữ " * 20_000,
     "content/bad.md:6: too many '[' without a matching ']' in this paragraph"),
    ("[a](" * 3000, "content/bad.md:6: more than 50 '(' open at once (nested, or never closed)"),
], ids=["indented-lists", "list-markers", "unclosed-brackets-in-a-long-paragraph", "link-targets"])
def test_other_pathological_markdown_fails_that_article(built, body: str, error: str) -> None:
    lines = fails(*built, {"content/bad.md": article("Bài", body=body)})
    with_hint(lines, error)


def test_deep_but_sane_nesting_still_builds(make_site) -> None:
    body = "".join("    " * i + f"- mục {i}\n" for i in range(12)) + "\n" + "> " * 12 + "trích"
    site = make_site({"content/a.md": article("Bài A", body=body + "\n\n" + "[x] (y) " * 300)})
    site.build()
    page = site.page("/tin/bai-a/")
    assert len(page.cssselect(".article-body ul")) == 12
    assert len(page.cssselect(".article-body blockquote")) == 12


def test_bom_and_crlf_are_accepted_silently(make_site) -> None:
    text = article("Bài có BOM", tags='["ma tuý"]', body="Dòng một.\n\nDòng hai.")
    text = text.replace("\n", "\r\n")
    site = make_site({"content/a.md": b"\xef\xbb\xbf" + text.encode("utf-8")})
    result = site.run()
    assert result.code == 0 and result.err == ""
    page = site.page("/tin/bai-co-bom/")
    assert page.cssselect("h1")[0].text_content() == "Bài có BOM"
    assert [a.text for a in page.cssselect(".article-tags a")] == ["ma tuý"]
    assert [p.text for p in page.cssselect(".article-body p")] == ["Dòng một.", "Dòng hai."]


def test_two_bad_files_are_reported_in_one_run(built) -> None:
    lines = fails(*built, {"content/a.md": article("Bài A", date="2024-02-30"),
                           "content/z/index.md": article("Bài Z", tags="a, b",
                                                         body="[x](nope.md)")})
    errors = [line for line in lines if not line.startswith(" ")]
    assert errors == [
        "content/a.md:3: date '2024-02-30' is not a valid date",
        "content/z/index.md:4: tags must be a list, not the text 'a, b'",
        "2 error(s); nothing was written.",
    ]


def test_template_and_content_errors_come_in_one_report(built) -> None:
    site, before = built
    folder = copy_templates(site, {"404.html": "{% extends 'base.html' %}\n{% block content %}\n"
                                               "{{ t.home }\n{% endblock %}\n"})
    lines = fails(site, before, {"content/a.md": article("Bài A", body="[x](nope.md)"),
                                 "content/b.md": article("Bài B", body="![Ảnh](nope.jpg)")},
                  "--templates", str(folder))
    errors = [line for line in lines if not line.startswith(" ")]
    assert errors == ["content/a.md:6: link to a missing article: nope.md",
                      "content/b.md:6: image not found: nope.jpg",
                      "templates/404.html:3: template syntax error: unexpected '}'",
                      "3 error(s); nothing was written."]


def test_check_reports_the_same_errors_and_writes_nothing(built) -> None:
    site, before = built
    site.write({"content/bad.md": article("Bài", date="hôm qua")})
    result = site.run("check")
    assert result.code == 1
    assert "content/bad.md:3: date 'hôm qua' is not a valid date" in result.err.splitlines()
    assert tree_digest(site.output) == before


def test_long_titles_and_slugs(built) -> None:
    site, before = built
    long = "Công an tỉnh " * 40
    lines = fails(site, before, {"content/a.md": article("Bài A", slug="a" * 101),
                                 "content/b.md": article("Bài B", tags=f'["{long}"]'),
                                 "content/c.md": article(long)})
    assert "content/a.md:4: slug is 101 characters long, more than 100" in lines
    assert any(line.startswith("content/b.md:4: tag 'Công an tỉnh") for line in lines)
    assert not any(line.startswith("content/c.md") for line in lines)
    site.write({"content/a.md": article("Bài A"), "content/b.md": article("Bài B")})
    site.build()
    slug = next(p.name for p in (site.output / "tin").iterdir() if p.name.startswith("cong-an"))
    assert len(slug) <= 100 and ("cong-an-tinh-" * 40).startswith(slug + "-")


def test_control_characters_from_a_file_are_shown_escaped() -> None:
    """A tag holding U+0085 (a line break to Python) or an escape sequence stays on its line."""
    from bulletin.errors import SourceError

    text = SourceError("content/a.md", 4, "tag '\x85\x1b[31m' has no letters", "Xoá nó.\nDòng 2").format()
    assert text.splitlines() == ["content/a.md:4: tag '\\x85\\x1b[31m' has no letters",
                                 "    hint: Xoá nó.", "          Dòng 2"]


def test_an_address_python_cannot_read_is_an_error_at_its_line(built) -> None:
    # Square brackets after a host (a footnote mark typed into an autolink) make urlsplit raise.
    bad = ("---\ntitle: Tin\ndate: 2026-10-01\n---\nĐoạn một.\n\n<http://x.vn[^1]>\n\n"
           "Xem [trang](http://[bad/).\n\n![Ảnh](http://[x/a.jpg)\n")
    lines = fails(*built, {"content/bad.md": bad})
    assert "Square brackets" in with_hint(
        lines, "content/bad.md:7: link address is not valid: http://x.vn[^1]")
    with_hint(lines, "content/bad.md:9: link address is not valid: http://[bad/")
    with_hint(lines, "content/bad.md:11: image address is not valid: http://[x/a.jpg")


@pytest.mark.parametrize("value", ['"http://[x/"', '"http://[::1"', '"ftp://example.vn/"',
                                   '"http://a.vn:abc/"', '"http://a.vn/\\ttin/"', '"http://:80/"'])
def test_a_base_url_that_is_no_http_address_is_a_site_toml_error(built, value: str) -> None:
    site, before = built
    config = (site.root / "site.toml").read_text(encoding="utf-8")
    lines = fails(site, before, {"site.toml": f"base_url = {value}\n" + "\n".join(
        line for line in config.splitlines() if not line.startswith("base_url"))})
    assert any(line.startswith("site.toml:1: base_url must be an absolute http(s) URL")
               for line in lines), lines


# -- inputs that stopped a build with an internal error, or without the line they could name ---

def test_a_date_out_of_pythons_range_in_some_time_zone_is_a_content_error(built) -> None:
    # 0001-01-01T00:00+14:00 is year 0 in UTC: the feeds' astimezone raised OverflowError.
    bad = '---\ntitle: "Bài gõ nhầm năm"\ndate: 0001-01-01T00:00:00+14:00\n---\nx\n'
    lines = fails(*built, {"content/bad.md": bad})
    hint = with_hint(lines, "content/bad.md:3: date '0001-01-01T00:00:00+14:00' is out of range")
    assert "check the year" in hint


def test_a_number_too_long_for_python_is_a_content_error_at_its_key(built) -> None:
    # PyYAML's int() meets Python's 4,300-digit limit: a ValueError, exit 3.
    bad = '---\ntitle: "Bài"\ndate: 2026-10-01\nma_so: 1' + "0" * 5000 + "\n---\nx\n"
    lines = fails(*built, {"content/bad.md": bad})
    error = next(line for line in lines if line.startswith("content/bad.md"))
    assert error.startswith("content/bad.md:4: a front-matter value cannot be read: "), error
    assert "in quotes" in lines[lines.index(error) + 1]


def test_front_matter_nested_too_deep_is_a_content_error(built) -> None:
    # 500 levels parsed, then failed to pickle into the cache: RecursionError, exit 3.
    bad = '---\ntitle: "Bài"\ndate: 2026-10-01\nx: ' + "[" * 500 + "]" * 500 + "\n---\nx\n"
    lines = fails(*built, {"content/bad.md": bad})
    with_hint(lines, "content/bad.md:4: 'x' holds lists or mappings nested more than 20 deep")


def test_an_image_without_a_file_name_is_reported_at_its_line(built) -> None:
    bad = article("Bài", body="Mở đầu.\n\n![Ảnh hiện trường]()\n")
    lines = fails(*built, {"content/bad.md": bad})
    assert "anh.jpg" in with_hint(lines, "content/bad.md:8: image has no file name")


def _truncated_jpeg() -> bytes:
    data = photo(1200, 800)
    return data[: len(data) // 2]  # its header still reads: the damage shows when it is decoded


def test_a_truncated_photo_is_reported_at_its_line_by_build_and_by_check(built) -> None:
    site, before = built
    files = {"content/x/index.md": article("Bài ảnh", body="Mở đầu.\n\n![Hiện trường](anh.jpg)\n"),
             "content/x/anh.jpg": _truncated_jpeg()}
    lines = fails(site, before, files)
    error = next(line for line in lines if line.startswith("content/x/index.md"))
    assert error.startswith("content/x/index.md:8: cannot resize the photo anh.jpg: "), error
    checked = site.run("check")  # which encodes nothing, so decodes the photo instead
    assert checked.code == 1 and error in checked.err.splitlines(), checked.err


def test_a_tall_infographic_gets_no_webp_copy_taller_than_webp_allows(make_site) -> None:
    # WebP holds at most 16,383 pixels on a side: encoding one failed the whole build.
    site = make_site({"content/x/index.md": article("Đồ hoạ", body="![Đồ hoạ dài](do-hoa.png)\n")})
    (site.content / "x" / "do-hoa.png").write_bytes(photo(100, 17_000, "PNG"))
    site.build()
    img = site.page("/tin/do-hoa/").cssselect(".article-body picture img")[0]
    assert (img.get("width"), img.get("height")) == ("100", "17000")
    assert sorted(p.name for p in (site.output / "tin/do-hoa").iterdir()) == \
        ["do-hoa.100w.png", "do-hoa.png", "index.html"]


def _with(site: Site, extra: str) -> str:
    return (site.root / "site.toml").read_text(encoding="utf-8") + extra


@pytest.mark.parametrize(("key", "pattern", "problem"), [
    ("article", "/../{slug}/", "climbs out of the output folder"),
    ("tag", "/the/../../{slug}/", "climbs out of the output folder"),
    ("category", "/chuyen-muc/{slug}/../", "climbs out of the output folder"),
    ("search", "/./tim-kiem/", "holds a '.' part"),
    ("feed", "../feed.xml", "climbs out of the output folder"),
    ("article", "https://example.gov.vn/tin/{slug}/", "is a full address, not a path"),
    ("page", "//cdn.example.vn/trang/{n}/", "is a full address, not a path"),
])
def test_a_permalink_that_is_no_path_of_the_site_is_a_site_toml_error(
        built, key: str, pattern: str, problem: str) -> None:
    # "..": routes refused it while publishing, exit 3; a full address built pages into
    # output/https:/… and listed them in the sitemap as https://site/https%3A/….
    site, before = built
    line = len(_with(site, "").splitlines()) + 3
    extra = f'\n[permalinks]\n{key} = "{pattern}"\n'
    lines = fails(site, before, {"site.toml": _with(site, extra)})
    error = next(text for text in lines if text.startswith("site.toml"))
    assert error.startswith(f"site.toml:{line}: the {key} permalink '{pattern}' {problem}"), lines


@pytest.mark.parametrize(("key", "value", "largest"), [("news_sitemap_days", 1_000_000, "36,500"),
                                                       ("related_count", 2**63 - 1, "1,000,000")])
def test_a_number_beyond_reason_in_site_toml_is_an_error(built, key: str, value: int,
                                                         largest: str) -> None:
    # news_sitemap_days = 1000000 overflowed a date, related_count = 2**63 - 1 an array: exit 3.
    site, before = built
    config = "\n".join(line for line in _with(site, "").splitlines()
                       if not line.startswith(key))
    lines = fails(site, before, {"site.toml": f"{key} = {value}\n{config}\n"})
    assert any(line.startswith(f"site.toml:1: {key} may be at most {largest}")
               for line in lines), lines


def test_a_ui_string_with_placeholders_the_theme_does_not_fill_is_a_site_toml_error(
        make_site) -> None:
    # page_of is formatted with n= and total=: another placeholder failed the theme's
    # macros.html with "KeyError: 'page'", sending the owner to the tool's own template.
    files = {f"content/a{i}.md": article(f"Bài số {i}", date=f"2026-10-0{i + 1}T08:00:00+07:00")
             for i in range(5)}
    site = make_site(files, DEFAULT_CONFIG + '\n[ui]\npage_of = "Page {page} of {pages}"\n'
                                             'search_none = "No {q"\n')
    result = site.run()
    assert result.code == 1, result.err
    line = len(DEFAULT_CONFIG.splitlines()) + 3
    lines = result.err.splitlines()
    assert with_hint(lines, f"site.toml:{line}: [ui] page_of holds {{page}}, {{pages}}, which "
                            "are not filled in: use {n} and {total}") == \
        '    hint: page_of = "Trang {n}/{total}"'
    with_hint(lines, f"site.toml:{line + 1}: [ui] search_none has a {{ or }} without its pair: "
                     "write {{ or }} for the sign itself")


def test_a_template_printing_half_a_character_is_a_template_error(built) -> None:
    # A JavaScript-style escape of an emoji, "\ud83d\ude00", is two lone surrogates in Python,
    # which no page can be encoded with: UnicodeEncodeError outside the template's errors, exit 3.
    site, before = built
    folder = copy_templates(site, {})
    base = (folder / "base.html").read_text(encoding="utf-8")
    line = base[: base.index("</body>")].count("\n") + 1
    (folder / "base.html").write_text(base.replace("</body>", '{{ "\\ud83d\\ude00" }}</body>', 1),
                                      encoding="utf-8")
    lines = fails(site, before, {}, "--templates", str(folder))
    hint = with_hint(lines, f"templates/base.html:{line}: template error: the page holds U+D83D, "
                            "half of a character written as two escapes, which no web page "
                            "can hold")
    assert "&#x1F600;" in hint


@pytest.mark.parametrize("command", ["build", "check"])
def test_a_static_file_where_the_site_needs_a_folder_is_a_clash(built, command: str) -> None:
    # static/the, where the tag pages' folder the/ goes: the claims compared whole paths only,
    # so check passed and build copied it onto the folder (IsADirectoryError, exit 3).
    site, before = built
    static = site.root / "static"
    shutil.copytree(PROJECT / "static", static)
    (static / "the").write_text("x", encoding="utf-8")
    site.write({"content/b.md": article("Bài B", tags='["ma tuý"]')})
    result = site.run(command, "--static", str(static))
    assert result.code == 1, result.err
    assert "static/the: writes the file the, where tag 'ma tuý' needs a folder" in \
        result.err.splitlines()
    if command == "build":
        assert tree_digest(site.output) == before


def test_front_matter_holding_itself_is_an_error_at_its_key(built) -> None:
    # The depth check walked every path through shared nodes: `&a [*a]` never ended. Many
    # aliases to shared values (seven levels of ten) are no error, in any stage of the build.
    site, before = built
    laughs = "a: &a [1,1,1,1,1,1,1,1,1,1]\n" + "".join(
        f"{c}: &{c} [{','.join([f'*{p}'] * 10)}]\n"
        for p, c in zip("abcdefg", "bcdefgh", strict=True))
    lines = fails(site, before, {"content/bad.md": "---\ntitle: Bài\ndate: 2026-10-01\n"
                                                   "x: &vong [*vong]\n---\nx\n",
                                 "content/c.md": f"---\ntitle: Bài C\ndate: 2026-10-01\n{laughs}"
                                                 "---\nx\n"})
    with_hint(lines, "content/bad.md:4: 'x' holds itself, through an alias (*name)")
    assert [line for line in lines if line.startswith("content/c.md")] == []
    # Without bad.md, the build goes through every stage with c.md's shared values.
    (site.content / "bad.md").unlink()
    assert site.run().code == 0


def test_the_depth_check_reads_each_node_of_many_aliases_once(monkeypatch) -> None:
    # Seven levels of ten aliases are 10,000,000 paths to 80 nodes: walked path by path, the
    # check took 20 s. Each node's value is read here at most twice (down, then back up).
    import yaml

    from bulletin import meta

    reads = [0]

    class Counted(yaml.SequenceNode):
        @property  # type: ignore[override]
        def value(self) -> list[yaml.Node]:
            reads[0] += 1
            return self._items

        @value.setter
        def value(self, items: list[yaml.Node]) -> None:
            self._items = items

    leaf = yaml.ScalarNode("tag:yaml.org,2002:int", "1")
    node = Counted("tag:yaml.org,2002:seq", [leaf] * 10)
    for _ in range(7):
        node = Counted("tag:yaml.org,2002:seq", [node] * 10)
    assert meta._depth(node) == 8
    assert reads[0] <= 2 * 8


def test_half_a_character_is_found_in_the_template_that_prints_it(built) -> None:
    # Not in another file that merely holds the escape as text (a script for the pages).
    lines = template_fails(built, {**article_template("<p>{{ '\\ud83d' }}</p>"),
                                   "_chia-se.js": 'var smile = "\\ud83d\\ude00";\n'})
    assert lines[0].startswith("templates/article.html:3: template error: the page holds U+D83D")


def test_half_a_character_in_a_base_template_is_found_past_a_picture(built) -> None:
    # The search goes through every template name: a picture among them (check() allows one)
    # is passed over, not an internal error.
    base = (PROJECT / "templates" / "base.html").read_text(encoding="utf-8")
    lines = template_fails(built, {"base.html": base.replace("<body", "{{ '\\ud83d' }}<body", 1),
                                   "aaa.png": b"\x89PNG\r\n\x1a\n\xff\x00"})
    assert lines[0].startswith("templates/base.html:")
    assert "template error: the page holds U+D83D" in lines[0]


def test_an_included_template_not_saved_as_utf8_is_reported_at_its_bad_byte(built) -> None:
    # A name check() does not compile (menu.inc): the error came as Python's exception text,
    # then at the including line without the file's name. It is the included file's, at its
    # bad byte's line, and the hint says where it is read.
    lines = template_fails(built, {
        **article_template('{% include "tin.inc" %}{% include "menu.inc" %}'),
        "tin.inc": "<p>Tin mới</p>\n", "menu.inc": "<ul>\n<li>Tin Đà</li>\n".encode("cp1258")})
    hint = with_hint(lines, "templates/menu.inc:2: not valid UTF-8: byte 0xd0 at byte offset 13")
    assert "Save the file with UTF-8" in hint and "It is read at templates/article.html:3." in hint


def test_a_template_saved_as_utf16_is_reported_as_not_utf8_text(built) -> None:
    # Notepad's "Unicode" is UTF-16, with NUL bytes: text to save again, not a picture.
    lines = template_fails(built, {"article.html": '{% extends "base.html" %}\n'.encode("utf-16")})
    hint = with_hint(lines, "templates/article.html:1: not valid UTF-8: byte 0xff at byte offset 0")
    assert "Save the file with UTF-8" in hint


def test_an_included_file_that_is_no_template_is_reported_as_such(built) -> None:
    lines = template_fails(built, {**article_template('{% include "logo.png" %}'),
                                   "logo.png": b"\x89PNG\r\n\x1a\n\xff\x00"})
    hint = with_hint(lines, "templates/logo.png: logo.png is not a template (not text)")
    assert "static/" in hint and "UTF-8 encoding" not in hint
    assert "It is read at templates/article.html:3." in hint


def test_body_errors_are_placed_at_their_own_images_and_links(built) -> None:
    body = ("Ảnh ![Ảnh A](anh-a.jpg) có chú thích.\n\n"  # 6: anh-a.jpg holds a.jpg's text
            "`![](a.jpg)` là cách viết sai.\n\n"  # 8: in code, not an image
            "![](a.jpg)\n\n"  # 10
            "![](a.jpg)\n\n"  # 12: the same errors again, on their own line
            "*Xem [một](mot.md)\n"  # 14: inside <em>, before the link on line 15
            "và* [một](mot.md).\n\n"  # 15
            "Xem [bài cũ][cu].\n\n"  # 17
            "[cu]: bai-cu.md")  # 19: the address is written here
    lines = fails(*built, {"content/bai/index.md": article("Bài", body=body),
                           "content/bai/anh-a.jpg": photo(300, 200)})
    errors = [line for line in lines if not line.startswith(" ")]
    assert errors == ["content/bai/index.md:10: image has no alt text: a.jpg",
                      "content/bai/index.md:10: image not found: a.jpg",
                      "content/bai/index.md:12: image has no alt text: a.jpg",
                      "content/bai/index.md:12: image not found: a.jpg",
                      "content/bai/index.md:14: link to a missing article: mot.md",
                      "content/bai/index.md:15: link to a missing article: mot.md",
                      "content/bai/index.md:19: link to a missing article: bai-cu.md",
                      "7 error(s); nothing was written."]


def test_a_link_and_a_pin_to_an_article_whose_yaml_does_not_read_are_left_to_its_error(
        built) -> None:
    lines = fails(*built, {
        "content/bai-mot.md": '---\ntitle: "Bài một\ndate: 2026-10-01\n---\nx\n',
        "content/bai-hai.md": article("Bài hai", related="[bai-mot, bai-khac]",
                                      body="Xem [bài một](bai-mot.md)."),
    })
    errors = [line for line in lines if not line.startswith(" ")]
    assert [e for e in errors if e.startswith("content/bai-hai.md")] == [
        "content/bai-hai.md:4: related: no published article has the slug 'bai-khac'"]
    assert any(e.startswith("content/bai-mot.md:") for e in errors)


def test_a_link_and_a_pin_to_an_article_that_is_not_utf8_are_left_to_its_error(built) -> None:
    lines = fails(*built, {
        "content/bai-mot.md": article("Bài một").encode().replace(b"B", b"\xd0", 1),
        "content/bai-hai.md": article("Bài hai", related="[bai-mot]",
                                      body="Xem [bài một](bai-mot.md)."),
    })
    errors = [line for line in lines if not line.startswith(" ")]
    assert len(errors) == 2 and errors[0].startswith("content/bai-mot.md:2: not valid UTF-8"), \
        "\n".join(lines)
