"""Related articles: tf-idf over Vietnamese syllables and bigrams plus idf-weighted tags, in bulk.

Every article becomes a short vector of its most telling terms (title and summary weigh more than
the body) and of its tags (a rare tag weighs more than a site-wide one). Candidates come from an
inverted index whose postings are cut to the strongest articles per term, so the work per article is
bounded and a site of n articles costs O(n): the scores are sparse matrix products computed in row
blocks, and each row keeps its best k by one packed integer sort. Among near-equal scores the closer
date wins; older stories link to their follow-ups as readily as the reverse. Editors' pins come
first, and a list still short is filled with the nearest articles in date.

The module is pure: documents in, matches out. :func:`explain` says, for one article, which tags and
terms its related articles share with it.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from itertools import repeat
from operator import attrgetter
from typing import Any

import numpy as np
import numpy.typing as npt

from .frozen import compact
from .scipy_sparse import sparse
from .terms import STOP_SYLLABLES, Keys, occurrences, spelled, terms, tokenise

__all__ = ["Counted", "Doc", "Match", "Settings", "STOP_SYLLABLES", "count", "count_run", "explain",
           "packed", "packed_lists", "readable", "related", "spans", "terms", "unpacked_lists"]

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class Doc:
    """What the related index reads of one article."""

    tags: tuple[str, ...]  # tag slugs
    title: str
    summary: str
    text: str
    day: float  # days since the epoch, for date proximity
    category: str | None = None
    pins: tuple[int, ...] = ()  # indexes an editor chose, in order


@compact
@dataclass(frozen=True, slots=True)
class Match:
    """One related article and what earned it (shared tags and terms are filled by explain())."""

    index: int
    score: float
    shared_tags: tuple[str, ...] = ()
    shared_terms: tuple[str, ...] = ()
    reason: str = "score"  # "pinned", "score" or "recent"


_REASONS = ("pinned", "score", "recent")  # a Match's reason, by its code in packed_lists


def packed_lists(found: Sequence[tuple[Match, ...]]) -> bytes | None:
    """Related lists as :func:`related` makes them (no shared tags or terms) in bytes, for a
    cache: made and read back in a fraction of the time their pickle takes. None for lists
    that cannot be so (such as :func:`explain` makes)."""
    flat = [match for matches in found for match in matches]
    if any(match.shared_tags or match.shared_terms or match.reason not in _REASONS
           for match in flat):
        return None
    code = {reason: number for number, reason in enumerate(_REASONS)}
    lengths = np.array(list(map(len, found)), dtype=np.int64)
    index = np.array(list(map(attrgetter("index"), flat)), dtype=np.int64)
    score = np.array(list(map(attrgetter("score"), flat)), dtype=np.float64)
    reason = np.array([code[r] for r in map(attrgetter("reason"), flat)], dtype=np.uint8)
    return (len(found).to_bytes(8, "little") + lengths.tobytes() + index.tobytes()
            + score.tobytes() + reason.tobytes())


def unpacked_lists(blob: object, count: int) -> list[tuple[Match, ...]] | None:
    """The lists of ``count`` articles that :func:`packed_lists` made ``blob`` of; None if it
    cannot be such bytes (a damaged cache entry, or one of another kind)."""
    if not isinstance(blob, bytes) or len(blob) < 8:
        return None
    n = int.from_bytes(blob[:8], "little")
    if n != count or len(blob) < 8 + 8 * n:
        return None
    lengths = np.frombuffer(blob, np.int64, n, 8)
    size = int(lengths.sum())
    if (lengths < 0).any() or len(blob) != 8 + 8 * n + 17 * size:
        return None
    at = 8 + 8 * n
    codes = np.frombuffer(blob, np.uint8, size, at + 16 * size)
    index = np.frombuffer(blob, np.int64, size, at)
    if (codes >= len(_REASONS)).any() or (index < 0).any() or (index >= n).any():
        return None
    matches = list(map(
        Match,
        index.tolist(),
        np.frombuffer(blob, np.float64, size, at + 8 * size).tolist(),
        repeat(()),
        repeat(()),
        np.array(_REASONS, dtype=object).take(codes).tolist(),
    ))
    bounds = np.concatenate(([0], np.cumsum(lengths))).tolist()
    return [tuple(matches[lo:hi]) for lo, hi in zip(bounds, bounds[1:])]


@dataclass(frozen=True, slots=True)
class Settings:
    """How the related index weighs and cuts; the defaults are what the benchmark measures."""

    title_weight: float = 3.0
    summary_weight: float = 2.0
    body_weight: float = 1.0
    body_chars: int = 6000  # the body is read up to here: a news story tells itself first
    tag_share: float = 0.5  # share of the score from tags when both articles are tagged
    terms_per_doc: int = 30  # the terms with the highest tf-idf stand for an article
    postings_per_term: int = 200  # an index entry keeps the articles where the term weighs most
    max_df_share: float = 0.25  # terms (and tags) in more of the articles are not indexed...
    max_df_floor: int = 100  # ...unless in at most this many: small sites keep every term
    date_scale_days: float = 30.0
    date_bonus: float = 0.05  # up to +5% for the same day: decides among near-equal scores
    batch: int = 100  # articles tokenised at once (at most 127)
    block: int = 512  # rows of the score matrix computed at once


@dataclass(frozen=True, slots=True)
class _Model:
    text: sparse.csr_matrix  # n × terms: each article's top terms, tf-idf, unit length
    keys: Keys  # the (truncated) key of each term column
    key_shift: int  # how many low bits of a term key were dropped
    tags: sparse.csr_matrix  # n × tags: idf weights, unit length
    tag_names: tuple[str, ...]


def related(
    docs: Sequence[Doc], k: int, settings: Settings = Settings(), counted: Counted | None = None
) -> list[tuple[Match, ...]]:
    """For each doc, up to ``k`` others, best first: pins, then scored, then nearest in date.

    ``counted``: what :func:`count` found in the same docs with the same settings; the docs'
    texts are then not read (they may be empty).
    """
    n = len(docs)
    if n == 0 or k <= 0:
        return [() for _ in docs]
    model = _model(docs, settings, counted)
    days = np.array([d.day for d in docs], dtype=np.float64)
    wanted = k + 1 + min(k, max((len(d.pins) for d in docs), default=0))
    # Score in an order where articles of one subject sit together (by their strongest term): the
    # rows of a block then reach the same candidates, and the products stay in the CPU's caches.
    strongest = np.full(n, -1, dtype=np.int64)
    filled = np.flatnonzero(np.diff(model.text.indptr) > 0)
    strongest[filled] = model.text.indices[model.text.indptr[filled]]
    order = np.lexsort((np.arange(n), strongest))
    text, tags = _by_first_use(model.text[order]), model.tags[order]
    index, tag_index = _postings(text, settings), _postings(tags, settings)
    tagged = np.diff(tags.indptr) > 0
    ordered_days = days[order]
    by_date = np.lexsort((np.arange(n), days))
    position = np.empty(n, dtype=np.int64)
    position[by_date] = np.arange(n)
    results: list[tuple[Match, ...]] = [()] * n
    articles = order.tolist()
    pinned = [bool(d.pins) for d in docs]
    # The lists hold no reference cycles: the cycle collector's full passes over a heap of
    # hundreds of thousands of new tuples would cost as much as making them, more on a big site.
    with _no_cycle_collection():
        for start in range(0, n, settings.block):
            stop = min(n, start + settings.block)
            rows, cols, scores, gaps = _scores(
                text[start:stop],
                tags[start:stop],
                index,
                tag_index,
                tagged,
                start,
                ordered_days,
                settings,
            )
            bounds, cols, scores = _top_per_row(
                rows, order.take(cols), scores, gaps, stop - start, wanted
            )
            picked, rounded, limits = cols.tolist(), np.round(scores, 6).tolist(), bounds.tolist()
            for local, i in enumerate(articles[start:stop]):
                lo, hi = limits[local], limits[local + 1]
                if hi - lo >= k and not pinned[i]:  # the usual case: k scored matches
                    results[i] = tuple(map(Match, picked[lo : lo + k], rounded[lo : lo + k]))
                else:
                    scored = list(zip(rounded[lo:hi], picked[lo:hi], strict=True))
                    results[i] = _finish(i, docs, scored, k, by_date, position)
    return results


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Pause Python's cycle collector (as it was before, after)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _by_first_use(matrix: sparse.csr_matrix) -> sparse.csr_matrix:
    """The matrix with its used columns numbered in order of first use, row after row (each row's
    entries keep their order). Rows that sit together then reach postings that lie together."""
    columns = matrix.indices
    first = np.full(matrix.shape[1], len(columns), dtype=np.int64)
    np.minimum.at(first, columns, np.arange(len(columns)))
    at = np.full(len(columns) + 1, -1, dtype=np.int64)
    at[first] = np.arange(matrix.shape[1])  # a column never used lands on the extra last place
    used = at[:-1][at[:-1] >= 0]
    number = np.empty(matrix.shape[1], dtype=matrix.indices.dtype)
    number[used] = np.arange(len(used))
    return sparse.csr_matrix(
        (matrix.data, number.take(columns), matrix.indptr), shape=(matrix.shape[0], len(used))
    )


def explain(
    docs: Sequence[Doc], i: int, found: Sequence[Match], settings: Settings = Settings()
) -> tuple[Match, ...]:
    """``found`` (the related list of doc ``i``) with the tags and terms each shares with doc i."""
    model = _model(docs, settings)
    spelling = _spelling([docs[i]] + [docs[m.index] for m in found], model, settings)
    own = model.text.getrow(i)
    own_terms = dict(zip(own.indices.tolist(), own.data.tolist(), strict=True))
    out = []
    for match in found:
        if match.reason != "score":
            out.append(match)
            continue
        other = model.text.getrow(match.index)
        shared = sorted(
            (
                (own_terms[t] * w, t)
                for t, w in zip(other.indices.tolist(), other.data.tolist(), strict=True)
                if t in own_terms
            ),
            key=lambda pair: (-pair[0], spelling.get(pair[1], "")),
        )
        tags = tuple(sorted(set(docs[i].tags) & set(docs[match.index].tags)))
        out.append(
            replace(
                match,
                shared_tags=tags,
                shared_terms=tuple(spelling.get(t, "?") for _, t in shared[:5]),
            )
        )
    return tuple(out)


# -- the model: top terms and tags of every article ----------------------------------------------
# Grouping is done by numpy's integer sort on packed 64-bit numbers, batch by batch:
#   occurrences as (term key: 55 bits | article in batch: 7 | field: 2);
#   scored terms as (article in batch: 7 bits | descending score | term number).
# Document frequencies need the whole site: the term keys are counted part by part, each part a
# range of key values small enough for its sort to stay in the CPU's caches.


@dataclass(frozen=True, slots=True)
class _Batch:
    start: int  # index of the batch's first article
    keys: Keys  # 55-bit term keys, ascending, one per distinct term of an article
    docs: npt.NDArray[np.uint8]  # the article within the batch
    tf: npt.NDArray[np.float32]  # 1 + log of the field-weighted count


@dataclass(frozen=True, slots=True)
class Counted:
    """The terms of every doc's title, summary and body, counted: all that the related lists need
    of the texts, a tenth of their size. A build counts them, lets the texts go, then relates."""

    batches: tuple[_Batch, ...]
    size: int  # how many docs
    settings: Settings  # those they were counted with


def count(
    docs: Sequence[Doc], settings: Settings = Settings(), known: Sequence[bytes | None] = ()
) -> Counted:
    """Count the terms of each doc, for :func:`related` with the same docs and settings.

    The docs are counted in the runs :func:`spans` gives. ``known``: for some runs, what
    :func:`packed` gave of the same docs counted with the same settings (None for the others):
    those runs are not counted again.
    """
    runs = spans(len(docs), settings)
    known = list(known) or [None] * len(runs)
    if len(known) != len(runs):
        raise ValueError("known counts for another number of runs")
    return Counted(
        tuple(_counts(docs, settings, start, stop) if blob is None else _unpacked(blob, start)
              for (start, stop), blob in zip(runs, known, strict=True)),
        len(docs),
        settings,
    )


def spans(n: int, settings: Settings = Settings()) -> list[tuple[int, int]]:
    """The runs of docs (start, stop) counted at once, laid from the last doc back: when the docs
    run newest first, a new article changes the first run only, and the others can be reused."""
    size = max(1, min(127, settings.batch))
    return [(max(0, stop - size), stop) for stop in range(n, 0, -size)][::-1]


def packed(counted: Counted, run: int) -> bytes:
    """The counts of one run (numbered as in :func:`spans`) as bytes, for :func:`count`'s
    ``known``. Where the run starts is not kept: the same docs may start elsewhere next time."""
    return _packed(counted.batches[run])


def count_run(docs: Sequence[Doc], settings: Settings, start: int, stop: int) -> bytes:
    """The counts of docs[start:stop], a run of :func:`spans`, as :func:`packed` gives them: runs
    can be counted apart (in other processes) and handed to :func:`count` as ``known``."""
    return _packed(_counts(docs, settings, start, stop))


def _packed(b: _Batch) -> bytes:
    return len(b.keys).to_bytes(8, "little") + b.keys.tobytes() + b.tf.tobytes() + b.docs.tobytes()


def readable(blob: object) -> bool:
    """Whether ``blob`` can be what :func:`packed` gave (a damaged cache entry cannot)."""
    return isinstance(blob, bytes) and len(blob) >= 8 and \
        len(blob) == 8 + 13 * int.from_bytes(blob[:8], "little")


def _unpacked(blob: bytes, start: int) -> _Batch:
    if not readable(blob):
        raise ValueError("damaged counts")
    size = int.from_bytes(blob[:8], "little")
    return _Batch(
        start=start,
        keys=np.frombuffer(blob, np.uint64, size, 8),
        tf=np.frombuffer(blob, np.float32, size, 8 + 8 * size),
        docs=np.frombuffer(blob, np.uint8, size, 8 + 12 * size),
    )


def _model(docs: Sequence[Doc], settings: Settings, counted: Counted | None = None) -> _Model:
    n = len(docs)
    if counted is not None and (counted.size, counted.settings) != (n, settings):
        raise ValueError("the terms were counted for other docs or with other settings")
    batches = (counted if counted is not None else count(docs, settings)).batches
    total = sum(len(b.keys) for b in batches)
    part_bits = min(20, (total >> 20).bit_length())  # about a million entries a part
    edges = np.arange((1 << part_bits) + 1, dtype=np.uint64) << np.uint64(55 - part_bits)
    cuts = [np.searchsorted(b.keys, edges) for b in batches]
    limit = _df_limit(n, settings)
    terms_parts: list[Keys] = []
    found: list[list[tuple[npt.NDArray[np.int32], npt.NDArray[np.float32]]]] = [
        [] for _ in batches
    ]
    for part in range(1 << part_bits):
        pieces = [b.keys[c[part] : c[part + 1]] for b, c in zip(batches, cuts, strict=True)]
        keys = np.concatenate(pieces) if pieces else np.zeros(0, np.uint64)
        # The term numbers (kept for every article until all parts are done) go on from the
        # last part's.
        first = sum(len(t) for t in terms_parts)
        terms_, df, numbers = _terms_of(keys, part_bits, limit, first)
        idf = np.zeros(first + len(df) + 1, dtype=np.float32)  # by term number; the last: none
        idf[first:-1] = np.log((n + 1) / (df + 0.5))
        tf = np.concatenate(
            [b.tf[c[part] : c[part + 1]] for b, c in zip(batches, cuts, strict=True)]
        )
        score = tf * idf[numbers]  # 0 for a term not indexed (number -1)
        terms_parts.append(terms_)
        splits = np.cumsum([len(piece) for piece in pieces])[:-1]
        for i, (t, sc) in enumerate(
            zip(np.split(numbers, splits), np.split(score, splits), strict=True)
        ):
            found[i].append((t, sc))
    rows, columns, values = [], [], []
    for batch, parts in zip(batches, found, strict=True):
        numbers = np.concatenate([t for t, _ in parts])
        score = np.concatenate([sc for _, sc in parts])
        held = np.flatnonzero(numbers >= 0)
        doc, chosen, score = _top_in_batch(
            batch.docs[held], numbers[held], score[held], settings.terms_per_doc
        )
        rows.append(doc.astype(np.int64) + batch.start)
        columns.append(chosen)
        values.append(score)
    terms_all = np.concatenate(terms_parts) if terms_parts else np.zeros(0, np.uint64)
    if batches:
        counts = np.bincount(np.concatenate(rows), minlength=n)
        text = sparse.csr_matrix(
            (
                np.concatenate(values).astype(np.float64),
                np.concatenate(columns),
                np.concatenate(([0], np.cumsum(counts))),
            ),
            shape=(n, len(terms_all)),
        )
    else:
        text = sparse.csr_matrix((n, 0))
    tags, tag_names = _tag_matrix(docs, settings)
    return _Model(
        text=_unit_rows(text), keys=terms_all, key_shift=9, tags=tags, tag_names=tag_names
    )


def _counts(docs: Sequence[Doc], settings: Settings, start: int, stop: int) -> _Batch:
    """The distinct terms of each of docs[start:stop] (at most 127), with their weighted
    frequencies."""
    field_weight = np.array([settings.title_weight, settings.summary_weight, settings.body_weight])
    local = np.arange(3 * (stop - start), dtype=np.uint64)
    text_tag = ((local // np.uint64(3)) << np.uint64(2)) | (local % np.uint64(3))
    found = occurrences(tokenise(_fields(docs[start:stop], settings)))
    packed = found.keys & ~np.uint64(0x1FF)
    packed |= text_tag.take(found.text)
    packed.sort()
    heads = packed >> np.uint64(2)
    new = _starts_runs(heads)
    weight = np.bincount(np.cumsum(new) - 1, field_weight.take(packed & np.uint64(3)))
    heads = heads[new]
    return _Batch(
        start=start,
        keys=heads >> np.uint64(7),
        docs=(heads & np.uint64(0x7F)).astype(np.uint8),
        tf=(1 + np.log(weight)).astype(np.float32),
    )


def _terms_of(
    keys: Keys, prefix: int, limit: float, first: int = 0
) -> tuple[Keys, Ints, npt.NDArray[np.int32]]:
    """For the term keys of one part (55 bits, the first ``prefix`` alike): the indexed terms in
    ascending order, their document frequencies, and the term number of each key (-1: none), the
    terms being numbered from ``first``.

    Only terms shared by two articles, and not by too many, are indexed. One sort of (key, place)
    packed in 64 bits does it, so no lookup of the keys is needed afterwards. A key keeps 64 bits
    less those of the place, at least 40: two distinct terms of a 100,000-article site then share
    one column by chance with odds of a few in a thousand (as if they were one term).
    """
    size = len(keys)
    place_bits = max(1, (size - 1).bit_length())
    dropped = np.uint64(max(0, 55 - prefix + place_bits - 64))
    packed = (keys & np.uint64((1 << (55 - prefix)) - 1)) >> dropped
    packed <<= np.uint64(place_bits)
    packed |= np.arange(size, dtype=np.uint64)
    packed.sort()
    place = (packed & np.uint64((1 << place_bits) - 1)).astype(np.intp)
    firsts = np.flatnonzero(_starts_runs(packed >> np.uint64(place_bits)))
    df = np.diff(firsts, append=size)
    indexed = (df >= 2) & (df <= limit)
    number = np.cumsum(indexed, dtype=np.int32)
    number += np.int32(first - 1)
    number[~indexed] = -1
    term = np.empty(size, dtype=np.int32)
    term[place] = np.repeat(number, df)
    return keys.take(place.take(firsts[indexed])), df[indexed], term


def _top_in_batch(
    doc: npt.NDArray[np.uint8], term: npt.NDArray[np.int32], score: npt.NDArray[np.float32],
    limit: int,
) -> tuple[npt.NDArray[np.uint8], Ints, npt.NDArray[np.float32]]:
    """Each article's ``limit`` best-scoring terms (ties: the lower term number), none scoring 0."""
    top = float(score.max(initial=0.0))
    if top <= 0:
        return doc[:0], term[:0].astype(np.int64), score[:0]
    term_bits = max(1, int(term.max(initial=0)).bit_length())
    score_bits = min(24, 57 - term_bits)  # float32 scores: 24 bits of precision
    steps = (1 << score_bits) - 1
    quantum = np.minimum(np.rint(score * np.float32(steps / top)), steps).astype(np.uint64)
    packed = (
        (doc.astype(np.uint64) << np.uint64(57))
        | ((np.uint64(steps) - quantum) << np.uint64(term_bits))
        | term.astype(np.uint64)
    )
    packed.sort()
    packed = packed[_leading(packed >> np.uint64(57), 128, limit)]
    kept = np.uint64(steps) - ((packed >> np.uint64(term_bits)) & np.uint64(steps))
    packed, kept = packed[kept > 0], kept[kept > 0]
    return (
        (packed >> np.uint64(57)).astype(np.uint8),
        (packed & np.uint64((1 << term_bits) - 1)).astype(np.int64),
        kept.astype(np.float32) * np.float32(top / steps),
    )


