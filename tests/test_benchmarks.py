"""The comparison benchmark's corpus conversion, edits and memory sampling: peers get each article's
front matter."""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
import tomllib
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import markdown
import pytest
import yaml

from benchmarks import compare, edit_floor, markdown_alone, measure
from benchmarks.compare import (
    PROJECT,
    TEMPLATE_MARK,
    Row,
    SizeResult,
    cold_table,
    compile_ours,
    edit_template,
    merged,
    ours_command,
    rebuild_table,
    run_size,
    set_tags,
    target_lines,
    write_bare_templates,
)
from benchmarks.corpus import generate
from benchmarks.peers import (
    SITE_TIMEZONE,
    CorpusArticle,
    corpus,
    hugo_front_matter,
    pelican_config,
    pelican_metadata,
    read_article,
    write_hugo_site,
    write_pelican_site,
)


@pytest.fixture
def three(tmp_path: Path) -> tuple[list, list[CorpusArticle]]:
    made = generate(tmp_path / "corpus", 3, noisy=True, words=500)
    return made, corpus(tmp_path / "corpus")


def _split_yaml(text: str) -> tuple[dict, str]:
    opening, front, body = text.split("---\n", 2)
    assert opening == ""
    return yaml.safe_load(front), body


def test_hugo_site_has_each_article_with_its_front_matter(tmp_path: Path, three) -> None:
    made, articles = three
    assert write_hugo_site(articles, tmp_path / "hugo") == 3
    for item, article in zip(made, articles, strict=True):
        meta, body = _split_yaml((tmp_path / "hugo" / "content" / "posts" / f"{item.slug}.md")
                                 .read_text(encoding="utf-8"))
        assert set(meta) == {"title", "date", "tags", "categories", "slug"}
        assert meta["title"] == article.title and meta["title"].endswith(f"số {made.index(item)}")
        assert meta["date"] == item.date
        assert meta["tags"] == list(item.tags)
        assert meta["categories"] == [article.category] and article.category
        assert meta["slug"] == item.slug
        assert body.split() == article.body.split() and len(body.split()) >= 500


def test_hugo_config_paginates_by_20_and_relates_by_tags_and_date(tmp_path: Path, three) -> None:
    write_hugo_site(three[1], tmp_path / "hugo")
    config = tomllib.loads((tmp_path / "hugo" / "hugo.toml").read_text(encoding="utf-8"))
    assert config["pagination"]["pagerSize"] == 20
    assert config["taxonomies"] == {"tag": "tags", "category": "categories"}
    related = config["related"]
    assert [index["name"] for index in related["indices"]] == ["tags", "date"]
    assert related["threshold"] == 80 and related["includeNewer"] is True
    page = (tmp_path / "hugo" / "layouts" / "page.html").read_text(encoding="utf-8")
    assert "site.RegularPages.Related . | first 5" in page


def test_pelican_site_has_each_article_with_its_metadata(tmp_path: Path, three) -> None:
    made, articles = three
    assert write_pelican_site(articles, tmp_path / "pelican") == 3
    for item, article in zip(made, articles, strict=True):
        text = (tmp_path / "pelican" / "content" / f"{item.slug}.md").read_text(encoding="utf-8")
        reader = markdown.Markdown(extensions=["meta"])  # how Pelican's Markdown reader reads it
        html = reader.convert(text)
        meta = {key: values[0] for key, values in reader.Meta.items()}  # type: ignore[attr-defined]
        assert {"title", "date", "category", "slug"} <= set(meta)
        assert meta["title"] == article.title
        date = datetime.fromisoformat(meta["date"]).replace(tzinfo=ZoneInfo(SITE_TIMEZONE))
        assert date == item.date
        assert meta.get("tags", "").split(", ") == (list(item.tags) or [""])
        assert meta["category"] == article.category
        assert meta["slug"] == item.slug
        assert html.count("<p>") == article.body.count("\n\n") + 1


