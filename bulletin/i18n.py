"""Language rules: Vietnamese alphabetical order, date display and the UI strings' defaults."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from .slug import LETTERS

# Vietnamese alphabet: a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y.
# Letters outside it (f, j, w, z) sort where Latin puts them.
_ALPHABET = "a ă â b c d đ e ê f g h i j k l m n o ô ơ p q r s t u ư v w x y z".split()
_RANK = {letter: i for i, letter in enumerate(_ALPHABET)}
# Tones in dictionary order: ngang, huyền, hỏi, ngã, sắc, nặng.
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}

UI_DEFAULTS_VI: dict[str, str] = {
    "home": "Trang chủ",
    "related": "Tin liên quan",
    "posted": "Đăng ngày",
    "updated": "Cập nhật",
    "tags": "Thẻ",
    "all_tags": "Tất cả các thẻ",
    "tag": "Thẻ",
    "category": "Chuyên mục",
    "categories": "Chuyên mục",
    "author": "Tác giả",
    "prev": "Trang trước",
    "next": "Trang sau",
    "page": "Trang",
    "page_of": "Trang {n}/{total}",
    "articles": "bài viết",
    "latest": "Tin mới nhất",
    "read_more": "Xem tiếp",
    "not_found_title": "Không tìm thấy trang",
    "not_found_text": "Trang bạn tìm không tồn tại hoặc đã được chuyển đi.",
    "back_home": "Về trang chủ",
    "skip_to_content": "Bỏ qua, đến nội dung chính",
    "draft": "Bản nháp",
    "scheduled": "Hẹn giờ đăng",
    "pagination": "Phân trang",
    "breadcrumb": "Đường dẫn",
    "main_nav": "Điều hướng chính",
    "search": "Tìm kiếm",
    "search_placeholder": "Tìm bài viết…",
    "search_hint": "Gõ từ cần tìm, có dấu hoặc không dấu, ví dụ: cong an.",
    "search_loading": "Đang tìm…",
    "search_count": "{n} bài viết có “{q}”",
    "search_none": "Không tìm thấy bài viết nào có “{q}”.",
    "search_more": "Xem thêm kết quả",
    "search_error": "Không tải được dữ liệu tìm kiếm. Hãy thử lại sau.",
    "search_noscript": "Tìm kiếm cần JavaScript. Bạn vẫn có thể xem tin theo chuyên mục và thẻ.",
}


class UIText(Mapping[str, str]):
    """The UI strings, read-only, as templates read them: ``t.home`` or ``t["home"]``.

    Each string is also an attribute, so Jinja finds ``t.home`` at its first try (on another
    mapping it looks for an attribute, fails, then takes the item). A name that the mapping
    itself has (``items``, ``get``…) stays the mapping's, as on any other mapping.

    >>> t = UIText({"home": "Trang chủ", "items": "mục"})
    >>> t.home, t["items"], t == {"home": "Trang chủ", "items": "mục"}
    ('Trang chủ', 'mục', True)
    """

    def __init__(self, strings: Mapping[str, str]) -> None:
        self._strings = dict(strings)
        for name, text in self._strings.items():
            if name.isidentifier() and not name.startswith("_") and not hasattr(UIText, name):
                self.__dict__[name] = text

    def __getitem__(self, name: str) -> str:
        return self._strings[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._strings)

    def __len__(self) -> int:
        return len(self._strings)

    def __repr__(self) -> str:
        return f"UIText({self._strings!r})"


def vietnamese_sort_key(text: str) -> tuple[tuple[int, ...], tuple[int, ...], str]:
    """Sort key for Vietnamese dictionary order: letters first, then tones, then the raw text.
    A space or a punctuation mark between words ends a word, so it comes before any letter: the
    syllable "an" before "anh".

    >>> sorted(["đường", "dương", "an", "ăn", "ân", "Bé"], key=vietnamese_sort_key)
    ['an', 'ăn', 'ân', 'Bé', 'dương', 'đường']
    >>> sorted(["Anh hùng", "An toàn", "An-ninh", "An ninh"], key=vietnamese_sort_key)
    ['An ninh', 'An-ninh', 'An toàn', 'Anh hùng']
    """
    letters: list[int] = []
    tones: list[int] = []
    for char in unicodedata.normalize("NFC", text).lower():
        parts = unicodedata.normalize("NFD", char)
        tone = 0
        base = ""
        for part in parts:
            if part in _TONES:
                tone = _TONES[part]
            else:
                base += part
        rank = _RANK.get(unicodedata.normalize("NFC", base))
        if rank is None:
            rank = -1 if unicodedata.category(base[:1] or " ")[0] in "ZP" else 1000 + ord(base[:1])
        letters.append(rank)
        tones.append(tone)
    return (tuple(letters), tuple(tones), text)


def direction(language: str) -> str:
    """How a language is written, as CLDR says: "rtl" for those written right to left, else
    "ltr" (also for a language Babel does not know).

    >>> direction("ar"), direction("he-IL"), direction("vi"), direction("sd-Deva"), direction("xx")
    ('rtl', 'rtl', 'ltr', 'ltr', 'ltr')
    >>> direction("ar-u-nu-latn"), direction("ar-Latn")
    ('rtl', 'ltr')
    """
    locale = _locale(language)
    written_in_latin = "latn" in _base_tag(language).lower().split("-")
    if locale is None or written_in_latin:  # Babel gives ar-Latn Arabic's direction
        return "ltr"
    return "rtl" if locale.text_direction == "rtl" else "ltr"


def casefold_sort_key(text: str) -> tuple[tuple[int, ...], tuple[int, ...], str]:
    """Sort key for languages without special rules: case-insensitive letter order, a letter with
    a mark beside its bare letter (é with e, ä with a, ł with l) and after it when they tie.

    >>> sorted(["Bahn", "ezra", "Ärger", "école", "Azur", "Łódź", "Lyon", "Zug"],
    ...        key=casefold_sort_key)
    ['Ärger', 'Azur', 'Bahn', 'école', 'ezra', 'Łódź', 'Lyon', 'Zug']
    """
    folded = unicodedata.normalize("NFKD", text).casefold()
    bare = "".join(c for c in folded if not unicodedata.combining(c)).translate(_BARE)
    return (tuple(ord(c) for c in bare), tuple(ord(c) for c in folded), text)


_BARE = str.maketrans(LETTERS)  # ß, ł…, sorted as the letters they are spelled with


def sort_key_for(language: str):  # type: ignore[no-untyped-def]
    """The collation key for a language code such as ``vi`` or ``en``.

    >>> [sort_key_for(code).__name__ for code in ("vi", "vi_VN", "VI-vn", "en")]
    ['vietnamese_sort_key', 'vietnamese_sort_key', 'vietnamese_sort_key', 'casefold_sort_key']
    """
    primary = _base_tag(language).lower().split("-")[0]
    return vietnamese_sort_key if primary == "vi" else casefold_sort_key


def format_date(moment: datetime, pattern: str, language: str = "vi") -> str:
    """A date shown to readers, in the site's pattern (default dd/mm/yyyy), with the names of
    months and days (%B, %b, %A, %a) in the site's language, from Babel's CLDR data: a month
    beside a day of the month in its "format" form (Polish "1 października"), alone in its
    "stand-alone" form ("październik 2026"). A language Babel does not know keeps Python's
    English names. Each directive goes to strftime alone, and the text around it never: on
    Windows, strftime before Python 3.14 cannot take letters outside the system's code page.

    >>> moment = datetime(2023, 9, 29, 8, 0)
    >>> format_date(moment, "%d/%m/%Y"), format_date(moment, "%Y")
    ('29/09/2023', '2023')
    >>> format_date(moment, "%A %d %B %Y", "fr"), format_date(moment, "%d %B, 100%%", "vi")
    ('vendredi 29 septembre 2023', '29 tháng 9, 100%')
    >>> format_date(moment, "%d %B %Y", "pl"), format_date(moment, "%B %Y", "pl")
    ('29 września 2023', 'wrzesień 2023')
    >>> format_date(moment, "%B %Y", "vi"), format_date(moment, "%Ey %Od", "vi")
    ('tháng 9 2023', '23 29')
    """
    if pattern == "%d/%m/%Y":  # the default, shown on every card: a few times faster than strftime
        return "%02d/%02d/%d" % (moment.day, moment.month, moment.year)  # noqa: UP031 - faster
    named = _NAMED.search(pattern) is not None
    if pattern.isascii() and not named:  # no names: strftime can do it alone
        return moment.strftime(pattern)
    names = _names(language, _DAY.search(pattern) is None) if named else None

    def one(found: re.Match[str]) -> str:
        code = found[2]
        if names is not None and not found[1] and code in names:
            return names[code][moment.month - 1 if code in "Bbh" else moment.weekday()]
        return moment.strftime(found[0])

    return DATE_DIRECTIVE.sub(one, pattern)


_NAMED = re.compile(r"%[aAbBh]")
_DAY = re.compile(r"%[-_0^#]*[de]")  # a day of the month: months are named in their format form
# "%%" is one literal "%"; %Ey, %Od (and %:z, where strftime knows it) take a modifier
DATE_DIRECTIVE = re.compile(r"%([-_0^#]*)([EO:]?.)", re.DOTALL)


@functools.lru_cache(maxsize=16)
def _names(language: str, alone: bool = False) -> dict[str, tuple[str, ...]] | None:
    """The names of the months (January first) and days (Monday first) in ``language``, by the
    strftime directive that shows them (``alone``: months in their stand-alone form); None for a
    language Babel does not know."""
    locale = _locale(language)
    if locale is None:
        return None
    from babel.dates import get_day_names, get_month_names

    wide = get_month_names("wide", "format", locale)
    abbreviated = get_month_names("abbreviated", "format", locale)
    months = tuple(wide[n] for n in range(1, 13))
    short = tuple(abbreviated[n] for n in range(1, 13))
    if alone:  # a stand-alone name that is more than the format one with a capital
        alone_wide = get_month_names("wide", "stand-alone", locale)
        alone_abbreviated = get_month_names("abbreviated", "stand-alone", locale)
        months = tuple(_other(months[n - 1], alone_wide[n]) for n in range(1, 13))
        short = tuple(_other(short[n - 1], alone_abbreviated[n]) for n in range(1, 13))
    days = get_day_names("wide", "format", locale)
    short_days = get_day_names("abbreviated", "format", locale)
    return {"B": months, "b": short, "h": short,
            "A": tuple(days[n] for n in range(7)), "a": tuple(short_days[n] for n in range(7))}


def known_language(language: str) -> bool:
    """Whether ``language`` is a code Babel knows (its month names, its direction).

    >>> known_language("vi"), known_language("pt-BR"), known_language("vn")
    (True, True, False)
    """
    return _locale(language) is not None


def _base_tag(language: str) -> str:
    """A language tag without its extensions, "-" between its parts: ``ar-u-nu-latn`` → ``ar``."""
    return re.split(r"-[uxUX]-", language.replace("_", "-"), maxsplit=1)[0]


def _other(format_name: str, alone: str) -> str:
    """The stand-alone name of a month, unless it differs from its format name only in case
    (Vietnamese "Tháng 9" for "tháng 9": the pattern's own words say where a capital goes)."""
    return format_name if alone.casefold() == format_name.casefold() else alone


@functools.lru_cache(maxsize=16)
def _locale(language: str) -> Any:
    """Babel's locale for a language code (``vi``, ``pt-BR``, ``zh-Hant``, ``ar-u-nu-latn``: its
    extensions left out); None if unknown."""
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(_base_tag(language).replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        return None
