"""Sharing metadata read back from built pages: canonical, OpenGraph, Twitter card, JSON-LD."""

from __future__ import annotations

import json
import shutil
from unittest import mock

import lxml.html
import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bulletin import meta as front_matter

from .conftest import DEFAULT_CONFIG, PROJECT, article, photo

BASE = "https://example.gov.vn/ban-tin/"
CONFIG = f'title = "Bản tin thử"\nbase_url = "{BASE}"\ndescription = "Tin & ảnh"\n'


def meta(page: lxml.html.HtmlElement) -> dict[str, list[str]]:
    """Every <meta property|name> in the head: name → its contents, in order."""
    found: dict[str, list[str]] = {}
    for tag in page.xpath("//head/meta[@property or @name]"):
        found.setdefault(tag.get("property") or tag.get("name"), []).append(tag.get("content"))
    return found


def json_ld(page: lxml.html.HtmlElement) -> list[dict]:  # type: ignore[type-arg]
    scripts = page.xpath('//script[@type="application/ld+json"]')
    return [json.loads(script.text) for script in scripts]


def photo_site(make_site):  # type: ignore[no-untyped-def]
    return make_site({
        "content/hoi-nghi/index.md": article(
            "Hội nghị sơ kết quý III", date="2023-09-29T08:00:00+07:00", updated="2023-09-30",
            category='"Tin tức, sự kiện"', tags='["Công an", "sơ kết"]', author='"Phương Huyền"',
            summary='"Tóm tắt hội nghị"', image="anh.png", image_alt='"Toàn cảnh hội nghị"'),
        "content/hoi-nghi/anh.png": photo(300, 200, "PNG"),
        "content/b.md": article("Bài không ảnh", date="2023-09-28T08:00:00+07:00"),
    }, config=CONFIG)


def test_article_carries_canonical_opengraph_and_twitter_card(make_site) -> None:
    site = photo_site(make_site)
    site.build()
    page = site.page("/tin/hoi-nghi-so-ket-quy-iii/")
    url = f"{BASE}tin/hoi-nghi-so-ket-quy-iii/"
    assert page.xpath('//head/link[@rel="canonical"]/@href') == [url]
    tags = meta(page)
    assert tags["og:type"] == ["article"]
    assert tags["og:title"] == ["Hội nghị sơ kết quý III"]
    assert tags["og:description"] == ["Tóm tắt hội nghị"]
    assert tags["og:url"] == [url]
    assert tags["og:image"] == [url + "anh.png"]
    assert (site.output / "tin/hoi-nghi-so-ket-quy-iii/anh.png").is_file()
    assert tags["og:image:alt"] == ["Toàn cảnh hội nghị"]
    assert tags["og:site_name"] == ["Bản tin thử"]
    assert tags["og:locale"] == ["vi_VN"]
    assert tags["article:published_time"] == ["2023-09-29T08:00:00+07:00"]
    assert tags["article:modified_time"] == ["2023-09-30T00:00:00+07:00"]
    assert tags["article:section"] == ["Tin tức, sự kiện"]
    assert tags["article:tag"] == ["Công an", "sơ kết"]
    assert tags["twitter:card"] == ["summary_large_image"]
    assert "twitter:site" not in tags


def test_article_without_photo_shares_the_site_logo(make_site) -> None:
    site = photo_site(make_site)
    site.build()
    page = site.page("/tin/bai-khong-anh/")
    tags = meta(page)
    assert tags["og:image"] == [f"{BASE}img/logo.png"]
    assert (site.output / "img/logo.png").read_bytes().startswith(b"\x89PNG")
    assert tags["twitter:card"] == ["summary"]
    assert tags["article:modified_time"] == tags["article:published_time"]
    assert json_ld(page)[0]["image"] == [f"{BASE}img/logo.png"]
    assert json_ld(page)[0]["author"] == {"@type": "Organization", "name": "Bản tin thử",
                                          "url": BASE}


def test_article_json_ld_is_a_news_article_with_the_required_fields(make_site) -> None:
    site = photo_site(make_site)
    site.build()
    page = site.page("/tin/hoi-nghi-so-ket-quy-iii/")
    (data,) = json_ld(page)
    url = f"{BASE}tin/hoi-nghi-so-ket-quy-iii/"
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == "Hội nghị sơ kết quý III"
    assert data["datePublished"] == "2023-09-29T08:00:00+07:00"
    assert data["dateModified"] == "2023-09-30T00:00:00+07:00"
    assert data["author"] == {"@type": "Person", "name": "Phương Huyền"}
    assert data["image"] == [url + "anh.png"]
    assert data["publisher"]["@type"] == "Organization"
    assert data["publisher"]["name"] == "Bản tin thử"
    assert data["publisher"]["logo"] == {"@type": "ImageObject", "url": f"{BASE}img/logo.png"}
    assert data["mainEntityOfPage"] == {"@type": "WebPage", "@id": url}
    assert data["articleSection"] == "Tin tức, sự kiện"
    assert data["keywords"] == ["Công an", "sơ kết"]


