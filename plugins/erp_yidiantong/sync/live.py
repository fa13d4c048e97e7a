"""Live ERP price and stock for the resolver hooks, with short caches and a clear fallback.

Prices — which figure where (DESIGN §3: quote, cart, order, payment, ERP
import and statement show the same figure):

* a single configured line — a quote, a cart line, an order line — is
  priced by the ERP itself (EGP/1 §5.3 ``/prices/quote``, source
  ``erp_live``), cached per (customer, product, options) for
  ``price_cache_seconds``. The order therefore carries exactly the price the
  ERP's import check will compute;
* product lists and the grade table of a product page are priced in bulk
  from the synced price file (the built-in resolver): the pricing plugin
  marks such batch calls by attaching a ``PriceBook`` to the products
  (``PriceBook.attached_to``), and for them this resolver steps aside, so a
  page of 20 products costs no ERP round trip. The synced price file holds
  the ERP's own inputs (explicit prices, list prices, rates, surcharges)
  and the ERP applies the same rule, so both give the same figure; the
  sync keeps them current and clears the live cache when it changes them;
* when the ERP is offline, slow or failing, the built-in price from the
  synced file answers, relabelled ``erp_synced_fallback`` with a breakdown
  line saying so. After a failure the ERP is not asked again for
  :data:`BREAKER_SECONDS`, so a cart of many lines does not wait on a
  timeout per line.

The connector steps aside entirely (returns ``None``) when it has no
gateway URL, for staff browsing without a customer, and for items the ERP
cannot price (unknown dealer or product, discontinued): the built-in price
answers and the ERP's import check has the last word.

Stock (``erp`` mode): ``/stock/query`` for every ``erp``-mode product at
once, cached :data:`STOCK_CACHE_SECONDS`; offline -> ``None`` (the synced
quantity is used).
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from core.money import fen_to_str, round_fen
from plugins.catalog.models import Product
from plugins.catalog.services import grade_group, option_groups_of, values_of
from plugins.erp_yidiantong.connection import is_configured
from plugins.erp_yidiantong.egp.client import EgpClient, EgpError, ErpRejected
from plugins.erp_yidiantong.egp.shapes import is_int
from plugins.inventory.models import StockItem
from plugins.inventory.services import ERP
from plugins.pricing.services import BreakdownItem, PriceResult, builtin_price, rate_text

log = logging.getLogger("ydt.erp.live")
SOURCE_LIVE = "erp_live"
SOURCE_FALLBACK = "erp_synced_fallback"
FALLBACK_NOTE = "ERP unreachable: last synced price"
BREAKER_SECONDS = 15.0
STOCK_CACHE_SECONDS = 15.0
MAX_CACHED = 20_000
STOCK_BATCH = 500
_NOT_PRICED = object()  # cached: the ERP cannot price this item; the built-in answers


class LiveState:
    """Per app: the live client, the caches and the breaker."""

    def __init__(self, ctx) -> None:
        config = ctx.config("erp_yidiantong")
        self.base_url = config["base_url"]
        self.ttl = float(config["price_cache_seconds"])
        self.client = EgpClient(
            config["base_url"],
            config["key_id"],
            config["secret"],
            timeout=float(config["live_timeout_seconds"]),
        )
        self.prices: dict[tuple, tuple[float, Any]] = {}
        self.stock: dict[str, tuple[float, int | None]] = {}
        self.broken_until = 0.0
        self.generation = 0  # moves on each invalidation: a quote asked before it is not cached
        self.lock = threading.Lock()

    def remember(self, key: tuple, value: Any, generation: int) -> None:
        with self.lock:
            if generation != self.generation:
                return
            if len(self.prices) >= MAX_CACHED:
                now = time.monotonic()
                self.prices = {k: v for k, v in self.prices.items() if v[0] > now}
                if len(self.prices) >= MAX_CACHED:
                    self.prices.clear()
            self.prices[key] = (time.monotonic() + self.ttl, value)

    def trip(self, error: Exception) -> None:
        log.warning("ERP live query failed (%s); using synced figures for %.0f s", error, BREAKER_SECONDS)
        self.broken_until = time.monotonic() + BREAKER_SECONDS

    def broken(self) -> bool:
        return time.monotonic() < self.broken_until


_state_lock = threading.Lock()


def live_state(ctx) -> LiveState:
    """This app's live state (rebuilt if the gateway URL changed, as ``ydt demo`` does)."""
    state = getattr(ctx, "_erp_live", None)
    if state is None or state.base_url != ctx.config("erp_yidiantong")["base_url"]:
        with _state_lock:
            state = getattr(ctx, "_erp_live", None)
            if state is None or state.base_url != ctx.config("erp_yidiantong")["base_url"]:
                state = ctx._erp_live = LiveState(ctx)
    return state


