"""HTTP resources of the pricing plugin: quotes, and the price file for admins."""

from __future__ import annotations

from decimal import Decimal

from core.db import write_transaction
from core.errors import NotFound, ValidationFailed
from core.http import api, paginate
from core.models import Customer
from core.money import fen_to_str
from plugins.catalog.models import Product
from plugins.catalog.services import get_published_product, validate_options
from plugins.pricing import price_file
from plugins.pricing.models import CustomerPrice
from plugins.pricing.schemas import (
    CustomerPricesAnswer,
    CustomerPricesBody,
    CustomerPricesQuery,
    CustomerPricesWritten,
    ListPricesAnswer,
    ListPricesBody,
    QuoteAnswer,
    QuoteBody,
)
from plugins.pricing.services import price_line, rate_text

PRICE_ADMINS = ("admin", "finance")


class QuoteResource:
    """``POST /api/v1/quotes``: price a configuration for the acting customer."""

    def __init__(self, ctx) -> None:
        self.ctx = ctx

    @api(
        "Price a configured line for the customer (unit price, line total, breakdown)",
        body=QuoteBody,
        response=QuoteAnswer,
        customer=True,
        tags=["catalog"],
    )
    def on_post(self, req, resp):
        body = req.context.body
        product = get_published_product(body["product_id"])
        _ = self.ctx.translator.bound(req.context.lang)
        options = validate_options(product, body["options"])
        result = price_line(self.ctx, req.context.customer, product, options, body["qty"])
        resp.media = {"product_id": product.id, "options": options, **result.to_json(_)}


# -- admin: customer prices --------------------------------------------------------------


def _customer_or_404(customer_id: int) -> Customer:
    customer = Customer.get_or_none(Customer.id == customer_id) if 0 < customer_id < 2**31 else None
    if customer is None:
        raise NotFound()
    return customer


def _customer_info(customer: Customer) -> dict:
    return {
        **customer.summary(),
        "discount_rate": rate_text(Decimal(customer.discount_rate)),
    }


def _customer_price_rows(rows: list[CustomerPrice]) -> list[dict]:
    products = {p.id: p for p in Product.select().where(Product.id.in_({r.product_id for r in rows}))}
    names = price_file.grade_names(list(products))
    return [
        {
            "product_id": row.product_id,
            "product_code": products[row.product_id].code,
            "product_name": products[row.product_id].name,
            "grade": row.grade,
            "grade_name": names.get((row.product_id, row.grade), ""),
            "unit_price": fen_to_str(row.unit_price),
            "version": row.version,
            "source": row.source,
            "updated_at": row.updated_at.isoformat(),
        }
        for row in rows
    ]


class CustomerPricesResource:
    """``/api/v1/admin/prices/customers/{customer_id}``: one customer's price file."""

    def __init__(self, ctx) -> None:
        self.ctx = ctx

    @api(
        "List a customer's explicit prices (一客一价)",
        query=CustomerPricesQuery,
        response=CustomerPricesAnswer,
        roles=PRICE_ADMINS,
        tags=["admin"],
    )
    def on_get(self, req, resp, customer_id: int):
        customer = _customer_or_404(customer_id)
        params = req.context.query
        query = (
            CustomerPrice.select(CustomerPrice)
            .join(Product)
            .where(CustomerPrice.customer == customer.id)
            .order_by(Product.code, CustomerPrice.grade)
        )
        if params.get("product_id"):
            query = query.where(CustomerPrice.product == params["product_id"])
        page = paginate(query, params, lambda row: row)
        page["items"] = _customer_price_rows(page["items"])
        resp.media = {"customer": _customer_info(customer), **page}

    @api(
        "Set or remove explicit prices of a customer (unit_price null removes)",
        body=CustomerPricesBody,
        response=CustomerPricesWritten,
        roles=PRICE_ADMINS,
        tags=["admin"],
    )
    def on_put(self, req, resp, customer_id: int):
        customer = _customer_or_404(customer_id)
        rows = req.context.body["prices"]
        _ = self.ctx.translator.bound(req.context.lang)
        _check_rows(rows, _)
        with write_transaction():
            for row in rows:
                price_file.set_customer_price(customer.id, row["product_id"], row["grade"], row["unit_price"])
        keys = {(row["product_id"], row["grade"]) for row in rows}
        saved = [
            r
            for r in CustomerPrice.select().where(
                (CustomerPrice.customer == customer.id)
                & CustomerPrice.product.in_({pid for pid, _grade in keys})
            )
            if (r.product_id, r.grade) in keys
        ]
        resp.media = {
            "customer": _customer_info(customer),
            "saved": sum(1 for row in rows if row["unit_price"] is not None),
            "removed": sum(1 for row in rows if row["unit_price"] is None),
            "items": _customer_price_rows(sorted(saved, key=lambda r: (r.product_id, r.grade))),
        }


def _check_rows(rows: list[dict], _, *, product_id: int | None = None) -> None:
    """400 naming each bad row: unknown product, wrong grade, same key twice."""
    ids = {product_id} if product_id is not None else {row["product_id"] for row in rows}
    existing = {p.id for p in Product.select(Product.id).where(Product.id.in_(ids))}
    grades = {pid: price_file.grade_codes(pid) for pid in existing}
    errors: dict[int, dict[str, list[str]]] = {}
    seen: set[tuple[int, str]] = set()
    for index, row in enumerate(rows):
        pid = product_id if product_id is not None else row["product_id"]
        problems: dict[str, list[str]] = {}
        if pid not in existing:
            problems["product_id"] = [_("No such product.")]
        else:
            problem = price_file.grade_problem(grades[pid], row["grade"])
            if problem:
                problems["grade"] = [_(problem)]
            elif (pid, row["grade"]) in seen:
                problems["grade"] = [_("The same product and grade appear twice.")]
        seen.add((pid, row["grade"]))
        if problems:
            errors[index] = problems
    if errors:
        raise ValidationFailed(details={"prices": errors})


# -- admin: list prices -----------------------------------------------------------------


class ListPricesResource:
    """``/api/v1/admin/prices/list/{product_id}``: a product's list price per grade."""

    def __init__(self, ctx) -> None:
        self.ctx = ctx

    def _answer(self, product: Product) -> dict:
        rows = price_file.list_price_rows(product)
        for row in rows:
            row["list_price"] = fen_to_str(row["list_price"])
            row["updated_at"] = row["updated_at"].isoformat()
        return {"product_id": product.id, "code": product.code, "prices": rows}

    @api("A product's list prices per grade", response=ListPricesAnswer, roles=PRICE_ADMINS, tags=["admin"])
    def on_get(self, req, resp, product_id: int):
        product = product_or_404(product_id)
        resp.media = self._answer(product)

    @api(
        "Set a product's list prices per grade (before customer discount)",
        body=ListPricesBody,
        response=ListPricesAnswer,
        roles=PRICE_ADMINS,
        tags=["admin"],
    )
    def on_put(self, req, resp, product_id: int):
        product = product_or_404(product_id)
        rows = req.context.body["prices"]
        _ = self.ctx.translator.bound(req.context.lang)
        _check_rows(rows, _, product_id=product.id)
        with write_transaction():
            for row in rows:
                price_file.set_list_price(product.id, row["grade"], row["list_price"])
        resp.media = self._answer(product)


def product_or_404(product_id: int) -> Product:
    """Any product, published or not (back office), or 404."""
    product = Product.get_or_none(Product.id == product_id) if 0 < product_id < 2**31 else None
    if product is None:
        raise NotFound()
    return product
