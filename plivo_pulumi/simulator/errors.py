"""Errors the simulator answers with: each carries its HTTP status, and is rendered as the API's
JSON error body (`{"api_id", "error"}`) by the server."""

from __future__ import annotations


class ApiError(Exception):
    """An HTTP error answer. Subclasses name the status; `ApiError.of(status, message)` picks one."""

    status = 500

    def __init__(self, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.headers = headers or {}

    @staticmethod
    def of(status: int, message: str, headers: dict[str, str] | None = None) -> ApiError:
        """The error for `status` (a model error's status, say)."""
        for cls in (BadRequest, Unauthorized, NotFound, MethodNotAllowed, Conflict, PayloadTooLarge):
            if cls.status == status:
                return cls(message, headers)
        error = ApiError(message, headers)
        error.status = status
        return error


class BadRequest(ApiError):
    status = 400


class Unauthorized(ApiError):
    status = 401


class NotFound(ApiError):
    status = 404


class MethodNotAllowed(ApiError):
    status = 405


class Conflict(ApiError):
    status = 409


class PayloadTooLarge(ApiError):
    status = 413