def _df_limit(n: int, settings: Settings) -> float:
    """The most articles a term or tag may be in and still be indexed."""
    return max(float(settings.max_df_floor), settings.max_df_share * n)


def _fields(docs: Sequence[Doc], settings: Settings) -> list[str]:
    """Title, summary and (the start of) the body of each doc, in that order."""
    texts: list[str] = []
    for d in docs:
        texts += (d.title, d.summary, _clip(d.text, settings.body_chars))
    return texts


def _clip(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > 0 else limit]


def _run_starts(values: npt.NDArray[Any]) -> Ints:
    """Where each run of equal values starts, in a sorted array."""
    return np.flatnonzero(_starts_runs(values))


def _starts_runs(values: npt.NDArray[Any]) -> npt.NDArray[np.bool_]:
    """Whether each element of a sorted array starts a run of equal values."""
    new = np.empty(len(values), dtype=np.bool_)
    new[:1] = True
    np.not_equal(values[1:], values[:-1], out=new[1:])
    return new


def _unit_rows(matrix: sparse.csr_matrix) -> sparse.csr_matrix:
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sparse.csr_matrix(sparse.diags(1 / norms) @ matrix)


def _tag_matrix(
    docs: Sequence[Doc], settings: Settings
) -> tuple[sparse.csr_matrix, tuple[str, ...]]:
    names = sorted({t for d in docs for t in d.tags})
    column = {name: c for c, name in enumerate(names)}
    rows, cols = [], []
    for i, d in enumerate(docs):
        for tag in dict.fromkeys(d.tags):
            rows.append(i)
            cols.append(column[tag])
    n = len(docs)
    df = np.bincount(np.array(cols, dtype=np.int64), minlength=len(names))
    idf = np.log((n + 1) / (df + 0.5))
    useful = (df > 1) & (df <= _df_limit(n, settings))
    col_arr = np.array(cols, dtype=np.int64)
    keep = useful[col_arr] if len(cols) else np.zeros(0, np.bool_)
    matrix = sparse.csr_matrix(
        (idf[col_arr[keep]], (np.array(rows, dtype=np.int64)[keep], col_arr[keep])),
        shape=(n, len(names)),
    )
    return _unit_rows(matrix), tuple(names)


