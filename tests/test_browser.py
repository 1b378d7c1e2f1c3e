"""The reader's side in a real browser: headless Chromium (Debian's package) driven by Playwright.

Screenshots at phone and desktop widths (kept in tmp/artifacts/ to look at), axe-core's WCAG 2.1
A/AA rules, search typed without tone marks, photos as figures with srcset, keyboard use, and pages
readable with JavaScript off. Locally these skip when chromium or Playwright is missing; with
CI=true they fail instead.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote_plus

import lxml.html
import pytest
from PIL import Image

from bulletin.cli import main

from .conftest import NOW, PROJECT, article

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
ARTIFACTS = PROJECT / "tmp" / "artifacts"
PHOTO_ARTICLE = (
    "/tin/khong-che-kip-thoi-vu-chay-nha-xuong-tai-khu-cong-nghiep-khong-co-thiet-hai-ve-nguoi/"
)
PAGES = {
    "home": "/",
    "tag": "/the/ma-tuy/",
    "article": PHOTO_ARTICLE,
    "search": "/tim-kiem/?q=cong+an",
}


def _missing() -> str | None:
    try:
        import axe_playwright_python  # noqa: F401
        import playwright.sync_api  # noqa: F401
    except ImportError as exc:
        return (
            f"Playwright or axe-playwright-python is not installed ({exc.name}): "
            'python -m pip install -e ".[test]"'
        )
    if not CHROMIUM.is_file():
        return f"{CHROMIUM} is missing: apt-get install -y chromium"
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    reason = _missing()
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(f"browser tests cannot run on CI: {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield launched
        launched.close()


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base's name
        pass


def _serve(folder: Path) -> Iterator[str]:
    handler = functools.partial(_Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _build(content: Path, config: Path, root: Path) -> Path:
    output = root / "output"
    code = main(
        [
            "build",
            "--content",
            str(content),
            "--config",
            str(config),
            "--templates",
            str(PROJECT / "templates"),
            "--static",
            str(PROJECT / "static"),
            "--output",
            str(output),
            "--cache",
            str(root / "cache"),
            "--now",
            NOW,
            "--quiet",
        ]
    )
    assert code == 0
    return output


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The project's sample site, built and served on 127.0.0.1."""
    root = tmp_path_factory.mktemp("sample")
    output = _build(PROJECT / "content", PROJECT / "site.toml", root)
    for url in _serve(output):
        yield url, output


