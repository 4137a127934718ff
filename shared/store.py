"""MongoDB access through PyMongo's AsyncMongoClient: one client per process, writes acknowledged only
once journaled, so a handler that returns has made its state durable before its message is acked."""

from __future__ import annotations

import asyncio
from typing import Any

from pymongo import AsyncMongoClient
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError, DuplicateKeyError
from pymongo.write_concern import WriteConcern

from shared.batching import Rounds, Waiting
from shared.settings import Settings

Document = dict[str, Any]


class Store:
    def __init__(self, settings: Settings) -> None:
        self.client: AsyncMongoClient[Document] = AsyncMongoClient(
            str(settings.mongodb_url),
            tz_aware=True,
            appname=settings.service_name,
            serverSelectionTimeoutMS=5_000,
            # A frozen server keeps its connections open and never answers: without a socket timeout an
            # operation would wait for ever. Past this, the operation fails as a network timeout (the store
            # counts as away: shared/availability.py).
            socketTimeoutMS=int(settings.store_timeout_seconds * 1000),
            connectTimeoutMS=int(min(settings.store_timeout_seconds, 10.0) * 1000),
        )
        self.service = settings.service_name
        self.db: AsyncDatabase[Document] = self.client.get_database(
            settings.database_name, write_concern=WriteConcern(w="majority", j=True)
        )

    def collection(self, name: str) -> AsyncCollection[Document]:
        return self.db[name]

    async def ping(self, timeout: float = 2.0) -> bool:
        try:
            await asyncio.wait_for(self.client.admin.command("ping"), timeout)
        except Exception:
            return False
        return True

    async def probe(self, timeout: float = 5.0) -> bool:
        """Whether the store takes a durable write now (the same write concern as every handler's): a
        server that answers a ping but cannot commit writes (no primary, no majority) is still away."""
        try:
            await asyncio.wait_for(self.db["_probe"].update_one(
                {"_id": self.service}, {"$inc": {"probes": 1}}, upsert=True), timeout)
        except Exception:
            return False
        return True

    async def close(self) -> None:
        await self.client.close()


DUPLICATE_KEY = 11000


class GroupedInserts:
    """Inserts from concurrent handlers written together: while one `insert_many` is in flight, the next
    gathers every document that arrives meanwhile. Alone, a document is written at once; under load (several
    messages in flight) many share one write and one journal commit, which is what a store pays for most.

    `insert` returns only once the document is durably written, True, or known to exist already (a document
    with its `_id` is there: False), so a handler that acks afterwards has lost nothing. Any other failure is
    raised to the handlers whose documents it concerns, and their messages are retried.
    """

    def __init__(self, collection: AsyncCollection[Document], *, max_batch: int = 100) -> None:
        self.collection = collection
        self._rounds: Rounds[Document, bool] = Rounds(self._write, max_batch=max_batch)

    async def insert(self, document: Document) -> bool:
        if "_id" not in document:
            raise ValueError("a grouped insert needs the document's _id (its idempotency key)")
        return await self._rounds.submit(document)

    async def insert_new(self, document: Document) -> bool:
        """As `insert`, but False also when another unique index already holds one of its keys."""
        try:
            return await self.insert(document)
        except DuplicateKeyError:
            return False

    async def _write(self, batch: list[Waiting[Document, bool]]) -> None:
        outcomes: list[bool | BaseException] = [True] * len(batch)
        try:
            await self.collection.insert_many([document for document, _ in batch], ordered=False)
        except BulkWriteError as error:
            if error.details.get("writeConcernErrors"):
                raise
            for failure in error.details.get("writeErrors", []):
                outcomes[failure["index"]] = _outcome_of(failure, error)
        for (_, done), outcome in zip(batch, outcomes, strict=True):
            if done.done():  # its handler was cancelled meanwhile
                continue
            if isinstance(outcome, BaseException):
                done.set_exception(outcome)
            else:
                done.set_result(outcome)


def _outcome_of(failure: Document, error: BulkWriteError) -> bool | BaseException:
    """One document's write error: its `_id` exists (False), another unique index refused it (raised as
    `insert_one` would raise it), or anything else (the whole error)."""
    if failure.get("code") != DUPLICATE_KEY:
        return error
    if failure.get("keyPattern") == {"_id": 1}:
        return False
    return DuplicateKeyError(failure.get("errmsg", "duplicate key"), DUPLICATE_KEY, failure)