def test_no_title_can_break_out_of_the_json_ld_script(make_site) -> None:
    title = r'</script><script>alert(1)</script> <!-- \"Tin\" & ảnh'
    site = make_site({"content/a.md": article(title, slug="a", author='"A </script> B"')},
                     config=CONFIG)
    site.build()
    page = site.page("/tin/a/")
    wanted = '</script><script>alert(1)</script> <!-- "Tin" & ảnh'
    assert len(page.xpath("//script")) == 1
    (data,) = json_ld(page)
    assert data["headline"] == wanted
    assert data["author"]["name"] == "A </script> B"
    assert meta(page)["og:title"] == [wanted]
    raw = (site.output / "tin/a/index.html").read_text(encoding="utf-8")
    script = raw.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
    assert "<" not in script and ">" not in script and "&" not in script


def test_home_page_describes_the_website_and_the_organization(make_site) -> None:
    files = {f"content/a{i}.md": article(f"Bài {i}", date=f"2026-10-0{i + 1}T08:00:00+07:00")
             for i in range(4)}
    site = make_site(files, config=CONFIG + "page_size = 2\n")
    site.build()
    (data,) = json_ld(site.page("/"))
    graph = {node["@type"]: node for node in data["@graph"]}
    assert data["@context"] == "https://schema.org"
    assert graph["WebSite"]["name"] == "Bản tin thử"
    assert graph["WebSite"]["url"] == BASE
    assert graph["WebSite"]["description"] == "Tin & ảnh"
    assert graph["WebSite"]["inLanguage"] == "vi"
    assert graph["WebSite"]["publisher"] == {"@id": graph["Organization"]["@id"]}
    assert graph["Organization"]["url"] == BASE
    assert graph["Organization"]["logo"]["url"] == f"{BASE}img/logo.png"
    home = meta(site.page("/"))
    assert home["og:type"] == ["website"] and home["og:url"] == [BASE]
    assert json_ld(site.page("/page/2/")) == []  # the second page is not the home page


def test_logo_twitter_handle_and_locale_come_from_config(make_site) -> None:
    site = make_site({"content/a.md": article("Bài A", slug="a")}, config=CONFIG + (
        'logo = "https://cdn.example.vn/logo.png"\ntwitter_site = "bantin"\nlanguage = "en-GB"\n'))
    site.build()
    page = site.page("/tin/a/")
    tags = meta(page)
    assert tags["og:image"] == ["https://cdn.example.vn/logo.png"]
    assert tags["twitter:site"] == ["@bantin"]
    assert tags["og:locale"] == ["en_GB"]
    assert json_ld(page)[0]["publisher"]["logo"]["url"] == "https://cdn.example.vn/logo.png"


def test_a_logo_missing_from_static_is_a_warning(make_site) -> None:
    site = make_site({"content/a.md": article("Bài A")}, config=CONFIG + 'logo = "img/logo.jpg"\n')
    result = site.build()
    assert "site.toml: warning: logo 'img/logo.jpg' is not in" in result.err
    assert meta(site.page("/tin/bai-a/"))["og:image"] == [f"{BASE}img/logo.jpg"]


def test_a_missing_static_folder_is_a_warning_not_unstyled_pages_without_a_word(make_site) -> None:
    site = make_site({"content/a.md": article("Bài A")}, config=CONFIG)
    result = site.build("--static", "statc")
    assert result.err.splitlines()[:2] == [
        "statc: warning: static folder not found: the pages will link styles, scripts and a logo "
        "that no file provides",
        "    hint: Run the build from the site's folder, or pass --static DIR (this project's "
        "static/ holds the default theme's files)."]


def test_front_matter_kept_valid_in_the_cache_still_warns_and_follows_the_timezone(
        make_site) -> None:  # type: ignore[no-untyped-def]
    """An unchanged article is not validated again by the next build (its Meta is cached):
    one with a warning still shows it every time, and another timezone dates all anew."""
    site = make_site({"content/a.md": article("Bài A", date="2026-10-01T08:00:00"),
                      "content/b.md": article("Bài B", categry='"An ninh"')})
    warning = "content/b.md:4: warning: unknown key 'categry': did you mean 'category'?"

    def stamp() -> str:
        return site.page("/tin/bai-a/").cssselect("time[datetime]")[0].get("datetime")

    assert warning in site.build().err
    assert stamp().startswith("2026-10-01T08:00:00+07:00")
    site.write({"content/c.md": article("Bài C")})  # not a no-op: the cache is read
    assert warning in site.build().err
    site.write({"site.toml": DEFAULT_CONFIG + 'timezone = "UTC"\n'})
    assert warning in site.build().err
    assert stamp().startswith("2026-10-01T08:00:00+00:00")


