"""``ydt erp outbox`` and ``ydt erp dispatch``: the outbox by hand.

``ydt erp outbox`` prints the counts, the ERP's state, the oldest waiting
row and the dead letters; ``--retry ID`` / ``--retry-dead`` put dead letters
back in line. ``ydt erp dispatch`` sends everything due now, in this
process (it asks the ERP's health at once if it was offline), and exits
non-zero when rows died or the ERP is still offline.
"""

from __future__ import annotations

import sys

import click

from core.errors import ApiError


def register_commands(group: click.Group) -> None:
    group.add_command(outbox_command)
    group.add_command(dispatch_command)


@click.command("outbox")
@click.option("--retry", "retry_id", type=int, default=None, help="Retry this dead letter (outbox id).")
@click.option("--retry-dead", is_flag=True, help="Retry every dead letter.")
@click.pass_obj
def outbox_command(state, retry_id: int | None, retry_dead: bool) -> None:
    """Show the order-import outbox; retry dead letters."""
    from plugins.erp_yidiantong.outbox.status import connector_status, retry_message
    from plugins.erp_yidiantong.outbox.status import retry_dead as retry_all

    ctx = state.app().ctx
    with ctx.activate():
        if retry_id is not None:
            try:
                message = retry_message(ctx, retry_id)
            except ApiError as ex:
                raise click.ClickException(ctx.translator.gettext("en", ex.message, **ex.params)) from ex
            click.echo(f"outbox {message.id} ({message.aggregate}) retried; now {message.status}")
        if retry_dead:
            ids = retry_all(ctx)
            click.echo(
                f"retrying {len(ids)} dead letter(s)" + (f": {', '.join(map(str, ids))}" if ids else "")
            )
        _print_status(connector_status(ctx))


def _print_status(status: dict) -> None:
    erp = status["erp"]
    if not status["configured"]:
        click.echo("connector idle: no base_url configured")
    else:
        state = "online" if erp["online"] else f"OFFLINE since {erp['offline_since']} ({erp['last_error']})"
        click.echo(f"ERP {status['base_url']}: {state}")
    counts = status["outbox"]["counts"]
    click.echo(
        "outbox: " + ", ".join(f"{name} {counts[name]}" for name in ("pending", "in_flight", "done", "dead"))
    )
    oldest = status["outbox"]["oldest_pending"]
    if oldest:
        click.echo(
            f"oldest waiting: #{oldest['id']} {oldest['aggregate']} since {oldest['created_at']} "
            f"({oldest['age_seconds']} s, {oldest['attempts']} attempt(s)) {oldest['last_error']}".rstrip()
        )
    if status["dead_letters"]:
        click.echo("dead letters:")
        for message in status["dead_letters"]:
            click.echo(
                f"  #{message['id']:<6} {message['aggregate']:<18} attempts {message['attempts']:<3} "
                f"{message['last_error']}"
            )


@click.command("dispatch")
@click.option("--limit", type=int, default=None, help="Send at most this many rows.")
@click.pass_obj
def dispatch_command(state, limit: int | None) -> None:
    """Send every due outbox row now, in order, in this process."""
    from plugins.erp_yidiantong.connection import is_configured
    from plugins.erp_yidiantong.outbox.dispatcher import dispatch_due

    ctx = state.app().ctx
    with ctx.activate():
        if not is_configured(ctx):
            raise click.ClickException("the connector has no base_url; nothing to send to")
        report = dispatch_due(ctx, limit=limit, force_probe=True)
    click.echo(report.summary())
    for error in report.errors:
        click.echo(f"  {error}", err=True)
    if report.dead or report.offline or report.busy:
        sys.exit(1)
