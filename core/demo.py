"""``ydt demo``: a furniture factory on the embedded defaults, one command.

On an empty database it loads the demo factory (``demodata``) through the
``register_demo_data`` hook of every plugin, then serves the platform with a
small threaded server and runs the background jobs in-process.
"""

from __future__ import annotations

import logging

import click

from core.models import Customer

log = logging.getLogger("ydt.demo")

DEMO_ACCOUNTS = [
    ("dealer1", "dealer"),
    ("dealer2", "dealer"),
    ("rep1", "rep"),
    ("support1", "support"),
    ("finance1", "finance"),
    ("admin", "admin"),
]


def load_demo_data(ctx) -> bool:
    """Load the demo factory unless the database already has customers."""
    from demodata import build_dataset

    with ctx.activate():
        if Customer.select().exists():
            return False
        dataset = build_dataset()
        with ctx.db.atomic():
            for plugin in ctx.plugins:
                loader = getattr(plugin.hooks, "register_demo_data", None)
                if loader is not None:
                    loader(ctx=ctx, dataset=dataset)
        return True


def run_demo(state, host: str, port: int, options: dict | None = None) -> None:
    from core.cli import serve_threaded
    from core.jobs import get_huey

    app = state.app(demo=True, base_url=f"http://{host}:{port}")
    ctx = app.ctx
    click.echo(f"data dir: {ctx.settings.data_dir.resolve()}")
    ctx.demo_services = []
    with ctx.activate():
        loaded_by_plugin = ctx.pm.hook.prepare_demo(ctx=ctx, host=host, port=port, options=options or {})
    if loaded_by_plugin:
        click.echo("the demo factory came through " + ", ".join(label for label, _ in ctx.demo_services))
    elif load_demo_data(ctx):
        click.echo("loaded the demo factory")
    huey = get_huey(ctx)
    consumer = huey.create_consumer(
        workers=2, worker_type="thread", periodic=True, initial_delay=0.1, max_delay=1.0
    )
    server = serve_threaded(app, host, port)
    click.echo("")
    click.echo(f"  YDT demo running at http://{host}:{port}/   (back office: http://{host}:{port}/admin)")
    click.echo(f"  API: http://{host}:{port}/api/v1/openapi.json")
    for label, url in ctx.demo_services:
        click.echo(f"  {label}: {url}")
    click.echo("  accounts (password demo1234): " + ", ".join(f"{u} ({r})" for u, r in DEMO_ACCOUNTS))
    click.echo("  press Ctrl-C to stop")
    try:
        # The job consumer owns the main thread: it handles SIGINT/SIGTERM
        # and returns once its workers have stopped.
        consumer.run()
    finally:
        click.echo("stopping")
        server.shutdown()
