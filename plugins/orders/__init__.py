"""Orders: cart, idempotent submission, the order state machine.

Standard orders are confirmed at once (``awaiting_payment``) and take stock;
orders with a non-standard line wait in ``pending_review`` for support.
"""

from plugins.orders.manifest import MANIFEST  # noqa: F401
