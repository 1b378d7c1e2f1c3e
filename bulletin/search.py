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
A rebuild reads again only the articles that changed or were added. Each article's doc is kept by
the article's key, so that an edit reads the article's old version too and compares the postings
of the two: only the terms whose postings differ have their posting lists read again, and only
their shards are written again (an edit that adds a sentence rewrites a few shards, not all).
Same articles, same bytes: keys are sorted and nothing depends on time or hash seeds, and an
updated index equals one made afresh.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from itertools import chain, repeat
from typing import Any, Protocol, overload

import numpy as np
import numpy.typing as npt

from . import postings, terms
from .frozen import compact
from .i18n import format_date
from .models import Article
from .parallel import fan_out, trim
from .routes import Routes
from .slug import CAPITALS, LETTERS

CHUNK = 16  # articles per d/<n>.json: a results page fetches a few small files
SHARD_TARGET = 24_000  # aim for shards of about this many bytes of JSON
MAX_CHANGED = 64  # more changed articles than this, and the index is made afresh
MAX_TF = 255  # a weighted count is capped here
# How much a word counts, by where it appears.
WEIGHTS = {"title": 5, "tags": 3, "lead": 2, "body": 1}
# Word pairs (for phrase ranking) come from the first words of each field: a news story says what
# it is about at the top, and pairs are most of the index's size and of the time it takes.
PAIR_WORDS = 200
BATCH = 256  # articles tokenised at once (an article in a batch is 8 bits of a posting)
PARALLEL = 1000  # from this many articles on, worker processes read them too (see _read)
ENCODE_SLICE = 1 << 17  # postings written out at once
GROUP_BYTES = 1 << 20  # term shards assembled at once
FORMAT = 2  # meta.json's "format": 2 has posting lists as strings
DOCS = "search-docs"  # the cache kind of each article's doc (see DocStore)
FILES = "search-file"  # the cache kind of the index's files, by digest
_WEIGHT = np.array(list(WEIGHTS.values()), dtype=np.int64)
_HASHED = 32  # terms.tokenise keys a word on its first 32 units: longer ones are keyed here
_ENTRY = re.compile(r'("([^"]*)":(?:"[^"]*"|\{[^}]*\}))')  # one term of a shard, and its key

Ints = npt.NDArray[np.int64]
Keys = npt.NDArray[np.uint64]
Texts = Callable[[list[str]], Mapping[str, Any]]  # body keys -> the bodies' plain texts


# Letters that are no letter with a mark, folded as slugs fold them (search.js repeats them),
# and Greek's final sigma as a sigma: a word in capitals is lower-cased without it.
_LETTERS = {**LETTERS, **CAPITALS, "ς": "σ"}


def _fold_table() -> dict[int, str]:
    """Latin letters with marks (Vietnamese among them) mapped to their bare letters, and the
    letters of _LETTERS (đ to d, ß to ss…)."""
    table: dict[int, str] = {ord(letter): bare for letter, bare in _LETTERS.items()}
    for code in chain(range(0xC0, 0x250), range(0x1E00, 0x1F00)):
        char = chr(code)
        bare = "".join(c for c in unicodedata.normalize("NFD", char)
                       if not unicodedata.category(c).startswith("M"))
        if bare != char and bare.isascii():
            table[code] = bare
    return table


_FOLD = _fold_table()


@compact
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


@compact
@dataclass(frozen=True, slots=True)
class SearchState:
    """What an index was made of, so that the next build updates it (the cache keeps it as
    ``_Kept``): per article id its key, and the bytes of every file. Each article's doc is kept
    apart, by key (see ``DocStore``), so that a build reads only those of the articles that
    changed."""

    keys: tuple[str, ...]
    shards: tuple[bytes, ...]  # t/<n>.json
    chunks: tuple[bytes, ...]  # d/<n>.json
    size: int  # the length of all term entries, which sets the shard count
    rewritten: int  # how many term shards this build wrote again (all, when made afresh)


class DocStore(Protocol):
    """Where each article's doc is kept between builds, by the article's key: an edit reads the
    article's old version again, to find the postings it changes."""

    def get(self, key: str) -> SearchDoc | None: ...

    def put(self, key: str, doc: SearchDoc) -> None: ...


class MemoryDocs:
    """A DocStore for one process (tests, benchmarks)."""

    def __init__(self) -> None:
        self.held: dict[str, object] = {}

    def get(self, key: str) -> SearchDoc | None:
        doc = self.held.get(key)
        return doc if isinstance(doc, SearchDoc) else None

    def put(self, key: str, doc: SearchDoc) -> None:
        self.held[key] = doc


class _CachedDocs:
    """A DocStore in the build cache. A doc whose body has a key is kept without its text, which
    the build caches by that key already: ``texts`` gives it back."""

    def __init__(self, cache: Any, texts: Texts | None) -> None:
        self.cache = cache
        self.texts = texts

    def get(self, key: str) -> SearchDoc | None:
        doc = self.cache.get(DOCS, key, keep=False)  # an old version: it goes after this build
        if not isinstance(doc, SearchDoc):
            return None
        if not doc.body_key:
            return doc
        text = self.texts([doc.body_key]).get(doc.body_key) if self.texts else None
        return replace(doc, body=text) if isinstance(text, str) else None

    def put(self, key: str, doc: SearchDoc) -> None:
        kept = replace(doc, body="") if doc.body_key and doc.body else doc
        self.cache.put(DOCS, key, kept, remember=False)  # for the next build


