"""The notification log: one document per notification (event × template × recipient), its delivery status,
and, until the relay has published it, its `notification.sent` / `notification.failed` event (the outbox).

The document's `_id` is the idempotency key, so the first delivery of an event creates it and every
redelivery finds it. A pending notification is claimed with a lease before it is sent, so two consumers
that got the same event at once never both send it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from pymongo import DESCENDING, ReturnDocument
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError

from shared.events import Envelope
from shared.outbox import OUTBOX, PENDING, push_outbox

Status = Literal["pending", "sent", "failed", "skipped"]
FINAL: frozenset[str] = frozenset({"sent", "failed", "skipped"})
CHANNEL = "email"
# Where the real address is kept: never returned by the API, never logged.
ADDRESS_FIELD = "recipient_address"
PRIVATE_FIELDS = (ADDRESS_FIELD, "recipient_hash", "lease_until", OUTBOX, PENDING)


def notification_id(event_id: str, template: str, recipient_digest: str | None) -> str:
    return f"{event_id}:{template}:{recipient_digest or '-'}"


def _now() -> datetime:
    # MongoDB keeps milliseconds; what is written is what is read back.
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


class NotificationLog:
    def __init__(self, notifications: AsyncCollection[dict[str, Any]], *, lease: timedelta) -> None:
        self.notifications = notifications
        self.lease = lease

    async def create_indexes(self) -> None:
        await self.notifications.create_index([("submission_id", 1), ("created_at", DESCENDING)],
                                              name="submission_created")
        await self.notifications.create_index([("status", 1), ("updated_at", 1)], name="status_updated")

    async def claim(self, document: dict[str, Any], *,
                    create: bool = True) -> tuple[dict[str, Any] | None, dict[str, Any]]:
        """Take the right to send: (the claimed document, or None when it is not ours to send; the document).

        A new notification is created already claimed with its first attempt counted. An existing one is
        claimed again only while it is pending and no one else's lease runs (a redelivery after a failed
        attempt, or after a crash mid-send).
        """
        now = _now()
        fresh = {**document, "status": "pending", "attempts": 1, "last_error": None, "created_at": now,
                 "updated_at": now, "sent_at": None, "lease_until": now + self.lease}
        if create:
            try:
                await self.notifications.insert_one(fresh)
                return fresh, fresh
            except DuplicateKeyError:
                pass
        claimed = await self.notifications.find_one_and_update(
            {"_id": document["_id"], "status": "pending",
             "$or": [{"lease_until": None}, {"lease_until": {"$lte": now}}]},
            {"$set": {"lease_until": now + self.lease, "updated_at": now}, "$inc": {"attempts": 1}},
            return_document=ReturnDocument.AFTER,
        )
        if claimed is not None:
            return claimed, claimed
        current = await self.notifications.find_one({"_id": document["_id"]})
        if current is None:  # only if someone deleted it between the two reads
            raise LookupError(f"notification {document['_id']} vanished")
        return None, current

    async def skip(self, document: dict[str, Any], reason: str) -> bool:
        """Record a notification that cannot be sent; False when it was already recorded."""
        now = _now()
        try:
            await self.notifications.insert_one({
                **document, "status": "skipped", "skip_reason": reason, "attempts": 0, "last_error": None,
                "created_at": now, "updated_at": now, "sent_at": None,
            })
        except DuplicateKeyError:
            return False
        return True

    async def mark_sent(self, key: str, event: Envelope, *, message_id: str) -> bool:
        """Sent, and its `notification.sent` in the same single-document write."""
        now = _now()
        return await self._finish(key, event, {"status": "sent", "sent_at": now, "updated_at": now,
                                               "last_error": None, "message_id": message_id})

    async def mark_failed(self, key: str, event: Envelope, *, error: str) -> bool:
        """Given up, and its `notification.failed` in the same single-document write."""
        return await self._finish(key, event, {"status": "failed", "last_error": error, "updated_at": _now()})

    async def release(self, key: str, *, error: str) -> None:
        """This attempt failed: note why and let the next delivery of the event claim it at once."""
        await self.notifications.update_one(
            {"_id": key, "status": "pending"},
            {"$set": {"last_error": error, "lease_until": None, "updated_at": _now()}},
        )

    async def _finish(self, key: str, event: Envelope, values: dict[str, Any]) -> bool:
        update = push_outbox(event)
        update["$set"] = {**update["$set"], **values}
        update["$unset"] = {"lease_until": ""}
        result = await self.notifications.update_one({"_id": key, "status": "pending"}, update)
        return result.modified_count == 1

    async def for_submission(self, submission_id: str, limit: int = 200) -> list[dict[str, Any]]:
        return await self.notifications.find(
            {"submission_id": submission_id},
            {field: 0 for field in PRIVATE_FIELDS},
            sort=[("created_at", DESCENDING)],
            limit=limit,
        ).to_list(None)
