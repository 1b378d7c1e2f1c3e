"""Vietnamese index terms: syllables and syllable bigrams of many texts at once, as 64-bit keys.

A syllable is a run of letters, lower-cased, in Unicode NFC; two syllables separated by nothing but
white space make a bigram ("công an", "ma tuý"). Punctuation, digits and the start of another text
break a bigram, and so does a stop-syllable, which is not a term itself. The work is done with numpy
on the UTF-16 code units of a batch of texts, so no Python object is made per word: the related
index tokenises a whole site in one pass.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
import numpy.typing as npt

# Syllables that carry no topic in Vietnamese news text.
STOP_SYLLABLES = frozenset(
    """
của và các những được đã là có cho với trong không này đó một để khi thì từ tại về theo cũng như
người ra vào lại đến nhiều sẽ đang nên bị do còn rất trên dưới sau trước nếu hay hoặc mà nhưng vì
năm ngày tháng giờ phút qua tới hơn gần khoảng cùng đây đều chỉ việc số nhằm làm kia ấy nào
rằng thế bằng ở chưa vẫn mới luôn hết nhau mỗi cả gì ai đi sự
""".split()
)

SEPARATOR = "\x1f"  # between texts of a batch: not a letter, not a space, so it breaks bigrams
_SPACE, _LETTER, _BREAK = 0, 1, 2
_WORDS = 8  # a word is hashed on its first 32 letters (a syllable has at most 7)
_PADDING = "\0" * (4 * _WORDS + 4)
_MASKS = np.array([0, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFFFFFF, 0xFFFFFFFFFFFFFFFF], dtype=np.uint64)

Keys = npt.NDArray[np.uint64]


@dataclass(frozen=True, slots=True)
class Tokens:
    """The syllables of a batch of texts, in reading order."""

    units: npt.NDArray[np.uint16]  # the batch, lower-cased, as UTF-16 code units
    starts: npt.NDArray[np.intp]  # first code unit of each syllable
    ends: npt.NDArray[np.intp]  # one past its last
    keys: Keys  # a 64-bit hash of each syllable
    text: npt.NDArray[np.intp]  # which text of the batch each syllable is in
    stop: npt.NDArray[np.bool_]  # a stop-syllable
    joined: npt.NDArray[np.bool_]  # syllable i and i + 1 are separated by white space only

    def word(self, i: int) -> str:
        return self.units[self.starts[i] : self.ends[i]].tobytes().decode("utf-16-le")


@dataclass(frozen=True, slots=True)
class Terms:
    """Every term occurrence of a batch: unigrams then bigrams, each with its text and key."""

    keys: Keys
    text: npt.NDArray[np.intp]
    first: npt.NDArray[np.intp]  # index of the (first) syllable in Tokens
    bigram: npt.NDArray[np.bool_]


def splitmix(x: Keys) -> Keys:
    """A 64-bit mixing function (splitmix64's finaliser), elementwise; integer overflow wraps."""
    x = x + np.uint64(0x9E3779B97F4A7C15)
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


@cache
def _tables(
    digits: bool = False,
) -> tuple[npt.NDArray[np.uint16], npt.NDArray[np.uint8], Keys, int]:
    """Lower-case map and character class of every UTF-16 code unit; stop-syllable lookup.
    With ``digits``, words are runs of letters and digits and _ spaces them like white space
    (the rule of the search index, Python's ``[^\\W_]+``)."""
    chars = [chr(c) for c in range(65536)]
    lower = np.array(
        [ord(low) if len(low := ch.lower()) == 1 else c for c, ch in enumerate(chars)],
        dtype=np.uint16,
    )
    kind = np.array(
        [_LETTER if (ch.isalnum() if digits else ch.isalpha())
         else _SPACE if ch.isspace() or (digits and ch == "_") else _BREAK for ch in chars],
        dtype=np.uint8,
    )
    kind[ord(SEPARATOR)] = _BREAK  # Python counts U+001F as white space: it must break bigrams
    stop_keys = _scan(SEPARATOR.join(sorted(STOP_SYLLABLES)), lower, kind)[3]
    # A table indexed by the top bits of a key holds the stop key of that slot, if any.
    bits = 10
    while len(np.unique(stop_keys >> np.uint64(64 - bits))) < len(stop_keys):
        bits += 1
    stop = np.zeros(1 << bits, dtype=np.uint64)
    stop[stop_keys >> np.uint64(64 - bits)] = stop_keys
    return lower, kind, stop, bits


def _scan(
    batch: str,
    lower: npt.NDArray[np.uint16],
    kind: npt.NDArray[np.uint8],
) -> tuple[
    npt.NDArray[np.uint16], npt.NDArray[np.uint8], npt.NDArray[np.intp], Keys, npt.NDArray[np.intp]
]:
    """Units, their classes, syllable starts, syllable keys and syllable ends of a batch."""
    # Zero padding (not letters) keeps the reads of the longest word below inside the buffer.
    units = lower[np.frombuffer((batch + _PADDING).encode("utf-16-le"), dtype=np.uint16)]
    kinds = kind[units]
    letter = np.zeros(len(units) + 1, dtype=np.int8)
    letter[1:] = kinds == _LETTER
    edges = np.flatnonzero(np.diff(letter))
    starts, ends = edges[0::2], edges[1::2]
    # Read each syllable four letters at a time, through a uint64 view of the units at every offset,
    # masked to the syllable's length. A word of up to 4 letters gets a distinct key (splitmix is a
    # bijection); a longer one, a 64-bit hash of its letters.
    quads = np.ndarray((len(units) - 3,), dtype=np.uint64, buffer=units, strides=(2,))
    lengths = ends - starts
    keys = splitmix(quads[starts] & _MASKS[np.minimum(lengths, 4)])
    for word in range(1, _WORDS):
        longer = np.flatnonzero(lengths > 4 * word)
        if not len(longer):
            break
        left = np.minimum(lengths[longer] - 4 * word, 4)
        keys[longer] = splitmix(keys[longer] ^ (quads[starts[longer] + 4 * word] & _MASKS[left]))
    return units, kinds, starts, keys, ends


def tokenise(texts: Sequence[str], digits: bool = False) -> Tokens:
    """The syllables of ``texts``, lower-cased and in NFC, with keys and what separates them.
    With ``digits``, the words of the search index instead: runs of letters and digits."""
    lower, kind, stop_table, stop_bits = _tables(digits)
    # NFC never composes across the separator (a control character): normalise the batch whole.
    batch = SEPARATOR.join(texts) + SEPARATOR
    if not unicodedata.is_normalized("NFC", batch):
        batch = unicodedata.normalize("NFC", batch)
    units, kinds, starts, keys, ends = _scan(batch, lower, kind)
    stop = stop_table[keys >> np.uint64(64 - stop_bits)] == keys
    # Two syllables are joined when only white space lies between them. Most gaps are one or two
    # units, seen at their two ends; the rare longer gap is read whole.
    gap_first, gap_last = ends[:-1], starts[1:] - 1
    joined = (kinds[gap_first] == _SPACE) & (kinds[gap_last] == _SPACE)
    long = np.flatnonzero(joined & (gap_last - gap_first > 1))
    if len(long):
        sizes = gap_last[long] - gap_first[long] + 1
        inside = np.repeat(gap_first[long] - np.cumsum(sizes) + sizes, sizes) + np.arange(
            sizes.sum()
        )
        offsets = np.concatenate(([0], np.cumsum(sizes)[:-1]))
        joined[long] = np.maximum.reduceat(kinds[inside], offsets) == _SPACE
    separators = np.flatnonzero(units == ord(SEPARATOR))
    text = np.repeat(
        np.arange(len(separators)), np.diff(np.searchsorted(starts, separators), prepend=0)
    )
    return Tokens(units, starts, ends, keys, text, stop, joined)


def bigram_keys(left: Keys, right: Keys) -> Keys:
    """The key of the bigram of two syllable keys (order matters)."""
    return splitmix(left * np.uint64(0x9E3779B97F4A7C15) + (right ^ np.uint64(0x5851F42D4C957F2D)))


def occurrences(tokens: Tokens) -> Terms:
    """Every term of a batch: each syllable that is not a stop-syllable, then each bigram."""
    keep = ~tokens.stop
    single = np.flatnonzero(keep)
    pair = np.flatnonzero(tokens.joined & keep[:-1] & keep[1:])
    keys = np.concatenate(
        (tokens.keys[single], bigram_keys(tokens.keys[pair], tokens.keys[pair + 1]))
    )
    return Terms(
        keys=keys,
        text=np.concatenate((tokens.text[single], tokens.text[pair])),
        first=np.concatenate((single, pair)),
        bigram=np.concatenate((np.zeros(len(single), np.bool_), np.ones(len(pair), np.bool_))),
    )


def spelled(tokens: Tokens, found: Terms) -> list[str]:
    """The terms as text, as an editor reads them: 'công an'."""
    out = []
    for first, bigram in zip(found.first.tolist(), found.bigram.tolist(), strict=True):
        out.append(
            tokens.word(first) + " " + tokens.word(first + 1) if bigram else tokens.word(first)
        )
    return out


def terms(text: str) -> list[str]:
    """Syllables and syllable bigrams of a text, lower-cased, NFC, without stop-syllables.

    >>> terms("Công an tỉnh và ma tuý")
    ['công', 'an', 'tỉnh', 'ma', 'tuý', 'công an', 'an tỉnh', 'ma tuý']
    >>> terms("Phòng cháy, chữa cháy: 12 vụ")
    ['phòng', 'cháy', 'chữa', 'cháy', 'vụ', 'phòng cháy', 'chữa cháy']
    """
    tokens = tokenise([text])
    return spelled(tokens, occurrences(tokens))


def term_keys(words: Sequence[str]) -> dict[str, int]:
    """The key of each given term ('ma tuý' or 'tuý'), as :func:`occurrences` computes it."""
    tokens = tokenise(words)
    found = occurrences(tokens)
    return dict(zip(spelled(tokens, found), found.keys.tolist(), strict=True))
