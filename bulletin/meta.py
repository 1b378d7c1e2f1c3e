"""Front matter: YAML parsed safely with each key's line, then validated into a typed Meta."""

from __future__ import annotations

import difflib
import calendar
import functools
import re
import sys
import unicodedata
from datetime import date, datetime, time, timedelta, timezone
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from . import plainyaml
from .errors import SourceError
from .models import Meta, Source
from .options import FIRST_DAY, LAST_DAY, in_range
from .slug import slugify, unsafe_slug_reason

_BASE_LOADER: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BASE_LOADER):
    """Safe YAML without implicit timestamps: dates stay text so that we can report bad ones."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

KNOWN_KEYS = ("title", "date", "tags", "category", "author", "summary", "image", "image_alt",
              "image_caption", "slug", "draft", "updated", "related")
MAX_SLUG = 100  # characters: a file name holds 255 bytes, and a URL should stay readable
_TEXT_KEYS = ("category", "author", "summary", "image", "image_alt", "image_caption")
_DATE_HINT = "Write dates year first: 2024-03-15, 2024-03-15 08:30 or 2024-03-15T08:30:00+07:00."


def parse_yaml(source: Source) -> tuple[dict[str, Any], dict[str, int]] | list[SourceError]:
    """The front matter as a mapping plus each key's line, or the YAML problems with their lines."""
    plain = plainyaml.read(source.front, source.front_line, _Loader.yaml_implicit_resolvers)
    return plain if plain is not None else load_yaml(source)


def load_yaml(source: Source) -> tuple[dict[str, Any], dict[str, int]] | list[SourceError]:
    """``parse_yaml`` through the YAML loader, whatever the front matter holds."""
    loader = None
    try:
        loader = _Loader(source.front)  # the pure-Python loader checks characters already here
        node = loader.get_single_node()
        if node is None:
            return [SourceError(source.shown, source.front_line, "front matter is empty",
                                "Give at least a title and a date:\ntitle: \"Tiêu đề\"\ndate: 2024-03-15")]
        if not isinstance(node, yaml.MappingNode):
            kind = "a list" if isinstance(node, yaml.SequenceNode) else "a single value"
            return [SourceError(source.shown, source.front_line + node.start_mark.line,
                                f"front matter must be 'key: value' lines, not {kind}",
                                "For example:\ntitle: \"Tiêu đề\"\ndate: 2024-03-15")]
        lines: dict[str, int] = {}
        errors: list[SourceError] = []
        for key_node, _ in node.value:
            line = source.front_line + key_node.start_mark.line
            if not isinstance(key_node, yaml.ScalarNode):
                errors.append(SourceError(source.shown, line, "a front-matter key must be a plain word",
                                          "Write keys as: title: \"...\""))
                continue
            if key_node.value in lines:
                errors.append(SourceError(source.shown, line, f"key '{key_node.value}' appears twice "
                                          f"(first on line {lines[key_node.value]})",
                                          "Keep one of them."))
            lines[key_node.value] = line
        if errors:
            return errors
        for key_node, value_node in node.value:
            depth = _depth(value_node)
            if depth > MAX_DEPTH:
                errors.append(SourceError(
                    source.shown, lines[key_node.value],
                    f"'{key_node.value}' holds itself, through an alias (*name)"
                    if depth == sys.maxsize else
                    f"'{key_node.value}' holds lists or mappings nested more than {MAX_DEPTH} deep",
                    "Front matter holds text, numbers, dates and plain lists: flatten it."))
        if errors:
            return errors
        try:
            data = loader.construct_document(node)
        except ValueError as exc:  # a number of more than 4,300 digits (Python's limit), say
            return [_unreadable_value(source, node, lines, exc)]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = source.front_line + mark.line if mark else source.front_line
        return [_yaml_problem(source, exc, line)]
    except yaml.reader.ReaderError as exc:
        line = source.front_line + source.front.count("\n", 0, exc.position)
        return [SourceError(source.shown, line, f"front matter holds the control character "
                            f"U+{exc.character:04X}, which YAML does not allow",
                            "Delete it; it is invisible in most editors (retype the line).")]
    except yaml.YAMLError as exc:
        return [SourceError(source.shown, source.front_line, f"front matter is not valid YAML: {exc}",
                            'Quote values that hold special characters: title: "..."')]
    finally:
        if loader is not None:
            loader.dispose()
    return {str(k): v for k, v in data.items()}, lines


