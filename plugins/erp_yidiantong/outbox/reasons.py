"""What the dealer and the staff read about an order's way into the ERP.

English message ids, translated by the caller's ``_``: the import status
labels, and a sentence per ERP rejection code naming the lines at fault.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from core.money import fen_to_str

Translate = Callable[..., str]

# Cancel reason of a platform order the ERP refused (OrderEvent.reason).
REASON_ERP_REJECTED = "erp_rejected"
# The staff note on an import that was cancelled before it was ever sent.
WITHDRAWN_NOTE = "order cancelled on the platform before it was sent; not sent"

STATUS_LABELS = {
    "queued": "Waiting for the factory to accept",
    "imported": "Accepted by the factory",
    "rejected": "Not accepted by the factory",
    # A dead letter waits for staff: the dealer is told it is being handled.
    "dead": "Held up on the way to the factory",
    "withdrawn": "Cancelled before it reached the factory",
    "cancelling": "Cancellation on its way to the factory",
    "cancelled": "Cancelled at the factory too",
    "cancel_refused": "The factory could not cancel it",
    "cancel_failed": "The cancellation has not reached the factory",
}

REJECTION_MESSAGES = {
    "SKU_UNKNOWN": "The factory does not make {skus}. Please order another product.",
    "DISCONTINUED": "{skus} can no longer be ordered from the factory.",
    "OPTION_UNKNOWN": "A chosen configuration of {skus} is no longer offered by the factory.",
    "PRICE_MISMATCH": "The factory's price of {skus} has changed. Please order again at the new price.",
    "CREDIT_LIMIT": "Your credit with the factory is not enough for this order (available {available}).",
    "DEALER_UNKNOWN": "Your dealer account is not active at the factory. Please contact your sales rep.",
}
GENERIC_REJECTION = "The factory could not accept this order ({code})."


def _skus(details: Mapping[str, Any]) -> str:
    lines = details.get("lines") or []
    skus = [str(line.get("sku")) for line in lines if isinstance(line, Mapping) and line.get("sku")]
    return "、".join(dict.fromkeys(skus)) or "—"


def rejection_text(code: str, details: Mapping[str, Any], _: Translate) -> str:
    """One sentence for the dealer: why the ERP refused the order."""
    msgid = REJECTION_MESSAGES.get(code)
    if msgid is None:
        return _(GENERIC_REJECTION, code=code)
    available = details.get("available_fen")
    return _(
        msgid,
        skus=_skus(details),
        available=fen_to_str(available) if isinstance(available, int) else "—",
    )