def test_pelican_config_paginates_by_20_with_the_default_theme(tmp_path: Path) -> None:
    settings: dict = {}
    exec(compile(pelican_config(tmp_path / "cache"), "pelicanconf.py", "exec"), settings)
    assert settings["DEFAULT_PAGINATION"] == 20
    assert "THEME" not in settings
    assert settings["CACHE_PATH"] == str(tmp_path / "cache")


def test_untagged_article_converts_and_a_comma_tag_is_refused() -> None:
    article = CorpusArticle("Tin", datetime(2024, 3, 15, 8, tzinfo=ZoneInfo(SITE_TIMEZONE)),
                            "Tin tức, sự kiện", "", (), "tin", "Thân bài.\n")
    meta, _ = _split_yaml(hugo_front_matter(article))
    assert meta["tags"] == [] and meta["categories"] == ["Tin tức, sự kiện"]
    assert "Tags:" not in pelican_metadata(article)
    with pytest.raises(ValueError, match="commas"):
        pelican_metadata(CorpusArticle(**{**_fields(article), "tags": ("a, b",)}))


def _fields(article: CorpusArticle) -> dict:
    return {name: getattr(article, name) for name in CorpusArticle.__slots__}


def test_benchmark_edits_change_tags_and_template(tmp_path: Path, three) -> None:
    made, _ = three
    set_tags(made[0].path, ["Công an tỉnh", "mới"])
    edited = read_article(made[0].path)
    assert edited.tags == ("Công an tỉnh", "mới") and edited.slug == made[0].slug
    templates = tmp_path / "templates"
    templates.mkdir()
    original = (PROJECT / "templates" / "article.html").read_text(encoding="utf-8")
    (templates / "article.html").write_text(original, encoding="utf-8")
    edit_template(templates)
    changed = (templates / "article.html").read_text(encoding="utf-8")
    assert changed.replace(TEMPLATE_MARK, "") == original
    assert changed.index("{% block content %}") < changed.index(TEMPLATE_MARK)


# A child that holds 200 MB of its own for half a second, then a tenth of it for 1.5 s more.
_HOLDS = ("import time; big = bytes(range(256)) * (200 * 4096); time.sleep(0.5); "
          "del big; small = bytes(range(256)) * (20 * 4096); time.sleep(1.5)")


@pytest.mark.skipif(not Path("/proc/self/smaps_rollup").exists(), reason="needs Linux's /proc")
def test_sampler_finds_the_peak_and_reads_pss_only_above_it(tmp_path: Path, monkeypatch) -> None:
    reads = {"rss": 0, "pss": 0}
    rss_kb, memory_kb = measure._rss_kb, measure._memory_kb

    def counted_rss(pid: int) -> int:
        reads["rss"] += 1
        return rss_kb(pid)

    def counted_pss(pid: int) -> int:
        reads["pss"] += 1
        return memory_kb(pid)

    monkeypatch.setattr(measure, "_rss_kb", counted_rss)
    monkeypatch.setattr(measure, "_memory_kb", counted_pss)
    run = measure.measure([sys.executable, "-c", _HOLDS], cwd=tmp_path, logs=tmp_path / "logs",
                          name="holds", timeout=60)
    assert run.ok, run.tail()
    assert 200 <= run.peak_mb <= run.max_rss_mb + 1
    # Once the peak is read, the time the child holds less costs RSS reads only.
    assert reads["rss"] >= 2 * reads["pss"] > 0, reads


def test_our_builds_run_as_installed_with_their_bytecode_compiled(monkeypatch) -> None:
    """As pip compiles a regular install (and did the peers'), whatever the environment says:
    under PYTHONDONTWRITEBYTECODE, an editable install would compile its modules on every run."""
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    compiled = [Path(importlib.util.cache_from_source(str(module)))
                for module in sorted((PROJECT / "bulletin").glob("*.py"))]
    compiled[0].unlink(missing_ok=True)
    compile_ours()
    assert all(path.is_file() for path in compiled)


