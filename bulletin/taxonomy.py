"""Tags and categories: one term per spelling (NFC, any case), each with a unique slug."""

from __future__ import annotations

import functools
import hashlib
import unicodedata
from collections import Counter, defaultdict
from typing import Any, Callable, Iterable

from .slug import slugify


@functools.lru_cache(maxsize=1 << 16)  # a site has a few thousand tags, named again and again
def term_key(name: str) -> str:
    """Identity of a tag: NFC and NFD, upper and lower case spellings are one tag, and so are
    spellings that differ only in the spaces between words (a no-break space, pasted from a web
    page or Word, or two spaces) or in invisible characters (a zero-width space).

    >>> term_key("Ma Tuy\u0301") == term_key("ma tu\u00fd") == term_key(" ma\u00a0 tuý\u200b")
    True
    >>> term_key("İstanbul") == term_key("istanbul")  # casefold gives i and a dot above
    True
    """
    folded = unicodedata.normalize("NFC", name).translate(_INVISIBLE).casefold()
    return " ".join(folded.replace("i\u0307", "i").split())


# soft hyphen, zero-width space, non-joiner and joiner, word joiner, byte order mark
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"))


def stable_slug(key: str) -> str:
    """The slug of a term whose name makes none: the same for the same name, on every build.

    >>> stable_slug("中国")
    'the-5e6c7e5b1ca7'
    """
    return "the-" + hashlib.blake2b(key.encode("utf-8"), digest_size=6).hexdigest()


def name_terms(names_per_article: Iterable[Iterable[str]],
               sort_key: Callable[[str], Any]) -> dict[str, tuple[str, str]]:
    """term key → (display name, slug).

    The display name is the most common spelling. Different words that make the same slug
    ("bão" and "bạo") keep apart: the first in alphabetical order gets the plain slug, the
    others the first number no other term has. A name without a letter or digit a slug can
    hold ("中国", "!!!") takes "the-" and a hash of its name: its address stays when other
    such names come and go.

    >>> name_terms([["Ma tuý"], ["ma tuý", "bão"], ["ma tuý", "bạo"]], str)
    {'ma tuý': ('ma tuý', 'ma-tuy'), 'bão': ('bão', 'bao'), 'bạo': ('bạo', 'bao-2')}
    >>> terms = name_terms([["Thẻ", "bão", "bạo", "Bão 2", "中国"]], str)
    >>> {key: slug for key, (_, slug) in terms.items()}
    {'thẻ': 'the', 'bão': 'bao', 'bạo': 'bao-3', 'bão 2': 'bao-2', '中国': 'the-5e6c7e5b1ca7'}
    """
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    for names in names_per_article:
        for name in names:
            spellings[term_key(name)][unicodedata.normalize("NFC", name)] += 1
    named = {key: min(counter, key=lambda n: (-counter[n], sort_key(n)))
             for key, counter in spellings.items()}
    by_slug: dict[str, list[str]] = defaultdict(list)
    for key in named:
        by_slug[slugify(key)].append(key)
    result: dict[str, tuple[str, str]] = {}
    for slug, keys in by_slug.items():  # first the plain slugs, which no number may take
        if slug:
            first = min(keys, key=sort_key)
            result[first] = (named[first], slug)
    taken = {slug for _, slug in result.values()}
    for slug, keys in sorted(by_slug.items()):
        for key in sorted(keys, key=sort_key):
            if key in result:
                continue
            base, number = slug or stable_slug(key), 1
            while (base if number == 1 else f"{base}-{number}") in taken:
                number += 1
            result[key] = (named[key], base if number == 1 else f"{base}-{number}")
            taken.add(result[key][1])
    return {key: result[key] for key in named}


def look_alike(terms: Iterable[tuple[str, int]]) -> list[tuple[str, str]]:
    """(the rarer, the commoner) of each two terms whose names make one slug, given (name,
    articles) for every term: "Thoi su" beside "Thời sự" is most likely a slip, and it has a page
    of its own, "thoi-su-2". The rarer name goes first (on a tie, the later in code point order).

    >>> look_alike([("Thời sự", 40), ("Thoi su", 1), ("Kinh tế", 9)])
    [('Thoi su', 'Thời sự')]
    """
    by_slug: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for name, count in terms:
        plain = slugify(name)
        if plain:
            by_slug[plain].append((count, name))
    pairs = []
    for plain in sorted(by_slug):
        named = sorted(by_slug[plain], key=lambda item: (-item[0], item[1]))
        pairs += [(name, named[0][1]) for _, name in named[1:]]
    return pairs

