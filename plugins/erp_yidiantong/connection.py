"""The connector's EGP client, built from the plugin settings.

One client per app (it keeps HTTP connections alive per thread). The
connector is idle when ``base_url`` is empty.
"""

from __future__ import annotations

from plugins.erp_yidiantong.egp.client import EgpClient
from plugins.erp_yidiantong.egp.signing import Keyring


def settings_of(ctx) -> dict:
    return ctx.config("erp_yidiantong")


def is_configured(ctx) -> bool:
    return bool(settings_of(ctx)["base_url"])


def client_for(ctx) -> EgpClient | None:
    """The app's EGP client, or ``None`` when no gateway is configured."""
    if not is_configured(ctx):
        return None
    client = getattr(ctx, "_egp_client", None)
    if client is None:
        config = settings_of(ctx)
        client = EgpClient(
            config["base_url"], config["key_id"], config["secret"], timeout=float(config["timeout_seconds"])
        )
        ctx._egp_client = client
    return client


def use_gateway(ctx, base_url: str) -> None:
    """Point this app's connector at ``base_url`` from now on.

    For a gateway found after the settings were read (``ydt demo`` starts
    the simulator on a port it picks): the app's resolved plugin settings
    get the new URL and the cached client is dropped.
    """
    ctx.plugin_config["erp_yidiantong"] = {**settings_of(ctx), "base_url": base_url}
    client = getattr(ctx, "_egp_client", None)
    ctx._egp_client = None
    if client is not None:
        client.close()


def push_keyring(ctx) -> Keyring:
    """Keys the agent may sign pushes with: ``key_id:secret`` pairs."""
    keys: dict[str, list[str]] = {}
    for pair in settings_of(ctx)["push_secrets"].split(","):
        key_id, _, secret = pair.strip().partition(":")
        if key_id and secret:
            keys.setdefault(key_id, []).append(secret)
    return Keyring(keys)
