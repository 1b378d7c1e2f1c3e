"""`build.py new`: start an article file with its front matter filled, refusing to overwrite one."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import yaml

from .cache import Cache
from .config import Config
from .errors import UsageError, display_path
from .meta import shorten_slug
from .pipeline import load, read_all
from .routes import Routes
from .slug import slugify, unsafe_slug_reason

BODY = """\
Đoạn đầu tiên là phần dẫn (sapo) của bài viết: một hai câu tóm tắt sự việc.

Viết nội dung bài viết ở đây. Khi bài đã sẵn sàng, xoá dòng `draft: true` ở phần đầu.
"""


@dataclass(frozen=True, slots=True)
class Draft:
    """What the editor asked for: everything but the clock comes from the command line."""

    title: str
    tags: tuple[str, ...] = ()
    category: str | None = None
    slug: str | None = None
    bundle: bool = False


def clean_title(title: str) -> str:
    """One line of NFC text: line breaks and runs of spaces become one space.

    >>> clean_title("  Khởi tố\\n  đối tượng ")
    'Khởi tố đối tượng'
    """
    return " ".join(unicodedata.normalize("NFC", title).split())


def split_tags(text: str | None) -> tuple[str, ...]:
    """``--tags "Công an, ma tuý"`` as a tuple of tags without duplicates or empty entries.

    >>> split_tags("Công an, ma tuý,,Công an")
    ('Công an', 'ma tuý')
    """
    if not text:
        return ()
    return tuple(dict.fromkeys(clean_title(t) for t in text.split(",") if t.strip()))


def front_matter(draft: Draft, slug: str, moment: datetime, config: Config) -> str:
    """The whole new file: front matter with every value quoted safely, then a placeholder body."""
    lines = [
        f"title: {_quoted(clean_title(draft.title))}",
        f"date: {moment.isoformat(timespec='seconds')}",
        f"category: {_quoted(clean_title(draft.category or ''))}",
        f"tags: {_quoted(list(draft.tags))}",
        f"author: {_quoted(config.author)}",
    ]
    if slug != shorten_slug(slugify(clean_title(draft.title))):
        lines.append(f"slug: {slug}")
    lines.append("draft: true")
    return "---\n" + "\n".join(lines) + "\n---\n\n" + BODY


def _quoted(value: str | list[str]) -> str:
    """A value in double quotes as YAML itself writes it, so that any text reads back unchanged.

    >>> _quoted('Tin "nóng": 24/7')
    '"Tin \\\\"nóng\\\\": 24/7"'
    >>> _quoted(["Công an", "ma tuý"])
    '["Công an", "ma tuý"]'
    """
    text = yaml.safe_dump(value, default_style='"', default_flow_style=True, allow_unicode=True,
                          width=2**31 - 1)
    return text.removesuffix("\n").removesuffix("\n...")


def create(draft: Draft, content: Path, config: Config, now: datetime | None = None) -> Path:
    """Write the new article and return its path; raise UsageError rather than overwrite a file."""
    _refuse_undecodable(draft)
    title = clean_title(draft.title)
    slug = draft.slug or shorten_slug(slugify(title))  # as the build makes it
    if draft.slug is not None:
        reason = unsafe_slug_reason(draft.slug)
        if reason:
            raise UsageError(f"--slug {draft.slug!r} {reason}",
                             f"For example --slug {slugify(draft.slug) or 'bai-viet-moi'}")
    if not slug:
        raise UsageError(f"cannot make a slug from the title {title!r}",
                         "Give the title some letters or digits, or pass --slug bai-viet-moi")
    if not content.is_dir():
        raise UsageError(f"content folder not found: {display_path(content)}",
                         "Run this from the site's folder, or pass --content DIR.")
    moment = now or datetime.now(config.tz)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=config.tz)
    moment = moment.astimezone(config.tz)

    target = content / slug / "index.md" if draft.bundle else content / f"{slug}.md"
    if target.exists():
        raise UsageError(f"{display_path(target)} already exists; nothing was written",
                         "Open that file to edit it, or choose another title or --slug.")
    if draft.bundle and (target.parent.is_symlink() or target.parent.exists()) and \
            not target.parent.is_dir():
        raise UsageError(f"{display_path(target.parent)} is a file, where the bundle's folder "
                         "would go; nothing was written", "Choose another title or --slug.")
    if draft.bundle and target.parent.is_dir() and any(target.parent.glob("*.md")):
        raise UsageError(f"{display_path(target.parent)}/ already holds Markdown files; nothing "
                         "was written", "Choose another title or --slug.")
    _refuse_taken_url(content, config, slug, moment, draft.category)

    _write_new(target, front_matter(draft, slug, moment, config))
    return target


def _write_new(target: Path, text: str) -> None:
    """Write a file that does not exist yet ("x": never an overwrite). A folder the tool cannot
    write (read-only, another owner, a full disk) is the editor's to fix: UsageError, and
    nothing of the new file (nor a bundle's folder it made) is left behind."""
    made = not target.parent.exists()
    created = False
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("xb") as handle:
            created = True
            handle.write(text.encode("utf-8"))
    except FileExistsError:  # made by another program since the check above
        raise UsageError(f"{display_path(target)} already exists; nothing was written",
                         "Open that file to edit it, or choose another title or --slug.") from None
    except BaseException as exc:
        if created:  # a half-written file would be read by the next build
            target.unlink(missing_ok=True)
        if made:
            try:
                target.parent.rmdir()
            except OSError:
                pass
        if not isinstance(exc, OSError):
            raise
        raise UsageError(f"cannot write {display_path(target)}: {exc.strerror or exc}; nothing was "
                         "written", "Check that the content folder is yours to write (not "
                         "read-only, not full), or pass --content DIR.") from None


def _refuse_undecodable(draft: Draft) -> None:
    """Refuse text that reached the command line as bytes that are not UTF-8 (Python keeps them
    as surrogate escapes): the front matter could not hold it, and the build would refuse the
    file. The terminal, or the file the text was pasted from, uses another encoding."""
    fields = [("title", draft.title), ("--category", draft.category or ""),
              ("--slug", draft.slug or ""), *(("--tags", tag) for tag in draft.tags)]
    for name, value in fields:
        bad = [ch for ch in value if "\ud800" <= ch <= "\udfff"]
        if bad:
            try:  # the bytes as they came: b"\xff" was kept as "\udcff"
                shown = value.encode("utf-8", "surrogateescape").decode("utf-8",
                                                                       "backslashreplace")
            except UnicodeEncodeError:  # a lone surrogate of another kind
                shown = value.encode("utf-8", "backslashreplace").decode("utf-8")
            raise UsageError(
                f"the {name} '{shown}' holds bytes that are not UTF-8; nothing was written",
                "The terminal (or the file the text was copied from) uses another encoding: set "
                "the terminal to UTF-8 (e.g. LANG=vi_VN.UTF-8; on Windows: chcp 65001) and type "
                "it again.")


def _refuse_taken_url(content: Path, config: Config, slug: str, moment: datetime,
                      category: str | None) -> None:
    """Refuse when an existing article (draft or not) already has the URL the new one would get."""
    routes = Routes(config)
    wanted = routes.article(slug, moment, clean_title(category) if category else None)
    # other articles' errors are not ours; an in-memory cache, so that nothing else is written
    for source, meta in load(read_all(content, []), config, Cache(None), [], []):
        if routes.article(meta.slug, meta.date, meta.category) == wanted:
            raise UsageError(f"{source.shown} already has the URL {wanted} (slug {meta.slug}); "
                             "nothing was written",
                             "Edit that article, or give the new one another title or "
                             f"--slug {slug}-2.")
