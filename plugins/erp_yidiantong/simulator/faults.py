"""Scriptable trouble: offline, slow answers, 5xx, lost answers, clock skew, odd pushes.

The state lives in the process (a restart heals everything), behind a lock
because the threaded server and the pusher read it concurrently.
"""

from __future__ import annotations

import random
import threading
from dataclasses import asdict, dataclass
from typing import Any


@dataclass
class FaultSettings:
    delay_ms: int = 0  # every gateway answer waits this long
    error_rate_5xx: float = 0.0  # share of gateway requests answered 500 before any work
    fail_next: int = 0  # the next N gateway requests answer 500 before any work
    drop_after_commit_next: int = 0  # the next N gateway writes are done, then answered 500
    clock_skew_s: int = 0  # added to the clock the simulator signs its pushes with
    push_duplicates: bool = False  # every push batch is sent twice
    push_reverse: bool = False  # every push batch is sent in reverse order
    push_paused: bool = False  # nothing is pushed (events still queue)


class Faults:
    """Thread-safe fault switches and the online flag."""

    def __init__(self, rng: random.Random | None = None) -> None:
        self._lock = threading.Lock()
        self._settings = FaultSettings()
        self._online = True
        self._rng = rng or random.Random()

    @property
    def online(self) -> bool:
        return self._online

    def set_online(self, online: bool) -> None:
        with self._lock:
            self._online = online

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return asdict(self._settings)

    def update(self, changes: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            for name, value in changes.items():
                if name == "error_rate_5xx":
                    value = float(value)
                setattr(self._settings, name, value)
            return asdict(self._settings)

    def reset(self) -> dict[str, Any]:
        with self._lock:
            self._settings = FaultSettings()
            return asdict(self._settings)

    def get(self, name: str) -> Any:
        with self._lock:
            return getattr(self._settings, name)

    def should_fail_now(self) -> bool:
        """Consume one ``fail_next`` or roll ``error_rate_5xx``."""
        with self._lock:
            if self._settings.fail_next > 0:
                self._settings.fail_next -= 1
                return True
            return self._settings.error_rate_5xx > 0 and self._rng.random() < self._settings.error_rate_5xx

    def should_drop_answer(self) -> bool:
        """Consume one ``drop_after_commit_next``."""
        with self._lock:
            if self._settings.drop_after_commit_next > 0:
                self._settings.drop_after_commit_next -= 1
                return True
            return False
