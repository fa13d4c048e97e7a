"""Inventory: stock modes (unlimited, quota, erp) and atomic deduction.

Deduction is one conditional UPDATE per product, all or nothing for an
order, so stock never goes negative under any concurrency.
"""

from plugins.inventory.manifest import MANIFEST  # noqa: F401
