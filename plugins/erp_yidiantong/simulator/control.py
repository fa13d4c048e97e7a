"""The control API (``/_sim/...``): tests and people drive the ERP from here.

Unsigned JSON, on the simulator's own port; not part of EGP/1. Bodies reject
unknown fields; bad input answers 400 in the EGP error format and changes
nothing. Every change takes effect the way the ERP would make it: it moves
the row to the end of its feed with a new version and, where the protocol
has an event for it, appends that event (pushed to the platform).
"""

from __future__ import annotations

import json
from typing import Any

import falcon
from marshmallow import Schema

from plugins.erp_yidiantong.egp.shapes import EventEnvelope
from plugins.erp_yidiantong.simulator import orders
from plugins.erp_yidiantong.simulator.db import now_utc, to_rfc3339
from plugins.erp_yidiantong.simulator.errors import SimError, invalid
from plugins.erp_yidiantong.simulator.feeds import serialize
from plugins.erp_yidiantong.simulator.ledger import entry_item
from plugins.erp_yidiantong.simulator.loader import hash_password
from plugins.erp_yidiantong.simulator.models import (
    SimAccount,
    SimCustomer,
    SimCustomerPrice,
    SimEvent,
    SimImportRequest,
    SimLedgerEntry,
    SimOrder,
    SimProduct,
    SimRepAssignment,
    SimStock,
)
from plugins.erp_yidiantong.simulator.schemas import (
    AccountChange,
    AdvanceBody,
    AssignmentChange,
    CustomerChange,
    EmptyBody,
    EventsBody,
    FaultsBody,
    ListPriceChange,
    PriceChange,
    ProductChange,
    StockChange,
    load,
)
from plugins.erp_yidiantong.simulator.store import (
    append_event,
    append_given_event,
    new_price_list_version,
    next_change_seq,
    touch,
    write_tx,
)
from plugins.erp_yidiantong.simulator.web import optional_json_body, send_json


def _body(req: falcon.Request, schema: type[Schema]) -> dict[str, Any]:
    return load(schema, optional_json_body(req))


def _product(sku: str, field: str = "sku") -> SimProduct:
    product = SimProduct.get_or_none(SimProduct.sku == sku)
    if product is None or product.deleted:
        raise invalid({field: [f"no product {sku}"]})
    return product


def _customer(code: str, field: str = "customer_code") -> SimCustomer:
    customer = SimCustomer.get_or_none(SimCustomer.code == code)
    if customer is None or customer.deleted:
        raise invalid({field: [f"no dealer {code}"]})
    return customer


def _grade(product: SimProduct, grade: str | None) -> str:
    """The product's grade code for ``grade`` ('' for products without grades)."""
    if product.grade_group_code is None:
        if grade:
            raise invalid({"grade": [f"{product.sku} has no grades"]})
        return ""
    if not grade:
        raise invalid({"grade": [f"{product.sku} is priced by grade: {', '.join(product.list_prices)}"]})
    if grade not in product.list_prices:
        raise invalid({"grade": [f"{product.sku} has no grade {grade}: {', '.join(product.list_prices)}"]})
    return grade


class Online:
    def __init__(self, state, online: bool) -> None:
        self.state = state
        self.online = online

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        _body(req, EmptyBody)
        self.state.faults.set_online(self.online)
        if self.online:
            self.state.wake_pusher()
        send_json(resp, {"online": self.online})


class Status:
    def __init__(self, state) -> None:
        self.state = state

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        pending = SimEvent.select().where(SimEvent.push_state == "pending").count()
        send_json(
            resp,
            {
                "online": self.state.faults.online,
                "faults": self.state.faults.snapshot(),
                "push": {**self.state.push_snapshot(), "pending": pending},
                "counts": {
                    "products": SimProduct.select().count(),
                    "customers": SimCustomer.select().count(),
                    "customer_prices": SimCustomerPrice.select().count(),
                    "orders": SimOrder.select().count(),
                    "events": SimEvent.select().count(),
                },
            },
        )


