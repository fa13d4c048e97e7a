"""``ydt demo`` with the connector: the demo factory comes from the ERP simulator.

Unless a real gateway is configured (``base_url``), the simulator starts on
``--erp-port`` (default: the platform's port + 1) with its database in
``<data dir>/erp-sim``, loads the demo factory when it is empty, and pushes
its events to the platform. The connector is pointed at it and runs a
sync: a full one on an empty platform, so the catalog, dealers, accounts
and prices dealers see all arrive through EGP/1; an incremental one on
later starts. Product pictures (which the simulator draws, slowly) are
fetched in a background thread while the demo already serves. Factory staff (support, finance, admin) are platform accounts
the ERP does not have: the demo's are created here. On the first start the
first dealer's sample orders are then placed as a dealer would
(``plugins.orders.demo``) and sent through the outbox, so the simulator
holds them too. The platform's own demo loaders are not used (the hook
answers ``True``).
"""

from __future__ import annotations

import logging
import threading

from core.auth import create_user
from core.db import write_transaction
from core.models import STAFF_ROLES, Customer, User
from demodata import build_dataset
from plugins.erp_yidiantong.connection import settings_of, use_gateway
from plugins.orders.demo import load_demo_orders

log = logging.getLogger("ydt.erp.demo")

SERVICE_LABEL = "ERP simulator"


def prepare_demo(ctx, host: str, port: int, options: dict) -> bool:
    """Start the simulator (unless a gateway is configured), sync, place sample orders."""
    from plugins.erp_yidiantong.outbox.dispatcher import dispatch_due
    from plugins.erp_yidiantong.sync import run_sync

    config = settings_of(ctx)
    if config["base_url"]:
        ctx.demo_services.append(("ERP gateway", config["base_url"]))
    else:
        url = start_demo_simulator(ctx, host, port, options.get("erp_port") or port + 1)
        use_gateway(ctx, url)
        ctx.demo_services.append((SERVICE_LABEL, url))
    first_start = not Customer.select().exists()
    # Pictures take the simulator a while to draw: they follow in the background.
    for run in run_sync(ctx, full=first_start, images=False):
        if run.status == "failed":
            log.error("demo: the %s sync failed (%s); the periodic sync tries again", run.stream, run.error)
    dataset = build_dataset()
    create_staff_accounts(dataset)  # each start: a run that stopped half-way left none
    if first_start:
        placed = len(load_demo_orders(ctx, dataset))
        report = dispatch_due(ctx, force_probe=True)
        log.info("demo: %s sample order(s) placed; outbox: %s", placed, report.summary())
    fetch_images_in_background(ctx)
    return True


def start_demo_simulator(ctx, host: str, port: int, erp_port: int) -> str:
    """Serve the simulator beside the platform; returns its base URL."""
    from plugins.erp_yidiantong.simulator.cli import start_simulator

    config = settings_of(ctx)
    app, server, loaded = start_simulator(
        host,
        erp_port,
        ctx.settings.data_dir / "erp-sim",
        platform_url=f"http://{host}:{port}",
        key_id=config["key_id"],
        secret=config["secret"],
        load_demo=True,
    )
    ctx.demo_simulator = (app, server)  # kept for the life of the demo (and for tests to stop it)
    if loaded:
        log.info("demo: loaded the demo factory into the ERP simulator")
    return f"http://{host}:{erp_port}"


def fetch_images_in_background(ctx) -> threading.Thread:
    """Store the product pictures the first sync left pending, while the demo already serves.

    An incremental catalog sync fetches pending pictures under the catalog
    stream's lease, so it never races the worker's periodic sync.
    """
    from plugins.erp_yidiantong.sync import run_sync

    def fetch() -> None:
        with ctx.activate():
            try:
                run_sync(ctx, ["catalog"])
            except Exception:
                log.exception("demo: fetching product pictures failed; the next sync tries again")

    thread = threading.Thread(target=fetch, name="erp-demo-images", daemon=True)
    thread.start()
    return thread


def create_staff_accounts(dataset) -> list[str]:
    """The demo's support, finance and admin logins (password as in the dataset)."""
    created = []
    with write_transaction():
        for account in dataset.accounts:
            if (
                account.role in STAFF_ROLES
                and not User.select().where(User.username == account.username).exists()
            ):
                create_user(
                    account.username, account.password, account.role, display_name=account.display_name
                )
                created.append(account.username)
    return created
