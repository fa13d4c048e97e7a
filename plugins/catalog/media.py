"""Product images: files under ``<data dir>/media/products/``, served with caching.

Every stored image is a JPEG with a content-hashed name
(``S-801-3fa2c1d9e0.jpg``) plus a square thumbnail of the same name under
``thumbs/`` for product lists. They are served at ``/media/products/<name>``
and ``/media/products/thumbs/<name>`` with a one-year ``immutable`` cache: a
new picture always gets a new name. Only logged-in users get images, and
images of unpublished products only factory staff.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import tempfile
from pathlib import Path

import falcon
from PIL import Image, ImageOps, UnidentifiedImageError

from core.db import write_transaction
from core.errors import NotAuthenticated, NotFound, PayloadTooLarge, ValidationFailed
from core.models import STAFF_ROLES
from plugins.catalog.models import Product, ProductImage

THUMB_SIZE = 300
MAX_SIDE = 1200
JPEG_QUALITY = 82
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,200}\.(jpg|jpeg|png|webp)$")
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


def make_thumbnail(jpeg: bytes, size: int = THUMB_SIZE) -> bytes:
    """A square, centre-cropped JPEG thumbnail of an image."""
    with Image.open(io.BytesIO(jpeg)) as img:
        thumb = ImageOps.fit(img.convert("RGB"), (size, size), Image.LANCZOS)
    out = io.BytesIO()
    thumb.save(out, "JPEG", quality=70, optimize=True)
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
    _write_atomic(thumb_dir(ctx) / filename, thumb if thumb is not None else make_thumbnail(jpeg))


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
            "The file is not a picture we can read.", code="invalid_image", details={"file": ["not an image"]}
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
        if user.role not in STAFF_ROLES:
            visible = (
                ProductImage.select(ProductImage.id)
                .join(Product)
                .where((ProductImage.filename == name) & (Product.published == True))  # noqa: E712
                .exists()
            )
            if not visible:
                raise NotFound()
        path = media_dir(self.ctx) / name
        if self.thumbs and (thumb_dir(self.ctx) / name).is_file():
            path = thumb_dir(self.ctx) / name
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
        resp.content_type = _CONTENT_TYPES[name.rsplit(".", 1)[1].lower()]
        resp.data = path.read_bytes()
