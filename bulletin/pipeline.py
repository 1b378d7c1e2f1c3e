"""The build as a checklist: load → validate → assemble → relate → plan → render → write."""

from __future__ import annotations

import errno
import hashlib
import os
import tempfile
import time
import unicodedata
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, Callable, Mapping, Sequence

from . import feeds, images, sitemap, uptodate
from .cache import Cache, pickled
from .config import Config, load_config, static_warnings, with_base_url
from .errors import BuildFailed, SourceError, SourceProblem, UsageError, display_path
from .fingerprint import Memo, digest_of, fingerprint, fingerprint_new
from .frozen import compact
from .i18n import direction, sort_key_for
from .listing import Entry, file_stats, signature, walk_files
from .markup import (
    Body,
    BodyStore,
    Renderer,
    forget_names,
    link_errors,
    photos_unchanged,
    plain_body,
    summarise,
)
from .meta import parse_yaml, shorten_slug, validate
from .models import Article, Image, Meta, Source, Term, noting_counts
from .options import Options, Progress, Result
from .paginate import paginate
from .parallel import fan_out, long_lived, trim
from .render import TemplateProblem, Templates
from .routes import Routes
from .slug import slugify
from .source import discover, read_again, read_source
from .taxonomy import look_alike, name_terms, term_key
from .writer import Claims, Transaction, WriteReport, check_output

if TYPE_CHECKING:  # numpy and scipy are imported when a build relates or indexes, not before
    from . import related as related_mod

@dataclass(frozen=True, slots=True)
class Page:
    """One file to render: its route, template and the names the template receives."""

    route: str
    template: str
    context: Mapping[str, Any]
    owner: str  # what produced it, for collision messages


@dataclass(frozen=True, slots=True)
class SiteView:
    """What every template sees as ``site``."""

    title: str
    description: str
    language: str
    base_url: str
    home_url: str
    tags_url: str
    search_url: str
    author: str
    categories: tuple[Term, ...]
    extra: Mapping[str, Any]
    feed_url: str = ""  # absolute URLs of the site's RSS and Atom feeds
    atom_url: str = ""
    logo_url: str = ""  # absolute
    locale: str = ""  # for OpenGraph: vi_VN
    twitter_site: str = ""  # "@handle" or ""
    direction: str = "ltr"  # "rtl" for a language written right to left (Arabic, Hebrew…)


def build(options: Options, checked: bool = False) -> Result:
    """Run every stage; raise BuildFailed with all content errors, leaving the output untouched.

    A build whose inputs, clock decisions and output are as the last one left them is skipped
    (see uptodate); ``checked``: the caller has found already that this one cannot be.
    """
    started = time.perf_counter()
    if not checked:
        skipped = uptodate.unchanged(options)
        if skipped is not None:
            return skipped
    with long_lived() as settle:
        return _build(options, started, _Clock(settle))


def _build(options: Options, started: float, clock: _Clock) -> Result:
    inputs = uptodate.inputs(options)  # before anything is read
    forget_names()
    config = load_config(options.config)
    if options.base_url:
        config = with_base_url(config, options.base_url)
    if options.write:
        check_output_folder(options)
        check_cache_folder(options)
    cache = Cache(options.cache, readonly=not options.write, resident=options.resident)
    errors: list[SourceError] = []
    warnings: list[SourceError] = []
    report: WriteReport | None = None
    index: list[tuple[PurePosixPath, bool]] | None = None
    transaction: Transaction | None = None
    try:
        templates = Templates(options.templates, config,
                              options.cache / "templates" if options.cache and options.write else None)
        errors += templates.check()

        now = options.now or datetime.now(config.tz)
        if now.tzinfo is None:
            now = now.replace(tzinfo=config.tz)
        # In UTC: compared with a date in the site's zone (the same tzinfo), a local time would
        # be compared by its wall clock, and in the hour a clock change repeats that is wrong.
        now = now.astimezone(UTC)
        fronts: dict[str, Any] = {}
        bodies: dict[str, _Made] = {}
        unread: list[tuple[Path, Path | None]] = []
        sources = read_all(options.content, errors, parsed=fronts, bodies=bodies, cache=cache,
                           stats=uptodate.content_stats(inputs), unread=unread,
                           warnings=warnings)
        warnings += config.warnings + tuple(static_warnings(config, options.static))
        loaded = load(sources, config, cache, errors, warnings, options.progress, fronts)
        faulty, faulty_slugs = _faulty(sources, loaded, fronts, cache, unread, options.content)
        del fronts
        # how long the clock's choices below hold: the no-op check's window (see uptodate)
        holds = uptodate.window((m.date for _, m in loaded), now,
                                now - sitemap.news_since(config, now))
        clock.lap("load")
        drafts = sum(1 for _, m in loaded if m.draft and not options.drafts)
        scheduled = () if options.future else tuple(
            (s.shown, m.date) for s, m in loaded
            if m.date > now and not (m.draft and not options.drafts))
        chosen = [(s, m) for s, m in loaded if _held(m, options, now) is None]
        # what a related pin to an article not published now is told: its file and why
        held = {m.slug: f"{s.shown} {why}" for s, m in loaded if (why := _held(m, options, now))}
        routes = Routes(config)
        made: dict[str, str] = {}  # the plain texts of the bodies rendered now, by body key
        articles = assemble(chosen, [s for s, _ in loaded], options, config, routes, now, cache,
                            errors, bodies, made, faulty, warnings)
        del bodies
        warnings += look_alike_categories(chosen, articles)
        # Bodies are rendered: keep the sources without their text, the largest thing held
        # (those the workers rendered came without it; assemble made the articles with theirs).
        light = {id(s): s.without_body() for s in sources if s.body}
        if light:
            sources = [light.get(id(s), s) for s in sources]
            chosen = [(light.get(id(s), s), m) for s, m in chosen]
        del loaded, light
        if options.write and articles:
            # The bodies are stored: the page workers read their share from the cache.
            articles[0].bodies.release()
            trim()
        clock.lap("assemble")
        texts = _Texts(cache, {a.body_key: (a.source, a.url) for a in articles}, options.content,
                       config.trust_html, errors, made,
                       stop=(lambda: _stop_on(errors, warnings)) if options.write else None)
        if not options.write:  # check, and the related command: it explains lists by their texts
            texts.load([a.body_key for a in articles])
        # a pin to no article is an error too
        docs = related_docs(articles, chosen, errors, held=held, faulty=faulty_slugs)
        _stop_on(errors, warnings)  # the next stages find none: they need not run
        if options.write:
            # The search index is made, and its files staged, before the related lists: one
            # after the other, the two never hold their working memory at once.
            transaction = Transaction(options.output, uptodate.last_output(options),
                                      preview=options.preview)
            index = _search_index(articles, config, cache, transaction, texts)
            trim()
            clock.lap("search")
        related_key, matches, counted = relate_start(articles, docs, config, cache, texts)
        if options.write and articles:
            # The search index is made and the texts' terms counted: the texts can go before
            # the related lists are worked out.
            made.clear()
            trim()
        matches = relate(docs, config, cache, related_key, matches, counted)
        del sources, chosen, docs, counted  # and every article's front matter and text
        clock.lap("relate")
        pages = plan(articles, matches, config, routes, now)
        clock.lap("plan")
        report, rendered = publish(options, config, templates, pages, articles, cache, errors,
                                   index, transaction)
        clock.lap("render+write")
        _stop_on(errors, warnings)
    except BuildFailed:
        cache.commit(prune=False)
        raise
    finally:
        if transaction is not None and report is None:
            transaction.abort()
        cache.close()
    result = Result(
        articles=len(articles),
        pages=len(pages),
        report=report,
        scheduled=scheduled,
        drafts=drafts,
        warnings=tuple(warnings),
        seconds=time.perf_counter() - started,
        config=config,
        published=tuple(articles),
        matches=tuple(matches),
        rendered=rendered,
        timings=tuple(clock.laps),
        texts=made,  # all of them in check mode (see above); none left after a build
        held=held,
    )
    cache.commit()
    cache.close()
    if inputs is not None and report is not None:
        unsaved = uptodate.save(options, inputs, config.timezone, holds, result,
                                transaction.listing() if transaction is not None else None)
        if unsaved:  # the output is published and whole: a warning, not a failure
            result = replace(result, warnings=result.warnings + (unsaved,))
    clock.lap("cache")
    return replace(result, timings=tuple(clock.laps), peaks=tuple(clock.peaks), cpu=tuple(clock.cpu),
                   seconds=time.perf_counter() - started)


