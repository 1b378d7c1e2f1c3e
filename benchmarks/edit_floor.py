"""How fast one body edit's rebuild could be, in a new process: the parts of it no design skips.

    python -m benchmarks.compare --sizes 10000 --peers none --keep /tmp/bench
    python -m benchmarks.edit_floor /tmp/bench/10000/ours --cold 17.4

For a site the comparison benchmark kept, it times, each the best of 3:

- start: a new Python process importing the modules a rebuild needs (their bytecode compiled);
- model: every article of the site loaded from one pickle, as a site model kept between builds
  would be (the articles as the build makes them, without their bodies);
- related: the related lists of every article worked out again, from the terms each article's
  text holds (counted beforehand, as the cache keeps them). One edited body changes how rare its
  terms are, and so the weights of every article sharing one, whose lists can change in turn.

and prints them, their sum, and 10% of the cold build time given with ``--cold``. The search
index, the choice of the pages to render again and their writing come on top.
"""

from __future__ import annotations

import argparse
import pickle
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path

if __package__ in (None, ""):  # run as a file: python benchmarks/edit_floor.py
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.compare import NOW, PROJECT, compile_ours
from bulletin import pipeline, related
from bulletin.options import Options

REBUILD_MODULES = ("bulletin.cli", "bulletin.pipeline", "bulletin.related", "bulletin.search",
                   "bulletin.markup", "bulletin.render")


def best(run: Callable[[], object], times: int = 3) -> float:
    """The shortest of ``times`` timed calls of ``run``, in seconds."""
    spans = []
    for _ in range(times):
        started = time.perf_counter()
        run()
        spans.append(time.perf_counter() - started)
    return min(spans)


def start_seconds() -> float:
    compile_ours()
    command = [sys.executable, "-c", "import " + ", ".join(REBUILD_MODULES)]
    return best(lambda: subprocess.run(command, cwd=PROJECT, check=True))


def floors(site: Path) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as scratch:
        result = pipeline.build(Options(
            content=site / "content", output=Path(scratch) / "output",
            config=site / "site.toml", templates=site / "templates", static=PROJECT / "static",
            cache=None, future=True, now=datetime.fromisoformat(NOW), write=False))
    articles = list(result.published)
    # The articles' shared body store and their extra front matter (a read-only mapping) are
    # left out: what a model would keep of them is the rest.
    blob = pickle.dumps([replace(a, bodies=None, extra=dict(a.extra)) for a in articles],
                        protocol=pickle.HIGHEST_PROTOCOL)
    docs = pipeline.related_docs(articles, texts=result.texts)
    assert result.config is not None
    counted = related.count(docs)
    count = result.config.related_count
    return {
        "start": start_seconds(),
        "model": best(lambda: pickle.loads(blob)),
        "related": best(lambda: related.related(docs, count, counted=counted)),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("site", type=Path, help="a site folder: content/, templates/, site.toml")
    parser.add_argument("--cold", type=float, metavar="SECONDS",
                        help="the site's cold build time, for the 10%% target")
    args = parser.parse_args(argv)
    found = floors(args.site)
    for name, seconds in found.items():
        print(f"{name:8} {seconds:6.2f} s")
    print(f"{'sum':8} {sum(found.values()):6.2f} s")
    if args.cold:
        print(f"{'target':8} {args.cold / 10:6.2f} s (10% of a {args.cold:.2f} s cold build)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
