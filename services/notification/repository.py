"""Notification's own collections:

- `notifications`, the delivery log: one document per notification (event or schedule slot × template ×
  recipient), its delivery status, and, until the relay has published it, its outcome event (the outbox). The
  document's `_id` is the idempotency key, so the first delivery creates it and every redelivery finds it. A
  pending notification is claimed with a lease before it is sent, so two consumers never both send it.
- `progress` (one entry per submission: its newest revision's status) and `registry` (one document per
  province: its LAOs, as the last `registry.updated` listed them): the area-progress model of reminders and
  digests, built from events only.
- `directory` (office contacts, replaced whole by each import) and `directory_imports`.
- `schedule`: one document per campaign × slot, inserted once (the unique `_id` is the claim) together with
  the `schedule.notice_due` commands for every recipient, in its outbox.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from pymongo import DESCENDING, ReturnDocument
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError

from services.notification.area import STATUS_RANK, AreaReport, build_report, name_key, provinces_of
from services.notification.recipients import Recipient
from shared.campaign import Campaign
from shared.events import Envelope, LaoSummary, RegistryUpdated
from shared.outbox import OUTBOX, PENDING, push_outbox, with_outbox
from shared.store import GroupedInserts, Store

Document = dict[str, Any]
Status = Literal["pending", "sent", "failed", "skipped"]
FINAL: frozenset[str] = frozenset({"sent", "failed", "skipped"})
# Where the real address is kept while the notification may still be sent: never returned by the API, never
# logged, and removed once the notification is final.
ADDRESS_FIELD = "recipient_address"
PRIVATE_FIELDS = (ADDRESS_FIELD, "recipient_hash", "lease_until", OUTBOX, PENDING)


def notification_id(event_id: str, template: str, recipient_digest: str | None) -> str:
    return f"{event_id}:{template}:{recipient_digest or '-'}"


def now_ms() -> datetime:
    # MongoDB keeps milliseconds; what is written is what is read back.
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


class NotificationLog:
    def __init__(self, notifications: AsyncCollection[Document], *, lease: timedelta) -> None:
        self.notifications = notifications
        self.lease = lease
        # Notifications claimed side by side (prefetch) are created in one write.
        self._inserts = GroupedInserts(notifications)

    @classmethod
    def of(cls, store: Store, *, lease: timedelta) -> NotificationLog:
        return cls(store.collection("notifications"), lease=lease)

    async def create_indexes(self) -> None:
        await self.notifications.create_index([("submission_id", 1), ("created_at", DESCENDING)],
                                              name="submission_created")
        await self.notifications.create_index([("status", 1), ("updated_at", 1)], name="status_updated")
        await self.notifications.create_index([("campaign", 1), ("slot", 1)], name="campaign_slot", sparse=True)
        await self.notifications.create_index([("created_at", DESCENDING)], name="created")
        # The final selection's messages of one subject (a submission, or an office and its areas), every
        # publication: what the subject was last told decides whether a later publication writes again.
        await self.notifications.create_index([("campaign", 1), ("selection_subject", 1)],
                                              name="campaign_selection_subject", sparse=True)

    async def claim(self, document: Document, *, create: bool = True) -> tuple[Document | None, Document]:
        """Take the right to send: (the claimed document, or None when it is not ours to send; the document).

        A new notification is created already claimed with its first attempt counted. An existing one is
        claimed again only while it is pending and no one else's lease runs (a redelivery after a failed
        attempt, or after a crash mid-send).
        """
        now = now_ms()
        fresh = {**document, "status": "pending", "attempts": 1, "last_error": None, "created_at": now,
                 "updated_at": now, "sent_at": None, "lease_until": now + self.lease}
        if create and await self._inserts.insert(fresh):
            return fresh, fresh
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

    async def skip(self, document: Document, reason: str) -> bool:
        """Record a notification that cannot or need not be sent; False when it was already recorded."""
        now = now_ms()
        try:
            await self.notifications.insert_one({
                **document, "status": "skipped", "skip_reason": reason, "attempts": 0, "last_error": None,
                "created_at": now, "updated_at": now, "sent_at": None,
            })
        except DuplicateKeyError:
            return False
        return True

    async def mark_sent(self, key: str, event: Envelope, *, message_id: str) -> bool:
        """Sent, and its outcome event in the same single-document write."""
        now = now_ms()
        return await self._finish(key, event, {"status": "sent", "sent_at": now, "updated_at": now,
                                               "last_error": None, "message_id": message_id})

    async def mark_failed(self, key: str, event: Envelope, *, error: str) -> bool:
        """Given up, and its outcome event in the same single-document write."""
        return await self._finish(key, event, {"status": "failed", "last_error": error, "updated_at": now_ms()})

    async def release(self, key: str, *, error: str) -> None:
        """This attempt failed: note why and let the next delivery of the event claim it at once."""
        await self.notifications.update_one(
            {"_id": key, "status": "pending"},
            {"$set": {"last_error": error, "lease_until": None, "updated_at": now_ms()}},
        )

    async def _finish(self, key: str, event: Envelope, values: Document) -> bool:
        update = push_outbox(event)
        update["$set"] = {**update["$set"], **values}
        # A final notification is never sent again: its address is no longer needed.
        update["$unset"] = {"lease_until": "", ADDRESS_FIELD: ""}
        result = await self.notifications.update_one({"_id": key, "status": "pending"}, update)
        return result.modified_count == 1

    async def selection_records(self, campaign: str, subject: str) -> list[Document]:
        """Every log entry of the campaign's final-selection messages about this subject, any publication."""
        return await self.notifications.find(
            {"campaign": campaign, "selection_subject": subject},
            {"_id": 1, "status": 1, "selection_version": 1, "selection_fingerprint": 1, "lease_until": 1,
             "tier": 1, "corrected": 1, "previous_tier": 1, "previous_version": 1},
        ).to_list(None)

    async def supersede(self, key: str) -> bool:
        """A pending notification that a later publication replaces: skipped, unless someone is sending it right
        now (its lease runs; then False, and it counts as told)."""
        now = now_ms()
        current = await self.notifications.find_one({"_id": key}, {"status": 1, "lease_until": 1})
        if current is None or current["status"] != "pending":
            return False
        lease = current.get("lease_until")
        if lease is not None and (lease if lease.tzinfo else lease.replace(tzinfo=UTC)) > now:
            return False
        # A plain `_id` lookup guarded by the lease as read (an `$or` beside `_id` would scan the collection).
        result = await self.notifications.update_one(
            {"_id": key, "status": "pending", "lease_until": lease},
            {"$set": {"status": "skipped", "skip_reason": "superseded", "updated_at": now},
             "$unset": {"lease_until": "", ADDRESS_FIELD: ""}},
        )
        return result.modified_count == 1

    async def find(self, *, submission_id: str | None = None, campaign: str | None = None,
                   slot: str | None = None, template: str | None = None, status: str | None = None,
                   channel: str | None = None, limit: int = 100) -> list[Document]:
        """The log, newest first, without any private field."""
        query = {name: value for name, value in (
            ("submission_id", submission_id), ("campaign", campaign), ("slot", slot), ("template", template),
            ("status", status), ("channel", channel)) if value is not None}
        return await self.notifications.find(
            query, dict.fromkeys(PRIVATE_FIELDS, 0), sort=[("created_at", DESCENDING)], limit=limit,
        ).to_list(None)


