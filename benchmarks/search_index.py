"""How the search index grows with the archive: build time, total size, shard sizes.

    python -m benchmarks.search_index --articles 10000

Generates a corpus with benchmarks.corpus, turns its articles into search documents without a full
build (front matter is read directly), and times bulletin.search.index_files alone.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import frontmatter

from bulletin.search import SearchDoc, index_files

from .corpus import generate


def documents(folder: Path) -> list[SearchDoc]:
    docs = []
    for path in sorted(folder.glob("*.md")):
        post = frontmatter.load(path)
        docs.append(SearchDoc(
            url=f"/tin/{post['slug']}/", title=str(post["title"]), date=str(post["date"])[:10],
            summary=post.content[:220], tags=" . ".join(post.get("tags", [])) + " . "
            + str(post.get("category", "")), lead="", body=post.content))
    return docs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=10000)
    parser.add_argument("--words", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        generate(Path(tmp), args.articles, noisy=True, words=args.words)
        docs = documents(Path(tmp))
    wall, cpu = time.perf_counter(), time.process_time()
    files = index_files(docs)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    shards = [len(data) for name, data in files if name.startswith("t/")]
    total = sum(len(data) for _, data in files)
    print(f"{len(docs)} articles: index in {wall:.1f} s ({cpu:.1f} s CPU); {len(files)} files, "
          f"{total / 1e6:.1f} MB; {len(shards)} term shards, median "
          f"{statistics.median(shards) / 1e3:.1f} KB, largest {max(shards) / 1e3:.1f} KB")


if __name__ == "__main__":
    main()