def files(articles: Sequence[Article], routes: Routes, date_format: str, cache: Any = None,
          texts: Texts | None = None, cached: Texts | None = None,
          language: str = "vi") -> list[tuple[str, bytes]]:
    """The whole index as (route, bytes), for the writer. With the build's ``cache`` (a
    bulletin.cache.Cache) the last build's index is updated for the articles that changed.
    ``texts`` gives the plain texts of bodies by their keys (articles do not carry theirs): it
    is asked only for those the index reads (on an update, the changed and added ones, and the
    old versions of the changed ones). ``cached`` gives those of them found in
    the cache, none made again: what a worker process may ask for (see ``_Docs.cached``)."""
    docs = docs_for(articles, date_format, texts, cached, language)
    previous, digests = _recall(cache) if cache is not None else (None, [])
    made, state = build(docs, previous, _CachedDocs(cache, texts) if cache is not None else None,
                        docs.keys())
    if cache is not None:
        _remember(cache, state, previous, digests)
    return [(routes.search_data(name), data) for name, data in made]


@compact
@dataclass(frozen=True, slots=True)
class _Kept:
    """What the cache holds of an index for the next build: its state with each file as the
    digest of its bytes, which are kept apart (kind FILES), so that a build that changes a few
    files stores only those again, not all of the index."""

    keys: tuple[str, ...]
    shards: tuple[str, ...]
    chunks: tuple[str, ...]
    size: int


def _recall(cache: Any) -> tuple[SearchState | None, list[str]]:
    """The last build's state from the cache, and the digests of its files (shards, chunks)."""
    kept = cache.get("search", "state")
    if not isinstance(kept, _Kept):
        return None, []
    digests = [*kept.shards, *kept.chunks]
    found = cache.get_many(FILES, digests, keep=False)  # those still current: see _remember
    if not all(isinstance(found.get(digest), bytes) for digest in digests):
        return None, []
    blobs = [found[digest] for digest in digests]
    shards = len(kept.shards)
    return SearchState(kept.keys, tuple(blobs[:shards]), tuple(blobs[shards:]), kept.size, 0), \
        digests


def _remember(cache: Any, state: SearchState, previous: SearchState | None,
              digests: list[str]) -> None:
    """Keep the state in the cache for the next build: the files it did not change are there
    already (the very same bytes objects as ``previous``'s, whose ``digests`` are known)."""
    known = {id(blob): digest for blob, digest in zip(
        [*previous.shards, *previous.chunks] if previous is not None else [], digests,
        strict=True)}
    now = []
    for blob in (*state.shards, *state.chunks):
        digest = known.get(id(blob))
        if digest is None:
            digest = hashlib.blake2b(blob, digest_size=16).hexdigest()
            cache.put(FILES, digest, blob, remember=False)  # for the next build
        now.append(digest)
    cache.touch(FILES, now)
    shards = len(state.shards)
    cache.put("search", "state", _Kept(state.keys, tuple(now[:shards]), tuple(now[shards:]),
                                       state.size), remember=False)
    cache.touch(DOCS, state.keys)


class _Docs(Sequence[SearchDoc]):
    """Articles as the index holds them, each made when asked for (an update reads only a few),
    and their keys and shown fields, which need neither the doc nor the article's text."""

    def __init__(self, articles: list[Article], date_format: str,
                 texts: Texts | None = None, cached: Texts | None = None,
                 language: str = "vi") -> None:
        self.articles = articles
        self.date_format = date_format
        self.language = language
        self.texts = texts
        self.found = cached
        self._light: list[SearchDoc] | None = None

    def __len__(self) -> int:
        return len(self.articles)

    @overload
    def __getitem__(self, index: int) -> SearchDoc: ...

    @overload
    def __getitem__(self, index: slice) -> list[SearchDoc]: ...

    def __getitem__(self, index: int | slice) -> SearchDoc | list[SearchDoc]:
        chosen = self.articles[index] if isinstance(index, slice) else [self.articles[index]]
        wanted = [a.body_key for a in chosen if a.body_key]
        found = self.texts(wanted) if wanted and self.texts else {}
        docs = [self._doc(a, found.get(a.body_key) or "") for a in chosen]
        return docs if isinstance(index, slice) else docs[0]

    def cached(self, start: int, stop: int) -> list[SearchDoc] | None:
        """docs[start:stop] with the texts that the cache holds, none made again; None if one
        is not there. A worker process reads its docs so: it could neither store a text made
        again for the next build nor report an article it cannot read."""
        chosen = self.articles[start:stop]
        wanted = [a.body_key for a in chosen if a.body_key]
        if not wanted or not self.texts:
            return self[start:stop]
        found = self.found(wanted) if self.found else {}
        if not all(isinstance(found.get(key), str) for key in wanted):
            return None
        return [self._doc(a, found.get(a.body_key) or "") for a in chosen]

    def _doc(self, a: Article, text: str) -> SearchDoc:
        return SearchDoc(
            url=a.url,
            title=a.title,
            date=format_date(a.date, self.date_format, self.language),
            summary=a.summary,
            tags=_tags(a),
            lead=a.lead or "",
            body=text,
            body_key=a.body_key,  # the body text is a function of it (markup's cache key)
        )

    def keys(self) -> list[str]:
        """Each article's ``_doc_key``: a doc whose body has a key needs not its text for it."""
        return [_doc_key(doc) for doc in self.light()]

    def light(self) -> list[SearchDoc]:
        """Every doc without its text (as the build's cache keeps a doc whose body has a key,
        see ``_CachedDocs``), made once."""
        if self._light is None:
            self._light = [self._doc(a, "") for a in self.articles]
        return self._light

    def shown(self, start: int, stop: int) -> list[list[str]]:
        """The fields of docs[start:stop] that a results page shows (see ``_chunk``)."""
        return [[a.url, a.title, format_date(a.date, self.date_format, self.language), a.summary]
                for a in self.articles[start:stop]]


