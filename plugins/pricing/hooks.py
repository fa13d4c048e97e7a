"""Hook implementations of the pricing plugin."""

from __future__ import annotations

from core.models import Customer
from core.money import fen_to_str
from core.plugins import hookimpl
from plugins.catalog.models import Product
from plugins.pricing import price_file
from plugins.pricing.models import MODELS, CustomerPrice, GradePrice
from plugins.pricing.resources import CustomerPricesResource, ListPricesResource, QuoteResource
from plugins.pricing.services import builtin_price, default_prices, grade_prices


@hookimpl
def register_models():
    return MODELS


@hookimpl
def register_routes(ctx):
    return [
        ("/api/v1/quotes", QuoteResource(ctx)),
        (
            "/api/v1/admin/prices/customers/{customer_id:int}",
            CustomerPricesResource(ctx),
        ),
        ("/api/v1/admin/prices/list/{product_id:int}", ListPricesResource(ctx)),
    ]


@hookimpl(trylast=True)
def resolve_price(ctx, customer, product, options, qty):
    """The built-in answer: the price file (explicit price, else list × rate)."""
    return builtin_price(customer, product, options, qty)


@hookimpl
def extend_product_data(ctx, customer, products, detail):
    """``price``: this customer's price of the default configuration.

    On the detail page also ``grade_prices``: this customer's price of the
    default configuration at every grade, side by side. The list price is
    not shown to dealers: with explicit prices it would suggest a discount
    that is not theirs (it does appear in a quote's breakdown when the price
    is list × rate).
    """
    products = list(products)
    prices = default_prices(ctx, customer, products)
    data = {pid: {"price": fen_to_str(fen) if fen is not None else None} for pid, fen in prices.items()}
    if detail:
        for product in products:
            data[product.id]["grade_prices"] = [
                {**row, "price": fen_to_str(row["price"]) if row["price"] is not None else None}
                for row in grade_prices(ctx, customer, product)
            ]
    return data


@hookimpl  # declared in plugins/catalog/hookspecs.py
def catalog_list_price_imported(ctx, product, grade, list_price):
    """A catalog import brought a list price: store it; True when it changed."""
    return price_file.set_list_price(product.id, grade or "", int(list_price))


@hookimpl
def register_demo_data(ctx, dataset):
    """Grade list prices of every product and the demo price file (一客一价)."""
    products = {p.code: p.id for p in Product.select(Product.id, Product.code)}
    customers = {c.code: c.id for c in Customer.select(Customer.id, Customer.code)}
    grade_rows = [
        {"product": products[p.code], "grade": grade, "list_price": fen}
        for p in dataset.products
        if p.code in products
        for grade, fen in p.list_prices.items()
    ]
    customer_rows = [
        {
            "customer": customers[cp.customer_code],
            "product": products[cp.product_code],
            "grade": cp.grade_code,
            "unit_price": cp.unit_price_fen,
        }
        for cp in dataset.customer_prices
        if cp.customer_code in customers and cp.product_code in products
    ]
    for start in range(0, len(grade_rows), 200):
        GradePrice.insert_many(grade_rows[start : start + 200]).execute()
    for start in range(0, len(customer_rows), 200):
        CustomerPrice.insert_many(customer_rows[start : start + 200]).execute()
