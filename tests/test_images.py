"""Responsive photos: resized copies (WebP and the photo's format), srcset, thumbnails, cache."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from PIL import Image

from .conftest import article, photo, saved_long_ago, tree_digest

SLUG = "/tin/chay-kho-hang/"


def _site(
    make_site,
    *,
    body_photo: bytes | None = None,
    front_photo: bytes | None = None,
    body: str | None = None,
):
    files: dict[str, str | bytes] = {
        "content/chay/index.md": article(
            "Cháy kho hàng",
            image="anh-dau.jpg",
            image_alt='"Xe chữa cháy trước kho"',
            image_caption='"Hiện trường"',
            body=body
            or 'Đoạn mở đầu.\n\n![Lính cứu hoả phun nước](anh.jpg "Phun nước dập lửa")\n\n'
            "Đoạn cuối.",
        ),
        "content/chay/anh.jpg": body_photo if body_photo is not None else photo(1200, 800),
        "content/chay/anh-dau.jpg": front_photo if front_photo is not None else photo(2000, 1000),
        "content/khac.md": article("Bài khác", date="2026-09-01T08:00:00+07:00"),
    }
    return make_site(files)


def _size(path: Path) -> tuple[str | None, int, int]:
    with Image.open(path) as image:
        return image.format, image.width, image.height


def test_copies_are_480_960_1440_wide_in_webp_and_jpeg_and_never_upscaled(make_site) -> None:
    site = _site(make_site)
    site.build()
    folder = site.output / SLUG.strip("/")
    names = sorted(p.name for p in folder.iterdir() if p.name != "index.html")
    assert names == sorted(
        ["anh.jpg", "anh-dau.jpg"]
        + [
            f"{stem}.{w}w.{ext}"
            for stem, widths in (("anh", (480, 960, 1200)), ("anh-dau", (480, 960, 1440)))
            for w in widths
            for ext in ("jpg", "webp")
        ]
    )
    assert _size(folder / "anh.480w.webp") == ("WEBP", 480, 320)
    assert _size(folder / "anh.1200w.jpg") == ("JPEG", 1200, 800)
    assert _size(folder / "anh-dau.1440w.webp") == ("WEBP", 1440, 720)


def test_a_small_png_keeps_its_size_and_format(make_site) -> None:
    site = make_site(
        {
            "content/a/index.md": article("Ảnh nhỏ", body="![Biểu đồ nhỏ](bieu-do.png)"),
            "content/a/bieu-do.png": photo(300, 200, "PNG"),
        }
    )
    site.build()
    folder = site.output / "tin/anh-nho"
    assert sorted(p.name for p in folder.glob("bieu-do*")) == [
        "bieu-do.300w.png",
        "bieu-do.300w.webp",
        "bieu-do.png",
    ]
    assert _size(folder / "bieu-do.300w.png") == ("PNG", 300, 200)
    img = site.page("/tin/anh-nho/").cssselect("picture img")[0]
    assert (img.get("width"), img.get("height")) == ("300", "200")


def test_body_photo_is_a_figure_with_webp_source_srcset_size_and_lazy_loading(make_site) -> None:
    site = _site(make_site)
    site.build()
    page = site.page(SLUG)
    figure = page.cssselect(".article-body figure")[0]
    assert [c.tag for c in figure] == ["picture", "figcaption"]
    assert figure.cssselect("figcaption")[0].text == "Phun nước dập lửa"
    # (lxml's HTML parser does not know <source> is empty and puts the <img> inside it.)
    source, img = figure.cssselect("picture source")[0], figure.cssselect("picture img")[0]
    assert source.tag == "source" and source.get("type") == "image/webp"
    assert source.get("srcset") == ", ".join(f"{SLUG}anh.{w}w.webp {w}w" for w in (480, 960, 1200))
    assert img.get("srcset") == ", ".join(f"{SLUG}anh.{w}w.jpg {w}w" for w in (480, 960, 1200))
    assert img.get("sizes") and source.get("sizes") == img.get("sizes")
    assert img.get("src") == f"{SLUG}anh.960w.jpg"
    assert (img.get("width"), img.get("height"), img.get("loading")) == ("1200", "800", "lazy")
    assert img.get("alt") == "Lính cứu hoả phun nước"
    for candidate in re.findall(r"(\S+) \d+w", source.get("srcset") + ", " + img.get("srcset")):
        assert (site.output / candidate.lstrip("/")).is_file(), candidate


def test_lead_photo_and_lead_story_use_the_copies(make_site) -> None:
    site = _site(make_site)
    site.build()
    lead = site.page(SLUG).cssselect(".article-photo picture img")[0]
    assert lead.get("srcset").endswith(f"{SLUG}anh-dau.1440w.jpg 1440w")
    assert (lead.get("width"), lead.get("height")) == ("2000", "1000")
    home = site.page("/")
    thumb = home.cssselect(".card-thumb picture img")[0]
    assert thumb.get("src") == f"{SLUG}anh-dau.960w.jpg"  # the lead story gets a large photo
    assert thumb.get("srcset").startswith(f"{SLUG}anh-dau.480w.jpg 480w")


def test_list_cards_show_the_smallest_copy(make_site) -> None:
    files: dict[str, str | bytes] = {
        f"content/b{i}/index.md": article(
            f"Bài có ảnh {i}",
            date=f"2026-10-0{i + 1}T08:00:00+07:00",
            image="anh.jpg",
            image_alt='"Ảnh minh hoạ"',
        )
        for i in range(3)
    }
    files.update({f"content/b{i}/anh.jpg": photo(1000, 600) for i in range(3)})
    site = make_site(files)
    site.build()
    cards = site.page("/").cssselect(".cards .card-thumb picture")
    assert len(cards) == 2  # the newest is the lead story, the other two are cards
    for picture in cards:
        source, img = picture.cssselect("source")[0], picture.cssselect("img")[0]
        assert img.get("src").endswith("/anh.480w.jpg")
        assert source.get("srcset").endswith("/anh.480w.webp")
        assert (img.get("width"), img.get("height"), img.get("loading")) == ("1000", "600", "lazy")


def test_an_unchanged_photo_is_taken_from_the_cache_not_encoded_again(
        make_site, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    saved_long_ago(monkeypatch)  # else the photos, just saved, are measured again
    site = _site(make_site)
    site.build()
    cache = site.root / ".cache" / "images"
    files = sorted(p for p in cache.rglob("*") if p.is_file())
    copies = [p for p in files if p.suffix in (".jpg", ".webp")]
    assert len(copies) == 12  # two photos, three widths, two formats
    before = {p: p.stat().st_mtime_ns for p in files}
    # Mark one cached copy: a build that reads the cache copies the mark into the output.
    marked = next(p for p in copies if p.name.endswith("-480.webp") and _size(p)[1:] == (480, 320))
    marked.write_bytes(b"from the cache")
    before[marked] = marked.stat().st_mtime_ns
    site.write(
        {
            "content/khac.md": article(
                "Bài khác", date="2026-09-01T08:00:00+07:00", body="Nội dung đã sửa."
            )
        }
    )
    site.build()
    assert (site.output / SLUG.strip("/") / "anh.480w.webp").read_bytes() == b"from the cache"
    assert {p: p.stat().st_mtime_ns for p in cache.rglob("*") if p.is_file()} == before
    # A changed photo is encoded anew, beside the old copies.
    site.write({"content/chay/anh.jpg": photo(1100, 800)})
    site.build()
    assert len([p for p in cache.rglob("*") if p.suffix in (".jpg", ".webp")]) == 18
    assert _size(site.output / SLUG.strip("/") / "anh.1100w.webp") == ("WEBP", 1100, 800)
    # The article's body was cached with the old photo's size: it is rendered again.
    img = site.page(SLUG).cssselect(".article-body picture img")[0]
    assert (img.get("width"), img.get("height")) == ("1100", "800")
    assert img.get("srcset").endswith("anh.1100w.jpg 1100w")
    assert not (site.output / SLUG.strip("/") / "anh.1200w.webp").exists()


def test_two_builds_with_empty_caches_give_the_same_bytes(make_site, tmp_path: Path) -> None:
    site = _site(make_site)
    site.build("--cache", str(tmp_path / "one"))
    first = tree_digest(site.output)
    site.build("--output", str(tmp_path / "again"), "--cache", str(tmp_path / "two"))
    assert tree_digest(tmp_path / "again") == first


def test_exif_rotated_photo_is_shown_upright(make_site) -> None:
    image = Image.open(io.BytesIO(photo(800, 600)))
    exif = image.getexif()
    exif[0x0112] = 6  # stored on its side: shown rotated 90° clockwise
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    site = _site(make_site, body_photo=buffer.getvalue())
    site.build()
    img = site.page(SLUG).cssselect(".article-body picture img")[0]
    assert (img.get("width"), img.get("height")) == ("600", "800")
    assert _size(site.output / SLUG.strip("/") / "anh.480w.jpg") == ("JPEG", 480, 640)


def test_a_damaged_photo_is_a_content_error_with_its_line(make_site) -> None:
    site = _site(make_site, body_photo=b"\xff\xd8\xff\xe0 not really a jpeg")
    result = site.run()
    assert result.code == 1
    assert "content/chay/index.md:11: image anh.jpg is not a readable photo" in result.err
    assert not site.output.exists()
    site.write({"content/chay/anh.jpg": photo(1200, 800)})  # mended: the cached body is not reused
    site.build()
    assert site.page(SLUG).cssselect(".article-body picture img")[0].get("width") == "1200"


def test_a_photo_without_alt_text_is_a_content_error_with_its_line(make_site) -> None:
    site = _site(make_site, body="Mở đầu.\n\n![](anh.jpg)\n")
    result = site.run()
    assert result.code == 1
    assert "content/chay/index.md:11: image has no alt text: anh.jpg" in result.err


def test_a_slash_address_under_the_articles_own_folder_stays_as_written(make_site) -> None:
    # image: /tin/bai/anh.jpg (a "/" address, kept as written) lies under the article's own URL:
    # it was looked up among the files copied beside the page, and the build stopped with an
    # internal error.
    site = make_site({"content/bai.md": article("Bài", image="/tin/bai/anh.jpg",
                                                image_alt='"Ảnh"', body="Nội dung.")})
    site.build()
    page = site.page("/tin/bai/")
    assert page.cssselect('meta[property="og:image"]')[0].get("content").endswith(
        "/tin/bai/anh.jpg")
