"""Product pictures: stored as JPEG + thumbnail, served with caching, only to whom may see them."""

import io

import pytest
from PIL import Image

from core.errors import PayloadTooLarge, ValidationFailed
from plugins.catalog.media import (
    THUMB_EXT,
    THUMB_FORMAT,
    THUMB_SIZE,
    media_dir,
    store_product_image,
    thumb_dir,
    thumb_name,
)
from plugins.catalog.models import Product


def picture(size=(900, 600), fmt="PNG", color=(200, 120, 80)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, fmt)
    return out.getvalue()


@pytest.fixture
def stored(app, catalog):
    with app.ctx.activate():
        s801 = Product.get_by_id(catalog["s801"].id)
        hidden = Product.get_by_id(catalog["hidden"].id)
        return {
            "shown": store_product_image(app.ctx, s801, picture()),
            "hidden": store_product_image(app.ctx, hidden, picture(color=(10, 10, 10))),
        }


def test_an_upload_becomes_a_jpeg_and_a_small_square_thumbnail(app, stored):
    image = stored["shown"]
    assert image.filename.startswith("S-801-") and image.filename.endswith(".jpg")
    assert (image.width, image.height, image.sort) == (900, 600, 2)  # after the two helper images
    with Image.open(media_dir(app.ctx) / image.filename) as full:
        assert (full.format, full.size) == ("JPEG", (900, 600))
    assert thumb_name(image.filename) == image.filename[: -len("jpg")] + THUMB_EXT
    with Image.open(thumb_dir(app.ctx) / thumb_name(image.filename)) as thumb:
        assert (thumb.format, thumb.size) == (THUMB_FORMAT, (THUMB_SIZE, THUMB_SIZE))
    assert THUMB_SIZE <= 280  # a phone's grid at 2x, not more (DESIGN §7 page weight)


def test_pictures_are_served_with_long_private_caching(dealer, stored):
    name = stored["shown"].filename
    result = dealer.get(f"/media/products/{name}")
    assert result.status_code == 200
    assert result.headers["content-type"] == "image/jpeg"
    assert result.content[:2] == b"\xff\xd8"
    assert "immutable" in result.headers["cache-control"] and "private" in result.headers["cache-control"]
    again = dealer.get(f"/media/products/{name}", headers={"If-None-Match": result.headers["etag"]})
    assert again.status_code == 304
    thumb = dealer.get(f"/media/products/thumbs/{thumb_name(name)}")
    assert thumb.status_code == 200
    assert thumb.headers["content-type"] == {"WEBP": "image/webp", "JPEG": "image/jpeg"}[THUMB_FORMAT]
    assert "immutable" in thumb.headers["cache-control"]
    assert len(thumb.content) < len(result.content) / 2


def test_a_missing_thumbnail_falls_back_to_the_picture(app, dealer, stored):
    name = stored["shown"].filename
    (thumb_dir(app.ctx) / thumb_name(name)).unlink()
    result = dealer.get(f"/media/products/thumbs/{thumb_name(name)}")
    assert result.status_code == 200
    assert result.headers["content-type"] == "image/jpeg"
    assert result.content == (media_dir(app.ctx) / name).read_bytes()


def test_pictures_of_unpublished_products_are_for_staff_only(client, make_user, dealer, stored):
    name = stored["hidden"].filename
    assert dealer.get(f"/media/products/{name}").status_code == 404
    assert dealer.get(f"/media/products/thumbs/{name}").status_code == 404
    assert dealer.get(f"/media/products/thumbs/{thumb_name(name)}").status_code == 404
    make_user("admin9", "admin")
    assert client.login("admin9").get(f"/media/products/{name}").status_code == 200


def test_pictures_need_a_login(client, stored):
    result = client.get(f"/media/products/{stored['shown'].filename}")
    assert result.status_code == 401
    assert result.json["error"]["code"] == "not_authenticated"


@pytest.mark.parametrize("name", ["..%2Fydt.db", "secret_key", ".hidden.jpg", "x.exe", "S-801-first.jpg"])
def test_odd_or_missing_names_answer_404(dealer, stored, name):
    # S-801-first.jpg has a record but no file.
    assert dealer.get(f"/media/products/{name}").status_code == 404


def test_a_file_that_is_not_a_picture_is_refused(app, catalog):
    with app.ctx.activate():
        product = Product.get_by_id(catalog["b1"].id)
        with pytest.raises(ValidationFailed) as caught:
            store_product_image(app.ctx, product, b"GIF89a not really")
        assert caught.value.code == "invalid_image"
        app.ctx.plugin_config["catalog"]["max_image_bytes"] = 1000
        with pytest.raises(PayloadTooLarge):
            store_product_image(app.ctx, product, picture(fmt="BMP"))
        assert list(product.images) == []
