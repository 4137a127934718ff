"""Reporting's read models in MongoDB: one view per submission, one per province, one per campaign.

Each event updates its submission's view (`projection.apply`, written with optimistic concurrency), then
*recomputes* the figures of the view's province(s) from the submission views with an aggregation, then
the national figures from the province views. Recomputing from the per-submission views, rather than
incrementing and decrementing counters, is what makes duplicates, reordering and a crash between the
writes harmless: the province and national figures are always a function of the submission views as they
are, so an event seen twice, late, or redelivered after a crash that came before the aggregates were
written simply recomputes the same figures again.

Concurrent handlers (prefetch, several replicas) could otherwise let an aggregate computed earlier land
after one computed later. Each aggregate carries `source_version`, the sum of the versions of what it was
computed from (submission views that have ever been in the province; province views of the campaign).
Those versions only grow, so that sum only grows, and an aggregate is written only over one with a
smaller sum: a stale computation never overwrites a fresher one.
"""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime
from typing import Any

import geothai
from pymongo import ASCENDING
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError

from services.reporting import projection
from services.reporting.projection import STATUSES, TIERS, UNKNOWN_PROVINCE
from shared.bus import PermanentFailure
from shared.events import Envelope
from shared.logging import get_logger

log = get_logger(__name__)

Document = dict[str, Any]
_WRITE_ATTEMPTS = 8
PROVINCE_LIST_LIMIT = 2000


class ViewContended(RuntimeError):
    """Too many concurrent writers of one submission view: the bus retries the event later."""


def province_names(key: str) -> tuple[str, str]:
    """Thai and English names of a province key ("36" or "unknown")."""
    if key == UNKNOWN_PROVINCE:
        return "ไม่ทราบจังหวัด", "Unknown province"
    province = geothai.province(key)
    if province is None:
        return key, key
    return province.name_th, province.name_en


def _empty_figures() -> Document:
    return {"submissions": 0, "counts": dict.fromkeys(STATUSES, 0), "score_sum": 0.0, "average_score": None,
            "tiers": dict.fromkeys(TIERS, 0)}


def _average(score_sum: float, scored: int) -> float | None:
    return round(score_sum / scored, 2) if scored else None


def province_id(campaign: str, key: str) -> str:
    return f"{campaign}/{key}"