class _Clock:
    """Times each stage; when one ends, what it made is settled (see parallel.long_lived)."""

    def __init__(self, settle: Callable[[], None] = lambda: None) -> None:
        self.settle = settle
        self.last = time.perf_counter()
        self.laps: list[tuple[str, float]] = []
        self.peaks: list[int] = []
        self.cpu: list[float] = []
        self.last_cpu = _cpu()

    def lap(self, stage: str) -> None:
        now, cpu = time.perf_counter(), _cpu()
        self.laps.append((stage, now - self.last))
        self.peaks.append(_peak_rss())
        self.cpu.append(cpu - self.last_cpu)
        self.last, self.last_cpu = now, cpu
        self.settle()


def _cpu() -> float:
    """CPU seconds of this process and of its finished worker processes."""
    return sum(os.times()[:4])


def _peak_rss() -> int:
    """The highest resident memory of this process so far, in bytes (0 where unknown)."""
    try:
        import resource
    except ImportError:  # not on Windows
        return 0
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _stop_on(errors: list[SourceError], warnings: list[SourceError]) -> None:
    if errors:
        raise BuildFailed(tuple(sorted(set(errors), key=SourceError.sort_key)) + tuple(warnings))


def _held(meta: Meta, options: Options, now: datetime) -> str | None:
    """Why an article is not published by this build (a draft, or scheduled), or None."""
    later = meta.date > now and not options.future
    if meta.draft and not options.drafts:
        return f"is a draft, scheduled for {meta.date.isoformat()}" if later else "is a draft"
    if later:
        return f"is scheduled for {meta.date.isoformat()}"
    return None


def _faulty(sources: list[Source], loaded: list[tuple[Source, Meta]], read: Mapping[str, Any],
            cache: Cache, unread: Sequence[tuple[Path, Path | None]] = (),
            content: Path = Path()) -> tuple[frozenset[str], frozenset[str]]:
    """The articles with errors of their own (``load`` and ``read_all`` reported them): those
    whose front matter is wrong, and the files ``unread`` (not UTF-8). Their paths in NFC, as
    links name them, and the slugs they may have (those of their slug: or title:, when the YAML
    reads, and of their file's name). A link or a related pin to one of them is not called
    missing: the article's own error is the one to fix. ``read``: the parsed front matter, by
    source digest, as ``load`` took it (the rest is in the cache)."""
    valid = {s.path for s, _ in loaded}
    broken = [s for s in sources if s.path not in valid]
    if not broken and not unread:
        return frozenset(), frozenset()
    stored = cache.get_many("front", (s.digest for s in broken if s.digest not in read))
    paths = {s.rel for s in broken} | {path.relative_to(content).as_posix() for path, _ in unread}
    slugs = {slugify(bundle.name if bundle is not None else path.stem)
             for path, bundle in [*((s.path, s.bundle) for s in broken), *unread]}
    for source in broken:
        result = read.get(source.digest) or stored.get(source.digest)
        data = result[0] if isinstance(result, tuple) else None
        if isinstance(data, dict):
            slugs.update(shorten_slug(slugify(str(data[key]))) for key in ("slug", "title")
                         if isinstance(data.get(key), (str, int)))
    return (frozenset(unicodedata.normalize("NFC", path) for path in paths),
            frozenset(slugs) - {""})


def check_output_folder(options: Options) -> None:
    """Refuse an output folder that the build could hurt (see writer.check_output): the folders
    it reads, the project's and the working one, or one holding any of them. Raises UsageError."""
    check_output(options.output, _protected(options),
                 sources=(options.content, options.templates, options.static))


def check_cache_folder(options: Options) -> None:
    """Refuse, before anything is read or written, a cache folder the build cannot write (a
    read-only mount, another user's): the build keeps resized photos, compiled templates and
    its up-to-date stamp there. Refused at once, the output is left as it was; found out after
    the commit, the editor would be told of a failure in a build that had published. Raises
    UsageError."""
    if options.cache is None:
        return
    try:
        options.cache.mkdir(parents=True, exist_ok=True)
        probe = tempfile.NamedTemporaryFile(dir=options.cache, prefix=".probe-", delete=True)
        probe.close()
    except OSError as exc:
        raise UsageError(f"cannot write the cache folder {display_path(options.cache)}: "
                         f"{exc.strerror or exc}; nothing was written",
                         "Make it writable, or pass --cache with a folder you can write, e.g. "
                         "--cache /tmp/bulletin-cache (the first build there is a full one)."
                         ) from None


def _protected(options: Options) -> list[Path]:
    project = Path(__file__).resolve().parent.parent
    return [Path.cwd(), project, options.content, options.templates, options.static,
            options.config.resolve().parent] + ([options.cache] if options.cache else [])