def progress_order(revision: int, rank: int) -> int:
    """A submission's progress as one number: a newer revision outranks any step of an older one."""
    return revision * 100 + rank


class ProgressModel:
    """Each submission's newest state and each province's registered LAOs, from events alone."""

    def __init__(self, progress: AsyncCollection[Document], registry: AsyncCollection[Document]) -> None:
        self.progress = progress
        self.registry = registry

    @classmethod
    def of(cls, store: Store) -> ProgressModel:
        return cls(store.collection("progress"), store.collection("registry"))

    async def create_indexes(self) -> None:
        await self.progress.create_index([("campaign", 1), ("lao.province_code", 1)], name="campaign_province")

    async def record(self, *, campaign: str, submission_id: str, revision: int, status: str, lao: LaoSummary,
                     at: datetime) -> bool:
        """The submission's state after this event; False when a newer revision (or a later step of the same
        one) is already recorded, so redelivered and reordered events change nothing."""
        rank = STATUS_RANK[status]
        order = progress_order(revision, rank)
        document = {
            "campaign": campaign, "submission_id": submission_id, "revision": revision, "status": status,
            "rank": rank, "order": order, "updated_at": at,
            "lao": {**lao.model_dump(include={"name", "code", "type", "province_code", "district_code",
                                              "district_name"}), "name_key": name_key(lao.name)},
        }
        try:
            # One comparable number rather than an `$or` over revision and rank: the filter then stays a plain
            # `_id` lookup (with an `$or` beside `_id`, SecantusDB scans the whole collection; docs/performance.md).
            result = await self.progress.update_one({"_id": submission_id, "order": {"$lt": order}},
                                                    {"$set": document}, upsert=True)
        except DuplicateKeyError:
            return await self._record_over_unordered(submission_id, revision, rank, document)
        return result.modified_count == 1 or result.upserted_id is not None

    async def _record_over_unordered(self, submission_id: str, revision: int, rank: int, document: Document) -> bool:
        """The entry exists and `order` did not let this step in: it is newer or the same (False), unless the entry
        was written before `order` existed; then it is compared by revision and rank. Both are `_id` lookups (an
        `$or` beside `_id` would scan the collection)."""
        current = await self.progress.find_one({"_id": submission_id}, {"order": 1, "revision": 1, "rank": 1})
        if current is None or "order" in current:
            return False
        if (current.get("revision", 0), current.get("rank", -1)) >= (revision, rank):
            return False
        result = await self.progress.update_one(
            {"_id": submission_id, "order": {"$exists": False}, "revision": current.get("revision"),
             "rank": current.get("rank")},
            {"$set": document},
        )
        return result.modified_count == 1

    async def replace_province(self, event: RegistryUpdated) -> bool:
        """The province's LAOs as this import lists them (complete); an older import never replaces a newer."""
        document = {
            "province_name": event.province_name, "import_id": event.import_id, "imported_at": event.imported_at,
            "laos": [lao.model_dump(include={"code", "name", "type", "district_code", "district_name"})
                     for lao in event.laos],
        }
        try:
            result = await self.registry.update_one(
                {"_id": event.province_code, "imported_at": {"$lt": event.imported_at}}, {"$set": document},
                upsert=True,
            )
        except DuplicateKeyError:
            return False
        return result.modified_count == 1 or result.upserted_id is not None

    async def report(self, campaign: Campaign, areas: Sequence[str], *, with_parts: bool = False) -> AreaReport:
        provinces = provinces_of(areas)
        registry_query: Document = {"_id": {"$in": provinces}} if areas else {}
        progress_query: Document = {"campaign": campaign.key}
        if areas:
            progress_query["lao.province_code"] = {"$in": provinces}
        registry = await self.registry.find(registry_query).to_list(None)
        progress = await self.progress.find(progress_query).to_list(None)
        return build_report(areas, registry, progress, campaign.eligible_lao_types, with_parts=with_parts)


