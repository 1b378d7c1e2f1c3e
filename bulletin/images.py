"""Responsive photos: measure each photo once, plan its resized copies, encode them through a cache.

A photo gets copies 480, 960 and 1440 px wide (never wider than the photo itself), each as WebP and
in the photo's own format. Encoding is slow, so every copy is kept in a cache folder under a name
made of the source bytes' hash, the width, the format and the encoder's settings and versions: an
unchanged photo is never encoded twice. Cache files are written atomically; only the writer copies
them into the output.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import quote

import PIL
from PIL import Image, ImageOps, UnidentifiedImageError, features

from . import uptodate
from .errors import SourceError
from .listing import signature
from .models import Image as ImageView
from .routes import Routes

WIDTHS = (480, 960, 1440)
FALLBACK_WIDTH = 960  # the <img src> for browsers without srcset: the largest copy up to this
# How wide photos in an article body are shown: the article column is 46rem at most.
BODY_SIZES = "(min-width: 50rem) 46rem, calc(100vw - 2rem)"

# Pillow format -> (extension of the copies, MIME type). Other formats are copied as they are.
_FORMATS = {
    "JPEG": ("jpg", "image/jpeg"),
    "PNG": ("png", "image/png"),
    "WEBP": ("webp", "image/webp"),
}
_SETTINGS: dict[str, dict[str, Any]] = {
    "JPEG": {"quality": 82, "optimize": True, "progressive": True},
    "PNG": {"optimize": True},
    "WEBP": {"quality": 80, "method": 4},
}
_LARGEST_SIDE = {"WEBP": 16_383, "JPEG": 65_500}  # pixels the format can hold on a side
_MAX_PIXELS = 80_000_000  # refuse decompression bombs with a content error rather than a crash


def _recipe() -> str:
    """What the encoded bytes depend on besides the source: settings and codec versions."""
    parts = [
        PIL.__version__,
        str(features.version("webp")),
        str(features.version("jpg")),
        str(features.version("zlib")),
        repr(sorted((k, sorted(v.items())) for k, v in _SETTINGS.items())),
        repr(WIDTHS),
        "lanczos",
        "v1",
    ]
    return hashlib.blake2b("\0".join(parts).encode(), digest_size=6).hexdigest()


RECIPE = _recipe()


@dataclass(frozen=True, slots=True)
class Variant:
    """One resized copy of a photo, written beside the article's page."""

    name: str  # file name in the article's folder
    width: int
    height: int
    format: str  # Pillow format name: JPEG, PNG or WEBP
    mime: str


@dataclass(frozen=True, slots=True)
class Photo:
    """A photo's displayed size and its resized copies (none for GIF and other formats)."""

    source: Path
    name: str  # the original's file name beside the page
    width: int
    height: int
    format: str
    variants: tuple[Variant, ...] = ()
    stamp: tuple[int, ...] = ()  # the file's size, mtime, ctime and inode when measured

    def srcset(self, folder_url: str, mime: str) -> str:
        """``url 480w, url 960w`` for the copies of one type, smallest first (their names
        percent-encoded: a space would end a URL there)."""
        return ", ".join(
            f"{folder_url}{quote(v.name)} {v.width}w" for v in self.variants if v.mime == mime
        )

    @property
    def mime(self) -> str:
        return _FORMATS.get(self.format, ("", ""))[1]

    def fallback(self) -> Variant | None:
        """The copy in the photo's own format for ``<img src>``: the largest up to 960 px."""
        own = [v for v in self.variants if v.format == self.format]
        if not own:
            return None
        fitting = [v for v in own if v.width <= FALLBACK_WIDTH]
        return fitting[-1] if fitting else own[0]

    def smallest(self, mime: str) -> Variant | None:
        """The smallest copy of one type: list pages' thumbnails."""
        return next((v for v in self.variants if v.mime == mime), None)


def plan_widths(width: int) -> tuple[int, ...]:
    """The widths of a photo's copies: the standard ones below its width, then its own width
    capped at the largest standard one. Never wider than the photo.

    >>> plan_widths(1200)
    (480, 960, 1200)
    >>> plan_widths(3000)
    (480, 960, 1440)
    >>> plan_widths(300)
    (300,)
    """
    largest = min(width, WIDTHS[-1])
    return tuple(w for w in WIDTHS if w < largest) + (largest,)


