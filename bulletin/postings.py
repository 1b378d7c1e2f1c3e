"""Posting lists of the search index as short strings, written and read many at a time with numpy.

A posting list is the numbers gap, count, gap, count, ...: each article id (oldest article = 0) as
the gap from the one before, then the weighted count of the term in it. Each number is written in
base 32, most significant digit first, with the 64 characters of base64url (A-Z a-z 0-9 - _): the
last digit of a number is one of the first 32 (A-Z a-f), the digits before it one of the other 32
(g-z 0-9 - _), so numbers need no separator: "D" is 3, "hE" is 1 * 32 + 4 = 36. That is about
half the size of a JSON list of numbers, and plain ASCII with nothing to escape.
static/js/search.js reads it back.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Ints = npt.NDArray[np.int64]
Bytes = npt.NDArray[np.uint8]

ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_LAST = np.frombuffer(ALPHABET[:32], dtype=np.uint8)
_MORE = np.frombuffer(ALPHABET[32:], dtype=np.uint8)
_DIGITS = 7  # enough for any number below 2**35


def _tables() -> tuple[Ints, npt.NDArray[np.bool_]]:
    value = np.zeros(256, dtype=np.int64)
    last = np.zeros(256, dtype=np.bool_)
    value[_LAST] = np.arange(32)
    value[_MORE] = np.arange(32)
    last[_LAST] = True
    return value, last


_VALUE, _IS_LAST = _tables()


def encode(owner: Ints, ids: Ints, counts: Ints, owners: int) -> list[str]:
    """The posting string of each of ``owners`` lists, given every posting as (owner, article id,
    count) sorted by owner then id. A list with no posting is "".

    >>> encode(np.array([0, 0, 2]), np.array([3, 40, 7]), np.array([1, 5, 2]), 3)
    ['DBhFF', '', 'HC']
    """
    text, bounds = encode_bytes(owner, ids, counts, owners)
    joined = text.tobytes().decode("ascii")
    cut = bounds.tolist()
    return [joined[cut[n] : cut[n + 1]] for n in range(owners)]


def encode_bytes(owner: Ints, ids: Ints, counts: Ints, owners: int) -> tuple[Bytes, Ints]:
    """The posting strings of ``owners`` lists as one ASCII byte array, and where each list
    starts in it (``owners + 1`` bounds): list n is ``text[bounds[n]:bounds[n + 1]]``.

    >>> text, bounds = encode_bytes(np.array([0, 0, 2]), np.array([3, 40, 7]),
    ...                             np.array([1, 5, 2]), 3)
    >>> text.tobytes(), bounds.tolist()
    (b'DBhFFHC', [0, 5, 5, 7])
    """
    bounds = np.zeros(owners + 1, dtype=np.int64)
    if not len(owner):
        return np.zeros(0, dtype=np.uint8), bounds
    first = np.ones(len(owner), dtype=np.bool_)
    first[1:] = owner[1:] != owner[:-1]
    gaps = np.diff(ids, prepend=0)
    gaps[first] = ids[first]
    numbers = np.empty(2 * len(owner), dtype=np.int64)
    numbers[0::2] = gaps
    numbers[1::2] = counts
    del gaps
    text, ends = _write(numbers)
    # Each owner's text ends where its last posting's count ends.
    last_of = np.flatnonzero(np.append(first[1:], True))
    bounds[owner[last_of] + 1] = ends[1::2][last_of]
    np.maximum.accumulate(bounds, out=bounds)
    return text, bounds


def decode(texts: list[str]) -> tuple[Ints, Ints, Ints]:
    """Every posting of ``texts`` as arrays (which text, article id, count), in order.

    >>> [a.tolist() for a in decode(["DBhFF", "", "HC"])]
    [[0, 0, 2], [3, 40, 7], [1, 5, 2]]
    """
    joined = np.frombuffer("".join(texts).encode("ascii"), dtype=np.uint8)
    digits = _VALUE[joined]
    ends = np.flatnonzero(_IS_LAST[joined])
    starts = np.zeros(len(ends), dtype=np.int64)
    starts[1:] = ends[:-1] + 1
    numbers = digits[ends].copy()
    for place in range(1, _DIGITS):
        longer = np.flatnonzero(ends - starts >= place)
        if not len(longer):
            break
        numbers[longer] += digits[ends[longer] - place] << (5 * place)
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    char_owner = np.repeat(np.arange(len(texts), dtype=np.int64), lengths)
    gaps, counts = numbers[0::2], numbers[1::2]
    owner = char_owner[ends[1::2]]
    first = np.ones(len(owner), dtype=np.bool_)
    first[1:] = owner[1:] != owner[:-1]
    # Ids are running sums of the gaps, restarted at each text's first posting.
    total = np.cumsum(gaps)
    base = np.where(first, total - gaps, 0)
    np.maximum.accumulate(base, out=base)
    return owner, total - base, counts


def _write(numbers: Ints) -> tuple[Bytes, Ints]:
    """The numbers in base 32 as one byte array, and where each number's digits end in it."""
    sizes = np.ones(len(numbers), dtype=np.int64)
    for place in range(1, _DIGITS):
        sizes += numbers >= (1 << (5 * place))
    ends = np.cumsum(sizes)
    out = np.empty(int(ends[-1]) if len(ends) else 0, dtype=np.uint8)
    out[ends - 1] = _LAST[numbers & 31]
    for place in range(1, _DIGITS):
        longer = np.flatnonzero(sizes > place)
        if not len(longer):
            break
        out[ends[longer] - 1 - place] = _MORE[(numbers[longer] >> (5 * place)) & 31]
    return out, ends
