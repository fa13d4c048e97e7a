"""The one error format of the API, and the exceptions that produce it.

Every non-2xx JSON answer has the body
``{"error": {"code": "...", "message": "...", "details": {...}}}``.
Raise one of the :class:`ApiError` subclasses anywhere in a request; the app
turns it into that body, with the message translated for the request.
A 500 is always a bug: it is logged with its traceback and answered in the
same format without internals.
"""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """An error answer: HTTP status, snake_case code, message and details.

    ``message`` is an English message id, translated when rendered;
    ``params`` fill ``{placeholders}`` in it after translation.
    """

    status = 400
    code = "bad_request"
    message = "The request could not be processed."

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        details: dict[str, Any] | None = None,
        status: int | None = None,
        headers: dict[str, str] | None = None,
        **params: Any,
    ) -> None:
        self.message = message or self.message
        self.code = code or self.code
        self.details = details or {}
        self.status = status or self.status
        self.headers = headers or {}
        self.params = params
        super().__init__(self.message)


class ValidationFailed(ApiError):
    status = 400
    code = "invalid_input"
    message = "Some fields are invalid."


class NotAuthenticated(ApiError):
    status = 401
    code = "not_authenticated"
    message = "Please log in first."


class Forbidden(ApiError):
    status = 403
    code = "forbidden"
    message = "You are not allowed to do this."


class NotFound(ApiError):
    status = 404
    code = "not_found"
    message = "Not found."


class Conflict(ApiError):
    status = 409
    code = "conflict"
    message = "The request conflicts with the current state."


class PayloadTooLarge(ApiError):
    status = 413
    code = "payload_too_large"
    message = "The upload is too large."


class TooManyRequests(ApiError):
    status = 429
    code = "too_many_requests"
    message = "Too many attempts; please wait and try again."
