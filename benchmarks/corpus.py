"""A deterministic generator of Vietnamese-like news corpora with known topic labels.

Each topic has its own vocabulary mixed into common words, and its own tags. ``noisy`` tagging
imitates real newsrooms: 15% of articles untagged and half carrying a site-wide tag.

    python -m benchmarks.corpus /tmp/site/content --articles 1000 --noisy
"""

from __future__ import annotations

import argparse
import random
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

ONSET = "b c ch d đ g gh h k kh l m n ng nh p ph qu r s t th tr v x".split()
RHYME = (
    "a à á ả ã ạ ai an ang anh ao ay âm ân âu ấy ăn ăng e em en eo ê êm ên ết i im in inh "
    "iu o oa oai oan oang oát oc oi om on ong ô ôi ôm ôn ông ơ ơi ơm ơn u ui um un ung uy uyên "
    "ư ưa ưng ươi ương ướt"
).split()
COMMON = (
    "công tác của và các những được đã là có cho với trong không này một để khi từ tại về "
    "theo cũng như người ra vào lại đến nhiều sẽ đang nên do còn rất trên sau trước ngày "
    "tháng năm tỉnh huyện xã lực lượng cán bộ nhân dân địa bàn tình hình kết quả thực hiện "
    "triển khai tổ chức chỉ đạo đơn vị cơ quan chức năng tăng cường đảm bảo hoạt động"
).split()
SITE_WIDE_TAGS = ("Tin tức", "Hưng Yên", "Công an tỉnh")
CATEGORIES = ("Tin tức, sự kiện", "An ninh trật tự", "Phòng cháy chữa cháy", "Hoạt động cơ sở")


@dataclass(frozen=True, slots=True)
class Generated:
    path: Path
    slug: str
    topic: int
    tags: tuple[str, ...]
    date: datetime


def _syllable(rng: random.Random) -> str:
    return rng.choice(ONSET) + rng.choice(RHYME)


def _topic_words(rng: random.Random, count: int) -> list[str]:
    return [f"{_syllable(rng)} {_syllable(rng)}" for _ in range(count)]


def generate(
    folder: Path,
    articles: int,
    *,
    topics: int | None = None,
    noisy: bool = False,
    words: int = 500,
    seed: int = 7,
    extra_key: bool = True,
    start: datetime = datetime(2020, 1, 1, 7, 0, tzinfo=timezone(timedelta(hours=7))),
    write: bool = True,
) -> list[Generated]:
    """Write ``articles`` Markdown files into ``folder`` and return what each one is.

    ``write=False`` only returns what the same call would write (the corpus is deterministic).
    """
    rng = random.Random(seed)
    topics = topics or max(10, articles // 100)
    vocab = [_topic_words(rng, 40) for _ in range(topics)]
    topic_tags = [[f"chủ đề {t} {w.split()[0]}" for w in vocab[t][:4]] for t in range(topics)]
    if write:
        folder.mkdir(parents=True, exist_ok=True)
    made: list[Generated] = []
    for i in range(articles):
        topic = rng.randrange(topics)
        words_here = vocab[topic]
        title_words = rng.sample(words_here, 3) + rng.sample(COMMON, 3)
        rng.shuffle(title_words)
        title = " ".join(title_words).capitalize() + f" số {i}"
        paragraphs = []
        remaining = words
        while remaining > 0:
            size = min(remaining, rng.randint(40, 90))
            chosen = [
                rng.choice(words_here) if rng.random() < 0.25 else rng.choice(COMMON)
                for _ in range(size)
            ]
            paragraphs.append(" ".join(chosen).capitalize() + ".")
            remaining -= size
        tags = list(rng.sample(topic_tags[topic], 2))
        if noisy:
            if rng.random() < 0.15:
                tags = []
            elif rng.random() < 0.5:
                tags.append(rng.choice(SITE_WIDE_TAGS))
        date = start + timedelta(hours=7 * i + rng.randint(0, 5))
        slug = f"bai-{i:06d}"
        lines = [
            "---",
            f'title: "{title}"',
            f"date: {date.isoformat()}",
            f'category: "{CATEGORIES[topic % len(CATEGORIES)]}"',
            f'author: "Phóng viên {i % 17}"',
        ]
        if tags:
            lines.append("tags: [" + ", ".join(f'"{t}"' for t in tags) + "]")
        if extra_key:
            lines.append(f"topic: {topic}")
        lines.append(f"slug: {slug}")
        lines.append("---")
        path = folder / f"{slug}.md"
        if write:
            path.write_text(
                "\n".join(lines) + "\n\n" + "\n\n".join(paragraphs) + "\n", encoding="utf-8"
            )
        made.append(Generated(path, slug, topic, tuple(tags), date))
    return made


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("folder", type=Path)
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--noisy", action="store_true")
    parser.add_argument("--words", type=int, default=500)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    made = generate(args.folder, args.articles, noisy=args.noisy, words=args.words, seed=args.seed)
    print(f"wrote {len(made)} articles to {args.folder}")


if __name__ == "__main__":
    main()
