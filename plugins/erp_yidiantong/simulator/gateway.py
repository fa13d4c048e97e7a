"""The EGP/1 endpoints of the simulator (``/egp/v1/...``), one resource each.

Signature checks, offline answers and injected faults happen in the
middleware (``app.py``) before these run; see ``docs/erp-gateway.md`` §5 for
every operation.
"""

from __future__ import annotations

import datetime as dt
import types
from typing import Any

import falcon
from marshmallow import ValidationError

from plugins.erp_yidiantong.egp.shapes import API_PREFIX, PROTOCOL
from plugins.erp_yidiantong.simulator import feeds
from plugins.erp_yidiantong.simulator.db import now_utc, to_rfc3339
from plugins.erp_yidiantong.simulator.errors import SimError, invalid
from plugins.erp_yidiantong.simulator.models import SimCustomer, SimOrder, SimProduct, SimStock
from plugins.erp_yidiantong.simulator.orders import cancel_order, import_order, notify_payment, order_view
from plugins.erp_yidiantong.simulator.pricing import OptionProblem, price_item
from plugins.erp_yidiantong.simulator.schemas import (
    REFERENCE,
    CancelBody,
    OrderBody,
    PaymentBody,
    QuoteBody,
    StockQueryBody,
    load,
)
from plugins.erp_yidiantong.simulator.store import current_price_list_version
from plugins.erp_yidiantong.simulator.web import JSON_TYPE, json_body, send_json

ERP_VERSION = "一点通 ERP simulator 1.0"
QUOTE_VALID_S = 600


class Health:
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        send_json(
            resp,
            {
                "status": "ok",
                "erp_online": True,
                "erp_version": ERP_VERSION,
                "protocol": PROTOCOL,
                "server_time": to_rfc3339(now_utc()),
            },
        )


class Feed:
    def on_get(self, req: falcon.Request, resp: falcon.Response, name: str) -> None:
        limit = feeds.parse_limit(req.get_param("limit"))
        resp.content_type = JSON_TYPE
        resp.data = feeds.page_json(
            name, req.get_param("cursor"), limit, req.get_param("streams"), req.get_param("types")
        )


def _item_error(sku: str, code: str, message: str, **details: Any) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message}
    if details:
        error["details"] = details
    return {"sku": sku, "error": error}


class Quote:
    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        body = load(QuoteBody, json_body(req))
        customer = SimCustomer.get_or_none(SimCustomer.code == body["customer_code"])
        if customer is None or customer.deleted or not customer.active:
            raise SimError(422, "DEALER_UNKNOWN", f"no active dealer with code {body['customer_code']}")
        skus = list({item["sku"] for item in body["items"]})
        products = {p.sku: p for p in SimProduct.select().where(SimProduct.sku.in_(skus))}
        items = []
        for item in body["items"]:
            product = products.get(item["sku"])
            if product is None or product.deleted:
                items.append(_item_error(item["sku"], "SKU_UNKNOWN", f"no product {item['sku']}"))
                continue
            if product.status == "discontinued":
                items.append(_item_error(item["sku"], "DISCONTINUED", f"{item['sku']} is discontinued"))
                continue
            try:
                priced = price_item(product, customer, item["options"])
            except OptionProblem as problem:
                items.append(_item_error(item["sku"], "OPTION_UNKNOWN", str(problem), **problem.details()))
                continue
            items.append(priced.to_json(item["qty"]))
        now = now_utc()
        send_json(
            resp,
            {
                "customer_code": customer.code,
                "currency": "CNY",
                "price_list_version": current_price_list_version(),
                "quoted_at": to_rfc3339(now),
                "valid_until": to_rfc3339(now + dt.timedelta(seconds=QUOTE_VALID_S)),
                "items": items,
            },
        )


