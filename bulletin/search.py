"""Full-text search without a server: a sharded index of tone-folded words for static/js/search.js.

Vietnamese readers often type without tone marks, and type d for đ. Every word is indexed under its
*folded* form (lower case, tone and vowel marks dropped, đ → d: "Đường" → "duong"), and each folded
word remembers the exact forms it stood for ("đường", "dương"), so a query typed with marks can rank
exact matches first. Adjacent word pairs ("cong an") are indexed too, so an article holding the
phrase ranks above one holding both words apart.

The index is split so that the browser fetches only what a query needs, however large the archive:

    meta.json        counts, the shard count and a version string for cache busting
    t/<n>.json       terms whose hash falls in shard n: {"duong": {"dương": "<postings>",
                     "đường": "<postings>"}, "cong an": "<postings>"}; a posting list is a string
                     of article ids (oldest article = 0) and weighted counts, see postings.py
    d/<n>.json       the shown fields of articles n*CHUNK ... n*CHUNK+CHUNK-1: [url, title, date,
                     summary]

Words are found with numpy (terms.tokenise), batch by batch, so no Python object is made per word.
A rebuild reads again only the articles that changed or were added: each article's terms are kept
(as CRC-32s, by the article's key) so that its old postings can be found, and only the shards
holding its old or new terms are written again. Same articles, same bytes: keys are sorted and
nothing depends on time or hash seeds, and an updated index equals one made afresh.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain, repeat
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from . import postings, terms
from .i18n import format_date
from .models import Article
from .routes import Routes

CHUNK = 16  # articles per d/<n>.json: a results page fetches a few small files
SHARD_TARGET = 24_000  # aim for shards of about this many bytes of JSON
MAX_CHANGED = 64  # more changed articles than this, and the index is made afresh
MAX_TF = 255  # a weighted count is capped here
# How much a word counts, by where it appears.
WEIGHTS = {"title": 5, "tags": 3, "lead": 2, "body": 1}
# Word pairs (for phrase ranking) come from the first words of each field: a news story says what
# it is about at the top, and pairs are most of the index's size and of the time it takes.
PAIR_WORDS = 200
BATCH = 256  # articles tokenised at once
FORMAT = 2  # meta.json's "format": 2 has posting lists as strings
TERMS = "search-terms"  # the cache kind of each article's terms
_WEIGHT = np.array(list(WEIGHTS.values()), dtype=np.int64)
_HASHED = 32  # terms.tokenise keys a word on its first 32 units: longer ones are keyed here
_ENTRY = re.compile(r'("([^"]*)":(?:"[^"]*"|\{[^}]*\}))')  # one term of a shard, and its key

Ints = npt.NDArray[np.int64]
Keys = npt.NDArray[np.uint64]


def _fold_table() -> dict[int, str]:
    """Latin letters with marks (Vietnamese among them) mapped to their bare letters, đ to d."""
    table: dict[int, str] = {ord("đ"): "d", ord("Đ"): "d"}
    for code in chain(range(0xC0, 0x250), range(0x1E00, 0x1F00)):
        char = chr(code)
        bare = "".join(c for c in unicodedata.normalize("NFD", char)
                       if not unicodedata.category(c).startswith("M"))
        if bare != char and bare.isascii():
            table[code] = bare
    return table


_FOLD = _fold_table()


@dataclass(frozen=True, slots=True)
class SearchDoc:
    """What the index holds of one article."""

    url: str
    title: str
    date: str  # as shown to readers
    summary: str
    tags: str  # tag and category names, space-separated
    lead: str  # the editor's summary, if any
    body: str  # plain text of the body
    body_key: str = ""  # a key that changes whenever ``body`` does, if known (else body is hashed)


@dataclass(frozen=True, slots=True)
class SearchState:
    """What an index was made of, kept in the cache so that the next build updates it: per
    article id its key, and the bytes of every file. Each article's terms are kept apart, by key
    (see ``TermStore``), so that a build reads only those of the articles that changed."""

    keys: tuple[str, ...]
    shards: tuple[bytes, ...]  # t/<n>.json
    chunks: tuple[bytes, ...]  # d/<n>.json
    size: int  # the length of all term entries, which sets the shard count
    rewritten: int  # how many term shards this build wrote again (all, when made afresh)


class TermStore(Protocol):
    """Where each article's terms are kept between builds, by the article's key."""

    def get(self, key: str) -> bytes | None: ...

    def put(self, key: str, value: bytes) -> None: ...


class MemoryTerms:
    """A TermStore for one process (tests, benchmarks)."""

    def __init__(self) -> None:
        self.held: dict[str, bytes] = {}

    def get(self, key: str) -> bytes | None:
        return self.held.get(key)

    def put(self, key: str, value: bytes) -> None:
        self.held[key] = value


class _CachedTerms:
    """A TermStore in the build cache."""

    def __init__(self, cache: Any) -> None:
        self.cache = cache

    def get(self, key: str) -> bytes | None:
        value = self.cache.get(TERMS, key)
        return value if isinstance(value, bytes) else None

    def put(self, key: str, value: bytes) -> None:
        self.cache.put(TERMS, key, value)


def files(articles: Sequence[Article], routes: Routes, date_format: str,
          cache: Any = None) -> list[tuple[str, bytes]]:
    """The whole index as (route, bytes), for the writer. With a ``cache`` (``get``/``put`` by
    kind and key) the last build's index is updated for the articles that changed."""
    docs = docs_for(articles, date_format)
    previous = cache.get("search", "state") if cache is not None else None
    made, state = build(docs, previous if isinstance(previous, SearchState) else None,
                        _CachedTerms(cache) if cache is not None else None)
    if cache is not None:
        cache.put("search", "state", state)
        cache.touch(TERMS, state.keys)
    return [(routes.search_data(name), data) for name, data in made]


