"""The JSON text of one price-feed item, kept on the row itself.

The dealer price file is the one feed with 100,000+ rows; storing each
row's finished item text (written whenever the row is) lets a page be
served as ``SELECT item_json ... LIMIT n`` and one join, about three times
faster than building items from columns. :func:`price_item_json` is the
only place that shape is written.
"""

from __future__ import annotations

import datetime as dt
from json.encoder import encode_basestring

from plugins.erp_yidiantong.simulator.db import to_rfc3339


def price_item_json(
    *,
    customer_code: str,
    sku: str,
    grade: str,
    unit_price_fen: int,
    price_list_version: str,
    version: int,
    updated_at: dt.datetime,
    deleted: bool,
) -> str:
    """``{"customer_code", "sku", "grade", "unit_price_fen"?, "price_list_version",
    "version", "updated_at", "deleted"}`` as compact JSON (no price in a tombstone)."""
    text = encode_basestring
    head = f'{{"customer_code":{text(customer_code)},"sku":{text(sku)},"grade":{text(grade)},'
    price = "" if deleted else f'"unit_price_fen":{int(unit_price_fen)},'
    tail = (
        f'"price_list_version":{text(price_list_version)},"version":{int(version)},'
        f'"updated_at":"{to_rfc3339(updated_at)}","deleted":{"true" if deleted else "false"}}}'
    )
    return head + price + tail
