"""Tags and categories: articles grouped by slug, named by their most common spelling."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Callable, Iterable

from .slug import slugify


def group_names(names_per_article: Iterable[Iterable[str]],
                sort_key: Callable[[str], object]) -> dict[str, str]:
    """Slug → display name. NFC/NFD and case variants of one tag share a slug and one name.

    >>> group_names([["Ma tuý"], ["ma tuý", "Công an"], ["ma tuý"]], str)
    {'ma-tuy': 'ma tuý', 'cong-an': 'Công an'}
    """
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    for names in names_per_article:
        for name in names:
            spellings[slugify(name)][name] += 1
    return {
        slug: min(counter, key=lambda name: (-counter[name], sort_key(name)))
        for slug, counter in spellings.items()
        if slug
    }
