"""The outbox: events are written inside the same document as the state change that caused them (one
atomic single-document write), and a relay publishes them with confirms and only then removes them.

A crash anywhere between the write and the removal loses nothing: the relay finds the event again at its
next pass and publishes it again. Consumers are idempotent on `event_id`, so a repeat is harmless.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Sequence
from typing import Any

from pymongo import UpdateOne
from pymongo.asynchronous.collection import AsyncCollection

from shared import metrics
from shared.bus import Bus
from shared.events import Envelope
from shared.logging import bound, get_logger

log = get_logger(__name__)

PENDING = "outbox_pending"
OUTBOX = "outbox"


def with_outbox(document: dict[str, Any], *envelopes: Envelope) -> dict[str, Any]:
    """The document with its pending events attached (for an insert or a replacement)."""
    return {**document, OUTBOX: [e.model_dump(mode="json") for e in envelopes], PENDING: True}


def push_outbox(*envelopes: Envelope) -> dict[str, Any]:
    """Update operators that add pending events to an existing document (combine with its state change)."""
    return {
        "$push": {OUTBOX: {"$each": [e.model_dump(mode="json") for e in envelopes]}},
        "$set": {PENDING: True},
    }


async def create_outbox_index(collection: AsyncCollection[dict[str, Any]]) -> None:
    await collection.create_index(PENDING, sparse=True, name="outbox_pending")


class OutboxRelay:
    def __init__(self, bus: Bus, collections: Sequence[AsyncCollection[dict[str, Any]]], *,
                 service: str, poll_seconds: float, batch: int = 200, parallel: int = 32) -> None:
        self.bus = bus
        self.collections = list(collections)
        self.service = service
        self.poll_seconds = poll_seconds
        self.batch = batch
        # Documents published side by side: their events are independent; one document's stay in order.
        self.parallel = parallel
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        # Fault injection for the fault matrix (tests/faults/), honoured only when ENVIRONMENT=test: the process
        # dies right after this many confirmed publishes, before the outbox is cleared.
        settings = getattr(bus, "settings", None)
        self._crash_after: int | None = (getattr(settings, "outbox_crash_after_publish", None)
                                         if getattr(settings, "environment", None) == "test" else None)
        self._confirmed = 0

    def notify(self) -> None:
        """Something was just written: publish now rather than at the next poll."""
        self._wake.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"{self.service}-outbox-relay")

    async def stop(self, grace_seconds: float) -> None:
        """Publish what is pending (bounded by the grace period), then stop."""
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            try:
                await asyncio.wait_for(self._task, timeout=grace_seconds)
            except TimeoutError:
                log.warning("outbox not flushed before the grace period; it is published at next start")
            self._task = None

    async def _run(self) -> None:
        failures = 0
        while True:
            self._wake.clear()
            try:
                await self.flush()
                failures = 0
            except asyncio.CancelledError:
                raise
            except Exception as error:
                failures += 1
                log.warning("outbox relay pass failed", error=f"{type(error).__name__}: {error}",
                            consecutive_failures=failures)
                await asyncio.sleep(min(0.2 * 2**failures, 5.0))
                continue
            if self._stopping:
                return
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=self.poll_seconds)
            except TimeoutError:
                pass

    async def flush(self) -> int:
        """One pass over every collection; returns how many events were published."""
        published = 0
        for collection in self.collections:
            while True:
                documents = await collection.find(
                    {PENDING: True}, {OUTBOX: 1}, limit=self.batch
                ).to_list(None)
                metrics.OUTBOX_PENDING.labels(self.service).set(sum(len(d.get(OUTBOX, [])) for d in documents))
                if not documents:
                    break
                for start in range(0, len(documents), self.parallel):
                    chunk = documents[start:start + self.parallel]
                    outcomes = await asyncio.gather(*(self._publish_document(document) for document in chunk),
                                                    return_exceptions=True)
                    done = [document for document, outcome in zip(chunk, outcomes, strict=True)
                            if isinstance(outcome, int)]
                    if done:
                        await self._clear(collection, done)
                    published += sum(outcome for outcome in outcomes if isinstance(outcome, int))
                    for outcome in outcomes:
                        if isinstance(outcome, BaseException):
                            raise outcome  # the rest of this chunk is cleared; the failed one stays pending
                if len(documents) < self.batch:
                    break
        return published

    async def _publish_document(self, document: dict[str, Any]) -> int:
        pending = document.get(OUTBOX, [])
        for raw in pending:
            envelope = Envelope.model_validate(raw)
            with bound(correlation_id=envelope.correlation_id, event_id=envelope.event_id):
                await self.bus.publish(envelope)
                log.info("event published", event_type=envelope.event_type)
            self._after_confirmed_publish()
        return len(pending)

    def _after_confirmed_publish(self) -> None:
        if self._crash_after is None:
            return
        self._confirmed += 1
        if self._confirmed >= self._crash_after:
            log.warning("fault injection: exiting after a confirmed publish, before the outbox is cleared",
                        confirmed_publishes=self._confirmed)
            os._exit(137)

    async def _clear(self, collection: AsyncCollection[dict[str, Any]], documents: list[dict[str, Any]]) -> None:
        """Remove the published events: one write for the whole chunk when nothing was added meanwhile (the
        usual case), each document's exact published list as its filter."""
        cleared = await collection.bulk_write(
            [UpdateOne({"_id": document["_id"], OUTBOX: document[OUTBOX]},
                       {"$set": {OUTBOX: []}, "$unset": {PENDING: ""}}) for document in documents],
            ordered=False,
        )
        if cleared.matched_count == len(documents):
            return
        # A writer added events to some of them meanwhile: remove just the published ones there; the flag stays
        # for the new events (a writer sets it again with them).
        published = {document["_id"]: {raw["event_id"] for raw in document[OUTBOX]} for document in documents}
        async for current in collection.find({"_id": {"$in": list(published)}, PENDING: True}, {OUTBOX: 1}):
            ids = published[current["_id"]] & {raw.get("event_id") for raw in current.get(OUTBOX, [])}
            if not ids:
                continue  # cleared by the bulk write, and new events arrived since
            await collection.update_one({"_id": current["_id"]},
                                        {"$pull": {OUTBOX: {"event_id": {"$in": sorted(ids)}}}})
            await collection.update_one({"_id": current["_id"], OUTBOX: {"$size": 0}}, {"$unset": {PENDING: ""}})