# -- load ---------------------------------------------------------------------------------------
def read_all(content: Path, errors: list[SourceError],
             found: tuple[list[tuple[Path, Path | None]], list[SourceError]] | None = None,
             parsed: dict[str, Any] | None = None, bodies: dict[str, _Made] | None = None,
             cache: Cache | None = None,
             stats: Mapping[str, Entry] | None = None,
             unread: list[tuple[Path, Path | None]] | None = None,
             warnings: list[SourceError] | None = None) -> list[Source]:
    """Find (unless ``found`` is what discover returned) and decode every article file; those
    that cannot be read (not UTF-8) give an error, and go to ``unread`` as (path, bundle).
    ``warnings`` gets discover's (Markdown files left out for their ending) and one when the
    folder holds no article at all, which would make a site without article pages in silence.

    Files are read, and their front matter parsed unless cached, in the worker processes; the
    parse results go to ``parsed`` (by source digest) for ``load``. A new article of plain prose
    without a photo is rendered there too, its body put in ``bodies`` for ``assemble``, and its
    Source comes back without its text: the main process never holds it.

    With a ``cache``, a file whose size, times and inode are those recorded when it was last
    read, and whose front matter is cached, is not read at all: its Source comes from the record,
    without text (``source.read_again`` reads it if a stage needs it after all). ``stats``: the
    listing of the content folder taken as the build started, by relative path, if there is one
    (a file is then compared with its listed stat, not stat'ed again). A file saved just before
    it was read last has no record, and is read again (see ``_read_files``).
    """
    if not content.is_dir():
        errors.append(SourceError(display_path(content), None, "content folder not found",
                                  "Pass --content DIR, or create content/ with Markdown articles."))
        return []
    files, problems = found if found is not None else discover(content)
    errors += [problem for problem in problems if not problem.warning]
    if warnings is not None:
        warnings += [problem for problem in problems if problem.warning]
        if not files:
            warnings.append(SourceError(
                display_path(content), None, "no article: the content folder holds no .md file, "
                "so the site has no article pages",
                "An article is a Markdown file ending in .md (python build.py new \"Tiêu đề\" "
                "starts one); check --content.", warning=True))
    known: frozenset[str] = frozenset()
    records: dict[str, tuple[Any, ...]] = {}
    if cache is not None:
        known = frozenset(cache.keys("front"))
        records = cache.get_many("stat", (str(path) for path, _ in files))
    shown = display_path(content)
    # Files unchanged since their record are recalled here; only the others go to the workers.
    recalled = [_recall(path, bundle, records.get(str(path)), known, content, shown, stats)
                for path, bundle in files]
    changed = [file for file, source in zip(files, recalled, strict=True) if source is None]
    read = iter(fan_out(_read_files, (changed, content, shown, known, bodies is not None),
                        len(changed), minimum=500))
    sources: list[Source] = []
    for file, recall in zip(files, recalled, strict=True):
        source, front, body, record = (recall, None, None, None) if recall is not None \
            else next(read)
        if isinstance(source, SourceError):
            errors.append(source)
            if unread is not None:
                unread.append(file)
            continue
        if parsed is not None and front is not None:
            parsed[source.digest] = front
        if bodies is not None and body is not None:
            bodies[source.digest] = body
        if cache is not None and record is not None:
            cache.put("stat", str(source.path), record, remember=False)
        sources.append(source)
    return sources


_Read = tuple[Source | SourceError, Any, "_Made | None", tuple[Any, ...] | None]


def _recall(path: Path, bundle: Path | None, record: tuple[Any, ...] | None,
            known: frozenset[str], content: Path, shown: str,
            stats: Mapping[str, Entry] | None = None) -> Source | None:
    """The Source of a file from its stat record, without its text, when the file's size, times
    and inode are those recorded and its front matter is cached; else None (it must be read).
    The file's stat is its entry in ``stats`` when given (see read_all)."""
    if record is None or record[4] not in known:
        return None
    name, top = str(path), os.path.join(content, "")
    rel = name[len(top):].replace(os.sep, "/") if name.startswith(top) else \
        path.relative_to(content).as_posix()
    listed = stats.get(rel) if stats is not None else None
    if listed is not None and listed[4]:
        if listed[1:] != tuple(record[:4]):
            return None
    else:  # not listed, or listed without an inode (directory entries on Windows)
        try:
            stat = os.stat(path)
        except OSError:
            return None
        if signature(stat) != tuple(record[:4]):
            return None
    return Source(path=path, shown=f"{shown}/{rel}", rel=rel, bundle=bundle, front="", body="",
                  front_line=record[5], body_line=record[6], digest=record[4])


def _read_files(shared: tuple[list[tuple[Path, Path | None]], Path, str, frozenset[str], bool],
                start: int, stop: int) -> list[_Read]:
    """Read some files; each comes with its new stat record.

    The record (size, mtime, ctime, inode, digest, front line, body line) is taken before the
    file is read: a file saved again while it is read differs from its record next time. Not
    on a file system whose timestamps step by a second or two, if it is saved again within
    the step its record was taken in: a file changed that recently gets no record (None), and
    the next build reads it again (see uptodate.racy_at).
    """
    files, content, shown, known, render = shared
    out: list[_Read] = []
    for path, bundle in files[start:stop]:
        name = str(path)
        try:
            moment = time.time_ns()
            stat = os.stat(name)
            stamp: tuple[int, ...] | None = signature(stat)
            if uptodate.racy_at(stat.st_mtime_ns, stat.st_ctime_ns, moment):
                stamp = None
        except OSError:
            stamp = None
        source = read_source(path, content, bundle, shown)
        if isinstance(source, SourceError):
            out.append((source, None, None, None))
            continue
        record = (*stamp, source.digest, source.front_line, source.body_line) \
            if stamp else None
        if source.digest in known:
            out.append((source, None, None, record))
            continue
        front = parse_yaml(source)
        body = plain_body(source.body) if render and isinstance(front, tuple) and \
            "image" not in front[0] else None
        out.append((source.without_body() if body is not None else source, front,
                    _made(body) if body is not None else None, record))
    return out


def load(sources: list[Source], config: Config, cache: Cache, errors: list[SourceError],
         warnings: list[SourceError], progress: Progress | None = None,
         read: Mapping[str, Any] | None = None) -> list[tuple[Source, Meta]]:
    """Parse and validate every article's front matter; problems go to ``errors``/``warnings``.

    ``read`` holds front matter that ``read_all`` parsed already, by source digest. Front
    matter found valid without a warning is cached as its Meta, by the file's bytes, its path
    (messages name it) and the site's timezone: an unchanged article is not validated again.
    """
    read = read or {}
    keys = [f"{s.digest}\t{s.shown}\t{config.timezone}" for s in sources]
    valid = cache.get_many("meta", (key for s, key in zip(sources, keys, strict=True)
                                    if s.digest not in read))
    cache.touch("front", (s.digest for s, key in zip(sources, keys, strict=True) if key in valid))
    parsed = cache.get_many("front", (s.digest for s, key in zip(sources, keys, strict=True)
                                      if s.digest not in read and key not in valid))
    loaded: list[tuple[Source, Meta]] = []
    for number, (source, key) in enumerate(zip(sources, keys, strict=True)):
        if progress and number % 500 == 0:
            progress("read", number, len(sources))
        known = valid.get(key)
        if known is not None:
            loaded.append((source, known))
            continue
        result = read.get(source.digest) or parsed.get(source.digest)
        fresh = result is None or source.digest not in parsed
        if result is None:
            if not source.front:  # made from its stat record, and its entry is gone since
                again = read_again(source)
                if isinstance(again, SourceError):
                    errors.append(again)
                    continue
                source = again
            result = parse_yaml(source)
        if fresh:
            cache.put("front", source.digest, result, remember=False)
        if isinstance(result, list):
            errors += [replace(e, path=source.shown) for e in result]
            continue
        data, lines = result
        meta, found = validate(source, data, lines, config.tz)
        for problem in found:
            (warnings if problem.warning else errors).append(problem)
        if meta is not None:
            loaded.append((source, meta))
            if not found:
                cache.put("meta", key, meta, remember=False)
    return loaded


