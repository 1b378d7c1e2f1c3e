"""Security: front matter is escaped, bodies are sanitised unless site.toml trusts raw HTML."""

from __future__ import annotations

import json
import re
from pathlib import Path

import lxml.etree
import lxml.html

from .conftest import DEFAULT_CONFIG, photo, tree_digest

# Attributes that hold a URL a browser may follow or load.
_URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "srcset", "poster", "cite",
                   "background", "xlink:href", "ping"}
_DANGEROUS_TAGS = {"script", "iframe", "object", "embed", "style", "base", "form", "frame"}

TITLE = '<script>alert("tieu-de")</script> Tin <b>nóng</b>'
SUMMARY = '<img src=x onerror=alert("tom-tat")> Tóm tắt'
AUTHOR = '"><script>alert("tac-gia")</script>'
CATEGORY = '<a href="javascript:alert(1)">An ninh</a>'
TAGS = ['<script>alert("the")</script>', '"><svg onload=alert(1)>', "ma tuý"]
CAPTION = '<img src=x onerror=alert("chu-thich")>'
ALT = '" onerror="alert(1)'
BODY = """\
Đoạn đầu <script>alert("than-bai")</script> với <b onclick="alert(1)">chữ đậm</b>.

<img src="anh.jpg" alt="ảnh" onerror="alert(1)">

<a href="javascript:alert(1)">một</a> <a href="JaVaScRiPt:alert(1)">hai</a>
<a href="&#106;avascript:alert(1)">ba</a> [bốn](javascript:alert(1)) <a href=" javascript:x">năm</a>

<iframe src="https://example.com/"></iframe><object data="x.swf"></object><embed src="x.swf">
<style>body { display: none }</style><svg onload="alert(1)"><circle r="1"/></svg>
<form action="javascript:alert(1)"><button formaction="javascript:alert(1)">gửi</button></form>
<p style="background:url(javascript:alert(1))" onmouseover="alert(1)">kiểu</p>
<math><mi xlink:href="javascript:alert(1)">x</mi></math>
"""