def invalidate_price_cache(ctx) -> None:
    """Forget every cached live price of this process (the sync changed prices)."""
    state = getattr(ctx, "_erp_live", None)
    if state is not None:
        with state.lock:
            state.generation += 1
            state.prices.clear()


def in_batch(product: Product) -> bool:
    """True when a batch caller (a product list) attached a PriceBook to the product."""
    return "_price_book" in product.__dict__


# -- prices -----------------------------------------------------------------------------


def resolve_price(
    ctx, customer, product: Product, options: Mapping[str, str], qty: int
) -> PriceResult | None:
    """The ``resolve_price`` hook: the ERP's live price (see the module docstring)."""
    if customer is None or in_batch(product) or not is_configured(ctx):
        return None
    state = live_state(ctx)
    key = (customer.id, product.id, tuple(sorted(options.items())))
    cached = state.prices.get(key)
    if cached is not None and cached[0] > time.monotonic():
        return None if cached[1] is _NOT_PRICED else PriceResult.with_qty(cached[1], qty)
    if state.broken():
        return fallback_price(customer, product, options, qty)
    generation = state.generation
    try:
        answer = state.client.quote_prices(
            customer.code, [{"sku": product.code, "options": dict(options), "qty": 1}]
        )
        result = _result(product, answer)
    except ErpRejected as ex:  # DEALER_UNKNOWN: a dealer the ERP does not know
        log.info("ERP will not price for %s: %s", customer.code, ex.code)
        state.remember(key, _NOT_PRICED, generation)
        return None
    except (EgpError, OSError, ValueError, KeyError, TypeError, InvalidOperation) as ex:
        state.trip(ex)
        return fallback_price(customer, product, options, qty)
    state.remember(key, result if result is not None else _NOT_PRICED, generation)
    return PriceResult.with_qty(result, qty) if result is not None else None


def fallback_price(customer, product: Product, options: Mapping[str, str], qty: int) -> PriceResult | None:
    """The synced price file's answer, marked as the fallback it is."""
    result = builtin_price(customer, product, options, qty)
    if result is None:
        return None
    return dataclasses.replace(
        result,
        source=SOURCE_FALLBACK,
        breakdown=[*result.breakdown, BreakdownItem(FALLBACK_NOTE, 0)],
    )


