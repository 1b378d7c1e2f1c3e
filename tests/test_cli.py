"""The friendly command line: help with examples, colour and a progress bar only on a terminal."""

from __future__ import annotations

import io
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from bulletin.cli import COMMANDS, main, make_parser
from bulletin.console import Console, ProgressBar
from bulletin.pipeline import Options, build

from .conftest import NOW, PROJECT, article

RED = "\x1b[1;31m"


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_an_example_and_quiet_and_verbose(
        command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        make_parser().parse_args([command, "--help"])
    assert exit_.value.code == 0
    text = capsys.readouterr().out
    examples = text.split("examples:\n", 1)[1]
    assert f"python build.py {command}" in examples
    assert "--quiet" in text and "--verbose" in text


def run_on_terminal(root: Path, *args: str, env: dict[str, str] | None = None) -> str:
    """Run build.py with stdout and stderr on a pseudo-terminal; everything it printed."""
    main, child = pty.openpty()
    process = subprocess.Popen([sys.executable, str(PROJECT / "build.py"), *args], cwd=root,
                               stdin=subprocess.DEVNULL, stdout=child, stderr=child,
                               env={**os.environ, "TERM": "xterm", **(env or {})})
    os.close(child)
    chunks = []
    while True:
        try:
            chunk = os.read(main, 4096)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(main)
    process.wait(timeout=60)
    return b"".join(chunks).decode("utf-8")


def test_errors_are_coloured_on_a_terminal_only(make_site) -> None:
    site = make_site({"content/a.md": article("Bài một", date="hôm qua")})
    args = ["check", "--templates", str(PROJECT / "templates"), "--static", str(PROJECT / "static")]
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    on_terminal = run_on_terminal(site.root, *args, env=env)
    assert RED + "content/a.md:3: date 'hôm qua' is not a valid date" in on_terminal
    assert RED not in run_on_terminal(site.root, *args, env={"NO_COLOR": "1"})
    piped = subprocess.run([sys.executable, str(PROJECT / "build.py"), *args], cwd=site.root,
                           capture_output=True, text=True, env=env, timeout=60)
    assert piped.returncode == 1
    assert "content/a.md:3: date 'hôm qua' is not a valid date" in piped.stderr
    assert "\x1b" not in piped.stderr + piped.stdout


def test_the_build_reports_progress_to_the_callback(make_site) -> None:
    site = make_site({f"content/a{i}.md": article(f"Bài số {i}", tags='["chung"]')
                      for i in range(7)})
    calls: list[tuple[str, int, int]] = []
    result = build(Options(content=site.content, config=site.root / "site.toml",
                           templates=PROJECT / "templates", static=PROJECT / "static",
                           output=site.output, now=_now(), write=False,
                           progress=lambda stage, done, total: calls.append((stage, done, total))))
    stages = {stage for stage, _, _ in calls}
    assert {"markdown", "pages"} <= stages
    for stage in stages:
        done = [d for s, d, _ in calls if s == stage]
        assert done == sorted(done)
    assert calls[-1] == ("pages", result.pages, result.pages)  # nothing cached: every page


def _now():  # type: ignore[no-untyped-def]
    from datetime import datetime

    return datetime.fromisoformat(NOW)


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_progress_bar_waits_then_draws_in_place_and_clears() -> None:
    clock = iter([0.0, 0.1, 0.6, 0.65, 0.8, 0.9]).__next__
    stream = FakeTerminal()
    bar = ProgressBar(stream, delay=0.5, every=0.1, width=10, clock=clock)
    bar("render", 1, 4)  # 0.1 s: a short build shows nothing
    assert stream.getvalue() == ""
    bar("render", 2, 4)  # 0.6 s
    assert stream.getvalue() == "\r\x1b[Krender   [#####-----] 2/4"
    bar("render", 3, 4)  # 0.65 s: too soon to redraw
    bar("render", 4, 4)  # 0.8 s
    assert stream.getvalue().endswith("\r\x1b[Krender   [##########] 4/4")
    bar.clear()
    assert stream.getvalue().endswith("\r\x1b[K")


def test_a_progress_bar_only_on_a_terminal_and_never_with_quiet() -> None:
    assert Console(err=io.StringIO()).progress() is None
    assert Console(quiet=True, err=FakeTerminal()).progress() is None
    assert isinstance(Console(err=FakeTerminal()).progress(), ProgressBar)


@pytest.mark.parametrize("now", ["0001-01-01", "0001-01-01T00:00:00+14:00", "9999-12-31"])
def test_a_now_out_of_the_dates_a_build_can_handle_is_a_usage_error(
        now: str, capsys: pytest.CaptureFixture[str]) -> None:
    # --now 0001-01-01 overflowed in the news sitemap's window, exit 3 ("internal error").
    with pytest.raises(SystemExit) as exit_:
        make_parser().parse_args(["check", "--now", now])
    assert exit_.value.code == 2
    assert f"argument --now: '{now}' is out of range: dates run from the year 2 to 9998" in \
        capsys.readouterr().err


def test_a_config_that_is_a_folder_and_a_cache_that_is_a_file_are_usage_errors(make_site) -> None:
    # IsADirectoryError and NotADirectoryError: both were exit 3.
    site = make_site({"content/a.md": article("Bài")})
    result = site.run("check", "--config", str(site.content))
    assert result.code == 2, result.err
    assert result.err.startswith("error: content is a folder, not a settings file\n    hint: ")
    result = site.run("build", "--cache", str(site.root / "site.toml"))
    assert result.code == 2, result.err
    assert result.err.startswith("error: refusing to use site.toml as the cache folder: it is not "
                                 "a folder\n    hint: ")


def test_a_mistyped_config_is_a_usage_error_not_the_defaults(make_site) -> None:
    # It built with the defaults: feeds and sitemaps on http://localhost:8000/, without a word.
    site = make_site({"content/a.md": article("Bài")})
    result = site.run("check", "--config", "site.tomll")
    assert (result.code, result.err.splitlines()[0]) == (2, "error: settings file not found: "
                                                             "site.tomll")


def test_a_usage_error_is_printed_one_way_by_every_command() -> None:
    """`error: …` and its hint, indented, as the command line and serve's rebuilds print a
    UsageError: one Console method, not a copy of the format in each."""
    from bulletin.errors import UsageError

    err = io.StringIO()
    Console(quiet=True, err=err).usage_error(UsageError("refusing it", "Pass another."))
    Console(err=err).usage_error(UsageError("no hint"))
    assert err.getvalue() == "error: refusing it\n    hint: Pass another.\nerror: no hint\n"


@pytest.mark.parametrize("args, usage, message", [
    (["check", "--output", "x"], "usage: build.py check ",
     "build.py check: error: unrecognized arguments: --output x; check writes nothing, so it "
     "takes no --output"),
    (["related", "slug", "--bogus"], "usage: build.py related ",
     "build.py related: error: unrecognized arguments: --bogus\n"),
    (["--bogus"], "usage: build.py build ", "build.py build: error: unrecognized arguments: "
     "--bogus\n"),
])
def test_an_unknown_option_is_told_with_the_commands_own_usage(
        capsys: pytest.CaptureFixture[str], args: list[str], usage: str, message: str) -> None:
    # Was: the top-level usage ("usage: build.py [-h] COMMAND ..."), which lists no option.
    with pytest.raises(SystemExit) as exited:
        main(args)
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith(usage), err
    assert message in err
