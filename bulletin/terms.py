"""Vietnamese index terms: syllables and syllable bigrams of many texts at once, as 64-bit keys.

A syllable is a run of letters, lower-cased, in Unicode NFC; two syllables separated by nothing but
white space make a bigram ("công an", "ma tuý"). Punctuation, digits and the start of another text
break a bigram, and so does a stop-syllable, which is not a term itself. The work is done with numpy
on the UTF-16 code units of a batch of texts, so no Python object is made per word: the related
index tokenises a whole site in one pass.
"""

from __future__ import annotations

import operator
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, partial

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

SEPARATOR = "\x1f"  # between texts of a batch; it breaks bigrams
# Each UTF-16 code unit becomes a code: a letter its lower-case unit, anything else a small number.
_SPACE, _BREAK, _SEPARATOR, _SUSPECT = 0, 1, 2, 3  # every letter's code is above these
_WORDS = 8  # a word is hashed on its first 32 letters (a syllable has at most 7)
_PADDING = "\0" * 4  # not letters: the reads of a last short word stay inside the buffer
_MASKS = np.array([0, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFFFFFF, 0xFFFFFFFFFFFFFFFF], dtype=np.uint64)

Keys = npt.NDArray[np.uint64]
Codes = npt.NDArray[np.uint16]


@dataclass(frozen=True, slots=True)
class Tokens:
    """The syllables of a batch of texts, in reading order."""

    units: Codes  # the batch as codes: letters lower-cased UTF-16 code units, others below 4
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
    single: npt.NDArray[np.intp]  # the syllable of each unigram, in Tokens
    pair: npt.NDArray[np.intp]  # the first syllable of each bigram

    @property
    def first(self) -> npt.NDArray[np.intp]:
        """Index of the (first) syllable of each term in Tokens."""
        return np.concatenate((self.single, self.pair))

    @property
    def bigram(self) -> npt.NDArray[np.bool_]:
        return np.arange(len(self.keys)) >= len(self.single)


def splitmix(x: Keys) -> Keys:
    """A 64-bit mixing function (splitmix64's finaliser), elementwise; integer overflow wraps."""
    return _splitmix(x.copy())


def _splitmix(x: Keys) -> Keys:
    """splitmix64's finaliser, a 64-bit mixing function: elementwise, in place; overflow wraps."""
    x += np.uint64(0x9E3779B97F4A7C15)
    shifted = x >> np.uint64(30)
    x ^= shifted
    x *= np.uint64(0xBF58476D1CE4E5B9)
    np.right_shift(x, np.uint64(27), out=shifted)
    x ^= shifted
    x *= np.uint64(0x94D049BB133111EB)
    np.right_shift(x, np.uint64(31), out=shifted)
    x ^= shifted
    return x


@cache
def _units() -> tuple[list[str], npt.NDArray[np.bool_]]:
    """Per UTF-16 code unit: its lower case (itself, when that is longer than one unit), and
    whether a text holding it may not be in NFC: its NFC quick check is not Yes, or it may
    compose with or reorder around the character before it. Shared by both tables, and worked
    out with ``map`` (no Python loop per unit)."""
    chars = [chr(c) for c in range(65536)]
    lowered = list(map(str.lower, chars))
    for i in np.flatnonzero(np.fromiter(map(len, lowered), dtype=np.intp, count=65536) != 1):
        lowered[i] = chars[i]
    nfc = map(partial(unicodedata.normalize, "NFC"), chars)
    suspect = np.fromiter(map(operator.ne, nfc, chars), dtype=np.bool_, count=65536)
    suspect |= np.fromiter(map(unicodedata.combining, chars), dtype=np.intp, count=65536) != 0
    # The second character of a canonical pair composes with the first (NFC quick check Maybe);
    # so do Hangul vowels and final consonants; a surrogate is half of a character beyond the BMP.
    canonical = [d for d in map(unicodedata.decomposition, chars) if d and not d.startswith("<")]
    seconds = [int(parts[1], 16) for d in canonical if len(parts := d.split()) == 2]
    suspect[[c for c in seconds if c < 65536]] = True
    suspect[0x1161:0x1176] = suspect[0x11A8:0x11C3] = suspect[0xD800:0xE000] = True
    return lowered, suspect


@cache
def _tables(digits: bool = False) -> tuple[Codes, Codes, Keys, int]:
    """The code of every UTF-16 code unit, with and without the mark of a unit that may need NFC;
    the stop-syllable lookup. With ``digits``, words are runs of letters and digits and _ spaces
    them like white space (the rule of the search index, Python's ``[^\\W_]+``)."""
    lowered, suspect = _units()
    word = np.fromiter(map(str.isalnum if digits else str.isalpha, lowered), dtype=np.bool_,
                       count=65536)
    space = np.fromiter(map(str.isspace, lowered), dtype=np.bool_, count=65536)
    low = np.fromiter(map(ord, lowered), dtype=np.uint16, count=65536)
    if digits:
        space |= low == ord("_")
    codes = np.where(word, low, np.where(space, _SPACE, _BREAK)).astype(np.uint16)
    codes[ord(SEPARATOR)] = _SEPARATOR
    marked = codes.copy()
    marked[suspect] = _SUSPECT
    stop_keys = _scan(SEPARATOR.join(sorted(STOP_SYLLABLES)), codes)[2]
    # A table indexed by the top bits of a key holds the stop key of that slot, if any.
    bits = 10
    while len(np.unique(stop_keys >> np.uint64(64 - bits))) < len(stop_keys):
        bits += 1
    stop = np.zeros(1 << bits, dtype=np.uint64)
    stop[stop_keys >> np.uint64(64 - bits)] = stop_keys
    return codes, marked, stop, bits


