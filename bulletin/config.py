"""Site configuration: site.toml read once into a frozen Config, with Vietnamese defaults."""

from __future__ import annotations

import codecs
import re
import string
import tomllib
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import SourceError, display_path, not_utf8
from .i18n import DATE_DIRECTIVE, UI_DEFAULTS_VI, UIText, known_language


DEFAULT_BASE_URL = "http://localhost:8000/"
DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
SITEMAP_MAX_URLS = 50_000  # the sitemaps.org limit per file
# OpenGraph wants language_TERRITORY; a bare language code gets its usual territory.
_TERRITORY = {"vi": "VN", "en": "US", "fr": "FR", "de": "DE", "ja": "JP", "ko": "KR", "zh": "CN",
              "km": "KH", "lo": "LA", "th": "TH", "ru": "RU", "es": "ES"}


@dataclass(frozen=True, slots=True)
class Permalinks:
    """URL patterns. ``{slug}``, ``{year}``, ``{month}``, ``{day}`` and ``{category}`` may appear."""

    article: str = "/tin/{slug}/"
    tag: str = "/the/{slug}/"
    tags_index: str = "/the/"
    category: str = "/chuyen-muc/{slug}/"
    page: str = "page/{n}/"
    # Feeds sit below a list's first page (the home page, a tag, a category), like ``page``.
    feed: str = "feed.xml"
    atom: str = "atom.xml"
    sitemap: str = "/sitemap.xml"
    sitemap_part: str = "/sitemap-{n}.xml"
    news_sitemap: str = "/sitemap-news.xml"
    news_sitemap_part: str = "/sitemap-news-{n}.xml"
    search: str = "/tim-kiem/"


@dataclass(frozen=True, slots=True)
class Config:
    title: str = "Bản tin"
    description: str = ""
    base_url: str = DEFAULT_BASE_URL
    language: str = "vi"
    timezone: str = DEFAULT_TIMEZONE
    author: str = ""
    page_size: int = 20
    related_count: int = 5
    summary_length: int = 220
    date_format: str = "%d/%m/%Y"
    trust_html: bool = False
    feed_items: int = 20
    feed_full_content: bool = False
    logo: str = "img/logo.png"
    twitter_site: str = ""
    news_sitemap_days: int = 2
    sitemap_max_urls: int = SITEMAP_MAX_URLS
    permalinks: Permalinks = field(default_factory=Permalinks)
    ui: Mapping[str, str] = field(default_factory=lambda: UIText(UI_DEFAULTS_VI))
    extra: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    source: str = ""
    warnings: tuple[SourceError, ...] = ()  # what the build prints about the file, and goes on

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def base_path(self) -> str:
        """The path part of base_url without its trailing slash: '' at a root, '/ban-tin' below."""
        return urlsplit(self.base_url).path.rstrip("/")

    @property
    def locale(self) -> str:
        """The OpenGraph locale for the language: ``vi`` → ``vi_VN``, ``en-GB`` → ``en_GB``.

        >>> [Config(language=code).locale for code in ("vi", "en-gb", "eo")]
        ['vi_VN', 'en_GB', 'eo']
        """
        language, _, territory = self.language.replace("_", "-").partition("-")
        territory = territory.upper() or _TERRITORY.get(language.lower(), "")
        return f"{language.lower()}_{territory}" if territory else language.lower()

    @property
    def origin(self) -> str:
        parts = urlsplit(self.base_url)
        return f"{parts.scheme}://{parts.netloc}"


_KNOWN = {
    "title": str, "description": str, "base_url": str, "language": str, "timezone": str,
    "author": str, "page_size": int, "related_count": int, "summary_length": int,
    "date_format": str, "trust_html": bool, "feed_items": int, "feed_full_content": bool,
    "logo": str, "twitter_site": str, "news_sitemap_days": int, "sitemap_max_urls": int,
}
# Permalinks that name one file each; the ``*_part`` ones number the files of a split sitemap.
_FILE_LINKS = ("feed", "atom", "sitemap", "sitemap_part", "news_sitemap", "news_sitemap_part")