def _tags(article: Article) -> str:
    """The tag and category names of an article, as the index reads them."""
    names = [t.name for t in article.tags]
    return " . ".join(names + [article.category.name] if article.category else names)


def docs_for(articles: Sequence[Article], date_format: str, texts: Texts | None = None,
             cached: Texts | None = None, language: str = "vi") -> _Docs:
    """The articles as the index holds them, oldest first: a new article keeps the others' ids.
    ``texts`` and ``cached`` give articles their plain text (see ``files``)."""
    return _Docs(sorted(articles, key=lambda a: (a.date.timestamp(), a.slug, a.route)),
                 date_format, texts, cached, language)


def fold(text: str) -> str:
    """Lower case without tone or vowel marks, with đ as d (and ß as ss, ł as l, ø as o, æ as
    ae, œ as oe, ı as i, ς as σ): how readers type without marks. The same rule as search.js
    (NFD, marks dropped, those letters mapped), with a table lookup for speed.

    >>> fold("Công an Đường DƯƠNG"), fold("Straße in Łódź, Øresund, İstanbul")
    ('cong an duong duong', 'strasse in lodz, oresund, istanbul')
    >>> fold("ΟΔΟΣ") == fold("οδος")
    True
    """
    quick = unicodedata.normalize("NFC", text.lower()).translate(_FOLD)
    if quick.isascii():
        return quick
    lowered = unicodedata.normalize("NFD", text.lower())
    bare = "".join(c for c in lowered if not unicodedata.category(c).startswith("M"))
    return unicodedata.normalize("NFC", bare).translate(_FOLD)


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
          store: DocStore | None = None, keys: list[str] | None = None,
          ) -> tuple[list[tuple[str, bytes]], SearchState]:
    """The index files and the state they were made from. Given the last build's state and the
    store of article docs it filled, only the articles that changed or were appended are read
    again, and only the shards they touch are written again; the bytes are those of an index
    made afresh. ``keys`` are the docs' ``_doc_key``s, if known."""
    store = store if store is not None else MemoryDocs()
    keys = keys if keys is not None else [_doc_key(doc) for doc in docs]
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
    """What tells a doc from another: a hash of its fields (of its body's key, if known)."""
    return _key(doc.url, doc.title, doc.date, doc.summary, doc.tags, doc.lead,
                doc.body_key or doc.body)


def _key(*parts: str) -> str:
    text = "\0".join(parts).encode("utf-8", "surrogatepass")
    return hashlib.blake2b(text, digest_size=16).hexdigest()


# -- reading articles ---------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _Read:
    """The terms of some articles. Their postings (see ``_read``) are kept apart, so that the
    largest array of the index can be freed as soon as it has been written out."""

    words: list[str]  # exact forms
    fold_of: Ints  # per exact form, the number of its folded form
    folded: list[str]  # folded forms
    crc: Ints  # per folded form, the CRC-32 of its UTF-8 bytes
    pairs: Ints  # per pair number, its folded forms' numbers: first << 24 | second

    def pair_crc(self) -> Ints:
        """The CRC-32 of each pair's key, "first second", without making the strings."""
        return _pair_crc(self, self.pairs >> 24, self.pairs & 0xFFFFFF)

    def pair_key(self, number: int) -> str:
        code = int(self.pairs[number])
        return f"{self.folded[code >> 24]} {self.folded[code & 0xFFFFFF]}"


@dataclass(frozen=True, slots=True)
class _Part:
    """The terms of a batch of articles, as any process works them out without the rest of the
    index: its words and folded forms are numbered in the batch alone, and ``_merge`` numbers
    them in the index afterwards. All in arrays and two strings, which a worker process sends
    back quickly."""

    keys: Keys  # its distinct words' keys, ascending
    spelled: str  # those words, \n-separated: the first spelling of each in the batch
    fold_of: Ints  # per word, the number of its folded form in the batch
    folded: str  # the batch's folded forms, \n-separated
    pair_codes: Ints  # the batch's distinct pairs: first folded form << 24 | second, ascending
    # Postings: slot << 32 | article id << 8 | weighted count, a slot being a word's number
    # or the number of words plus a pair's number, all in the batch.
    postings: Keys


@dataclass(frozen=True, slots=True)
class _Unread:
    """Articles a worker process left unread: a text of theirs is not in the cache."""

    start: int
    stop: int