def describe(path: Path, name: str) -> Photo | str:
    """The photo at ``path`` (copied beside the page as ``name``), or why it cannot be used.
    Reads only the file's header; a plain function, so worker processes can call it."""
    return _measure(path, name)


def current(assets: Iterable[Any]) -> bool:
    """Whether the photos a cached body was rendered with are unchanged on disk (same size,
    times and inode, as an article's file: only a stat each), so the body's HTML, which holds
    their sizes, is still right. A photo saved over with another of the same size whose mtime
    was put back (``cp -p``, ``rsync -t``) has a new ctime."""
    for asset in assets:
        if getattr(asset, "attachment", False):  # copied as it is: only its name is in the HTML
            continue
        photo = getattr(asset, "photo", None)
        if photo is None or photo.stamp != _stamp(asset.source):
            return False
    return True


def _stamp(path: Path) -> tuple[int, ...]:
    try:
        stat = path.stat()
    except OSError:
        return (-1,)
    return signature(stat)


_UNPROVEN = (-2,)  # a stamp no later stat matches


def _recorded_stamp(path: Path) -> tuple[int, ...]:
    """The stamp a photo is measured with. Taken within uptodate.RACY_NS of the photo's last
    change, it proves nothing (a save in the same timestamp step leaves the same one): the next
    build measures the photo again."""
    stamp = _stamp(path)
    moment = time.time_ns()
    if len(stamp) == 4 and uptodate.racy_at(stamp[1], stamp[2], moment):
        return _UNPROVEN
    return stamp


class Photos:
    """Encodes photos' copies through a cache folder (entries are content-addressed)."""

    def __init__(self, cache: Path | None) -> None:
        self.cache = cache if cache is not None else Path(tempfile.gettempdir()) / "bulletin-images"
        self.encoded = 0  # copies encoded in this run (the rest came from the cache)

    def copies(self, photo: Photo | None, owner: str, errors: list[SourceError],
               encode: bool = True, line: int | None = None) -> list[tuple[str, Path]]:
        """(file name, cached file) of every copy of a photo; a photo that fails to encode is
        reported as a content error of ``owner`` at ``line``. With ``encode=False`` (``check``)
        the copies are named, each paired with the original, and nothing is encoded: a photo
        whose copies the cache lacks is decoded in full instead, as encoding it would."""
        if photo is None:
            return []
        try:
            if not encode:
                if photo.variants and not self._all_cached(photo):
                    _decode(photo.source)
                return [(v.name, photo.source) for v in photo.variants]
            return [(v.name, path) for v, path in self.materialise(photo)]
        except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
            errors.append(SourceError(owner, line, f"cannot resize the photo {photo.name}: {exc}",
                                      "Open it in an image editor and save it again as JPEG."))
            return []

    def _cached(self, digest: str, variant: Variant) -> Path:
        """Where the cache keeps one copy of the photo whose bytes have ``digest``."""
        ext = _FORMATS[variant.format][0]
        return self.cache / digest[:2] / f"{digest[2:34]}-{RECIPE}-{variant.width}.{ext}"

    def _all_cached(self, photo: Photo) -> bool:
        digest = self._digest(photo, remember=False)
        return all(self._cached(digest, variant).is_file() for variant in photo.variants)

    def _digest(self, photo: Photo, remember: bool = True) -> str:
        """The SHA-256 of the photo's bytes, remembered by path and stamp (size, times, inode)
        so that an unchanged archive of photos is not read in full on every build; ``check``
        writes nothing (``remember=False``)."""
        memo = self.cache / "digests" / hashlib.blake2b(
            f"{photo.source.resolve()}\0{photo.stamp}".encode(), digest_size=16).hexdigest()
        try:
            known = memo.read_text(encoding="ascii")
            if len(known) == 64 and photo.stamp == _stamp(photo.source):
                return known
        except OSError:
            pass
        digest = hashlib.sha256(photo.source.read_bytes()).hexdigest()
        if remember:
            _store(memo, digest.encode("ascii"))
        return digest

    def materialise(self, photo: Photo) -> list[tuple[Variant, Path]]:
        """Every copy of a photo as a file in the cache, encoding only those not there yet."""
        if not photo.variants:
            return []
        digest = self._digest(photo)
        out: list[tuple[Variant, Path]] = []
        image: Image.Image | None = None
        for variant in photo.variants:
            cached = self._cached(digest, variant)
            if not cached.is_file():
                if image is None:
                    image = _open_upright(photo.source)
                _store(cached, _encode(image, variant))
                self.encoded += 1
            out.append((variant, cached))
        return out


