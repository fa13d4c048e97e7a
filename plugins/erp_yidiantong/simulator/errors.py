"""The simulator's one error type, answered in the EGP error format."""

from __future__ import annotations

from typing import Any

from plugins.erp_yidiantong.egp.shapes import ERROR_CODES, ErrorBody


class SimError(Exception):
    """An answer other than 2xx: ``{"code", "message", "retryable", ...}``.

    ``retryable`` defaults to what the protocol says for ``code``.
    """

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        details: dict[str, Any] | None = None,
        retry_after: int | None = None,
        retryable: bool | None = None,
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        known = ERROR_CODES.get(code)
        self.body = ErrorBody(
            code=code,
            message=message,
            retryable=retryable if retryable is not None else bool(known and known.retryable),
            retry_after=retry_after,
            details=details or {},
        )


def invalid(details: dict[str, Any], message: str = "some fields are invalid") -> SimError:
    """A 400 INVALID_REQUEST naming the bad fields."""
    return SimError(400, "INVALID_REQUEST", message, details=details)
