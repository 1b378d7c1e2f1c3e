"""Plain prose skips the Markdown parser and renders exactly as the full renderer renders it."""

from __future__ import annotations

from pathlib import Path
from unittest import mock

from hypothesis import example, given, settings
from hypothesis import strategies as st

from bulletin import prose
from bulletin.markup import Renderer
from bulletin.models import Source

# Prose and everything that could make it not prose: Markdown syntax at line starts and inside
# lines, characters the sanitiser rewrites, odd whitespace.
PIECES = ["Công an", " tỉnh", " và", "Đường", " ma tuý", "\n", "\n\n", "\n\n\n", " ", "  ", "\t",
          "\r", "\u00a0", "\u2003", "\u2028", "\x00", "\x02", "\x85", '"', "'", "(", ")", "!", "?", "#",
          "##", ">", "-", "- ", "+ ", "* ", "1. ", "2)", "3", ".", ":", ": ", "=", "===", "---", "___",
          "***", "|", "~~~", "```", "`", "[", "]", "[^1]", "{: .x}", "{", "}", "<", ">", "&", "&amp;",
          "<b>", "\\", "_", "*", "*[CAND]: Công an", "CAND", "http://x.vn", "ﬁ", "e\u0301", "😀"]

PROSE = ["Công an", " tỉnh", " và", "Đường", " ma tuý", "\n", "\n\n", " ", '"', "(", ")", "!", "3", ".",
         ":", "#", "?", "😀"]
# Half the bodies are mostly prose with a little syntax, so both paths are taken often.
bodies = st.one_of(st.lists(st.sampled_from(PIECES), max_size=40),
                   st.lists(st.sampled_from(PROSE * 12 + PIECES), max_size=60)).map("".join)


def source(body: str) -> Source:
    return Source(path=Path("/nonexistent/a.md"), shown="content/a.md", rel="a.md", bundle=None,
                  front="", body=body, front_line=1, body_line=4, digest="x")


def full(renderer: Renderer, body: str) -> object:
    with mock.patch("bulletin.markup.prose.paragraphs", return_value=None):
        return renderer.render(source(body), "/tin/a/", Path("/nonexistent"))


@settings(max_examples=1500, deadline=None)
@given(bodies)
@example("Một.\n\nHai\nba.\n")
@example('Anh nói: "Được!" (hôm qua)\n\n\n\nXong #1.')
def test_prose_renders_as_markdown_and_the_sanitiser_do(body: str) -> None:
    renderer = Renderer()
    assert renderer.render(source(body), "/tin/a/", Path("/nonexistent")) == full(renderer, body)


@settings(max_examples=300, deadline=None)
@given(bodies)
def test_prose_renders_as_markdown_with_trusted_html(body: str) -> None:
    renderer = Renderer(trust_html=True)
    assert renderer.render(source(body), "/tin/a/", Path("/nonexistent")) == full(renderer, body)


def test_plain_articles_take_the_quick_path() -> None:
    body = ("Sáng 12/3, Công an tỉnh (PC07) tổ chức hội nghị. Đồng chí Giám đốc nói: \"Phải làm "
            "ngay!\"\nCả tỉnh có 3 vụ cháy.\n\nTrời mưa to; đường trơn? Có 20% số xã ngập.\n")
    assert prose.paragraphs(body) == [body.split("\n\n")[0], body.split("\n\n")[1].strip()]
    body_html = Renderer().render(source(body), "/tin/a/", Path("/nonexistent")).html
    assert body_html == prose.html(prose.paragraphs(body) or [])


def test_markdown_syntax_takes_the_full_path() -> None:
    for body in ["Một *nhấn*.", "# Tiêu đề", "Một\n- hai", "Một\n===", "> trích", "1. một",
                 "Một  \nhai", "    mã", "a | b", "[x](y.md)", "Tom &amp; Jerry", "Một\u00a0hai",
                 "Một\n: định nghĩa", "Một {: .x}"]:
        assert prose.paragraphs(body) is None, body
