"""Hook implementations of the 一点通 connector.

Two halves, each in its own package: ``sync`` (pull feeds, push endpoint,
event application, live price and stock) and ``outbox`` (order import with
retries, back office, demo wiring). This module only joins them.
"""

from __future__ import annotations

import click

from core.plugins import hookimpl
from core.web import NavItem
from plugins.erp_yidiantong import outbox, sync
from plugins.erp_yidiantong.models import MODELS


@hookimpl
def register_models():
    return MODELS


@hookimpl
def register_routes(ctx):
    return [*sync.routes(ctx), *outbox.routes(ctx)]


@hookimpl
def register_template_dirs():
    from pathlib import Path

    return [Path(__file__).parent / "templates"]


@hookimpl
def register_jobs(ctx):
    return [*sync.jobs(ctx), *outbox.jobs(ctx)]


@hookimpl
def register_nav_items(ctx):
    return [
        NavItem(key="erp", label="ERP connector", url="/admin/erp", icon="factory", area="admin", order=70,
                roles=("admin", "support", "finance")),
    ]


@hookimpl
def register_commands(cli):
    from plugins.erp_yidiantong.simulator.cli import erp_sim_command

    @cli.group("erp")
    def erp_group() -> None:
        """The 一点通 ERP connector."""

    sync.register_commands(erp_group)
    outbox.register_commands(erp_group)
    cli.add_command(erp_sim_command, "erp-sim")
    demo = cli.commands.get("demo")
    if demo is not None and not any(p.name == "erp_port" for p in demo.params):
        demo.params.append(
            click.Option(["--erp-port"], type=int, default=None, help="ERP simulator port (default: port + 1).")
        )


@hookimpl
def prepare_demo(ctx, host, port, options):
    return outbox.prepare_demo(ctx, host, port, options)


@hookimpl
def resolve_price(ctx, customer, product, options, qty):
    return sync.resolve_price(ctx, customer, product, options, qty)


@hookimpl
def resolve_stock(ctx, product):
    return sync.resolve_stock(ctx, product)


@hookimpl
def on_order_submitted(ctx, order):
    outbox.enqueue_order_import(ctx, order)


@hookimpl
def on_order_status_changed(ctx, order, old_status, new_status, actor, reason):
    outbox.on_order_status_changed(ctx, order, old_status, new_status, reason)


@hookimpl
def check_order_cancel(ctx, order):
    outbox.check_cancel(ctx, order)


@hookimpl
def extend_order_data(ctx, orders, detail, translate):
    return outbox.order_data(ctx, orders, detail, translate)
