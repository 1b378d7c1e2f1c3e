"""Full-text search without a server: a sharded index of tone-folded words for static/js/search.js.

Vietnamese readers often type without tone marks, and type d for đ. Every word is indexed under its
*folded* form (lower case, tone and vowel marks dropped, đ → d: "Đường" → "duong"), and each folded
word remembers the exact forms it stood for ("đường", "dương"), so a query typed with marks can rank
exact matches first. Adjacent word pairs ("cong an") are indexed too, so an article holding the
phrase ranks above one holding both words apart.

The index is split so that the browser fetches only what a query needs, however large the archive:

    meta.json        counts, the shard count and a version string for cache busting
    t/<n>.json       terms whose hash falls in shard n: {"duong": {"dương": [id, tf, ...]},
                     "cong an": [id, tf, ...]}; ids are delta-coded, oldest article = 0
    d/<n>.json       the shown fields of articles n*CHUNK ... n*CHUNK+CHUNK-1: [url, title, date,
                     summary]

Same articles, same bytes: keys are sorted and nothing depends on time or hash seeds.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
import zlib
from array import array
from bisect import bisect_left, insort
from collections import Counter, defaultdict, deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from itertools import chain, repeat
from operator import add, and_, rshift, sub
from typing import Any

from .i18n import format_date
from .models import Article
from .routes import Routes

CHUNK = 16  # articles per d/<n>.json: a results page fetches a few small files
SHARD_TARGET = 24_000  # aim for shards of about this many bytes of JSON
MAX_CHANGED = 64  # more changed articles than this, and the index is made afresh
MAX_TF = 255  # a posting is one 32-bit number: article id << 8 | weighted count
# How much a word counts, by where it appears.
WEIGHTS = {"title": 5, "tags": 3, "lead": 2, "body": 1}
# Word pairs (for phrase ranking) come from the first words of each field: a news story says what
# it is about at the top, and pairs are most of the index's size and of the time it takes.
PAIR_WORDS = 200
_WORD = re.compile(r"[^\W_]+")
_BREAK = re.compile(r"[^\w\s]+")  # punctuation: two words on either side are not a pair


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


def files(articles: Sequence[Article], routes: Routes, date_format: str,
          cache: Any = None) -> list[tuple[str, bytes]]:
    """The whole index as (route, bytes), for the writer. With a ``cache`` (``get``/``put`` by
    kind and key) the last build's index is updated for the articles that changed."""
    docs = docs_for(articles, date_format)
    previous = cache.get("search", "state") if cache is not None else None
    made, state = build(docs, previous if isinstance(previous, IndexState) else None)
    if cache is not None:
        cache.put("search", "state", state)
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
    """The words of a text, lower case, in Unicode NFC (the same rule as search.js).

    >>> words("Bộ Công an: sơ kết 06/CP")
    ['bộ', 'công', 'an', 'sơ', 'kết', '06', 'cp']
    """
    return _WORD.findall(unicodedata.normalize("NFC", text).lower())


def shard_of(term: str, shards: int) -> int:
    """CRC-32 of the term's UTF-8 bytes, modulo the shard count (search.js computes the same).

    >>> shard_of("cong", 64), shard_of("cong an", 64)
    (62, 6)
    """
    return zlib.crc32(term.encode("utf-8")) % shards


@dataclass(slots=True)
class IndexState:
    """What an index was made of, kept in the cache: the next build updates it for the articles
    that changed or were added, instead of reading every article again."""

    keys: list[str]  # per article id: a digest of what the index holds of it
    words: dict[str, dict[str, array[int]]]  # folded word -> exact form -> postings
    pairs: dict[str, dict[str, array[int]]]  # folded pair -> exact pair -> postings
    postings: int  # how many, for the shard count
    shards: int = 0
    blobs: list[bytes] = field(default_factory=list)  # t/<n>.json


def index_files(docs: Sequence[SearchDoc]) -> list[tuple[str, bytes]]:
    """Every file of the index as (name below the index folder, bytes). ``docs`` oldest first."""
    return build(docs)[0]