class ReadModels:
    def __init__(self, submissions: AsyncCollection[Document], provinces: AsyncCollection[Document],
                 national: AsyncCollection[Document]) -> None:
        self.submissions = submissions
        self.provinces = provinces
        self.national = national

    async def create_indexes(self) -> None:
        await self.submissions.create_index([("campaign", ASCENDING), ("lao.province_code", ASCENDING)],
                                            name="campaign_province")
        await self.submissions.create_index([("campaign", ASCENDING), ("province_keys_seen", ASCENDING)],
                                            name="campaign_provinces_seen")
        await self.provinces.create_index([("campaign", ASCENDING)], name="campaign")

    # -- the handler -------------------------------------------------------------------------

    async def handle(self, envelope: Envelope) -> None:
        """Project one event. Returns only once every write is done: the bus acks after this."""
        if not projection.handles(envelope):
            log.info("event ignored by reporting", schema_version=envelope.schema_version)
            return
        try:
            view = await self.update_view(envelope)
        except projection.InconsistentEvent as error:
            raise PermanentFailure(str(error)) from error
        if view is None:
            return
        # Also on a duplicate: a crash after the view's write but before these leaves them to the redelivery.
        campaign = view["campaign"]
        for key in view["province_keys_seen"]:
            await self.refresh_province(campaign, key)
        await self.refresh_national(campaign)

    async def update_view(self, envelope: Envelope) -> Document | None:
        """Apply the event to its submission view (optimistic concurrency); the view as it now stands."""
        data = projection.read(envelope)
        assert data is not None
        for _ in range(_WRITE_ATTEMPTS):
            current = await self.submissions.find_one({"_id": data.submission_id})
            new = projection.apply(current, envelope)
            if new is None:
                return current
            new["_id"] = data.submission_id
            if current is None:
                try:
                    await self.submissions.insert_one(new)
                except DuplicateKeyError:
                    log.debug("submission view created concurrently; reloading")
                    continue  # another event of this submission created it first: apply onto that one
                return new
            result = await self.submissions.replace_one({"_id": data.submission_id, "version": current["version"]},
                                                        new)
            if result.matched_count == 1:
                return new
            log.debug("submission view changed concurrently; reloading")
            await asyncio.sleep(random.uniform(0.005, 0.05))  # another event of it won the race: reload
        raise ViewContended(f"submission view {data.submission_id} kept changing under this event")

    # -- aggregates --------------------------------------------------------------------------

    async def refresh_province(self, campaign: str, key: str) -> None:
        """Recompute one province's figures from the submission views and store them unless fresher exist."""
        pipeline: list[Document] = [
            {"$match": {"campaign": campaign, "province_keys_seen": key}},
            {"$group": {
                "_id": {"here": {"$eq": ["$province_key", key]}, "status": "$status", "tier": "$score.tier"},
                "n": {"$sum": 1},
                "score_sum": {"$sum": "$score.total"},
                "version_sum": {"$sum": "$version"},
            }},
        ]
        figures = _empty_figures()
        source_version = 0
        async for group in await self.submissions.aggregate(pipeline):
            source_version += int(group["version_sum"])
            status = group["_id"].get("status")
            if not group["_id"].get("here") or status not in figures["counts"]:
                continue  # moved to another province, or only notifications seen so far
            figures["submissions"] += group["n"]
            figures["counts"][status] += group["n"]
            if status == "scored":
                figures["score_sum"] += float(group["score_sum"] or 0)
                tier = group["_id"].get("tier")
                if tier in figures["tiers"]:
                    figures["tiers"][tier] += group["n"]
        figures["average_score"] = _average(figures["score_sum"], figures["counts"]["scored"])
        name_th, name_en = province_names(key)
        document = {
            "_id": province_id(campaign, key),
            "campaign": campaign,
            "province_key": key,
            "province_code": None if key == UNKNOWN_PROVINCE else key,
            "province_name_th": name_th,
            "province_name_en": name_en,
            **figures,
            "source_version": source_version,
            "updated_at": datetime.now(UTC),
        }
        await _replace_if_fresher(self.provinces, document)

    async def refresh_national(self, campaign: str) -> None:
        """Recompute the campaign's national figures from its province views."""
        totals = _empty_figures()
        rows = []
        source_version = 0
        async for province in self.provinces.find({"campaign": campaign}, sort=[("province_key", ASCENDING)]):
            source_version += int(province["source_version"])
            if not province["submissions"]:
                continue
            totals["submissions"] += province["submissions"]
            for status in STATUSES:
                totals["counts"][status] += province["counts"].get(status, 0)
            for tier in TIERS:
                totals["tiers"][tier] += province["tiers"].get(tier, 0)
            totals["score_sum"] += province["score_sum"]
            rows.append({field: province[field] for field in (
                "province_key", "province_code", "province_name_th", "province_name_en", "submissions",
                "counts", "score_sum", "average_score", "tiers")})
        totals["average_score"] = _average(totals["score_sum"], totals["counts"]["scored"])
        document = {"_id": campaign, "campaign": campaign, **totals, "provinces": rows,
                    "source_version": source_version, "updated_at": datetime.now(UTC)}
        await _replace_if_fresher(self.national, document)

    # -- reads -------------------------------------------------------------------------------

    async def submission(self, submission_id: str) -> Document | None:
        return await self.submissions.find_one({"_id": submission_id})

    async def province(self, campaign: str, key: str) -> Document | None:
        return await self.provinces.find_one({"_id": province_id(campaign, key)})

    async def province_submissions(self, campaign: str, key: str) -> list[Document]:
        code = None if key == UNKNOWN_PROVINCE else key
        return await self.submissions.find(
            {"campaign": campaign, "lao.province_code": code, "status": {"$ne": None}},
            {"submission_id": 1, "lao": 1, "status": 1, "current_revision": 1, "score": 1},
            sort=[("lao.name", ASCENDING), ("_id", ASCENDING)],
            limit=PROVINCE_LIST_LIMIT,
        ).to_list(None)

    async def national_view(self, campaign: str) -> Document | None:
        return await self.national.find_one({"_id": campaign})


async def _replace_if_fresher(collection: AsyncCollection[Document], document: Document) -> None:
    """Write the aggregate unless the stored one was computed from the same or a later state."""
    selector = {"_id": document["_id"], "source_version": {"$lt": document["source_version"]}}
    try:
        await collection.replace_one(selector, document, upsert=True)
    except DuplicateKeyError:
        # It exists and did not match: it is at least as fresh, or it was inserted concurrently just now;
        # without the upsert the condition alone decides.
        await collection.replace_one(selector, document)
