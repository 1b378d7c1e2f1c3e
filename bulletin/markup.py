"""Article bodies: Markdown to sanitised HTML, with .md links rewritten, photos as figures, a summary."""

from __future__ import annotations

import bisect
import difflib
import os
import posixpath
import re
import unicodedata
import xml.etree.ElementTree as etree
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from html import escape as escape_html
from html import unescape
from pathlib import Path
from typing import Any
from urllib.parse import SplitResult, quote, unquote, urlsplit

import markdown
import nh3
from markdown import inlinepatterns
from markdown.extensions import Extension
from markdown.extensions.abbr import AbbrExtension
from markdown.extensions.attr_list import AttrListExtension
from markdown.extensions.def_list import DefListExtension
from markdown.extensions.fenced_code import FencedBlockPreprocessor, FencedCodeExtension
from markdown.extensions.footnotes import FootnoteExtension
from markdown.extensions.md_in_html import MarkdownInHtmlExtension
from markdown.extensions.sane_lists import SaneListExtension
from markdown.extensions.tables import TableExtension
from markdown.treeprocessors import InlineProcessor, Treeprocessor
from markdown.util import AtomicString

from . import prose
from .errors import SourceError, SourceProblem
from .frozen import compact
from .models import Source

MAX_NESTING = 50  # levels of quotes or lists; '[' or '(' open at once in one paragraph
MAX_BRACKET_SCAN = 500_000  # characters Markdown may scan looking for ']' or ')' in one paragraph
_CONTAINERS = re.compile(r"(?:[ \t]*(?:>|[*+-](?=[ \t])|\d{1,9}[.)](?=[ \t])))*")
_MARKER = re.compile(r">|[*+-]|\d{1,9}[.)]")
_BRACKETS = {"[": re.compile(r"\\.|[\[\]]"), "(": re.compile(r"\\.|[()]")}

_TAGS = set(nh3.ALLOWED_TAGS) | {"figure", "figcaption", "picture", "source"}
_ATTRIBUTES: dict[str, set[str]] = {k: set(v) for k, v in nh3.ALLOWED_ATTRIBUTES.items()}
_ATTRIBUTES["*"] = {"id", "class", "title", "lang", "dir"}
_ATTRIBUTES["img"] = {"src", "srcset", "sizes", "alt", "title", "width", "height", "loading",
                      "decoding"}
_ATTRIBUTES["source"] = {"srcset", "sizes", "type", "media"}
_ATTRIBUTES["a"] = {"href", "hreflang", "rel"}
_URL_SCHEMES = {"http", "https", "mailto", "tel"}
_IMAGE_SCHEMES = {"http", "https"}


_TAG_NAME = re.compile(r"<([a-zA-Z][^\s/>]*)")
_PRE = re.compile(r"<pre(?=[\s>])")


def left_out(state: _State, html: str) -> list[SourceError]:
    """A warning for each kind of raw HTML element the sanitiser will leave out of the page
    (an <iframe> a video site gives to embed, a <script>), at the first line writing it
    outside code and comments: otherwise it vanishes in silence. ``html``: the body as
    Markdown made it."""
    shown = _COMMENT.sub("", html) if "<!--" in html else html  # a comment is no element
    unsafe = dict.fromkeys(name.lower() for name in _TAG_NAME.findall(shown)
                           if name.lower() not in _TAGS)
    warnings = []
    source = state.source
    for name in unsafe:
        line = source.body_line
        for found in re.finditer("<" + re.escape(name) + r"(?=[\s/>]|\Z)", source.body, re.I):
            if not state.places.in_code(found.start()):
                line += source.body.count("\n", 0, found.start())
                break
        warnings.append(SourceError(
            source.shown, line, f"raw HTML <{name}> is left out of the page: an article keeps "
            "only text formatting, links, photos and tables", "To show a video or a map, link "
            "to it: [Xem video](https://...). If every editor of the site is trusted, "
            "trust_html = true in site.toml keeps all HTML.", warning=True))
    return warnings


def sanitise(html: str) -> str:
    """Allow-list HTML cleaning: no script/style, no event handlers, no javascript: URLs.

    >>> sanitise('<p onclick="x()">Hi<script>alert(1)</script> <a href="javascript:x()">a</a></p>')
    '<p>Hi <a>a</a></p>'
    """
    return nh3.clean(html, tags=_TAGS, attributes=_ATTRIBUTES, url_schemes=_URL_SCHEMES,
                     link_rel=None, clean_content_tags={"script", "style"})


@compact
@dataclass(frozen=True, slots=True)
class Asset:
    """A file an article uses (a photo), copied beside the article's page."""

    source: Path
    name: str  # file name in the article's folder of the output
    photo: Any = None  # images.Photo: its size and resized copies, when the build measures photos
    line: int | None = None  # where the article first shows it
    attachment: bool = False  # a file a link leads to, copied as it is (no photo)


@compact
@dataclass(frozen=True, slots=True)
class Link:
    """A link in a body to another article by its .md path, resolved once every URL is known."""

    target: str  # posix path relative to the content folder
    fragment: str
    written: str  # the href as the editor wrote it
    line: int | None
    query: str = ""  # ?utm_source=…, kept on the resolved URL


def placeholder(number: int) -> str:
    return f"#__bulletin_link_{number}__"


@compact
@dataclass(frozen=True, slots=True)
class Body:
    """The result of rendering one article body."""

    html: str  # links to other articles are placeholders until resolve_links()
    text: str
    first_paragraph: str
    links: tuple[Link, ...] = ()
    assets: tuple[Asset, ...] = ()
    errors: tuple[SourceError, ...] = ()
    image_url: str | None = None  # the front-matter photo, resolved like body photos
    photos: tuple[tuple[str, bool], ...] = ()  # local photos and files looked for; found?
    image_photo: Any = None  # images.Photo of the front-matter photo


