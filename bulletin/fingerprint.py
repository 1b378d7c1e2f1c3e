"""Stable digests of build values, so a page is re-rendered only when what it shows has changed."""

from __future__ import annotations

import dataclasses
import hashlib
from datetime import date, datetime
from pathlib import PurePath
from typing import Any, Mapping

from .models import Article


Memo = dict[int, tuple[Any, bytes]]


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


def _feed(hasher: Any, value: Any, memo: Memo) -> None:
    update = hasher.update
    if value is None or isinstance(value, (bool, int, float)):
        update(f"{type(value).__name__}:{value!r};".encode())
    elif isinstance(value, str):
        update(b"s" + str(len(value)).encode() + b":" + value.encode("utf-8", "surrogatepass"))
    elif isinstance(value, (datetime, date)):
        update(b"t:" + value.isoformat().encode() + b";")
    elif isinstance(value, PurePath):
        update(b"p:" + str(value).encode("utf-8", "surrogatepass") + b";")
    elif isinstance(value, Article) and value.digest:
        update(b"d:" + value.digest.encode() + b";")
    else:
        entry = memo.get(id(value))
        if entry is None:
            inner = hashlib.blake2b(digest_size=16)
            _feed_composite(inner, value, memo)
            entry = memo[id(value)] = (value, inner.digest())
        update(b"o:" + entry[1])


def _feed_composite(hasher: Any, value: Any, memo: Memo) -> None:
    """Containers and dataclasses, hashed once per object (the caller memoises by identity)."""
    update = hasher.update
    if isinstance(value, (list, tuple)):
        update(b"[" + str(len(value)).encode() + b":")
        for item in value:
            _feed(hasher, item, memo)
        update(b"]")
    elif isinstance(value, Mapping):
        # Insertion order, not sorted: every mapping here is built in a deterministic order, and
        # a different order can only cost a re-render, never a stale page.
        update(b"{" + str(len(value)).encode() + b":")
        for key, item in value.items():
            _feed(hasher, key, memo)
            _feed(hasher, item, memo)
        update(b"}")
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        update(type(value).__name__.encode())
        for item in dataclasses.fields(value):
            if item.compare:
                update(item.name.encode() + b"=")
                _feed(hasher, getattr(value, item.name), memo)
    elif isinstance(value, (set, frozenset)):
        _feed(hasher, sorted(value, key=repr), memo)
    else:
        update(b"r:" + repr(value).encode("utf-8", "surrogatepass") + b";")
