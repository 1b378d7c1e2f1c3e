"""Slugs: the URL-safe names of articles, tags and categories, made the Vietnamese way."""

from __future__ import annotations

import functools
import re
import unicodedata

# Letters that are no Latin letter with a mark, by the letters they are spelled with: slugs,
# search (search.py, and search.js, which repeats them) and sorting (i18n) read them so.
LETTERS = {"đ": "d", "ð": "d", "ł": "l", "ø": "o", "æ": "ae", "œ": "oe", "ß": "ss", "ı": "i"}
# ... and their capitals (ẞ for ß; I is the capital of i, not of ı)
CAPITALS = {"Đ": "d", "Ð": "d", "Ł": "l", "Ø": "o", "Æ": "ae", "Œ": "oe", "ẞ": "ss"}
_SPECIAL = str.maketrans({**LETTERS, **CAPITALS})
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


@functools.lru_cache(maxsize=1 << 16)  # tags and categories repeat across thousands of articles
def slugify(text: str) -> str:
    """Lower-case ASCII words joined by hyphens; tone marks dropped and đ/Đ mapped to d.

    >>> slugify("Bộ Công an sơ kết công tác quý III")
    'bo-cong-an-so-ket-cong-tac-quy-iii'
    >>> slugify("Đề án 06/CP")
    'de-an-06-cp'
    >>> slugify("Diyarbakır, Ðà, ẞ")
    'diyarbakir-da-ss'
    """
    decomposed = unicodedata.normalize("NFKD", text.translate(_SPECIAL))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NOT_SLUG.sub("-", bare.lower()).strip("-")


_PLAIN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")  # what slugify() gives back unchanged


def unsafe_slug_reason(slug: str) -> str | None:
    """Why a slug an editor wrote cannot be used as one URL segment, or None if it can."""
    if _PLAIN.fullmatch(slug):  # the usual case, without slugify()'s Unicode work
        return None
    if "\x00" in slug:
        return "contains a NUL character"
    if slug.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", slug):
        return "is an absolute path"
    if ".." in slug:
        return "contains '..'"
    if "/" in slug or "\\" in slug:
        return "contains a path separator ('/' or '\\')"
    if not slug.strip():
        return "is empty"
    if slugify(slug) != slug:
        return "is not a plain slug (lower-case letters a-z, digits and hyphens)"
    return None
