"""The build as a checklist: load → validate → assemble → plan routes → render → write."""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any, Mapping

from . import related as related_mod
from .config import Config, load_config
from .errors import BuildFailed, SourceError, display_path
from .i18n import sort_key_for
from .markup import Renderer, summarise
from .meta import parse_yaml, validate
from .models import Article, Image, Meta, Source, Term
from .paginate import paginate
from .render import TemplateProblem, Templates
from .routes import Routes
from .source import discover, read_source
from .taxonomy import name_terms, term_key
from .writer import Staging, WriteReport, check_output


@dataclass(frozen=True, slots=True)
class Options:
    content: Path = Path("content")
    output: Path = Path("output")
    config: Path = Path("site.toml")
    templates: Path = Path("templates")
    static: Path = Path("static")
    drafts: bool = False
    future: bool = False
    now: datetime | None = None
    write: bool = True


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
    author: str
    categories: tuple[Term, ...]
    extra: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Result:
    articles: int
    pages: int
    report: WriteReport | None
    scheduled: tuple[tuple[str, datetime], ...]
    drafts: int
    warnings: tuple[SourceError, ...]
    seconds: float
    config: Config = field(repr=False)
    published: tuple[Article, ...] = field(repr=False, default=())
    matches: tuple[tuple[related_mod.Match, ...], ...] = field(repr=False, default=())


def build(options: Options) -> Result:
    """Run every stage; raise BuildFailed with all content errors, leaving the output untouched."""
    started = time.perf_counter()
    config = load_config(options.config)
    if options.write:
        check_output(options.output, _protected(options))
    errors: list[SourceError] = []
    warnings: list[SourceError] = []
    templates = Templates(options.templates, config)
    errors += templates.check()

    loaded = load(options.content, config, errors, warnings)
    now = options.now or datetime.now(config.tz)
    if now.tzinfo is None:
        now = now.replace(tzinfo=config.tz)
    drafts = [m for _, m in loaded if m.draft and not options.drafts]
    scheduled = [(s, m) for s, m in loaded if m.date > now and not (m.draft and not options.drafts)]
    chosen = [(s, m) for s, m in loaded
              if (options.drafts or not m.draft) and (options.future or m.date <= now)]
    routes = Routes(config)
    articles = assemble(chosen, [s for s, _ in loaded], options, config, routes, now, errors)
    matches = relate(articles, chosen, config, errors)
    if errors:
        raise BuildFailed(tuple(sorted(errors, key=SourceError.sort_key)) + tuple(warnings))
    pages = plan(articles, matches, config, routes)
    rendered = render(pages, templates, errors)
    if errors:
        raise BuildFailed(tuple(sorted(set(errors), key=SourceError.sort_key)) + tuple(warnings))
    report = write(options, rendered, articles, errors) if options.write else None
    if errors:
        raise BuildFailed(tuple(sorted(errors, key=SourceError.sort_key)) + tuple(warnings))
    return Result(
        articles=len(articles),
        pages=len(rendered),
        report=report,
        scheduled=tuple((s.shown, m.date) for s, m in scheduled if not options.future),
        drafts=len(drafts),
        warnings=tuple(warnings),
        seconds=time.perf_counter() - started,
        config=config,
        published=tuple(articles),
        matches=tuple(matches),
    )


def _protected(options: Options) -> list[Path]:
    project = Path(__file__).resolve().parent.parent
    return [Path.cwd(), project, options.content, options.templates, options.static,
            options.config.resolve().parent]


# -- load ---------------------------------------------------------------------------------------
def load(content: Path, config: Config, errors: list[SourceError],
         warnings: list[SourceError]) -> list[tuple[Source, Meta]]:
    """Read and validate every article file; problems go to ``errors`` and ``warnings``."""
    if not content.is_dir():
        errors.append(SourceError(display_path(content), None, "content folder not found",
                                  "Pass --content DIR, or create content/ with Markdown articles."))
        return []
    files, problems = discover(content)
    errors += problems
    loaded: list[tuple[Source, Meta]] = []
    for path, bundle in files:
        source = read_source(path, content, bundle)
        if isinstance(source, SourceError):
            errors.append(source)
            continue
        parsed = parse_yaml(source)
        if isinstance(parsed, list):
            errors += parsed
            continue
        meta, found = validate(source, *parsed, config.tz)
        for problem in found:
            (warnings if problem.warning else errors).append(problem)
        if meta is not None:
            loaded.append((source, meta))
    return loaded


