"""Unit tests for the small pure modules: slug, i18n, routes, taxonomy, pagination, summaries."""

from __future__ import annotations

import string
import unicodedata
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from bulletin.config import Config, Permalinks
from bulletin.i18n import vietnamese_sort_key
from bulletin.markup import sanitise, summarise
from bulletin.routes import Routes
from bulletin.slug import slugify, unsafe_slug_reason
from bulletin.taxonomy import name_terms

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def test_slug_follows_vietnamese_rules() -> None:
    assert slugify("Bộ Công an sơ kết công tác quý III") == "bo-cong-an-so-ket-cong-tac-quy-iii"
    assert slugify("Đường dây ma tuý: 10 đối tượng!") == "duong-day-ma-tuy-10-doi-tuong"
    assert slugify("Ăn, ở, đi lại") == "an-o-di-lai"


def test_slug_is_the_same_for_nfc_and_nfd() -> None:
    title = "Phòng cháy chữa cháy ở Hưng Yên"
    assert slugify(unicodedata.normalize("NFD", title)) == slugify(title)


@given(st.text())
def test_slug_is_idempotent_and_url_safe(text: str) -> None:
    slug = slugify(text)
    assert slugify(slug) == slug
    assert set(slug) <= set(string.ascii_lowercase + string.digits + "-")
    assert not slug.startswith("-") and not slug.endswith("-") and "--" not in slug


def test_unsafe_slugs_are_named() -> None:
    assert "separator" in unsafe_slug_reason("a/b")
    assert "separator" in unsafe_slug_reason("a\\b")
    assert ".." in unsafe_slug_reason("..")
    assert "NUL" in unsafe_slug_reason("a\x00b")
    assert "absolute" in unsafe_slug_reason("/etc/passwd")
    assert unsafe_slug_reason("bo-cong-an") is None


def test_vietnamese_alphabetical_order_with_tones() -> None:
    words = ["đường", "dương", "ân", "ăn", "an", "ba", "bà", "bả", "bã", "bá", "bạ", "ê", "e", "ơ", "ô", "o",
             "ư", "u", "y"]
    expected = ["an", "ăn", "ân", "ba", "bà", "bả", "bã", "bá", "bạ", "dương", "đường", "e", "ê", "o", "ô",
                "ơ", "u", "ư", "y"]
    assert sorted(words, key=vietnamese_sort_key) == expected


def test_routes_with_a_sub_path() -> None:
    config = Config(base_url="https://example.gov.vn/ban-tin/")
    routes = Routes(config)
    route = routes.article("abc", datetime(2024, 3, 5, tzinfo=TZ), None)
    assert route == "/tin/abc/"
    assert routes.href(route) == "/ban-tin/tin/abc/"
    assert routes.permalink(route) == "https://example.gov.vn/ban-tin/tin/abc/"
    assert routes.page("/", 2) == "/page/2/"
    assert routes.page("/the/x/", 3) == "/the/x/page/3/"
    assert str(Routes.output_path("/the/x/page/3/")) == "the/x/page/3/index.html"


def test_routes_patterns_are_configurable() -> None:
    config = Config(permalinks=Permalinks(article="/{year}/{month}/{slug}/"))
    route = Routes(config).article("abc", datetime(2024, 3, 5, tzinfo=TZ), None)
    assert route == "/2024/03/abc/"


def test_nfc_and_nfd_tags_are_one_tag() -> None:
    nfd = unicodedata.normalize("NFD", "ma tuý")
    names = name_terms([["ma tuý"], [nfd], ["Ma tuý"], ["ma tuý"]], vietnamese_sort_key)
    assert names == {"ma tuý": ("ma tuý", "ma-tuy")}


def test_different_words_with_one_slug_stay_apart() -> None:
    names = name_terms([["đường"], ["dương"], ["bạo"], ["bão"]], vietnamese_sort_key)
    assert names["dương"] == ("dương", "duong") and names["đường"] == ("đường", "duong-2")
    assert names["bão"] == ("bão", "bao") and names["bạo"] == ("bạo", "bao-2")


