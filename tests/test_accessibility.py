"""Accessibility of the default theme: pages that serve readers with a screen reader, a keyboard
only, a phone, forced colours (WCAG 2.2 AA).

The browser tests drive headless Chromium through Playwright as tests/test_browser.py does (skipped
when either is missing, failing instead with CI=true); none needs axe-core: each finding is checked
in the DOM or the CSS.
"""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import PROJECT, article
from .test_browser import _Quiet, browser

__all__ = ["browser"]  # the fixture, shared with test_browser


@pytest.fixture
def serve() -> Iterator[object]:
    """serve(folder) -> the base URL of a server on 127.0.0.1 for the folder (stopped after)."""
    servers = []

    def start(folder: Path) -> str:
        handler = functools.partial(_Quiet, directory=str(folder))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def _page(browser: object, width: int = 375, **options: object):
    context = browser.new_context(viewport={"width": width, "height": 800}, **options)
    return context.new_page()


def _luminance(rgb: str) -> float:
    values = [int(part) / 255 for part in rgb[rgb.index("(") + 1 : rgb.index(")")].split(",")[:3]]
    linear = [v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4 for v in values]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(one: str, other: str) -> float:
    high, low = sorted((_luminance(one), _luminance(other)), reverse=True)
    return (high + 0.05) / (low + 0.05)


TAGGED = {
    f"content/bai-{n}.md": article(
        f"Tin số {n}",
        date=f"2026-10-0{n}T08:00:00+07:00",
        tags='["công an"]',
        category='"An ninh trật tự"',
    )
    for n in range(1, 5)
}


# -- headings ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "route", ["/the/cong-an/", "/chuyen-muc/an-ninh-trat-tu/", "/the/cong-an/page/2/"]
)
def test_tag_and_category_pages_do_not_skip_from_h1_to_h3(make_site, route) -> None:
    """The cards of a tag or category page are h3 (macros.html `card`): an h2 must come between
    them and the page's h1 (axe: heading-order), or a screen-reader user moving by heading level
    finds no level 2 at all. tag.html and category.html have the home page's h2 "Tin mới nhất"."""
    site = make_site(TAGGED)
    site.build()
    levels = [int(h.tag[1]) for h in site.page(route).iter("h1", "h2", "h3", "h4", "h5", "h6")]
    assert levels and levels[0] == 1, levels
    skips = [(a, b) for a, b in zip(levels, levels[1:], strict=False) if b > a + 1]
    assert not skips, f"{route}: heading levels {levels} skip a level"


# -- phones and zoom --------------------------------------------------------------------------
@pytest.mark.parametrize("width", [320, 640])
def test_code_block_does_not_widen_an_article_page_past_the_phone_screen(
    browser, serve, make_site, width
) -> None:
    """A fenced code block (a command line, a URL list) in an article must not make the whole page
    wider than a 320 px phone or a 1280 px screen zoomed to 200 %: every paragraph would then run
    past the screen's edge and need scrolling sideways line by line (WCAG 1.4.10). The `<pre>`
    scrolls on its own (`overflow-x: auto`), and the grid items of `.kind-article main` have
    `min-width: 0`, else (`min-width: auto`) the `<article>` grows to the `<pre>`'s longest line."""
    command = (
        "python build.py --content /tmp/x/content --output /tmp/x/output "
        "--config /tmp/x/site.toml --now 2026-11-26T08:00"
    )
    site = make_site(
        {
            "content/lenh.md": article(
                "Hướng dẫn dựng trang", body=f"Gõ lệnh sau.\n\n```\n{command}\n```\n\nRồi mở trang."
            )
        }
    )
    site.build()
    page = _page(browser, width)
    page.goto(serve(site.output) + "/tin/huong-dan-dung-trang/")
    scroll = page.evaluate("document.documentElement.scrollWidth")
    paragraph = page.evaluate(
        "document.querySelector('.article-body p').getBoundingClientRect().right"
    )
    page.context.close()
    assert scroll <= width, f"the page scrolls sideways: {scroll} px wide on a {width} px screen"
    assert paragraph <= width, f"the paragraph ends {paragraph:.0f} px from the left"


def test_card_category_links_are_24px_tap_targets(browser, serve, make_site) -> None:
    """The category link above each card's title (`.card-category`, 0.75rem, in macros.html
    `card`) sits right above the title link: as an inline link it was a 17 px tall tap target,
    and on the home page's lead card nothing kept other links 24 px away from it (axe:
    target-size, WCAG 2.5.8). It is an inline-block at least 24×24 px."""
    site = make_site(TAGGED)
    site.build()
    page = _page(browser, 375)
    page.goto(serve(site.output) + "/")
    boxes = page.eval_on_selector_all(
        ".card-category",
        """links => links.map(a => {
        const r = a.getBoundingClientRect();
        return [a.closest('.card-lead') ? 'lead' : 'card', Math.round(r.width),
                Math.round(r.height)]; })""",
    )
    page.context.close()
    assert boxes, "the home page shows category links on its cards"
    small = [box for box in boxes if box[1] < 24 or box[2] < 24]
    assert not small, f"category links smaller than 24×24 px (kind, width, height): {small}"