class Directory:
    """The office contacts: every import replaces the whole list."""

    def __init__(self, contacts: AsyncCollection[Document], imports: AsyncCollection[Document]) -> None:
        self.contacts = contacts
        self.imports = imports

    @classmethod
    def of(cls, store: Store) -> Directory:
        return cls(store.collection("directory"), store.collection("directory_imports"))

    async def create_indexes(self) -> None:
        await self.contacts.create_index([("level", 1), ("areas", 1)], name="level_areas")
        await self.contacts.create_index([("recipient_hash", 1)], name="recipient_hash")

    async def replace(self, contacts: Sequence[Recipient], *, source: str) -> Document:
        """The contacts of one import instead of every earlier one; the import's summary (`_id`, its id)."""
        import_id = f"dir_{uuid.uuid4().hex[:12]}"
        now = now_ms()
        if contacts:
            await self.contacts.insert_many([
                {**contact.as_document(), "_id": f"{import_id}:{number}", "import_id": import_id}
                for number, contact in enumerate(contacts)
            ])
        await self.contacts.delete_many({"import_id": {"$ne": import_id}})
        summary: Document = {
            "_id": import_id, "imported_at": now, "source": source, "contacts": len(contacts),
            "by_level": _count(c.kind for c in contacts), "by_channel": _count(c.channel for c in contacts),
        }
        await self.imports.insert_one(summary)
        return summary

    async def _read(self, query: Document) -> list[Recipient]:
        documents = await self.contacts.find(query, sort=[("_id", 1)]).to_list(None)
        # While an import replaces the list, both may be visible for a moment: one contact counts once.
        unique: dict[tuple[str, str, str, tuple[str, ...]], Recipient] = {}
        for document in documents:
            contact = Recipient.from_document(document)
            unique.setdefault((contact.kind, contact.channel, contact.hash, contact.areas), contact)
        return list(unique.values())

    async def offices(self, levels: Sequence[str], template: str, province_code: str | None,
                      district_code: str | None) -> list[Recipient]:
        """The contacts of `levels` whose area covers the place (national ones cover every place) and who
        want this template, in the order of the imported file."""
        places = [code for code in (province_code, district_code) if code]
        found = await self._read({"level": {"$in": list(levels)},
                                  "$or": [{"level": "national"}, {"areas": {"$in": places}}]})
        return [contact for contact in found if contact.wants(template)]

    async def at_levels(self, levels: Sequence[str], template: str) -> list[Recipient]:
        """Every contact of `levels` who wants this template, whatever its area."""
        return [contact for contact in await self._read({"level": {"$in": list(levels)}}) if contact.wants(template)]

    async def find(self, *, kind: str, channel: str, recipient_hash: str, areas: Sequence[str]) -> Recipient | None:
        found = await self._read({"level": kind, "channel": channel, "recipient_hash": recipient_hash,
                                  "areas": sorted(areas)})
        return found[0] if found else None

    async def listing(self) -> list[Recipient]:
        return await self._read({})

    async def last_import(self) -> Document | None:
        return await self.imports.find_one({}, sort=[("imported_at", DESCENDING)])