# -- scoring ------------------------------------------------------------------------------------
def _postings(matrix: sparse.csr_matrix, settings: Settings) -> sparse.csr_matrix:
    """The inverted index as a matrix (terms × articles): each term keeps its strongest articles."""
    by_term = sparse.csr_matrix(matrix.T)  # rows: terms
    lengths = np.diff(by_term.indptr)
    limit = settings.postings_per_term
    if not (lengths > limit).any():
        return by_term
    row = np.repeat(np.arange(by_term.shape[0]), lengths)
    heavy = lengths[row] > limit
    order = np.lexsort((by_term.indices[heavy], -by_term.data[heavy], row[heavy]))
    rank = np.empty(len(order), dtype=np.int64)
    heavy_rows = row[heavy][order]
    rank[order] = np.arange(len(order)) - np.searchsorted(heavy_rows, heavy_rows)
    keep = np.ones(len(row), dtype=np.bool_)
    keep[np.flatnonzero(heavy)] = rank < limit
    out = sparse.csr_matrix(
        (
            by_term.data[keep],
            by_term.indices[keep],
            np.concatenate(([0], np.cumsum(np.bincount(row[keep], minlength=by_term.shape[0])))),
        ),
        shape=by_term.shape,
    )
    return out


def _scores(
    text_rows: sparse.csr_matrix,
    tag_rows: sparse.csr_matrix,
    index: sparse.csr_matrix,
    tag_index: sparse.csr_matrix,
    tagged: npt.NDArray[np.bool_],
    start: int,
    days: Floats,
    settings: Settings,
) -> tuple[Ints, Ints, Floats, Floats]:
    """(row in block, article, score, days apart) of every candidate of the block of rows from
    ``start``."""
    stop = start + text_rows.shape[0]
    text = sparse.csr_matrix(text_rows @ index)
    # Both tagged: (1 - share) text + share tags; otherwise the text alone.
    share = settings.tag_share
    rows = np.repeat(np.arange(stop - start), np.diff(text.indptr))
    text.data *= 1 - share * (tagged[start:stop].take(rows) & tagged.take(text.indices))
    combined = (text + share * sparse.csr_matrix(tag_rows @ tag_index)).tocoo()
    rows, cols, scores = combined.row, combined.col, combined.data
    keep = (rows + start != cols) & (scores > 0)
    rows, cols, scores = rows[keep], cols[keep], scores[keep]
    gap = np.abs(days.take(rows + start) - days.take(cols))
    bonus = np.divide(gap, -settings.date_scale_days)
    np.exp(bonus, out=bonus)
    bonus *= settings.date_bonus
    bonus += 1
    return rows, cols, scores * bonus, gap