def build(docs: Sequence[SearchDoc], previous: IndexState | None = None,
          ) -> tuple[list[tuple[str, bytes]], IndexState]:
    """The index files and the state they were made from. Given the last build's state, only
    the articles that changed or were appended are read again, and only the shards they touch
    are written again; the bytes are those of an index made afresh."""
    keys = [_doc_key(doc) for doc in docs]
    updated = _update(previous, docs, keys) if previous is not None else None
    state, dirty = updated if updated is not None else (_fresh(docs, keys), None)
    estimate = 10 * state.postings + 16 * (len(state.words) + len(state.pairs))
    shards = 1  # about 5 bytes of JSON per number, two numbers per posting, plus the keys
    while estimate / shards > SHARD_TARGET:
        shards *= 2
    if dirty is None or shards != state.shards:
        todo = set(range(shards))
        state.blobs = [b""] * shards
    else:
        todo = {shard_of(key, shards) for key in dirty}
    state.shards = shards
    buckets: dict[int, dict[str, Any]] = {n: {} for n in todo}
    for key, forms in state.words.items():
        bucket = buckets.get(shard_of(key, shards))
        if bucket is not None:
            bucket[key] = {form: _postings(codes) for form, codes in forms.items()}
    for key, forms in state.pairs.items():
        bucket = buckets.get(shard_of(key, shards))
        if bucket is not None:  # "đường dây" and "dương dây" fold alike: one list, counts added
            parts = list(forms.values())
            bucket[key] = _postings(parts[0] if len(parts) == 1 else _merge(parts))
    for number, bucket in buckets.items():
        state.blobs[number] = _json(bucket)

    made = [(f"t/{number}.json", blob) for number, blob in enumerate(state.blobs)]
    for start in range(0, len(docs), CHUNK):
        rows = [[d.url, d.title, d.date, d.summary] for d in docs[start : start + CHUNK]]
        made.append((f"d/{start // CHUNK}.json", _json(rows)))
    version = hashlib.blake2b(b"".join(name.encode() + b"\0" + data for name, data in made),
                              digest_size=8).hexdigest()
    meta = {"version": version, "docs": len(docs), "shards": shards, "chunk": CHUNK, "format": 1}
    made.append(("meta.json", _json(meta)))
    return sorted(made), state


def _doc_key(doc: SearchDoc) -> str:
    hasher = hashlib.blake2b(digest_size=16)
    for field_name in WEIGHTS:
        hasher.update(getattr(doc, field_name).encode("utf-8", "surrogatepass") + b"\0")
    return hasher.hexdigest()


def _tokens(doc: SearchDoc) -> tuple[Counter[str], Counter[str]]:
    """Weighted counts of an article's words and of its word pairs."""
    found: list[str] = []
    paired: list[str] = []
    for field_name, weight in WEIGHTS.items():
        text = unicodedata.normalize("NFC", getattr(doc, field_name)).lower()
        runs = [_WORD.findall(piece) for piece in _BREAK.split(text)]
        found += list(chain.from_iterable(runs)) * weight
        paired += _pairs(runs, PAIR_WORDS) * weight
    return Counter(found), Counter(paired)


def _fresh(docs: Sequence[SearchDoc], keys: list[str]) -> IndexState:
    # Postings go into one array of 32-bit numbers per exact word and per exact pair; the loops
    # over an article's words run inside C (Counter, map, array.append), which keeps an archive
    # of 10,000 articles to seconds. Words are folded once each, at the end.
    by_word: defaultdict[str, array[int]] = defaultdict(partial(array, "I"))
    by_pair: defaultdict[str, array[int]] = defaultdict(partial(array, "I"))
    for number, doc in enumerate(docs):
        found, paired = _tokens(doc)
        _post(by_word, found, number)
        _post(by_pair, paired, number)
    folds = {word: fold(word) for word in by_word}
    words: dict[str, dict[str, array[int]]] = {}
    for word, codes in by_word.items():
        words.setdefault(folds[word], {})[word] = codes
    pairs: dict[str, dict[str, array[int]]] = {}
    for pair, codes in by_pair.items():
        first, second = pair.split(" ")
        pairs.setdefault(f"{folds[first]} {folds[second]}", {})[pair] = codes
    total = sum(map(len, by_word.values())) + sum(map(len, by_pair.values()))
    return IndexState(keys, words, pairs, total)