# -- keyboard ---------------------------------------------------------------------------------
def test_search_more_button_leaves_keyboard_focus_at_the_new_results(
    browser, serve, make_site
) -> None:
    """Pressing "Xem thêm kết quả" (the search page's more button) with the keyboard hides the
    focused button (search.js: `more.onclick` sets `more.hidden = true`). Focus must not fall to
    <body>, from where the next Tab skips the 5 results just added and lands in the footer:
    search.js moves it to the first new result's link."""
    files = {
        f"content/tin-{n}.md": article(
            f"Công an phường số {n}",
            date=f"2026-10-{n:02d}T08:00:00+07:00",
            body=f"Công an phường thông báo số {n}.",
        )
        for n in range(1, 26)
    }
    site = make_site(files)
    site.build()
    page = _page(browser, 375)
    page.goto(serve(site.output) + "/tim-kiem/?q=cong+an")
    page.wait_for_selector("#search-results[data-state=done]")
    assert page.locator(".search-hit").count() == 20
    page.focus(".search-more")
    page.keyboard.press("Enter")
    page.wait_for_function("document.querySelectorAll('.search-hit').length === 25")
    focused = page.evaluate("document.activeElement.tagName")
    page.keyboard.press("Tab")
    after_tab = page.evaluate("""() => { const e = document.activeElement;
        const hits = [...document.querySelectorAll('.search-hit')];
        return {inResults: hits.slice(20).some(h => h.contains(e)),
                where: (e.closest('header, main, footer') || e).tagName, text: e.textContent}; }""")
    page.context.close()
    assert focused != "BODY", "focus was dropped to <body> when the more button hid itself"
    assert after_tab["inResults"], (
        f"Tab after 'more' went to {after_tab['where']} ({after_tab['text']!r}), "
        "skipping the new results"
    )


def test_search_more_that_fails_to_load_keeps_the_button_and_its_focus(
    browser, serve, make_site
) -> None:
    """When "more" cannot load its results, the button comes back with the focus, for another
    try: it stayed hidden and focus fell to <body>, with nothing to press."""
    files = {f"content/tin-{n}.md": article(f"Công an phường số {n}",
                                             date=f"2026-10-{n:02d}T08:00:00+07:00",
                                             body=f"Công an phường thông báo số {n}.")
             for n in range(1, 26)}
    site = make_site(files)
    site.build()
    page = _page(browser, 375)
    page.goto(serve(site.output) + "/tim-kiem/?q=cong+an")
    page.wait_for_selector("#search-results[data-state=done]")
    page.route("**/d/*.json*", lambda route: route.abort())
    page.focus(".search-more")
    page.keyboard.press("Enter")
    page.wait_for_function("document.querySelector('#search-results').textContent !== ''"
                           " && !document.querySelector('.search-more').hidden")
    state = page.evaluate("""() => ({focused: document.activeElement.className,
        hits: document.querySelectorAll('.search-hit').length})""")
    page.context.close()
    assert state == {"focused": "search-more", "hits": 20}, state


def test_focus_outline_on_footer_links_has_3_to_1_contrast(browser, serve, make_site) -> None:
    """The theme's focus ring (`:focus-visible { outline: 3px solid #1a5fb4 }`) on the footer's
    #222 background is 2.5:1, under the 3:1 a focus indicator needs (WCAG 1.4.11 / 2.4.7): a
    keyboard user barely sees where focus is. As `.site-nav a:focus-visible` on the red bar,
    `.site-footer a:focus-visible` draws a white ring."""
    site = make_site(TAGGED)
    site.build()
    page = _page(browser, 375)
    page.goto(serve(site.output) + "/")
    page.focus(".site-footer a")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")  # a keyboard focus, so :focus-visible applies
    ring = page.evaluate("""() => { const e = document.activeElement, s = getComputedStyle(e);
        let n = e, bg = 'rgb(255, 255, 255)';
        while (n) { const c = getComputedStyle(n).backgroundColor;
                    if (c !== 'rgba(0, 0, 0, 0)') { bg = c; break; } n = n.parentElement; }
        return {inFooter: !!e.closest('.site-footer'), style: s.outlineStyle,
                colour: s.outlineColor, background: bg}; }""")
    page.context.close()
    assert ring["inFooter"] and ring["style"] != "none", ring
    ratio = _contrast(ring["colour"], ring["background"])
    assert ratio >= 3, f"footer focus ring {ring['colour']} on {ring['background']}: {ratio:.2f}:1"


