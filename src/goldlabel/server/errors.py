"""Domain errors mapped to HTTP in one place, with one JSON error shape everywhere.

Every error response is ``{"ok": false, "status": int, "error": str, "errors": [str]}``, plus
``"current"`` (the object's state now) on a 409 conflict.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from goldlabel.exceptions import (
    ConflictError,
    DataValidationError,
    GoldlabelError,
    InvalidOptionError,
    MissingDependencyError,
    NotFoundError,
)

__all__ = ["error_response", "install_error_handlers", "status_of"]

_log = logging.getLogger(__name__)

_STATUS: list[tuple[type[Exception], int]] = [
    (NotFoundError, 404),
    (ConflictError, 409),
    (DataValidationError, 400),
    (InvalidOptionError, 400),
    (MissingDependencyError, 501),
]


def status_of(err: Exception) -> int:
    """The HTTP status of a domain error."""
    for cls, status in _STATUS:
        if isinstance(err, cls):
            return status
    return 500


def error_response(
    status: int, message: str, errors: list[str] | None = None, **extra: Any
) -> JSONResponse:
    """The one JSON error shape."""
    body = {"ok": False, "status": status, "error": message, "errors": errors or [message], **extra}
    return JSONResponse(body, status_code=status)


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers that turn every error into the one JSON shape."""

    @app.exception_handler(GoldlabelError)
    async def _domain(_: Request, err: GoldlabelError) -> JSONResponse:
        extra: dict[str, Any] = {}
        if isinstance(err, ConflictError):
            extra["current"] = err.current
        return error_response(status_of(err), str(err), **extra)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, err: RequestValidationError) -> JSONResponse:
        errors = [
            f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg', 'invalid')}"
            for e in err.errors()
        ]
        return error_response(422, "the request is invalid: " + "; ".join(errors), errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, err: StarletteHTTPException) -> JSONResponse:
        response = error_response(err.status_code, str(err.detail))
        for key, value in (err.headers or {}).items():
            response.headers[key] = value
        return response

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, err: Exception) -> JSONResponse:
        _log.exception("unhandled error")
        return error_response(500, f"internal error: {type(err).__name__}: {err}")