# -- assemble -----------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _BodyJob:
    source: Source
    url: str
    image: str | None
    image_line: int | None


@compact
@dataclass(frozen=True, slots=True)
class _Made:
    """A body rendered in a worker process, with its cache entries pickled there: the main
    process stores them as they are, and never holds the HTML as text."""

    body: Body  # without its HTML and text
    text: str
    entries: tuple[bytes, bytes, bytes]  # its HTML, text and ``body``, pickled (see Cache.put)


def _made(body: Body) -> _Made:
    bare = replace(body, html="", text="")
    return _Made(bare, body.text, (pickled(body.html), pickled(body.text), pickled(bare)))


def _rendered_again(source: Source, url: str, content: Path, trust_html: bool,
                    image: str | None = None, image_line: int | None = None) -> Body | SourceError:
    """A body rendered again from its article's file, which must still be the version the build
    took (else the error saying it changed)."""
    again = read_again(source) if not source.body else source
    if isinstance(again, SourceError):
        return again
    renderer = Renderer(trust_html=trust_html, describe=images.describe)
    return renderer.render(again, url, content, image=image, image_line=image_line)


@dataclass(frozen=True, slots=True)
class _Again:
    """The HTML of a body rendered again, by body key (see BodyStore): for a page whose body
    the cache no longer holds, or holds damaged, when the page is rendered. The jobs' sources
    come without their body text (the file is read again), so that the store holds none."""

    jobs: Mapping[str, _BodyJob]
    content: Path
    trust_html: bool

    def __call__(self, key: str) -> str | SourceError | None:
        job = self.jobs.get(key)
        if job is None:
            return None
        body = _rendered_again(job.source, job.url, self.content, self.trust_html, job.image,
                               job.image_line)
        return body if isinstance(body, SourceError) else body.html


def _render_bodies(shared: tuple[list[_BodyJob], Path, bool], start: int,
                   stop: int) -> list[_Made]:
    jobs, content, trust = shared
    renderer = Renderer(trust_html=trust, describe=images.describe)
    return [_made(renderer.render(job.source, job.url, content, image=job.image,
                                  image_line=job.image_line))
            for job in jobs[start:stop]]


def assemble(chosen: list[tuple[Source, Meta]], every: list[Source], options: Options,
             config: Config, routes: Routes, now: datetime, cache: Cache,
             errors: list[SourceError], ready: Mapping[str, _Made] | None = None,
             made_texts: dict[str, str] | None = None,
             faulty: frozenset[str] = frozenset(),
             warnings: list[SourceError] | None = None) -> list[Article]:
    """Routes, bodies and taxonomies for the published articles, newest first.

    ``ready`` holds bodies rendered while reading (plain prose without a photo), by source digest.
    The plain texts of the bodies rendered now go to ``made_texts``, by body key (see _Texts).
    ``faulty``: the paths (NFC) of articles whose front matter has errors (see _faulty). The
    bodies' warnings go to ``warnings``.
    """
    ready = ready or {}
    warnings = [] if warnings is None else warnings
    route_owner: dict[str, Source] = {}
    planned: list[tuple[Source, Meta, str]] = []
    for source, meta in chosen:
        route = routes.article(meta.slug, meta.date, meta.category)
        if route in route_owner:
            first = route_owner[route]
            errors.append(SourceError(source.shown, meta.lines.get("slug", meta.lines.get("title")),
                                      f"has the same URL {route} as {first.shown}",
                                      "Give one of them another title or a slug: line, e.g. "
                                      f"slug: {meta.slug}-2"))
            continue
        route_owner[route] = source
        planned.append((source, meta, route))
    hrefs = [routes.href(route) for _, _, route in planned]
    # By NFC path, as links name them (markup): one name in two Unicode forms is one file.
    urls = {unicodedata.normalize("NFC", s.rel): href
            for (s, _, _), href in zip(planned, hrefs, strict=True)}
    unpublished = frozenset(unicodedata.normalize("NFC", s.rel) for s in every) - frozenset(urls)

    sort_key = sort_key_for(config.language)
    tag_names = name_terms((m.tags for _, m, _ in planned), sort_key)
    category_names = name_terms(([m.category] if m.category else [] for _, m, _ in planned), sort_key)
    counts: dict[tuple[str, str], int] = {}  # published articles per tag and per category
    for _, meta, _ in planned:
        for key in dict.fromkeys(term_key(t) for t in meta.tags):
            counts["tag", key] = counts.get(("tag", key), 0) + 1
        if meta.category:
            counts["category", term_key(meta.category)] = \
                counts.get(("category", term_key(meta.category)), 0) + 1
    tag_terms = {key: _term(name, slug, routes.tag(slug), routes, counts["tag", key])
                 for key, (name, slug) in tag_names.items()}
    category_terms = {key: _term(name, slug, routes.category(slug), routes,
                                 counts["category", key])
                      for key, (name, slug) in category_names.items()}

    jobs = [_BodyJob(s, href, m.image, m.lines.get("image"))
            for (s, m, _), href in zip(planned, hrefs, strict=True)]
    keys = [_body_key(job, config) for job in jobs]
    cached = cache.get_many("body", keys)
    # A body's plain text and HTML are kept apart (most builds need few texts: see _Texts; the
    # page workers read the HTML); a body either of them has gone from the cache is made again.
    kept = cache.keys("text") & cache.keys("html")
    missing = [i for i, key in enumerate(keys)
               if key not in cached or key not in kept
               or not photos_unchanged(cached[key], options.content)
               or not images.current(cached[key].assets)]
    progress = options.progress
    made = [i for i in missing if jobs[i].source.digest in ready]
    missing = [i for i in missing if jobs[i].source.digest not in ready]
    unread = set()
    for i in missing:
        if not jobs[i].source.body:  # not read (unchanged since its body was cached), or empty
            again = read_again(jobs[i].source)
            if isinstance(again, SourceError):
                errors.append(again)
                unread.add(i)
            else:
                jobs[i] = replace(jobs[i], source=again)
    # The build fails: a body not read is not rendered, so that nothing is cached for its
    # version but what its file holds (an empty body here until the build stops).
    for i in unread:
        cached[keys[i]] = Body(html="", text="", first_paragraph="")
    missing = [i for i in missing if i not in unread]
    fresh = fan_out(_render_bodies, ([jobs[i] for i in missing], options.content, config.trust_html),
                    len(missing),
                    progress=(lambda done, total: progress("markdown", done, total)) if progress else None)
    missing += made
    fresh += [ready[jobs[i].source.digest] for i in made]
    remake = _Again({key: replace(job, source=job.source.without_body()) if job.source.body
                     else job for key, job in zip(keys, jobs, strict=True)}, options.content,
                    config.trust_html)
    store = BodyStore(cache, urls, remake)
    cache.touch("html", keys)
    cache.touch("text", keys)
    texts = made_texts if made_texts is not None else {}
    for i, rendered in zip(missing, fresh):
        html, text, bare = rendered.entries
        cache.put_pickled("html", keys[i], html)  # the store reads it from there
        cache.put_pickled("text", keys[i], text)
        texts[keys[i]] = rendered.text
        cached[keys[i]] = rendered.body
        cache.put_pickled("body", keys[i], bare, rendered.body)

    articles: list[Article] = []
    memo: Memo = {}
    for (source, meta, route), job, key in zip(planned, jobs, keys):
        body = cached[key]
        errors += [problem for problem in body.errors if not problem.warning]
        warnings += [problem for problem in body.errors if problem.warning]
        errors += link_errors(source, body.links, urls, unpublished, faulty)
        tags = tuple([tag_terms[k] for k in dict.fromkeys([term_key(t) for t in meta.tags])])
        category = category_terms[term_key(meta.category)] if meta.category else None
        image = None
        if body.image_url:
            image = images.view(Image(
                body.image_url, meta.image_alt or meta.title, meta.image_caption,
                body.image_url if "://" in body.image_url else config.origin + body.image_url),
                body.image_photo)
        summary = meta.summary or summarise(body.first_paragraph, config.summary_length)
        scheduled = meta.date > now
        linked = tuple(urls.get(link.target, "") for link in body.links)
        digest = _article_digest(source.digest, key, job.url, tags, category, summary,
                                 scheduled, meta.draft, meta.date, meta.updated,
                                 (image, linked, body.assets), memo)
        articles.append(Article(
            source=source.without_body() if source.body else source, title=meta.title,
            slug=meta.slug, date=meta.date, url=job.url,
            permalink=routes.permalink(route), route=route, tags=tags, category=category,
            author=meta.author, summary=summary, lead=meta.summary, body_key=key, links=body.links,
            bodies=store, image=image, updated=meta.updated, draft=meta.draft, scheduled=scheduled,
            related_pins=meta.related, extra=meta.extra,
            assets=body.assets,
            digest=digest,
        ))
    articles.sort(key=lambda a: (-a.date.timestamp(), a.slug, a.route))
    return articles


