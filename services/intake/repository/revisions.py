"""Intake's `revisions` collection: one document per revision, holding the raw answers, the canonical
submission and, until the relay has published it, the `submission.received` event (the outbox).

Revisions are numbered in the order they arrive, but which one counts follows the form's own time: a response
older than the newest one held (a backfill, an older download pasted under a newer one, a re-import) is kept
in the history as `in_order: false` and never published, so it never supersedes a newer one anywhere."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pymongo
from pymongo import DESCENDING
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import BulkWriteError, DuplicateKeyError

from services.intake.identity import code_only, content_hash, lao_key, submission_id
from services.intake.submission import Submission
from shared.events import ContactSummary, Envelope, LaoSummary, SubmissionReceived
from shared.geo import lao_summary
from shared.outbox import OUTBOX, with_outbox

PRODUCER = "intake"
IDEMPOTENCY_INDEX = "idempotency_key"
_REVISION_RACE_ATTEMPTS = 10
# A sheet shows the form's timestamp to the second, the connector to the millisecond: within this, one response.
SAME_RESPONSE_WINDOW = timedelta(seconds=2)


@dataclass(frozen=True)
class Accepted:
    submission_id: str
    revision: int
    received_at: datetime
    duplicate: bool
    supersedes: int | None
    current: bool = True  # False: older (by the form's time) than a response already held, kept as history


class RevisionRaceLost(RuntimeError):
    """Too many concurrent revisions of one LAO: the client should simply retry."""


@dataclass
class _Prepared:
    """One response made ready for storage: its canonical form, its hash and which application it belongs to."""

    submission: Submission
    raw: dict[str, Any]
    canonical: dict[str, Any]
    digest: str
    lao: LaoSummary
    key: str
    submission_id: str
    edit_url: str | None = None


@dataclass
class _Held:
    """What the store already holds of one application, enough to decide whether a response is a repeat and
    whether it is newer than what counts now."""

    latest: int = 0
    revisions: list[dict[str, Any]] = field(default_factory=list)

    def duplicate_of(self, prepared: _Prepared) -> dict[str, Any] | None:
        """The revision this response repeats: the same answers with the same form timestamp as any revision
        (the same response arriving again by another way, even after the LAO has sent a newer one). Without a
        form timestamp, the same answers as the latest revision."""
        submitted = _utc(prepared.submission.submitted_at)
        for held in self.revisions:
            if held["content_hash"] != prepared.digest:
                continue
            other = _utc(held.get("submitted_at"))
            if submitted is None:
                if held["revision"] == self.latest:
                    return held
            elif other is not None and abs(submitted - other) <= SAME_RESPONSE_WINDOW:
                return held
        return None

    def counting(self) -> int | None:
        """The revision that counts now: the newest one that arrived in the form's order."""
        return max((h["revision"] for h in self.revisions if h.get("in_order", True)), default=None)

    def in_order(self, moment: datetime) -> bool:
        """Whether a response of this form time is at least as new as every one held (so it counts)."""
        newest = max((_form_time(h) for h in self.revisions), default=None)
        return newest is None or _utc(moment) >= newest  # type: ignore[operator]


def _form_time(document: dict[str, Any]) -> datetime:
    """When the applicant answered: the form's timestamp, else (a JSON post without one) when it arrived."""
    return _utc(document.get("submitted_at")) or _utc(document["received_at"])  # type: ignore[return-value]


