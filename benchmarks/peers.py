"""Turn a benchmark corpus into a Hugo site and a Pelican site set up to do Bản tin's job.

Only the data moves: each article's title, date, tags, category, slug and body. Both sites are
written into a scratch folder at run time; nothing here touches the project's own files.
"""

from __future__ import annotations

import json
import textwrap
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

SITE_TIMEZONE = "Asia/Ho_Chi_Minh"
PAGE_SIZE = 20
RELATED_COUNT = 5
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True, slots=True)
class CorpusArticle:
    """One article of a corpus written by benchmarks.corpus.generate."""

    title: str
    date: datetime
    category: str
    author: str
    tags: tuple[str, ...]
    slug: str
    body: str


def read_article(path: Path) -> CorpusArticle:
    """Read one corpus article: YAML front matter between '---' lines, then Markdown."""
    text = path.read_text(encoding="utf-8")
    opening, front, body = text.split("---\n", 2)
    if opening:
        raise ValueError(f"{path}: does not start with a '---' front matter line")
    meta = yaml.load(front, Loader=_LOADER)
    date = meta["date"]
    if not isinstance(date, datetime) or date.tzinfo is None:
        raise ValueError(f"{path}: date {date!r} is not a datetime with an offset")
    return CorpusArticle(title=str(meta["title"]), date=date,
                         category=str(meta.get("category", "")), author=str(meta.get("author", "")),
                         tags=tuple(str(t) for t in meta.get("tags") or ()),
                         slug=str(meta["slug"]), body=body.lstrip("\n"))


def corpus(folder: Path) -> list[CorpusArticle]:
    """Every article of a corpus folder, in file-name order."""
    return [read_article(path) for path in sorted(folder.glob("*.md"))]


# --- Hugo -----------------------------------------------------------------------------------------

HUGO_CONFIG = f"""\
baseURL = "http://localhost:8000/"
titleCaseStyle = "none"
title = "Bản tin (Hugo)"
timeZone = "{SITE_TIMEZONE}"
buildFuture = true
# Bản tin writes neither feeds nor a sitemap nor a /posts/ section listing.
disableKinds = ["rss", "sitemap", "robotsTXT", "section"]

[pagination]
pagerSize = {PAGE_SIZE}
disableAliases = true

[taxonomies]
tag = "tags"
category = "categories"

[related]
includeNewer = true
threshold = 80
toLower = false

[[related.indices]]
name = "tags"
weight = 100

[[related.indices]]
name = "date"
weight = 10
"""

_HUGO_LAYOUTS = {
    "baseof.html": """\
        <!DOCTYPE html>
        <html lang="vi">
        <head><meta charset="utf-8"><title>{{ .Title }} · {{ site.Title }}</title></head>
        <body>
        <header><a href="{{ site.Home.RelPermalink }}">{{ site.Title }}</a>
        <nav>{{ range site.Taxonomies.categories }}
        <a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a>{{ end }}</nav></header>
        <main>{{ block "main" . }}{{ end }}</main>
        </body>
        </html>
        """,
    "_partials/item.html": """\
        <article><h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2>
        <time datetime="{{ .Date.Format "2006-01-02T15:04:05-07:00" }}">
        {{- .Date.Format "02/01/2006" }}</time>
        <p>{{ .Summary | plainify }}</p></article>
        """,
    "_partials/pager.html": """\
        <nav class="pager">{{ with .Prev }}<a href="{{ .URL }}">Trước</a>{{ end }}
        Trang {{ .PageNumber }}/{{ .TotalPages }}
        {{ with .Next }}<a href="{{ .URL }}">Sau</a>{{ end }}</nav>
        """,
    "home.html": """\
        {{ define "main" }}{{ $pager := .Paginate site.RegularPages }}
        {{ range $pager.Pages }}{{ partial "item.html" . }}{{ end }}
        {{ partial "pager.html" $pager }}{{ end }}
        """,
    "term.html": """\
        {{ define "main" }}<h1>{{ .Title }}</h1>{{ $pager := .Paginate .Pages }}
        {{ range $pager.Pages }}{{ partial "item.html" . }}{{ end }}
        {{ partial "pager.html" $pager }}{{ end }}
        """,
    "taxonomy.html": """\
        {{ define "main" }}<h1>{{ .Title }}</h1><ul>
        {{ range .Data.Terms.Alphabetical }}
        <li><a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a> ({{ .Count }})</li>{{ end }}
        </ul>{{ end }}
        """,
    "page.html": """\
        {{ define "main" }}<article><h1>{{ .Title }}</h1>
        <time datetime="{{ .Date.Format "2006-01-02T15:04:05-07:00" }}">
        {{- .Date.Format "02/01/2006" }}</time>
        {{ range .GetTerms "categories" }}
        <a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a>{{ end }}
        {{ .Content }}
        <p>{{ range .GetTerms "tags" }}
        <a href="{{ .RelPermalink }}" rel="tag">{{ .LinkTitle }}</a>{{ end }}</p>
        </article>
        {{ with site.RegularPages.Related . | first RELATED_COUNT }}
        <section class="related"><h2>Tin liên quan</h2><ul>{{ range . }}
        <li><a href="{{ .RelPermalink }}">{{ .Title }}</a> ({{ .Date.Format "02/01/2006" }})</li>
        {{- end }}
        </ul></section>{{ end }}{{ end }}
        """,
    "404.html": """\
        {{ define "main" }}<h1>Không tìm thấy trang</h1>{{ end }}
        """,
}


