"""``ydt erp-sim``: run the ERP simulator alone on its own port."""

from __future__ import annotations

import os
import time
from pathlib import Path

import click

from plugins.erp_yidiantong.egp.shapes import PUSH_PATH
from plugins.erp_yidiantong.simulator.app import DEMO_KEY_ID, DEMO_SECRET, SimulatorApp, make_simulator_app
from plugins.erp_yidiantong.simulator.loader import load_dataset


def push_url(platform_url: str | None) -> str | None:
    """The platform's push endpoint for a platform base URL (``http://host:port``)."""
    return f"{platform_url.rstrip('/')}{PUSH_PATH}" if platform_url else None


def start_simulator(
    host: str,
    port: int,
    data_dir: str | Path,
    *,
    platform_url: str | None = None,
    key_id: str = DEMO_KEY_ID,
    secret: str = DEMO_SECRET,
    load_demo: bool = True,
):
    """Build the simulator, load the demo factory when empty, serve it in a thread.

    Returns ``(app, server, loaded)``; stop with ``server.shutdown()`` and
    ``app.close()``. ``ydt demo`` uses this to run it beside the platform.
    """
    from core.cli import serve_threaded

    app: SimulatorApp = make_simulator_app(
        data_dir, platform_push_url=push_url(platform_url), key_id=key_id, secret=secret
    )
    loaded = load_dataset(app) if load_demo else False
    server = serve_threaded(app, host, port)
    return app, server, loaded


@click.command("erp-sim")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8001, show_default=True, type=int)
@click.option(
    "--data-dir",
    "data_dir",
    default=None,
    help="Simulator data directory (default: $YDT_DATA_DIR/erp-sim or ./var/erp-sim).",
)
@click.option(
    "--platform-url", default=None, help="Platform base URL to push events to, e.g. http://127.0.0.1:8000."
)
@click.option("--key-id", default=DEMO_KEY_ID, show_default=True, envvar="YDT_ERP_KEY_ID")
@click.option(
    "--secret", default=DEMO_SECRET, envvar="YDT_ERP_SECRET", help="Signing secret (default: the demo's)."
)
@click.option("--no-demo-data", is_flag=True, help="Start empty instead of loading the demo factory.")
def erp_sim_command(host, port, data_dir, platform_url, key_id, secret, no_demo_data) -> None:
    """Run the 一点通 ERP simulator (EGP/1 gateway + /_sim control API)."""
    if data_dir is None:
        data_dir = Path(os.environ.get("YDT_DATA_DIR") or "var") / "erp-sim"
    app, server, loaded = start_simulator(
        host,
        port,
        data_dir,
        platform_url=platform_url,
        key_id=key_id,
        secret=secret,
        load_demo=not no_demo_data,
    )
    try:  # from here on, Ctrl-C (even during the prints) stops the server and closes the app
        click.echo(f"data dir: {Path(data_dir).resolve()}")
        if loaded:
            click.echo("loaded the demo factory into the ERP")
        click.echo(f"  ERP simulator at http://{host}:{port}/egp/v1/health (key id {key_id})")
        click.echo(f"  control API: http://{host}:{port}/_sim/status")
        if platform_url:
            click.echo(f"  pushing events to {push_url(platform_url)}")
        click.echo("  press Ctrl-C to stop")
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        click.echo("stopping")
    finally:
        server.shutdown()
        app.close()