def view(image: ImageView, photo: Photo | None) -> ImageView:
    """A template's photo with its size, ``srcset`` and thumbnails filled in from ``photo``."""
    if photo is None:
        return replace(image, thumb=image.url)
    folder = image.url.rsplit("/", 1)[0] + "/"
    small, small_webp = photo.smallest(photo.mime), photo.smallest("image/webp")
    fallback = photo.fallback()
    return replace(
        image,
        url=folder + quote(fallback.name) if fallback else image.url,
        width=photo.width,
        height=photo.height,
        srcset=photo.srcset(folder, photo.mime),
        srcset_webp=photo.srcset(folder, "image/webp") if photo.mime != "image/webp" else "",
        thumb=folder + quote(small.name) if small else image.url,
        thumb_webp=folder + quote(small_webp.name) if small_webp and photo.mime != "image/webp"
        else "",
    )


def _measure(path: Path, name: str) -> Photo | str:
    try:
        with Image.open(path) as image:
            width, height = image.size
            kind = image.format or ""
            animated = getattr(image, "is_animated", False)
            orientation = image.getexif().get(0x0112, 1)
    except Image.DecompressionBombError:
        return "has too many pixels to resize"
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return "is not a readable photo (damaged, or not JPEG, PNG, WebP or GIF)"
    if width * height > _MAX_PIXELS:
        return f"has too many pixels to resize ({width}×{height})"
    stamp = _recorded_stamp(path)
    if orientation in (5, 6, 7, 8):  # stored on its side: shown the other way round
        width, height = height, width
    if kind not in _FORMATS or animated:
        return Photo(path, name, width, height, kind, stamp=stamp)
    return Photo(path, name, width, height, kind, _variants(name, width, height, kind), stamp)


def _variants(name: str, width: int, height: int, kind: str) -> tuple[Variant, ...]:
    if kind not in _FORMATS:
        return ()
    formats = ["WEBP"] if kind == "WEBP" else ["WEBP", kind]
    out = []
    for fmt in formats:
        ext, mime = _FORMATS[fmt]
        for w in plan_widths(width):
            h = max(1, round(height * w / width))
            if h <= _LARGEST_SIDE.get(fmt, h):  # a tall infographic has fewer WebP copies
                out.append(Variant(Routes.photo_variant(name, w, ext), w, h, fmt, mime))
    return tuple(out)


def _decode(path: Path) -> None:
    """Decode a photo as encoding its copies would, for ``check``, which encodes none: a JPEG
    at an eighth of its size (its blocks scaled as they are decoded), which reads all of its
    bytes all the same, in a fraction of the time."""
    with Image.open(path) as image:
        image.draft(image.mode, (max(1, image.width // 8), max(1, image.height // 8)))
        image.load()


def _open_upright(path: Path) -> Image.Image:
    with Image.open(path) as image:
        image.load()
        upright = ImageOps.exif_transpose(image)
    return upright


def _encode(image: Image.Image, variant: Variant) -> bytes:
    """One copy's bytes. Pillow gives the same bytes for the same pixels and settings."""
    resized = (
        image
        if image.size == (variant.width, variant.height)
        else image.resize((variant.width, variant.height), Image.Resampling.LANCZOS)
    )
    if variant.format == "JPEG" and resized.mode not in ("RGB", "L"):
        resized = resized.convert("RGB")
    elif variant.format in ("WEBP", "PNG") and resized.mode not in ("RGB", "RGBA", "L", "LA", "P"):
        resized = resized.convert("RGBA" if "A" in resized.mode else "RGB")
    if variant.format == "WEBP" and resized.mode in ("P", "LA", "L"):
        resized = resized.convert(
            "RGBA" if resized.mode == "LA" or "transparency" in resized.info else "RGB"
        )
    buffer = io.BytesIO()
    options = dict(_SETTINGS[variant.format])
    icc = image.info.get("icc_profile")
    if icc:
        options["icc_profile"] = icc
    resized.save(buffer, variant.format, **options)
    return buffer.getvalue()


def _store(path: Path, data: bytes) -> None:
    """Write a cache file atomically: a reader sees the whole file or none."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
