"""Reading content/: find article files, decode them and split front matter from the body."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import frontmatter

from .errors import SourceError, display_path, not_utf8
from .models import Source

_HANDLER = frontmatter.YAMLHandler()


def discover(content: Path) -> tuple[list[tuple[Path, Path | None]], list[SourceError]]:
    """Every article file under ``content`` as (path, bundle folder or None), in a stable order.

    A folder holding ``index.md`` is a page bundle: its other files are the article's photos.
    Hidden files and folders are skipped. Symlinks that lead outside ``content`` are refused.
    Markdown files with another ending (``.MD``, ``.markdown``) are not read: a warning each
    (``warning=True`` among the errors returned).
    """
    root = content.resolve()
    found: list[tuple[Path, Path | None]] = []
    errors: list[SourceError] = []
    visited: dict[Path, Path] = {}  # real folder → the path it was first reached by
    # Top down, as os.walk(followlinks=True), from directory entries: whether a file is a
    # symlink is known without asking the file system again for each file.
    stack = [content]
    while stack:
        here = stack.pop()
        real = here.resolve()
        if not real.is_relative_to(root):
            errors.append(SourceError(display_path(here), None,
                                      "symlink points outside the content folder",
                                      "Copy the files into content/ instead of linking to them."))
            continue
        if real in visited:
            errors.append(SourceError(display_path(here), None,
                                      f"is the same folder as {display_path(visited[real])} "
                                      "(a symlink leads there), which is read already",
                                      "Remove the symlink."))
            continue
        visited[real] = here
        try:
            with os.scandir(here) as listed:
                items = list(listed)
        except OSError:  # as os.walk: a folder that cannot be listed is passed over
            continue
        dirs, files = [], {}
        for item in items:
            try:
                is_dir = item.is_dir()
            except OSError:
                is_dir = False
            read = not item.name.startswith((".", "_")) if is_dir else \
                not item.name.startswith(".") and item.name.endswith(".md")
            if read and not _is_utf8(item.name):
                errors.append(_not_utf8(here / item.name, is_dir))
            elif is_dir:
                if read:
                    dirs.append(item.name)
            else:
                files[item.name] = item
        stack += [here / name for name in sorted(dirs, reverse=True)]
        bundle = here if "index.md" in files and real != root else None
        for name in sorted(files):
            if name.startswith(".") or not name.endswith(".md"):
                if not name.startswith(".") and name.lower().endswith(MARKDOWN_SUFFIXES):
                    errors.append(_left_out(here / name, bundle))
                continue
            path = here / name
            linked = files[name].is_symlink()
            if linked and not path.resolve().is_relative_to(root):
                errors.append(SourceError(display_path(path), None,
                                          "symlink points outside the content folder",
                                          "Copy the file into content/ instead of linking to it."))
                continue
            if linked and not path.is_file():
                errors.append(SourceError(display_path(path), None,
                                          "broken symlink: it leads to no file",
                                          "Remove it, or point the link at an article in "
                                          "content/."))
                continue
            if bundle is not None and name != "index.md":
                errors.append(SourceError(display_path(path), None,
                                          "a Markdown file inside a page bundle is not an article",
                                          f"Move it out of {display_path(bundle)}/ or rename it."))
                continue
            found.append((path, bundle))
    return found, errors


# Endings of Markdown files other programs save (Windows and macOS editors: "Bai.MD"): only
# ".md" is read, and a file with another of these is named in a warning rather than left out
# in silence.
MARKDOWN_SUFFIXES = (".md", ".markdown", ".mdown", ".mkdn", ".mkd", ".mdwn")


def _left_out(path: Path, bundle: Path | None = None) -> SourceError:
    """The warning for a Markdown file that is not read because of its name's ending (in a
    page bundle, whose one article is its index.md, renaming it would not publish it)."""
    shown = _readable(display_path(path))
    stem, dot, suffix = _readable(path.name).rpartition(".")
    hint = f"Rename it to {stem}.md to publish it." if bundle is None else \
        f"A page bundle holds one article, its index.md: to publish this one, move it out of " \
        f"{_readable(display_path(bundle))}/ and rename it to {stem}.md."
    return SourceError(shown, None, f"not read: only files ending in .md are articles, and this "
                       f"one ends in {dot}{suffix}", hint, warning=True)


def _readable(name: str) -> str:
    """A name the file system gave, its bytes that are not UTF-8 shown as U+FFFD."""
    return name if _is_utf8(name) else \
        name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _is_utf8(name: str) -> bool:
    """Whether a name the file system gave is UTF-8 text (Python holds other bytes in it as
    lone surrogates, which no cache, page or message can carry)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _not_utf8(path: Path, folder: bool) -> SourceError:
    return SourceError(_readable(display_path(path)), None,
                       f"the {'folder' if folder else 'file'} name is not UTF-8 text"
                       f"{' (what it holds is not read)' if folder else ''}",
                       "Rename it, typing the name again (a name from an archive made on another "
                       "system may hold another encoding's bytes).")


def read_source(path: Path, content: Path, bundle: Path | None,
                shown_content: str | None = None) -> Source | SourceError:
    """Decode one file and split its front matter; an unreadable file gives one SourceError.

    ``shown_content`` is ``display_path(content)``, passed in to save resolving every file's path.
    """
    rel = path.relative_to(content).as_posix()
    shown = f"{shown_content}/{rel}" if shown_content is not None else display_path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return SourceError(shown, None, f"cannot read the file: {exc.strerror or exc}",
                           "Check that the file exists and that you may read it.")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return not_utf8(shown, raw, exc)
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        return SourceError(shown, 1, "the file is empty",
                           "An article starts with front matter:\n---\ntitle: \"Tiêu đề\"\n"
                           "date: 2024-03-15\n---\nthen the text of the article.")
    if not _HANDLER.detect(text):
        return SourceError(shown, 1, "no front matter: the file must start with a line '---'",
                           "Put the article's details between two '---' lines at the top:\n---\n"
                           "title: \"Tiêu đề\"\ndate: 2024-03-15\n---")
    opening = _HANDLER.FM_BOUNDARY.match(text)
    closing = _HANDLER.FM_BOUNDARY.search(text, opening.end()) if opening else None
    if opening is None or closing is None:
        return SourceError(shown, 1, "front matter is not closed: no second '---' line",
                           "End the front matter with a line holding only '---'.")
    front, body = text[opening.end():closing.start()], text[closing.end():]
    return Source(
        path=path,
        shown=shown,
        rel=rel,
        bundle=bundle,
        front=front,
        body=body,
        front_line=text.count("\n", 0, opening.end()) + 1,
        body_line=text.count("\n", 0, closing.end()) + 1,
        digest=hashlib.blake2b(raw, digest_size=16).hexdigest(),
    )


def read_again(source: Source) -> Source | SourceError:
    """The full text of a Source that was made from the cache without reading its file (see
    pipeline.read_all), for the rare stage that needs it after all. A file that no longer has
    the bytes the build took it for (saved again since the build started) is an error: what
    the build made of it would be kept under the other version's digest."""
    cut = len(source.rel) + 1
    again = read_source(source.path, Path(str(source.path)[:-cut]), source.bundle,
                        source.shown[:-cut])
    if isinstance(again, Source) and again.digest != source.digest:
        return SourceError(source.shown, None, "the file changed while the build was reading it",
                           "Build again: the next build reads it as it is now.")
    return again