def photos_unchanged(body: Body, content: Path) -> bool:
    """Whether every local photo a (cached) body looked for is still there, or still missing,
    and one found is still the file it was (a symlink may lead elsewhere now).

    A body depends on these files as well as on its source: a photo added or deleted since it
    was rendered changes its HTML, its errors or the files to copy.
    """
    if not body.photos:
        return True
    root = content.resolve()
    sources = {asset.source for asset in body.assets}
    for path, found in body.photos:
        real = _resolve(Path(path), root)
        if (real is not None) != found or (found and real not in sources):
            return False
    return True


@dataclass(slots=True)
class _State:
    """What the tree processor needs to know and what it collects, for one document."""

    source: Source
    route_url: str  # href of the article's folder, ending in '/'
    content: Path
    links: list[Link] = field(default_factory=list)
    errors: list[SourceError] = field(default_factory=list)
    assets: dict[str, Asset] = field(default_factory=dict)
    photos: list[tuple[str, bool]] = field(default_factory=list)
    first_paragraph: str = ""
    text: str = ""
    describe: Callable[[Path, str], Any] | None = None  # images.describe
    pictures: list[tuple[etree.Element, Any]] = field(default_factory=list)
    places: _Places = field(init=False)  # the lines of its links and images

    def __post_init__(self) -> None:
        self.places = _Places(self.source.body, self.source.body_line)


_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_FENCED = FencedBlockPreprocessor.FENCED_BLOCK_RE  # as the fenced_code extension finds them
_NO_ADDRESS = re.compile(r"\]\([ \t\n]*(?:<>)?[ \t\n]*\)")  # ![alt]() or ![alt](<>)


class _Places:
    """The line of each link and image of a body. Python-Markdown keeps no source lines (its
    maintainers say it cannot: Python-Markdown/markdown#1235), so each element is looked for in
    the text, asked in document order (a link's images before the link): after the element
    before it, where Markdown writes an address (``](anh.jpg``, ``](<anh.jpg>``), outside code
    (fenced, indented, spans), HTML comments and footnote definitions. A footnote's elements,
    which Markdown moves to the end, are looked for in order inside the footnote definitions; a
    reference link or image (``[x][r]``) at its definition ``[r]: anh.jpg``, without taking the
    place of an inline one. One not found so is at the first place its address is written, or
    else on the line of the element before it.

    >>> places = _Places("![a](a.jpg)\\n\\n`![](a.jpg)`\\n\\n![b](anh-a.jpg) ![](a.jpg)", 5)
    >>> places.line("a.jpg"), places.line("anh-a.jpg"), places.line("a.jpg"), places.line("x")
    (5, 9, 9, 9)
    >>> body = "[x][r] ![](b.jpg)[^1]\\n\\n    [y](b.jpg)\\n\\n[^1]: ![](b.jpg)\\n\\n[r]: b.jpg\\n"
    >>> places = _Places(body, 1)
    >>> places.line("b.jpg", "reference"), places.line("b.jpg"), places.line("b.jpg", "note")
    (7, 1, 5)
    """

    def __init__(self, body: str, first_line: int) -> None:
        self.body = body
        self.first_line = first_line
        # for the elements of the text, then for those of the footnotes: the offset just past
        # the address of the last one found in order, and its line
        self.after = {"text": 0, "note": 0}
        self.after_line = {"text": first_line, "note": first_line}
        self.ranges: tuple[list[int], list[int], list[int], list[int]] | None = None

    def line(self, address: str, kind: str = "text") -> int:
        """The line of the next element, whose ``address`` is its href or src as Markdown gave
        it (with a character escaped by a backslash still a placeholder); ``kind``: "text", an
        element of a footnote ("note"), or a reference link or image ("reference")."""
        written = _ESCAPED.sub(lambda found: "\\" + chr(int(found[1])), address).strip()
        if kind == "reference":
            at = self._defined(written)
            return self.first_line + self.body.count("\n", 0, at) if at >= 0 else \
                self.after_line["text"]
        at, end = self._find(written, self.after[kind], kind)
        if at >= 0:
            self.after_line[kind] += self.body.count("\n", self.after[kind], at)
            self.after[kind] = end
            return self.after_line[kind]
        at = self._find(written, 0, kind)[0]
        if at < 0 and written:
            at = self.body.find(written)
        if at < 0:
            return self.after_line[kind]
        return self.first_line + self.body.count("\n", 0, at)

    def _defined(self, written: str) -> int:
        """Where the reference definition ``[r]: written`` gives the address, or -1."""
        body = self.body
        at = body.find(written) if written else -1
        while at >= 0:
            before = at - 1 if at and body[at - 1] == "<" else at
            while before > 0 and body[before - 1] in " \t":
                before -= 1
            if body.startswith("]:", before - 2) and not self._skipped(at, "text"):
                return at
            at = body.find(written, at + 1)
        return -1

    def _find(self, written: str, start: int, kind: str) -> tuple[int, int]:
        """Where the first address ``written`` after ``start`` begins and ends, or (-1, -1)."""
        body = self.body
        if not written:
            for empty in _NO_ADDRESS.finditer(body, start):
                if not self._skipped(empty.start(), kind):
                    return empty.start(), empty.end()
            return -1, -1
        at = body.find(written, start)
        while at >= 0:
            end = at + len(written)
            before = at - 1 if body.startswith("<", at - 1) and at else at
            while before > 0 and body[before - 1] in " \t\n":
                before -= 1
            if before >= 2 and body.startswith("](", before - 2) and \
                    (end == len(body) or body[end] in " \t\r\n)>") and \
                    not self._skipped(at, kind):
                return at, end
            at = body.find(written, at + 1)
        return -1, -1

    def in_code(self, at: int) -> bool:
        """Whether offset ``at`` is in code or an HTML comment, shown as written or not at all."""
        if self.ranges is None:
            body = self.body
            notes = [found.span() for found in _FOOTNOTE.finditer(body)] if "[^" in body else []
            self.ranges = (*_merged(_code_ranges(body)), *_merged(notes))
        code_starts, code_ends = self.ranges[:2]
        index = bisect.bisect_right(code_starts, at) - 1
        return index >= 0 and at < code_ends[index]

    def _skipped(self, at: int, kind: str) -> bool:
        """Whether offset ``at`` cannot hold an element of ``kind``: it is in code or an HTML
        comment, or, for the text, in a footnote definition (and for a note, out of them)."""
        if self.in_code(at):
            return True
        assert self.ranges is not None
        note_starts, note_ends = self.ranges[2:]
        index = bisect.bisect_right(note_starts, at) - 1
        in_note = index >= 0 and at < note_ends[index]
        return in_note if kind == "text" else not in_note


