"""Pricing: list prices per grade, customer prices (一客一价), quotes.

The unit price of a configured line is the customer's explicit price for the
product and grade if there is one, otherwise the grade's list price times the
customer's discount rate; plus option surcharges at the customer's rate;
rounded half up to the fen. Other plugins (an ERP connector) can answer
first through the ``resolve_price`` hook.
"""

from plugins.pricing.manifest import MANIFEST  # noqa: F401
