"""Test helpers: small inline sites (Hugo's txtar idea) built through the real command line."""

from __future__ import annotations

import hashlib
import io
import os
import textwrap
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import lxml.html
import pytest

from bulletin.cli import main

PROJECT = Path(__file__).resolve().parent.parent
NOW = "2026-11-26T12:00:00+07:00"
DEFAULT_CONFIG = """\
title = "Bản tin thử"
base_url = "https://example.gov.vn/"
page_size = 3
"""


@dataclass
class Run:
    code: int
    out: str
    err: str


@dataclass
class Site:
    """A site in a temporary folder: content/, site.toml and output/, using the project's theme."""

    root: Path
    capsys: pytest.CaptureFixture[str]

    @property
    def content(self) -> Path:
        return self.root / "content"

    @property
    def output(self) -> Path:
        return self.root / "output"

    def write(self, files: dict[str, str | bytes]) -> None:
        for name, data in files.items():
            path = self.root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(data, bytes):
                path.write_bytes(data)
            else:
                path.write_text(textwrap.dedent(data).lstrip("\n"), encoding="utf-8")

    def run(self, *args: str, now: str | None = NOW) -> Run:
        """Run build.py's main with this site's folders (in-process, cwd = the site root)."""
        command = list(args)
        name = command[0] if command and command[0] in ("build", "check", "related") else "build"
        if command and command[0] == name:
            command = command[1:]
        defaults = {"--content": str(self.content), "--config": str(self.root / "site.toml"),
                    "--templates": str(PROJECT / "templates"), "--static": str(PROJECT / "static")}
        if name == "build":
            defaults["--output"] = str(self.output)
        if now:
            defaults["--now"] = now
        base = [name, *command]
        for option, value in defaults.items():
            if option not in command:
                base += [option, value]
        self.capsys.readouterr()
        previous = Path.cwd()
        os.chdir(self.root)
        try:
            code = main(base)
        finally:
            os.chdir(previous)
        captured = self.capsys.readouterr()
        return Run(code, captured.out, captured.err)

    def build(self, *args: str) -> Run:
        result = self.run(*args)
        assert result.code == 0, result.err
        return result

    def page(self, route: str) -> lxml.html.HtmlElement:
        """The built page at a route such as /tin/abc/, parsed."""
        path = self.output / route.lstrip("/")
        if route.endswith("/"):
            path = path / "index.html"
        return lxml.html.fromstring(path.read_bytes())


@pytest.fixture(autouse=True, scope="session")
def _lock_folder(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """serve's locks in a folder of this test run (bulletin.serve.lock_folder), not in the
    machine's temporary folder, where they would stay: servers started here, in process or
    not, find it in the environment."""
    runtime = tmp_path_factory.mktemp("runtime")
    runtime.chmod(0o700)
    before = os.environ.get("XDG_RUNTIME_DIR")
    os.environ["XDG_RUNTIME_DIR"] = str(runtime)
    yield runtime
    if before is None:
        del os.environ["XDG_RUNTIME_DIR"]
    else:
        os.environ["XDG_RUNTIME_DIR"] = before


@pytest.fixture
def make_site(tmp_path: Path, capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    def factory(files: dict[str, str | bytes], config: str = DEFAULT_CONFIG) -> Site:
        site = Site(tmp_path / "site", capsys)
        site.root.mkdir(parents=True, exist_ok=True)
        (site.root / "site.toml").write_text(config, encoding="utf-8")
        site.write(files)
        return site

    return factory


def article(title: str, date: str = "2026-10-01T08:00:00+07:00", body: str = "Nội dung bài viết.",
            **front: object) -> str:
    """Markdown for one article; extra keyword arguments become front-matter lines as given."""
    lines = ["---", f'title: "{title}"', f"date: {date}"]
    lines += [f"{key}: {value}" for key, value in front.items()]
    return "\n".join(lines + ["---", "", body, ""])


def photo(width: int = 1200, height: int = 800, fmt: str = "JPEG") -> bytes:
    """A real, deterministic photo of the given size: a sky-to-ground gradient with a red block."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (width, height), (90, 120, 160))
    draw = ImageDraw.Draw(image)
    for y in range(height):
        shade = 90 + 120 * y // max(1, height)
        draw.line([(0, y), (width, y)], fill=(shade, shade, 170))
    draw.rectangle([width // 4, height // 2, width // 2, height * 3 // 4], fill=(200, 30, 30))
    buffer = io.BytesIO()
    image.save(buffer, fmt)
    return buffer.getvalue()


def patch(theme: Path, name: str, old: str, new: str) -> None:
    """Replace the first ``old`` in the theme's template ``name`` with ``new``."""
    path = theme / name
    text = path.read_text(encoding="utf-8")
    assert old in text, (name, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def saved_long_ago(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files (articles, photos) saved within two seconds of a build's reading them are read again
    by the next build (see uptodate.racy_at): the test's files, written moments before, are taken
    as if saved long before."""
    from bulletin import uptodate

    monkeypatch.setattr(uptodate, "RACY_NS", 0)


def tree_digest(folder: Path) -> dict[str, str]:
    """Every file under a folder with a hash of its bytes: for 'byte-identical' assertions."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*")) if p.is_file()
    }


def internal_links(output: Path, base_path: str = "") -> list[tuple[str, str]]:
    """(page, href) for every same-site link and asset reference in every HTML file."""
    found = []
    for page in sorted(output.rglob("*.html")):
        tree = lxml.html.fromstring(page.read_bytes())
        for element, attribute, link, _ in tree.iterlinks():
            if element.tag == "a" or attribute in ("href", "src"):
                parts = urlsplit(link)
                if parts.scheme or parts.netloc or not parts.path:
                    continue
                found.append((page.relative_to(output).as_posix(), unquote(parts.path)))
    return found


def resolve(output: Path, href: str, base_path: str = "") -> Path | None:
    """The file a root-relative href serves, as a static host would, or None."""
    if not href.startswith(base_path + "/"):
        return None
    path = output / href[len(base_path):].lstrip("/")
    if href.endswith("/"):
        path = path / "index.html"
    return path if path.is_file() else None


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--regen-golden", action="store_true",
                     help="rewrite tests/golden/expected from the current build")
