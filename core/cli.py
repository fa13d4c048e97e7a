"""The ``ydt`` command line (click).

Core commands: ``demo``, ``serve``, ``worker``, ``db upgrade``, ``user add``,
``plugins``, ``jobs run``. Plugins add theirs through ``register_commands``
(``ydt catalog import`` comes from the catalog plugin).
"""

from __future__ import annotations

import logging
import sys
import threading
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import click

from core.settings import load_settings


class CliState:
    """Lazily builds the app the first time a command needs it."""

    def __init__(self, **overrides) -> None:
        self.overrides = overrides
        self._app = None

    def app(self, **extra):
        if self._app is None:
            from core.app import create_app

            self._app = create_app(load_settings(**{**self.overrides, **extra}))
        return self._app


@click.group()
@click.option("--data-dir", envvar="YDT_DATA_DIR", default=None, help="Data directory (default ./var).")
@click.option("-v", "--verbose", is_flag=True, help="Log more.")
@click.pass_context
def main(click_ctx: click.Context, data_dir: str | None, verbose: bool) -> None:
    """YDT dealer ordering platform."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO, format="%(levelname)s %(name)s: %(message)s"
    )
    overrides = {"data_dir": data_dir} if data_dir else {}
    click_ctx.obj = CliState(**overrides)


@main.group()
def db() -> None:
    """Database schema commands."""


@db.command("upgrade")
@click.pass_obj
def db_upgrade(state: CliState) -> None:
    """Create or migrate the schema of every plugin."""
    from core.app import create_app

    app = create_app(load_settings(**state.overrides), upgrade_db=False)
    click.echo(str(app.ctx.upgrade_database()))


@main.group()
def user() -> None:
    """User accounts."""


@user.command("add")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice(["dealer", "rep", "support", "finance", "admin"]))
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--name", "display_name", default="", help="Display name.")
@click.option("--customer", "customer_code", default=None, help="Customer code (dealers).")
@click.pass_obj
def user_add(state: CliState, username, role, password, display_name, customer_code) -> None:
    """Create a user account."""
    from core.auth import create_user
    from core.db import write_transaction
    from core.errors import ApiError
    from core.models import Customer, User

    app = state.app()
    with app.ctx.activate():
        if User.get_or_none(User.username == username):
            raise click.ClickException(f"user {username!r} already exists")
        customer = None
        if customer_code:
            customer = Customer.get_or_none(Customer.code == customer_code)
            if customer is None:
                raise click.ClickException(f"no customer with code {customer_code!r}")
        try:
            with write_transaction():
                created = create_user(username, password, role, display_name=display_name, customer=customer)
        except ApiError as ex:
            raise click.ClickException(f"{ex.message} {ex.details}") from ex
    click.echo(f"created {created.role} {created.username} (id {created.id})")


@main.command("plugins")
@click.pass_obj
def list_plugins(state: CliState) -> None:
    """List plugins in load order with versions, dependencies and hooks."""
    from core.app import load_plugins
    from core.plugins import make_plugin_manager

    settings = load_settings(**state.overrides)
    ordered = load_plugins(settings)
    pm = make_plugin_manager(ordered)
    for plugin in ordered:
        hooks = sorted(hc.name for hc in pm.get_hookcallers(pm.get_plugin(plugin.name)) or [])
        depends = ", ".join(plugin.manifest.depends) or "-"
        click.echo(f"{plugin.name} {plugin.manifest.version}  depends: {depends}")
        click.echo(f"    {plugin.manifest.summary}")
        click.echo(f"    hooks: {', '.join(hooks) or '-'}")
    disabled = settings.disabled_plugins
    if disabled:
        click.echo(f"disabled: {', '.join(disabled)}")


@main.group()
def jobs() -> None:
    """Background jobs."""


@jobs.command("run")
@click.pass_obj
def jobs_run(state: CliState) -> None:
    """Run every periodic job once, now."""
    from core.jobs import run_periodic_jobs_once

    results = run_periodic_jobs_once(state.app().ctx)
    for name, result in results.items():
        click.echo(f"{name}: {result}")
    if any(r != "ok" for r in results.values()):
        sys.exit(1)


@main.command()
@click.option("--workers", default=2, show_default=True, help="Worker threads.")
@click.pass_obj
def worker(state: CliState, workers: int) -> None:
    """Run the background job consumer (periodic jobs, queued tasks)."""
    from core.jobs import get_huey

    huey = get_huey(state.app().ctx)
    # Poll an idle queue at least every second: an order queued for the
    # ERP should not wait the default ten.
    consumer = huey.create_consumer(
        workers=workers,
        worker_type="thread",
        periodic=True,
        check_worker_health=True,
        initial_delay=0.1,
        max_delay=1.0,
    )
    consumer.run()


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    # Phones on a shop floor connect in bursts; the default backlog of 5
    # resets connections when twenty arrive at once.
    request_queue_size = 256


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):
        logging.getLogger("ydt.http").debug(format, *args)


def serve_threaded(app, host: str, port: int):
    """A small threaded WSGI server for the demo (use ``serve`` in production)."""
    server = make_server(host, port, app, server_class=_ThreadingWSGIServer, handler_class=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name=f"http-{port}", daemon=True)
    thread.start()
    return server


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.pass_obj
def demo(state: CliState, host: str, port: int, **options) -> None:
    """Run the demo: demo data, simulators and the server on embedded defaults."""
    from core.demo import run_demo

    run_demo(state, host, port, options)


@main.command()
@click.option("--bind", default="127.0.0.1:8000", show_default=True)
@click.option("--workers", default=4, show_default=True, type=int)
@click.option("--threads", default=1, show_default=True, type=int)
@click.pass_obj
def serve(state: CliState, bind: str, workers: int, threads: int) -> None:
    """Serve the platform with gunicorn."""
    from gunicorn.app.base import BaseApplication

    from core.app import create_app

    # Migrate once in the master, then let each worker build its own app.
    create_app(load_settings(**state.overrides))

    class Server(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", bind)
            self.cfg.set("workers", workers)
            self.cfg.set("threads", threads)
            self.cfg.set("accesslog", "-")

        def load(self):
            return create_app(load_settings(**state.overrides), upgrade_db=False)

    Server().run()


def _register_plugin_commands() -> None:
    """Let plugins add commands; failures to load plugins surface on use."""
    import os

    from core.app import load_plugins
    from core.plugins import PluginError, make_plugin_manager
    from core.settings import Settings, _coerce

    disabled = _coerce("disabled_plugins", os.environ.get("YDT_DISABLED_PLUGINS", ""))
    try:
        ordered = load_plugins(Settings(disabled_plugins=disabled))
    except PluginError as ex:
        click.echo(f"plugin error: {ex}", err=True)
        sys.exit(2)
    pm = make_plugin_manager(ordered)
    pm.hook.register_commands(cli=main)


_register_plugin_commands()
