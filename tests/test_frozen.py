"""compact(): frozen dataclasses pickled as their field values come back equal."""

from __future__ import annotations

import pickle
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import pytest

from bulletin.errors import SourceError
from bulletin.frozen import compact
from bulletin.markup import Asset, Body, Link
from bulletin.models import Image, Pager, Source, Term
from bulletin.related import Match


@compact
@dataclass(frozen=True, slots=True)
class _One:
    value: tuple[int, ...]


def _round(value: object) -> object:
    return pickle.loads(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))


@pytest.mark.parametrize("value", [
    Term("Ma tuý", "ma-tuy", "/the/ma-tuy/", count=3),
    Source(Path("content/a.md"), "content/a.md", "a.md", None, "title: A", "Body.", 2, 4, "ab12"),
    SourceError("content/a.md", 3, "bad date", "Write 2024-03-15."),
    SourceError("content/a.md", None, "old key", warning=True),
    Match(4, 0.25, ("ma-tuy",), ("công an",), "score"),
    Image("/a.jpg", "alt", None, "https://x/a.jpg", 640, 480),
    Pager(2, 3, (), ("/", "/page/2/", "/page/3/")),
    _One((1, 2)),
])
def test_compact_classes_survive_pickling(value: object) -> None:
    copy = _round(value)
    assert copy == value
    assert type(copy) is type(value)
    assert repr(copy) == repr(value)  # fields left out of comparisons too (a term's count)


def test_a_body_with_links_and_assets_survives_pickling() -> None:
    body = _round(Body(html="<p>x</p>", text="x", first_paragraph="x",
                       links=(Link(target="b.md", fragment="", written="b.md", line=3),),
                       assets=(Asset(source=Path("content/a/a.jpg"), name="a.jpg"),),
                       errors=(SourceError("content/a.md", 3, "x"),)))
    assert isinstance(body, Body) and body.links[0].target == "b.md"
    assert body.assets[0].source == Path("content/a/a.jpg")


def test_a_field_outside_init_is_refused() -> None:
    with pytest.raises(AssertionError, match="init argument"):
        @compact
        @dataclass(frozen=True, slots=True)
        class _Made:
            when: datetime = field(init=False, default=datetime(2024, 1, 1, tzinfo=timezone.utc))
