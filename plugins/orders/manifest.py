from core.plugins import Manifest, Setting

MANIFEST = Manifest(
    name="orders",
    version="0.1.0",
    summary="Cart, idempotent order submission, order state machine",
    depends=("pricing", "inventory"),
    settings={
        "payment_timeout_minutes": Setting(
            24 * 60, "Unpaid standard orders are cancelled and their stock released after this", int
        ),
        "max_cart_lines": Setting(100, "Most lines a cart or an order may have", int),
        "max_line_qty": Setting(9999, "Largest quantity of one line", int),
    },
)