def _read(docs: Sequence[SearchDoc], ids: Sequence[int]) -> tuple[_Read, Keys]:
    """The terms of ``docs``, whose article ids are ``ids``, and every posting packed as
    ``slot << 32 | article id << 8 | weighted count``, ascending; a slot is an exact form's
    number, or the number of words plus a pair's number. Batches of articles are read apart,
    in worker processes beside this one when there are many (a batch's text not in the cache
    is read here, where it is made again); one numpy pass per batch, and no Python object per
    word or posting."""
    id_array = np.asarray(ids, dtype=np.int64)
    if len(id_array) and int(id_array.max()) >= 1 << 24:
        raise ValueError("too many articles for the search index")
    parts = fan_out(_read_parts, (docs, id_array), len(docs), minimum=PARALLEL)
    for n, part in enumerate(parts):
        if isinstance(part, _Unread):
            parts[n] = _part(docs[part.start : part.stop], id_array[part.start : part.stop])
    return _merge(parts, id_array)  # type: ignore[arg-type]


def _read_parts(shared: tuple[Sequence[SearchDoc], Ints], start: int, stop: int,
                ) -> list[_Part | _Unread]:
    """The terms of docs[start:stop] (``shared`` is the docs and their ids), a batch at a
    time (see ``fan_out``)."""
    docs, ids = shared
    out: list[_Part | _Unread] = []
    for at in range(start, stop, BATCH):
        end = min(at + BATCH, stop)
        batch = docs.cached(at, end) if isinstance(docs, _Docs) else docs[at:end]
        out.append(_Unread(at, end) if batch is None else _part(batch, ids[at:end]))
    # The heap's pages this process freed again: each written to, in this process or the
    # other, is a page the two no longer share.
    trim()
    return out


def _part(batch: Sequence[SearchDoc], ids: Ints) -> _Part:
    """The terms of a batch of at most BATCH docs (an article in a batch is 8 bits of a
    posting; ``ids`` are the docs' article ids), numbered in the batch."""
    tokens = terms.tokenise([getattr(d, f) for d in batch for f in WEIGHTS], digits=True)
    keys = _word_keys(tokens)
    if not len(keys):
        none = np.zeros(0, dtype=np.int64)
        return _Part(none.astype(np.uint64), "", none, "", none, none.astype(np.uint64))
    table = _distinct(keys)
    word = _place(table, keys)
    first = np.empty(len(table), dtype=np.int64)  # each word's first occurrence
    first[word[::-1]] = np.arange(len(word) - 1, -1, -1)
    spelled = _spellings(tokens, first)
    folds: dict[str, int] = {}
    fold_of = np.fromiter((folds.setdefault(fold(w), len(folds)) for w in spelled.split("\n")),
                          dtype=np.int64, count=len(table))
    text = tokens.text.astype(np.int64)  # article in batch * 4 + field
    term, doc, count = _count(word, text)
    words = (term << 32) | (ids[doc] << 8) | count
    # Pairs: two words side by side with only white space between, among a field's first
    # PAIR_WORDS words, under their folded forms.
    folded = fold_of[word]
    first_of_field = np.ones(len(text), dtype=np.bool_)
    first_of_field[1:] = text[1:] != text[:-1]
    field_start = np.maximum.accumulate(np.where(first_of_field, np.arange(len(text)), 0))
    position = np.arange(len(text)) - field_start
    pair = np.flatnonzero(tokens.joined & (position[1:] < PAIR_WORDS))
    code, doc, count = _count((folded[pair] << 24) | folded[pair + 1], text[pair])
    new = np.ones(len(code), dtype=np.bool_)
    new[1:] = code[1:] != code[:-1]
    slot = np.cumsum(new) + (len(table) - 1)
    pairs = (slot << 32) | (ids[doc] << 8) | count
    return _Part(table, spelled, fold_of, "\n".join(folds), code[new],
                 np.concatenate((words, pairs)).astype(np.uint64))


def _spellings(tokens: terms.Tokens, chosen: Ints) -> str:
    """The words of ``tokens`` at ``chosen``, \n-separated (words are letters and digits),
    gathered and decoded at once."""
    starts = tokens.starts[chosen]
    lengths = tokens.ends[chosen] - starts
    total = int(lengths.sum())
    # The units of the words one after the other, then a separator after each but the last.
    inside = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths) + np.arange(total)
    units = np.full(total + len(chosen) - 1, ord("\n"), dtype=np.uint16)
    units[np.arange(total) + np.repeat(np.arange(len(chosen)), lengths)] = tokens.units[inside]
    return units.tobytes().decode("utf-16-le")