def look_alike_categories(chosen: Sequence[tuple[Source, Meta]],
                          articles: Sequence[Article]) -> list[SourceError]:
    """A warning at the first article (by path) of each category whose name makes another's
    slug ("Thoi su" beside "Thời sự"): two categories, two pages, most likely one slip."""
    names = {a.category.name: a.category for a in articles if a.category}
    pairs = look_alike((term.name, term.count) for term in names.values())
    wanted = {term_key(rare) for rare, _ in pairs}
    first: dict[str, tuple[Source, Meta]] = {}
    for source, meta in chosen if pairs else ():
        key = term_key(meta.category) if meta.category else ""
        if key in wanted and (key not in first or source.shown < first[key][0].shown):
            first[key] = (source, meta)
    warnings = []
    for rare, common in pairs:
        source, meta = first[term_key(rare)]
        warnings.append(SourceError(
            source.shown, meta.lines.get("category"),
            f"category '{rare}' ({names[rare].count} article(s)) is not '{common}' "
            f"({names[common].count}): each has its own page, {names[rare].url} and "
            f"{names[common].url}", f"If they are one category, write it as the others do: "
            f"category: {common}", warning=True))
    return warnings


def _article_digest(source: str, body: str, url: str, tags: tuple[Term, ...],
                    category: Term | None, summary: str, scheduled: bool, draft: bool,
                    date: datetime, updated: datetime | None, rest: tuple[Any, ...],
                    memo: Memo) -> str:
    """Article.digest: a fingerprint of the source file's and the body's digests and of all
    else an article shows that they do not settle (such as its dates, which the site's
    timezone places when the file gives no offset). What most articles have is hashed directly
    (a fingerprint of the whole tuple takes several times longer); ``rest`` (photo, linked
    URLs, assets), through ``fingerprint``, only when it holds anything."""
    moments = f"{date.isoformat()}:{updated.isoformat() if updated else ''}"
    head = (f"{source}:{body}:{len(url)}:{url}:{len(summary)}:{summary}:{scheduled:d}{draft:d}:"
            f"{moments}")
    hasher = hashlib.blake2b(head.encode("utf-8", "surrogatepass"), digest_size=16)
    hasher.update(b"t%d:" % len(tags) + b"".join([digest_of(tag, memo) for tag in tags]))
    hasher.update(b"c" + digest_of(category, memo) if category is not None else b"-")
    if any(rest):
        hasher.update(b"+" + fingerprint_new(rest, memo).encode())
    return hasher.hexdigest()


class _Texts:
    """The plain texts of bodies by body key: those ``made`` by this build (see assemble), the
    others from the cache, where assemble keeps them apart from the bodies. A text gone or
    damaged since is made again from its article's source, never read as empty; a source that
    cannot be read again is an error of the build. ``stop``, if given, is called then: a build
    that writes stops there, so that nothing worked out from an empty text in its place (search
    files, term counts) is cached for the next build as if it were the article's."""

    def __init__(self, cache: Cache, owners: Mapping[str, tuple[Source, str]], content: Path,
                 trust_html: bool, errors: list[SourceError],
                 made: dict[str, str] | None = None,
                 stop: Callable[[], None] | None = None) -> None:
        self.made = made if made is not None else {}
        self.stop = stop
        self.cache = cache
        self.owners = owners  # body key -> the article's source and URL
        self.content = content
        self.trust_html = trust_html
        self.errors = errors

    def __call__(self, keys: Sequence[str], keep: bool = True) -> dict[str, str]:
        """Those of ``keys`` found, or made again when they are the articles'; ``keep=False``:
        see Cache.get_many."""
        out = self.cached(keys, keep)
        failed = False
        for key in keys:
            if key not in out and key in self.owners:
                text = self._again(*self.owners[key])
                if text is None:  # reported: the build fails
                    failed = True
                    out[key] = ""
                else:
                    out[key] = text
                    self.cache.put("text", key, text, remember=False)
        if failed and self.stop is not None:
            self.stop()
        return out

    def cached(self, keys: Sequence[str], keep: bool = False) -> dict[str, str]:
        """Those of ``keys`` made by this build or held by the cache, none made again: what a
        worker process may read (it could neither store a text made again nor report a source
        it cannot read). Those from the cache are not marked as used unless ``keep`` (see
        Cache.get_many)."""
        out = {key: self.made[key] for key in keys if key in self.made}
        rest = [key for key in keys if key not in out]
        found = self.cache.get_many("text", rest, keep) if rest else {}
        out.update((key, text) for key, text in found.items() if isinstance(text, str))
        return out

    def _again(self, source: Source, url: str) -> str | None:
        """The text made again from the source; None, with the error reported, when the
        source cannot be read again as the version the build took."""
        body = _rendered_again(source, url, self.content, self.trust_html)
        if isinstance(body, SourceError):
            self.errors.append(body)
            return None
        return body.text

    def load(self, keys: Sequence[str]) -> None:
        """Hold the texts of ``keys`` in memory, with those made by this build."""
        self.made.update(self([key for key in keys if key and key not in self.made]))


def _body_key(job: _BodyJob, config: Config) -> str:
    hasher = hashlib.blake2b(digest_size=16)
    for part in (job.source.digest, job.source.rel, job.url, job.image or "", str(job.image_line),
                 str(config.trust_html)):
        hasher.update(part.encode() + b"\0")
    return hasher.hexdigest()