def _codes(batch: str, table: Codes) -> Codes:
    """The code of each UTF-16 code unit of ``batch`` (``take`` is the fastest numpy gather)."""
    return table.take(np.frombuffer(batch.encode("utf-16-le"), dtype=np.uint16))


def _scan(
    batch: str, table: Codes, units: Codes | None = None
) -> tuple[Codes, npt.NDArray[np.intp], Keys, npt.NDArray[np.intp]]:
    """Codes, syllable starts, syllable keys and syllable ends of a batch."""
    if units is None:
        units = _codes(batch + _PADDING, table)
    letter = np.zeros(len(units) + 1, dtype=np.bool_)
    np.greater(units, _SUSPECT, out=letter[1:])
    edges = np.flatnonzero(letter[1:] != letter[:-1])
    starts, ends = edges[0::2], edges[1::2]
    # Read each syllable four letters at a time, through a uint64 view of the units at every offset,
    # masked to the syllable's length. A word of up to 4 letters gets a distinct key (splitmix is a
    # bijection); a longer one, a 64-bit hash of its letters.
    quads = np.ndarray((len(units) - 3,), dtype=np.uint64, buffer=units, strides=(2,))
    lengths = ends - starts
    keys = quads.take(starts)
    keys &= _MASKS.take(np.minimum(lengths, 4))
    _splitmix(keys)
    longest = int(lengths.max(initial=0))
    for word in range(1, min(_WORDS, (longest + 3) // 4)):
        longer = np.flatnonzero(lengths > 4 * word)
        left = np.minimum(lengths[longer] - 4 * word, 4)
        more = keys[longer]
        more ^= quads[starts[longer] + 4 * word] & _MASKS[left]
        keys[longer] = _splitmix(more)
    return units, starts, keys, ends


def tokenise(texts: Sequence[str], digits: bool = False) -> Tokens:
    """The syllables of ``texts``, lower-cased and in NFC, with keys and what separates them.
    With ``digits``, the words of the search index instead: runs of letters and digits."""
    table, marked, stop_table, stop_bits = _tables(digits)
    batch = SEPARATOR.join([*texts, _PADDING])  # each text ends with a separator
    units = _codes(batch, marked)
    # Most text is NFC and has no unit that could change under it: the check is then one pass.
    # NFC never composes across the separator (a control character): normalise the batch whole.
    if (units == _SUSPECT).any():
        if not unicodedata.is_normalized("NFC", batch):
            batch = unicodedata.normalize("NFC", batch)
        units = _codes(batch, table)
    units, starts, keys, ends = _scan(batch, table, units)
    stop = stop_table.take(keys >> np.uint64(64 - stop_bits)) == keys
    # Two syllables are joined when only white space lies between them. Most gaps are one or two
    # units, seen at their two ends; the rare longer gap is read whole.
    gap_first, gap_last = ends[:-1], starts[1:] - 1
    joined = (units.take(gap_first) == _SPACE) & (units.take(gap_last) == _SPACE)
    long = np.flatnonzero(joined & (gap_last - gap_first > 1))
    if len(long):
        sizes = gap_last[long] - gap_first[long] + 1
        inside = np.repeat(gap_first[long] - np.cumsum(sizes) + sizes, sizes) + np.arange(
            sizes.sum()
        )
        offsets = np.concatenate(([0], np.cumsum(sizes)[:-1]))
        joined[long] = np.maximum.reduceat(units[inside], offsets) == _SPACE
    separators = np.flatnonzero(units == _SEPARATOR)
    if len(separators) != len(texts):  # a text holds the separator itself: take it as a space
        return tokenise([text.replace(SEPARATOR, " ") for text in texts], digits)
    text = np.repeat(
        np.arange(len(separators)), np.diff(np.searchsorted(starts, separators), prepend=0)
    )
    return Tokens(units, starts, ends, keys, text, stop, joined)


def bigram_keys(left: Keys, right: Keys) -> Keys:
    """The key of the bigram of two syllable keys (order matters)."""
    keys = left * np.uint64(0x9E3779B97F4A7C15)
    keys += right ^ np.uint64(0x5851F42D4C957F2D)
    return _splitmix(keys)


def occurrences(tokens: Tokens) -> Terms:
    """Every term of a batch: each syllable that is not a stop-syllable, then each bigram."""
    keep = ~tokens.stop
    single = np.flatnonzero(keep)
    pair = np.flatnonzero(tokens.joined & keep[:-1] & keep[1:])
    keys = np.empty(len(single) + len(pair), dtype=np.uint64)
    keys[: len(single)] = tokens.keys.take(single)
    keys[len(single) :] = bigram_keys(tokens.keys.take(pair), tokens.keys.take(pair + 1))
    text = np.empty(len(keys), dtype=np.intp)
    tokens.text.take(single, out=text[: len(single)])
    tokens.text.take(pair, out=text[len(single) :])
    return Terms(keys=keys, text=text, single=single, pair=pair)


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