def test_summary_cuts_at_a_word_boundary() -> None:
    text = "Ngày 28/9, Công an tỉnh tổ chức hội nghị sơ kết công tác quý III"
    cut = summarise(text, 30)
    assert cut.endswith("…") and len(cut) <= 31
    assert text.startswith(cut[:-1])
    assert text[len(cut) - 1] == " "
    assert summarise("ngắn", 30) == "ngắn"


def test_sanitiser_removes_scripts_handlers_and_javascript_urls() -> None:
    dirty = ('<p onclick="x()">a<script>alert(1)</script><style>p{}</style>'
             '<a href="javascript:alert(1)">b</a><img src="x.jpg" alt="c" onerror="y()"></p>')
    clean = sanitise(dirty)
    for bad in ("onclick", "script", "style", "javascript", "onerror", "alert"):
        assert bad not in clean
    assert '<img src="x.jpg" alt="c">' in clean


class _Html:
    def __html__(self) -> str:
        return "<i>đã an toàn</i>"


@given(st.text(alphabet=string.printable + "ăđ\u2028<>&'\"", max_size=30))
def test_templates_escape_every_value_as_markupsafe_does(text: str) -> None:
    from pathlib import Path

    from markupsafe import Markup, escape

    from bulletin.render import Templates

    env = Templates(Path(__file__).resolve().parent.parent / "templates", Config()).env
    template = env.from_string("<p title=\"{{ a }}\">{{ a }}|{{ m }}|{{ n }}|{{ h }}</p>"
                               "{% macro box(v) %}<b>{{ v }}</b>{% endmacro %}{{ box(a) }}")
    values = {"a": text, "m": Markup("<br>") + text, "n": 7, "h": _Html()}
    expected = (f'<p title="{escape(text)}">{escape(text)}|{escape(values["m"])}|7|'
                f"<i>đã an toàn</i></p><b>{escape(text)}</b>")
    assert template.render(values) == expected


def test_templates_compile_their_values_to_the_plain_escape() -> None:
    # The faster escape hooks into a method of Jinja's compiler: a Jinja that renamed it would
    # still render right, only slower. This says so.
    from pathlib import Path

    from bulletin.render import Templates

    env = Templates(Path(__file__).resolve().parent.parent / "templates", Config()).env
    source = env.compile("{{ a }}{% macro m(b) %}{{ b }}{% endmacro %}", raw=True)
    assert source.count("environment.escape_text(") == 2 and "escape(" not in source.replace(
        "environment.escape_text(", "")


_ZONES = [ZoneInfo(name) for name in ("Asia/Ho_Chi_Minh", "America/St_Johns", "Asia/Kathmandu",
                                      "UTC")]


@given(st.datetimes(timezones=st.sampled_from(_ZONES)))
def test_rss_dates_are_what_the_standard_library_writes(moment: datetime) -> None:
    from email.utils import format_datetime

    from bulletin.render import rfc822

    assert rfc822(moment) == format_datetime(moment)


@given(st.text(alphabet=st.sampled_from(list("az09-ĐđạA /.\\\x00_")), max_size=12))
def test_a_slug_is_accepted_exactly_when_slugify_gives_it_back(slug: str) -> None:
    from bulletin.slug import slugify, unsafe_slug_reason

    plain = bool(slug.strip()) and slugify(slug) == slug and ".." not in slug
    assert (unsafe_slug_reason(slug) is None) == plain


def test_a_pages_list_of_articles_counts_by_their_digests_in_order() -> None:
    from bulletin.fingerprint import fingerprint_new
    from bulletin.models import Article

    def made(digest: str) -> Article:
        return Article(source=None, title="T", slug="t", date=datetime(2026, 1, 1, tzinfo=TZ),  # type: ignore[arg-type]
                       url="/t/", permalink="https://x/t/", route="/t/", tags=(), category=None,
                       author=None, summary="", lead=None, body_key="", links=(), image=None,
                       updated=None, draft=False, scheduled=False, related_pins=(), extra={},
                       digest=digest)

    a, b, c = made("a"), made("b"), made("c")

    def page(related: tuple[Article, ...]) -> str:
        return fingerprint_new({"article": c, "related": related}, {}, "site")

    prints = {page(()), page((a,)), page((a, b)), page((b, a)), page((a, b, c))}
    assert len(prints) == 5  # order and length count
    assert page((a, b)) == page((made("a"), made("b")))  # the digests, not the objects
    assert page((a, made(""))) != page((a, made("x")))  # without a digest: by its fields


