"""Order import through the outbox, back office and demo wiring."""


def routes(ctx):
    return []


def jobs(ctx):
    return []


def register_commands(group):
    return None


def prepare_demo(ctx, host, port, options):
    return None


def enqueue_order_import(ctx, order):
    return None


def order_data(ctx, orders, detail, translate):
    return {}