def _merge(parts: list[_Part], ids: Ints) -> tuple[_Read, Keys]:
    """The terms and packed postings of the batches ``parts`` (in order, of the articles
    ``ids``), numbered in this process (a dictionary look-up per distinct word of a batch, no
    more): exact forms and folded forms by the batch that first has them, and within a batch
    in the order of the words' keys; pairs in ascending order of their code (first folded
    form << 24 | second). The files written depend on none of these numbers."""
    vocabulary: dict[int, int] = {}  # word key -> exact form number
    words_: list[str] = []
    fold_of = np.zeros(0, dtype=np.int64)
    folds: dict[str, int] = {}
    crcs: list[int] = []  # per folded form: CRC-32 of it
    numbers: list[Ints] = []  # per part, the number of each of its words
    pair_codes: list[Ints] = []  # per part, the codes of its pairs in the index's numbers
    for part in parts:
        number = np.fromiter(map(vocabulary.get, part.keys.tolist(), repeat(-1)),
                             dtype=np.int64, count=len(part.keys))
        new = np.flatnonzero(number < 0)
        if len(new):
            spelled, folded = part.spelled.split("\n"), part.folded.split("\n")
            added = []
            for n, key, form in zip(new.tolist(), part.keys[new].tolist(),
                                    part.fold_of[new].tolist(), strict=True):
                vocabulary[key] = len(words_)
                words_.append(spelled[n])
                if folded[form] not in folds:
                    folds[folded[form]] = len(folds)
                    crcs.append(zlib.crc32(folded[form].encode("utf-8")))
                added.append(folds[folded[form]])
            number[new] = np.arange(len(words_) - len(new), len(words_))
            fold_of = np.concatenate((fold_of, np.asarray(added, dtype=np.int64)))
            if len(folds) >= 1 << 24 or len(words_) >= 1 << 31:
                raise ValueError("too many distinct words for the search index")
        numbers.append(number)
        # The batch's folded forms in the index's numbers: that of any word of each.
        local = np.zeros(int(part.fold_of.max(initial=-1)) + 1, dtype=np.int64)
        local[part.fold_of] = fold_of[number]
        pair_codes.append((local[part.pair_codes >> 24] << 24)
                          | local[part.pair_codes & 0xFFFFFF])
    pairs = _distinct(np.concatenate(pair_codes).astype(np.uint64)).astype(np.int64) \
        if pair_codes else np.zeros(0, dtype=np.int64)
    if len(words_) + len(pairs) >= 1 << 31:
        raise ValueError("too many distinct terms for the search index")
    if len(pairs):
        mixed = terms.splitmix(pairs.astype(np.uint64))
        by_mixed = np.argsort(mixed)
        table = mixed[by_mixed]
        buckets = _buckets(table)
    # Every posting in one array, in place of the batches' (freed as they are copied).
    packed = np.empty(sum(len(part.postings) for part in parts), dtype=np.uint64)
    at = 0
    while parts:
        part, number, codes = parts.pop(0), numbers.pop(0), pair_codes.pop(0)
        if len(codes):  # the pairs' numbers come after the words'
            number = np.concatenate((number, by_mixed[_place(
                table, terms.splitmix(codes.astype(np.uint64)), buckets)] + len(words_)))
        out = packed[at : at + len(part.postings)]
        np.right_shift(part.postings, np.uint64(32), out=out)
        slot = number.astype(np.uint64).take(out.view(np.int64))
        np.left_shift(slot, np.uint64(32), out=out)
        out |= part.postings & np.uint64(0xFFFFFFFF)
        at += len(out)
    packed.sort()
    return _Read(words_, fold_of, list(folds), np.asarray(crcs, dtype=np.int64), pairs), packed


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


def _place(table: Keys, wanted: Keys, buckets: Ints | None = None) -> Ints:
    """The index of each wanted value in ``table`` (sorted, distinct, holding every one of them,
    evenly spread like hashes): a probe from the bucket of the value's top bits, instead of a
    binary search. ``buckets`` is ``_buckets(table)``, when the table is probed many times."""
    bits = max(1, len(table).bit_length())
    shift = np.uint64(64 - bits)
    starts = _buckets(table) if buckets is None else buckets
    place = starts[(wanted >> shift).astype(np.intp)]
    behind = np.flatnonzero(table[place] != wanted)
    while len(behind):
        place[behind] += 1
        behind = behind[table[place[behind]] != wanted[behind]]
    return place


def _buckets(table: Keys) -> Ints:
    """Where each bucket of ``_place`` starts in the table: the first value with those top bits
    (a count of the values below each bucket, so no search)."""
    bits = max(1, len(table).bit_length())
    counts = np.bincount((table >> np.uint64(64 - bits)).astype(np.intp), minlength=1 << bits)
    return np.cumsum(counts) - counts