def _yaml_string(value: str) -> str:
    """A double-quoted YAML scalar (JSON strings are valid YAML)."""
    return json.dumps(value, ensure_ascii=False)


def hugo_front_matter(article: CorpusArticle) -> str:
    """The article as a Hugo content file: YAML front matter, then the Markdown body."""
    categories = [article.category] if article.category else []
    lines = ["---", f"title: {_yaml_string(article.title)}", f"date: {article.date.isoformat()}",
             "tags: [" + ", ".join(_yaml_string(t) for t in article.tags) + "]",
             "categories: [" + ", ".join(_yaml_string(c) for c in categories) + "]",
             f"slug: {_yaml_string(article.slug)}", "---", ""]
    return "\n".join(lines) + "\n" + article.body


def write_hugo_site(articles: list[CorpusArticle], site: Path) -> int:
    """Write hugo.toml, the minimal layouts and content/posts/<slug>.md; return articles written."""
    posts = site / "content" / "posts"
    posts.mkdir(parents=True, exist_ok=True)
    (site / "hugo.toml").write_text(HUGO_CONFIG, encoding="utf-8")
    for name, text in _HUGO_LAYOUTS.items():
        path = site / "layouts" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).replace("RELATED_COUNT", str(RELATED_COUNT)),
                        encoding="utf-8")
    for article in articles:
        (posts / f"{article.slug}.md").write_text(hugo_front_matter(article), encoding="utf-8")
    return len(articles)


# --- Pelican --------------------------------------------------------------------------------------

def pelican_config(cache: Path) -> str:
    """pelicanconf.py: pagination 20, default theme, no feeds/author/archive pages, no cache."""
    return textwrap.dedent(f"""\
        AUTHOR = "Ban biên tập"
        SITENAME = "Bản tin (Pelican)"
        SITEURL = ""
        RELATIVE_URLS = True
        TIMEZONE = "{SITE_TIMEZONE}"
        DEFAULT_LANG = "vi"
        DEFAULT_PAGINATION = {PAGE_SIZE}
        WITH_FUTURE_DATES = True
        # Bản tin writes no feeds, author pages or archive page: neither does this site.
        FEED_ALL_ATOM = None
        CATEGORY_FEED_ATOM = None
        TRANSLATION_FEED_ATOM = None
        AUTHOR_FEED_ATOM = None
        AUTHOR_FEED_RSS = None
        AUTHOR_SAVE_AS = ""
        AUTHORS_SAVE_AS = ""
        ARCHIVES_SAVE_AS = ""
        # Cold builds: no content cache is read or written.
        CACHE_CONTENT = False
        LOAD_CONTENT_CACHE = False
        CACHE_PATH = {str(cache)!r}
        """)


def pelican_metadata(article: CorpusArticle) -> str:
    """The article as Pelican Markdown: 'Key: value' metadata lines, a blank line, the body."""
    for value in (article.title, article.category, article.author, *article.tags):
        if "\n" in value:
            raise ValueError(f"{article.slug}: {value!r} cannot be a Pelican metadata value")
    bad_tags = [t for t in article.tags if "," in t]
    if bad_tags:
        raise ValueError(f"{article.slug}: Pelican splits tags on commas: {bad_tags!r}")
    local = article.date.astimezone(ZoneInfo(SITE_TIMEZONE))
    lines = [f"Title: {article.title}", f"Date: {local:%Y-%m-%d %H:%M:%S}"]
    if article.tags:
        lines.append("Tags: " + ", ".join(article.tags))
    if article.category:
        lines.append(f"Category: {article.category}")
    if article.author:
        lines.append(f"Author: {article.author}")
    lines.append(f"Slug: {article.slug}")
    return "\n".join(lines) + "\n\n" + article.body


def write_pelican_site(articles: list[CorpusArticle], site: Path) -> int:
    """Write pelicanconf.py and content/<slug>.md; return articles written."""
    content = site / "content"
    content.mkdir(parents=True, exist_ok=True)
    (site / "pelicanconf.py").write_text(pelican_config(site / "cache"), encoding="utf-8")
    for article in articles:
        (content / f"{article.slug}.md").write_text(pelican_metadata(article), encoding="utf-8")
    return len(articles)
