"""A generated site of 1,000 articles: every list chain reaches exactly its articles, newest first."""

from __future__ import annotations

from collections import defaultdict

from bulletin.slug import slugify

from .conftest import article
from .test_site import chain

TOPICS = ["ma tuý", "giao thông", "cháy nổ", "lừa đảo", "Đề án 06", "an ninh mạng", "cứu hộ"]


def test_a_thousand_articles_build_and_every_chain_is_complete(make_site) -> None:
    files: dict[str, str | bytes] = {}
    expected_tags: dict[str, list[tuple[str, str]]] = defaultdict(list)
    everything: list[tuple[str, str]] = []
    for i in range(1000):
        date = f"2025-{i % 12 + 1:02d}-{i % 28 + 1:02d}T{i % 24:02d}:{i % 60:02d}:00+07:00"
        tags = [] if i % 7 == 0 else [TOPICS[i % len(TOPICS)]]
        if i % 2 == 0:
            tags.append("Tin tức")  # a site-wide tag carried by half of the articles
        slug = f"bai-{i:04d}"
        front = {"slug": slug, "topic": str(i % 5)}
        if tags:
            front["tags"] = "[" + ", ".join(f'"{t}"' for t in tags) + "]"
        files[f"content/{slug}.md"] = article(f"Bài số {i}", date=date,
                                              body=f"Nội dung bài {i} về {' và '.join(tags) or 'địa phương'}.",
                                              **front)
        url = f"/tin/{slug}/"
        everything.append((date, url))
        for tag in tags:
            expected_tags[slugify(tag)].append((date, url))
    site = make_site(files, config='base_url = "https://example.gov.vn/"\npage_size = 20\n')
    result = site.run()
    assert result.code == 0, result.err
    date_of = {url: date for date, url in everything}
    home = chain(site, "/")
    assert len(home) == 1000 and set(home) == set(date_of)
    assert [date_of[u] for u in home] == sorted(date_of.values(), reverse=True)
    for tag, items in expected_tags.items():
        urls = chain(site, f"/the/{tag}/")
        assert sorted(urls) == sorted(url for _, url in items), tag
        assert [date_of[u] for u in urls] == sorted((d for d, _ in items), reverse=True), tag
    assert len(expected_tags["tin-tuc"]) == 500