class Prices:
    """``{customer_code, sku, grade?, unit_price}``; ``unit_price: null`` removes the price."""

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        body = _body(req, PriceChange)
        with write_tx():
            customer = _customer(body["customer_code"])
            product = _product(body["sku"])
            grade = _grade(product, body["grade"])
            row = SimCustomerPrice.get_or_none(
                (SimCustomerPrice.customer_code == customer.code)
                & (SimCustomerPrice.sku == product.sku)
                & (SimCustomerPrice.grade == grade)
            )
            unit_price = body["unit_price"]
            if unit_price is None and (row is None or row.deleted):
                raise invalid({"unit_price": ["there is no explicit price to remove"]})
            version = new_price_list_version()
            if row is None:
                row = SimCustomerPrice.create(
                    customer_code=customer.code,
                    sku=product.sku,
                    grade=grade,
                    unit_price_fen=unit_price,
                    price_list_version=version,
                    change_seq=next_change_seq(),
                )
            elif unit_price is None:
                touch(row, deleted=True, price_list_version=version)
            else:
                touch(row, unit_price_fen=unit_price, deleted=False, price_list_version=version)
            item = serialize(row)
            append_event("price.changed", item)
        send_json(resp, item)


class ListPrices:
    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        body = _body(req, ListPriceChange)
        with write_tx():
            product = _product(body["sku"])
            grade = _grade(product, body["grade"])
            version = new_price_list_version()
            touch(
                product,
                list_prices={**product.list_prices, grade: body["list_price"]},
                price_list_version=version,
            )
            item = {
                "sku": product.sku,
                "grade": grade,
                "list_price_fen": body["list_price"],
                "price_list_version": version,
                "product_version": product.version,
            }
            append_event("list_price.changed", item)
        send_json(resp, item)


class Customers:
    def on_post(self, req: falcon.Request, resp: falcon.Response, code: str) -> None:
        body = _body(req, CustomerChange)
        with write_tx():
            customer = SimCustomer.get_or_none(SimCustomer.code == code)
            if customer is None or customer.deleted:
                raise SimError(404, "NOT_FOUND", f"no dealer {code}")
            changes: dict[str, Any] = {}
            if "discount_rate" in body:
                changes["discount_rate"] = body["discount_rate"]
                new_price_list_version()
            if "credit_limit" in body:
                changes["credit_limit_fen"] = body["credit_limit"]
            if "active" in body:
                changes["active"] = body["active"]
            touch(customer, **changes)
            item = serialize(customer)
            append_event("customer.changed", item)
        send_json(resp, item)


class Stock:
    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        body = _body(req, StockChange)
        with write_tx():
            product = _product(body["sku"])
            row = SimStock.get_or_none(SimStock.sku == product.sku)
            if row is None:
                row = SimStock.create(sku=product.sku, on_hand=body["on_hand"], change_seq=next_change_seq())
            else:
                touch(row, on_hand=body["on_hand"])
            item = serialize(row)
            append_event("stock.changed", item)
        send_json(resp, item)


class Products:
    def on_post(self, req: falcon.Request, resp: falcon.Response, sku: str) -> None:
        body = _body(req, ProductChange)
        with write_tx():
            product = SimProduct.get_or_none(SimProduct.sku == sku)
            if product is None:
                raise SimError(404, "NOT_FOUND", f"no product {sku}")
            touch(product, **body)
            item = serialize(product)
        send_json(resp, item)


class RepAssignments:
    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        body = _body(req, AssignmentChange)
        with write_tx():
            rep = SimAccount.get_or_none(SimAccount.username == body["rep_username"])
            if rep is None or rep.deleted or rep.role != "rep":
                raise invalid({"rep_username": [f"no rep {body['rep_username']}"]})
            customer = _customer(body["customer_code"])
            row = SimRepAssignment.get_or_none(
                (SimRepAssignment.rep_username == rep.username)
                & (SimRepAssignment.customer_code == customer.code)
            )
            if row is None and not body["assigned"]:
                raise invalid({"assigned": [f"{rep.username} is not assigned to {customer.code}"]})
            if row is None:
                row = SimRepAssignment.create(
                    rep_username=rep.username, customer_code=customer.code, change_seq=next_change_seq()
                )
            elif row.deleted == body["assigned"]:
                touch(row, deleted=not body["assigned"])
            item = serialize(row)
        send_json(resp, item)


class Accounts:
    def on_post(self, req: falcon.Request, resp: falcon.Response, username: str) -> None:
        body = _body(req, AccountChange)
        password = body.pop("password", None)
        changes: dict[str, Any] = dict(body)
        if password is not None:
            changes["password_hash"] = hash_password(password)
        with write_tx():
            account = SimAccount.get_or_none(SimAccount.username == username)
            if account is None or account.deleted:
                raise SimError(404, "NOT_FOUND", f"no account {username}")
            if password is not None:
                changes["password_set_at"] = now_utc()
            touch(account, **changes)
            item = serialize(account)
        send_json(resp, item)


