"""The command line: subcommands (build is the default), exit codes 0 ok, 1 content, 2 usage."""

from __future__ import annotations

import argparse
import os
import sys
import traceback

from datetime import datetime
from pathlib import Path
from typing import Sequence

from .errors import BuildFailed, SourceError, UsageError
from .pipeline import Options, Result, build

COMMANDS = ("build", "check", "related")
EXIT_OK, EXIT_CONTENT, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _now(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an ISO 8601 date or datetime, e.g. 2024-03-15T08:00:00+07:00") from None


def _site_options(parser: argparse.ArgumentParser, output: bool = True) -> None:
    group = parser.add_argument_group("site")
    group.add_argument("--content", type=Path, default=Path("content"), metavar="DIR",
                       help="folder of Markdown articles (default: ./content)")
    if output:
        group.add_argument("--output", type=Path, default=Path("output"), metavar="DIR",
                           help="folder the site is written to (default: ./output); it is replaced "
                                "as a whole only when the build succeeds")
    group.add_argument("--config", type=Path, default=Path("site.toml"), metavar="FILE",
                       help="site settings (default: ./site.toml)")
    group.add_argument("--templates", type=Path, default=Path("templates"), metavar="DIR",
                       help="Jinja templates (default: ./templates)")
    group.add_argument("--static", type=Path, default=Path("static"), metavar="DIR",
                       help="files copied as they are into the output (default: ./static)")
    group.add_argument("--cache", type=Path, default=Path(".cache"), metavar="DIR",
                       help="where parsed articles and rendered bodies are kept between builds, "
                            "so unchanged articles are not processed again (default: ./.cache)")
    group = parser.add_argument_group("what to publish")
    group.add_argument("--drafts", action="store_true", help="include articles with draft: true")
    group.add_argument("--future", action="store_true",
                       help="include scheduled articles (dated after now)")
    group.add_argument("--now", type=_now, metavar="DATETIME",
                       help="fix the clock, e.g. 2024-03-15T08:00 (site timezone unless an offset "
                            "is given); used for scheduling and reproducible builds")
    group = parser.add_argument_group("messages")
    group.add_argument("-q", "--quiet", action="store_true", help="print errors only")
    group.add_argument("-v", "--verbose", action="store_true", help="print more detail")


def make_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="build.py",
        description="Bản tin: build a news bulletin from Markdown articles into a static site.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="""commands:
  build    (default) render content/ through templates/ into output/
  check    validate content and templates exactly as a build would; write nothing
  related  show an article's related list, each with its score and what earned it

Run 'python build.py COMMAND --help' for a command's options.

exit codes: 0 success, 1 content or template errors (each printed as path:line and a hint;
output/ is left as it was), 2 usage errors (bad option, refused output folder), 3 internal error.

examples:
  python build.py
  python build.py --content /tmp/site/content --output /tmp/site/output --now 2024-03-15T08:00
  python build.py check
  python build.py related bo-cong-an-so-ket-cong-tac-quy-iii""",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    example = "example:\n  python build.py build --drafts --output /tmp/preview"
    build_parser = sub.add_parser("build", help="build the site (default)", epilog=example,
                                  formatter_class=argparse.RawDescriptionHelpFormatter,
                                  description="Render content/ through templates/ into output/.")
    _site_options(build_parser)
    check_parser = sub.add_parser(
        "check", help="validate everything a build would, writing nothing",
        description="Validate content, templates and internal links exactly as a build would, "
                    "with the same messages and exit codes. Writes nothing.",
        epilog="example:\n  python build.py check && git commit",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    _site_options(check_parser, output=False)
    related_parser = sub.add_parser(
        "related", help="explain an article's related list",
        description="Print the related list of the article with this slug, with each score and "
                    "what earned it (pinned, shared tags, shared terms).",
        epilog="example:\n  python build.py related bo-cong-an-so-ket-cong-tac-quy-iii",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    related_parser.add_argument("slug", help="the article's slug (the last part of its URL)")
    _site_options(related_parser, output=False)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if not args_list or (args_list[0] not in COMMANDS and args_list[0] not in ("-h", "--help")):
        args_list.insert(0, "build")
    args = make_parser().parse_args(args_list)
    try:
        return _run(args)
    except UsageError as exc:
        _print_error(f"error: {exc.message}" + (f"\n    hint: {exc.hint}" if exc.hint else ""))
        return EXIT_USAGE
    except KeyboardInterrupt:
        _print_error("interrupted")
        return 130
    except Exception:  # noqa: BLE001 - never show an editor a traceback
        if args.verbose or os.environ.get("BULLETIN_TRACEBACK"):
            traceback.print_exc()
        _print_error("internal error: the build stopped on a problem in the tool itself, not in your "
                     "content.\n    hint: run again with --verbose and report what it prints.")
        return EXIT_INTERNAL


def _run(args: argparse.Namespace) -> int:
    options = Options(
        content=args.content, output=getattr(args, "output", Path("output")), config=args.config,
        templates=args.templates, static=args.static, cache=args.cache, drafts=args.drafts,
        future=args.future, now=args.now, write=args.command == "build",
        progress=ProgressBar() if sys.stderr.isatty() and not args.quiet else None,
    )
    try:
        result = build(options)
    except BuildFailed as failed:
        problems = [e for e in failed.errors if not e.warning]
        for error in failed.errors:
            _print_error(_colour(error))
        _print_error(f"{len(problems)} error(s); nothing was written." if options.write
                     else f"{len(problems)} error(s).")
        return EXIT_CONTENT
    if not args.quiet:
        for warning in result.warnings:
            _print_error(_colour(warning))
    if args.command == "related":
        return _explain(result, args.slug)
    if not args.quiet:
        shown_limit = len(result.scheduled) if args.verbose else 10
        for shown, moment in result.scheduled[:shown_limit]:
            print(f"scheduled: {shown} will be published at {moment.isoformat()} (use --future to "
                  "include it now)")
        if len(result.scheduled) > shown_limit:
            print(f"scheduled: … and {len(result.scheduled) - shown_limit} more (--verbose lists all)")
        if args.verbose:
            print("stages: " + ", ".join(f"{stage} {seconds:.2f} s" for stage, seconds in result.timings))
        print(summary_line(result, args.command))
    return EXIT_OK


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


class ProgressBar:
    """A one-line progress bar on the terminal for the long stages of a build."""

    def __init__(self) -> None:
        self.shown = False

    def __call__(self, stage: str, done: int, total: int) -> None:
        if total < 200:
            return
        width = 30
        filled = width * done // max(total, 1)
        sys.stderr.write(f"\r{stage:<9} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
        if done >= total:
            sys.stderr.write("\r" + " " * (width + 40) + "\r")
        sys.stderr.flush()


def _explain(result: Result, slug: str) -> int:
    found = [i for i, a in enumerate(result.published) if a.slug == slug]
    if not found:
        _print_error(f"error: no published article has the slug {slug!r}\n    hint: the slug is the "
                     "last part of the article's URL; add --drafts or --future for unpublished ones.")
        return EXIT_USAGE
    for index in found:
        article = result.published[index]
        print(f"{article.title}  ({article.url}, {article.source.shown})")
        print(f"tags: {', '.join(t.name for t in article.tags) or '(none)'}")
        for rank, match in enumerate(result.matches[index], 1):
            other = result.published[match.index]
            print(f"{rank}. {other.title}  [{other.slug}]")
            if match.reason == "pinned":
                print("   pinned by the editor (related: in front matter)")
            elif match.reason == "recent":
                print("   no shared tags or terms: filled with the nearest article in date")
            else:
                print(f"   score {match.score:.3f}; shared tags: "
                      f"{', '.join(match.shared_tags) or '(none)'}; "
                      f"shared terms: {', '.join(match.shared_terms) or '(none)'}")
    return EXIT_OK


def _colour(error: SourceError) -> str:
    text = error.format()
    if not (sys.stderr.isatty() and os.environ.get("NO_COLOR") is None):
        return text
    head, _, rest = text.partition("\n")
    colour = "33" if error.warning else "31"
    return f"\033[1;{colour}m{head}\033[0m" + ("\n" + rest if rest else "")


def _print_error(text: str) -> None:
    print(text, file=sys.stderr)