def _term(name: str, slug: str, route: str, routes: Routes, count: int) -> Term:
    return Term(name=name, slug=slug, url=routes.href(route), permalink=routes.permalink(route),
                count=count,
                feed_url=routes.permalink(routes.feed(route)),
                atom_url=routes.permalink(routes.atom(route)))


def _search_index(articles: list[Article], config: Config, cache: Cache, transaction: Transaction,
                  texts: _Texts) -> list[tuple[PurePosixPath, bool]]:
    """Make the search index and stage its files; say which were written (or unchanged)."""
    from . import search

    staged = []
    # The index reads the texts of the articles it indexes again (on an edit, a few, and their
    # old versions): assemble keeps them in the cache, by body key, and keeps those of the
    # current bodies for the next build; an old version's goes.
    for route, data in search.files(articles, Routes(config), config.date_format, cache,
                                    lambda keys: texts(keys, keep=False), texts.cached,
                                    config.language):
        rel = Routes.output_path(route)
        staged.append((rel, transaction.stage(rel, data)))
    return staged


_Found = Sequence[tuple["related_mod.Match", ...]]  # related lists, one per article


def relate_start(articles: list[Article], docs: Sequence[related_mod.Doc], config: Config,
                 cache: Cache, texts: _Texts,
                 ) -> tuple[str, _Found | None, related_mod.Counted | None]:
    """The related lists' cache key, and the lists if cached; if not, the terms of the articles'
    texts (``docs``, see :func:`related_docs`; ``texts`` gives those left in the cache),
    counted: all that :func:`relate` needs of them."""
    from . import related as related_mod

    # An article's digest covers its source file (title, date, tags, pins) and its rendered body,
    # so the digests in order stand for the docs: no need to hash every article's text again.
    key = fingerprint((config.related_count, [a.digest for a in articles]))
    # The terms are counted in runs of articles, each run cached by its articles' digests: an
    # edit counts one run again, and a new article (they come first) the first run only.
    settings = related_mod.Settings()
    spans = related_mod.spans(len(articles), settings)
    runs = [fingerprint((repr(settings), [a.digest for a in articles[start:stop]]))
            for start, stop in spans]
    # None: not there, or damaged
    found = related_mod.unpacked_lists(cache.get("related", key), len(articles))
    if found is not None:
        cache.touch("related-terms", runs)  # for the next edit
        return key, found, None
    known = {run: blob for run, blob in cache.get_many("related-terms", runs).items()
             if related_mod.readable(blob)}  # a damaged run is counted again
    # Only the runs counted now need their texts.
    unknown = [i for run, (start, stop) in zip(runs, spans, strict=True) if run not in known
               for i in range(start, stop)]
    held = texts([articles[i].body_key for i in unknown if articles[i].body_key])
    docs = list(docs)
    for i in unknown:
        docs[i] = replace(docs[i], text=held.get(articles[i].body_key, ""))
    # A cold build counts every run: on every core, each run's counts coming back as bytes.
    todo = [(number, run) for number, run in enumerate(runs) if run not in known]
    fresh = fan_out(_count_runs, (docs, settings, [spans[number] for number, _ in todo]),
                    len(todo), minimum=32)
    for (_, run), blob in zip(todo, fresh, strict=True):
        known[run] = blob
        cache.put("related-terms", run, blob, remember=False)
    counted = related_mod.count(docs, settings, [known[run] for run in runs])
    return key, None, counted


def _count_runs(shared: tuple[Sequence[related_mod.Doc], related_mod.Settings,
                              Sequence[tuple[int, int]]], start: int, stop: int) -> list[bytes]:
    """The counted terms of runs ``start`` to ``stop`` of those given, as bytes (a fan_out batch)."""
    from . import related as related_mod

    docs, settings, runs = shared
    return [related_mod.count_run(docs, settings, *runs[i]) for i in range(start, stop)]


def relate(docs: Sequence[related_mod.Doc], config: Config, cache: Cache, key: str,
           found: _Found | None, counted: related_mod.Counted | None,
           ) -> list[tuple[related_mod.Match, ...]]:
    """Related lists for every article: ``key``, ``found`` and ``counted`` are what
    :func:`relate_start` returned for the same docs, whose texts may be gone since."""
    from . import related as related_mod

    if found is None:
        found = related_mod.related(docs, config.related_count, counted=counted)
        packed = related_mod.packed_lists(found)
        if packed is not None:
            cache.put("related", key, packed)
    return list(found)


def related_docs(articles: Sequence[Article], chosen: Sequence[tuple[Source, Meta]] = (),
                 errors: list[SourceError] | None = None,
                 texts: Mapping[str, str] | None = None, held: Mapping[str, str] | None = None,
                 faulty: frozenset[str] = frozenset()) -> list[related_mod.Doc]:
    """What the related index reads of each article, with its text if ``texts`` (by body key)
    holds it (relate_start gives the docs it counts theirs); a pin to no published slug is an
    error. ``held``: the articles not published by this build, by slug: their file and why
    (``content/a.md is a draft``); ``faulty``: slugs of articles whose front matter has errors,
    which a pin is not told about (see _faulty)."""
    from . import related as related_mod

    by_slug = {a.slug: i for i, a in enumerate(articles)}
    lines = {s.path: m.lines.get("related") for s, m in chosen}
    docs = []
    for article in articles:
        pins = []
        for slug in article.related_pins:
            if slug in by_slug:
                pins.append(by_slug[slug])
            elif errors is not None and held and slug in held:
                errors.append(SourceError(
                    article.source.shown, lines.get(article.source.path),
                    f"related: the article with the slug {slug!r} is not published: {held[slug]}",
                    "Publish that article first, or remove its slug from related:."))
            elif errors is not None and slug not in faulty:
                errors.append(SourceError(article.source.shown, lines.get(article.source.path),
                                          f"related: no published article has the slug {slug!r}",
                                          "Use the slug of the other article, the last part of its URL."))
        docs.append(related_mod.Doc(
            tags=tuple(t.slug for t in article.tags), title=article.title, summary=article.summary,
            text=texts.get(article.body_key, "") if texts else "",
            day=article.date.timestamp() / 86400,
            category=article.category.slug if article.category else None, pins=tuple(pins),
        ))
    return docs