def test_the_floor_build_writes_every_page_with_its_kind_only(tmp_path: Path, three) -> None:
    made, _ = three
    write_bare_templates(tmp_path / "bare" / "templates")
    (tmp_path / "bare" / "site.toml").write_text('title = "t"\n', encoding="utf-8")
    command = ours_command(tmp_path / "bare", cache=True, content=tmp_path / "corpus")
    subprocess.run(command, cwd=PROJECT, check=True, capture_output=True)
    output = tmp_path / "bare" / "output"
    assert (output / "index.html").read_text(encoding="utf-8") == "index\n"
    for item in made:
        page = output / "tin" / item.slug / "index.html"
        assert page.read_text(encoding="utf-8") == "article\n"


def test_markdown_alone_converts_every_body_and_halves_its_time_against_the_peers(
        tmp_path: Path, three, capsys) -> None:
    made, _ = three
    texts = markdown_alone.bodies(tmp_path / "corpus")
    assert len(texts) == len(made)
    assert all(not text.startswith("---") and "title:" not in text for text in texts)
    assert markdown_alone.main([str(tmp_path / "corpus")]) == 0
    line = capsys.readouterr().out.strip()
    assert re.fullmatch(r"converted 3 bodies with Python-Markdown \S+ in [0-9.]+ s of one core",
                        line), line
    assert markdown_alone.main([str(tmp_path / "missing")]) == 2
    assert compare.converted(replace(_run(1.0), stdout=line + "\n")) == 3

    def row(tool: str, seconds: float, printed: str = "") -> Row:
        run = replace(_run(seconds), stdout=printed)
        return Row(tool, "cold", tool, 10, (run,), 1, 1)

    result = SizeResult(10, (row("ours", 4.0), row("markdown", 5.0, "converted 10 bodies with "
                                                    "Python-Markdown 3 in 6.00 s of one core\n"),
                             row("hugo", 10.0)), ())
    (hugo,) = [line for line in target_lines(result, None) if "Hugo" in line or "hugo" in line]
    assert "Python-Markdown alone, halved over two cores, 0.30 ×" in hugo, hugo
    assert hugo.startswith("cold ≤ 0.25 × hugo: 0.40 ×") and hugo.endswith("NOT met")


def test_the_edit_floor_times_start_model_and_related_lists(tmp_path: Path, three, capsys,
                                                            monkeypatch) -> None:
    site = tmp_path / "site"
    shutil.copytree(tmp_path / "corpus", site / "content")
    shutil.copytree(PROJECT / "templates", site / "templates")
    (site / "site.toml").write_text('title = "t"\nrelated_count = 2\n', encoding="utf-8")
    found: dict[str, dict[str, float]] = {}
    real = edit_floor.floors
    monkeypatch.setattr(edit_floor, "floors", lambda where: found.setdefault("it", real(where)))
    assert edit_floor.main([str(site), "--cold", "12"]) == 0
    timed = found["it"]
    assert sorted(timed) == ["model", "related", "start"]
    assert all(seconds > 0 for seconds in timed.values())
    printed = dict(line.split(None, 1) for line in capsys.readouterr().out.splitlines())
    assert printed["sum"] == f"{sum(timed.values()):6.2f} s".lstrip()
    assert printed["target"].startswith("1.20 s")


def _run(seconds: float, code: int = 0) -> measure.Run:
    return measure.Run(command=("x",), seconds=seconds, cpu_seconds=seconds, code=code,
                       timed_out=False, peak_mb=seconds * 10, max_rss_mb=seconds * 10, load=0.0,
                       stdout="", stderr="")


