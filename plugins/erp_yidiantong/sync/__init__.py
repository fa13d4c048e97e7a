"""The sync half of the connector: pull feeds, push endpoint, events, live price and stock.

What the rest of the plugin (and the lead's hooks) call:

* :func:`run_sync` ``(ctx, streams=None, *, full=False, progress=None, images=True) -> list[SyncRun]``
  and :data:`STREAMS` (the default run, in dependency order),
  :data:`SELECTABLE_STREAMS` (also the event sub-streams);
* :func:`acknowledge_import` ``(ctx, order, answer)`` — the ERP accepted an
  order: mark it imported and hand its stock reservation over, once;
* :func:`sync_order_status`, :func:`catch_up_orders`, :func:`apply_pending`,
  :func:`fetch_pending_images`, :func:`invalidate_price_cache`;
* the hook halves: :func:`routes`, :func:`jobs`, :func:`register_commands`,
  :func:`resolve_price`, :func:`resolve_stock`.
"""

from __future__ import annotations

from plugins.erp_yidiantong.sync.cli import register_commands
from plugins.erp_yidiantong.sync.engine import NotConfigured, SyncProgress, run_sync, sync_stream
from plugins.erp_yidiantong.sync.events import apply_pending
from plugins.erp_yidiantong.sync.images import fetch_pending_images
from plugins.erp_yidiantong.sync.jobs import jobs
from plugins.erp_yidiantong.sync.live import invalidate_price_cache, resolve_price, resolve_stock
from plugins.erp_yidiantong.sync.orders import acknowledge_import, catch_up_orders, sync_order_status
from plugins.erp_yidiantong.sync.push import routes
from plugins.erp_yidiantong.sync.streams import SELECTABLE_STREAMS, STREAMS

__all__ = [
    "SELECTABLE_STREAMS",
    "STREAMS",
    "NotConfigured",
    "SyncProgress",
    "acknowledge_import",
    "apply_pending",
    "catch_up_orders",
    "fetch_pending_images",
    "invalidate_price_cache",
    "jobs",
    "register_commands",
    "resolve_price",
    "resolve_stock",
    "routes",
    "run_sync",
    "sync_order_status",
    "sync_stream",
]