def _count(term: Ints, text: Ints) -> tuple[Ints, Ints, Ints]:
    """Weighted counts of term occurrences as (term, article in batch, count) sorted by term then
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
    return heads >> 8, heads & 0xFF, counts


def _zeros_table(power: int) -> npt.NDArray[np.uint32]:
    """What 2**power zero bytes do to a CRC-32, as 4 tables of 256 (one per byte of the CRC):
    the map is linear, so a CRC's image is the XOR of its bytes' images."""
    if power not in _ZEROS:
        zeros = bytes(1 << power)
        base = zlib.crc32(zeros, 0)
        bits = np.array([zlib.crc32(zeros, 1 << b) ^ base for b in range(32)], dtype=np.uint32)
        values = np.arange(256)
        table = np.zeros((4, 256), dtype=np.uint32)
        for byte in range(4):
            for bit in range(8):
                table[byte] ^= np.where((values >> bit) & 1, bits[8 * byte + bit], 0).astype(
                    np.uint32)
        _ZEROS[power] = table
    return _ZEROS[power]


_ZEROS: dict[int, npt.NDArray[np.uint32]] = {}


def _shift_crc(crc: Ints, length: Ints) -> Ints:
    """The CRC-32 of A + B with B all zero bytes, given A's CRC-32 and B's length, elementwise;
    so that crc32(A + B) == _shift_crc(crc32(A), len(B)) ^ crc32(B).

    >>> a, b = "công an ".encode(), "tỉnh".encode()
    >>> int(_shift_crc(np.array([zlib.crc32(a)]), np.array([len(b)]))[0] ^ zlib.crc32(b)) \\
    ...     == zlib.crc32(a + b)
    True
    """
    out = crc.astype(np.uint32)
    power = 0
    while len(length) and int(length.max()) >> power:
        chosen = np.flatnonzero((length >> power) & 1)
        if len(chosen):
            table, value = _zeros_table(power), out[chosen]
            out[chosen] = (table[0][value & 255] ^ table[1][(value >> 8) & 255]
                           ^ table[2][(value >> 16) & 255] ^ table[3][value >> 24])
        power += 1
    return out.astype(np.int64)


def _pair_crc(read: _Read, left: Ints, right: Ints) -> Ints:
    spaced = np.array([zlib.crc32(b" ", c) for c in read.crc.tolist()], dtype=np.int64)
    length = np.array([len(f.encode("utf-8")) for f in read.folded], dtype=np.int64)
    return _shift_crc(spaced[left], length[right]) ^ read.crc[right]


def _unpack(packed: Keys) -> tuple[Ints, Ints, Ints]:
    """Packed postings as (slot, article id, count)."""
    return ((packed >> np.uint64(32)).astype(np.int64),
            ((packed >> np.uint64(8)) & np.uint64(0xFFFFFF)).astype(np.int64),
            (packed & np.uint64(0xFF)).astype(np.int64))


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
def _fresh(docs: Sequence[SearchDoc], keys: list[str], store: DocStore) -> SearchState:
    read, packed = _read(docs, range(len(docs)))
    for n, doc in enumerate(_kept(docs, store)):
        store.put(keys[n], doc)
    text, bounds = _posting_text(packed, len(read.words) + len(read.pairs))
    del packed
    shards = _assemble(read, text, bounds)
    size = shards.pop()
    chunks = tuple(_chunk(docs, n) for n in range((len(docs) + CHUNK - 1) // CHUNK))
    return SearchState(tuple(keys), tuple(shards), chunks, int(size), len(shards))


def _kept(docs: Sequence[SearchDoc], store: DocStore) -> Iterable[SearchDoc]:
    """The docs for ``store``. The build's cache keeps a doc whose body has a key without its
    text (it has the text by that key): those are made without reading their texts."""
    if isinstance(docs, _Docs) and isinstance(store, _CachedDocs):
        return docs.light()
    return (doc for start in range(0, len(docs), BATCH) for doc in docs[start : start + BATCH])


def _posting_text(packed: Keys, slots: int) -> tuple[list[postings.Bytes], Ints]:
    """The posting strings of every slot as pieces of bytes, a slice of postings at a time (so
    that the temporary arrays stay small), and where each slot's string starts in them joined."""
    pieces: list[postings.Bytes] = []
    bounds = np.zeros(slots + 1, dtype=np.int64)
    offset = at = 0
    shift = np.uint64(32)
    while at < len(packed):
        end = min(at + ENCODE_SLICE, len(packed))
        if end < len(packed):  # end the slice with a slot
            next_slot = ((packed[end - 1] >> shift) + np.uint64(1)) << shift
            end = int(np.searchsorted(packed, next_slot))
        slot, ids, counts = _unpack(packed[at:end])
        first, last = int(slot[0]), int(slot[-1])
        text, local = postings.encode_bytes(slot - first, ids, counts, last - first + 1)
        bounds[first + 1 : last + 2] = local[1:] + offset
        pieces.append(text)
        offset += len(text)
        at = end
    np.maximum.accumulate(bounds, out=bounds)
    return pieces, bounds


_QUOTE, _COLON_QUOTE, _COLON_BRACE, _SPACE, _COMMA, _OPEN, _CLOSE = range(7)
_PIECES = [b'"', b'":"', b'":{', b" ", b",", b"{", b"}"]