MAX_DEPTH = 20  # lists or mappings inside each other, in one front-matter value


def _depth(node: yaml.Node) -> int:
    """How deep lists and mappings nest in a YAML node (a scalar is 0), without recursion; a node
    that holds itself (``&a [*a]``) is as deep as can be. Aliases share nodes: each is measured
    once, so a "billion laughs" of anchors costs no more than its text."""
    known: dict[int, int] = {}
    open_: set[int] = set()  # the nodes on the way down to the one in hand
    stack: list[tuple[yaml.Node, bool]] = [(node, False)]
    while stack:
        here, finished = stack.pop()
        if not finished:
            if id(here) in known:
                continue
            if id(here) in open_:
                return sys.maxsize
        inner: list[yaml.Node] = here.value if isinstance(here, yaml.SequenceNode) else \
            [part for pair in here.value for part in pair] \
            if isinstance(here, yaml.MappingNode) else []
        if finished:
            open_.discard(id(here))
            known[id(here)] = 1 + max(known[id(item)] for item in inner) if inner else \
                int(isinstance(here, yaml.CollectionNode))
            continue
        open_.add(id(here))
        stack.append((here, True))
        stack.extend((item, False) for item in inner)
    return known[id(node)]


def _unreadable_value(source: Source, node: yaml.MappingNode, lines: dict[str, int],
                      exc: ValueError) -> SourceError:
    """The error for a value the YAML loader parsed but could not make (``exc``), at its key."""
    line = source.front_line
    for key_node, value_node in node.value:
        loader = _Loader("")  # one that has made nothing yet
        try:
            loader.construct_document(value_node)
        except ValueError:
            line = lines[key_node.value]
            break
        except yaml.YAMLError:
            continue
        finally:
            loader.dispose()
    return SourceError(source.shown, line, f"a front-matter value cannot be read: {exc}",
                       'Put long numbers and codes in quotes: ma_so: "0123…"')


def _yaml_problem(source: Source, exc: yaml.MarkedYAMLError, line: int) -> SourceError:
    problem = exc.problem or "invalid YAML"
    text_line = _file_line(source, line)
    tag = re.search(r"constructor for the tag '([^']*)'", problem)
    if tag:
        name = tag.group(1).replace("tag:yaml.org,2002:", "!!", 1)
        return SourceError(source.shown, line,
                           f"the YAML tag '{name}' is not allowed in front matter",
                           "Front matter holds plain text, numbers, true/false, dates and lists; "
                           "remove the '!' part.")
    if "\t" in text_line[:len(text_line) - len(text_line.lstrip())] or "'\\t'" in problem:
        return SourceError(source.shown, line,
                           "this line is indented with a tab, which front matter cannot hold",
                           "Indent with spaces: replace the tab with two spaces.")
    if "mapping values are not allowed" in problem:
        key, _, value = text_line.partition(":")
        value = value.strip().replace('"', '\\"')
        return SourceError(source.shown, line,
                           "a value contains ': ' and must be quoted",
                           f'Put the value in double quotes: {key.strip()}: "{value}"')
    return SourceError(source.shown, line, f"front matter is not valid YAML: {problem}",
                       'Check this line; quote values that hold ":", "#", "[" or "{": title: "..."')


def _not_true_or_false(value: Any) -> tuple[str, str]:
    """The message and hint for a draft: that is not true or false, with the value the editor
    most likely meant (YAML reads "false" in quotes, and "no" in YAML 1.2's sense, as text).

    >>> _not_true_or_false("false")
    ("draft must be true or false, without quotes, not 'false'", 'draft: false')
    >>> _not_true_or_false(2)[1]
    'draft: true (not published) or draft: false'
    """
    meant = _MEANT.get(str(value).strip().strip("'\"").casefold()) if isinstance(value, str) \
        else None
    if meant is None:
        return (f"draft must be true or false, not {value!r}",
                "draft: true (not published) or draft: false")
    return (f"draft must be true or false, without quotes, not {value!r}",
            f"draft: {'true' if meant else 'false'}")