class Advance:
    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        body = _body(req, AdvanceBody)
        moved = orders.advance(body["platform_order_no"], body["steps"])
        send_json(resp, {"orders": moved})


class OrderList:
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        items = [orders.control_view(o) for o in SimOrder.select().order_by(SimOrder.id)]
        send_json(resp, {"items": items})


class OrderItem:
    def on_get(self, req: falcon.Request, resp: falcon.Response, number: str) -> None:
        order = SimOrder.get_or_none(SimOrder.platform_order_no == number)
        if order is None:
            raise SimError(404, "NOT_FOUND", f"the ERP has no order {number}")
        send_json(resp, orders.control_view(order))


class Imports:
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        query = SimImportRequest.select().order_by(SimImportRequest.id)
        number = req.get_param("platform_order_no")
        if number:
            query = query.where(SimImportRequest.platform_order_no == number)
        items = [
            {
                "platform_order_no": r.platform_order_no,
                "idempotency_key": r.idempotency_key,
                "status": r.status,
                "code": r.code,
                "replayed": r.replayed,
                "at": to_rfc3339(r.at),
            }
            for r in query
        ]
        send_json(resp, {"items": items})


class Events:
    def __init__(self, state) -> None:
        self.state = state

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        query = SimEvent.select(SimEvent.envelope).order_by(SimEvent.id)
        stream, event_type = req.get_param("stream"), req.get_param("type")
        if stream:
            query = query.where(SimEvent.stream == stream)
        if event_type:
            query = query.where(SimEvent.type == event_type)
        send_json(resp, {"items": [json.loads(envelope) for (envelope,) in query.tuples()]})

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        body = _body(req, EventsBody)
        problems: dict[str, list[str]] = {}
        envelopes = []
        for index, given in enumerate(body["events"]):
            try:
                EventEnvelope.from_json(given)  # also what the event log's columns hold
            except ValueError as ex:
                problems[str(index)] = [str(ex)]
            envelopes.append(given)
        if problems:
            raise invalid({"events": problems})
        with write_tx():
            positions = [append_given_event(e, push=body["push"]) for e in envelopes]
        if body["push"]:
            self.state.wake_pusher()
        send_json(resp, {"appended": len(positions), "push": body["push"]})


class Faults:
    def __init__(self, state) -> None:
        self.state = state

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        send_json(resp, self.state.faults.snapshot())

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        body = _body(req, FaultsBody)
        send_json(resp, self.state.faults.update(body))

    def on_delete(self, req: falcon.Request, resp: falcon.Response) -> None:
        send_json(resp, self.state.faults.reset())


class Ledger:
    def on_get(self, req: falcon.Request, resp: falcon.Response, code: str) -> None:
        customer = SimCustomer.get_or_none(SimCustomer.code == code)
        if customer is None:
            raise SimError(404, "NOT_FOUND", f"no dealer {code}")
        entries = (
            SimLedgerEntry.select().where(SimLedgerEntry.customer_code == code).order_by(SimLedgerEntry.id)
        )
        send_json(
            resp,
            {
                "customer_code": code,
                "balance_fen": customer.balance_fen,
                "items": [entry_item(e) for e in entries],
            },
        )


def routes(state) -> list[tuple[str, object]]:
    return [
        ("/_sim/offline", Online(state, False)),
        ("/_sim/online", Online(state, True)),
        ("/_sim/status", Status(state)),
        ("/_sim/prices", Prices()),
        ("/_sim/list-prices", ListPrices()),
        ("/_sim/customers/{code}", Customers()),
        ("/_sim/stock", Stock()),
        ("/_sim/products/{sku}", Products()),
        ("/_sim/rep-assignments", RepAssignments()),
        ("/_sim/accounts/{username}", Accounts()),
        ("/_sim/advance", Advance()),
        ("/_sim/orders", OrderList()),
        ("/_sim/orders/{number}", OrderItem()),
        ("/_sim/imports", Imports()),
        ("/_sim/events", Events(state)),
        ("/_sim/faults", Faults(state)),
        ("/_sim/ledger/{code}", Ledger()),
    ]