def _update(state: IndexState, docs: Sequence[SearchDoc],
            keys: list[str]) -> tuple[IndexState, set[str]] | None:
    """The state with changed and appended articles read again, and the folded keys whose
    entries changed; None when a fresh index is simpler (articles removed or reordered, or
    many changed)."""
    old = state.keys
    if len(keys) < len(old):
        return None
    changed = [n for n in range(len(old)) if old[n] != keys[n]]
    if len(changed) > MAX_CHANGED:
        return None
    dirty: set[str] = set()
    if changed:
        for table in (state.words, state.pairs):
            for key in list(table):
                forms = table[key]
                for form in list(forms):
                    codes = forms[form]
                    for number in changed:
                        at = bisect_left(codes, number << 8)
                        if at < len(codes) and codes[at] >> 8 == number:
                            del codes[at]
                            state.postings -= 1
                            dirty.add(key)
                    if not codes:
                        del forms[form]
                if not forms:
                    del table[key]
    for number in changed + list(range(len(old), len(keys))):
        found, paired = _tokens(docs[number])
        for table, counts, folding in ((state.words, found, fold),
                                       (state.pairs, paired, _fold_pair)):
            for form, count in counts.items():
                key = folding(form)
                insort(table.setdefault(key, {}).setdefault(form, array("I")),
                       number << 8 | min(MAX_TF, count))
                state.postings += 1
                dirty.add(key)
    state.keys = keys
    return state, dirty


def _fold_pair(pair: str) -> str:
    first, second = pair.split(" ")
    return f"{fold(first)} {fold(second)}"


def _pairs(runs: list[list[str]], limit: int) -> list[str]:
    """"a b" for each two words side by side in the first ``limit`` words of a text.

    >>> _pairs([["công", "an", "tỉnh"], ["hà", "nội"]], 4)
    ['công an', 'an tỉnh']
    """
    out: list[str] = []
    seen = 0
    for run in runs:
        if seen + len(run) > limit:
            run = run[: max(0, limit - seen)]
        seen += len(run)
        out += [f"{a} {b}" for a, b in zip(run, run[1:], strict=False)]
        if seen >= limit:
            break
    return out


def _post(table: defaultdict[str, array[int]], counts: Mapping[str, int], number: int) -> None:
    """Append ``number << 8 | count`` to each counted word's array (in C: no Python loop)."""
    codes = map(add, repeat(number << 8), map(min, counts.values(), repeat(MAX_TF)))
    deque(map(array.append, map(table.__getitem__, counts.keys()), codes), maxlen=0)


def _merge(parts: Iterable[array[int]]) -> array[int]:
    """One posting array from several (forms that fold alike), counts added up per article."""
    total: Counter[int] = Counter()
    for part in parts:
        for code in part:
            total[code >> 8] += code & MAX_TF
    return array("I", [n << 8 | min(MAX_TF, total[n]) for n in sorted(total)])


def _postings(codes: array[int]) -> list[int]:
    """[gap, count, gap, count, ...]: each article id written as the gap from the one before.

    >>> _postings(array("I", [3 << 8 | 1, 7 << 8 | 5]))
    [3, 1, 4, 5]
    """
    if len(codes) == 1:
        return [codes[0] >> 8, codes[0] & MAX_TF]
    ids = list(map(rshift, codes, repeat(8)))
    gaps = map(sub, ids, chain((0,), ids))
    return list(chain.from_iterable(zip(gaps, map(and_, codes, repeat(MAX_TF)), strict=True)))


def _json(value: Any) -> bytes:
    r"""Compact JSON with sorted keys; <, > and & escaped, so no text can read as markup.

    >>> _json({"b": "<script>", "a": 1})
    b'{"a":1,"b":"\\u003cscript\\u003e"}'
    """
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026").encode()
