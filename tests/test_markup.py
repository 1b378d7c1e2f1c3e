"""Markdown rendering: the quick inline pass gives exactly what Python-Markdown's own pass gives."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from markdown.treeprocessors import InlineProcessor

from bulletin.markup import Renderer, _QuickInline, summarise
from bulletin.models import Source

PIECES = ["Công an", " tỉnh", " và", "\n", "\n\n", "*", "**", "_", "`", "[", "]", "(", ")", "<", ">", "&",
          "amp;", "\\", "  \n", "!", "#", "> ", "- ", "1. ", "http://x.vn", "<b>", "</b>", "[^1]", "{#id}",
          "*[CAND]: Công an nhân dân", "CAND", ":", "|", "---", "đường", "ma tuý"]


def source(body: str) -> Source:
    return Source(path=Path("/nonexistent/a.md"), shown="content/a.md", rel="a.md", bundle=None,
                  front="", body=body, front_line=1, body_line=4, digest="x")


def stock_renderer() -> Renderer:
    renderer = Renderer()
    renderer.md.treeprocessors.register(InlineProcessor(renderer.md), "inline", 20)
    return renderer


def test_the_quick_inline_pass_is_installed() -> None:
    assert isinstance(Renderer().md.treeprocessors["inline"], _QuickInline)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=40).map("".join))
def test_quick_inline_pass_equals_python_markdowns(body: str) -> None:
    quick = Renderer().render(source(body), "/tin/a/", Path("/nonexistent"))
    stock = stock_renderer().render(source(body), "/tin/a/", Path("/nonexistent"))
    assert quick == stock


def test_plain_and_marked_up_paragraphs() -> None:
    body = "Công an tỉnh ra quân.\n\nBắt **9 đối tượng** và [xem thêm](http://x.vn)."
    html = Renderer().render(source(body), "/tin/a/", Path("/nonexistent")).html
    assert "<p>Công an tỉnh ra quân.</p>" in html
    assert "<strong>9 đối tượng</strong>" in html and '<a href="http://x.vn">xem thêm</a>' in html


def _summarised_whole(text: str, limit: int) -> str:
    """The summary as made from the whole text with its spaces collapsed (the plain rule)."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit + 1].rsplit(" ", 1)[0] if " " in text[: limit + 1] else text[:limit]
    return cut.rstrip(" ,;:–-") + "…"


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(["a", "ư", "ờ", " ", "\n", "\u00a0", ",", "–", "\t", " " * 30]),
                max_size=80).map("".join),
       st.integers(min_value=0, max_value=40))
def test_a_summary_from_the_head_of_a_text_equals_one_from_the_whole_text(text: str,
                                                                          limit: int) -> None:
    assert summarise(text, limit) == _summarised_whole(text, limit)
