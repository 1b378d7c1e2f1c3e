"""Property: any front matter and Markdown either builds or gives content errors, never a crash."""

from __future__ import annotations

import contextlib
import io
import os
import re
import tempfile
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from unittest import mock

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jinja2 import Environment

from bulletin.cli import main
from bulletin.config import Config
from bulletin.meta import KNOWN_KEYS
from bulletin.render import Templates

from .conftest import NOW, PROJECT

# Characters that mean something to YAML or Markdown, plus Vietnamese letters and controls.
_SYNTAX = ":-[]{}\"'#&*!|>%@`?,\\/<()_=~+.\t\n "
_WORDS = ["title", "date", "tags", "slug", "image", "draft", "2024-02-30", "2026-10-01", "hôm qua",
          "Tin nóng", "ma tuý", "true", "null", "~", "!!python/object:os.system", "..", "a.md",
          "anh.jpg", "&a", "*a", "<script>", "javascript:", "\ufeff", "\r\n", "\x00", "\u0301"]
_TEXT = st.text(alphabet=st.sampled_from(list(_SYNTAX) + list("aăâbđêôơưyzỹ09")), max_size=12)
_CHUNKS = st.lists(st.one_of(st.sampled_from(_WORDS), _TEXT), max_size=25).map("".join)

_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=30),
    st.dates(min_value=date(1, 1, 1)).map(str),
    st.datetimes(timezones=st.sampled_from([UTC, timezone(timedelta(hours=14)),
                                            timezone(timedelta(hours=-12))])).map(str),
    st.sampled_from(["2026-10-01", "2026-10-01T08:00:00+07:00", "a.md", "anh.jpg", "x/y", ".."]),
)
_VALUES = st.recursive(_SCALARS, lambda inner: st.lists(inner, max_size=4)
                       | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=8)
_PLAUSIBLE = {
    "tags": st.lists(st.text(min_size=1, max_size=20), max_size=4),
    "related": st.lists(st.sampled_from(["bai-b", "bai-a", "khong-co"]), max_size=2),
    "draft": st.booleans(), "slug": st.sampled_from(["bai-a", "a/b", "..", "bai-b"]) | _TEXT,
    "image": st.sampled_from(["anh.jpg", "missing.png", "javascript:alert(1)", "/x.png", "%00",
                              "http://example.com/a.jpg"]),
    "updated": st.dates().map(str),
}
_VALID_DATES = st.dates(min_value=date(1, 1, 1)).map(str) | st.sampled_from(["2026-10-01T08:00"])
_MAPPINGS = st.fixed_dictionaries(
    {"title": st.text(min_size=1, max_size=40) | _VALUES, "date": _VALID_DATES | _VALUES},
    optional={key: _PLAUSIBLE.get(key, _TEXT) | _VALUES
              for key in KNOWN_KEYS[2:] + ("tilte", "dat")},
).flatmap(lambda known: st.dictionaries(st.text(max_size=10), _VALUES, max_size=3)
          .map(lambda extra: {**extra, **known}))

_MARKDOWN = st.lists(st.one_of(
    st.sampled_from(["\n", "\n\n", "> ", "- ", "1. ", "# ", "    ", "```", "***", "[", "]", "(",
                     ")",
                     "![alt](anh.jpg)", "![](missing.png)", "[b](b.md)", "[x](nowhere.md)",
                     "<div>", "</div>", "<script>alert(1)</script>", "<img src=x onerror=y()>",
                     "[j](javascript:alert(1))", "|a|b|\n|-|-|\n", "*", "_", "`", "&amp;", "<",
                     "![x](%00)", "![y](javascript:z)", "\x00", "\ufffd"]),
    st.text(max_size=20)), max_size=40).map("".join)

_SETTINGS = settings(max_examples=60, deadline=None,
                     suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
_GOOD = '---\ntitle: "Bài B"\ndate: 2026-10-02\n---\n\nBài khác.\n'
_ERROR_LINE = re.compile(r"^content/a\.md(:\d+)?: ")


class _CompiledOnce(Templates):
    """The project's theme compiled once for all examples: compiling it is most of a small build."""

    _shared: dict[tuple[Path, str], Environment] = {}

    def __init__(self, folder: Path, config: Config, bytecode: Path | None = None) -> None:
        super().__init__(folder, config)
        self.env = self._shared.setdefault((self.folder, config.date_format), self.env)


def build_one(front: str, body: str) -> tuple[int, str]:
    """Build a site of content/a.md (this front matter and body) and a good content/b.md."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "content").mkdir()
        text = f"---\n{front}\n---\n{body}"
        (root / "content" / "a.md").write_bytes(text.encode("utf-8", "replace"))
        (root / "content" / "b.md").write_text(_GOOD, encoding="utf-8")
        (root / "content" / "anh.jpg").write_bytes(b"\xff\xd8 jpeg")
        err, out = io.StringIO(), io.StringIO()
        previous = Path.cwd()
        os.chdir(root)
        try:
            with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out), \
                    mock.patch("bulletin.pipeline.Templates", _CompiledOnce):
                code = main(["build", "--verbose", "--now", NOW,  # no site.toml: the defaults
                             "--templates", str(PROJECT / "templates"),
                             "--static", str(PROJECT / "static")])
        finally:
            os.chdir(previous)
        if code == 0:
            assert (root / "output" / "index.html").is_file()
        else:
            assert not (root / "output").exists(), "a failed build wrote output/"
    return code, err.getvalue()


def assert_content_outcome(code: int, err: str) -> None:
    assert "Traceback" not in err, err
    assert code in (0, 1), err
    if code == 1:
        problems = [line for line in err.splitlines() if not line.startswith(" ")
                    and "warning:" not in line and not line.endswith("nothing was written.")]
        assert problems and all(_ERROR_LINE.match(line) for line in problems), err


@_SETTINGS
@given(front=_CHUNKS, body=_MARKDOWN)
def test_yaml_ish_text_and_markdown_build_or_give_content_errors(front: str, body: str) -> None:
    assert_content_outcome(*build_one(front, body))


@_SETTINGS
@given(data=_MAPPINGS, body=_MARKDOWN)
def test_typed_front_matter_builds_or_gives_content_errors(data: dict[str, object],
                                                           body: str) -> None:
    front = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    assert_content_outcome(*build_one(front, body))


@_SETTINGS
@given(title=st.text(min_size=1, max_size=400), when=st.datetimes(
    min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30),
    timezones=st.sampled_from([UTC, timezone(timedelta(hours=14))])))
def test_any_title_and_date_build_or_give_content_errors(title: str, when: datetime) -> None:
    front = yaml.safe_dump({"title": title, "date": when.isoformat(), "tags": [title[:50]],
                            "category": title[:40], "author": title}, allow_unicode=True)
    assert_content_outcome(*build_one(front, title))


@_SETTINGS
@given(body=_MARKDOWN)
def test_any_markdown_builds_or_gives_content_errors(body: str) -> None:
    assert_content_outcome(*build_one('title: "Bài A"\ndate: 2026-10-01', body))