# -- assemble -----------------------------------------------------------------------------------
def assemble(chosen: list[tuple[Source, Meta]], every: list[Source], options: Options,
             config: Config, routes: Routes, now: datetime,
             errors: list[SourceError]) -> list[Article]:
    """Routes, bodies and taxonomies for the published articles, newest first."""
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
    links = {s.rel: routes.href(route) for s, _, route in planned}
    unpublished = frozenset(s.rel for s in every) - frozenset(links)

    sort_key = sort_key_for(config.language)
    tag_names = name_terms((m.tags for _, m, _ in planned), sort_key)
    category_names = name_terms(([m.category] if m.category else [] for _, m, _ in planned), sort_key)
    tag_terms = {key: _term(name, slug, routes.tag(slug), routes)
                 for key, (name, slug) in tag_names.items()}
    category_terms = {key: _term(name, slug, routes.category(slug), routes)
                      for key, (name, slug) in category_names.items()}

    renderer = Renderer(trust_html=config.trust_html)
    articles: list[Article] = []
    for source, meta, route in planned:
        href = routes.href(route)
        body = renderer.render(source, href, options.content, links, unpublished,
                               image=meta.image, image_line=meta.lines.get("image"))
        errors += body.errors
        tags = tuple(dict.fromkeys(tag_terms[term_key(t)] for t in meta.tags))
        category = category_terms[term_key(meta.category)] if meta.category else None
        image = None
        if body.image_url:
            image = Image(body.image_url, meta.image_alt or meta.title, meta.image_caption,
                          body.image_url if "://" in body.image_url else config.origin + body.image_url)
        articles.append(Article(
            source=source, title=meta.title, slug=meta.slug, date=meta.date, url=href,
            permalink=routes.permalink(route), route=route, tags=tags, category=category,
            author=meta.author, summary=meta.summary or summarise(body.first_paragraph,
                                                                  config.summary_length),
            lead=meta.summary, body=body.html, image=image, updated=meta.updated, draft=meta.draft,
            scheduled=meta.date > now, related_pins=meta.related, extra=meta.extra, text=body.text,
            assets=body.assets,
        ))
    articles.sort(key=lambda a: (-a.date.timestamp(), a.slug, a.route))
    return _with_counts(articles)


def _term(name: str, slug: str, route: str, routes: Routes) -> Term:
    return Term(name=name, slug=slug, url=routes.href(route), permalink=routes.permalink(route))


def _with_counts(articles: list[Article]) -> list[Article]:
    """Give every Term on every article the number of published articles carrying it."""
    counts: dict[str, int] = {}
    for article in articles:
        for term in article.tags + ((article.category,) if article.category else ()):
            counts[term.url] = counts.get(term.url, 0) + 1
    final: dict[str, Term] = {}

    def counted(term: Term) -> Term:
        if term.url not in final:
            final[term.url] = replace(term, count=counts[term.url])
        return final[term.url]

    return [replace(a, tags=tuple(counted(t) for t in a.tags),
                    category=counted(a.category) if a.category else None) for a in articles]


def relate(articles: list[Article], chosen: list[tuple[Source, Meta]], config: Config,
           errors: list[SourceError]) -> list[tuple[related_mod.Match, ...]]:
    """Related lists for every article, with editors' pins resolved by slug."""
    by_slug = {a.slug: i for i, a in enumerate(articles)}
    lines = {s.path: m.lines.get("related") for s, m in chosen}
    docs = []
    for article in articles:
        pins = []
        for slug in article.related_pins:
            if slug in by_slug:
                pins.append(by_slug[slug])
            else:
                errors.append(SourceError(article.source.shown, lines.get(article.source.path),
                                          f"related: no published article has the slug {slug!r}",
                                          "Use the slug of the other article, the last part of its URL."))
        docs.append(related_mod.Doc(
            tags=tuple(t.slug for t in article.tags), title=article.title, summary=article.summary,
            text=article.text, day=article.date.timestamp() / 86400,
            category=article.category.slug if article.category else None, pins=tuple(pins),
        ))
    return related_mod.related(docs, config.related_count)


# -- plan ---------------------------------------------------------------------------------------
def plan(articles: list[Article], matches: list[tuple[related_mod.Match, ...]], config: Config,
         routes: Routes) -> list[Page]:
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
        author=config.author, categories=category_list, extra=config.extra,
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
                          article=article, related=tuple(articles[m.index] for m in found)))
    pages.append(page(routes.not_found(), "404.html", "the 404 page", "404"))
    return pages


# -- render and write ---------------------------------------------------------------------------
def render(pages: list[Page], templates: Templates,
           errors: list[SourceError]) -> list[tuple[Page, bytes]]:
    """Every page through its template; each failing template is reported once."""
    out: list[tuple[Page, bytes]] = []
    failed: set[str] = set()
    for page in pages:
        if page.template in failed:
            continue
        try:
            out.append((page, templates.render(page.template, page.context).encode("utf-8")))
        except TemplateProblem as problem:
            failed.add(page.template)
            errors.append(problem.error)
    return out


def write(options: Options, rendered: list[tuple[Page, bytes]], articles: list[Article],
          errors: list[SourceError]) -> WriteReport | None:
    """Stage the whole site beside the output folder and swap it in; on a clash, write nothing."""
    staging = Staging(options.output)
    try:
        jobs: list[tuple[PurePosixPath, bytes | Path]] = []
        for page, data in rendered:
            jobs.append((_claim(staging, Routes.output_path(page.route), page.owner, errors), data))
        for article in articles:
            folder = Routes.output_path(article.route).parent
            for asset in article.assets:
                jobs.append((_claim(staging, folder / asset.name, article.source.shown, errors),
                             asset.source))
        if options.static.is_dir():
            for path in sorted(p for p in options.static.rglob("*") if p.is_file()):
                rel = PurePosixPath(path.relative_to(options.static).as_posix())
                jobs.append((_claim(staging, rel, display_path(path), errors), path))
        if errors:
            staging.abort()
            return None
        for rel, data in jobs:
            if isinstance(data, bytes):
                staging.put(rel, data)
            else:
                staging.copy(rel, data)
        return staging.commit()
    except BaseException:
        staging.abort()
        raise


def _claim(staging: Staging, rel: PurePosixPath, owner: str, errors: list[SourceError]) -> PurePosixPath:
    problem = staging.claim(rel, owner)
    if problem is not None:
        errors.append(problem)
    return rel