def yaml_text(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def unsafe_site(make_site, config: str = DEFAULT_CONFIG):  # type: ignore[no-untyped-def]
    front = "\n".join([
        "---", f"title: {yaml_text(TITLE)}", "date: 2026-10-01T08:00:00+07:00",
        f"summary: {yaml_text(SUMMARY)}", f"author: {yaml_text(AUTHOR)}",
        f"category: {yaml_text(CATEGORY)}", "tags: [" + ", ".join(map(yaml_text, TAGS)) + "]",
        "image: anh.jpg", f"image_alt: {yaml_text(ALT)}", f"image_caption: {yaml_text(CAPTION)}",
        "---", "",
    ])
    return make_site({"content/bai/index.md": front + BODY,
                      "content/bai/anh.jpg": photo(300, 200),
                      "content/khac.md": "---\ntitle: Bài khác\ndate: 2026-10-02\n"
                                         f"tags: [{yaml_text(TAGS[0])}]\n---\nXem thêm.\n"},
                     config=config)


_JSON_LD = b'<script type="application/ld+json">'
# The theme's own code: the search page's script (a file of static/, no inline code) and the
# search form every page's header carries. Bodies and front matter can never produce either.
_SEARCH_SCRIPT = re.compile(rb'<script src="[^"<>]*/js/search\.js" defer></script>')
# Feed elements whose text a feed reader renders as HTML.
_RSS_HTML = {"description", "{http://purl.org/rss/1.0/modules/content/}encoded"}
_ATOM = "{http://www.w3.org/2005/Atom}"


def unsafe_markup(output: Path) -> list[str]:
    """Every script, event handler, or javascript: URL in every built file, as 'file: what'.

    HTML pages are parsed, and so is the HTML that feeds carry as text. The theme's JSON-LD blocks
    are the only scripts allowed: data, not code, whose text is JSON without a '<'.
    """
    found: list[str] = []
    for path in sorted(p for p in output.rglob("*") if p.is_file()):
        name = path.relative_to(output).as_posix()
        data = path.read_bytes()
        allowed = data.count(_JSON_LD) + len(_SEARCH_SCRIPT.findall(data))
        if data.lower().count(b"<script") != allowed:
            found.append(f"{name}: <script")
        if name.endswith(".html"):
            _scan(name, lxml.html.fromstring(data), found)
        elif name.endswith(".xml"):
            for element in lxml.etree.fromstring(data).iter():
                rendered = element.tag in _RSS_HTML or (
                    element.tag in (f"{_ATOM}content", f"{_ATOM}summary", f"{_ATOM}title")
                    and element.get("type") in ("html", "xhtml"))
                if rendered and (element.text or "").strip():
                    html = lxml.html.fragment_fromstring(element.text, create_parent="div")
                    _scan(f"{name} <{element.tag}>", html, found)
    return found


def _scan(name: str, root: lxml.html.HtmlElement, found: list[str]) -> None:
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        if element.tag == "script" and element.get("type") == "application/ld+json":
            json.loads(element.text)
            if "<" in element.text:
                found.append(f"{name}: '<' in JSON-LD")
        elif element.tag == "script" and _SEARCH_SCRIPT.fullmatch(
                lxml.html.tostring(element, with_tail=False)):
            pass
        elif element.tag == "form" and element.get("role") == "search" and \
                (element.get("action") or "").endswith("/tim-kiem/"):
            pass
        elif element.tag in _DANGEROUS_TAGS:
            found.append(f"{name}: <{element.tag}>")
        for attribute, value in element.attrib.items():
            if attribute.lower().startswith("on"):
                found.append(f"{name}: {attribute}=")
            cleaned = "".join(value.split()).lower()
            if attribute.lower() in _URL_ATTRIBUTES and cleaned.startswith(
                    ("javascript:", "vbscript:", "data:")):
                found.append(f"{name}: {attribute}={value}")
            if attribute.lower() == "style" and "javascript:" in cleaned:
                found.append(f"{name}: style={value}")


def test_unsafe_markup_in_front_matter_and_body_never_reaches_a_built_file(make_site) -> None:
    site = unsafe_site(make_site, config=DEFAULT_CONFIG + "feed_full_content = true\n")
    site.build()
    built = tree_digest(site.output)
    assert len([name for name in built if name.endswith(".html")]) >= 8
    assert "feed.xml" in built and "atom.xml" in built
    assert "chữ đậm" in (site.output / "feed.xml").read_text(encoding="utf-8")  # the body is there
    assert unsafe_markup(site.output) == []


def test_front_matter_is_shown_as_text_not_dropped(make_site) -> None:
    site = unsafe_site(make_site)
    site.build()
    article = next(site.output.glob("tin/*/index.html"))
    assert article.parent.name == "script-alert-tieu-de-script-tin-b-nong-b"
    page = lxml.html.fromstring(article.read_bytes())
    assert page.cssselect("h1")[0].text_content() == TITLE
    assert page.cssselect("h1 b") == []
    assert page.cssselect("title")[0].text_content().startswith(TITLE)
    data = json.loads(page.cssselect('script[type="application/ld+json"]')[0].text)
    assert (data["headline"], data["description"]) == (TITLE, SUMMARY)
    assert page.cssselect(".lead")[0].text_content() == SUMMARY
    assert page.cssselect('meta[name="description"]')[0].get("content") == SUMMARY
    assert page.cssselect(".article-author")[0].text_content() == AUTHOR
    assert page.cssselect(".article-category a")[0].text_content() == CATEGORY
    assert [a.text_content() for a in page.cssselect(".article-tags a")] == TAGS
    assert page.cssselect(".article-photo img")[0].get("alt") == ALT
    assert page.cssselect(".article-photo figcaption")[0].text_content() == CAPTION
    tags = lxml.html.fromstring((site.output / "the/index.html").read_bytes())
    assert TAGS[0] in [a.text_content() for a in tags.cssselect(".tag-cloud a")]


def test_body_keeps_safe_markup_after_sanitising(make_site) -> None:
    site = unsafe_site(make_site)
    site.build()
    article = next(site.output.glob("tin/*/index.html"))
    body = lxml.html.fromstring(article.read_bytes()).cssselect(".article-body")[0]
    assert body.cssselect("b")[0].text == "chữ đậm"
    assert [a.text for a in body.cssselect("a")][:4] == ["một", "hai", "ba", "bốn"]
    assert all(a.get("href") is None for a in body.cssselect("a"))
    assert body.cssselect("img")[0].get("alt") == "ảnh"
    assert "than-bai" not in body.text_content()


def test_trust_html_keeps_raw_html_in_bodies_only(make_site) -> None:
    site = unsafe_site(make_site, config=DEFAULT_CONFIG + "trust_html = true\n")
    site.build()
    article = next(site.output.glob("tin/*/index.html"))
    page = lxml.html.fromstring(article.read_bytes())
    body = page.cssselect(".article-body")[0]
    assert 'alert("than-bai")' in [s.text for s in body.cssselect("script")]
    assert body.cssselect("b")[0].get("onclick") == "alert(1)"
    assert body.cssselect("iframe")
    found = unsafe_markup(site.output)
    inside = "tin/script-alert-tieu-de-script-tin-b-nong-b/index.html"
    assert {f"{inside}: <script", f"{inside}: onclick=", f"{inside}: <iframe>"} <= set(found)
    assert [f for f in found if not f.startswith(inside)] == []
    assert page.cssselect("h1")[0].text_content() == TITLE
    scripts = [s.text for s in page.cssselect("script:not([type])")]
    assert scripts == ['alert("than-bai")']


def test_an_image_with_a_javascript_url_is_a_content_error(make_site) -> None:
    site = make_site({"content/a.md": '---\ntitle: "A"\ndate: 2026-10-01\nimage: '
                                      '"javascript:alert(1)"\n---\n\n![x](data:text/html,hi)\n'})
    result = site.run()
    assert result.code == 1
    lines = result.err.splitlines()
    problem = "image must be a file or an http(s) address, not"
    assert f"content/a.md:4: {problem} javascript:alert(1)" in lines
    assert f"content/a.md:7: {problem} data:text/html,hi" in lines
    assert not site.output.exists()
