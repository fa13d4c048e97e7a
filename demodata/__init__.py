"""Demo factory dataset (categories, products, dealers, prices, accounts).

Self-contained: pure Python plus Pillow for the illustrations; it imports
nothing from ``core`` or ``plugins``.  Typical use::

    from demodata import build_dataset, render_product_image

    ds = build_dataset()
    s801 = ds.product("S-801")
    jpeg = render_product_image(s801, 0)
"""

from demodata.dataset import (
    DEMO_PASSWORD,
    Account,
    Category,
    Customer,
    CustomerPrice,
    Dataset,
    OptionGroup,
    OptionValue,
    Product,
    RepAssignment,
    build_dataset,
)
from demodata.images import image_index, render_product_image

__all__ = [
    "DEMO_PASSWORD",
    "Account",
    "Category",
    "Customer",
    "CustomerPrice",
    "Dataset",
    "OptionGroup",
    "OptionValue",
    "Product",
    "RepAssignment",
    "build_dataset",
    "image_index",
    "render_product_image",
]