class StockQuery:
    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        body = load(StockQueryBody, json_body(req))
        skus = list(dict.fromkeys(body["skus"]))
        stocked = {s.sku: s for s in SimStock.select().where(SimStock.sku.in_(skus))}
        known = {p.sku: p for p in SimProduct.select().where(SimProduct.sku.in_(skus))}
        items = []
        for sku in skus:
            if sku in stocked:
                items.append({**feeds.serialize(stocked[sku]), "tracked": True})
            elif sku in known and not known[sku].deleted:
                items.append({"sku": sku, "tracked": False})
            else:
                items.append(_item_error(sku, "SKU_UNKNOWN", f"no product {sku}"))
        send_json(resp, {"as_of": to_rfc3339(now_utc()), "items": items})


class Order:
    def on_get(self, req: falcon.Request, resp: falcon.Response, number: str) -> None:
        order = SimOrder.get_or_none(SimOrder.platform_order_no == number)
        if order is None:
            raise SimError(404, "ORDER_UNKNOWN", f"the ERP has no order {number}")
        send_json(resp, order_view(order))

    def on_put(self, req: falcon.Request, resp: falcon.Response, number: str) -> None:
        raw = json_body(req)
        body = load(OrderBody, raw)
        key = (req.get_header("Idempotency-Key") or "").strip()
        expected = f"{number}:{body['revision']}"
        problems = {}
        if body["platform_order_no"] != number:
            problems["platform_order_no"] = [f"must equal the order number in the path ({number})"]
        if key != expected:
            problems["Idempotency-Key"] = [f"must be {expected}"]
        if problems:
            raise invalid(problems)
        status, answer, replayed = import_order(key, body, raw)
        if replayed:
            resp.set_header("Idempotent-Replayed", "true")
        send_json(resp, answer, status)


class Cancel:
    def on_post(self, req: falcon.Request, resp: falcon.Response, number: str) -> None:
        body = load(CancelBody, json_body(req))
        status, answer, replayed = cancel_order(number, body)
        if replayed:
            resp.set_header("Idempotent-Replayed", "true")
        send_json(resp, answer, status)


class Payment:
    def on_put(self, req: falcon.Request, resp: falcon.Response, number: str, payment_id: str) -> None:
        raw = json_body(req)
        body = load(PaymentBody, raw)
        try:
            REFERENCE(payment_id)
        except ValidationError as ex:
            raise invalid({"payment_id": ex.messages}) from ex
        status, answer, replayed = notify_payment(number, payment_id, body, raw)
        if replayed:
            resp.set_header("Idempotent-Replayed", "true")
        send_json(resp, answer, status)


class Media:
    """Product images by the keys the catalog feed lists (rendered by ``demodata.images``)."""

    def on_get(self, req: falcon.Request, resp: falcon.Response, key: str) -> None:
        from demodata.images import image_index, render_product_image

        sku = key.rsplit(".", 1)[0].rsplit("_", 1)[0]
        product = SimProduct.get_or_none(SimProduct.sku == sku)
        if product is None or product.deleted or key not in product.image_keys:
            raise SimError(404, "NOT_FOUND", f"no media {key}")
        shape = types.SimpleNamespace(
            code=product.sku,
            name=product.name,
            category_code=product.category_code,
            width_mm=product.width_mm or 600,
            depth_mm=product.depth_mm or 600,
            height_mm=product.height_mm or 600,
            grade_group_code=product.grade_group_code,
            list_prices=product.list_prices,
        )
        resp.content_type = "image/jpeg"
        resp.data = render_product_image(shape, image_index(key))
        resp.cache_control = ["max-age=86400"]


def routes() -> list[tuple[str, object]]:
    return [
        (f"{API_PREFIX}/health", Health()),
        (f"{API_PREFIX}/feeds/{{name}}", Feed()),
        (f"{API_PREFIX}/prices/quote", Quote()),
        (f"{API_PREFIX}/stock/query", StockQuery()),
        (f"{API_PREFIX}/orders/{{number}}", Order()),
        (f"{API_PREFIX}/orders/{{number}}/cancel", Cancel()),
        (f"{API_PREFIX}/orders/{{number}}/payments/{{payment_id}}", Payment()),
        (f"{API_PREFIX}/media/{{key}}", Media()),
    ]
