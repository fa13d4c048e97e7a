"""Pull feeds, the push endpoint, event application, live price and stock."""


def routes(ctx):
    return []


def jobs(ctx):
    return []


def register_commands(group):
    return None


def resolve_price(ctx, customer, product, options, qty):
    return None


def resolve_stock(ctx, product):
    return None