def _assemble(read: _Read, pieces: list[postings.Bytes], bounds: Ints) -> list[Any]:
    """Every term shard's bytes, then (last) the index's size, from the terms and their posting
    strings: each shard is a list of byte segments (of the posting strings, the words and the
    punctuation) gathered with numpy, so no Python object is made per term."""
    words, pairs, folds = len(read.words), len(read.pairs), len(read.folded)
    folded_utf8 = [f.encode("utf-8") for f in read.folded]
    word_utf8 = [w.encode("utf-8") for w in read.words]
    posting_bytes = int(bounds[-1])
    fold_len = np.fromiter(map(len, folded_utf8), dtype=np.int64, count=folds)
    word_len = np.fromiter(map(len, word_utf8), dtype=np.int64, count=words)
    fold_at = posting_bytes + np.cumsum(fold_len) - fold_len
    word_at = posting_bytes + int(fold_len.sum()) + np.cumsum(word_len) - word_len
    punct = np.cumsum([0] + [len(p) for p in _PIECES])[:-1] + posting_bytes + int(
        fold_len.sum() + word_len.sum())
    tail = b"".join(folded_utf8 + word_utf8 + _PIECES)
    pool = np.empty(posting_bytes + len(tail), dtype=np.uint8)
    at = 0
    while pieces:  # each piece is freed once copied
        piece = pieces.pop(0)
        pool[at : at + len(piece)] = piece
        at += len(piece)
    pool[at:] = np.frombuffer(tail, dtype=np.uint8)
    if len(pool) >= 1 << 31:
        raise ValueError("the search index is too large")
    length = np.diff(bounds)
    left, right = read.pairs >> 24, read.pairs & 0xFFFFFF
    # The size in characters of every entry: '"f":{' forms '}', '"w":"p"' and '"a b":"p"'.
    fold_chars = np.fromiter(map(len, read.folded), dtype=np.int64, count=folds)
    word_chars = np.fromiter(map(len, read.words), dtype=np.int64, count=words)
    size = int((fold_chars + 4).sum() + (word_chars + length[:words] + 6).sum()
               + (fold_chars[left] + fold_chars[right] + length[words:] + 6).sum())
    shards = _shard_count(size)
    shard = np.concatenate((read.crc, read.pair_crc())) % shards
    # Keys in the order of the files: by shard, then as strings. Words and pairs are made of
    # letters and digits, all above the space, so "a b" sorts as (a, b) and "a" before it.
    fold_rank = _ranks(read.folded)
    bits = max(1, (folds + 1).bit_length())
    if shards.bit_length() + 2 * bits > 63:
        raise ValueError("too many distinct words for the search index")
    order = np.argsort(np.concatenate(
        ((shard[:folds] << (2 * bits)) | (fold_rank << bits),
         (shard[folds:] << (2 * bits)) | (fold_rank[left] << bits) | (fold_rank[right] + 1))))
    position = np.empty(len(order), dtype=np.int64)
    position[order] = np.arange(len(order))
    forms = np.bincount(read.fold_of, minlength=folds)
    rows_of = np.concatenate((forms + 1, np.ones(pairs, dtype=np.int64)))[order]
    in_shard = shard[order]
    key_row = np.cumsum(rows_of) - rows_of + 2 * in_shard + 1
    shard_rows = np.bincount(in_shard, weights=rows_of, minlength=shards).astype(np.int64)
    open_row = np.cumsum(shard_rows) - shard_rows + 2 * np.arange(shards)
    close_row = open_row + 1 + shard_rows
    rows = int(close_row[-1]) + 1
    # Each row is up to 8 segments (start in the pool, length); unused ones are empty.
    start = np.zeros((rows, 8), dtype=np.int32)
    size_of = np.zeros((rows, 8), dtype=np.int32)

    def put(row: Ints, column: int, at: Ints | int, count: Ints | int) -> None:
        start[row, column] = at
        size_of[row, column] = count

    put(open_row, 0, punct[_OPEN], 1)
    put(close_row, 0, punct[_CLOSE], 1)
    first = np.ones(len(order), dtype=np.bool_)
    first[1:] = in_shard[1:] != in_shard[:-1]
    put(key_row[~first], 0, punct[_COMMA], 1)
    put(key_row, 1, punct[_QUOTE], 1)
    head = key_row[position[:folds]]  # '"f":{'
    put(head, 2, fold_at, fold_len)
    put(head, 3, punct[_COLON_BRACE], 3)
    pair_row = key_row[position[folds:]]  # '"a b":"p"'
    put(pair_row, 2, fold_at[left], fold_len[left])
    put(pair_row, 3, punct[_SPACE], 1)
    put(pair_row, 4, fold_at[right], fold_len[right])
    put(pair_row, 5, punct[_COLON_QUOTE], 3)
    put(pair_row, 6, bounds[words:-1], length[words:])
    put(pair_row, 7, punct[_QUOTE], 1)
    # Forms follow their folded word's head, in string order: ',"w":"p"', then '}'.
    word = np.argsort(position[read.fold_of] * max(words, 1) + _ranks(read.words))
    owner = read.fold_of[word]
    first_form = np.ones(words, dtype=np.bool_)
    first_form[1:] = owner[1:] != owner[:-1]
    last_form = np.append(first_form[1:], True)[:words]
    index = np.arange(words)
    form_row = head[owner] + 1 + index - np.maximum.accumulate(np.where(first_form, index, 0))
    put(form_row[~first_form], 0, punct[_COMMA], 1)
    put(form_row, 1, punct[_QUOTE], 1)
    put(form_row, 2, word_at[word], word_len[word])
    put(form_row, 3, punct[_COLON_QUOTE], 3)
    put(form_row, 4, bounds[word], length[word])
    put(form_row, 5, punct[_QUOTE], 1)
    put(form_row[last_form], 6, punct[_CLOSE], 1)
    del position, order, key_row, word, owner, form_row, pair_row, head
    # Bytes, a group of shards at a time.
    row_end = np.cumsum(size_of.sum(axis=1, dtype=np.int64))
    shard_end = row_end[close_row].tolist()
    out: list[Any] = []
    begin = 0
    while begin < shards:
        base = int(row_end[open_row[begin] - 1]) if begin else 0
        stop = begin + 1
        while stop < shards and shard_end[stop] - base <= GROUP_BYTES:
            stop += 1
        segment_at = start[open_row[begin] : close_row[stop - 1] + 1].ravel()
        segment_size = size_of[open_row[begin] : close_row[stop - 1] + 1].ravel()
        used = np.flatnonzero(segment_size)
        segment_at, segment_size = segment_at[used].astype(np.int64), segment_size[used]
        offsets = np.cumsum(segment_size, dtype=np.int64)
        gather = np.repeat(segment_at - offsets + segment_size, segment_size) + np.arange(
            int(offsets[-1]))
        joined = pool[gather].tobytes()
        del gather
        cut = [0] + [end - base for end in shard_end[begin:stop]]
        out += [joined[cut[n] : cut[n + 1]] for n in range(stop - begin)]
        begin = stop
    out.append(size)
    return out