def docs_for(articles: Sequence[Article], date_format: str) -> list[SearchDoc]:
    """The articles as the index holds them, oldest first: a new article keeps the others' ids."""
    ordered = sorted(articles, key=lambda a: (a.date.timestamp(), a.slug, a.route))
    return [
        SearchDoc(
            url=a.url,
            title=a.title,
            date=format_date(a.date, date_format),
            summary=a.summary,
            tags=" . ".join([t.name for t in a.tags] + ([a.category.name] if a.category else [])),
            lead=a.lead or "",
            body=a.text,
            body_key=a.body_key,  # the body text is a function of it (markup's cache key)
        )
        for a in ordered
    ]


def fold(text: str) -> str:
    """Lower case without tone or vowel marks, with đ as d: how readers type without marks.
    The same rule as search.js (NFD, marks dropped, đ → d), with a table lookup for speed.

    >>> fold("Công an Đường DƯƠNG")
    'cong an duong duong'
    """
    quick = unicodedata.normalize("NFC", text.lower()).translate(_FOLD)
    if quick.isascii():
        return quick
    lowered = unicodedata.normalize("NFD", text.lower())
    bare = "".join(c for c in lowered if not unicodedata.category(c).startswith("M"))
    return unicodedata.normalize("NFC", bare.replace("đ", "d"))


def words(text: str) -> list[str]:
    """The words of a text, lower case, in Unicode NFC: runs of letters and digits, as the index
    finds them (the same rule as search.js).

    >>> words("Bộ Công an: sơ kết 06/CP")
    ['bộ', 'công', 'an', 'sơ', 'kết', '06', 'cp']
    """
    tokens = terms.tokenise([text], digits=True)
    return [tokens.word(i) for i in range(len(tokens.keys))]


def shard_of(term: str, shards: int) -> int:
    """CRC-32 of the term's UTF-8 bytes, modulo the shard count (search.js computes the same).

    >>> shard_of("cong", 64), shard_of("cong an", 64)
    (62, 6)
    """
    return zlib.crc32(term.encode("utf-8")) % shards


def index_files(docs: Sequence[SearchDoc]) -> list[tuple[str, bytes]]:
    """Every file of the index as (name below the index folder, bytes). ``docs`` oldest first."""
    return build(docs)[0]