# -- forced colours (Windows high contrast) ---------------------------------------------------
def test_current_section_in_the_nav_bar_shows_in_forced_colours(browser, serve, make_site) -> None:
    """The category bar marks the current section (aria-current). Forced-colours mode (Windows
    high contrast) drops box shadows, so with the former `box-shadow: inset 0 -3px 0 #fff` alone
    the current section looked there exactly like the others; a bottom border (which forced
    colours keep, in the system's colour) draws the same white bar in normal colours."""
    site = make_site(TAGGED)
    site.build()
    page = _page(browser, 1280, forced_colors="active")
    page.goto(serve(site.output) + "/chuyen-muc/an-ninh-trat-tu/")
    assert page.evaluate("matchMedia('(forced-colors: active)').matches")
    drawn = """e => { const s = getComputedStyle(e); return [s.borderBottomStyle,
        s.borderBottomWidth, s.borderTopStyle, s.textDecorationLine, s.outlineStyle,
        s.fontWeight, s.fontStyle, s.boxShadow]; }"""
    current = page.eval_on_selector(".site-nav a[aria-current]", drawn)
    other = page.eval_on_selector(".site-nav a:not([aria-current])", drawn)
    page.context.close()
    assert current != other, f"the current section is drawn as the others: {current}"


# -- the current page -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("route", "name", "current"),
    [
        ("/", "Trang chủ", "page"),
        ("/page/2/", "Trang chủ", "true"),
        ("/chuyen-muc/an-ninh-trat-tu/", "An ninh trật tự", "page"),
        ("/chuyen-muc/an-ninh-trat-tu/page/2/", "An ninh trật tự", "true"),
    ],
)
def test_nav_bar_marks_the_current_page_only_where_its_link_leads(
    make_site, route, name, current
) -> None:
    """aria-current="page" says the link leads to the page shown: on /page/2/ "Trang chủ" leads
    to /, so there it is aria-current="true" (the current section, marked as on its first page),
    and a category's later pages likewise."""
    site = make_site(TAGGED)
    site.build()
    marked = [
        (a.text_content(), a.get("aria-current"))
        for a in site.page(route).cssselect(".site-nav a[aria-current]")
    ]
    assert marked == [(name, current)], f"{route}: {marked}"


def test_a_site_keeping_the_masthead_of_before_still_builds(make_site) -> None:
    """A site's own partials/chrome.html (a --templates folder holds only what it changes)
    whose masthead takes the four arguments it took before base.html passed a fifth, the
    aria-current of later pages: the build stopped with a TypeError at base.html."""
    chrome = (PROJECT / "templates" / "partials" / "chrome.html").read_text(encoding="utf-8")
    before = chrome.replace('current_category, current="page") %}', "current_category) %}") \
        .replace('aria-current="{{ current }}"', 'aria-current="page"')
    assert before != chrome
    site = make_site({"content/a.md": article("Bài", slug="a", category="An ninh"),
                      "templates/partials/chrome.html": before.replace(
                          '<header class="masthead">', '<header class="masthead rieng">')})
    site.build("--templates", str(site.root / "templates"))
    assert site.page("/").cssselect("header.masthead.rieng")
    assert site.page("/chuyen-muc/an-ninh/").cssselect(".site-nav a[aria-current=page]")


def test_a_code_block_that_scrolls_is_a_keyboard_stop(make_site) -> None:
    """A <pre> that scrolls sideways (overflow-x: auto) is reached by Tab only where the
    browser makes scroll areas focusable (Chromium, not Safari): tabindex="0" makes it one."""
    site = make_site({"content/a.md": article("Bài", slug="a",
                                              body="Mã:\n\n```\n" + "x" * 300 + "\n```\n")})
    site.build()
    (pre,) = site.page("/tin/a/").cssselect(".article-body pre")
    assert pre.get("tabindex") == "0"


def test_only_the_sanitised_code_blocks_take_a_tabindex(make_site) -> None:
    """tabindex="0" goes on <pre> after the sanitiser, never into an attribute's text, and an
    editor's own tabindex on a <pre> is dropped; with trust_html the HTML is left as written."""
    body = ('<div title="<pre>">x</div>\n\n<pre tabindex="7">a</pre>\n\n'
            "```\n" + "x" * 300 + "\n```\n")
    site = make_site({"content/a.md": article("Bài", slug="a", body=body)})
    site.build()
    page = (site.output / "tin/a/index.html").read_text(encoding="utf-8")
    assert 'tabindex="7"' not in page and 'title="&lt;pre&gt;"' in page, page
    assert page.count('<pre tabindex="0"') == 2
    site.write({"site.toml": "title = \"t\"\ntrust_html = true\n"})
    site.build()
    page = (site.output / "tin/a/index.html").read_text(encoding="utf-8")
    assert '<div title="<pre>">' in page and '<pre tabindex="7">' in page