def _result(product: Product, answer: dict[str, Any]) -> PriceResult | None:
    """A PriceResult (qty 1) from a quote answer; None when the ERP could not price the item."""
    item = answer["items"][0]
    if "error" in item:
        log.info("ERP cannot price %s: %s", product.code, item["error"].get("code"))
        return None
    unit = item["unit_price_fen"]
    if not is_int(unit) or unit < 0:
        raise ValueError(f"unit_price_fen {unit!r}")
    rate = Decimal(item["discount_rate"])
    grade = str(item.get("grade") or "")
    names = _names(product)
    surcharges = [(s["group"], s["value"], int(s["surcharge_fen"])) for s in item.get("surcharges") or []]
    surcharge_total = sum((Decimal(fen) * rate for _, _, fen in surcharges), Decimal(0))
    grade_name = names.get(("grade", grade), "")
    parts: list[tuple[BreakdownItem, Decimal]] = []
    if item.get("source") == "customer_price":
        # unit = round(explicit + surcharges) and the explicit price is whole fen.
        base = Decimal(unit - round_fen(surcharge_total))
        label = (
            BreakdownItem("{grade} (customer price)", 0, {"grade": grade_name})
            if grade_name
            else BreakdownItem("Customer price", 0)
        )
        parts.append((label, base))
    else:
        listed = int(item["list_price_fen"])
        params = {"list_price": fen_to_str(listed), "rate": rate_text(rate)}
        label = "List price {list_price} × {rate}"
        if grade_name:
            params["grade"] = grade_name
            label = "{grade}: list price {list_price} × {rate}"
        parts.append((BreakdownItem(label, 0, params), Decimal(listed) * rate))
    for group, value, fen in surcharges:
        params = {
            "group": names.get(("group", group), group),
            "value": names.get(("value", group, value), value),
            "surcharge": fen_to_str(fen),
        }
        label = "{group}: {value} (surcharge)"
        if rate != 1:
            label = "{group}: {value} (surcharge {surcharge} × {rate})"
            params["rate"] = rate_text(rate)
        parts.append((BreakdownItem(label, 0, params), Decimal(fen) * rate))
    breakdown = [BreakdownItem(i.label, round_fen(exact), i.params) for i, exact in parts]
    difference = unit - sum(i.amount for i in breakdown)
    if difference:
        breakdown.append(BreakdownItem("Rounding", difference))
    version = f"erp:{answer.get('price_list_version', '')}:{item.get('source', '')}"[:64]
    return PriceResult(
        unit_price=unit,
        qty=1,
        line_total=unit,
        source=SOURCE_LIVE,
        version=version,
        breakdown=breakdown,
        grade=grade,
    )


def _names(product: Product) -> dict[tuple, str]:
    """Display names of the product's grade values, groups and values, by code."""
    names: dict[tuple, str] = {}
    zone = grade_group(product)
    for group in option_groups_of(product):
        names[("group", group.code)] = group.name
        for value in values_of(group):
            names[("value", group.code, value.code)] = value.name
            if zone is not None and group.id == zone.id:
                names[("grade", value.code)] = value.name
    return names


# -- stock ------------------------------------------------------------------------------


def resolve_stock(ctx, product: Product) -> int | None:
    """The ``resolve_stock`` hook: live ERP available stock of an ``erp``-mode product."""
    if not is_configured(ctx):
        return None
    state = live_state(ctx)
    cached = state.stock.get(product.code)
    if cached is not None and cached[0] > time.monotonic():
        return cached[1]
    if state.broken():
        return None
    skus = _erp_skus(product.code)
    try:
        answer = state.client.query_stock(skus)
    except (EgpError, OSError) as ex:
        state.trip(ex)
        return None
    expires = time.monotonic() + STOCK_CACHE_SECONDS
    found: dict[str, int | None] = {}
    for item in answer.get("items") or []:
        if isinstance(item, dict) and isinstance(item.get("sku"), str):
            available = item.get("available") if item.get("tracked", True) else None
            found[item["sku"]] = available if is_int(available) and available >= 0 else None
    with state.lock:
        for sku in skus:
            state.stock[sku] = (expires, found.get(sku))
    return found.get(product.code)


def _erp_skus(code: str) -> list[str]:
    """``code`` and other ``erp``-mode products, to refresh their stock in one query."""
    others = (
        Product.select(Product.code)
        .join(StockItem, on=(StockItem.product == Product.id))
        .where((StockItem.mode == ERP) & (Product.code != code))
        .order_by(Product.id)
        .limit(STOCK_BATCH - 1)
    )
    return [code, *[c for (c,) in others.tuples()]]