_MEANT = {"true": True, "yes": True, "on": True, "1": True, "có": True,
          "false": False, "no": False, "off": False, "0": False, "không": False}


def _calendar_problem(text: str, key: str) -> tuple[str] | None:
    """The hint for a date written year first whose month or day the calendar does not have.

    >>> _calendar_problem("2024-02-30", "date")
    ('February 2024 has 29 days: check the day, e.g. date: 2024-02-29',)
    >>> _calendar_problem("2024-15-03 08:00", "date")
    ('There is no month 15: write the month before the day, e.g. date: 2024-03-15 08:00',)
    >>> _calendar_problem("15/03/2024", "date") is None
    True
    """
    found = _YEAR_FIRST.match(text.strip())
    if not found:
        return None
    year, month, day = (int(part) for part in found.groups())
    rest = text.strip()[found.end():]  # the time, kept in the example
    if not 1 <= month <= 12:
        if 1 <= day <= 12:
            return (f"There is no month {month}: write the month before the day, e.g. "
                    f"{key}: {year:04d}-{day:02d}-{month:02d}{rest}",)
        return (f"There is no month {month}: months run from 01 to 12.",)
    days = calendar.monthrange(year, month)[1] if 1 <= year else 31
    if not 1 <= day <= days:
        name = calendar.month_name[month]
        return (f"{name} {year} has {days} days: check the day, e.g. "
                f"{key}: {year:04d}-{month:02d}-{min(max(day, 1), days):02d}{rest}",)
    return None


_YEAR_FIRST = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?![\d])")


def _file_line(source: Source, line: int) -> str:
    lines = source.front.split("\n")
    index = line - source.front_line
    return lines[index] if 0 <= index < len(lines) else ""


@functools.lru_cache(maxsize=256)
def _close_key(key: str) -> list[str]:
    return difflib.get_close_matches(key, KNOWN_KEYS, n=1, cutoff=0.75)


def parse_date(value: Any, tz: ZoneInfo) -> datetime | None:
    """An aware datetime from an ISO 8601 date or datetime; a value without offset is in ``tz``.

    >>> parse_date("2023-09-29", ZoneInfo("Asia/Ho_Chi_Minh")).isoformat()
    '2023-09-29T00:00:00+07:00'
    >>> parse_date("2024-02-30", ZoneInfo("UTC")) is None
    True
    """
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time())
    elif isinstance(value, str):
        text = value.strip()
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            return None
        if len(text) < 8:  # fromisoformat accepts "2024" style fragments only with a full date
            return None
    else:
        return None
    return moment.replace(tzinfo=tz) if moment.tzinfo is None else moment


def in_site_time(moment: datetime, tz: ZoneInfo) -> datetime:
    """``moment`` in the site's timezone, as readers see it (20:00 UTC is 03:00 the next day in
    Hanoi: on every page, in the feeds and in a permalink's {day}), with its offset as a fixed
    timezone: two dates with the same tzinfo compare by their wall clocks, and in the hour a
    clock change repeats, wall clocks of one zone are not in the order of the moments.

    >>> berlin = ZoneInfo("Europe/Berlin")
    >>> first = in_site_time(datetime.fromisoformat("2026-10-25T02:30+02:00"), berlin)
    >>> later = in_site_time(datetime.fromisoformat("2026-10-25T02:10+01:00"), berlin)
    >>> later > first, later.isoformat(), first.strftime("%H:%M %Z"), later.strftime("%Z")
    (True, '2026-10-25T02:10:00+01:00', '02:30 CEST', 'CET')
    """
    local = moment.astimezone(tz)
    offset = local.utcoffset()
    if offset is None:
        return local
    return local.replace(tzinfo=_fixed(offset, local.tzname() or ""), fold=0)


@functools.lru_cache(maxsize=64)
def _fixed(offset: timedelta, name: str) -> timezone:
    """One timezone object per offset and name (the zone's, as %Z shows it: "+07", "CET"):
    dates sharing it compare without conversion."""
    return timezone(offset, name) if name else timezone(offset)