# A footnote's definition: "[^1]: text", and the lines indented under it (blank ones between)
# (its lines up to a blank one, then each paragraph indented under it), as Markdown reads one
_FOOTNOTE = re.compile(r"^ {0,3}\[\^[^\]\n]+\]:[^\n]*(?:\n[ \t]*\S[^\n]*)*"
                       r"(?:(?:\n[ \t]*)+\n(?: {4}|\t)[^\n]*(?:\n[ \t]*\S[^\n]*)*)*", re.MULTILINE)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
# a line whose indented paragraphs continue it, not code: a list item, a footnote, a definition
_LIST_ITEM = re.compile(r" {0,3}(?:(?:[*+-]|\d{1,9}[.)])(?:[ \t]|$)|\[\^[^\]\n]+\]:|:[ \t])")


def _code_ranges(body: str) -> list[tuple[int, int]]:
    """Where ``body`` holds code (fenced blocks, code spans, indented blocks) or HTML comments:
    text Markdown shows as written, where no link or image is made."""
    ranges: list[tuple[int, int]] = []
    if "`" in body or "~~~" in body:
        gap = 0  # code spans are looked for between fenced blocks
        fences = _FENCED.finditer(body) if "```" in body or "~~~" in body else ()
        for fence in [*fences, None]:
            ranges += _code_spans(body, gap, fence.start() if fence else len(body))
            if fence is not None:
                ranges.append(fence.span())
                gap = fence.end()
    if body.startswith(("    ", "\t")) or "\n    " in body or "\n\t" in body:
        ranges += _indented_code(body)
    if "<!--" in body:  # a comment begins outside code (in code, "<!--" is shown as text)
        starts, ends = _merged(ranges)
        for found in _COMMENT.finditer(body):
            index = bisect.bisect_right(starts, found.start()) - 1
            if index < 0 or found.start() >= ends[index]:
                ranges.append(found.span())
    return ranges


def _indented_code(body: str) -> list[tuple[int, int]]:
    """Where ``body`` has indented code blocks: lines indented by four spaces or a tab after a
    blank line, outside a list (where such lines continue an item).

    >>> _indented_code("Văn bản.\\n\\n    mã\\n    mã\\n\\n- mục\\n\\n    tiếp\\n")
    [(10, 23)]
    """
    ranges = []
    at, start, code_end = 0, -1, 0
    blank, listed = True, False
    for line in body.splitlines(keepends=True):
        indented = line.startswith(("    ", "\t"))
        if not line.strip():
            blank = True
        elif indented and (start >= 0 or (blank and not listed)):
            start = at if start < 0 else start
            code_end = at + len(line.rstrip("\n"))
            blank = False
        else:
            if start >= 0:
                ranges.append((start, code_end))
                start = -1
            if not indented:  # an item, a line continuing it, or a paragraph
                listed = bool(_LIST_ITEM.match(line)) or (listed and not blank)
            blank = False
        at += len(line)
    if start >= 0:
        ranges.append((start, code_end))
    return ranges


def _merged(ranges: list[tuple[int, int]]) -> tuple[list[int], list[int]]:
    """The starts and ends of ``ranges`` once sorted and merged where they overlap."""
    starts: list[int] = []
    ends: list[int] = []
    for start, end in sorted(ranges):
        if ends and start <= ends[-1]:
            ends[-1] = max(ends[-1], end)
        else:
            starts.append(start)
            ends.append(end)
    return starts, ends