def _top_per_row(
    rows: Ints, cols: Ints, scores: Floats, gaps: Floats, height: int, wanted: int
) -> tuple[Ints, Ints, Floats]:
    """The ``wanted`` best of each row (highest score, then closest date, then lowest index):
    row r's are cols[bounds[r]:bounds[r + 1]], with their scores."""
    if len(rows) == 0:
        return np.zeros(height + 1, dtype=np.int64), cols, scores
    # One sort of packed integers (row, quantised score, entry) finds each row's best candidates;
    # ties at the quantum are then settled exactly by a lexsort of these few.
    row_bits = max(1, (height - 1).bit_length())
    entry_bits = max(1, (len(rows) - 1).bit_length())
    score_bits = min(52, 64 - row_bits - entry_bits)
    steps = (1 << score_bits) - 1
    quantum = np.minimum(np.floor(scores * (steps / scores.max())), steps).astype(np.uint64)
    packed = (
        (rows.astype(np.uint64) << np.uint64(64 - row_bits))
        | ((np.uint64(steps) - quantum) << np.uint64(entry_bits))
        | np.arange(len(rows), dtype=np.uint64)
    )
    packed.sort()
    lead = packed[_leading(packed >> np.uint64(64 - row_bits), height, wanted + 2)]
    chosen = (lead & np.uint64((1 << entry_bits) - 1)).astype(np.int64)
    chosen = chosen[np.lexsort((cols[chosen], gaps[chosen], -scores[chosen], rows[chosen]))]
    chosen = chosen[_leading(rows.take(chosen), height, wanted)]
    bounds = np.searchsorted(rows[chosen], np.arange(height + 1))
    return bounds, cols[chosen], scores[chosen]