def test_a_meta_pickles_back_equal_with_its_zone() -> None:
    import pickle
    from datetime import timedelta, timezone
    from types import MappingProxyType

    from bulletin.models import Meta

    for zone in (TZ, timezone(timedelta(hours=7)), None):
        meta = Meta("Tiêu đề", datetime(2026, 3, 15, 8, 30, tzinfo=zone), "tieu-de", ("An ninh",),
                    updated=datetime(2026, 3, 16, tzinfo=zone),
                    extra=MappingProxyType({"topic": [9]}), lines=MappingProxyType({"title": 2}))
        again = pickle.loads(pickle.dumps(meta))
        assert again == meta and again.date.tzinfo == zone and again.date.isoformat() == \
            meta.date.isoformat()
        assert isinstance(again.extra, MappingProxyType) and isinstance(again.lines, MappingProxyType)


def test_an_articles_digest_changes_with_everything_it_stands_for() -> None:
    from bulletin.models import Image, Term
    from bulletin.pipeline import _article_digest

    tag, other = Term("Ma tuý", "ma-tuy", "/the/ma-tuy/"), Term("Cháy", "chay", "/the/chay/")
    day = datetime(2026, 10, 10, 8, tzinfo=timezone(timedelta(hours=7)))
    base = dict(source="a" * 32, body="b" * 32, url="/tin/x/", tags=(tag,), category=None,
                summary="Tóm tắt", scheduled=False, draft=False, date=day, updated=None,
                rest=(None, (), ()))
    changes = [dict(source="c" * 32), dict(body="d" * 32), dict(url="/tin/y/"), dict(tags=()),
               dict(tags=(tag, other)), dict(tags=(other, tag)),
               dict(tags=(Term("Ma tuý", "ma-tuy", "/the/ma-tuy-2/"),)),
               dict(category=tag), dict(summary="Tóm tắt khác"), dict(scheduled=True),
               dict(draft=True), dict(rest=(Image("/a.jpg", "ảnh"), (), ())),
               # the same moment placed in another timezone (a site's timezone changed)
               dict(date=day.astimezone(UTC)), dict(updated=day),
               dict(rest=(None, ("/tin/z/",), ())), dict(rest=(None, ("",), ())),
               dict(url="/tin/x/:7:Tóm", summary="")]  # no field can pass for another
    digests = [_article_digest(**{**base, **change}, memo={}) for change in [{}] + changes]
    assert len(set(digests)) == len(digests)
    assert _article_digest(**base, memo={}) == _article_digest(**base, memo={})  # type: ignore[arg-type]
    # A tag's count is not part of it: a page showing it depends on it by itself (publish).
    recounted = Term("Ma tuý", "ma-tuy", "/the/ma-tuy/", count=2)
    assert _article_digest(**{**base, "tags": (recounted,)}, memo={}) == digests[0]  # type: ignore[arg-type]


@given(st.text(alphabet=st.sampled_from(string.printable + "đưạ\u00a0~"), max_size=30))
def test_an_href_is_the_route_quoted_under_the_base_path(route: str) -> None:
    from urllib.parse import quote

    routes = Routes(Config(base_url="https://a.vn/ban-tin/"))
    assert routes.href(route) == "/ban-tin" + quote(route, safe="/#?=&%")


def test_a_new_version_of_babel_is_a_new_version_of_the_engine(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # Babel's data names months and days on pages: an upgrade must not keep old pages or cache
    # entries, as a change to the engine's own code does not.
    import importlib.machinery

    from bulletin import version

    def babel_at(folder: str, text: str) -> str:
        init = tmp_path / folder / "__init__.py"
        init.parent.mkdir()
        init.write_text(f"__version__ = '{text}'\n", encoding="utf-8")
        spec = importlib.machinery.ModuleSpec("babel", None, origin=str(init))
        monkeypatch.setattr(version.importlib.util, "find_spec",
                            lambda name: spec if name == "babel" else None)
        return version.code_version()

    first = babel_at("a", "2.16.0")
    assert babel_at("b", "2.16.0") == first  # the same Babel, wherever it is installed
    assert babel_at("c", "2.17.0") != first
