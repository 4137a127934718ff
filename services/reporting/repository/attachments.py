"""The offices' attachments of unidentified responses (`lao_attachments`): each one audited (who, when, which
LAO, why) and written in one document with its `validation.lao_attach_requested` command (outbox)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.collection import AsyncCollection

from shared.events import Envelope
from shared.outbox import with_outbox

Document = dict[str, Any]


class Attachments:
    def __init__(self, collection: AsyncCollection[Document]) -> None:
        self.collection = collection

    async def create_indexes(self) -> None:
        await self.collection.create_index([("submission_id", ASCENDING), ("requested_at", ASCENDING)],
                                           name="submission_time")

    async def record(self, document: Document, command: Envelope) -> None:
        """The audit record and its command, in one write (the outbox relay publishes the command)."""
        await self.collection.insert_one(with_outbox(document, command))

    async def of_submissions(self, submission_ids: Sequence[str]) -> list[Document]:
        """The attachments of these submissions, oldest first, without their outbox."""
        return await self.collection.find({"submission_id": {"$in": list(submission_ids)}}, {"outbox": 0},
                                          sort=[("requested_at", ASCENDING)]).to_list(None)
