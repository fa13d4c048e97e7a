"""Effects of applied ERP data that must wait for the commit.

Stock notifications (``on_stock_changed``) and dropping this process's
live-price cache are done once the transaction that changed the data has
committed, never from inside it.
"""

from __future__ import annotations

from plugins.erp_yidiantong.sync.report import RunReport


def carry_out(ctx, report: RunReport) -> None:
    """Notify stock changes and drop cached live prices, then forget them."""
    from plugins.erp_yidiantong.sync.live import invalidate_price_cache
    from plugins.inventory.services import notify_stock_changed

    if report.stock_changes:
        changes, report.stock_changes = report.stock_changes, {}
        notify_stock_changed(ctx, changes)
    if report.prices_changed:
        report.prices_changed = False
        invalidate_price_cache(ctx)
