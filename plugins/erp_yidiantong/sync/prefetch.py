"""Reading a feed a page or two ahead, in a thread, while the last page is applied.

Fetching (HTTP, the agent's query, JSON parsing) and applying (the
database) then overlap instead of taking turns. Errors of the fetching
thread are raised where the consumer reads the page that failed.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator, Sequence

from plugins.erp_yidiantong.egp.client import EgpClient
from plugins.erp_yidiantong.egp.shapes import Page


class Prefetcher:
    """Iterate the pages of ``feed`` from ``cursor`` until ``has_more`` is false."""

    def __init__(
        self,
        client: EgpClient,
        feed: str,
        cursor: str | None,
        limit: int,
        *,
        streams: Sequence[str] = (),
        depth: int = 2,
    ) -> None:
        self.client = client
        self.feed = feed
        self.cursor = cursor
        self.limit = limit
        self.streams = list(streams) or None
        self._queue: queue.Queue = queue.Queue(maxsize=depth)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"erp-feed-{feed}", daemon=True)

    def __enter__(self) -> Prefetcher:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _put(self, item) -> None:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.2)
                return
            except queue.Full:
                continue

    def _run(self) -> None:
        cursor = self.cursor
        try:
            while not self._stop.is_set():
                page = self.client.feed(self.feed, cursor, self.limit, streams=self.streams)
                self._put(("page", page))
                if not page.has_more:
                    break
                cursor = page.next_cursor
        except Exception as ex:  # handed to the consumer, raised there
            self._put(("error", ex))
        finally:
            self._put(("end", None))

    def next(self) -> Page | None:
        """The next page (waiting for it), or None after the last; raises the fetch's error."""
        kind, value = self._queue.get()
        if kind == "page":
            return value
        if kind == "error":
            raise value
        self._put(("end", None))  # keep answering None
        return None

    def ready(self) -> bool:
        """True when the next page (or the end, or an error) is already here."""
        return not self._queue.empty()

    def __iter__(self) -> Iterator[Page]:
        while (page := self.next()) is not None:
            yield page

    def close(self) -> None:
        """Stop fetching (pages not read yet are dropped)."""
        self._stop.set()
        while True:
            try:
                self._queue.get_nowait()
            except queue.Empty:
                break
        if self._thread.is_alive():
            self._thread.join(timeout=self.client.timeout + 1)
