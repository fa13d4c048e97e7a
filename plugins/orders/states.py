"""The order state machine of the API contract.

``pending_review`` (non-standard) -> ``awaiting_payment`` -> ``paid`` ->
``in_production`` -> ``ready`` -> ``partially_shipped`` -> ``shipped`` ->
``received`` -> ``completed``; plus ``rejected`` and ``cancelled``. A
transition not listed here is a 409.
"""

from __future__ import annotations

from enum import StrEnum


class OrderStatus(StrEnum):
    PENDING_REVIEW = "pending_review"
    AWAITING_PAYMENT = "awaiting_payment"
    PAID = "paid"
    IN_PRODUCTION = "in_production"
    READY = "ready"
    PARTIALLY_SHIPPED = "partially_shipped"
    SHIPPED = "shipped"
    RECEIVED = "received"
    COMPLETED = "completed"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


S = OrderStatus
TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    S.PENDING_REVIEW: frozenset({S.AWAITING_PAYMENT, S.REJECTED, S.CANCELLED}),
    S.AWAITING_PAYMENT: frozenset({S.PAID, S.CANCELLED}),
    S.PAID: frozenset({S.IN_PRODUCTION, S.READY, S.CANCELLED}),
    S.IN_PRODUCTION: frozenset({S.READY}),
    S.READY: frozenset({S.PARTIALLY_SHIPPED, S.SHIPPED}),
    S.PARTIALLY_SHIPPED: frozenset({S.SHIPPED}),
    S.SHIPPED: frozenset({S.RECEIVED}),
    S.RECEIVED: frozenset({S.COMPLETED}),
    S.COMPLETED: frozenset(),
    S.REJECTED: frozenset(),
    S.CANCELLED: frozenset(),
}

# Statuses a dealer may still cancel from (production has not started).
CANCELLABLE = frozenset({S.PENDING_REVIEW, S.AWAITING_PAYMENT, S.PAID})
OPEN = frozenset(TRANSITIONS) - {S.COMPLETED, S.REJECTED, S.CANCELLED}

LABELS = {
    S.PENDING_REVIEW: "Pending review",
    S.AWAITING_PAYMENT: "Awaiting payment",
    S.PAID: "Paid",
    S.IN_PRODUCTION: "In production",
    S.READY: "Ready",
    S.PARTIALLY_SHIPPED: "Partially shipped",
    S.SHIPPED: "Shipped",
    S.RECEIVED: "Received",
    S.COMPLETED: "Completed",
    S.REJECTED: "Rejected",
    S.CANCELLED: "Cancelled",
}


def can_move(current: str, target: str) -> bool:
    """True when the state machine allows ``current`` -> ``target``."""
    return OrderStatus(target) in TRANSITIONS[OrderStatus(current)]


# Order and line kinds: a line is non-standard when it carries a custom
# request or its product is custom-only; one such line makes the order
# non-standard (it waits in ``pending_review`` and reserves no stock).
STANDARD = "standard"
NONSTANDARD = "nonstandard"

# Reason codes recorded with a status change (OrderEvent.reason).
REASON_SUBMITTED = "submitted"
REASON_CUSTOMER_CANCELLED = "customer_cancelled"
REASON_PAYMENT_TIMEOUT = "payment_timeout"

REASON_LABELS = {
    REASON_SUBMITTED: "Order submitted",
    REASON_CUSTOMER_CANCELLED: "Cancelled by the customer",
    REASON_PAYMENT_TIMEOUT: "Not paid in time: cancelled automatically and the stock released",
    "erp_progress": "Production progress from the factory (ERP)",
}

# The dealer's order list tabs: key, label, statuses (empty = all). A key
# equal to a status means exactly that status.
TABS: tuple[tuple[str, str, tuple[OrderStatus, ...]], ...] = (
    ("all", "All", ()),
    ("pending_review", "To review", (S.PENDING_REVIEW,)),
    ("awaiting_payment", "To pay", (S.AWAITING_PAYMENT,)),
    ("paid", "Paid", (S.PAID,)),
    ("production", "In production", (S.IN_PRODUCTION, S.READY)),
    ("shipping", "To receive", (S.PARTIALLY_SHIPPED, S.SHIPPED)),
    ("done", "Completed", (S.RECEIVED, S.COMPLETED)),
    ("closed", "Closed", (S.CANCELLED, S.REJECTED)),
)
