"""Golden output: a small fixture site built and compared file by file with a checked-in tree.

Regenerate after an intended change with:  python -m pytest tests/test_golden.py --regen-golden
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PIL import Image

from bulletin.cli import main

from .conftest import NOW, PROJECT, tree_digest

GOLDEN = Path(__file__).parent / "golden"


PHOTOS = (".png", ".jpg", ".jpeg", ".webp")


def build_golden(output: Path) -> int:
    return main(["build", "--content", str(GOLDEN / "site" / "content"),
                 "--config", str(GOLDEN / "site" / "site.toml"), "--templates", str(PROJECT / "templates"),
                 "--static", str(PROJECT / "static"), "--output", str(output), "--now", NOW, "--quiet",
                 "--cache", str(output.parent / "cache")])


def _photo(path: Path) -> tuple[str | None, tuple[int, int]]:
    with Image.open(path) as image:
        return image.format, image.size


def test_golden_site(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    output = tmp_path / "output"
    assert build_golden(output) == 0
    expected = GOLDEN / "expected"
    if request.config.getoption("--regen-golden"):
        shutil.rmtree(expected, ignore_errors=True)
        shutil.copytree(output, expected)
    built, wanted = tree_digest(output), tree_digest(expected)
    assert sorted(built) == sorted(wanted), "files differ; see --regen-golden"
    for name in sorted(built):
        if built[name] != wanted[name] and name.endswith(PHOTOS):
            # Resized photos' bytes depend on the installed codec versions (libjpeg, libwebp,
            # zlib); tests/test_images.py checks that one installation gives the same bytes.
            assert _photo(output / name) == _photo(expected / name), name
        elif built[name] != wanted[name]:
            assert (output / name).read_text(encoding="utf-8") == (expected / name).read_text(
                encoding="utf-8"), name
