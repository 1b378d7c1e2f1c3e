"""The command line: subcommands (build is the default), exit codes 0 ok, 1 content, 2 usage."""

from __future__ import annotations

import argparse
import os
import sys
import textwrap
import traceback
from collections.abc import Mapping, Sequence
from datetime import datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .console import Console
from .errors import BuildFailed, UsageError, display_path
from .options import FIRST_DAY, LAST_DAY, Options, in_range

if TYPE_CHECKING:
    from .options import Result

# The engine (Jinja, Markdown, YAML, Pillow, nh3) is imported by the commands that run it, after
# a build has been found not to be a no-op (see uptodate): the no-op needs the standard library.

COMMANDS = ("build", "check", "related", "serve", "new")
EXIT_OK, EXIT_CONTENT, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


class _Parser(argparse.ArgumentParser):
    commands: Mapping[str, argparse.ArgumentParser]  # the top-level one's subcommands, by name

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _now(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an ISO 8601 date or datetime, e.g. 2024-03-15T08:00:00+07:00") from None
    if not in_range(moment):
        raise argparse.ArgumentTypeError(f"{text!r} is out of range: dates run from the year "
                                         f"{FIRST_DAY.year} to {LAST_DAY.year}")
    return moment


def _port(text: str) -> int:
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (0 to 65535)")
    return int(text)


def _sources(parser: argparse.ArgumentParser, output: str | None = "output",
             theme: bool = True) -> None:
    group = parser.add_argument_group("site")
    group.add_argument("--content", type=Path, default=Path("content"), metavar="DIR",
                       help="folder of Markdown articles (default: ./content)")
    if output == "output":
        group.add_argument("--output", type=Path, default=Path("output"), metavar="DIR",
                           help="folder the site is written to (default: ./output); it is replaced "
                                "as a whole only when the build succeeds")
    elif output is not None:
        group.add_argument("--output", type=Path, default=Path(output), metavar="DIR",
                           help=f"folder the preview is built in (default: ./{output}); keep it "
                                "apart from the folder you publish")
    group.add_argument("--config", type=Path, metavar="FILE",
                       help="site settings (default: ./site.toml; without it, the defaults)")
    if theme:
        group.add_argument("--templates", type=Path, default=Path("templates"), metavar="DIR",
                           help="Jinja templates (default: ./templates)")
        group.add_argument("--static", type=Path, default=Path("static"), metavar="DIR",
                           help="files copied as they are into the output (default: ./static)")
        group.add_argument("--cache", type=Path, default=Path(".cache"), metavar="DIR",
                           help="where parsed articles, rendered bodies and resized photos are "
                                "kept between builds, so unchanged articles and photos are not "
                                "processed again (default: ./.cache)")


def _publishing(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("what to publish")
    group.add_argument("--drafts", action="store_true", help="include articles with draft: true")
    group.add_argument("--future", action="store_true",
                       help="include scheduled articles (dated after now)")
    group.add_argument("--now", type=_now, metavar="DATETIME",
                       help="fix the clock, e.g. 2024-03-15T08:00 (site timezone unless an offset "
                            "is given); used for scheduling and reproducible builds")


def _messages(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("messages").add_mutually_exclusive_group()
    group.add_argument("-q", "--quiet", action="store_true", help="print errors only")
    group.add_argument("-v", "--verbose", action="store_true", help="print more detail")


def _command(sub: Any, name: str, summary: str, description: str, examples: str
             ) -> argparse.ArgumentParser:
    return sub.add_parser(name, help=summary, description=textwrap.fill(description, 78),
                          epilog="examples:\n" + examples,
                          formatter_class=argparse.RawDescriptionHelpFormatter)


def make_parser() -> _Parser:
    parser = _Parser(
        prog="build.py",
        description="Bản tin: build a news bulletin from Markdown articles into a static site.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="""commands:
  build    (default) render content/ through templates/ into output/
  check    validate content, templates and links exactly as a build would; write nothing
  serve    preview the site with drafts, rebuilt and reloaded in the browser on every change
  new      start a new article with its front matter filled in
  related  show an article's related list, each with its score and what earned it

Run 'python build.py COMMAND --help' for a command's options.

exit codes: 0 success, 1 content or template errors (each printed as path:line and a hint;
output/ is left as it was), 2 usage errors (bad option, refused output folder, an article
that already exists), 3 internal error.

examples:
  python build.py
  python build.py --content /tmp/site/content --output /tmp/site/output --now 2024-03-15T08:00
  python build.py serve
  python build.py new "Khởi tố đối tượng lừa đảo" --tags "lừa đảo, tiền ảo"
  python build.py check
  python build.py related bo-cong-an-so-ket-cong-tac-quy-iii""",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    parser.commands = sub.choices

    command = _command(sub, "build", "build the site (default)",
                       "Render content/ through templates/ into output/.",
                       "  python build.py build\n"
                       "  python build.py build --drafts --output /tmp/preview")
    _sources(command)
    _publishing(command)
    _messages(command)

    command = _command(sub, "check", "validate everything a build would, writing nothing",
                       "Validate content, templates and internal links exactly as a build would, "
                       "with the same messages and exit codes (0 no errors, 1 errors). Writes "
                       "nothing at all.",
                       "  python build.py check && git commit\n"
                       "  git config core.hooksPath hooks     # run it before every commit")
    _sources(command, output=None)
    _publishing(command)
    _messages(command)

    command = _command(sub, "serve", "preview the site locally with live reload",
                       "Build the site with drafts and scheduled articles (marked as such) into a "
                       "preview folder and serve it. Every change to content/, templates/, static/ "
                       "or site.toml rebuilds it and reloads open pages. An error does not stop "
                       "the server: it is printed here and shown in the browser until fixed. "
                       "Ctrl-C stops it.",
                       "  python build.py serve                # then open http://127.0.0.1:8000/\n"
                       "  python build.py serve --port 8001\n"
                       "  python build.py serve --host 0.0.0.0  # a phone on the network can look")
    command.add_argument("--port", type=_port, default=8000,
                         help="port to listen on (default: 8000; 0 picks a free one)")
    command.add_argument("--host", default="127.0.0.1",
                         help="address to listen on (default: 127.0.0.1, this computer only)")
    _sources(command, output=".cache/serve-output")
    _messages(command)

    command = _command(sub, "new", "start a new article (a draft)",
                       "Create content/<slug>.md (or content/<slug>/index.md with --bundle) with "
                       "its front matter filled in: title, date (now, in the site's timezone), "
                       "category, tags, author (from site.toml) and draft: true. Prints the path. "
                       "Never overwrites: an existing file or an article with the same URL is "
                       "refused (exit 2).",
                       '  python build.py new "Khởi tố đối tượng lừa đảo đầu tư tiền ảo"\n'
                       '  python build.py new "Diễn tập chữa cháy" --tags "PCCC, diễn tập" '
                       '--category "Phòng cháy, chữa cháy" --bundle')
    command.add_argument("title", help="the article's title, in quotes")
    command.add_argument("--tags", metavar="A,B", help='tags separated by commas: "ma tuý, cờ bạc"')
    command.add_argument("--category", help="the article's category")
    command.add_argument("--slug", help="the last part of the URL (default: made from the title)")
    command.add_argument("--bundle", action="store_true",
                         help="make a folder content/<slug>/index.md to hold photos beside it")
    command.add_argument("--now", type=_now, metavar="DATETIME",
                         help="the date to write instead of now, e.g. 2024-03-15T08:00")
    _sources(command, output=None, theme=False)
    _messages(command)

    command = _command(sub, "related", "explain an article's related list",
                       "Print the related list of the article with this slug, with each score and "
                       "what earned it (pinned, shared tags, shared terms).",
                       "  python build.py related bo-cong-an-so-ket-cong-tac-quy-iii")
    command.add_argument("slug", help="the article's slug (the last part of its URL)")
    _sources(command, output=None)
    _publishing(command)
    _messages(command)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if not args_list or (args_list[0] not in COMMANDS and args_list[0] not in ("-h", "--help")):
        args_list.insert(0, "build")
    parser = make_parser()
    args, extras = parser.parse_known_args(args_list)
    if extras:  # told by the command's own parser: its usage, not the top-level one
        command = parser.commands.get(args.command, parser)
        hint = "; check writes nothing, so it takes no --output" \
            if args.command == "check" and any(e.split("=")[0] == "--output" for e in extras) \
            else ""
        command.error(f"unrecognized arguments: {' '.join(extras)}{hint}")
    console = Console(quiet=args.quiet, verbose=args.verbose)
    try:
        return _run(args, console)
    except BuildFailed as failed:  # the config itself, for commands that read it before building
        for error in failed.errors:
            console.source_error(error)
        return EXIT_CONTENT
    except UsageError as exc:
        console.usage_error(exc)
        return EXIT_USAGE
    except KeyboardInterrupt:
        console.problem("interrupted")
        return 130
    except Exception:  # noqa: BLE001 - never show an editor a traceback
        if args.verbose or os.environ.get("BULLETIN_TRACEBACK"):
            traceback.print_exc()
        console.problem("internal error: the build stopped on a problem in the tool itself, not in "
                        "your content.\n    hint: run again with --verbose and report what it "
                        "prints.")
        return EXIT_INTERNAL


def _run(args: argparse.Namespace, console: Console) -> int:
    if args.config is None:
        args.config = Path("site.toml")  # a site may have none: the defaults
    elif not args.config.exists():  # a mistyped --config would build with the defaults
        raise UsageError(f"settings file not found: {display_path(args.config)}",
                         "Check the path, or leave --config out to use ./site.toml.")
    cache = getattr(args, "cache", None)
    if cache is not None and cache.exists() and not cache.is_dir():
        raise UsageError(f"refusing to use {display_path(cache)} as the cache folder: it is not a "
                         "folder", "Pass a folder, e.g. --cache .cache")
    if args.command == "new":
        from .config import load_config
        from .scaffold import Draft, create, split_tags

        draft = Draft(title=args.title, tags=split_tags(args.tags), category=args.category,
                      slug=args.slug, bundle=args.bundle)
        path = create(draft, args.content, load_config(args.config), args.now)
        print(display_path(path))  # the result, printed even with --quiet: $EDITOR "$(… new …)"
        return EXIT_OK
    if args.command == "serve":
        from .serve import serve  # imports the file watcher only when it is needed

        # a cache of its own: the preview's entries (drafts, local URLs) would otherwise push
        # out the ones of the published build, which the cache keeps only while they are used
        return serve(Options(content=args.content, output=args.output, config=args.config,
                             templates=args.templates, static=args.static,
                             cache=args.cache / "serve"),
                     args.host, args.port, console)
    progress = console.progress() if args.command in ("build", "check") else None
    options = Options(
        content=args.content, output=getattr(args, "output", Path("output")), config=args.config,
        templates=args.templates, static=args.static, cache=args.cache, drafts=args.drafts,
        future=args.future, now=args.now, write=args.command == "build", progress=progress,
    )
    try:
        result = _build(options, verdict_only=args.command != "related")
    except BuildFailed as failed:
        if progress:
            progress.clear()
        problems = [e for e in failed.errors if not e.warning]
        for error in failed.errors:
            console.source_error(error)
        console.problem(f"{len(problems)} error(s); nothing was written." if options.write
                        else f"{len(problems)} error(s).")
        return EXIT_CONTENT
    finally:
        if progress:
            progress.clear()
    for warning in result.warnings:
        if not args.quiet:
            console.source_error(warning)
    if args.command == "related":
        return _explain(result, args.slug, console)
    shown_limit = len(result.scheduled) if args.verbose else 10
    for shown, moment in result.scheduled[:shown_limit]:
        console.say(f"scheduled: {shown} will be published at {moment.isoformat()} (use --future "
                    "to include it now)")
    if len(result.scheduled) > shown_limit:
        console.say(f"scheduled: … and {len(result.scheduled) - shown_limit} more "
                    "(--verbose lists all)")
    console.detail("stages: " + ", ".join(f"{stage} {seconds:.2f} s"
                                          for stage, seconds in result.timings))
    if result.cpu:
        console.detail("CPU seconds of each stage, workers included: " + ", ".join(
            f"{stage} {cpu:.2f}" for (stage, _), cpu in zip(result.timings, result.cpu)))
    if result.peaks:
        console.detail("peak memory of the main process after each stage (MB): " + ", ".join(
            f"{stage} {peak / 2**20:.0f}" for (stage, _), peak in zip(result.timings, result.peaks)))
    console.say(summary_line(result, args.command))
    return EXIT_OK


def _build(options: Options, verdict_only: bool = True) -> Result:
    """The build, or the last one's result when nothing changed since, found before the engine's
    modules are imported. ``check`` (``verdict_only``: it prints no more than the summary) is
    answered so too after a build that found no error in what it reads now (see
    uptodate.checked); ``related`` needs the articles themselves."""
    from .uptodate import checked, unchanged

    if options.write:
        result = unchanged(options)
    else:
        result = checked(options) if verdict_only else None
    if result is not None:
        return result
    from .pipeline import build

    return build(options, checked=True)


def summary_line(result: Result, command: str) -> str:
    extra = ""
    if result.drafts:
        extra += f", {result.drafts} draft(s) left out"
    if result.scheduled:
        extra += f", {len(result.scheduled)} scheduled"
    if result.report is None:
        return (f"checked {result.articles} articles and {result.pages} pages: no errors{extra} "
                f"({result.seconds:.2f} s)")
    r = result.report
    return (f"built {result.articles} articles: {result.pages} pages ({result.rendered} rendered), "
            f"files {r.written} written, {r.unchanged} unchanged, {r.removed} removed{extra} "
            f"in {result.seconds:.2f} s")


def _explain(result: Result, slug: str, console: Console) -> int:
    from .pipeline import related_docs
    from .related import explain  # numpy and scipy: imported only by the commands that need them

    found = [i for i, a in enumerate(result.published) if a.slug == slug]
    if not found:
        console.usage_error(_unknown_slug(slug, [a.slug for a in result.published], result.held))
        return EXIT_USAGE
    docs = related_docs(result.published, texts=result.texts)
    tz = result.config.tz if result.config is not None else None
    for index in found:
        article = result.published[index]
        print(f"{article.title}  ({article.url}, {article.source.shown})")
        print(f"tags: {', '.join(t.name for t in article.tags) or '(none)'}")
        names = {t.slug: t.name for t in article.tags}
        for rank, match in enumerate(explain(docs, index, result.matches[index]), 1):
            other = result.published[match.index]
            days = calendar_days(article.date, other.date, tz)
            newer = "newer" if days > 0 else "older"
            when = "same day" if days == 0 else f"{abs(days)} day(s) {newer}"
            print(f"{rank}. {other.title}  [{other.slug}, {when}]")
            if match.reason == "pinned":
                print("   pinned by the editor (related: in front matter)")
            elif match.reason == "recent":
                print("   date-filled: no shared tags or terms, so the nearest article in date "
                      "(same category first)")
            else:
                print(f"   score {match.score:.3f}; shared tags: "
                      f"{', '.join(names.get(t, t) for t in match.shared_tags) or '(none)'}; "
                      f"shared terms: {', '.join(match.shared_terms) or '(none)'}")
    return EXIT_OK


def calendar_days(start: datetime, end: datetime, tz: tzinfo | None) -> int:
    """How many calendar days ``end`` lies after ``start`` (negative: before), both as dates in
    ``tz``, the site's timezone: the next morning is a day newer, an hour earlier the same day is
    the same day.

    >>> from datetime import timedelta, timezone
    >>> vn = timezone(timedelta(hours=7))
    >>> calendar_days(datetime(2026, 10, 1, 8, tzinfo=vn), datetime(2026, 10, 2, 7, tzinfo=vn), vn)
    1
    >>> calendar_days(datetime(2026, 10, 1, 8, tzinfo=vn), datetime(2026, 10, 1, 7, tzinfo=vn), vn)
    0
    """
    return (end.astimezone(tz).date() - start.astimezone(tz).date()).days


def _unknown_slug(slug: str, published: Sequence[str], held: Mapping[str, str]) -> UsageError:
    """What ``related`` says of a slug no published article has: whose it is when a draft or a
    scheduled article has it (and the option that includes it), else the nearest slug."""
    import difflib
    if slug in held:
        options = " and ".join(option for option, said in (("--drafts", "is a draft"),
                                                           ("--future", "scheduled for"))
                               if said in held[slug])
        hint = f"Add {options} to explain its list as a build with them makes it."
        return UsageError(f"the article with the slug {slug!r} is not published: {held[slug]}",
                          hint)
    close = difflib.get_close_matches(slug, [*published, *held], n=1, cutoff=0.6)
    if close:
        whose = f" ({held[close[0]]})" if close[0] in held else ""
        return UsageError(f"no published article has the slug {slug!r}; did you mean "
                          f"{close[0]!r}{whose}?",
                          "The slug is the last part of the article's URL.")
    return UsageError(f"no published article has the slug {slug!r}",
                      "The slug is the last part of the article's URL; add --drafts or --future "
                      "for unpublished ones.")
