"""`build.py new`: the right file with the right front matter, never an overwrite."""

from __future__ import annotations

import errno
import unicodedata
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from bulletin.cli import main
from bulletin.config import Config
from bulletin.meta import parse_yaml, validate
from bulletin.scaffold import Draft, front_matter
from bulletin.slug import slugify
from bulletin.source import read_source

from .conftest import article, tree_digest
from .processes import run_with_read_only

CONFIG = 'title = "Bản tin thử"\nbase_url = "https://example.gov.vn/"\nauthor = "Ban biên tập"\n'
TITLE = "Khởi tố đối tượng lừa đảo: “đầu tư” tiền ảo #2"


def new(site, *args: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
        ) -> tuple[int, str, str]:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(site.root)
    capsys.readouterr()
    code = main(["new", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def front(path: Path) -> dict[str, object]:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n")
    return yaml.safe_load(text.split("---\n")[1])


def test_new_with_a_vietnamese_title_writes_a_draft_that_builds(make_site, capsys,
                                                                 monkeypatch) -> None:
    site = make_site({"content/cu.md": article("Bài cũ")}, config=CONFIG)
    code, out, err = new(site, TITLE, "--tags", "Lừa đảo, tiền ảo", "--category", "An ninh trật tự",
                         "--now", "2026-11-26T01:30:00+00:00", capsys=capsys,
                         monkeypatch=monkeypatch)
    assert (code, err) == (0, "")
    path = site.content / "khoi-to-doi-tuong-lua-dao-dau-tu-tien-ao-2.md"
    assert out == "content/khoi-to-doi-tuong-lua-dao-dau-tu-tien-ao-2.md\n"
    assert front(path) == {
        "title": TITLE,
        "date": datetime(2026, 11, 26, 8, 30, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")),
        "category": "An ninh trật tự",
        "tags": ["Lừa đảo", "tiền ảo"],
        "author": "Ban biên tập",
        "draft": True,
    }
    assert "date: 2026-11-26T08:30:00+07:00\n" in path.read_text(encoding="utf-8")  # site timezone

    built = site.run("--drafts")
    assert built.code == 0, built.err
    page = site.page("/tin/khoi-to-doi-tuong-lua-dao-dau-tu-tien-ao-2/")
    assert page.cssselect("h1")[0].text_content() == TITLE
    assert page.cssselect(".article-meta .badge")[0].text == "Bản nháp"
    assert [a.text for a in page.cssselect(".article-tags a")] == ["Lừa đảo", "tiền ảo"]
    site.build()  # without --drafts the new article stays out
    assert not (site.output / "tin" / "khoi-to-doi-tuong-lua-dao-dau-tu-tien-ao-2").exists()

    before = path.read_bytes()
    code, out, err = new(site, TITLE, "--now", "2026-12-01T08:00", capsys=capsys,
                         monkeypatch=monkeypatch)
    assert code == 2 and out == ""
    assert "content/khoi-to-doi-tuong-lua-dao-dau-tu-tien-ao-2.md already exists" in err
    assert path.read_bytes() == before


def test_new_bundle_makes_a_folder_and_the_date_defaults_to_now(make_site, capsys,
                                                                monkeypatch) -> None:
    site = make_site({}, config=CONFIG)
    site.content.mkdir()
    start = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).replace(microsecond=0)
    code, out, _ = new(site, "Diễn tập chữa cháy", "--bundle", capsys=capsys,
                       monkeypatch=monkeypatch)
    end = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh"))
    assert code == 0
    assert out == "content/dien-tap-chua-chay/index.md\n"
    data = front(site.content / "dien-tap-chua-chay" / "index.md")
    assert start <= data["date"] <= end  # type: ignore[operator]
    assert data["date"].utcoffset().total_seconds() == 7 * 3600  # type: ignore[union-attr]
    assert data["tags"] == [] and data["category"] == "" and data["draft"] is True
    assert site.run("--drafts").code == 0


def test_new_bundle_where_a_file_has_the_folders_name_says_so(make_site, capsys,
                                                               monkeypatch) -> None:
    site = make_site({"content/dien-tap": "ghi chú"}, config=CONFIG)
    code, out, err = new(site, "Diễn tập", "--bundle", capsys=capsys, monkeypatch=monkeypatch)
    assert code == 2 and out == ""
    assert "content/dien-tap is a file, where the bundle's folder would go" in err, err
    assert "already exists" not in err
    assert (site.content / "dien-tap").read_text(encoding="utf-8") == "ghi chú"


def test_new_refuses_a_url_another_article_already_has(make_site, capsys, monkeypatch) -> None:
    site = make_site({"content/khac.md": article("Tên khác", slug="dien-tap-chua-chay")},
                     config=CONFIG)
    before = tree_digest(site.root)
    code, out, err = new(site, "Diễn tập chữa cháy", capsys=capsys, monkeypatch=monkeypatch)
    assert code == 2 and out == ""
    assert "content/khac.md already has the URL /tin/dien-tap-chua-chay/" in err
    assert "--slug dien-tap-chua-chay-2" in err
    assert tree_digest(site.root) == before

    code, out, err = new(site, "Diễn tập chữa cháy", "--slug", "dien-tap-chua-chay-2",
                         capsys=capsys, monkeypatch=monkeypatch)
    assert code == 0
    assert front(site.content / "dien-tap-chua-chay-2.md")["slug"] == "dien-tap-chua-chay-2"
    assert site.run("--drafts").code == 0


@pytest.mark.parametrize("args, message", [
    (["!!!"], "cannot make a slug from the title '!!!'"),
    (["Bài", "--slug", "../etc"], "--slug '../etc' contains '..'"),
])
def test_new_refuses_titles_and_slugs_it_cannot_use(make_site, capsys, monkeypatch, args,
                                                    message) -> None:
    site = make_site({"content/a.md": article("Bài một")}, config=CONFIG)
    before = tree_digest(site.root)
    code, _, err = new(site, *args, capsys=capsys, monkeypatch=monkeypatch)
    assert code == 2 and message in err
    assert tree_digest(site.root) == before


@settings(max_examples=200, deadline=None)
@given(title=st.text(min_size=1, max_size=80).filter(lambda t: slugify(" ".join(t.split()))),
       tags=st.lists(st.text(alphabet=st.characters(blacklist_categories=["Cs", "Cc"]), min_size=1,
                             max_size=12).filter(lambda t: t.strip() and "," not in t), max_size=3))
def test_any_title_and_tags_read_back_unchanged(tmp_path_factory, title: str,
                                                tags: list[str]) -> None:
    """Whatever an editor types, the written front matter parses back to the same title and tags."""
    folder = tmp_path_factory.mktemp("content")
    config = Config(author='Ban "biên tập": #1')
    slug = slugify(" ".join(title.split()))
    clean_tags = tuple(dict.fromkeys(" ".join(t.split()) for t in tags if t.split()))
    draft = Draft(title=title, tags=clean_tags)
    moment = datetime(2026, 11, 26, 8, 0, tzinfo=config.tz)
    path = folder / f"{slug}.md"
    path.write_text(front_matter(draft, slug, moment, config), encoding="utf-8")
    source = read_source(path, folder, None)
    parsed = parse_yaml(source)  # type: ignore[arg-type]
    assert isinstance(parsed, tuple), parsed
    meta, problems = validate(source, *parsed, config.tz)  # type: ignore[arg-type]
    assert meta is not None, problems
    assert meta.title == unicodedata.normalize("NFC", " ".join(title.split()))
    assert meta.tags == tuple(dict.fromkeys(unicodedata.normalize("NFC", t) for t in clean_tags))
    assert meta.slug == slug and meta.draft and meta.date == moment
    assert meta.author == config.author


def test_new_with_a_title_too_long_for_a_file_name_cuts_its_slug_as_the_build_does(
        make_site, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # The file name was the whole slug: past 255 bytes, "File name too long", exit 3.
    site = make_site({"content/a.md": article("Bài")}, config=CONFIG)
    title = "Khởi tố đối tượng lừa đảo " * 12
    code, out, err = new(site, title, capsys=capsys, monkeypatch=monkeypatch)
    assert (code, err) == (0, "")
    slug = out.strip().removeprefix("content/").removesuffix(".md")
    assert len(slug) <= 100 and slugify(title).startswith(slug)
    assert "slug:" not in (site.content / f"{slug}.md").read_text(encoding="utf-8")
    assert site.run("check", "--drafts").code == 0


def test_new_with_a_title_holding_bytes_that_are_not_utf8_writes_no_file_the_build_rejects(
        make_site, monkeypatch, capsys) -> None:
    # A title typed in a terminal set to another encoding (or pasted from a Windows-1258 file)
    # reaches sys.argv with surrogate escapes. `new` wrote title: "Tin\uDCFF lỗi", exit 0, and
    # the next build failed: "front matter is not valid YAML: found invalid Unicode character
    # escape code". It refuses the title: exit 2, nothing written, the bytes shown as they came.
    site = make_site({"content/cu.md": article("Bài cũ")}, config=CONFIG)
    before = tree_digest(site.content)
    code, out, err = new(site, "Tin\udcff lỗi", "--now", "2026-11-26T08:00", capsys=capsys,
                         monkeypatch=monkeypatch)
    assert (code, out) == (2, ""), err
    assert "the title 'Tin\\xff lỗi' holds bytes that are not UTF-8" in err
    assert "UTF-8" in err.partition("hint:")[2]
    assert tree_digest(site.content) == before


@pytest.mark.parametrize("option", ["--tags", "--category", "--slug"])
def test_new_refuses_undecodable_bytes_in_any_option(make_site, capsys, monkeypatch,
                                                      option: str) -> None:
    site = make_site({"content/cu.md": article("Bài cũ")}, config=CONFIG)
    before = tree_digest(site.content)
    code, _, err = new(site, "Tin mới", option, "tin-\udce1", capsys=capsys,
                       monkeypatch=monkeypatch)
    assert code == 2, err
    assert f"the {option} 'tin-\\xe1' holds bytes that are not UTF-8" in err
    assert tree_digest(site.content) == before


def test_new_in_a_content_folder_it_cannot_write_is_a_usage_error_not_an_internal_error(
        make_site) -> None:
    # Was: exit 3 "internal error: the build stopped on a problem in the tool itself, not in your
    # content", from an OSError (EROFS / EACCES) of target.open("x") in scaffold.create.
    site = make_site({"content/cu.md": article("Bài cũ")}, config=CONFIG)
    result = run_with_read_only(site.content, ["new", "Tin mới"], cwd=site.root)
    assert "internal error" not in result.stderr, result.stderr
    assert result.returncode == 2, result.stderr
    assert "tin-moi.md" in result.stderr, result.stderr
    assert not (site.content / "tin-moi.md").exists()


def test_new_that_cannot_write_its_bundle_leaves_no_folder_and_no_half_file(
        make_site, capsys, monkeypatch) -> None:
    # A full disk: the bundle's folder was made, the write fails. Neither stays behind for the
    # next build to read.
    site = make_site({"content/cu.md": article("Bài cũ")}, config=CONFIG)
    before = tree_digest(site.root)

    class Full:
        def __init__(self, handle) -> None:  # type: ignore[no-untyped-def]
            self.handle = handle

        def __enter__(self) -> Full:
            return self

        def __exit__(self, *exc: object) -> None:
            self.handle.close()

        def write(self, data: bytes) -> int:
            self.handle.write(data[:10])
            raise OSError(errno.ENOSPC, "No space left on device")

    real_open = Path.open

    def full_open(self: Path, mode: str = "r", *args: object, **kwargs: object) -> object:
        handle = real_open(self, mode, *args, **kwargs)  # type: ignore[call-overload]
        return Full(handle) if mode == "xb" else handle

    monkeypatch.setattr(Path, "open", full_open)
    code, _, err = new(site, "Tin mới", "--bundle", capsys=capsys, monkeypatch=monkeypatch)
    assert code == 2, err
    assert "cannot write content/tin-moi/index.md: No space left on device" in err
    assert not (site.content / "tin-moi").exists()
    assert tree_digest(site.root) == before
