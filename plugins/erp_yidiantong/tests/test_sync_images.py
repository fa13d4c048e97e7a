"""Product pictures come from the ERP's media, and only when a product's image keys change."""

from __future__ import annotations

import io

from PIL import Image

from core.app import create_app
from plugins.catalog.media import media_dir, store_product_image
from plugins.catalog.models import Product, ProductImage
from plugins.erp_yidiantong.models import ProductImageSync
from plugins.erp_yidiantong.simulator.db import use_sim_database
from plugins.erp_yidiantong.simulator.models import SimProduct
from plugins.erp_yidiantong.simulator.store import touch, write_tx
from plugins.erp_yidiantong.sync import run_sync
from plugins.erp_yidiantong.tests.sync_fixtures import *  # noqa: F403
from plugins.erp_yidiantong.tests.sync_fixtures import close_app, connector_settings, sync


def _touch(sim, sku: str, **changes) -> None:
    with use_sim_database(sim.sim.db), write_tx():
        touch(SimProduct.get(SimProduct.sku == sku), **changes)


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 64), (200, 30, 30)).save(out, "JPEG")
    return out.getvalue()


def test_pictures_are_fetched_when_image_keys_change_and_only_then(synced, settings, sim_url, sim, dataset):
    product = next(p for p in dataset.products if p.published and len(p.image_keys) >= 2)
    app = create_app(connector_settings(settings, sim_url, images_per_product=2))
    try:
        with app.ctx.activate() as ctx:
            local = Product.get(Product.code == product.code)
            staff_upload = store_product_image(ctx, local, _jpeg(), sort=9)
            _touch(sim, product.code, name=product.name + "（新款）")
            run = sync(ctx, ["catalog"])[0]
            assert run.applied == 1
            first = list(
                ProductImage.select().where(ProductImage.product == local.id).order_by(ProductImage.sort)
            )
            assert [i.sort for i in first] == [0, 1, 9]
            assert all((media_dir(ctx) / i.filename).is_file() for i in first)
            state = ProductImageSync.get_by_id(local.id)
            assert (state.pending, state.wanted, state.applied) == (
                False,
                list(product.image_keys[:2]),
                list(product.image_keys[:2]),
            )

            _touch(sim, product.code, description="只改了描述")  # same keys: nothing is downloaded again
            sync(ctx, ["catalog"])
            assert [
                i.id
                for i in ProductImage.select()
                .where(ProductImage.product == local.id)
                .order_by(ProductImage.sort)
            ] == [i.id for i in first]

            _touch(sim, product.code, image_keys=[product.image_keys[1]])
            sync(ctx, ["catalog"])
            after = list(
                ProductImage.select().where(ProductImage.product == local.id).order_by(ProductImage.sort)
            )
            assert len(after) == 2 and after[-1].id == staff_upload.id  # the staff's picture stays
            assert after[0].id not in {i.id for i in first}
            assert ProductImageSync.get_by_id(local.id).applied == [product.image_keys[1]]
    finally:
        close_app(app)


def test_pictures_left_pending_are_fetched_by_a_later_sync(synced, settings, sim_url, sim, control, dataset):
    product = next(p for p in dataset.products if p.published and p.image_keys)
    app = create_app(connector_settings(settings, sim_url, images_per_product=1))
    try:
        with app.ctx.activate() as ctx:
            local = Product.get(Product.code == product.code)
            _touch(sim, product.code, name=product.name + "（改）")
            sync(ctx, ["catalog"], images=False)  # e.g. the demo: pictures later, in the background
            assert ProductImageSync.get_by_id(local.id).pending is True
            control.ok("POST", "offline")
            assert run_sync(ctx, ["catalog"])[0].status == "failed"
            assert ProductImageSync.get_by_id(local.id).pending is True
            control.ok("POST", "online")
            run = sync(ctx, ["catalog"])[0]
            assert run.fetched == 0  # nothing new in the feed; the pending pictures are fetched anyway
            assert ProductImageSync.get_by_id(local.id).pending is False
            assert ProductImage.select().where(ProductImage.product == local.id).count() == 1
    finally:
        close_app(app)