def _code_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Where the code spans of ``text[start:end]`` begin and end: a run of backticks (not
    escaped) up to the next run as long, within a paragraph, as Markdown reads them.

    >>> _code_spans("a `b` c ``d ` e`` \\\\`f `g\\n\\nh`", 0, 28)
    [(2, 5), (8, 17)]
    """
    runs = []  # found with str.find: a regex for "`+" scans Vietnamese text far more slowly
    at = text.find("`", start, end)
    while at >= 0:
        after = at + 1
        while after < end and text[after] == "`":
            after += 1
        runs.append((at, after))
        at = text.find("`", after, end)
    spans = []
    opening = 0
    while opening < len(runs):
        begin, after = runs[opening]
        closing = next((i for i in range(opening + 1, len(runs))
                        if runs[i][1] - runs[i][0] == after - begin), None)
        if text[begin - 1:begin] == "\\" or closing is None or \
                _BLANK_LINE.search(text, after, runs[closing][0]):
            opening += 1
            continue
        spans.append((begin, runs[closing][1]))
        opening = closing + 1
    return spans


def _split(state: _State, url: str, line: int | None, what: str) -> SplitResult | None:
    """The parts of an address; one Python cannot read (``http://x.vn[1]``) records an error."""
    try:
        return urlsplit(url)
    except ValueError:
        if line is None:
            line = state.places.line(url)
        state.errors.append(SourceError(
            state.source.shown, line,
            f"{what} address is not valid: {url}",
            "Square brackets belong only around an IPv6 address, as in http://[2001:db8::1]/: "
            "check the address, or put it in backticks to show it as text."))
        return None


def resolve_asset(state: _State, target: str, line: int | None) -> str | None:
    """The href of a photo: a web address as it is, a local file copied beside the page.

    Anything else (``javascript:``, ``data:``, a missing file) records an error and gives None.
    """
    if not target.strip():
        state.errors.append(SourceError(state.source.shown, line, "image has no file name",
                                        "Give the photo's file name: ![Mô tả ảnh](anh.jpg)"))
        return None
    parts = _split(state, target, line, "image")
    if parts is None:
        return None
    if parts.scheme.lower() in _IMAGE_SCHEMES or target.startswith("//") or \
            (target.startswith("/") and not parts.scheme):
        return target
    if parts.scheme or parts.netloc:
        state.errors.append(SourceError(state.source.shown, line,
                                        f"image must be a file or an http(s) address, not {target}",
                                        "Give the photo's file name, e.g. anh.jpg, or https://…"))
        return None
    found = _local_file(state, unquote(parts.path), line, f"image not found: {target}", "images")
    if found is None:
        return None
    path, name = found
    known = state.assets.get(name)  # shown already: the asset keeps the first line showing it
    first = known.line if known is not None and known.line is not None and \
        (line is None or known.line < line) else line
    photo = None
    if state.describe is not None:
        photo = state.describe(path, name)
        if isinstance(photo, str):
            state.errors.append(SourceError(state.source.shown, line, f"image {target} {photo}",
                                            "Open it in an image editor and save it again as "
                                            "JPEG, PNG or WebP."))
            # No photo: a cached body with this asset is never reused.
            state.assets[name] = Asset(path, name, line=first)
            return None
    state.assets[name] = Asset(path, name, photo, first)
    return state.route_url + quote(name)  # a space would end the URL in a srcset


def _copied_photo(state: _State, url: str) -> Any:
    """The photo that ``url`` (as resolve_asset gave it) names, when it is a file copied beside
    the page; None for another address, such as a "/" one written as it is, even one under the
    page's own folder."""
    if not url.startswith(state.route_url):
        return None
    asset = state.assets.get(unquote(url[len(state.route_url):]))
    return asset.photo if asset is not None else None


def _local_file(state: _State, relative: str, line: int | None, missing: str, kind: str,
                hint: str = "", looked_up: tuple[Path | None] | None = None,
                ) -> tuple[Path, str] | None:
    """The file a body names by a path relative to its article (``looked_up``: what _look_up
    gave already), and its name beside the page; None, with an error recorded, when there is no
    such file in the content folder or another file of the body has that name."""
    path = looked_up[0] if looked_up is not None else _look_up(state, relative)
    if path is None:
        state.errors.append(SourceError(state.source.shown, line, missing, hint or _nearby_hint(
            state.source.path.parent, relative, "photo" if kind == "images" else "file")))
        return None
    known = state.assets.get(path.name)
    if known is not None and known.source != path:
        state.errors.append(SourceError(state.source.shown, line,
                                        f"two different {kind} are both named {path.name!r}",
                                        "Rename one of them."))
        return None
    return path, path.name


def _look_up(state: _State, relative: str) -> Path | None:
    """The file inside the content folder that a path relative to the article leads to, or
    None (see _resolve). The body depends on the answer: the path is recorded, and
    photos_unchanged asks again."""
    wanted = state.source.path.parent / relative
    real = _resolve(wanted, state.content.resolve())
    state.photos.append((str(wanted), real is not None))
    return real


def _resolve(wanted: Path, root: Path) -> Path | None:
    """Where ``wanted`` leads, if to a file inside the (resolved) folder ``root``: the file of
    that very name, or else one beside it whose name is the same in another Unicode form (a name
    typed in NFC finds a file saved in NFD, as a Mac saves names, and the other way round)."""
    real = _file_inside(wanted, root)
    # An ASCII name is the same in NFC and NFD: no one saves it in another form. (A few
    # compatibility letters, such as the Kelvin sign, become ASCII in NFC; no one types them.)
    if real is None and not wanted.name.isascii():
        for twin in _twins(wanted):
            real = _file_inside(twin, root)
            if real is not None:
                break
    return real


# folder → its mtime, and its names by their NFC form. Kept for one build (see forget_names).
_NAMES: dict[str, tuple[int, dict[str, list[str]]]] = {}


def forget_names() -> None:
    """Forget the folders read for names in other Unicode forms: a build starts with none, so
    that a process building again and again (serve) never trusts a folder's mtime from an
    earlier build (a file saved within the mtime's step leaves it as it was)."""
    _NAMES.clear()


def _twins(path: Path) -> list[Path]:
    """The entries beside ``path`` whose names are ``path``'s in another Unicode form, in code
    point order. A folder is read once in a build, while its mtime stays: a flat content folder
    holds every article, and a link to a missing file looks there."""
    folder = str(path.parent)
    try:
        mtime = os.stat(folder).st_mtime_ns
        known = _NAMES.get(folder)
        if known is None or known[0] != mtime:
            names: dict[str, list[str]] = {}
            for entry in sorted(os.listdir(folder)):
                names.setdefault(unicodedata.normalize("NFC", entry), []).append(entry)
            known = _NAMES[folder] = (mtime, names)
    except (OSError, ValueError):
        return []
    return [path.parent / name for name in known[1].get(unicodedata.normalize("NFC", path.name), ())
            if name != path.name]


_HOST = re.compile(r"(www\.)?[a-z0-9-]+(\.[a-z0-9-]+)*\.(vn|com|net|org|gov|edu|info|io)")
# Files a link may lead to that a missing one is an error for; a link to another name with a dot
# (v1.2, trang.php, ../../files/x.docx) stays as written unless the file is there to copy.
_DOCUMENTS = frozenset({
    ".pdf", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".odt", ".ods", ".odp", ".rtf",
    ".csv", ".zip", ".rar", ".7z", ".jpg", ".jpeg", ".png", ".gif", ".webp", ".mp3", ".mp4",
    ".m4a", ".wav", ".ogg", ".webm", ".mov", ".epub"})


def _attach(state: _State, link: etree.Element, parts: SplitResult, href: str,
            line: int) -> None:
    """A link to a local file other than an article (a PDF of a decree beside the article):
    the file is copied beside the page and the link leads there. A missing document beside the
    article, or a web address written without https://, is an error. Links to folders, to pages
    (``trang.html``) and up out of the article's folder to files it cannot find stay as written."""
    relative = unquote(parts.path)
    extension = posixpath.splitext(posixpath.basename(relative))[1].lower()
    if not relative or relative.startswith("/") or relative.endswith("/") or not extension or \
            extension in (".html", ".htm"):
        return
    web = bool(_HOST.fullmatch(relative.lower()))
    real = _look_up(state, relative)
    if real is None and not web and (extension not in _DOCUMENTS or ".." in relative.split("/")):
        return
    found = _local_file(state, relative, line, f"link to a missing file: {href}", "files",
                        f"For a web address, write it in full: https://{relative}" if web else "",
                        (real,))
    if found is None:
        return
    path, name = found
    if name not in state.assets:  # a photo the body shows as well keeps its copies
        state.assets[name] = Asset(path, name, line=line, attachment=True)
    link.set("href", state.route_url + quote(name) + (f"?{parts.query}" if parts.query else "")
             + (f"#{parts.fragment}" if parts.fragment else ""))


def _file_inside(path: Path, root: Path) -> Path | None:
    """Where ``path`` leads, if to a file inside the (resolved) folder ``root``; else None."""
    try:
        real = path.resolve()
        return real if real.is_relative_to(root) and path.is_file() else None
    except (OSError, ValueError):
        return None


def _nearby_hint(folder: Path, relative: str, what: str = "photo") -> str:
    try:
        names = sorted(p.name for p in folder.iterdir() if p.is_file() and not p.name.endswith(".md"))
    except OSError:
        names = []
    close = difflib.get_close_matches(posixpath.basename(relative), names, n=1)
    if close:
        return f"Did you mean {close[0]!r}? Paths are relative to the article's file."
    return f"Put the {what} beside the article (a page bundle: content/<name>/index.md) and " \
           "give its file name."


class _Processor(Treeprocessor):
    def __init__(self, md: markdown.Markdown, state_holder: list[_State]) -> None:
        super().__init__(md)
        self.holder = state_holder

    def run(self, root: etree.Element) -> None:
        state = self.holder[0]
        notes = {id(element) for div in root.iter("div")
                 if "footnote" in (div.get("class") or "").split() for element in div.iter()}
        done: set[int] = set()
        # In document order, a link's images before the link: their addresses come first in
        # the text (see _Places).
        for element in list(root.iter()):
            for one in (*(element.iter("img") if element.tag == "a" else ()), element):
                if id(one) in done or one.tag not in ("a", "img"):
                    continue
                done.add(id(one))
                kind = "reference" if one.attrib.pop(_REFERENCE, None) is not None else \
                    "note" if id(one) in notes else "text"
                (self._link if one.tag == "a" else self._image)(state, one, kind)
        for para in root.iter("p"):
            if len(para) == 1 and para[0].tag == "img" and not (para.text or "").strip() \
                    and not (para[0].tail or "").strip():
                image = para[0]
                image.tail = None
                para.tag = "figure"
                caption = image.attrib.pop("title", None)
                if caption:
                    etree.SubElement(para, "figcaption").text = caption
        if state.pictures:
            parents = {child: parent for parent in root.iter() for child in parent}
            for image, photo in state.pictures:
                _responsive(image, parents[image], photo, state.route_url)
        stash = self.md.htmlStash.rawHtmlBlocks
        for para in root.iter("p"):
            text = _plain(para, stash)
            if text:
                state.first_paragraph = text
                break
        state.text = _plain(root, stash)

    def _link(self, state: _State, link: etree.Element, kind: str = "text") -> None:
        written = link.get("href", "")
        line = state.places.line(written, kind)
        href = _unescaped(written)  # a\_b.md names a_b.md
        parts = _split(state, href, line, "link")
        if parts is None:
            return
        if parts.scheme or parts.netloc:
            return
        if not parts.path.endswith(".md"):
            _attach(state, link, parts, href, line)
            return
        base = posixpath.dirname(state.source.rel)
        # NFC, as the build knows files by: a name from a Mac is NFD, the link typed is NFC
        target = unicodedata.normalize(
            "NFC", posixpath.normpath(posixpath.join(base, unquote(parts.path))))
        link.set("href", placeholder(len(state.links)))
        state.links.append(Link(target, parts.fragment, href, line, parts.query))

    def _image(self, state: _State, image: etree.Element, kind: str = "text") -> None:
        written = image.get("src", "")
        line = state.places.line(written, kind)
        src = _unescaped(written)
        if not (image.get("alt") or "").strip():
            state.errors.append(SourceError(state.source.shown, line, f"image has no alt text: {src}",
                                            "Describe the photo for readers who cannot see it: "
                                            f"![Mô tả ảnh]({src})"))
        url = resolve_asset(state, src, line)
        if url is not None:
            image.set("src", url)
            photo = _copied_photo(state, url)
            if photo is not None:
                state.pictures.append((image, photo))


def _responsive(image: etree.Element, parent: etree.Element, photo: Any, folder_url: str) -> None:
    """Give a local photo its size, lazy loading and resized copies (WebP first, in <picture>)."""
    from .images import BODY_SIZES

    image.set("width", str(photo.width))
    image.set("height", str(photo.height))
    image.set("loading", "lazy")
    image.set("decoding", "async")
    fallback = photo.fallback()
    if fallback is None:
        return
    image.set("src", folder_url + quote(fallback.name))
    image.set("srcset", photo.srcset(folder_url, photo.mime))
    image.set("sizes", BODY_SIZES)
    if photo.mime == "image/webp":
        return
    # Wrap the <img> in <picture> in place, with a WebP <source> before it.
    picture = etree.Element("picture")
    etree.SubElement(picture, "source", {"type": "image/webp",
                                         "srcset": photo.srcset(folder_url, "image/webp"),
                                         "sizes": BODY_SIZES})
    index = list(parent).index(image)
    picture.tail, image.tail = image.tail, None
    parent.remove(image)
    parent.insert(index, picture)
    picture.append(image)


# The characters without which each of Python-Markdown's inline patterns cannot match.
_TRIGGERS = {
    "backtick": "`", "escape": "\\\\", "footnote": "\\[", "reference": "\\[", "link": "\\[",
    "image_link": "\\[", "image_reference": "\\[", "short_reference": "\\[", "short_image_ref": "\\[",
    "autolink": "<", "automail": "<", "html": "<", "entity": "&", "linebreak": "  \\n",
    "not_strong": "[*_]", "em_strong": "[*_]", "em_strong2": "[*_]", "strong_em": "[*_]",
}


class _QuickInline(InlineProcessor):
    """Python-Markdown's inline pass, skipping text in which no inline pattern can match.

    Most paragraphs of a news article are plain prose: trying fifteen patterns on each is most of
    the time Markdown takes. Text without any trigger character comes out of the stock pass
    unchanged, so it is returned as it is (tests/test_markup.py checks the outputs are equal).
    """

    def __init__(self, md: markdown.Markdown, trigger: re.Pattern[str]) -> None:
        super().__init__(md)
        self.trigger = trigger

    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:  # noqa: N802
        if patternIndex == 0 and not isinstance(data, AtomicString) \
                and self.trigger.search(data) is None:
            return data
        return InlineProcessor._InlineProcessor__handleInline(
            self, data, patternIndex)


_STASHED = re.compile("\x02wzxhzdk:(\\d+)\x03")
_ESCAPED = re.compile("\x02(\\d+)\x03")  # a backslash escape, by the code of its character


def _unescaped(address: str) -> str:
    """An href or src as written, its backslash escapes (stashed by Markdown until its last
    step) read: ``a\\_b.md`` names ``a_b.md``."""
    return _ESCAPED.sub(lambda found: chr(int(found[1])), address) if "\x02" in address \
        else address


def _plain(element: etree.Element, stash: Sequence[object] = ()) -> str:
    """The words of an element as a reader sees them. Markdown has not finished with it: code
    is still escaped (``x &lt; y``), and raw HTML and entities are placeholders for the entries
    of ``stash``: an entity stands for its character, an inline tag (``<sup>``) for nothing,
    anything else (``<br>``, a block of HTML or code) for a space between words; a character
    escaped with a backslash (``5\\*3``) is a placeholder too."""
    parts: list[str] = []
    _texts(element, parts, False)

    def stashed(match: re.Match[str]) -> str:
        number = int(match[1])
        raw = stash[number] if number < len(stash) else ""
        if not isinstance(raw, str):
            return " "
        if _ENTITY.fullmatch(raw):
            return unescape(raw)
        return "" if _INLINE_TAG.fullmatch(raw) else " "

    text = _ESCAPED.sub(lambda found: chr(int(found[1])), "".join(parts))  # 5\*3 reads 5*3
    return " ".join(_STASHED.sub(stashed, text).split())


def _texts(element: etree.Element, parts: list[str], code: bool) -> None:
    """The texts of ``element`` in document order into ``parts``, those of code unescaped."""
    code = code or element.tag == "code"
    if element.text:
        parts.append(unescape(element.text) if code else element.text)
    for child in element:
        _texts(child, parts, code)
        if child.tail:
            parts.append(unescape(child.tail) if code else child.tail)


_ENTITY = re.compile(r"&(#\d+|#[xX][0-9a-fA-F]+|[a-zA-Z][a-zA-Z0-9]*);")
# tags inside a word's run of text: "m<sup>2</sup>" reads "m2"
_INLINE_TAG = re.compile(r"</?(a|abbr|b|bdi|bdo|cite|code|data|del|dfn|em|i|ins|kbd|mark|q|s|"
                         r"samp|small|span|strong|sub|sup|time|u|var)(\s[^>]*)?/?>", re.IGNORECASE)


_REFERENCE = "data-bulletin-reference"  # on a reference link or image, until _Processor runs


class _Marked:
    """A reference link or image processor whose elements say they are one (see _Places)."""

    def makeTag(self, href: str, title: str, text: str) -> etree.Element:  # noqa: N802
        element: etree.Element = super().makeTag(href, title, text)  # type: ignore[misc]
        element.set(_REFERENCE, "")
        return element


class _Reference(_Marked, inlinepatterns.ReferenceInlineProcessor):
    pass


class _ImageReference(_Marked, inlinepatterns.ImageReferenceInlineProcessor):
    pass


class _ShortReference(_Marked, inlinepatterns.ShortReferenceInlineProcessor):
    pass


class _ShortImageReference(_Marked, inlinepatterns.ShortImageReferenceInlineProcessor):
    pass


class _BulletinExtension(Extension):
    def __init__(self, holder: list[_State]) -> None:
        super().__init__()
        self.holder = holder

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 (Markdown's API)
        md.treeprocessors.register(_Processor(md, self.holder), "bulletin", 5)
        # Markdown's own, by the same names and priorities (markdown.inlinepatterns)
        patterns = md.inlinePatterns
        patterns.register(_Reference(inlinepatterns.REFERENCE_RE, md), "reference", 170)
        patterns.register(_ImageReference(inlinepatterns.IMAGE_REFERENCE_RE, md),
                          "image_reference", 140)
        patterns.register(_ShortReference(inlinepatterns.REFERENCE_RE, md), "short_reference",
                          130)
        patterns.register(_ShortImageReference(inlinepatterns.IMAGE_REFERENCE_RE, md),
                          "short_image_ref", 125)
        names = [item.name for item in md.inlinePatterns._priority]
        if names and all(name in _TRIGGERS for name in names) and "inline" in md.treeprocessors:
            trigger = re.compile("|".join(sorted({_TRIGGERS[name] for name in names})))
            md.treeprocessors.register(_QuickInline(md, trigger), "inline", 20)


class Renderer:
    """One Markdown instance, reset between documents (Python-Markdown keeps state)."""

    def __init__(self, trust_html: bool = False,
                 describe: Callable[[Path, str], Any] | None = None) -> None:
        self.holder: list[_State] = []
        self.trust_html = trust_html
        self.describe = describe  # measures photos (images.describe); None leaves <img> as written
        # Markdown Extra's parts and sane lists, as instances: by name, Markdown would look the
        # names up among the installed packages' entry points first (0.1 s per process).
        self.md = markdown.Markdown(
            extensions=[FencedCodeExtension(), FootnoteExtension(), AttrListExtension(),
                        DefListExtension(), TableExtension(), AbbrExtension(),
                        MarkdownInHtmlExtension(), SaneListExtension(),
                        _BulletinExtension(self.holder)],
            output_format="html",
        )

    def render(self, source: Source, route_url: str, content: Path, image: str | None = None,
               image_line: int | None = None) -> Body:
        """The body's HTML, independent of other articles: safe to cache by the source's digest."""
        state = _State(source, route_url, content, describe=self.describe)
        quick = plain_body(source.body)
        if quick is not None:  # plain prose: what Markdown and the sanitiser would give, directly
            state.text, state.first_paragraph = quick.text, quick.first_paragraph
            return self._body(quick.html, state, image, image_line)
        problem = guard(source)
        if problem is not None:
            return Body("", "", "", errors=(problem,))
        self.holder[:] = [state]
        self.md.reset()
        try:
            html = self.md.convert(source.body)
        except RecursionError:
            return Body("", "", "", errors=(SourceError(
                source.shown, source.body_line, "the Markdown is nested too deeply to render",
                "Simplify the nesting of quotes and lists."),))
        finally:
            self.holder.clear()
        if not self.trust_html:
            state.errors += left_out(state, html)
            html = sanitise(html)
            # A code block scrolls sideways: by keyboard too (Safari). After the sanitiser,
            # whose output holds "<pre" only as a tag, and drops an editor's own tabindex.
            if "<pre" in html:
                html = _PRE.sub('<pre tabindex="0"', html)
        return self._body(html, state, image, image_line)

    def _body(self, html: str, state: _State, image: str | None, image_line: int | None) -> Body:
        image_url = resolve_asset(state, image, image_line) if image else None
        image_photo = _copied_photo(state, image_url) if image_url else None
        return Body(html, state.text, state.first_paragraph, tuple(state.links),
                    tuple(state.assets.values()), tuple(state.errors), image_url,
                    tuple(state.photos), image_photo)


def plain_body(body: str) -> Body | None:
    """The rendered body of a plain-prose article (see prose.py), or None if it needs Markdown.

    It depends on nothing but the text: not on the article's URL, nor on other files.
    """
    found = prose.paragraphs(body)
    if found is None:
        return None
    return Body(prose.html(found), prose.spaced(body), prose.spaced(found[0]) if found else "")


def link_errors(source: Source, links: tuple[Link, ...], urls: Mapping[str, str],
                unpublished: frozenset[str], faulty: frozenset[str] = frozenset(),
                ) -> list[SourceError]:
    """A content error for each body link to an article that is missing or not published. A
    link to one of the ``faulty`` articles (whose front matter has errors of its own) is left
    alone: their errors are reported, and mending them mends the link."""
    errors = []
    for link in links:
        if link.target in urls or link.target in faulty:
            continue
        if link.target in unpublished:
            errors.append(SourceError(source.shown, link.line,
                                      f"link to an article that is not published: {link.written}",
                                      "Publish that article first, or remove the link."))
            continue
        base = posixpath.dirname(source.rel)
        close = difflib.get_close_matches(link.target, list(urls), n=1, cutoff=0.6)
        hint = f"Did you mean {posixpath.relpath(close[0], base or '.')!r}?" if close else \
            "Link to another article by its file path relative to this one, e.g. [xem](bai-khac.md)."
        errors.append(SourceError(source.shown, link.line,
                                  f"link to a missing article: {link.written}", hint))
    return errors


def resolve_links(html: str, links: tuple[Link, ...], urls: Mapping[str, str]) -> str:
    """Put every linked article's URL in place of its placeholder.

    >>> resolve_links('<a href="#__bulletin_link_0__">x</a>', (Link("b.md", "top", "b.md#top", 1),),
    ...               {"b.md": "/tin/b/"})
    '<a href="/tin/b/#top">x</a>'
    >>> resolve_links('<a href="#__bulletin_link_0__">x</a>',
    ...               (Link("b.md", "", "b.md?a=1&b=2", 1, "a=1&b=2"),), {"b.md": "/tin/b/"})
    '<a href="/tin/b/?a=1&amp;b=2">x</a>'
    """
    for number, link in enumerate(links):
        url = urls.get(link.target, "") + (f"?{link.query}" if link.query else "") + \
            (f"#{link.fragment}" if link.fragment else "")
        html = html.replace(placeholder(number), escape_html(url, quote=True), 1)
    return html


class BodyStore:
    """Rendered bodies by key: this run's renders in memory, older ones from the cache.

    Kept out of the Article models so a build holds only the bodies of the pages it renders.
    """

    def __init__(self, cache: Any, urls: Mapping[str, str],
                 again: Callable[[str], str | SourceError | None] | None = None) -> None:
        self.cache = cache
        self.urls = urls
        self.fresh: dict[str, str] = {}
        self.again = again  # a body's HTML rendered again from its file, by key; None: cannot

    def prefetch(self, keys: list[str]) -> None:
        """Load many bodies from the cache in one query, before rendering their pages."""
        wanted = [key for key in keys if key not in self.fresh]
        if wanted:
            self.fresh.update(self.cache.get_many("html", wanted))

    def release(self) -> None:
        """Drop the bodies held in memory, once they are stored: the processes that render the
        pages read their own share from the cache (``prefetch``)."""
        if self.cache.readonly:
            return
        self.cache.flush()
        self.fresh.clear()

    def forget(self, keys: list[str]) -> None:
        """Drop these bodies from memory once their pages are rendered; they stay in the cache
        (or, for ``check``, in its memory), so asking again reads them back."""
        if self.cache.readonly:
            return
        for key in keys:
            self.fresh.pop(key, None)

    def html(self, key: str, links: tuple[Link, ...]) -> str:
        """A body's HTML with its links resolved. One gone from the cache since the build found
        it there, or damaged, is rendered again from its article's file (``again``); if that
        file changed meanwhile, SourceProblem says so."""
        html: Any = self.fresh.get(key)
        if not isinstance(html, str):
            html = self.cache.get("html", key)
        if not isinstance(html, str) and self.again is not None:
            html = self.again(key)
            if isinstance(html, SourceError):
                raise SourceProblem(html)
        if not isinstance(html, str):
            raise LookupError(f"rendered body {key} is missing from the cache")
        return resolve_links(html, links, self.urls)


def guard(source: Source) -> SourceError | None:
    """Refuse bodies that would make Markdown take minutes or overflow the stack.

    Python-Markdown's time grows with the cube of list nesting and the square of unmatched or
    nested '[' and '(': a few thousand of them hang a build. Real articles stay far below these
    limits.
    """
    def error(offset: int, message: str, hint: str) -> SourceError:
        return SourceError(source.shown, source.body_line + source.body.count("\n", 0, offset),
                           message, hint)

    offset = 0
    for line in source.body.split("\n"):
        prefix = _CONTAINERS.match(line)
        markers = len(_MARKER.findall(prefix.group())) if prefix else 0
        if markers > MAX_NESTING:
            return error(offset, f"quotes or lists nested more than {MAX_NESTING} levels deep",
                         "Remove the extra '>', '-' or '1.' marks at the start of the line.")
        indent = len(line.expandtabs(4)) - len(line.expandtabs(4).lstrip(" "))
        if indent > 4 * MAX_NESTING and line.strip():
            return error(offset, f"the line is indented by more than {4 * MAX_NESTING} spaces",
                         "Remove the spaces at the start of the line; four spaces nest a list "
                         "one level.")
        offset += len(line) + 1
    start = 0
    for gap in [*re.finditer(r"\n[ \t]*\n", source.body), None]:
        end = gap.start() if gap else len(source.body)
        problem = _bracket_problem(source.body, start, end)
        if problem is not None:
            at, opening, nested = problem
            closing = "]" if opening == "[" else ")"
            hint = (f"Close each '{opening}' with '{closing}', write \\{opening} for a literal "
                    "one, or split the paragraph with blank lines.")
            if nested:
                return error(at, f"more than {MAX_NESTING} '{opening}' open at once "
                             "(nested, or never closed)", hint)
            return error(at, f"too many '{opening}' without a matching '{closing}' in this "
                         "paragraph", hint)
        start = gap.end() if gap else end
    return None


def _bracket_problem(text: str, start: int, end: int) -> tuple[int, str, bool] | None:
    """(offset, bracket, nested?) of brackets in ``text[start:end]`` that Markdown chokes on.

    Python-Markdown scans from every '[', and from every '(' that opens a link target, to its
    match or, without one, to the end of the paragraph. The sum of those scans is its work.
    """
    for opening, closing in ("[]", "()"):
        open_at: list[int] = []
        work = 0
        for found in _BRACKETS[opening].finditer(text, start, end):
            at = found.start()
            if found.group() == opening:
                if opening == "(" and not open_at and text[at - 1:at] != "]":
                    continue  # parentheses in plain text cost nothing
                open_at.append(at)
                if len(open_at) > MAX_NESTING:
                    return open_at[0], opening, True
            elif found.group() == closing and open_at:
                work += at - open_at.pop()
        work += sum(end - at for at in open_at)
        if work > MAX_BRACKET_SCAN:
            return (open_at[0] if open_at else start), opening, False
    return None


def summarise(text: str, limit: int) -> str:
    """Cut text at a word boundary to at most ``limit`` characters, adding an ellipsis.

    >>> summarise("Công an tỉnh tổ chức hội nghị sơ kết", 20)
    'Công an tỉnh tổ chức…'
    >>> summarise("2026年10月1日 东京今天下雨，气温明显下降，市民出行注意保暖", 24)
    '2026年10月1日 东京今天下雨，气温明显下降…'
    >>> summarise("Chi tiết tại https://dichvucong.gov.vn/p/home/dvc-tthc-thu-tuc.html", 40)
    'Chi tiết tại…'
    >>> summarise("ข่าว วันนี้กรุงเทพมหานครมีฝนตกหนักในหลายพื้นที่", 30)
    'ข่าว วันนี้กรุงเทพมหานครมีฝนตก…'
    """
    # Spaces are collapsed in a head of the text long enough for the cut, when there is one: the
    # head collapsed is a prefix of the whole text collapsed. A first paragraph may be long.
    head = " ".join(text[: 2 * limit + 2].split())
    text = head if len(head) > limit else " ".join(text.split())
    if len(text) <= limit:
        return text
    # At the last space; but Chinese, Japanese or Thai text has no spaces between words: when
    # the last space would keep less than half and such text follows it, where the text reaches
    # the limit (never inside a character made of several code points).
    space = text.rfind(" ", 0, limit + 1)
    if space > 0 and (space >= limit // 2 or not _UNSPACED.search(text, space, limit)):
        cut = text[:space]
    else:
        cut = text[:_whole(text, limit)]
    return cut.rstrip(" ,;:–-") + "…"


def _whole(text: str, end: int) -> int:
    """``end``, or the nearest place before it that does not split a character made of several
    code points (a letter and its marks, an emoji joined to another, a flag's two letters).

    >>> _whole("วันนี้", 5), _whole("🇻🇳🇯🇵", 3), _whole("a👍🏽", 2)
    (3, 2, 1)
    """
    while 0 < end < len(text) and (
            unicodedata.category(text[end]).startswith("M") or text[end] in _JOINING
            or text[end - 1] == "\u200d" or "\U0001f3fb" <= text[end] <= "\U0001f3ff"
            or (_regional(text[end]) and _regional(text[end - 1])
                and _flags_before(text, end) % 2 == 1)):
        end -= 1
    return end


def _regional(char: str) -> bool:
    """Whether ``char`` is a regional indicator letter: a flag is two of them."""
    return "\U0001f1e6" <= char <= "\U0001f1ff"


def _flags_before(text: str, end: int) -> int:
    """How many regional indicator letters run up to ``end``: a flag is two of them."""
    count = 0
    while end - count > 0 and _regional(text[end - count - 1]):
        count += 1
    return count


# Letters of scripts written without spaces between words: Thai, Lao, Burmese, Khmer, Chinese,
# Japanese (a summary of them is cut where it reaches its limit, not at a far space)
_UNSPACED = re.compile("[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf"
                       "\u4e00-\u9fff\uf900-\ufaff]")
_JOINING = frozenset("\u200d\ufe0e\ufe0f")  # zero-width joiner, variation selectors

