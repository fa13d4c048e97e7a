"""Pushes new events to the platform from a background thread, in feed order.

At-least-once: a batch (up to 100 pending events, oldest first) is marked
pushed only after the platform's 2xx; a failed batch is retried with
exponential backoff and jitter (0.5 s doubling to 60 s, × 0.5-1.0) and
nothing behind it is sent first. A batch the platform refuses outright (a
4xx other than 401/408/429) is marked ``rejected`` so it cannot block the
queue; every event stays in the pull feed either way. Nothing is pushed
while the ERP is offline or pushes are paused.
"""

from __future__ import annotations

import json
import logging
import random
import threading
import time
from collections.abc import Callable
from typing import Any

import peewee

from plugins.erp_yidiantong.egp.push import PushFailed, Transport, push_events
from plugins.erp_yidiantong.egp.shapes import PUSH_BATCH_MAX
from plugins.erp_yidiantong.simulator.db import now_utc, to_rfc3339, use_sim_database
from plugins.erp_yidiantong.simulator.faults import Faults
from plugins.erp_yidiantong.simulator.models import SimEvent
from plugins.erp_yidiantong.simulator.store import write_tx

log = logging.getLogger("ydt.erp_sim.push")
IDLE_WAIT_S = 1.0
BACKOFF_FIRST_S = 0.5
BACKOFF_MAX_S = 60.0


class Pusher:
    """The push loop of one simulator (start with :meth:`start`)."""

    def __init__(
        self,
        db: peewee.Database,
        url: str,
        key_id: str,
        secret: str,
        faults: Faults,
        *,
        clock: Callable[[], float] = time.time,
        transport: Transport | None = None,
        timeout: float = 10.0,
    ) -> None:
        self.db = db
        self.url = url
        self.key_id = key_id
        self.secret = secret
        self.faults = faults
        self.clock = clock
        self.transport = transport
        self.timeout = timeout
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.failures_in_row = 0
        self.stats: dict[str, Any] = {
            "batches": 0,
            "events": 0,
            "attempts": 0,
            "failures": 0,
            "rejected": 0,
            "last_error": "",
            "last_push_at": None,
        }

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="erp-sim-pusher", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        """Look for new events now instead of at the next idle tick."""
        self._wake.set()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {"url": self.url, **self.stats}

    def _run(self) -> None:
        delay = 0.0
        while not self._stop.is_set():
            self._wake.wait(delay or IDLE_WAIT_S)
            self._wake.clear()
            if self._stop.is_set():
                return
            if not self.faults.online or self.faults.get("push_paused"):
                delay = IDLE_WAIT_S
                continue
            try:
                with use_sim_database(self.db):
                    sent = self.push_once()
            except PushFailed as ex:
                self.failures_in_row += 1
                delay = min(BACKOFF_MAX_S, BACKOFF_FIRST_S * 2 ** (self.failures_in_row - 1))
                delay *= random.uniform(0.5, 1.0)
                log.info("push failed (%s); next try in %.1f s", ex, delay)
                continue
            except Exception:  # a database hiccup must not kill the loop
                log.exception("push loop error")
                delay = BACKOFF_MAX_S / 4
                continue
            self.failures_in_row = 0
            delay = 0.01 if sent else IDLE_WAIT_S

    def push_once(self) -> int:
        """Send the oldest pending batch; return how many events it held (0: none)."""
        rows = list(
            SimEvent.select(SimEvent.id, SimEvent.envelope)
            .where(SimEvent.push_state == "pending")
            .order_by(SimEvent.id)
            .limit(PUSH_BATCH_MAX)
            .tuples()
        )
        if not rows:
            return 0
        parsed = [json.loads(envelope) for _, envelope in rows]
        envelopes = list(reversed(parsed)) if self.faults.get("push_reverse") else parsed
        sends = 2 if self.faults.get("push_duplicates") else 1
        rejected_ids: set[str] = set()
        for _ in range(sends):
            with self._lock:
                self.stats["attempts"] += 1
            try:
                result = push_events(
                    self.url,
                    self.key_id,
                    self.secret,
                    envelopes,
                    timeout=self.timeout,
                    now=self.clock() + self.faults.get("clock_skew_s"),
                    transport=self.transport,
                )
            except PushFailed as ex:
                with self._lock:
                    self.stats["failures"] += 1
                    self.stats["last_error"] = str(ex)
                if ex.retryable:
                    raise
                self._mark([row_id for row_id, _ in rows], "rejected")
                with self._lock:
                    self.stats["rejected"] += len(rows)
                return len(rows)
            for item in result.results or []:
                if isinstance(item, dict) and item.get("status") == "rejected":
                    rejected_ids.add(str(item.get("id")))
        rejected = [
            row_id
            for (row_id, _), env in zip(rows, parsed, strict=True)
            if str(env.get("id")) in rejected_ids
        ]
        pushed = [row_id for row_id, _ in rows if row_id not in set(rejected)]
        self._mark(pushed, "pushed")
        self._mark(rejected, "rejected")
        with self._lock:
            self.stats["batches"] += 1
            self.stats["events"] += len(pushed)
            self.stats["rejected"] += len(rejected)
            self.stats["last_push_at"] = to_rfc3339(now_utc())
        return len(rows)

    def _mark(self, positions: list[int], state: str) -> None:
        if not positions:
            return
        with write_tx():
            SimEvent.update(push_state=state, pushed_at=now_utc()).where(
                SimEvent.id.in_(positions)
            ).execute()