# -- plan ---------------------------------------------------------------------------------------
def plan(articles: list[Article], matches: list[tuple[related_mod.Match, ...]], config: Config,
         routes: Routes, now: datetime) -> list[Page]:
    """Every page of the site with the template and context it gets."""
    sort_key = sort_key_for(config.language)
    tags: dict[str, Term] = {}
    categories: dict[str, Term] = {}
    by_tag: dict[str, list[Article]] = {}
    by_category: dict[str, list[Article]] = {}
    for article in articles:  # newest first already
        for tag in article.tags:
            tags[tag.slug] = tag
            by_tag.setdefault(tag.slug, []).append(article)
        if article.category:
            categories[article.category.slug] = article.category
            by_category.setdefault(article.category.slug, []).append(article)
    tag_list = tuple(sorted(tags.values(), key=lambda t: sort_key(t.name)))
    category_list = tuple(sorted(categories.values(), key=lambda t: sort_key(t.name)))
    site = SiteView(
        title=config.title, description=config.description, language=config.language,
        base_url=config.base_url, home_url=routes.href("/"), tags_url=routes.href(routes.tags_index()),
        search_url=routes.href(routes.search()),
        author=config.author, categories=category_list, extra=config.extra,
        feed_url=routes.permalink(routes.feed(routes.home())),
        atom_url=routes.permalink(routes.atom(routes.home())), logo_url=routes.asset(config.logo),
        locale=config.locale,
        twitter_site="@" + config.twitter_site.lstrip("@") if config.twitter_site else "",
        direction=direction(config.language),
    )

    def page(route: str, template: str, owner: str, kind: str, **names: Any) -> Page:
        context = {"site": site, "t": config.ui, "page_kind": kind,
                   "canonical": routes.permalink(route), **names}
        return Page(route, template, context, owner)

    pages: list[Page] = []
    for route, pager in paginate(articles, config.page_size, routes.home(), routes):
        pages.append(page(route, "index.html", "the home page", "index", articles=pager.items,
                          pager=pager))
    for slug, tag in tags.items():
        for route, pager in paginate(by_tag[slug], config.page_size, routes.tag(slug), routes):
            pages.append(page(route, "tag.html", f"tag {tag.name!r}", "tag", tag=tag,
                              articles=pager.items, pager=pager))
    pages.append(page(routes.tags_index(), "tags.html", "the tags overview", "tags", tags=tag_list))
    for slug, category in categories.items():
        for route, pager in paginate(by_category[slug], config.page_size, routes.category(slug),
                                     routes):
            pages.append(page(route, "category.html", f"category {category.name!r}", "category",
                              category=category, articles=pager.items, pager=pager))
    for article, found in zip(articles, matches):
        pages.append(page(article.route, "article.html", article.source.shown, "article",
                          article=article, related=tuple([articles[m.index] for m in found])))
    pages.append(page(routes.search(), "search.html", "the search page", "search",
                      index_url=routes.href(routes.search_data(""))))
    pages.append(page(routes.not_found(), "404.html", "the 404 page", "404"))
    files = feeds.plan(articles, tags, by_tag, categories, by_category, config, routes)
    files += sitemap.plan(pages, articles, config, routes, now)
    pages += [page(f.route, f.template, f.owner, f.kind, **f.names) for f in files]
    return pages


# -- render and write ---------------------------------------------------------------------------
_Counts = tuple[tuple[str, int], ...]  # (term key, count) of the terms a page showed the count of
# A page in the manifest: fingerprint; size, mtime, ctime and inode of its file (listing.signature);
# a hash of its bytes (_page_digest); the term counts it showed.
_Entry = tuple[str, int, int, int, int, bytes, _Counts]


@compact
@dataclass(frozen=True, slots=True)
class _Rendered:
    rel: str  # the page's path in the output (a str: thousands of them travel between processes)
    written: bool
    error: SourceError | None = None
    print: str = ""  # the page's fingerprint, for the manifest ("" for check)
    rendered: bool = True  # False: unchanged since the last build, its template not run
    counts: _Counts = ()  # the term counts it shows, which its fingerprint leaves out
    digest: bytes = b""  # _page_digest of its bytes, for the manifest


@dataclass(frozen=True, slots=True)
class _Known:
    """What decides that a page is unchanged: the fingerprint of everything every page depends
    on, the term counts now, and the last build's manifest (output path → _Entry)."""

    site_digest: str
    previous: Mapping[str, _Entry]
    memo: Memo  # fingerprints of shared objects; each worker fills its own copy
    counts: Mapping[str, int]  # by _count_key

    def unchanged(self, entry: _Entry | None, print_: str) -> bool:
        """Whether a page whose fingerprint is now ``print_`` shows what it showed when the last
        build wrote ``entry`` for it: the same fingerprint and the same counts it read."""
        return entry is not None and entry[0] == print_ and \
            all(self.counts.get(key) == count for key, count in entry[6])


def _count_key(term: Term) -> str:
    """A term, as the manifest keeps the counts a page showed (taxonomy.term_key keys the names
    editors wrote, before there are terms)."""
    return f"{term.url}\x00{term.slug}"


def _term_counts(articles: Sequence[Article]) -> dict[str, int]:
    """Every term's count, by _count_key (every term is some published article's)."""
    terms = {id(term): term for article in articles for term in article.tags}
    terms.update((id(a.category), a.category) for a in articles if a.category is not None)
    return {_count_key(term): term.count for term in terms.values()}


def _counts_read(terms: list[Term]) -> _Counts:
    return tuple(sorted({_count_key(term): term.count for term in terms}.items()))


def _render_pages(shared: tuple[Templates, list[Page], Transaction | None, _Known | None],
                  start: int, stop: int) -> list[_Rendered]:
    """Render pages and stage their bytes in the transaction (none for ``check``).

    With ``known``, each page's fingerprint is made here, in the workers, and a page whose
    fingerprint and file are those of the last build is not rendered again.
    """
    templates, pages, transaction, known = shared
    out: dict[int, _Rendered] = {}
    todo: list[tuple[int, Page, str]] = []
    for number, page in enumerate(pages[start:stop]):
        print_ = ""
        if known is not None:
            rel = Routes.output_path(page.route)
            print_ = _page_print(known.site_digest, page, known.memo)
            entry = known.previous.get(str(rel))
            stat = transaction.current(rel) if transaction and known.unchanged(entry, print_) \
                else None
            if stat is not None and entry is not None and _kept(entry, stat, transaction, rel):
                out[number] = _Rendered(str(rel), False, print=print_, rendered=False,
                                        counts=entry[6], digest=entry[5])
                continue
        todo.append((number, page, print_))
    shown = [page.context["article"] for _, page, _ in todo if "article" in page.context]
    keys = [article.body_key for article in shown]
    if shown:
        shown[0].bodies.prefetch(keys)
    try:
        for (number, _, _), result in zip(todo, _render_batch(
                templates, [(page, print_) for _, page, print_ in todo], transaction)):
            out[number] = result
    finally:
        if shown:  # a worker renders many batches: it holds the bodies of one at a time
            shown[0].bodies.forget(keys)
    return [out[number] for number in range(len(out))]


def _kept(entry: _Entry, stat: tuple[int, int, int, int], transaction: Transaction | None,
          rel: PurePosixPath) -> bool:
    """Whether a page's file (``stat``: its listing.signature) is still the one the last build
    wrote (``entry``): the same stat; or the same size and mtime with a new ctime or inode (chmod
    -R, cp -al, a restore keeping times; on Windows, any stat not from a listing) and the bytes
    the manifest keeps the hash of. A file edited with its mtime put back is rendered again."""
    if entry[1:5] == stat:
        return True
    if entry[1:3] != stat[:2] or transaction is None:
        return False
    data = transaction.read(rel)
    return data is not None and _page_digest(data) == entry[5]


def _page_digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


def _page_print(site_digest: str, page: Page, memo: Memo) -> str:
    """The fingerprint of everything a page shows (see publish); its context is its own."""
    return fingerprint_new(page.context, memo, site_digest, page.template, page.route)