def test_a_repeated_build_shows_its_median_run_and_its_highest_peak() -> None:
    rounds = [Row("ours", "cold", "Bản tin", 10, (_run(seconds),), 1, 1, verified)
              for seconds, verified in ((3.0, "yes"), (1.0, "yes"), (2.0, "yes"), (9.0, "yes"))]
    row = merged(rounds[:3])
    assert [run.seconds for run in row.runs] == [3.0, 1.0, 2.0]
    assert row.run.seconds == 2.0 and row.peak_mb == 30.0 and row.verified == "yes"
    assert merged(rounds).run.seconds == 2.0  # of an even number, the lower middle one
    assert merged([*rounds[:2], replace(rounds[2], verified="NO")]).verified == "NO"
    # a round whose build failed checked nothing: another round's finding still shows
    assert merged([replace(rounds[0], verified=""), replace(rounds[1], verified="NO")]
                  ).verified == "NO"
    failing = merged([*rounds[:2], replace(rounds[2], runs=(_run(0.5, code=1),))])
    assert not failing.run.ok  # a failed round is what the row shows, never hidden
    header, lines = cold_table(SizeResult(10, (row,), ()))
    assert lines[0][header.index("each run (s)")] == "3.00 / 1.00 / 2.00"
    assert lines[0][header.index("cold build (s)")] == "2.00"
    noop = replace(rounds[1], name="noop", verified="")
    header, lines = rebuild_table(SizeResult(10, (row,), (noop,)))
    assert lines[0][header.index("% of cold")] == "50.0%"
    header, lines = rebuild_table(SizeResult(10, (failing,), (noop,)))
    assert lines[0][header.index("% of cold")] == "–"  # not a share of a failed build's time


def test_each_round_builds_cold_from_the_same_content(tmp_path: Path) -> None:
    result = run_size(12, [], {}, tmp_path, cache=True, timeout=600, repeat=2)
    (cold,) = result.cold
    assert len(cold.runs) == 2 and all(run.ok for run in cold.runs)
    # Each round's cold build renders every page (none found in an output or cache before it).
    for run in cold.runs:
        pages, rendered = re.search(r"(\d+) pages \((\d+) rendered\)", run.last_line()).groups()
        assert pages == rendered and " 0 unchanged, 0 removed" in run.last_line(), run.last_line()
    assert [row.name for row in result.rebuilds] == ["noop", "body", "tags", "template"]
    assert all(len(row.runs) == 2 and row.verified in ("yes", "") for row in result.rebuilds)
    # The edits were undone before the second round: its rebuilds redid the same work.
    for row in result.rebuilds:
        first, second = (re.search(r"\(\d+ rendered\), files \d+ written", run.last_line())
                         for run in row.runs)
        assert first and second and first.group() == second.group(), row.name
    # ... and were undone after them: the site is as generated.
    site = tmp_path / "12" / "ours"
    generate(tmp_path / "again", 12, noisy=True, words=500)
    assert {path.name: path.read_bytes() for path in (site / "content").glob("*.md")} == \
        {path.name: path.read_bytes() for path in (tmp_path / "again").glob("*.md")}
    assert (site / "templates" / "article.html").read_bytes() == \
        (PROJECT / "templates" / "article.html").read_bytes()
    aside = tmp_path / "12" / "earlier-rounds" / "1" / "ours"
    assert (aside / "output" / "index.html").is_file()
    assert (aside / "cache" / "bulletin.sqlite").is_file()  # each round's cache starts empty too
    assert sorted(path.name for path in (tmp_path / "12" / "ours" / "logs").glob("cold-*.out")) \
        == ["cold-1.out", "cold-2.out"]


def test_rounds_stop_when_our_cold_build_fails(tmp_path: Path, monkeypatch) -> None:
    from benchmarks import compare

    monkeypatch.setattr(compare, "ours_command",
                        lambda *_, **__: [sys.executable, "-c", "raise SystemExit(3)"])
    result = run_size(5, [], {}, tmp_path, cache=True, timeout=60, repeat=3)
    (cold,) = result.cold
    assert [run.code for run in cold.runs] == [3] and result.rebuilds == ()