def validate(source: Source, data: dict[str, Any], lines: dict[str, int],
             tz: ZoneInfo) -> tuple[Meta | None, list[SourceError]]:
    """Check every key of one article's front matter: the Meta (None on errors) and all problems."""
    errors: list[SourceError] = []
    warnings: list[SourceError] = []

    def err(key: str, message: str, hint: str = "") -> None:
        errors.append(SourceError(source.shown, lines.get(key, source.front_line), message, hint))

    # A misspelt known key is a warning (printed on success too), never an error by itself: an
    # unknown key is legal and reaches templates. When the key it resembles is required (tilte,
    # dat), the "missing" error below points at the misspelt line instead of the front matter's top.
    misspelt: dict[str, str] = {}
    extra = {k: v for k, v in data.items() if k not in KNOWN_KEYS}
    for key in extra:
        match = _close_key(key.lower())
        if match and match[0] not in data:
            misspelt.setdefault(match[0], key)
            warnings.append(SourceError(source.shown, lines.get(key),
                                        f"unknown key '{key}': did you mean '{match[0]}'?",
                                        f"Rename it to '{match[0]}' if that is meant.",
                                        warning=True))

    def missing(key: str, hint: str) -> None:
        if key in misspelt:
            typo = misspelt[key]
            errors.append(SourceError(source.shown, lines.get(typo, source.front_line),
                                      f"missing {key}",
                                      f"'{typo}' on this line looks like a misspelling: rename it "
                                      f"to '{key}'."))
        else:
            err(key, f"missing {key}", hint)

    title = data.get("title")
    if title is None and "title" not in data:
        missing("title", 'Every article needs a title: title: "Tiêu đề bài viết"')
    elif title is None or (isinstance(title, str) and not title.strip()):
        err("title", "title is empty", 'Every article needs a title: title: "Tiêu đề bài viết"')
    elif not isinstance(title, (str, int, float)) or isinstance(title, bool):
        err("title", "title must be text", 'title: "Tiêu đề bài viết"')
    title_text = unicodedata.normalize("NFC", str(title).strip()) if title is not None else ""

    def dated(key: str) -> datetime | None:
        moment = parse_date(data[key], tz)
        if moment is None:
            err(key, f"{key} {str(data[key])!r} is not a valid date",
                *_calendar_problem(str(data[key]), key) or (_DATE_HINT,))
        elif not in_range(moment):
            err(key, f"{key} {str(data[key])!r} is out of range",
                f"Dates run from the year {FIRST_DAY.year} to {LAST_DAY.year}: check the year.")
            return None
        return in_site_time(moment, tz) if moment is not None else None

    moment = None
    if "date" not in data:
        missing("date", "Every article needs a date: date: 2024-03-15T08:30:00+07:00")
    elif data["date"] is None:
        err("date", "date is empty", "Every article needs a date: date: 2024-03-15T08:30:00+07:00")
    else:
        moment = dated("date")

    updated = dated("updated") if data.get("updated") is not None else None

    tags = _string_list(data, "tags", err, '["ma tuý", "cờ bạc"]')
    related = _string_list(data, "related", err, '["slug-bai-viet-khac"]')

    for tag in tags:
        if len(slugify(tag)) > MAX_SLUG:
            err("tags", f"tag {_clip(tag)!r} is too long for a URL",
                f"A tag is a word or a short phrase of at most about {MAX_SLUG} letters.")

    texts: dict[str, str | None] = {}
    for key in _TEXT_KEYS:
        value = data.get(key)
        if value is None:
            texts[key] = None
        elif isinstance(value, (str, int, float)) and not isinstance(value, bool):
            texts[key] = unicodedata.normalize("NFC", str(value).strip()) or None
        else:
            err(key, f"{key} must be text", f'{key}: "..."')
            texts[key] = None
    if texts["category"] and len(slugify(texts["category"])) > MAX_SLUG:
        err("category", f"category {_clip(texts['category'])!r} is too long for a URL",
            f"A category is a short name of at most about {MAX_SLUG} letters.")

    draft = data.get("draft", False)
    if draft is None:
        draft = False
    if not isinstance(draft, bool):
        err("draft", *_not_true_or_false(draft))
        draft = False

    slug = data.get("slug")
    if slug is not None:
        slug = str(slug) if isinstance(slug, (str, int)) and not isinstance(slug, bool) else None
        if slug is None:
            err("slug", "slug must be text", "slug: bo-cong-an-so-ket")
        else:
            reason = unsafe_slug_reason(slug)
            if reason:
                example = shorten_slug(slugify(slug)) or "bai-viet-moi"
                err("slug", f"slug {_clip(slug)!r} {reason}",
                    f"A slug is one URL segment, e.g. slug: {example}")
            elif len(slug) > MAX_SLUG:
                err("slug", f"slug is {len(slug)} characters long, more than {MAX_SLUG}",
                    f"Shorten it, e.g. slug: {shorten_slug(slug)}")
    elif title_text:
        slug = shorten_slug(slugify(title_text))
        if not slug:
            err("title", "cannot make a slug from this title",
                "Add a slug made of letters a-z, digits and hyphens: slug: bai-viet-moi")

    if errors:
        return None, errors + warnings
    assert moment is not None and slug is not None
    meta = Meta(
        title=title_text,
        date=moment,
        slug=slug,
        tags=tags,
        category=texts["category"],
        author=texts["author"],
        summary=texts["summary"],
        image=texts["image"],
        image_alt=texts["image_alt"],
        image_caption=texts["image_caption"],
        draft=draft,
        updated=updated,
        related=related,
        extra=MappingProxyType(extra),
        lines=MappingProxyType(lines),
    )
    return meta, warnings


