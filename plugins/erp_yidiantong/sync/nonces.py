"""Replay protection for signed pushes, shared by every process through the database.

EGP/1 §3.3 step 5: a (key id, nonce) pair is accepted once in 600 s. The
unique index of :class:`SeenNonce` makes "first time" atomic across web
workers; an expired row is taken over by a conditional UPDATE. Expired rows
are purged now and then.
"""

from __future__ import annotations

import time

import peewee

from core.db import current_database, write_transaction
from plugins.erp_yidiantong.models import SeenNonce

PURGE_EVERY_S = 60.0


class DatabaseNonceStore:
    """A ``signing.NonceStore`` over the ``seen_nonce`` table."""

    def __init__(self) -> None:
        self._next_purge = 0.0

    def add(self, key_id: str, nonce: str, expires_at: float) -> bool:
        now = int(time.time())
        with write_transaction():
            if time.monotonic() >= self._next_purge:
                self._next_purge = time.monotonic() + PURGE_EVERY_S
                SeenNonce.delete().where(SeenNonce.expires_at <= now).execute()
            try:
                with current_database().atomic():
                    SeenNonce.insert(key_id=key_id, nonce=nonce, expires_at=int(expires_at)).execute()
                return True
            except peewee.IntegrityError:
                taken_over = (
                    SeenNonce.update(expires_at=int(expires_at))
                    .where(
                        (SeenNonce.key_id == key_id)
                        & (SeenNonce.nonce == nonce)
                        & (SeenNonce.expires_at <= now)
                    )
                    .execute()
                )
                return bool(taken_over)
