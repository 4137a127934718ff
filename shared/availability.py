"""Infrastructure failures, told apart from failures of the work itself.

A handler or a request that fails because the store or the broker cannot be reached (a failover, a frozen
disk, a restart) has done nothing wrong: retrying it a few seconds later against a store that is still away
only spends its retries and ends in the dead-letter queue. Such failures pause the work instead — the bus
stops taking messages until the store answers again (shared/bus.py), and HTTP answers 503 with
`Retry-After` — while retries and dead letters stay for failures of the event or request itself.
"""

from __future__ import annotations

import aiormq.exceptions
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pymongo.errors import (
    BulkWriteError,
    ConnectionFailure,
    ExecutionTimeout,
    NotPrimaryError,
    OperationFailure,
    PyMongoError,
    WriteConcernError,
    WTimeoutError,
)

from shared.errors import error_response
from shared.logging import get_logger

log = get_logger(__name__)

# Server error codes that say "this server cannot take the operation now", not "the operation is wrong":
# NotWritablePrimary, NotPrimaryNoSecondaryOk, NotPrimaryOrSecondary, PrimarySteppedDown, ShutdownInProgress,
# InterruptedAtShutdown, InterruptedDueToReplStateChange, HostUnreachable, HostNotFound, NetworkTimeout,
# SocketException, WriteConcernFailed (a write-concern timeout), ExceededTimeLimit, MaxTimeMSExpired.
UNAVAILABLE_CODES = frozenset({10107, 13435, 13436, 189, 91, 11600, 11602, 6, 7, 89, 9001, 64, 262, 50})

RETRY_AFTER_SECONDS = 10


def is_unavailable(error: BaseException) -> bool:
    """True when `error` says the store or the broker could not be reached or could not take the write
    durably now — the work may well succeed unchanged once it is back."""
    if isinstance(error, ExceptionGroup):
        return bool(error.exceptions) and all(is_unavailable(e) for e in error.exceptions)
    if isinstance(error, ConnectionFailure | NotPrimaryError | WTimeoutError | ExecutionTimeout):
        return True  # ConnectionFailure covers AutoReconnect, NetworkTimeout and ServerSelectionTimeoutError
    if isinstance(error, BulkWriteError):
        details = error.details or {}
        if details.get("writeConcernErrors") and not details.get("writeErrors"):
            return True
        errors = details.get("writeErrors") or []
        return bool(errors) and all(e.get("code") in UNAVAILABLE_CODES for e in errors)
    if isinstance(error, WriteConcernError | OperationFailure):
        return error.code in UNAVAILABLE_CODES or error.has_error_label("RetryableWriteError")
    if isinstance(error, PyMongoError):
        return error.timeout or error.has_error_label("RetryableWriteError")
    if isinstance(error, aiormq.exceptions.AMQPConnectionError | aiormq.exceptions.ChannelInvalidStateError):
        return True
    return isinstance(error, ConnectionError)


def unavailable_response() -> JSONResponse:
    return error_response(
        503, "store_unavailable",
        f"ระบบยังบันทึกข้อมูลไม่ได้ชั่วคราว ข้อมูลนี้ยังไม่ถูกบันทึก โปรดส่งใหม่อีกครั้งใน {RETRY_AFTER_SECONDS} วินาที",
        f"The service cannot store data right now; nothing was recorded. Please send again in "
        f"{RETRY_AFTER_SECONDS} seconds.",
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


def install_unavailable_handler(app: FastAPI) -> None:
    """Every service: a request that fails because the store or broker is away answers 503 with Retry-After
    (Thai and English) instead of a 500 — a sender that waits and resends loses nothing."""

    @app.exception_handler(PyMongoError)
    async def store_error(_: Request, error: PyMongoError) -> JSONResponse:
        if not is_unavailable(error):
            raise error
        log.warning("request refused: store unavailable", error=f"{type(error).__name__}: {error}"[:300])
        return unavailable_response()