@pytest.fixture(scope="module")
def tones(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A small site where tone marks decide the ranking: đường, dương and words apart."""
    root = tmp_path_factory.mktemp("tones")
    content = root / "content"
    content.mkdir()
    articles = {
        "duong-day.md": article(
            "Triệt phá đường dây ma tuý",
            "2026-10-01T08:00:00+07:00",
            "Công an tỉnh triệt phá một đường dây mua bán ma tuý.",
        ),
        "duong-tinh.md": article(
            "Chín người dương tính với ma tuý",
            "2026-10-05T08:00:00+07:00",
            "Kết quả test nhanh cho thấy chín người dương tính.",
        ),
        "duong-pho.md": article(
            "Sửa đường phố cũ",
            "2026-10-02T08:00:00+07:00",
            "Thành phố sửa lại đường phố trung tâm.",
        ),
        "an-toan.md": article(
            "Bảo đảm an toàn lao động",
            "2026-10-03T08:00:00+07:00",
            "Hội nghị về an toàn lao động và công tác phòng ngừa.",
        ),
        "thoi-tiet.md": article(
            "Dự báo thời tiết cuối tuần",
            "2026-10-04T08:00:00+07:00",
            "Trời nắng, chiều tối có mưa rào.",
        ),
        "giao-luu.md": article(
            "Giao lưu với Łódź và Øresund",
            "2026-10-06T08:00:00+07:00",
            "Đoàn đi qua Großstraße, İstanbul và Diyarbakır.",
        ),
    }
    for name, text in articles.items():
        (content / name).write_text(text, encoding="utf-8")
    config = root / "site.toml"
    config.write_text(
        'title = "Thử tìm kiếm"\nbase_url = "https://example.gov.vn/"\n', encoding="utf-8"
    )
    output = _build(content, config, root)
    yield from _serve(output)


def _page(browser: object, width: int = 1280, javascript: bool = True):
    context = browser.new_context(
        viewport={"width": width, "height": 900}, java_script_enabled=javascript
    )
    return context.new_page()


def _search(page, base: str, query: str) -> list[str]:
    page.goto(f"{base}/tim-kiem/?q={quote_plus(query)}")
    page.wait_for_selector("#search-results[data-state=done]")
    return page.eval_on_selector_all(".search-hit-title a", "links => links.map(a => a.pathname)")


def _folded_text(path: Path) -> str:
    tree = lxml.html.fromstring(path.read_bytes())
    body = tree.cssselect(".article")[0]
    return unicodedata.normalize("NFC", body.text_content()).lower()


# -- screenshots ------------------------------------------------------------------------------
@pytest.mark.parametrize("width", [375, 1280])
@pytest.mark.parametrize("name", ["home", "article"])
def test_screenshot_fills_the_width_without_sideways_scrolling(
    browser, sample, width, name
) -> None:
    base, _ = sample
    page = _page(browser, width)
    page.goto(base + PAGES[name])
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    target = ARTIFACTS / f"{name}-{width}.png"
    page.screenshot(path=str(target), full_page=True)
    page.context.close()
    with Image.open(target) as shot:
        assert shot.width == width
        assert shot.height > 600
        colours = shot.convert("RGB").getcolors(maxcolors=1 << 16)
        assert colours is None or len(colours) > 50, "the screenshot is (nearly) blank"


# -- accessibility ----------------------------------------------------------------------------
@pytest.mark.parametrize("width", [375, 1280])
@pytest.mark.parametrize("name", list(PAGES))
def test_axe_finds_no_wcag_violations(browser, sample, width, name) -> None:
    from axe_playwright_python.sync_playwright import Axe

    base, _ = sample
    page = _page(browser, width)
    page.goto(base + PAGES[name])
    page.wait_for_load_state("networkidle")
    if name == "search":
        page.wait_for_selector(".search-hit")
    results = Axe().run(
        page, options={"runOnly": {"type": "tag", "values": WCAG}, "resultTypes": ["violations"]}
    )
    page.context.close()
    violations = results.response["violations"]
    assert not violations, "\n".join(
        f"{v['id']}: {v['help']} — {[n['target'] for n in v['nodes']][:3]}" for v in violations
    )


def test_keyboard_reaches_the_content_through_a_visible_skip_link(browser, sample) -> None:
    base, _ = sample
    page = _page(browser, 375)
    page.goto(base + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate("""() => { const e = document.activeElement,
        r = e.getBoundingClientRect(), s = getComputedStyle(e);
        return {cls: e.className, top: r.top, height: r.height,
        outline: s.outlineStyle, width: parseFloat(s.outlineWidth)}; }""")
    assert focused["cls"] == "skip-link"
    assert focused["top"] >= 0 and focused["height"] > 0, "the skip link stays off screen"
    assert focused["outline"] != "none" and focused["width"] >= 2, "focus is not visible"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("Tab")  # the next stop is inside the content, not back in the header
    assert page.evaluate("document.getElementById('main').contains(document.activeElement)")
    page.context.close()


def test_pages_are_readable_with_javascript_off(browser, sample) -> None:
    base, _ = sample
    page = _page(browser, 375, javascript=False)
    page.goto(base + "/")
    assert page.locator(".card-title a").count() >= 10
    page.goto(base + PHOTO_ARTICLE)
    assert page.locator(".article-body p").count() >= 3
    assert page.locator("figure figcaption").count() == 2
    page.goto(base + "/tim-kiem/?q=cong+an")
    assert "JavaScript" in page.inner_text(".search-status")
    page.context.close()


# -- search -----------------------------------------------------------------------------------
def test_search_without_tone_marks_lists_the_articles_containing_cong_an(browser, sample) -> None:
    base, output = sample
    page = _page(browser)
    found = _search(page, base, "cong an")
    assert page.locator("input#site-search-q").input_value() == "cong an"
    page.context.close()
    holding = {
        "/" + p.parent.relative_to(output).as_posix() + "/"
        for p in (output / "tin").glob("*/index.html")
        if "công an" in _folded_text(p)
    }
    assert holding, "the sample site has articles about Công an"
    assert set(found) >= holding
    assert found[: len(holding)] and set(found[: len(holding)]) == holding


def test_search_ranks_phrases_and_exact_tone_marks_first(browser, tones) -> None:
    page = _page(browser)
    exact = _search(page, tones, "đường")
    assert set(exact[:2]) == {"/tin/sua-duong-pho-cu/", "/tin/triet-pha-duong-day-ma-tuy/"}
    assert exact[2:] == ["/tin/chin-nguoi-duong-tinh-voi-ma-tuy/"]
    assert _search(page, tones, "dương")[0] == "/tin/chin-nguoi-duong-tinh-voi-ma-tuy/"
    assert set(_search(page, tones, "duong")) == {
        "/tin/sua-duong-pho-cu/",
        "/tin/triet-pha-duong-day-ma-tuy/",
        "/tin/chin-nguoi-duong-tinh-voi-ma-tuy/",
    }
    # "cong an": the article holding the phrase comes before the one holding both words apart.
    assert _search(page, tones, "cong an") == [
        "/tin/triet-pha-duong-day-ma-tuy/",
        "/tin/bao-dam-an-toan-lao-dong/",
    ]
    assert _search(page, tones, "mua rao") == ["/tin/du-bao-thoi-tiet-cuoi-tuan/"]
    # Letters that are no letter with a mark, typed plain: search.js folds them as the index.
    for query in ("lodz", "oresund", "grossstrasse", "Łódź", "İstanbul", "ISTANBUL",
                  "diyarbakir"):
        assert _search(page, tones, query) == ["/tin/giao-luu-voi-lodz-va-oresund/"], query
    assert _search(page, tones, "khong co tu nay") == []
    assert "Không tìm thấy" in page.inner_text(".search-status")
    page.context.close()


# -- photos -----------------------------------------------------------------------------------
def test_photo_renders_as_a_figure_with_caption_and_srcset(browser, sample) -> None:
    base, _ = sample
    page = _page(browser, 375)
    page.goto(base + PHOTO_ARTICLE)
    figure = page.locator(".article-body figure").first
    figure.scroll_into_view_if_needed()
    image = figure.locator("picture img")
    image.evaluate("img => img.decode()")
    info = image.evaluate("""img => ({src: img.currentSrc, natural: img.naturalWidth,
        srcset: img.srcset, sizes: img.sizes, loading: img.loading,
        width: img.getAttribute('width'), height: img.getAttribute('height'),
        shown: img.getBoundingClientRect().width})""")
    webp = figure.locator("picture source[type='image/webp']").get_attribute("srcset")
    caption = figure.locator("figcaption").inner_text()
    page.context.close()
    assert caption == "Lực lượng chức năng kiểm tra hiện trường"
    assert info["loading"] == "lazy" and info["sizes"]
    assert (info["width"], info["height"]) == ("1200", "800")
    assert " 480w" in info["srcset"] and " 960w" in info["srcset"]
    assert ".480w.webp 480w" in webp
    # A 375 px phone picks a small WebP copy, not the 1200 px original.
    assert info["src"].endswith(".webp") and info["natural"] < 1200
    assert 0 < info["shown"] <= 375


@pytest.fixture(scope="session", autouse=True)
def _fresh_artifacts() -> None:
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