def _leading(groups: npt.NDArray[Any], count: int, limit: int) -> npt.NDArray[np.bool_]:
    """For a sorted array of group numbers below ``count``: the first ``limit`` of each group."""
    firsts = np.searchsorted(groups, np.arange(count, dtype=groups.dtype))
    return np.arange(len(groups)) < firsts.take(groups) + limit


def _finish(
    i: int,
    docs: Sequence[Doc],
    scored: list[tuple[float, int]],
    k: int,
    by_date: Ints,
    position: Ints,
) -> tuple[Match, ...]:
    chosen: list[Match] = []
    seen = {i}
    for j in docs[i].pins:
        if j not in seen and len(chosen) < k:
            chosen.append(Match(j, 0.0, reason="pinned"))
            seen.add(j)
    for score, j in scored:
        if len(chosen) >= k:
            break
        if j not in seen:
            chosen.append(Match(j, round(score, 6)))
            seen.add(j)
    if len(chosen) < k:
        chosen.extend(_nearest_in_date(i, docs, by_date, position, seen, k - len(chosen)))
    return tuple(chosen)


def _nearest_in_date(
    i: int, docs: Sequence[Doc], by_date: Ints, position: Ints, seen: set[int], wanted: int
) -> list[Match]:
    """Fill a short list with the articles nearest in date, same category first."""
    out: list[Match] = []
    n = len(by_date)
    for same_category_only in (True, False):
        left, right = int(position[i]) - 1, int(position[i]) + 1
        while len(out) < wanted and (left >= 0 or right < n):
            candidates = []
            if left >= 0:
                candidates.append(int(by_date[left]))
            if right < n:
                candidates.append(int(by_date[right]))
            candidates.sort(key=lambda j: (abs(docs[j].day - docs[i].day), j))
            for j in candidates:
                if len(out) >= wanted:
                    break
                if j in seen:
                    continue
                if same_category_only and docs[j].category != docs[i].category:
                    continue
                out.append(Match(j, 0.0, reason="recent"))
                seen.add(j)
            left -= 1
            right += 1
            if same_category_only and right - left > 400:
                break
    return out


def _spelling(docs: Sequence[Doc], model: _Model, settings: Settings) -> dict[int, str]:
    """Term column → the term as written, for the terms of a few articles."""
    tokens = tokenise(_fields(docs, settings))
    found = occurrences(tokens)
    words = spelled(tokens, found)
    wanted = found.keys >> np.uint64(model.key_shift)
    at = np.searchsorted(model.keys, wanted)
    hit = at < len(model.keys)
    hit[hit] = model.keys[at[hit]] == wanted[hit]
    out: dict[int, str] = {}
    hit_words = np.array(words, dtype=object)[hit].tolist()
    for column, word in zip(at[hit].tolist(), hit_words, strict=True):
        out.setdefault(column, word)
    return out