def with_base_url(config: Config, base_url: str) -> Config:
    """The same settings served from another address, e.g. a local preview.

    >>> with_base_url(Config(), "http://127.0.0.1:8000/ban-tin").base_path
    '/ban-tin'
    """
    from .errors import UsageError

    if not _absolute_http(base_url):
        raise UsageError(f"base URL must be an absolute http(s) URL, not {base_url!r}",
                         "For example http://127.0.0.1:8000/")
    return replace(config, base_url=base_url if base_url.endswith("/") else base_url + "/")


def _absolute_http(url: object) -> bool:
    """Whether ``url`` is an absolute http(s) address that Python can read (``http://[x/``,
    a bracket around no IPv6 address, it cannot)."""
    if not isinstance(url, str) or any(char in url for char in "\t\r\n "):
        return False  # urlsplit drops tabs and line breaks without a word
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is no number
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def load_config(path: Path) -> Config:
    """Read site.toml; a missing file gives the defaults. Raises BuildFailed-ready SourceErrors."""
    from .errors import BuildFailed

    shown = display_path(path)
    if not path.exists():
        return Config(source=shown)
    if path.is_dir():
        from .errors import UsageError

        raise UsageError(f"{shown} is a folder, not a settings file",
                         "Pass the site's settings file, e.g. --config site.toml")
    data = path.read_bytes()
    try:
        text = data.removeprefix(codecs.BOM_UTF8).decode("utf-8")
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # "Invalid value (at line 3, column 9)": the line goes before the message, as for
        # every error, the column stays
        found = re.search(r" \(at line (\d+), column (\d+)\)", str(exc))
        line = getattr(exc, "lineno", None) or (int(found.group(1)) if found else None)
        said = (str(exc)[:found.start()] + f" (column {found.group(2)})" if found and line
                else str(exc))
        raise BuildFailed((SourceError(shown, line, f"site.toml is not valid TOML: {said}",
                                       'Values are written key = "text" or key = 20.'),)) from None
    except UnicodeDecodeError as exc:
        raise BuildFailed((not_utf8(shown, data.removeprefix(codecs.BOM_UTF8), exc),)) from None
    errors: list[SourceError] = []
    where = _key_lines(text)
    given = set(raw)

    def error(key: str, message: str, hint: str, table: str = "") -> None:
        errors.append(SourceError(shown, where.get((table, key)), message, hint))

    values: dict[str, Any] = {}
    for key, kind in _KNOWN.items():
        if key in raw:
            value = raw.pop(key)
            if kind is int and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
                error(key, f"{key} must be a positive whole number", f"{key} = 20")
            elif kind is int and value > _LARGEST.get(key, _LARGEST_NUMBER):
                largest = _LARGEST.get(key, _LARGEST_NUMBER)
                error(key, f"{key} may be at most {largest:,}{_WHY_LARGEST.get(key, '')}",
                      f"{key} = {min(largest, getattr(Config(), key))}")
            elif kind is not int and not isinstance(value, kind):
                error(key, f"{key} must be {_KIND_NAMES[kind]}, not {_toml(value)}",
                      f'{key} = "..."' if kind is str else f"{key} = true")
            elif isinstance(value, str) and (control := _control(value)):
                error(key, f"{key} holds the invisible control character {control}, which "
                      "pages and feeds cannot carry", "Delete it from the text (retype the "
                      "value if it came from a copy).")
            else:
                values[key] = value
    permalinks = raw.pop("permalinks", {})
    ui = raw.pop("ui", {})
    if not isinstance(permalinks, dict) or not all(isinstance(v, str) for v in permalinks.values()):
        error("permalinks", "[permalinks] must hold text patterns", 'article = "/tin/{slug}/"')
        permalinks = {}
    unknown = set(permalinks) - set(Permalinks.__dataclass_fields__)
    if unknown:
        error(min(unknown), f"unknown permalink(s): {', '.join(sorted(unknown))}",
              "Known: " + ", ".join(Permalinks.__dataclass_fields__), "permalinks")
    if "{slug}" not in permalinks.get("article", "{slug}"):
        error("article", "the article permalink must contain {slug}", 'article = "/tin/{slug}/"',
              "permalinks")
    for key, pattern in permalinks.items():
        problem = _link_problem(pattern) or \
            (_file_link_problem(key, pattern) if key in _FILE_LINKS else None)
        if problem and key in Permalinks.__dataclass_fields__:
            error(key, f"the {key} permalink {problem}",
                  f'{key} = "{getattr(Permalinks(), key)}"', "permalinks")
    if not isinstance(ui, dict) or not all(isinstance(v, str) for v in ui.values()):
        error("ui", "[ui] must hold text strings", 'related = "Tin liên quan"')
        ui = {}
    for key, value in ui.items():
        problem = _placeholder_problem(value, UI_DEFAULTS_VI.get(key, ""))
        if problem:
            error(key, f"[ui] {key} {problem}", f'{key} = "{UI_DEFAULTS_VI[key]}"', "ui")
        elif control := _control(value):
            error(key, f"[ui] {key} holds the invisible control character {control}, which "
                  "pages cannot carry", "Delete it from the text.", "ui")
    pattern = values.get("date_format")
    problem = _date_format_problem(pattern) if pattern is not None else None
    if problem:
        error("date_format", f"date_format {problem}",
              'date_format = "%d/%m/%Y" shows 29/09/2023: %d day, %m month, %Y year, '
              '%H:%M the time, %A and %B the day and month by name')
    tz = values.get("timezone", DEFAULT_TIMEZONE)
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        error("timezone", f"unknown timezone {tz!r}", 'timezone = "Asia/Ho_Chi_Minh"')
    base_url = values.get("base_url", DEFAULT_BASE_URL)
    if not _absolute_http(base_url):
        error("base_url", f"base_url must be an absolute http(s) URL, not {base_url!r}",
              'base_url = "https://example.gov.vn/ban-tin/"')
    elif not base_url.endswith("/"):
        values["base_url"] = base_url + "/"
    if errors:
        raise BuildFailed(tuple(errors))
    notes = [SourceError(shown, where.get((table, key)),
                         f"unknown key '{key}'{' in [' + table + ']' if table else ''}: "
                         f"did you mean '{meant}'?", f"Rename it to '{meant}' if that is meant.",
                         warning=True)
             for table, key, meant in _misspelt(given, raw, ui)]
    language = values.get("language", "vi")
    if not known_language(language):
        notes.append(SourceError(
            shown, where.get(("", "language")), f"language {language!r} is not a language code "
            "the build knows: pages declare it to browsers and search engines as it is, lists "
            "are not in Vietnamese alphabetical order, months and days are named in English and "
            "pages are written left to right", 'Use a code such as language = "vi", "en" or '
            '"fr-FR".',
            warning=True))
    strings = dict(UI_DEFAULTS_VI)
    strings.update(ui)
    return Config(
        **values,
        permalinks=Permalinks(**permalinks),
        ui=UIText(strings),
        extra=MappingProxyType(raw),
        source=shown,
        warnings=tuple(notes),
    )