def _count(values: Any) -> dict[str, int]:
    counts: dict[str, int] = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    return counts


class ScheduleBook:
    """One document per campaign × slot; inserting it is firing it, exactly once across restarts and replicas."""

    def __init__(self, slots: AsyncCollection[Document]) -> None:
        self.slots = slots

    @classmethod
    def of(cls, store: Store) -> ScheduleBook:
        return cls(store.collection("schedule"))

    async def create_indexes(self) -> None:
        await self.slots.create_index([("campaign", 1), ("due_at", 1)], name="campaign_due")

    async def known(self, slot_ids: Sequence[str]) -> set[str]:
        documents = await self.slots.find({"_id": {"$in": list(slot_ids)}}, {"_id": 1}).to_list(None)
        return {document["_id"] for document in documents}

    async def record(self, document: Document, commands: Sequence[Envelope] = ()) -> bool:
        """Insert the slot with its commands in its outbox; False when it was already recorded."""
        try:
            await self.slots.insert_one(with_outbox(document, *commands) if commands else document)
        except DuplicateKeyError:
            return False
        return True

    async def listing(self, campaign: str | None = None, limit: int = 200) -> list[Document]:
        query = {"campaign": campaign} if campaign else {}
        return await self.slots.find(query, {OUTBOX: 0, PENDING: 0}, sort=[("due_at", DESCENDING)],
                                     limit=limit).to_list(None)