def build(docs: Sequence[SearchDoc], previous: SearchState | None = None,
          store: TermStore | None = None) -> tuple[list[tuple[str, bytes]], SearchState]:
    """The index files and the state they were made from. Given the last build's state and the
    store of article terms it filled, only the articles that changed or were appended are read
    again, and only the shards they touch are written again; the bytes are those of an index
    made afresh."""
    store = store if store is not None else MemoryTerms()
    keys = [_doc_key(doc) for doc in docs]
    state = _update(previous, docs, keys, store) if previous is not None else None
    if state is None:
        state = _fresh(docs, keys, store)
    made = [(f"t/{n}.json", blob) for n, blob in enumerate(state.shards)]
    made += [(f"d/{n}.json", blob) for n, blob in enumerate(state.chunks)]
    hasher = hashlib.blake2b(digest_size=8)
    for name, data in made:
        hasher.update(name.encode() + b"\0" + len(data).to_bytes(8, "little"))
        hasher.update(data)
    meta = {"version": hasher.hexdigest(), "docs": len(docs), "shards": len(state.shards),
            "chunk": CHUNK, "format": FORMAT}
    made.append(("meta.json", _json(meta)))
    return sorted(made), state


def _doc_key(doc: SearchDoc) -> str:
    body = doc.body_key or doc.body
    parts = (doc.url, doc.title, doc.date, doc.summary, doc.tags, doc.lead, body)
    text = "\0".join(parts).encode("utf-8", "surrogatepass")
    return hashlib.blake2b(text, digest_size=16).hexdigest()


# -- reading articles ---------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _Read:
    """The terms of some articles, and every posting as (term, article id, weighted count),
    sorted by term then article."""

    words: list[str]  # exact forms
    fold_of: Ints  # per exact form, the number of its folded form
    folded: list[str]  # folded forms
    pairs: list[str]  # folded word pairs
    word_postings: tuple[Ints, Ints, Ints]
    pair_postings: tuple[Ints, Ints, Ints]


