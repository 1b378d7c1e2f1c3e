"""Hunt 11: content-error messages that are there but wrong or unhelpful (each test fails on the
code it was written against, for the reason its docstring gives)."""

from __future__ import annotations

import re

import pytest

from .conftest import DEFAULT_CONFIG, Site, article, photo, tree_digest

GOOD = {"content/good.md": article("Bài tốt", tags='["ma tuý"]', category="An ninh")}


def first_build(make_site) -> tuple[Site, dict[str, str]]:  # type: ignore[no-untyped-def]
    site = make_site(dict(GOOD))
    site.build()
    return site, tree_digest(site.output)


def fails(site: Site, before: dict[str, str], files: dict[str, str | bytes],
          *args: str) -> list[str]:
    """Add ``files``, build, and check the run failed as a content error with output/ untouched."""
    site.write(files)
    result = site.run(*args)
    assert result.code == 1, result.err
    assert "Traceback" not in result.err and "internal error" not in result.err
    assert result.err.rstrip().endswith("nothing was written.")
    assert tree_digest(site.output) == before
    return result.err.splitlines()


def with_hint(lines: list[str], error: str) -> str:
    assert error in lines, "\n".join(lines)
    hint = lines[lines.index(error) + 1]
    assert hint.startswith("    hint: ")
    return hint


@pytest.fixture
def built(make_site):  # type: ignore[no-untyped-def]
    return first_build(make_site)


# 1. A link (and a pin) to an article whose front matter has an error is called "missing", and
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


# 2. A related pin to a draft gets the hint to use the article's slug, which it does.
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


# 3. Body errors are placed at the first line where the address's text appears, not at the
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


# 4. draft: "false" (quoted) gets the hint "draft: true", the opposite of what was meant.
def test_a_quoted_draft_value_gets_its_own_value_unquoted_as_hint(built) -> None:
    lines = fails(*built, {"content/bad.md": article("Bài", draft='"false"')})
    error = next(line for line in lines if line.startswith("content/bad.md:4: draft must be"))
    assert with_hint(lines, error) == "    hint: draft: false"


# 5. A misspelt site.toml key is silently a template extra: no word, and the setting is lost.
def test_a_misspelt_site_toml_key_is_a_warning_with_did_you_mean(make_site) -> None:
    config = DEFAULT_CONFIG.replace("base_url", "base_ulr")
    site = make_site(dict(GOOD), config=config)
    result = site.run()
    # the site is built for http://localhost:8000/ (feeds, canonical links, sitemaps) in silence
    assert "site.toml:2: warning: unknown key 'base_ulr': did you mean 'base_url'?" in \
        result.err.splitlines(), result.err


# 6. site.toml type errors name Python types: "must be a str", "must be a bool".
@pytest.mark.parametrize("line", ["author = 2026", 'trust_html = "true"'])
def test_a_site_toml_value_of_the_wrong_kind_is_explained_without_python_type_names(
        built, line: str) -> None:
    site, before = built
    (site.root / "site.toml").write_text(DEFAULT_CONFIG + line + "\n", encoding="utf-8")
    lines = fails(site, before, {})
    error = next(line for line in lines if line.startswith("site.toml:4:"))
    assert not re.search(r"\b(str|bool)\b", error), error


# 7. A tab in front matter: YAML's jargon and a hint about quoting, never the word "tab".
@pytest.mark.parametrize("front", ['title: "Bài"\ndate: 2026-10-01\ntags:\n\t- ma tuý',
                                   'title: "Bài"\n\tdate: 2026-10-01'])
def test_a_tab_in_front_matter_is_named_as_a_tab(built, front: str) -> None:
    lines = fails(*built, {"content/bad.md": f"---\n{front}\n---\nx\n"})
    error = next(line for line in lines if line.startswith("content/bad.md:"))
    hint = with_hint(lines, error)
    assert "cannot start any token" not in error
    assert "tab" in (error + hint).lower(), (error, hint)


# 8. A date_format directive Python does not know is printed as it is on every page, silently.
@pytest.mark.parametrize("pattern", ["%d/%m/%Y %Q", "dd/mm/yyyy"])
def test_a_date_format_python_does_not_know_is_reported_at_its_line(make_site,
                                                                    pattern: str) -> None:
    site = make_site(dict(GOOD), config=DEFAULT_CONFIG + f'date_format = "{pattern}"\n')
    result = site.run()
    # the home page shows "01/10/2026 %Q" or "dd/mm/yyyy" under every article
    assert any(line.startswith("site.toml:4:") and "date_format" in line
               for line in result.err.splitlines()), result.err