def _utc(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


_HELD_FIELDS = {"submission_id": 1, "revision": 1, "received_at": 1, "content_hash": 1, "submitted_at": 1,
                "in_order": 1}


class SubmissionStore:
    def __init__(self, revisions: AsyncCollection[dict[str, Any]]) -> None:
        self.revisions = revisions

    async def create_indexes(self) -> None:
        await self.revisions.create_index(
            [("source", 1), ("source_response_id", 1), ("content_hash", 1)], unique=True, name=IDEMPOTENCY_INDEX
        )
        await self.revisions.create_index([("submission_id", 1), ("revision", DESCENDING)], unique=True,
                                          name="submission_revision")
        await self.revisions.create_index([("submission_id", 1), ("content_hash", 1)], name="submission_content")
        await self.revisions.create_index([("campaign", 1), ("received_at", 1)], name="campaign_received")
        await self.revisions.create_index([("campaign", 1), ("canonical.lao.code", 1)], name="campaign_lao_code")
        await self.revisions.create_index([("campaign", 1), ("lao_key", 1)], name="campaign_lao_key")

    async def accept(self, submission: Submission, raw: dict[str, Any], received_at: datetime, *,
                     edit_url: str | None = None, within_seconds: float | None = None) -> Accepted:
        """Store one response as a new revision with its event, atomically; a repeat changes nothing.

        `edit_url` is the form's own link for the applicant to edit this response: kept with the revision and
        carried to validation (for the "returned for correction" notice); personal, never logged.
        `within_seconds` bounds the whole acceptance (every read and write of it): a store that is away fails
        it with a timeout (shared/availability.py) instead of a hang."""
        if within_seconds is None:
            return await self._accept(submission, raw, received_at, edit_url=edit_url)
        with pymongo.timeout(within_seconds):
            return await self._accept(submission, raw, received_at, edit_url=edit_url)

    async def _accept(self, submission: Submission, raw: dict[str, Any], received_at: datetime, *,
                      edit_url: str | None) -> Accepted:
        prepared = (await self._prepare_all([(submission, raw)]))[0]
        prepared.edit_url = edit_url
        for _ in range(_REVISION_RACE_ATTEMPTS):
            existing = await self._find_duplicate(prepared)
            if existing is not None:
                return existing
            held = (await self._held([prepared.submission_id]))[prepared.submission_id]
            revision = held.latest + 1
            in_order = held.in_order(prepared.submission.submitted_at or received_at)
            try:
                await self.revisions.insert_one(_document(prepared, revision, received_at, in_order=in_order))
            except DuplicateKeyError:
                # The same response arrived concurrently and won (found above on the next pass), or another
                # revision of this LAO took the number: take the next one.
                continue
            return _new(prepared, revision, received_at, in_order=in_order, supersedes=held.counting())
        raise RevisionRaceLost(prepared.submission_id)

    async def accept_many(self, batch: Sequence[tuple[Submission, dict[str, Any]]],
                          received_at: datetime) -> list[Accepted]:
        """Many responses (a CSV import's batch) with a few reads and one insert instead of a round trip each.

        Decides repeats, revision numbers and which responses count from what the store holds, in order; if a
        concurrent writer took a revision number meanwhile, the rest of the batch goes the one-by-one way,
        which retries."""
        prepared = await self._prepare_all(batch)
        if not prepared:
            return []
        held = await self._held([p.submission_id for p in prepared])
        exact = await self._exact_duplicates(prepared)
        results: list[Accepted | None] = []
        documents: list[dict[str, Any]] = []
        positions: list[int] = []
        for index, item in enumerate(prepared):
            state = held.setdefault(item.submission_id, _Held())
            found = exact.get((item.submission.source, item.submission.source_response_id, item.digest))
            found = found or state.duplicate_of(item)
            if found is not None:
                results.append(Accepted(found["submission_id"], found["revision"], found["received_at"],
                                        duplicate=True, supersedes=None, current=found.get("in_order", True)))
                continue
            revision = state.latest + 1
            in_order = state.in_order(item.submission.submitted_at or received_at)
            supersedes = state.counting()
            document = _document(item, revision, received_at, in_order=in_order)
            state.latest = revision
            state.revisions.append({k: document.get(k) for k in _HELD_FIELDS})
            exact[(item.submission.source, item.submission.source_response_id, item.digest)] = document
            documents.append(document)
            positions.append(index)
            results.append(_new(item, revision, received_at, in_order=in_order, supersedes=supersedes))
        if documents:
            try:
                await self.revisions.insert_many(documents, ordered=True)
            except BulkWriteError as error:
                # Everything from the first document not written on was decided on a stale view: redo it.
                inserted = int(error.details.get("nInserted", 0))
                for index in range(positions[inserted], len(prepared)):
                    item = prepared[index]
                    results[index] = await self._accept(item.submission, item.raw, received_at,
                                                       edit_url=None)
        return [result for result in results if result is not None]

    async def _prepare_all(self, batch: Sequence[tuple[Submission, dict[str, Any]]]) -> list[_Prepared]:
        """Each response with its application. A response that left the LAO's name blank but gave its code
        joins the application already held under a name for that code, if there is one; a municipality named
        like one already held in another district of the province (Thai subdistrict names repeat) has an
        application of its own."""
        prepared = [_prepare(submission, raw) for submission, raw in batch]
        await self._join_by_code(prepared)
        await self._part_homonyms(prepared)
        return prepared

    async def _join_by_code(self, prepared: Sequence[_Prepared]) -> None:
        by_code = {(p.submission.campaign, p.submission.lao.code) for p in prepared if code_only(p.key)}
        named: dict[tuple[str, str | None], dict[str, Any]] = {}
        for campaign, code in sorted(by_code, key=str):
            found = await self.revisions.find_one(
                {"campaign": campaign, "canonical.lao.code": code, "lao_key": {"$not": {"$regex": ":#"}}},
                {"lao_key": 1, "submission_id": 1}, sort=[("received_at", 1)])
            if found is not None:
                named[(campaign, code)] = found
        for item in prepared:
            joined = named.get((item.submission.campaign, item.submission.lao.code)) if code_only(item.key) else None
            if joined is not None:
                item.key, item.submission_id = joined["lao_key"], joined["submission_id"]

    async def _part_homonyms(self, prepared: Sequence[_Prepared]) -> None:
        """The district an application under a name was first placed in keeps the name's key; a response of the
        same name placed in another district gets `<key>@<district>`. Keys already held never change."""
        keys = sorted({(p.submission.campaign, p.key) for p in prepared
                       if p.lao.district_code and not code_only(p.key) and not p.key.startswith("?:")})
        first: dict[tuple[str, str], str] = {}
        for campaign, key in keys:
            found = await self.revisions.find_one(
                {"campaign": campaign, "lao_key": key, "district_code": {"$type": "string"}},
                {"district_code": 1}, sort=[("received_at", 1), ("revision", 1)])
            if found is not None:
                first[(campaign, key)] = found["district_code"]
        for item in prepared:
            district = item.lao.district_code
            if district is None or code_only(item.key) or item.key.startswith("?:"):
                continue
            placed = first.setdefault((item.submission.campaign, item.key), district)
            if placed != district:
                item.key = f"{item.key}@{district}"
                item.submission_id = submission_id(item.submission.campaign, item.key)

    async def _held(self, submission_ids: Sequence[str]) -> dict[str, _Held]:
        """Each application's revisions, their small fields only, through the (submission_id, revision) index:
        a handful per application, however many responses the batch holds."""
        ids = sorted(set(submission_ids))
        held: dict[str, _Held] = {sub_id: _Held() for sub_id in ids}
        async for document in self.revisions.find({"submission_id": {"$in": ids}}, _HELD_FIELDS):
            state = held[document["submission_id"]]
            state.latest = max(state.latest, document["revision"])
            state.revisions.append(document)
        return held

    async def _exact_duplicates(self, prepared: Sequence[_Prepared]) -> dict[tuple[str, str, str], dict[str, Any]]:
        found: dict[tuple[str, str, str], dict[str, Any]] = {}
        for source in sorted({p.submission.source for p in prepared}):
            ids = sorted({p.submission.source_response_id for p in prepared if p.submission.source == source})
            # One source at a time: an equality on `source` lets the idempotency index answer the $in.
            cursor = self.revisions.find({"source": source, "source_response_id": {"$in": ids}},
                                         {**_HELD_FIELDS, "source": 1, "source_response_id": 1})
            async for document in cursor:
                found[(document["source"], document["source_response_id"], document["content_hash"])] = document
        return found

    async def _find_duplicate(self, prepared: _Prepared) -> Accepted | None:
        found = await self.revisions.find_one(
            {"source": prepared.submission.source, "source_response_id": prepared.submission.source_response_id,
             "content_hash": prepared.digest},
            _HELD_FIELDS,
        )
        if found is None:
            held = await self._held([prepared.submission_id])
            found = held.get(prepared.submission_id, _Held()).duplicate_of(prepared)
        if found is None:
            return None
        return Accepted(found["submission_id"], found["revision"], found["received_at"], duplicate=True,
                        supersedes=None, current=found.get("in_order", True))

    async def history(self, sub_id: str) -> list[dict[str, Any]]:
        return await self.revisions.find(
            {"submission_id": sub_id},
            {"raw": 0, "canonical": 0, "content_hash": 0},
            sort=[("revision", DESCENDING)],
        ).to_list(None)

    async def revision(self, sub_id: str, revision: int) -> dict[str, Any] | None:
        """One revision as stored, raw answers and canonical submission, without its pending event."""
        return await self.revisions.find_one({"submission_id": sub_id, "revision": revision},
                                             {"_id": 0, OUTBOX: 0, "content_hash": 0})


def _prepare(submission: Submission, raw: dict[str, Any]) -> _Prepared:
    canonical = submission.canonical_json()
    lao = lao_summary(submission.lao)
    key = lao_key(submission, lao)
    return _Prepared(submission=submission, raw=raw, canonical=canonical, digest=content_hash(canonical), lao=lao,
                     key=key, submission_id=submission_id(submission.campaign, key))


def _document(prepared: _Prepared, revision: int, received_at: datetime, *, in_order: bool = True
              ) -> dict[str, Any]:
    submission, sub_id = prepared.submission, prepared.submission_id
    event = SubmissionReceived(
        submission_id=sub_id, revision=revision, campaign=submission.campaign,
        source=submission.source, source_response_id=submission.source_response_id,
        received_at=received_at, lao=prepared.lao,
        contact=ContactSummary(name=submission.contact.name, email=submission.contact.email),
        submission=submission, edit_url=prepared.edit_url,
    )
    envelope = Envelope.build(event, producer=PRODUCER, correlation_id=sub_id)
    document = {
        "_id": f"{sub_id}/r{revision}",
        "submission_id": sub_id,
        "revision": revision,
        "campaign": submission.campaign,
        "lao_key": prepared.key,
        # Where intake placed it: tells two municipalities of one name apart (`_part_homonyms`).
        "district_code": prepared.lao.district_code,
        "source": submission.source,
        "source_response_id": submission.source_response_id,
        "submitted_at": submission.submitted_at,
        "content_hash": prepared.digest,
        "received_at": received_at,
        "received_event_id": envelope.event_id,
        "raw": prepared.raw,
        "canonical": prepared.canonical,
        "in_order": in_order,
        "edit_url": prepared.edit_url,
    }
    # An older response is history only: published, it would supersede the newer one downstream.
    return with_outbox(document, envelope) if in_order else document


def _new(prepared: _Prepared, revision: int, received_at: datetime, *, in_order: bool,
         supersedes: int | None) -> Accepted:
    return Accepted(prepared.submission_id, revision, received_at, duplicate=False,
                    supersedes=supersedes if in_order else None, current=in_order)
