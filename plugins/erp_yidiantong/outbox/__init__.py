"""Order import through the outbox, back office and demo wiring.

A submitted order is written to the outbox in its own transaction
(:func:`enqueue_order_import`); the dispatcher (``dispatcher``) sends it to
the ERP with its idempotency key, once, in order, surviving outages and
crashes; ``order_data`` tells the dealer where the order stands;
``admin`` is ``/admin/erp``; ``demo`` runs ``ydt demo`` through the ERP
simulator.
"""

from plugins.erp_yidiantong.outbox.admin import routes
from plugins.erp_yidiantong.outbox.cli import register_commands
from plugins.erp_yidiantong.outbox.demo import prepare_demo
from plugins.erp_yidiantong.outbox.dispatcher import DispatchReport, dispatch_due
from plugins.erp_yidiantong.outbox.enqueue import enqueue_order_import, on_order_status_changed
from plugins.erp_yidiantong.outbox.gateway_state import is_offline
from plugins.erp_yidiantong.outbox.jobs import jobs
from plugins.erp_yidiantong.outbox.order_view import check_cancel, order_data


def erp_offline(ctx) -> bool:
    """True while the dispatcher considers the ERP offline (for the sync half)."""
    return is_offline()


__all__ = [
    "DispatchReport",
    "check_cancel",
    "dispatch_due",
    "enqueue_order_import",
    "erp_offline",
    "jobs",
    "on_order_status_changed",
    "order_data",
    "prepare_demo",
    "register_commands",
    "routes",
]
