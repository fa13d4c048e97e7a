"""HTTP resources of the inventory plugin: stock for dealers, stock admin."""

from __future__ import annotations

import falcon
from peewee import JOIN, fn

from core.errors import NotFound, PayloadTooLarge, ValidationFailed
from core.http import api, paginate
from plugins.catalog.models import Product
from plugins.catalog.services import get_published_product
from plugins.inventory.models import StockItem, StockMovement
from plugins.inventory.schemas import (
    AdminStockDetail,
    AdminStockQuery,
    AdminStockRow,
    SetStockBody,
    StockAnswer,
    UploadAnswer,
)
from plugins.inventory.services import (
    ERP,
    QUOTA,
    UNLIMITED,
    available_of,
    notify_stock_changed,
    set_stock,
    stock_levels,
)
from plugins.inventory.upload import upload_stock

STOCK_ADMINS = ("admin",)
MAX_UPLOAD_BYTES = 2 * 1024 * 1024


class StockResource:
    """``GET /api/v1/stock/{product_id}``: what a dealer can still order."""

    def __init__(self, ctx) -> None:
        self.ctx = ctx

    @api("Stock of a published product", response=StockAnswer, customer=True, tags=["catalog"])
    def on_get(self, req, resp, product_id: int):
        product = get_published_product(product_id)
        level = stock_levels(self.ctx, [product])[product.id]
        resp.media = {"product_id": product.id, **level}


def admin_row(product: Product, item: StockItem | None) -> dict:
    mode = item.mode if item is not None else UNLIMITED
    return {
        "product_id": product.id,
        "code": product.code,
        "name": product.name,
        "published": bool(product.published),
        "mode": mode,
        "quantity": item.quantity if item is not None and mode != UNLIMITED else None,
        "reserved": item.reserved if item is not None and mode == ERP else 0,
        "available": available_of(item),
        "updated_at": item.updated_at.isoformat() if item is not None else None,
    }


class AdminStockListResource:
    """``GET /api/v1/admin/stock``: every product's stock, filterable."""

    def __init__(self, ctx) -> None:
        self.ctx = ctx

    @api(
        "Stock of all products (filter by mode, code/name, low stock)",
        query=AdminStockQuery,
        response=AdminStockRow,
        paginated=True,
        roles=STOCK_ADMINS,
        tags=["admin"],
    )
    def on_get(self, req, resp):
        params = req.context.query
        query = (
            Product.select(Product, StockItem)
            .join(StockItem, JOIN.LEFT_OUTER, on=(StockItem.product == Product.id), attr="stock_item")
            .order_by(Product.code)
        )
        mode = params.get("mode")
        if mode == UNLIMITED:
            query = query.where(StockItem.product.is_null() | (StockItem.mode == UNLIMITED))
        elif mode:
            query = query.where(StockItem.mode == mode)
        if params.get("q"):
            needle = params["q"].strip().lower()
            query = query.where(fn.LOWER(Product.code).contains(needle) | Product.name.contains(needle))
        if "low" in params:
            available = StockItem.quantity - fn.COALESCE(StockItem.reserved, 0)
            counted = ((StockItem.mode == QUOTA) & (StockItem.quantity <= params["low"])) | (
                (StockItem.mode == ERP) & (available <= params["low"])
            )
            query = query.where(counted)
        resp.media = paginate(query, params, lambda p: admin_row(p, getattr(p, "stock_item", None)))


class AdminStockResource:
    """``/api/v1/admin/stock/{product_id}``: read or set one product's stock."""

    def __init__(self, ctx) -> None:
        self.ctx = ctx

    def _answer(self, product: Product) -> dict:
        item = StockItem.get_or_none(StockItem.product == product.id)
        movements = (
            StockMovement.select()
            .where(StockMovement.product == product.id)
            .order_by(StockMovement.id.desc())
            .limit(50)
        )
        return {
            **admin_row(product, item),
            "movements": [
                {"delta": m.delta, "reason": m.reason, "ref": m.ref, "at": m.at.isoformat()}
                for m in movements
            ],
        }

    @api(
        "One product's stock with its latest movements",
        response=AdminStockDetail,
        roles=STOCK_ADMINS,
        tags=["admin"],
    )
    def on_get(self, req, resp, product_id: int):
        product = product_or_404(product_id)
        resp.media = self._answer(product)

    @api(
        "Set a product's stock mode and quantity",
        body=SetStockBody,
        response=AdminStockDetail,
        roles=STOCK_ADMINS,
        tags=["admin"],
    )
    def on_put(self, req, resp, product_id: int):
        product = product_or_404(product_id)
        body = req.context.body
        item = set_stock(
            product, body["mode"], body.get("quantity"), reason="set", ref=f"user:{req.context.user.id}"
        )
        notify_stock_changed(self.ctx, {product.id: available_of(item)})
        resp.media = self._answer(product)


class AdminStockUploadResource:
    """``POST /api/v1/admin/stock/upload``: a CSV of ``code,quantity`` rows."""

    def __init__(self, ctx) -> None:
        self.ctx = ctx

    @api(
        "Upload sales stock as CSV (code,quantity); bad rows are reported and skipped",
        response=UploadAnswer,
        roles=STOCK_ADMINS,
        tags=["admin"],
    )
    def on_post(self, req, resp):
        _ = self.ctx.translator.bound(req.context.lang)
        data = read_upload(req, _)
        report, changes = upload_stock(data, _, ref=f"upload:user:{req.context.user.id}")
        notify_stock_changed(self.ctx, changes)
        resp.media = report.as_dict()


def read_upload(req: falcon.Request, _) -> bytes:
    """The CSV bytes: the raw body (text/csv) or the ``file`` part of a form."""
    if req.content_length is not None and req.content_length > MAX_UPLOAD_BYTES + 64 * 1024:
        raise PayloadTooLarge()
    content_type = (req.content_type or "").lower()
    if content_type.startswith("multipart/form-data"):
        try:
            form = req.get_media()
            for part in form:
                if part.name == "file":
                    data = part.stream.read(MAX_UPLOAD_BYTES + 1)
                    break
            else:
                raise ValidationFailed(details={"file": [_("Attach the CSV file as the form field 'file'.")]})
        except (falcon.MediaMalformedError, UnicodeDecodeError) as ex:  # broken part headers
            raise ValidationFailed("The upload could not be read.", code="invalid_file") from ex
    else:
        data = req.bounded_stream.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise PayloadTooLarge()
    if not data.strip():
        raise ValidationFailed("The file has no rows.", code="empty_file")
    return data


def product_or_404(product_id: int) -> Product:
    """Any product, published or not (back office), or 404."""
    product = Product.get_or_none(Product.id == product_id) if 0 < product_id < 2**31 else None
    if product is None:
        raise NotFound()
    return product
