"""Validation's verdicts in its database: `results`, one document per verdict (`<submission>/r<revision>`, or
`<submission>/r<revision>/<attachment>` when an office's attachment judged it again) carrying its outcome event
in its outbox, and `lao_attachments`, the offices' newest word on which registry LAO an application belongs to
(one record per application). DLA's LAO registry keeps its own collections (`registry/repository.py`)."""

from __future__ import annotations

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError

from shared.store import Document, GroupedInserts, Store


class ValidationStore:
    def __init__(self, results: AsyncCollection[Document], attachments: AsyncCollection[Document]) -> None:
        self.results = results
        self.attachments = attachments
        # Verdicts of messages handled side by side (prefetch) go to the store in one write.
        self._inserts = GroupedInserts(results)

    @classmethod
    def in_store(cls, store: Store) -> ValidationStore:
        return cls(store.collection("results"), store.collection("lao_attachments"))

    async def create_indexes(self) -> None:
        await self.results.create_index([("submission_id", 1), ("revision", -1)], name="submission_revision")
        await self.results.create_index([("campaign", 1), ("outcome", 1)], name="campaign_outcome")

    # -- verdicts ----------------------------------------------------------------------------------------

    async def has_verdict(self, result_id: str) -> bool:
        return await self.results.find_one({"_id": result_id}, {"_id": 1}) is not None

    async def newest_judged(self, submission_id: str) -> Document | None:
        """The verdict of the application's newest revision held with its submission (what an office's
        attachment judges again)."""
        return await self.results.find_one({"submission_id": submission_id, "submission": {"$exists": True}},
                                           sort=[("revision", -1), ("validated_at", -1)])

    async def insert_verdict(self, document: Document) -> bool:
        """Write a verdict with its outbox; False when it is held already (a repeat, or a concurrent handler
        wrote it first)."""
        return await self._inserts.insert_new(document)

    async def verdicts_of(self, submission_id: str) -> list[Document]:
        """Every verdict on one application, newest revision first."""
        return await self.results.find({"submission_id": submission_id}, sort=[("revision", -1)]).to_list(None)

    # -- offices' attachments ----------------------------------------------------------------------------

    async def attachment_of(self, submission_id: str) -> Document | None:
        return await self.attachments.find_one({"_id": submission_id})

    async def record_attachment(self, record: Document) -> bool:
        """Keep an office's attachment (`_id` the application) unless a newer one is held: the newest word wins
        (a later correction by the office), and a redelivery rewrites the same record. False when a newer one
        is held."""
        try:
            await self.attachments.update_one({"_id": record["_id"], "requested_at": {"$lte": record["requested_at"]}},
                                              {"$set": record}, upsert=True)
        except DuplicateKeyError:
            return False
        return True