def _ranks(strings: list[str]) -> Ints:
    """The place of each string in their sorted order (by code point, as Python and UTF-8)."""
    rank = np.empty(len(strings), dtype=np.int64)
    rank[sorted(range(len(strings)), key=strings.__getitem__)] = np.arange(len(strings))
    return rank


def _slot_names(read: _Read) -> list[tuple[str, str | None]]:
    """The term of each slot of ``read``'s postings: (folded word, exact form), or (pair, None)."""
    forms = [(read.folded[f], w) for w, f in zip(read.words, read.fold_of.tolist(), strict=True)]
    return forms + [(read.pair_key(n), None) for n in range(len(read.pairs))]


def _postings(read: _Read, packed: Keys) -> set[tuple[str, str | None, int, int]]:
    """Every posting of a read as (term, exact form or None, article id, count)."""
    names = _slot_names(read)
    slot, ids, counts = _unpack(packed)
    return {(*names[n], i, c) for n, i, c in zip(slot.tolist(), ids.tolist(), counts.tolist(),
                                                  strict=True)}


def _update(state: SearchState, docs: Sequence[SearchDoc], keys: list[str],
            store: DocStore) -> SearchState | None:
    """The state with changed and appended articles read again; None when a fresh index is
    simpler (articles removed or reordered, many changed, the shard count changed). Only the
    terms whose postings change are read again and only their shards written again: the terms
    of an appended article, and those where a changed article's postings before and after
    differ (a form added or gone, a count changed), all forms of a folded word together."""
    old = state.keys
    if len(keys) < len(old):
        return None
    changed = [n for n, (was, now) in enumerate(zip(old, keys, strict=False)) if was != now]
    redo = changed + list(range(len(old), len(keys)))
    if len(redo) > MAX_CHANGED:
        return None
    if not redo:
        return SearchState(tuple(keys), state.shards, state.chunks, state.size, 0)
    versions: list[SearchDoc] = []  # the changed articles as the last build read them
    for n in changed:
        doc = store.get(old[n])
        if doc is None:
            return None
        versions.append(doc)
    after = [docs[n] for n in redo]
    read, packed = _read(after, redo)
    names = _slot_names(read)
    # The terms whose postings differ between the two versions (all of an appended article's).
    differ = _postings(*_read(versions, changed)) ^ _postings(read, packed)
    touched = {key for key, _, _, _ in differ}
    crc = {key: zlib.crc32(key.encode("utf-8")) for key in touched}
    count = len(state.shards)
    shards = list(state.shards)
    # Every posting list to read again. A shard is split into its entries' texts; only the
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

    for number in sorted({c % count for c in crc.values()}):
        tables[number] = {key: entry
                          for entry, key in _ENTRY.findall(shards[number].decode("utf-8"))}
    for key in sorted(touched):
        number = crc[key] % count
        reread(key, number, tables[number].get(key))
    owner, ids, counts = postings.decode(texts)
    keep = ~np.isin(ids, np.asarray(changed, dtype=np.int64))
    owner, ids, counts = owner[keep], ids[keep], counts[keep]
    # The new postings of the terms read again, under the slot of their term (and form).
    slot_of = np.full(len(names), -1, dtype=np.int64)
    for n, name in enumerate(names):
        if name[0] in touched:
            slot_of[n] = slots.setdefault(name, len(slots))
    new_slot, new_ids, new_counts = _unpack(packed)
    new_slot = slot_of[new_slot]
    taken = new_slot >= 0
    owner = np.concatenate((owner, new_slot[taken]))
    ids = np.concatenate((ids, new_ids[taken]))
    counts = np.concatenate((counts, new_counts[taken]))
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
    for n, doc in zip(redo, after, strict=True):
        store.put(keys[n], doc)
    chunks = list(state.chunks)
    for n in sorted({n // CHUNK for n in redo}):
        if n < len(chunks):
            chunks[n] = _chunk(docs, n)
        else:
            chunks.append(_chunk(docs, n))
    return SearchState(tuple(keys), tuple(shards), tuple(chunks), size, len(tables))


def _chunk(docs: Sequence[SearchDoc], number: int) -> bytes:
    start, stop = number * CHUNK, (number + 1) * CHUNK
    if isinstance(docs, _Docs):  # without making the docs, nor reading their texts
        return _json(docs.shown(start, stop))
    return _json([[d.url, d.title, d.date, d.summary] for d in docs[start:stop]])


def _json(value: Any) -> bytes:
    r"""Compact JSON with sorted keys; <, > and & escaped, so no text can read as markup.

    >>> _json({"b": "<script>", "a": 1})
    b'{"a":1,"b":"\\u003cscript\\u003e"}'
    """
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026").encode()
