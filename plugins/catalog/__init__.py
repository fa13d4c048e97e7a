"""Catalog: categories, products, images and option groups (fabric/leather grades).

Published products are what dealers browse. Each product has option groups:
``grade`` groups are price zones (each value has its own list price, kept by
the pricing plugin) and ``surcharge`` groups add a fixed amount per value.
"""

from plugins.catalog.manifest import MANIFEST  # noqa: F401