_WORDS = ["Tin", "đường", "Công an", "yes", "No", "on", "null", "~", "9", "012", "0x1F", "1_000",
          "3.5", ".inf", "-5", "+5", "0", "2024-03-15", "2024-03-15T08:30:00+07:00", "a: b", "a:",
          "a:b", "a #b", "C#", "http://x.vn/a", "<<", "=", "...", "a, b", "[a]", "{a}", "'", '"',
          "it's", "\\n", "\t", "\u00a0", "&a", "*a", "!a", "|", ">", "%", "@", "`", "?", "-", "- a",
          "Vì sao?", "a?b", "k" * 1025]


def _scalars() -> st.SearchStrategy[str]:
    text = st.lists(st.sampled_from(_WORDS + [" ", ",", ":"]), max_size=4).map("".join)
    return st.one_of(text, text.map(lambda t: f'"{t}"'), text.map(lambda t: f"'{t}'"))


def _entries() -> st.SearchStrategy[str]:
    key = st.sampled_from(["title", "date", "tags", "slug", "topic", "image_alt", "yes", "on",
                           "Title", "x1", "a b", "_", "k" * 1024, "k" * 1025])
    flow = st.lists(_scalars(), max_size=3).map(lambda items: "[" + ", ".join(items) + "]")
    block = st.lists(_scalars(), max_size=3).map(
        lambda items: "".join(f"\n  - {item}" for item in items))
    value = st.one_of(_scalars().map(lambda v: " " + v), flow.map(lambda v: " " + v), block,
                      st.just(""), st.just("  x"))
    return st.builds(lambda k, v: k + ":" + v, key, value)


class _PureLoader(yaml.SafeLoader):
    """meta._Loader on the pure-Python parser."""


_PureLoader.yaml_implicit_resolvers = front_matter._Loader.yaml_implicit_resolvers


def _usual() -> st.SearchStrategy[str]:
    """Entries as editors write them, which the loader need not read."""
    word = st.sampled_from(["Tin", "đường", "Công an tỉnh", "9", "0", "2024-03-15",
                            "2024-03-15T08:30:00+07:00", "bai-1", "C", "a:b", "it's", "<a"])
    text = st.lists(word, min_size=1, max_size=3).map(" ".join)
    item = st.one_of(text, text.map(lambda t: f'"{t}"'))
    key = st.sampled_from(["title", "date", "tags", "slug", "topic", "summary"])
    value = st.one_of(item.map(lambda v: " " + v),
                      st.lists(item, max_size=3).map(lambda items: " [" + ", ".join(items) + "]"),
                      st.lists(item, min_size=1, max_size=3).map(
                          lambda items: "".join(f"\n- {item}" for item in items)))
    return st.builds(lambda k, v: k + ":" + v, key, value)


@given(st.lists(st.one_of(_usual(), _usual(), _entries(),
                          st.sampled_from(["", "# ghi chú", "  tiếp"])),
                min_size=1, max_size=6).map(lambda lines: "\n" + "\n".join(lines) + "\n"))
@example("\ntags: [Vì sao?, Tin]\n")  # the pure-Python loader ends a flow scalar at "?"
@example("\n" + "k" * 1025 + ": x\n")  # a key is 1024 characters at most
@settings(max_examples=400, deadline=None)
def test_front_matter_read_without_the_loader_is_what_the_loader_reads(front: str) -> None:
    from bulletin import plainyaml
    from bulletin.models import Source

    fast = plainyaml.read(front, 2, front_matter._Loader.yaml_implicit_resolvers)
    if fast is not None:
        source = Source(path=None, shown="a.md", rel="a.md", bundle=None, front=front,  # type: ignore[arg-type]
                        body="", front_line=2, body_line=9, digest="x")
        assert repr(fast) == repr(front_matter.load_yaml(source))
        # ... and what the pure-Python loader reads, where libyaml is not installed
        with mock.patch.object(front_matter, "_Loader", _PureLoader):
            assert repr(fast) == repr(front_matter.load_yaml(source))


def test_a_symlinked_folder_in_static_is_copied_and_a_loop_is_an_error(make_site, tmp_path) -> None:
    # rglob did not follow it: the logos of a shared folder were left out without a word.
    site = make_site({"content/a.md": article("Bài A")}, config=CONFIG)
    static = site.root / "static"
    shutil.copytree(PROJECT / "static", static)
    shared = tmp_path / "dung-chung"
    shared.mkdir()
    (shared / "logo-so.png").write_bytes(b"\x89PNG")
    (static / "chung").symlink_to(shared)
    site.build("--static", str(static))
    assert (site.output / "chung" / "logo-so.png").read_bytes() == b"\x89PNG"
    (shared / "vong").symlink_to(static)
    result = site.run("--static", str(static))
    assert result.code == 1
    assert ("static/chung/vong/chung: this folder is also reached as static/chung, through "
            "symlinks (a loop, or two links to one folder)") in result.err.splitlines()
    # Two links to one folder: both are named, whichever the folder listing gives first.
    (shared / "vong").unlink()
    (static / "hai").symlink_to(shared)
    result = site.run("--static", str(static))
    assert result.code == 1
    assert ("static/hai: this folder is also reached as static/chung, through symlinks (a loop, "
            "or two links to one folder)") in result.err.splitlines()
