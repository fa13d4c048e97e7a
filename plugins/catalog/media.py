"""Product images: files under ``<data dir>/media/products/``, served with caching.

Every stored image is a JPEG with a content-hashed name
(``S-801-3fa2c1d9e0.jpg``) plus a small square thumbnail for product lists
under ``thumbs/`` (``S-801-3fa2c1d9e0.webp``: WebP when Pillow can write it,
a JPEG of the image's name otherwise; see :func:`thumb_name`). The shop's
list pages must stay under 60 KB (DESIGN §7), so the thumbnail is sized for
a two-column grid on a phone at 2x and encoded for size. They are served at
``/media/products/<name>`` and ``/media/products/thumbs/<thumb name>`` with
a one-year ``immutable`` cache: a new picture always gets a new name. Only
logged-in users get images, and images of unpublished products only factory
staff.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import tempfile
from pathlib import Path

import falcon
from PIL import Image, ImageOps, UnidentifiedImageError, features

from core.db import write_transaction
from core.errors import NotAuthenticated, NotFound, PayloadTooLarge, ValidationFailed
from core.models import STAFF_ROLES
from plugins.catalog.models import Product, ProductImage

# A grid card is ~180 CSS px wide on a 390 px phone; 256 px is sharp enough
# at 2x and, as WebP, about a third of a 300 px JPEG.
THUMB_SIZE = 256
THUMB_FORMAT, THUMB_EXT = ("WEBP", "webp") if features.check("webp") else ("JPEG", "jpg")
THUMB_QUALITY = 70
MAX_SIDE = 1200
JPEG_QUALITY = 82
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,200}\.(jpg|jpeg|png|webp)$")
MSG_NOT_A_PICTURE = "The file is not a picture we can read."
_CONTENT_TYPES = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
# Decompression bombs: refuse anything larger than a 40-megapixel photo.
Image.MAX_IMAGE_PIXELS = 40_000_000


def media_dir(ctx) -> Path:
    return Path(ctx.settings.data_dir) / "media" / "products"


def thumb_dir(ctx) -> Path:
    return media_dir(ctx) / "thumbs"


def image_filename(product_code: str, data: bytes) -> str:
    """A content-hashed file name: ``<code>-<10 hex>.jpg``."""
    slug = re.sub(r"[^A-Za-z0-9]+", "-", product_code).strip("-")[:48] or "product"
    return f"{slug}-{hashlib.sha256(data).hexdigest()[:10]}.jpg"


def thumb_name(filename: str) -> str:
    """The thumbnail's file name of the image ``filename`` (same stem)."""
    return f"{filename.rsplit('.', 1)[0]}.{THUMB_EXT}"


def originals_of(thumb: str) -> list[str]:
    """The image names whose thumbnail could be called ``thumb``."""
    stem = thumb.rsplit(".", 1)[0]
    return [f"{stem}.{ext}" for ext in _CONTENT_TYPES]


def make_thumbnail(jpeg: bytes, size: int = THUMB_SIZE) -> bytes:
    """A square, centre-cropped thumbnail of an image, in :data:`THUMB_FORMAT`."""
    with Image.open(io.BytesIO(jpeg)) as img:
        thumb = ImageOps.fit(img.convert("RGB"), (size, size), Image.LANCZOS)
    out = io.BytesIO()
    if THUMB_FORMAT == "WEBP":
        thumb.save(out, "WEBP", quality=THUMB_QUALITY, method=6)
    else:
        thumb.save(out, "JPEG", quality=THUMB_QUALITY, optimize=True, progressive=True)
    return out.getvalue()


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_image_files(ctx, filename: str, jpeg: bytes, thumb: bytes | None = None) -> None:
    """Write an image and its thumbnail (made from it unless given)."""
    _write_atomic(media_dir(ctx) / filename, jpeg)
    _write_atomic(thumb_dir(ctx) / thumb_name(filename), thumb if thumb is not None else make_thumbnail(jpeg))


def normalize_upload(data: bytes, max_bytes: int) -> bytes:
    """Check an uploaded picture and re-encode it as a JPEG of at most
    :data:`MAX_SIDE` pixels a side. Raises 413 or 400 in the error format."""
    if len(data) > max_bytes:
        raise PayloadTooLarge(details={"max_bytes": max_bytes})
    try:
        with Image.open(io.BytesIO(data)) as img:
            img = ImageOps.exif_transpose(img).convert("RGB")
            img.thumbnail((MAX_SIDE, MAX_SIDE), Image.LANCZOS)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, ValueError) as ex:
        raise ValidationFailed(
            MSG_NOT_A_PICTURE, code="invalid_image", details={"file": [MSG_NOT_A_PICTURE]}
        ) from ex
    out = io.BytesIO()
    img.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    return out.getvalue()


def store_product_image(ctx, product: Product, data: bytes, *, sort: int | None = None) -> ProductImage:
    """Add an uploaded picture to a product's images (last unless ``sort``)."""
    jpeg = normalize_upload(data, ctx.config("catalog")["max_image_bytes"])
    filename = image_filename(product.code, jpeg)
    write_image_files(ctx, filename, jpeg)
    with Image.open(io.BytesIO(jpeg)) as img:
        width, height = img.size
    with write_transaction():
        if sort is None:
            last = ProductImage.select(ProductImage.sort).where(ProductImage.product == product)
            sort = max((row.sort for row in last), default=-1) + 1
        return ProductImage.create(product=product, filename=filename, sort=sort, width=width, height=height)


class ProductMedia:
    """``GET /media/products/[thumbs/]{name}``: a product image file."""

    def __init__(self, ctx, *, thumbs: bool = False) -> None:
        self.ctx = ctx
        self.thumbs = thumbs

    def on_get(self, req: falcon.Request, resp: falcon.Response, name: str) -> None:
        user = req.context.user
        if user is None:
            raise NotAuthenticated()
        if not _NAME_RE.match(name):
            raise NotFound()
        originals = originals_of(name) if self.thumbs else [name]
        if user.role not in STAFF_ROLES:
            visible = (
                ProductImage.select(ProductImage.id)
                .join(Product)
                .where(ProductImage.filename.in_(originals) & (Product.published == True))  # noqa: E712
                .exists()
            )
            if not visible:
                raise NotFound()
        path = self._locate(name, originals)
        try:
            stat = path.stat()
        except OSError as ex:
            raise NotFound() from ex
        etag = f"{stat.st_size:x}-{stat.st_mtime_ns:x}"
        # private: the answer depends on who asks (unpublished products).
        resp.cache_control = ["private", "max-age=31536000", "immutable"]
        resp.etag = etag
        if req.get_header("If-None-Match") == f'"{etag}"':
            resp.status = falcon.HTTP_304
            return
        resp.content_type = _CONTENT_TYPES[path.suffix[1:].lower()]
        resp.data = path.read_bytes()

    def _locate(self, name: str, originals: list[str]) -> Path:
        """The file to send; a thumbnail not made (yet) falls back to its image."""
        if not self.thumbs:
            return media_dir(self.ctx) / name
        thumb = thumb_dir(self.ctx) / name
        if thumb.is_file():
            return thumb
        found = (media_dir(self.ctx) / original for original in originals)
        return next((path for path in found if path.is_file()), thumb)
