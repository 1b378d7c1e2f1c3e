"""Related articles: shared rare tags plus text similarity, found through an inverted index."""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Sequence

# Syllables that carry no topic in Vietnamese news text.
STOP_SYLLABLES = frozenset("""
của và các những được đã là có cho với trong không này đó một để khi thì từ tại về theo cũng như
người ra vào lại đến nhiều sẽ đang nên bị do còn rất trên dưới sau trước nếu hay hoặc mà nhưng vì
năm ngày tháng giờ phút qua tới hơn gần khoảng cùng đây đều chỉ việc số nhằm làm này kia ấy nào
rằng thế bằng ở chưa vẫn mới luôn hết nhau mỗi cả gì ai đi sự
""".split())

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_SEGMENT = re.compile(r"[.,;:!?()\[\]\"“”'‘’…–—\-/\n]+")


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


@dataclass(frozen=True, slots=True)
class Match:
    """One related article and what earned it."""

    index: int
    score: float
    shared_tags: tuple[str, ...] = ()
    shared_terms: tuple[str, ...] = ()
    reason: str = "score"  # "pinned", "score" or "recent"


@dataclass(frozen=True, slots=True)
class Settings:
    title_weight: float = 3.0
    summary_weight: float = 2.0
    body_weight: float = 1.0
    tag_share: float = 0.5  # share of the score from tags when both sides are tagged
    terms_per_doc: int = 40
    postings_per_term: int = 300
    date_scale_days: float = 30.0
    date_bonus: float = 0.05


def terms(text: str) -> list[str]:
    """Syllables and syllable bigrams of a text, lower-cased, NFC, without stop-syllables.

    >>> terms("Công an tỉnh và ma tuý")
    ['công', 'an', 'tỉnh', 'ma', 'tuý', 'công an', 'an tỉnh', 'ma tuý']
    """
    text = unicodedata.normalize("NFC", text).lower()
    unigrams: list[str] = []
    bigrams: list[str] = []
    for segment in _SEGMENT.split(text):
        words = _WORD.findall(segment)
        previous = None
        for word in words:
            if word in STOP_SYLLABLES or len(word) < 2 and not word.isalpha():
                previous = None
                continue
            unigrams.append(word)
            if previous is not None:
                bigrams.append(previous + " " + word)
            previous = word
    return unigrams + bigrams


def _vector(doc: Doc, settings: Settings) -> Counter[str]:
    weights: Counter[str] = Counter()
    for text, weight in ((doc.title, settings.title_weight), (doc.summary, settings.summary_weight),
                         (doc.text, settings.body_weight)):
        for term in terms(text):
            weights[term] += weight
    return weights


def related(docs: Sequence[Doc], k: int, settings: Settings = Settings()) -> list[tuple[Match, ...]]:
    """For each doc, up to ``k`` others, best first: pins, then scored, then nearest in date."""
    n = len(docs)
    raw = [_vector(doc, settings) for doc in docs]
    df: Counter[str] = Counter()
    for vec in raw:
        df.update(vec.keys())
    tag_df: Counter[str] = Counter()
    for doc in docs:
        tag_df.update(set(doc.tags))

    def idf(count: int) -> float:
        return math.log((n + 1) / (count + 0.5))

    vectors: list[dict[str, float]] = []
    for vec in raw:
        weighted = {t: (1 + math.log(tf)) * idf(df[t]) for t, tf in vec.items() if df[t] > 1}
        top = sorted(weighted.items(), key=lambda item: (-item[1], item[0]))[: settings.terms_per_doc]
        norm = math.sqrt(sum(w * w for _, w in top)) or 1.0
        vectors.append({t: w / norm for t, w in top})
    tag_vectors: list[dict[str, float]] = []
    for doc in docs:
        weighted = {t: idf(tag_df[t]) for t in set(doc.tags) if tag_df[t] > 1}
        norm = math.sqrt(sum(w * w for w in weighted.values())) or 1.0
        tag_vectors.append({t: w / norm for t, w in weighted.items() if w > 0})

    postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for i, vec in enumerate(vectors):
        for term, weight in vec.items():
            postings[term].append((i, weight))
    for term, plist in postings.items():
        if len(plist) > settings.postings_per_term:
            plist.sort(key=lambda item: (-item[1], item[0]))
            del plist[settings.postings_per_term:]
    tag_postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for i, vec in enumerate(tag_vectors):
        for tag, weight in vec.items():
            tag_postings[tag].append((i, weight))
    for plist in tag_postings.values():
        if len(plist) > settings.postings_per_term:
            plist.sort(key=lambda item: (-item[1], item[0]))
            del plist[settings.postings_per_term:]

    by_date = sorted(range(n), key=lambda i: (docs[i].day, i))
    position = {doc_index: rank for rank, doc_index in enumerate(by_date)}
    results: list[tuple[Match, ...]] = []
    for i, doc in enumerate(docs):
        text_scores: dict[int, float] = defaultdict(float)
        for term, weight in vectors[i].items():
            for j, other in postings.get(term, ()):
                text_scores[j] += weight * other
        tag_scores: dict[int, float] = defaultdict(float)
        for tag, weight in tag_vectors[i].items():
            for j, other in tag_postings.get(tag, ()):
                tag_scores[j] += weight * other
        scored: list[tuple[float, float, int]] = []
        for j in set(text_scores) | set(tag_scores):
            if j == i:
                continue
            if tag_vectors[i] and tag_vectors[j]:
                score = (1 - settings.tag_share) * text_scores.get(j, 0.0) + \
                    settings.tag_share * tag_scores.get(j, 0.0)
            else:
                score = text_scores.get(j, 0.0)
            gap = abs(doc.day - docs[j].day)
            score *= 1 + settings.date_bonus * math.exp(-gap / settings.date_scale_days)
            scored.append((-score, gap, j))
        scored.sort()
        chosen: list[Match] = []
        seen = {i}
        for j in doc.pins:
            if j not in seen and len(chosen) < k:
                chosen.append(Match(j, 0.0, reason="pinned"))
                seen.add(j)
        for negative, _, j in scored:
            if len(chosen) >= k:
                break
            if j in seen or negative >= 0:
                continue
            shared_tags = tuple(sorted(set(doc.tags) & set(docs[j].tags)))
            shared = sorted((t for t in vectors[i] if t in vectors[j]),
                            key=lambda t: (-vectors[i][t] * vectors[j][t], t))[:5]
            chosen.append(Match(j, round(-negative, 6), shared_tags, tuple(shared)))
            seen.add(j)
        if len(chosen) < k:
            chosen.extend(_nearest_in_date(i, docs, by_date, position, seen, k - len(chosen)))
        results.append(tuple(chosen))
    return results


def _nearest_in_date(i: int, docs: Sequence[Doc], by_date: list[int], position: dict[int, int],
                     seen: set[int], wanted: int) -> list[Match]:
    """Fill a short list with the articles nearest in date, same category first."""
    out: list[Match] = []
    for same_category_only in (True, False):
        left, right = position[i] - 1, position[i] + 1
        while len(out) < wanted and (left >= 0 or right < len(by_date)):
            candidates = []
            if left >= 0:
                candidates.append(by_date[left])
            if right < len(by_date):
                candidates.append(by_date[right])
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
            if same_category_only and abs(right - left) > 400:
                break
    return out