def _read(docs: Sequence[SearchDoc], ids: Sequence[int]) -> _Read:
    """The terms of ``docs``, whose article ids are ``ids``: one numpy pass per batch."""
    vocabulary: dict[int, int] = {}  # word key -> exact form number
    words_: list[str] = []
    fold_of = np.zeros(0, dtype=np.int64)
    folds: dict[str, int] = {}
    found_words: list[tuple[Ints, Ints, Ints]] = []
    found_pairs: list[tuple[Ints, Ints, Ints]] = []
    id_array = np.asarray(ids, dtype=np.int64)
    for start in range(0, len(docs), BATCH):
        batch = docs[start : start + BATCH]
        tokens = terms.tokenise([getattr(d, f) for d in batch for f in WEIGHTS], digits=True)
        keys = _word_keys(tokens)
        if not len(keys):
            continue
        table = _distinct(keys)
        local = _place(table, keys)
        number = np.fromiter(map(vocabulary.get, table.tolist(), repeat(-1)), dtype=np.int64,
                             count=len(table))
        new = np.flatnonzero(number < 0)
        if len(new):
            first = np.empty(len(table), dtype=np.int64)
            first[local[::-1]] = np.arange(len(local) - 1, -1, -1)
            added = []
            for at, key in zip(first[new].tolist(), table[new].tolist(), strict=True):
                spelled = tokens.word(at)
                vocabulary[key] = len(words_)
                words_.append(spelled)
                added.append(folds.setdefault(fold(spelled), len(folds)))
            number[new] = np.arange(len(words_) - len(new), len(words_))
            fold_of = np.concatenate((fold_of, np.asarray(added, dtype=np.int64)))
        word = number[local]
        text = tokens.text.astype(np.int64)  # article in batch * 4 + field
        found_words.append(_count(word, text, id_array[start:]))
        # Pairs: two words side by side with only white space between, among a field's first
        # PAIR_WORDS words, under their folded forms.
        folded = fold_of[word]
        first_of_field = np.ones(len(text), dtype=np.bool_)
        first_of_field[1:] = text[1:] != text[:-1]
        field_start = np.maximum.accumulate(np.where(first_of_field, np.arange(len(text)), 0))
        position = np.arange(len(text)) - field_start
        pair = np.flatnonzero(tokens.joined & (position[1:] < PAIR_WORDS))
        if len(pair):
            width = len(folds)
            if width > 1 << 26:
                raise ValueError("too many distinct words for the search index")
            code, pair_ids, pair_counts = _count(folded[pair] * width + folded[pair + 1],
                                                 text[pair], id_array[start:])
            found_pairs.append((((code // width) << 32) | (code % width), pair_ids, pair_counts))
    empty = np.zeros(0, dtype=np.int64)
    word_postings = _by_term(*(np.concatenate(part) for part in zip(*found_words, strict=True))
                             ) if found_words else (empty, empty, empty)
    pair_codes, pair_postings = _pair_postings(found_pairs)
    folded_list = list(folds)
    pairs = [f"{folded_list[c >> 32]} {folded_list[c & 0xFFFFFFFF]}" for c in pair_codes.tolist()]
    return _Read(words_, fold_of, folded_list, pairs, word_postings, pair_postings)


def _word_keys(tokens: terms.Tokens) -> Keys:
    """The tokens' keys, with words too long for terms.tokenise's key keyed on all their units."""
    keys = tokens.keys
    long = np.flatnonzero(tokens.ends - tokens.starts > _HASHED)
    if len(long):
        keys = keys.copy()
        for i in long.tolist():
            digest = hashlib.blake2b(tokens.units[tokens.starts[i] : tokens.ends[i]].tobytes(),
                                     digest_size=8).digest()
            keys[i] = int.from_bytes(digest, "little")
    return keys


def _distinct(values: Keys) -> Keys:
    """The distinct values, ascending (np.sort and a mask: several times faster than np.unique)."""
    ordered = np.sort(values)
    keep = np.ones(len(ordered), dtype=np.bool_)
    keep[1:] = ordered[1:] != ordered[:-1]
    return ordered[keep]


def _place(table: Keys, wanted: Keys) -> Ints:
    """The index of each wanted value in ``table`` (sorted, distinct, holding every one of them,
    evenly spread like hashes): a probe from the bucket of the value's top bits, instead of a
    binary search."""
    bits = max(1, len(table).bit_length())
    shift = np.uint64(64 - bits)
    starts = np.searchsorted(table >> shift, np.arange(1 << bits, dtype=np.uint64))
    place = starts[(wanted >> shift).astype(np.intp)].astype(np.int64)
    behind = np.flatnonzero(table[place] != wanted)
    while len(behind):
        place[behind] += 1
        behind = behind[table[place[behind]] != wanted[behind]]
    return place


def _count(term: Ints, text: Ints, ids: Ints) -> tuple[Ints, Ints, Ints]:
    """Weighted counts of term occurrences as (term, article id, count) sorted by term then
    article, for occurrences given as term number (below 2**52) and text of the batch (article
    in batch * 4 + field)."""
    packed = np.sort((term << 10) | text)
    starts = np.flatnonzero(np.diff(packed, prepend=-1))
    heads = packed[starts]
    weights = np.diff(np.append(starts, len(packed))) * _WEIGHT[heads & 3]
    heads >>= 2
    groups = np.flatnonzero(np.diff(heads, prepend=-1))
    counts = np.minimum(np.add.reduceat(weights, groups), MAX_TF)
    heads = heads[groups]
    return heads >> 8, ids[heads & 0xFF], counts


def _by_term(term: Ints, ids: Ints, counts: Ints) -> tuple[Ints, Ints, Ints]:
    """Postings (term below 2**31, article id below 2**24, count) sorted by term then article."""
    if len(ids) and (int(ids.max()) >= 1 << 24 or int(term.max()) >= 1 << 31):
        order = np.lexsort((ids, term))
        return term[order], ids[order], counts[order]
    packed = np.sort((term << 32) | (ids << 8) | counts)
    return packed >> 32, (packed >> 8) & 0xFFFFFF, packed & 0xFF


def _pair_postings(found: list[tuple[Ints, Ints, Ints]]) -> tuple[Ints, tuple[Ints, Ints, Ints]]:
    """Pair postings renumbered by distinct pair: the pair codes (first folded number << 32 |
    second), and the postings as (pair, article, count) sorted by pair then article."""
    if not found:
        empty = np.zeros(0, dtype=np.int64)
        return empty, (empty, empty, empty)
    code, ids, counts = (np.concatenate(part) for part in zip(*found, strict=True))
    mixed = terms.splitmix(code.astype(np.uint64))  # one to one, and even in the top bits
    table = _distinct(mixed)
    number = _place(table, mixed)
    codes = np.empty(len(table), dtype=np.int64)
    codes[number] = code
    return codes, _by_term(number, ids, counts)


def _entries(read: _Read) -> dict[str, str | dict[str, str]]:
    """The index's terms: folded word → exact form → postings, and folded pair → postings."""
    forms: list[dict[str, str]] = [{} for _ in read.folded]
    texts = postings.encode(*read.word_postings, len(read.words))
    for word, folded, text in zip(read.words, read.fold_of.tolist(), texts, strict=True):
        forms[folded][word] = text
    entries: dict[str, str | dict[str, str]] = dict(zip(read.folded, forms, strict=True))
    entries.update(zip(read.pairs, postings.encode(*read.pair_postings, len(read.pairs)),
                       strict=True))
    return entries


def _entry(key: str, value: str | dict[str, str]) -> str:
    """One term as JSON text. Words are letters and digits and postings base64url, so nothing
    needs escaping."""
    if isinstance(value, str):
        return f'"{key}":"{value}"'
    return f'"{key}":{{' + ",".join(f'"{form}":"{value[form]}"' for form in sorted(value)) + "}"


def _shard_count(size: int) -> int:
    shards = 1
    while size / shards > SHARD_TARGET:
        shards *= 2
    return shards


def _shard_bytes(texts: list[tuple[str, str]]) -> bytes:
    """A shard's file from its (key, entry text) pairs."""
    return ("{" + ",".join(text for _, text in sorted(texts)) + "}").encode("utf-8")


# -- made afresh, or updated --------------------------------------------------------------------
def _fresh(docs: Sequence[SearchDoc], keys: list[str], store: TermStore) -> SearchState:
    read = _read(docs, range(len(docs)))
    entries = _entries(read)
    texts = {key: _entry(key, value) for key, value in entries.items()}
    size = sum(map(len, texts.values()))
    shards = _shard_count(size)
    crc = {key: zlib.crc32(key.encode("utf-8")) for key in texts}
    grouped: list[list[tuple[str, str]]] = [[] for _ in range(shards)]
    for key, text in texts.items():
        grouped[crc[key] % shards].append((key, text))
    for key, held in zip(keys, _held(read, crc, range(len(docs))), strict=True):
        store.put(key, held)
    chunks = tuple(_chunk(docs, n) for n in range((len(docs) + CHUNK - 1) // CHUNK))
    return SearchState(tuple(keys), tuple(_shard_bytes(g) for g in grouped), chunks, size, shards)


def _update(state: SearchState, docs: Sequence[SearchDoc], keys: list[str],
            store: TermStore) -> SearchState | None:
    """The state with changed and appended articles read again; None when a fresh index is
    simpler (articles removed or reordered, many changed, the shard count changed)."""
    old = state.keys
    if len(keys) < len(old):
        return None
    changed = [n for n, (was, now) in enumerate(zip(old, keys, strict=False)) if was != now]
    redo = changed + list(range(len(old), len(keys)))
    if len(redo) > MAX_CHANGED:
        return None
    if not redo:
        return SearchState(tuple(keys), state.shards, state.chunks, state.size, 0)
    gone: set[int] = set()  # CRC-32s of the terms the changed articles held
    for n in changed:
        held = store.get(old[n])
        if held is None:
            return None
        gone.update(np.frombuffer(held, dtype=np.uint32).tolist())
    read = _read([docs[n] for n in redo], redo)
    entries = _entries(read)
    count = len(state.shards)
    crc = {key: zlib.crc32(key.encode("utf-8")) for key in entries}
    dirty = {c % count for c in chain(gone, crc.values())}
    shards = list(state.shards)
    # Every posting list to read again: those of terms the changed articles held (all forms of
    # a folded word), and those of new terms. A shard is split into its entries' texts; only the
    # entries read again are parsed and written anew.
    tables: dict[int, dict[str, str]] = {}  # shard -> key -> entry text
    values: dict[str, Any] = {}  # key read again -> its value (None: not in the index)
    where: dict[str, int] = {}  # key read again -> its shard
    before: dict[str, int] = {}  # key read again -> the length of its entry before
    slots: dict[tuple[str, str | None], int] = {}
    texts: list[str] = []

    def reread(key: str, number: int, entry: str | None) -> None:
        value = json.loads(entry[len(key) + 3 :]) if entry is not None else None
        values[key], where[key], before[key] = value, number, len(entry or "")
        for form, text in ([(None, value)] if isinstance(value, str) else
                           list(value.items()) if value is not None else []):
            slots[key, form] = len(texts)
            texts.append(text)

    for number in sorted(dirty):
        table = {key: entry for entry, key in _ENTRY.findall(shards[number].decode("utf-8"))}
        tables[number] = table
        for key, entry in table.items():
            if zlib.crc32(key.encode("utf-8")) in gone:
                reread(key, number, entry)
    for key in entries:
        if key not in values:
            number = crc[key] % count
            reread(key, number, tables[number].get(key))
    owner, ids, counts = postings.decode(texts)
    keep = ~np.isin(ids, np.asarray(changed, dtype=np.int64))
    owner, ids, counts = owner[keep], ids[keep], counts[keep]
    # The new postings, under the slot of their term (and form).
    word_slot = np.array([slots.setdefault((read.folded[f], w), len(slots))
                          for w, f in zip(read.words, read.fold_of.tolist(), strict=True)],
                         dtype=np.int64)
    pair_slot = np.array([slots.setdefault((p, None), len(slots)) for p in read.pairs],
                         dtype=np.int64)
    word_term, word_doc, word_count = read.word_postings
    pair_term, pair_doc, pair_count = read.pair_postings
    owner = np.concatenate((owner, word_slot[word_term], pair_slot[pair_term]))
    ids = np.concatenate((ids, word_doc, pair_doc))
    counts = np.concatenate((counts, word_count, pair_count))
    order = np.lexsort((ids, owner))
    merged = postings.encode(owner[order], ids[order], counts[order], len(slots))
    for (key, form), slot in slots.items():
        text = merged[slot]
        if form is None:
            values[key] = text or None
            continue
        forms = values[key] if isinstance(values[key], dict) else {}
        if text:
            forms[form] = text
        else:
            forms.pop(form, None)
        values[key] = forms or None
    size = state.size
    for key, value in values.items():
        table = tables[where[key]]
        size -= before[key]
        if value is None:
            table.pop(key, None)
        else:
            table[key] = _entry(key, value)
            size += len(table[key])
    if _shard_count(size) != count:
        return None
    for number, table in tables.items():
        shards[number] = _shard_bytes(list(table.items()))
    for n, held in zip(redo, _held(read, crc, redo), strict=True):
        store.put(keys[n], held)
    chunks = list(state.chunks)
    for n in sorted({n // CHUNK for n in redo}):
        if n < len(chunks):
            chunks[n] = _chunk(docs, n)
        else:
            chunks.append(_chunk(docs, n))
    return SearchState(tuple(keys), tuple(shards), tuple(chunks), size, len(tables))


def _held(read: _Read, crc: dict[str, int], ids: Sequence[int]) -> list[bytes]:
    """For each article of ``ids``, the CRC-32s of the terms it is indexed under, ascending: what
    an update needs to find its postings and take them out."""
    word_crc = np.array([crc[key] for key in read.folded], dtype=np.int64)[read.fold_of]
    pair_crc = np.array([crc[key] for key in read.pairs], dtype=np.int64)
    word_term, word_doc, _ = read.word_postings
    pair_term, pair_doc, _ = read.pair_postings
    held = _distinct(np.concatenate(((word_doc << 32) | word_crc[word_term],
                                     (pair_doc << 32) | pair_crc[pair_term])).astype(np.uint64))
    doc = held >> np.uint64(32)
    wanted = np.asarray(ids, dtype=np.uint64)
    starts = np.searchsorted(doc, wanted, side="left").tolist()
    ends = np.searchsorted(doc, wanted, side="right").tolist()
    values = (held & np.uint64(0xFFFFFFFF)).astype(np.uint32)
    return [values[a:b].tobytes() for a, b in zip(starts, ends, strict=True)]


def _chunk(docs: Sequence[SearchDoc], number: int) -> bytes:
    rows = [[d.url, d.title, d.date, d.summary]
            for d in docs[number * CHUNK : (number + 1) * CHUNK]]
    return _json(rows)


def _json(value: Any) -> bytes:
    r"""Compact JSON with sorted keys; <, > and & escaped, so no text can read as markup.

    >>> _json({"b": "<script>", "a": 1})
    b'{"a":1,"b":"\\u003cscript\\u003e"}'
    """
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026").encode()
