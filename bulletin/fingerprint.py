"""Stable digests of build values, so a page is re-rendered only when what it shows has changed."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
from collections import abc
from datetime import date, datetime
from pathlib import PurePath
from typing import Any

from .models import Article

Memo = dict[int, tuple[Any, bytes]]
SMALL = 4  # a tuple of this many items or fewer is hashed where it is met, not remembered


def fingerprint(value: Any, memo: Memo | None = None) -> str:
    """A hex digest of a value made of dataclasses, mappings, sequences and scalars.

    An Article stands for itself by its ``digest``. ``memo`` remembers the digests of containers
    and dataclass objects by identity (holding a reference, so an identity is never reused while
    the memo lives): pass one dict to many calls over shared objects, such as page contexts.

    >>> fingerprint({"a": (1, "x")}) == fingerprint({"a": (1, "x")})
    True
    >>> fingerprint(1) == fingerprint("1")
    False
    """
    hasher = hashlib.blake2b(digest_size=16)
    _feed(hasher, value, {} if memo is None else memo)
    return hasher.hexdigest()


def fingerprint_new(value: tuple[Any, ...] | list[Any] | abc.Mapping[Any, Any],
                    memo: Memo, *labels: str) -> str:
    """``fingerprint`` of ``labels`` and a container made for this call alone, such as a page's
    own context: the container is hashed inline rather than remembered (its parts are, as usual),
    which is faster and keeps the memo small. Its digest differs from ``fingerprint``'s.

    >>> fingerprint_new({"a": (1, "x")}, {}, "p") == fingerprint_new({"a": (1, "x")}, {}, "p")
    True
    >>> fingerprint_new({"a": 1}, {}, "p") == fingerprint_new({"a": 1}, {}, "q")
    False
    """
    hasher = hashlib.blake2b(digest_size=16)
    for label in labels:
        _feed(hasher, label, memo)
    _feed_composite(hasher, value, memo)
    return hasher.hexdigest()


def digest_of(value: Any, memo: Memo) -> bytes:
    """The digest (16 bytes) that stands for a container or dataclass object wherever it is
    met, remembered in ``memo`` by identity (see fingerprint)."""
    entry = memo.get(id(value))
    if entry is None:
        inner = hashlib.blake2b(digest_size=16)
        _feed_composite(inner, value, memo)
        entry = memo[id(value)] = (value, inner.digest())
    return entry[1]


def _feed(hasher: Any, value: Any, memo: Memo) -> None:
    kind = type(value)
    if kind is str:  # the common cases first, by exact type; the same bytes as the general ones
        hasher.update(b"s%d:" % len(value) + value.encode("utf-8", "surrogatepass"))
    elif kind is Article and value.digest:
        hasher.update(b"d:" + value.digest.encode() + b";")
    elif value is None or kind is bool or kind is int or kind is float:
        hasher.update(f"{kind.__name__}:{value!r};".encode())
    elif isinstance(value, (bool, int, float)):
        hasher.update(f"{kind.__name__}:{value!r};".encode())
    elif isinstance(value, str):
        hasher.update(b"s%d:" % len(value) + value.encode("utf-8", "surrogatepass"))
    elif isinstance(value, (datetime, date)):
        hasher.update(b"t:" + value.isoformat().encode() + b";")
    elif isinstance(value, PurePath):
        hasher.update(b"p:" + str(value).encode("utf-8", "surrogatepass") + b";")
    elif isinstance(value, Article) and value.digest:
        hasher.update(b"d:" + value.digest.encode() + b";")
    elif kind is tuple and _articles(value):  # a page's own list of articles: inline
        hasher.update(b"A%d:" % len(value) + ";".join([a.digest for a in value]).encode() + b";")
    elif kind is tuple and len(value) <= SMALL:  # inline: cheaper than remembering it
        hasher.update(b"i")
        _feed_composite(hasher, value, memo)
    else:
        hasher.update(b"o:" + digest_of(value, memo))


def _feed_composite(hasher: Any, value: Any, memo: Memo) -> None:
    """Containers and dataclasses, hashed once per object (the caller memoises by identity)."""
    update = hasher.update
    kind = type(value)
    if kind is tuple or kind is list or isinstance(value, (list, tuple)):
        update(b"[%d:" % len(value))
        for item in value:
            if type(item) is Article and item.digest:  # a list of articles: inline, for speed
                update(b"d:" + item.digest.encode() + b";")
            else:
                _feed(hasher, item, memo)
        update(b"]")
    elif kind is dict or isinstance(value, abc.Mapping):
        # Insertion order, not sorted: every mapping here is built in a deterministic order, and
        # a different order can only cost a re-render, never a stale page.
        update(b"{%d:" % len(value))
        for key, item in value.items():
            if type(key) is str:
                update(b"s%d:" % len(key) + key.encode("utf-8", "surrogatepass"))
            else:
                _feed(hasher, key, memo)
            _feed(hasher, item, memo)
        update(b"}")
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        name, fields = _fields(type(value))
        update(name)
        for field, label in fields:
            update(label)
            _feed(hasher, getattr(value, field), memo)
    elif isinstance(value, (set, frozenset)):
        _feed(hasher, sorted(value, key=repr), memo)
    else:
        update(b"r:" + repr(value).encode("utf-8", "surrogatepass") + b";")


def _articles(value: tuple[Any, ...]) -> bool:
    """Whether ``value`` holds nothing but articles that have a digest (then it is hashed by
    theirs, inline: cheaper than remembering the tuple, which is seldom shared)."""
    for item in value:
        if type(item) is not Article or not item.digest:
            return False
    return True


@functools.cache
def _fields(kind: type) -> tuple[bytes, tuple[tuple[str, bytes], ...]]:
    """A dataclass's name and the fields that take part in comparisons, with their labels."""
    return kind.__name__.encode(), tuple((item.name, item.name.encode() + b"=")
                                         for item in dataclasses.fields(kind) if item.compare)
