"""Reading a feed one page ahead: the next page is asked for before this one is applied.

While the platform applies page N (its checks, the database), the agent is
already preparing page N+1 in its own process; the platform then only reads
the answer. No thread is involved: a thread fetching beside the applying
one fights it for the GIL (parsing JSON needs it too), and SQLite, which
gives the GIL up and takes it back around each statement it steps, measured
slower beside such a thread than without it.

Errors of a read are raised where the consumer asks for the page that
failed.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from plugins.erp_yidiantong.egp.client import EgpClient, EgpError, PendingRequest
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
    ) -> None:
        self.client = client
        self.feed = feed
        self.cursor = cursor
        self.limit = limit
        self.streams = list(streams) or None
        self._pending: PendingRequest | None = None
        self._error: EgpError | None = None
        self._done = False

    def __enter__(self) -> Prefetcher:
        self._ask(self.cursor)
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _ask(self, cursor: str | None) -> None:
        try:
            self._pending = self.client.start_feed(self.feed, cursor, self.limit, streams=self.streams)
        except EgpError as ex:  # nothing could be sent: raised when that page is asked for
            self._error = ex

    def next(self) -> Page | None:
        """The next page (waiting for it), or None after the last; raises the read's error.

        Before returning a page that has more after it, asks for the next one.
        """
        if self._error is not None:
            raise self._error
        if self._done or self._pending is None:
            return None
        pending, self._pending = self._pending, None
        page = self.client.parse_page(pending.result())
        if page.has_more:
            self._ask(page.next_cursor)
        else:
            self._done = True
        return page

    def ready(self) -> bool:
        """True when the next page (or its error) is here: ``next`` will not wait for the agent."""
        if self._error is not None:
            return True
        return self._pending is not None and self._pending.arrived()

    def __iter__(self) -> Iterator[Page]:
        while (page := self.next()) is not None:
            yield page

    def close(self) -> None:
        """Stop reading (a page asked for and not read is dropped)."""
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None
        self._done = True