def shorten_slug(slug: str) -> str:
    """A slug cut at a hyphen to at most MAX_SLUG characters, so that it fits in a file name.

    >>> shorten_slug("cong-an-" * 20)[-12:], len(shorten_slug("cong-an-" * 20)) <= MAX_SLUG
    ('cong-an-cong', True)
    """
    if len(slug) <= MAX_SLUG:
        return slug
    cut = slug[: MAX_SLUG + 1]
    return (cut.rsplit("-", 1)[0] if "-" in cut else cut[:MAX_SLUG]).strip("-")


def _yaml_kind(value: Any) -> str:
    """What YAML made of an entry, in an editor's words."""
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, dict):
        return "a 'key: value' pair"
    if isinstance(value, (date, datetime)):
        return "a date"
    return "a list" if isinstance(value, list) else "something else"


_ENTRY_HINTS = {
    dict: "Put an entry holding ': ' in double quotes: ",
    bool: "Put a word YAML reads as true or false (yes, no, on, off) in double quotes: ",
    list: "Write one word or phrase per entry, without brackets inside: ",
}


def _clip(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _string_list(data: dict[str, Any], key: str, err: Any, example: str) -> tuple[str, ...]:
    value = data.get(key)
    if value is None:
        return ()
    if isinstance(value, str):
        parts = [p.strip() for p in value.split(",") if p.strip()]
        shown = "[" + ", ".join(f'"{p}"' for p in parts) + "]" if parts else example
        err(key, f"{key} must be a list, not the text {value!r}",
            f"Write a list in square brackets: {key}: {shown}")
        return ()
    if not isinstance(value, list):
        err(key, f"{key} must be a list of words or phrases", f"{key}: {example}")
        return ()
    for number, v in enumerate(value, 1):
        if v is None or (isinstance(v, str) and not v.strip()):  # "  -" with nothing after it
            err(key, f"{key} has an empty entry (entry {number} of {len(value)})",
                f"Delete the '-' line with nothing after it, or write the entry: {key}: {example}")
            return ()
        if not isinstance(v, (str, int, float)) or isinstance(v, bool):
            err(key, f"{key}: entry {number} is not a word or phrase but {_yaml_kind(v)}",
                _ENTRY_HINTS.get(type(v), "Write each entry as a word or phrase: ")
                + f"{key}: {example}")
            return ()
    items = [unicodedata.normalize("NFC", str(v).strip()) for v in value]
    return tuple(dict.fromkeys(items))
