"""The sync streams: which feed each reads, how, and in which order.

``STREAMS`` is the default run, in dependency order (a price needs its
dealer and product, an account its dealer, an assignment its rep). The
event log can also be read per event stream (``orders``, ``production``,
``shipments``, ``ledger``): the same feed filtered, with its own cursor.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from plugins.erp_yidiantong.egp.client import EgpClient
from plugins.erp_yidiantong.sync.feeds.accounts import AccountsFeed
from plugins.erp_yidiantong.sync.feeds.assignments import AssignmentsFeed
from plugins.erp_yidiantong.sync.feeds.base import FeedApplier
from plugins.erp_yidiantong.sync.feeds.catalog import CatalogFeed
from plugins.erp_yidiantong.sync.feeds.categories import CategoriesFeed
from plugins.erp_yidiantong.sync.feeds.customers import CustomersFeed
from plugins.erp_yidiantong.sync.feeds.events import EventsFeed
from plugins.erp_yidiantong.sync.feeds.prices import PricesFeed
from plugins.erp_yidiantong.sync.feeds.stock import StockFeed


@dataclass(frozen=True)
class StreamSpec:
    """One stream: the feed it reads, its applier, page size and event-stream filter."""

    name: str
    feed: str
    applier: Callable[[], FeedApplier]
    page_limit: int | None = None  # None: the feed_page_size setting
    event_streams: tuple[str, ...] = ()


SPECS: dict[str, StreamSpec] = {
    spec.name: spec
    for spec in (
        StreamSpec("categories", "categories", CategoriesFeed),
        # Small pages: a product writes options, prices and stock in the page's transaction.
        StreamSpec("catalog", "catalog", CatalogFeed, page_limit=200),
        StreamSpec("customers", "customers", CustomersFeed),
        StreamSpec("accounts", "accounts", AccountsFeed),
        StreamSpec("rep-assignments", "rep-assignments", AssignmentsFeed),
        # The large feed: the biggest page EGP/1 allows, written in bulk.
        StreamSpec("prices", "prices", PricesFeed, page_limit=5000),
        StreamSpec("stock", "stock", StockFeed),
        StreamSpec("events", "events", EventsFeed),
        StreamSpec("orders", "events", EventsFeed, event_streams=("orders",)),
        StreamSpec("production", "events", EventsFeed, event_streams=("production",)),
        StreamSpec("shipments", "events", EventsFeed, event_streams=("shipments",)),
        StreamSpec("ledger", "events", EventsFeed, event_streams=("ledger",)),
    )
}
STREAMS: tuple[str, ...] = (
    "categories",
    "catalog",
    "customers",
    "accounts",
    "rep-assignments",
    "prices",
    "stock",
    "events",
)
EVENT_STREAMS: tuple[str, ...] = ("orders", "production", "shipments", "ledger")
SELECTABLE_STREAMS: tuple[str, ...] = STREAMS + EVENT_STREAMS


def in_dependency_order(names) -> list[str]:
    """The given stream names, deduplicated, in dependency order; ValueError for unknown ones."""
    unknown = [n for n in names if n not in SPECS]
    if unknown:
        raise ValueError(
            f"unknown stream(s) {', '.join(unknown)}; streams are {', '.join(SELECTABLE_STREAMS)}"
        )
    return [n for n in SELECTABLE_STREAMS if n in set(names)]


def new_client(ctx, timeout: float | None = None) -> EgpClient:
    """A fresh EGP client of the app's gateway (close it when done)."""
    config = ctx.config("erp_yidiantong")
    return EgpClient(
        config["base_url"],
        config["key_id"],
        config["secret"],
        timeout=float(timeout if timeout is not None else config["timeout_seconds"]),
    )
