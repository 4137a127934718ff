"""Intake's own collection: one document per revision, holding the raw answers, the canonical
submission and, until the relay has published it, the `submission.received` event (the outbox)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pymongo import DESCENDING
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError

from services.intake.identity import content_hash, lao_key, submission_id
from shared.events import ContactSummary, Envelope, SubmissionReceived
from shared.geo import lao_summary
from shared.outbox import OUTBOX, with_outbox
from shared.submission import Submission

PRODUCER = "intake"
IDEMPOTENCY_INDEX = "idempotency_key"
_REVISION_RACE_ATTEMPTS = 10


@dataclass(frozen=True)
class Accepted:
    submission_id: str
    revision: int
    received_at: datetime
    duplicate: bool
    supersedes: int | None


class RevisionRaceLost(RuntimeError):
    """Too many concurrent revisions of one LAO: the client should simply retry."""


class SubmissionStore:
    def __init__(self, revisions: AsyncCollection[dict[str, Any]]) -> None:
        self.revisions = revisions

    async def create_indexes(self) -> None:
        await self.revisions.create_index(
            [("source", 1), ("source_response_id", 1), ("content_hash", 1)], unique=True, name=IDEMPOTENCY_INDEX
        )
        await self.revisions.create_index([("submission_id", 1), ("revision", DESCENDING)], unique=True,
                                          name="submission_revision")
        await self.revisions.create_index([("campaign", 1), ("received_at", 1)], name="campaign_received")

    async def accept(self, submission: Submission, raw: dict[str, Any], received_at: datetime) -> Accepted:
        """Store one response as a new revision with its event, atomically; a repeat changes nothing."""
        canonical = submission.canonical_json()
        digest = content_hash(canonical)
        existing = await self._find_duplicate(submission, digest)
        if existing is not None:
            return existing
        lao = lao_summary(submission.lao)
        key = lao_key(submission, lao)
        sub_id = submission_id(submission.campaign, key)
        for _ in range(_REVISION_RACE_ATTEMPTS):
            latest = await self.revisions.find_one({"submission_id": sub_id}, {"revision": 1},
                                                   sort=[("revision", DESCENDING)])
            revision = (latest["revision"] + 1) if latest else 1
            event = SubmissionReceived(
                submission_id=sub_id, revision=revision, campaign=submission.campaign,
                source=submission.source, source_response_id=submission.source_response_id,
                received_at=received_at, lao=lao,
                contact=ContactSummary(name=submission.contact.name, email=submission.contact.email),
                submission=submission,
            )
            envelope = Envelope.build(event, producer=PRODUCER, correlation_id=sub_id)
            document = with_outbox({
                "_id": f"{sub_id}/r{revision}",
                "submission_id": sub_id,
                "revision": revision,
                "campaign": submission.campaign,
                "lao_key": key,
                "source": submission.source,
                "source_response_id": submission.source_response_id,
                "content_hash": digest,
                "received_at": received_at,
                "received_event_id": envelope.event_id,
                "raw": raw,
                "canonical": canonical,
            }, envelope)
            try:
                await self.revisions.insert_one(document)
            except DuplicateKeyError as error:
                if (error.details or {}).get("keyPattern", {}).get("source"):
                    # The same response arrived concurrently and won: it is that one.
                    duplicate = await self._find_duplicate(submission, digest)
                    if duplicate is not None:
                        return duplicate
                continue  # another revision of this LAO took the number: take the next one
            return Accepted(sub_id, revision, received_at, duplicate=False,
                            supersedes=revision - 1 if revision > 1 else None)
        raise RevisionRaceLost(sub_id)

    async def _find_duplicate(self, submission: Submission, digest: str) -> Accepted | None:
        found = await self.revisions.find_one(
            {"source": submission.source, "source_response_id": submission.source_response_id,
             "content_hash": digest},
            {"submission_id": 1, "revision": 1, "received_at": 1},
        )
        if found is None:
            return None
        return Accepted(found["submission_id"], found["revision"], found["received_at"], duplicate=True,
                        supersedes=None)

    async def history(self, sub_id: str) -> list[dict[str, Any]]:
        return await self.revisions.find(
            {"submission_id": sub_id},
            {"raw": 0, "canonical": 0, "content_hash": 0},
            sort=[("revision", DESCENDING)],
        ).to_list(None)

    async def revision(self, sub_id: str, revision: int) -> dict[str, Any] | None:
        return await self.revisions.find_one({"submission_id": sub_id, "revision": revision},
                                             {OUTBOX: 0, "content_hash": 0})

