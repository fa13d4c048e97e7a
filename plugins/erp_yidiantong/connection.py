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


def push_keyring(ctx) -> Keyring:
    """Keys the agent may sign pushes with: ``key_id:secret`` pairs."""
    keys: dict[str, list[str]] = {}
    for pair in settings_of(ctx)["push_secrets"].split(","):
        key_id, _, secret = pair.strip().partition(":")
        if key_id and secret:
            keys.setdefault(key_id, []).append(secret)
    return Keyring(keys)