_KIND_NAMES = {str: "text in quotes", bool: "true or false, without quotes"}
# What XML 1.0 cannot carry (feeds, sitemaps), nor an HTML page show: C0 controls but the tab
# and line ends, DEL, and the two non-characters of the basic plane.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
# A moment every directive shows as something else than itself (%z, %Z: an aware one)
_SAMPLE = datetime(2000, 1, 2, 3, 4, 5, 6, tzinfo=UTC)


def _toml(value: object) -> str:
    """A value as site.toml writes it (true, 2026, "text"), or what it is (a date, a list)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, (date, datetime)):
        return f"the date {value.isoformat()}"
    if isinstance(value, time):
        return f"the time {value.isoformat()}"
    return "a list" if isinstance(value, list) else "a table"


def _control(text: str) -> str | None:
    """The first control character in ``text``, named (U+0001), or None."""
    found = _CONTROL.search(text)
    return f"U+{ord(found.group()):04X}" if found else None


def _date_format_problem(pattern: str) -> str | None:
    """What is wrong with a date_format, or None.

    >>> _date_format_problem("%d/%m/%Y %Q")
    'has %Q, which is not a date or time directive'
    >>> _date_format_problem("dd/mm/yyyy")
    'shows no date: it has no directive such as %d, %m or %Y'
    >>> _date_format_problem("%-d tháng %-m, %Y lúc %H:%M"), _date_format_problem("%Ey %Od")
    (None, None)
    """
    codes = []
    for found in DATE_DIRECTIVE.finditer(pattern):
        codes.append(found[2])
        try:
            shown = _SAMPLE.strftime(found[0])
        except ValueError:  # Windows: a directive its C library does not know
            shown = found[0]
        if found[2] != "%" and shown in (found[0], ""):  # given back as written, or nothing
            return f"has {found[0]}, which is not a date or time directive"
    if pattern.replace("%%", "").endswith("%"):
        return "ends with a lone %: write %% for a percent sign"
    if all(code == "%" for code in codes):
        return "shows no date: it has no directive such as %d, %m or %Y"
    return None


def _misspelt(given: set[str], extra: Mapping[str, Any],
              ui: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """(table, key, the known key it resembles) for each unknown key that looks like a
    misspelling of a known one the file does not set (``given``: its top-level names). Other
    unknown keys are legal: top-level ones reach templates as site.extra, [ui] ones as ui.<key>.

    >>> _misspelt({"base_ulr", "title"}, {"base_ulr": "x"}, {"relatd": "Tin"})
    [('', 'base_ulr', 'base_url'), ('ui', 'relatd', 'related')]
    >>> _misspelt({"base_url", "base_ulr"}, {"base_ulr": "x"}, {"related": "Tin", "relatd": "x"})
    []
    """
    found = []
    for table, keys, known, present in (("", extra, [*_KNOWN, "permalinks", "ui"], given),
                                        ("ui", ui, list(UI_DEFAULTS_VI), set(ui))):
        for key in keys:
            meant = _slip_of(key.lower(), known)
            if meant is not None and meant not in present:
                found.append((table, key, meant))
    return found


def _slip_of(key: str, known: list[str]) -> str | None:
    """The known name ``key`` is a slip of the keyboard for: one or two letters left out, added,
    changed or swapped (one in a name of five letters or fewer). A name that holds a known one
    whole with three letters or more added (subtitle, author_url, posted_by) is a name of its
    own, as are names further off
    (time_format beside date_format).

    >>> _slip_of("base_ulr", ["base_url", "title"]), _slip_of("tilte", ["title"])
    ('base_url', 'title')
    >>> _slip_of("title", ["title"]), _slip_of("base_urls", ["base_url"])  # Title, base_urls
    ('title', 'base_url')
    >>> _slip_of("subtitle", ["title"]), _slip_of("time_format", ["date_format"])
    (None, None)
    """
    for name in known:
        if key == name:  # written in capitals (Title): keys are read as written
            return name
        if (name in key or key in name) and abs(len(key) - len(name)) >= 3:
            continue
        if _distance(key, name, 2) <= (1 if len(name) <= 5 else 2):
            return name
    return None


def _distance(a: str, b: str, most: int) -> int:
    """The edit distance of ``a`` and ``b`` (letters left out, added, changed, or two side by
    side swapped), or ``most + 1`` when it is more than ``most``."""
    if abs(len(a) - len(b)) > most:
        return most + 1
    before: list[int] | None = None
    row = list(range(len(b) + 1))
    for i, letter in enumerate(a, 1):
        now = [i] + [0] * len(b)
        for j, other in enumerate(b, 1):
            now[j] = min(row[j] + 1, now[j - 1] + 1, row[j - 1] + (letter != other))
            if before is not None and i > 1 and j > 1 and letter == b[j - 2] and a[i - 2] == other:
                now[j] = min(now[j], before[j - 2] + 1)
        before, row = row, now
        if min(row) > most:
            return most + 1
    return min(row[-1], most + 1)


_LARGEST_NUMBER = 1_000_000  # for any number in site.toml: more is a slip of the keyboard
_LARGEST = {"sitemap_max_urls": SITEMAP_MAX_URLS, "news_sitemap_days": 36_500}
_WHY_LARGEST = {"sitemap_max_urls": " (the sitemaps.org limit)",
                "news_sitemap_days": " (a hundred years)"}


def _key_lines(text: str) -> dict[tuple[str, str], int]:
    """The line of each key of site.toml, by (table, key); the top table is "", and a table's
    own line is (table, ""). Good enough for the errors' places: multi-line strings may fool it.

    >>> _key_lines('title = "A"\\n\\n[permalinks]\\narticle = "/tin/{slug}/"\\n')
    {('', 'title'): 1, ('permalinks', ''): 3, ('', 'permalinks'): 3, ('permalinks', 'article'): 4}
    """
    lines: dict[tuple[str, str], int] = {}
    table = ""
    for number, line in enumerate(text.splitlines(), 1):
        found = re.match(r"\s*\[\s*([\w.-]+)\s*\]", line)
        if found:
            table = found.group(1)
            lines.setdefault((table, ""), number)
            lines.setdefault(("", table), number)  # where a table as a whole is wrong
            continue
        found = re.match(r"""\s*["']?([\w-]+)["']?\s*=""", line)
        if found:
            lines.setdefault((table, found.group(1)), number)
    return lines


def _link_problem(pattern: str) -> str | None:
    """Why a permalink pattern cannot be a path of this site, or None.

    >>> _link_problem("/tin/{slug}/"), _link_problem("/../{slug}/")
    (None, "'/../{slug}/' climbs out of the output folder (a '..' part)")
    """
    if "://" in pattern or pattern.startswith("//"):
        return f"{pattern!r} is a full address, not a path of the site"
    if any(part in (".", "..") for part in pattern.split("/")):
        return f"{pattern!r} climbs out of the output folder (a '..' part)" if ".." in \
            pattern.split("/") else f"{pattern!r} holds a '.' part"
    if "\\" in pattern:
        return f"{pattern!r} holds a backslash: paths are written with /"
    return None


def _placeholder_problem(text: str, default: str) -> str | None:
    """Why a [ui] string cannot stand for ``default``, whose {…} placeholders the theme fills
    in, or None. Strings without placeholders are shown as they are.

    >>> _placeholder_problem("Page {n} of {total}", "Trang {n}/{total}") is None
    True
    >>> _placeholder_problem("Page {page}", "Trang {n}/{total}")
    'holds {page}, which is not filled in: use {n} and {total}'
    """
    wanted = _placeholders(default)
    if not wanted:
        return None
    try:
        used = _placeholders(text)
    except ValueError:
        return "has a { or } without its pair: write {{ or }} for the sign itself"
    unknown = sorted(used - wanted)
    if unknown:
        return ("holds " + ", ".join(f"{{{name}}}" for name in unknown) +
                f", which {'is' if len(unknown) == 1 else 'are'} not filled in: use " +
                " and ".join(f"{{{name}}}" for name in
                             sorted(wanted, key=lambda name: default.index(f"{{{name}"))))
    return None


def _placeholders(text: str) -> set[str]:
    """The names of the {…} fields of a str.format string; raises ValueError on a bad one."""
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


def _file_link_problem(key: str, pattern: str) -> str | None:
    """Why a feed or sitemap permalink cannot work, or None.

    >>> _file_link_problem("feed", "rss/"), _file_link_problem("sitemap_part", "/sitemap.xml")
    ("must name a file, not 'rss/'", "'/sitemap.xml' must contain {n}")
    """
    if pattern.endswith("/") or "." not in pattern.rsplit("/", 1)[-1]:
        return f"must name a file, not {pattern!r}"
    numbered = key.endswith("_part")
    if numbered and "{n}" not in pattern:
        return f"{pattern!r} must contain {{n}}"
    rest = pattern.replace("{n}", "") if numbered else pattern
    if "{" in rest or "}" in rest:
        return f"{pattern!r} may hold no {{…}}" + (" but {n}" if numbered else "")
    return None


def static_warnings(config: Config, static: Path) -> list[SourceError]:
    """A warning when the static folder is missing (a mistyped --static, or a build run from
    another folder: every page would lack the theme's styles and scripts), or else when the logo
    names a file that it does not hold."""
    if not static.is_dir():
        return [SourceError(display_path(static), None, "static folder not found: the pages will "
                            "link styles, scripts and a logo that no file provides",
                            "Run the build from the site's folder, or pass --static DIR (this "
                            "project's static/ holds the default theme's files).", warning=True)]
    if "://" in config.logo or (static / config.logo.lstrip("/")).is_file():
        return []
    return [SourceError(config.source, None,
                        f"logo {config.logo!r} is not in {display_path(static)}/",
                        "Put the file there, or set logo to its path there or to an absolute URL; "
                        "shared links show it for articles without a photo.", warning=True)]