def _render_batch(templates: Templates, pages: list[tuple[Page, str]],
                  transaction: Transaction | None) -> list[_Rendered]:
    out = []
    failed: set[str] = set()
    for page, print_ in pages:
        rel = Routes.output_path(page.route)
        if page.template in failed:
            out.append(_Rendered(str(rel), False, print=print_))
            continue
        try:
            with noting_counts() as read:
                data = templates.render(page.template, page.context).encode("utf-8")
        except UnicodeEncodeError as exc:  # a lone surrogate: "\ud83d" written in a template
            failed.add(page.template)
            out.append(_Rendered(str(rel), False, templates.unencodable(page.template, exc),
                                 print=print_))
            continue
        except TemplateProblem as problem:
            failed.add(page.template)
            out.append(_Rendered(str(rel), False, problem.error, print=print_))
            continue
        except SourceProblem as problem:  # this page's article, not its template
            out.append(_Rendered(str(rel), False, problem.error, print=print_))
            continue
        out.append(_Rendered(str(rel), transaction.stage(rel, data) if transaction else False,
                             print=print_, counts=_counts_read(read),
                             digest=_page_digest(data) if transaction else b""))
    return out


def publish(options: Options, config: Config, templates: Templates, pages: list[Page],
            articles: list[Article], cache: Cache, errors: list[SourceError],
            index: list[tuple[PurePosixPath, bool]] | None = None,
            transaction: Transaction | None = None) -> tuple[WriteReport | None, int]:
    """Render the pages that changed since the last build and apply them to the output folder.

    A page is re-rendered when its fingerprint (templates, config, code and every value its
    context shows) differs from the last build's, or when its file was changed by someone else.
    In ``check`` mode the same clashes are found and the same pages rendered; nothing is written.
    Otherwise ``transaction`` holds the search ``index`` staged already, both made by ``build``.
    """
    site_digest = fingerprint((cache.version, templates.digest(), config))
    memo: Memo = {}
    manifest_key = str(options.output.resolve())
    previous: dict[str, _Entry] = cache.get("manifest", manifest_key) or {}
    known = _Known(site_digest, previous, memo, _term_counts(articles))
    progress = options.progress
    if not options.write:
        def unchanged(page: Page) -> bool:
            return known.unchanged(previous.get(str(Routes.output_path(page.route))),
                                   _page_print(site_digest, page, memo))

        return None, _check_pages(options, templates, pages, articles, errors, unchanged)
    assert transaction is not None and index is not None
    try:
        claimed: list[Page] = []
        for page in pages:
            problem = transaction.claim(Routes.output_path(page.route), page.owner)
            if problem is not None:
                errors.append(problem)
            else:
                claimed.append(page)
        copies = _copies(options, articles, transaction.claims, errors)
        if errors:
            transaction.abort()
            return None, 0
        cache.flush(wait=True)  # the entries waiting to be stored are not copied into each worker
        results = fan_out(_render_pages, (templates, claimed, transaction, known), len(claimed),
                          minimum=100,
                          progress=(lambda d, t: progress("pages", d, t)) if progress else None)
        if transaction.known is not None and not transaction.confirm():
            # The output changed since the last build listed it, and pages were found unchanged
            # by that listing: decide again, each page by its file as it is now.
            results = fan_out(_render_pages, (templates, claimed, transaction, known),
                              len(claimed), minimum=100)
        for rel, _ in index:
            problem = transaction.claim(rel, "the search index")
            if problem is not None:
                errors.append(problem)
        rendered = 0
        for result in results:
            rendered += result.rendered
            if result.error is not None:
                errors.append(result.error)
            else:
                transaction.record(result.rel, result.written)
        if errors:
            transaction.abort()
            return None, rendered
        for rel, source in copies:
            transaction.record(rel, transaction.stage_copy(rel, source))
        for rel, written in index:
            transaction.record(rel, written)
        report = transaction.commit()
    except BaseException:
        transaction.abort()
        raise
    manifest = {}
    after = transaction.listing()
    if after is not None:
        present = file_stats(after)
        for result in results:
            if result.rel in present:
                manifest[result.rel] = (result.print, *present[result.rel], result.digest,
                                        result.counts)
    else:
        for result in results:
            stat = transaction.current(result.rel)
            if stat is not None:
                manifest[result.rel] = (result.print, *stat, result.digest, result.counts)
    cache.put("manifest", manifest_key, manifest)
    return report, rendered


def _check_pages(options: Options, templates: Templates, pages: list[Page],
                 articles: list[Article], errors: list[SourceError],
                 unchanged: Callable[[Page], bool]) -> int:
    """``check``: the build's clashes and template errors without writing; returns pages rendered.

    A page whose fingerprint equals the one of the last build of the output folder rendered
    without error then and would render the same now, so only the others are rendered.
    """
    claims = Claims()
    todo: list[Page] = []
    for page in pages:
        problem = claims.claim(Routes.output_path(page.route), page.owner)
        if problem is not None:
            errors.append(problem)
        elif not unchanged(page):
            todo.append(page)
    _copies(options, articles, claims, errors)
    if errors:
        return 0
    progress = options.progress
    results = fan_out(_render_pages, (templates, todo, None, None), len(todo), minimum=100,
                      progress=(lambda d, t: progress("pages", d, t)) if progress else None)
    errors += [result.error for result in results if result.error is not None]
    return len(todo)


def _copies(options: Options, articles: list[Article], claims: Claims,
            errors: list[SourceError]) -> list[tuple[PurePosixPath, Path]]:
    """Photos beside their articles and the static folder, claimed in the output."""
    jobs: list[tuple[PurePosixPath, Path]] = []

    def claim(rel: PurePosixPath, owner: str, source: Path) -> None:
        problem = claims.claim(rel, owner)
        if problem is not None:
            errors.append(problem)
        else:
            jobs.append((rel, source))

    photos = images.Photos(options.cache / "images" if options.cache else None)
    for article in articles:
        folder = Routes.output_path(article.route).parent
        for asset in article.assets:
            claim(folder / asset.name, article.source.shown, asset.source)
            for name, path in photos.copies(asset.photo, article.source.shown, errors,
                                            encode=options.write, line=asset.line):
                claim(folder / name, article.source.shown, path)
    if options.static.is_dir():
        try:  # through symlinked folders too (a shared folder of logos, say), as uptodate lists it
            found = sorted((rel, Path(item.path)) for rel, item in
                           walk_files(options.static, follow_symlinks=True) if item.is_file())
        except OSError as exc:
            looped = exc.errno == errno.ELOOP and exc.filename2 is not None
            first, second = sorted((exc.filename2, exc.filename)) if looped \
                else (None, exc.filename)
            errors.append(SourceError(
                display_path(Path(second or options.static)), None,
                f"this folder is also reached as {display_path(Path(first))}, through symlinks "
                "(a loop, or two links to one folder)" if first is not None
                else f"cannot read this folder: {exc.strerror or exc}",
                "Keep one symlink to a folder, and none leading back into the static folder."
                if looped else "Check that the folder exists and that you may read it."))
            found = []
        for rel, path in found:
            claim(PurePosixPath(rel), display_path(path), path)
    return jobs
