"""Language rules: Vietnamese alphabetical order, date display and the UI strings' defaults."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator, Mapping
from datetime import datetime

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


def casefold_sort_key(text: str) -> tuple[tuple[int, ...], tuple[int, ...], str]:
    """Sort key for languages without special rules: case-insensitive code-point order."""
    folded = unicodedata.normalize("NFKD", text).casefold()
    return (tuple(ord(c) for c in folded), (), text)


def sort_key_for(language: str):  # type: ignore[no-untyped-def]
    """The collation key for a language code such as ``vi`` or ``en``."""
    return vietnamese_sort_key if language.split("-")[0] == "vi" else casefold_sort_key


def format_date(moment: datetime, pattern: str) -> str:
    """A date shown to readers, in the site's pattern (default dd/mm/yyyy).

    >>> moment = datetime(2023, 9, 29, 8, 0)
    >>> format_date(moment, "%d/%m/%Y"), format_date(moment, "%Y")
    ('29/09/2023', '2023')
    """
    if pattern == "%d/%m/%Y":  # the default, shown on every card: a few times faster than strftime
        return "%02d/%02d/%d" % (moment.day, moment.month, moment.year)  # noqa: UP031 - faster
    return moment.strftime(pattern)
