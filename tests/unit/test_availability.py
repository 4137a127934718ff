"""Which failures say "the store or broker is away" (pause, 503) and which are the work's own (retry,
dead-letter, 4xx/500)."""

from __future__ import annotations

import pytest
from pymongo.errors import (
    AutoReconnect,
    BulkWriteError,
    DuplicateKeyError,
    ExecutionTimeout,
    NetworkTimeout,
    NotPrimaryError,
    OperationFailure,
    ServerSelectionTimeoutError,
    WriteConcernError,
    WTimeoutError,
)

from shared.availability import is_unavailable


@pytest.mark.parametrize("error", [
    ServerSelectionTimeoutError("no servers"),
    AutoReconnect("connection reset"),
    NetworkTimeout("timed out"),
    NotPrimaryError("not primary", {"code": 10107}),
    WTimeoutError("waiting for replication timed out", 64, {}),
    ExecutionTimeout("operation exceeded time limit", 50, {}),
    OperationFailure("primary stepped down", 189),
    OperationFailure("shutdown in progress", 91),
    WriteConcernError("write concern failed", 64, {}),
    BulkWriteError({"writeErrors": [], "writeConcernErrors": [{"code": 64, "errmsg": "timeout"}]}),
    ConnectionResetError("peer closed"),
    ExceptionGroup("all away", [AutoReconnect("a"), NetworkTimeout("b")]),
], ids=type)
def test_the_store_or_broker_being_away_is_an_outage(error: BaseException) -> None:
    assert is_unavailable(error)


@pytest.mark.parametrize("error", [
    DuplicateKeyError("duplicate key", 11000),
    OperationFailure("unknown operator $foo", 2),
    BulkWriteError({"writeErrors": [{"index": 0, "code": 11000, "errmsg": "dup"}], "writeConcernErrors": []}),
    KeyError("lao"),
    ValueError("bad revision"),
    ExceptionGroup("mixed", [AutoReconnect("a"), KeyError("b")]),
], ids=type)
def test_a_failure_of_the_work_itself_is_not_an_outage(error: BaseException) -> None:
    assert not is_unavailable(error)
