"""Reporting's read models in MongoDB, updated from events and never from other services' databases.

Collections (database `<prefix>_reporting`):

    event_log         every event reporting consumed, append-only, `_id` = event id (the rebuild's source)
    submission_views  one per submission (`projection.apply`), written with optimistic concurrency
    registry          one per province: DLA's LAO list as the newest `registry.updated` gave it
    district_views    one per campaign × district: figures, expected municipalities, who has not submitted
    province_views    one per campaign × province (and `unknown` for submissions not yet placed)
    national_views    one per campaign: totals, one row per province, figures per size group
    selections        one per campaign: the newest `selection.published` (DLA's final selection), whole

Each event updates its submission's view, then *recomputes* the figures of the view's district(s) and
province(s) from the submission views (`figures.area_figures`), then the national figures from the province
views. Recomputing rather than incrementing counters is what makes duplicates, reordering and a crash
between the writes harmless: the figures are always a function of the views as they are, so an event seen
twice, late, or redelivered after a crash before the aggregates were written recomputes the same figures.

Concurrent handlers (prefetch, several replicas) could otherwise let an aggregate computed earlier land
after one computed later. Each aggregate carries `source_version`, the sum of the versions of what it was
computed from (the views that have ever been in the area, the province's registry; the province views of
the campaign). Those versions only grow, so the sum only grows, and an aggregate is written only over one
with a smaller sum: a stale computation never overwrites a fresher one.

Rankings within a size group are read straight from the submission views (an indexed sort on the score),
so they never lag behind the views they rank.
"""

from __future__ import annotations

import asyncio
import random
import re
from collections.abc import AsyncIterator, Coroutine, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import geothai
from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from services.reporting import figures as area
from services.reporting import projection
from services.reporting.projection import UNKNOWN_PROVINCE
from shared.batching import Rounds, Waiting, gather_all
from shared.bus import PermanentFailure
from shared.campaign import CampaignBook, UnknownCampaign
from shared.events import REGISTRY_UPDATED, SELECTION_PUBLISHED, Envelope, RegistryUpdated, SelectionPublished
from shared.logging import get_logger
from shared.store import GroupedInserts

log = get_logger(__name__)

Document = dict[str, Any]
_WRITE_ATTEMPTS = 8
PROVINCE_LIST_LIMIT = 2000
COLLECTIONS = ("event_log", "submission_views", "registry", "district_views", "province_views", "national_views",
               "selections")
# What the figures read of a submission view: small, so recomputing an area stays cheap.
_SLIM = {"status": 1, "score.total": 1, "score.max_total": 1, "score.tier": 1, "score.size_group": 1,
         "lao.code": 1, "version": 1, "province_key": 1, "district_key": 1}
_FIGURE_FIELDS = ("submissions", "counts", "score_sum", "average_score", "tiers", "score_histogram",
                  "size_groups", "expected", "expected_submitted")


class ViewContended(RuntimeError):
    """Too many concurrent writers of one view: the bus retries the event later."""


def province_names(key: str) -> tuple[str, str]:
    """Thai and English names of a province key ("36" or "unknown")."""
    if key == UNKNOWN_PROVINCE:
        return "ไม่ทราบจังหวัด", "Unknown province"
    province = geothai.province(key)
    if province is None:
        return key, key
    return province.name_th, province.name_en


def district_names(code: str) -> tuple[str, str]:
    district = geothai.district(code)
    if district is None:
        return code, code
    return district.name_th, district.name_en


def area_id(campaign: str, key: str) -> str:
    return f"{campaign}/{key}"


province_id = area_id


@dataclass(frozen=True)
class SubmissionFilter:
    """Which submissions a list or a ranking shows; every field narrows it."""

    province: str | None = None
    district: str | None = None
    status: str | None = None
    tier: str | None = None
    size_group: str | None = None
    name: str | None = None

    def query(self, campaign: str) -> Document:
        query: Document = {"campaign": campaign, "status": {"$ne": None}}
        if self.province is not None:
            query["lao.province_code"] = None if self.province == UNKNOWN_PROVINCE else self.province
        if self.district is not None:
            query["lao.district_code"] = self.district
        if self.status is not None:
            query["status"] = self.status
        if self.tier is not None:
            query["score.tier"] = self.tier
        if self.size_group is not None:
            query["score.size_group"] = self.size_group
        if self.name:
            query["lao.name"] = {"$regex": re.escape(self.name)}
        return query


SORTS: dict[str, list[tuple[str, int]]] = {
    "name": [("lao.name", ASCENDING), ("_id", ASCENDING)],
    "score": [("score.total", DESCENDING), ("lao.name", ASCENDING), ("_id", ASCENDING)],
    "updated": [("last_event_at", DESCENDING), ("_id", ASCENDING)],
}


class ReadModels:
    def __init__(self, db: AsyncDatabase[Document], campaigns: CampaignBook, *, prefix: str = "") -> None:
        """`prefix` names a second set of collections in the same database (the rebuild writes those)."""
        self.db = db
        self.prefix = prefix
        self.campaigns = campaigns
        self.event_log: AsyncCollection[Document] = db["event_log"]  # one log, whatever the prefix
        self.submissions: AsyncCollection[Document] = db[prefix + "submission_views"]
        self.registry: AsyncCollection[Document] = db[prefix + "registry"]
        self.districts: AsyncCollection[Document] = db[prefix + "district_views"]
        self.provinces: AsyncCollection[Document] = db[prefix + "province_views"]
        self.national: AsyncCollection[Document] = db[prefix + "national_views"]
        self.selections: AsyncCollection[Document] = db[prefix + "selections"]
        self._batch = _RefreshBatch(self)
        self._views = _ViewBatch(self)
        # Events handled side by side (prefetch) are logged in one write.
        self._log_inserts = GroupedInserts(self.event_log)

    @property
    def read_model_collections(self) -> list[AsyncCollection[Document]]:
        return [self.submissions, self.registry, self.districts, self.provinces, self.national, self.selections]

    async def create_indexes(self) -> None:
        await self.event_log.create_index([("campaign", ASCENDING), ("occurred_at", ASCENDING)],
                                          name="campaign_time")
        await self.submissions.create_index([("campaign", ASCENDING), ("lao.province_code", ASCENDING)],
                                            name="campaign_province")
        await self.submissions.create_index([("campaign", ASCENDING), ("province_keys_seen", ASCENDING)],
                                            name="campaign_provinces_seen")
        await self.submissions.create_index([("campaign", ASCENDING), ("district_keys_seen", ASCENDING)],
                                            name="campaign_districts_seen")
        await self.submissions.create_index([("campaign", ASCENDING), ("status", ASCENDING),
                                             ("score.size_group", ASCENDING), ("score.total", DESCENDING)],
                                            name="ranking")
        await self.submissions.create_index([("campaign", ASCENDING), ("unidentified", ASCENDING),
                                             ("province_key", ASCENDING)], name="unidentified")
        await self.districts.create_index([("campaign", ASCENDING), ("province_code", ASCENDING)],
                                          name="campaign_province")
        await self.provinces.create_index([("campaign", ASCENDING)], name="campaign")

    # -- the handler -------------------------------------------------------------------------

    async def handle(self, envelope: Envelope) -> None:
        """Log and project one event. Returns only once every write is done: the bus acks after this."""
        await self.log(envelope)
        if envelope.event_type == REGISTRY_UPDATED and envelope.schema_version == 1:
            await self.handle_registry(envelope)
            return
        if envelope.event_type == SELECTION_PUBLISHED and envelope.schema_version == 1:
            await self.handle_selection(envelope)
            return
        if not projection.handles(envelope):
            log.info("event ignored by reporting", schema_version=envelope.schema_version)
            return
        try:
            view, figures_may_change = await self._views.apply(envelope)
        except projection.InconsistentEvent as error:
            raise PermanentFailure(str(error)) from error
        # Also on a duplicate: a crash after the view's write but before these leaves them to the redelivery.
        # Skipped only when the event changed the view but nothing the figures read (a notification's outcome).
        if view is not None and figures_may_change:
            await self.refresh_around(view)

    async def log(self, envelope: Envelope) -> None:
        """Append the event to the log; one entry per event id, so a redelivery adds nothing."""
        campaign = envelope.data.get("campaign")
        document = {"_id": envelope.event_id, **envelope.model_dump(exclude={"event_id"}),
                    "campaign": campaign if isinstance(campaign, str) else None, "logged_at": datetime.now(UTC)}
        # False when an earlier delivery logged it already; the projection below is idempotent on its own.
        await self._log_inserts.insert(document)

    async def refresh_around(self, view: Document) -> None:
        """Recompute every area the view has been in; returns once they are written (the ack waits)."""
        await self._batch.refresh(view["campaign"], view["province_keys_seen"], view.get("district_keys_seen") or [])

    async def refresh_areas(self, areas: dict[str, tuple[set[str], set[str]]]) -> None:
        """Recompute the given provinces and districts of each campaign, then its national figures.

        Areas are independent documents, so they are recomputed side by side (a few at a time, so the store
        pipelines their reads); the nation waits for its provinces. Each province's registry is read once."""
        registries = _Registries(self.registry)
        for campaign, (provinces, districts) in sorted(areas.items()):
            async def provinces_then_nation(campaign: str = campaign, provinces: set[str] = provinces) -> None:
                await _side_by_side(self.refresh_province(campaign, key, registries) for key in sorted(provinces))
                await self.refresh_national(campaign)

            await gather_all(
                provinces_then_nation(),
                _side_by_side(self.refresh_district(campaign, code, registries) for code in sorted(districts)),
            )

    async def update_view(self, envelope: Envelope) -> Document | None:
        """Apply the event to its submission view (optimistic concurrency); the view as it now stands."""
        view, _ = await self.apply_to_view(envelope)
        return view

    async def apply_to_view(self, envelope: Envelope) -> tuple[Document | None, bool]:
        """The view after the event, and whether the area figures may need recomputing: True when what they
        read changed, and on a duplicate (its first delivery may have died before recomputing them)."""
        data = projection.read(envelope)
        assert data is not None
        for _ in range(_WRITE_ATTEMPTS):
            current = await self.submissions.find_one({"_id": data.submission_id})
            new = projection.apply(current, envelope)
            if new is None:
                return current, True
            new["_id"] = data.submission_id
            if await _write_versioned(self.submissions, current, new):
                return new, current is None or _read_by_figures(current) != _read_by_figures(new)
            await asyncio.sleep(random.uniform(0.005, 0.05))  # another event of it won the race: reload
        raise ViewContended(f"submission view {data.submission_id} kept changing under this event")

    async def apply_together(self, events: dict[str, list[_Waiting]]) -> None:
        """Apply each submission's events to its view: one read for all the views, one write per changed view.

        Each waiting handler gets the view after its submission's events and whether the figures may need
        recomputing (as `apply_to_view`), once that view is written; an event the view refuses fails alone."""
        pending = events
        for _ in range(_WRITE_ATTEMPTS):
            found = {view["_id"]: view
                     async for view in self.submissions.find({"_id": {"$in": sorted(pending)}})}
            written = await gather_all(*(self._apply_chain(submission_id, found.get(submission_id), chain)
                                         for submission_id, chain in pending.items()))
            # A view another writer changed since it was read: read it again and apply its events again.
            pending = {submission_id: chain for (submission_id, chain), done in zip(pending.items(), written,
                                                                                   strict=True) if not done}
            if not pending:
                return
            await asyncio.sleep(random.uniform(0.005, 0.05))
        for submission_id, chain in pending.items():
            for _, done in chain:
                if not done.done():
                    done.set_exception(ViewContended(f"submission view {submission_id} kept changing under this "
                                                     "event"))

    async def _apply_chain(self, submission_id: str, current: Document | None, chain: list[_Waiting]) -> bool:
        """One view and its events; False when another writer changed the view since `current` was read."""
        view = current
        outcomes: list[tuple[asyncio.Future[tuple[Document | None, bool]], bool]] = []
        for envelope, done in chain:
            if done.done():  # failed on an earlier attempt, or its handler is gone
                continue
            try:
                new = projection.apply(view, envelope)
            except projection.InconsistentEvent as error:
                done.set_exception(error)
                continue
            if new is None:  # a duplicate: its first delivery may have died before the figures were recomputed
                outcomes.append((done, True))
                continue
            outcomes.append((done, view is None or _read_by_figures(view) != _read_by_figures(new)))
            view = new
        if view is not current and view is not None:
            view["_id"] = submission_id
            if not await _write_versioned(self.submissions, current, view):
                return False
        for done, figures_may_change in outcomes:
            if not done.done():
                done.set_result((view, figures_may_change))
        return True

    async def handle_registry(self, envelope: Envelope) -> None:
        data = envelope.read(RegistryUpdated)
        for _ in range(_WRITE_ATTEMPTS):
            current = await self.registry.find_one({"_id": data.province_code})
            new = area.apply_registry(current, data)
            if new is None or await _write_versioned(self.registry, current, new):
                break
            await asyncio.sleep(random.uniform(0.005, 0.05))
        else:
            raise ViewContended(f"registry of province {data.province_code} kept changing under this event")
        for campaign in await self.campaign_keys():
            await self.refresh_province_area(campaign, data.province_code)

    async def handle_selection(self, envelope: Envelope) -> None:
        """DLA's final selection: kept whole (the newest version per campaign), put on each submission's view
        (its tier becomes final there), then every area of the campaign recomputed. Each step is idempotent, so
        a redelivery after a crash midway completes what the first delivery began."""
        data = envelope.read(SelectionPublished)
        await self.keep_selection(selection_document(data, envelope))
        for entry in data.entries:
            for _ in range(_WRITE_ATTEMPTS):
                current = await self.submissions.find_one({"_id": entry.submission_id})
                new = projection.apply_selection(current, entry, data, envelope)
                if new is None:
                    break
                new["_id"] = entry.submission_id
                if await _write_versioned(self.submissions, current, new):
                    break
                await asyncio.sleep(random.uniform(0.005, 0.05))
            else:
                raise ViewContended(f"submission view {entry.submission_id} kept changing under this event")
        await self.refresh_campaign(data.campaign)

    async def keep_selection(self, document: Document) -> None:
        """Store a publication unless one as new or newer is stored already."""
        try:
            await self.selections.replace_one({"_id": document["_id"],
                                               "selection_version": {"$lt": document["selection_version"]}},
                                              document, upsert=True)
        except DuplicateKeyError:
            pass  # a newer (or the same) publication is kept already

    async def selection(self, campaign: str) -> Document | None:
        return await self.selections.find_one({"_id": campaign})

    async def campaign_keys(self) -> list[str]:
        """Campaigns whose expected figures a registry change touches: configured ones and any with views."""
        seen = await self.national.distinct("campaign")
        return sorted({*self.campaigns.keys(), *seen})

    def eligible_types(self, campaign: str) -> tuple[str, ...]:
        try:
            return self.campaigns.get(campaign).eligible_lao_types
        except UnknownCampaign:
            return ()

    # -- aggregates --------------------------------------------------------------------------

    async def refresh_province_area(self, campaign: str, province_code: str) -> None:
        """Every district of a province, the province, and the nation (after its registry changed)."""
        registry = await self.registry.find_one({"_id": province_code})
        codes = {lao.get("district_code") for lao in (registry or {}).get("laos", [])}
        codes |= set(await self.districts.distinct("district_code",
                                                   {"campaign": campaign, "province_code": province_code}))
        codes |= set(await self.submissions.distinct("district_keys_seen", {
            "campaign": campaign, "province_keys_seen": province_code}))
        for code in sorted(c for c in codes if isinstance(c, str) and c.startswith(province_code)):
            await self.refresh_district(campaign, code)
        await self.refresh_province(campaign, province_code)
        await self.refresh_national(campaign)

    async def refresh_campaign(self, campaign: str) -> None:
        """Every aggregate of a campaign, from the submission views and the registry."""
        districts = set(await self.submissions.distinct("district_keys_seen", {"campaign": campaign}))
        provinces = set(await self.submissions.distinct("province_keys_seen", {"campaign": campaign}))
        async for registry in self.registry.find({}, {"laos.district_code": 1}):
            provinces.add(registry["_id"])
            districts |= {lao.get("district_code") for lao in registry.get("laos", [])}
        for code in sorted(c for c in districts if isinstance(c, str)):
            await self.refresh_district(campaign, code)
        for key in sorted(provinces):
            await self.refresh_province(campaign, key)
        await self.refresh_national(campaign)

    async def _views_seen(self, campaign: str, field: str, key: str) -> list[Document]:
        return await self.submissions.find({"campaign": campaign, field: key}, _SLIM,
                                           sort=[("_id", ASCENDING)]).to_list(None)

    async def refresh_district(self, campaign: str, code: str, registries: _Registries | None = None) -> None:
        """Recompute one district's figures and store them unless fresher ones exist."""
        seen = await self._views_seen(campaign, "district_keys_seen", code)
        here = [view for view in seen if view.get("district_key") == code]
        province_code = code[:2]
        registry = await (registries or _Registries(self.registry)).get(province_code)
        expected = area.expected_laos(registry, self.eligible_types(campaign), code)
        name_th, name_en = district_names(code)
        province_th, province_en = province_names(province_code)
        document = {
            "_id": area_id(campaign, code),
            "campaign": campaign,
            "district_code": code,
            "district_name_th": name_th,
            "district_name_en": name_en,
            "province_code": province_code,
            "province_name_th": province_th,
            "province_name_en": province_en,
            **area.area_figures(here),
            **area.coverage(expected, here),
            "source_version": _versions(seen) + int((registry or {}).get("version", 0)),
            "updated_at": datetime.now(UTC),
        }
        await _replace_if_fresher(self.districts, document)

    async def refresh_province(self, campaign: str, key: str, registries: _Registries | None = None) -> None:
        """Recompute one province's figures and store them unless fresher ones exist."""
        seen = await self._views_seen(campaign, "province_keys_seen", key)
        here = [view for view in seen if view.get("province_key") == key]
        registry = None if key == UNKNOWN_PROVINCE else await (registries or _Registries(self.registry)).get(key)
        expected = area.expected_laos(registry, self.eligible_types(campaign))
        coverage = area.coverage(expected, here)
        name_th, name_en = province_names(key)
        document = {
            "_id": area_id(campaign, key),
            "campaign": campaign,
            "province_key": key,
            "province_code": None if key == UNKNOWN_PROVINCE else key,
            "province_name_th": name_th,
            "province_name_en": name_en,
            **area.area_figures(here),
            "expected": coverage["expected"],
            "expected_submitted": coverage["expected_submitted"],
            "registry_imported_at": (registry or {}).get("imported_at"),
            "source_version": _versions(seen) + int((registry or {}).get("version", 0)),
            "updated_at": datetime.now(UTC),
        }
        await _replace_if_fresher(self.provinces, document)

    async def refresh_national(self, campaign: str) -> None:
        """Recompute the campaign's national figures from its province views."""
        provinces = await self.provinces.find({"campaign": campaign}, sort=[("province_key", ASCENDING)]).to_list(None)
        rows = [{"province_key": p["province_key"], "province_code": p["province_code"],
                 "province_name_th": p["province_name_th"], "province_name_en": p["province_name_en"],
                 **{field: p.get(field) for field in _FIGURE_FIELDS}}
                for p in provinces if p["submissions"] or p.get("expected") is not None]
        document = {"_id": campaign, "campaign": campaign, **area.merge(provinces), "provinces": rows,
                    "source_version": sum(int(p["source_version"]) for p in provinces),
                    "updated_at": datetime.now(UTC)}
        await _replace_if_fresher(self.national, document)

    # -- reads -------------------------------------------------------------------------------

    async def submission(self, submission_id: str) -> Document | None:
        return await self.submissions.find_one({"_id": submission_id})

    async def province(self, campaign: str, key: str) -> Document | None:
        return await self.provinces.find_one({"_id": area_id(campaign, key)})

    async def district(self, campaign: str, code: str) -> Document | None:
        return await self.districts.find_one({"_id": area_id(campaign, code)})

    async def province_districts(self, campaign: str, province_code: str) -> list[Document]:
        return await self.districts.find({"campaign": campaign, "province_code": province_code},
                                         sort=[("district_code", ASCENDING)]).to_list(None)

    async def province_submissions(self, campaign: str, key: str) -> list[Document]:
        _, items = await self.list_submissions(campaign, SubmissionFilter(province=key), limit=PROVINCE_LIST_LIMIT)
        return items

    async def list_submissions(self, campaign: str, where: SubmissionFilter, *, sort: str = "name",
                               limit: int = 50, offset: int = 0) -> tuple[int, list[Document]]:
        query = where.query(campaign)
        total = await self.submissions.count_documents(query)
        items = await self.submissions.find(query, {"applied_event_ids": 0}, sort=SORTS[sort], skip=offset,
                                            limit=limit).to_list(None)
        return total, items

    async def ranking(self, campaign: str, size_group: str, where: SubmissionFilter, *, limit: int = 50,
                      offset: int = 0) -> tuple[int, list[tuple[int, Document]]]:
        """Scored submissions of a size group by total, best first, each with its rank in the whole size group
        (equal totals share a rank: 1, 2, 2, 4)."""
        where = SubmissionFilter(province=where.province, district=where.district, status="scored",
                                 tier=where.tier, size_group=size_group, name=where.name)
        total, items = await self.list_submissions(campaign, where, sort="score", limit=limit, offset=offset)
        ranked: list[tuple[int, Document]] = []
        above: dict[float, int] = {}
        for item in items:
            score = float(item["score"]["total"])
            if score not in above:
                above[score] = await self.submissions.count_documents({
                    "campaign": campaign, "status": "scored", "score.size_group": size_group,
                    "score.total": {"$gt": score}})
            ranked.append((above[score] + 1, item))
        return total, ranked

    async def size_groups(self, campaign: str) -> list[str]:
        groups = await self.submissions.distinct("score.size_group", {"campaign": campaign, "status": "scored"})
        return sorted(g for g in groups if isinstance(g, str))

    async def national_view(self, campaign: str) -> Document | None:
        return await self.national.find_one({"_id": campaign})

    async def unidentified(self, campaign: str, *, province_key: str | None = None,
                           district_code: str | None = None, limit: int = 500) -> list[Document]:
        """The applications whose current revision could not be tied to an LAO, oldest first."""
        query: Document = {"campaign": campaign, "unidentified": {"$type": "string"}}
        if province_key is not None:
            query["province_key"] = province_key
        if district_code is not None:
            query["district_key"] = district_code
        return await self.submissions.find(query, {"applied_event_ids": 0}, sort=[("_id", ASCENDING)],
                                           limit=limit).to_list(None)

    async def registry_of(self, province_code: str) -> Document | None:
        return await self.registry.find_one({"_id": province_code})

    async def logged_events(self, campaign: str | None = None) -> AsyncIterator[Envelope]:
        """The logged events of a campaign and every registry event (or the whole log), oldest first."""
        query: Document = {} if campaign is None else {"campaign": {"$in": [campaign, None]}}
        async for document in self.event_log.find(query, sort=[("occurred_at", ASCENDING), ("_id", ASCENDING)]):
            yield Envelope.model_validate({**document, "event_id": document["_id"]})

    async def drop(self) -> None:
        for collection in self.read_model_collections:
            await collection.drop()


_Waiting = Waiting[Envelope, tuple[Document | None, bool]]


class _ViewBatch:
    """Events handled side by side are applied to their submission views together.

    Under load reporting holds many messages at once, often several of one submission (received, validated,
    scored, notifications). The batch reads every view it needs in one query, lets each view take all its events
    in memory, and writes each changed view once, with the optimistic concurrency of a single event (the version
    read). Events arriving while a batch is written form the next one. Each handler returns only after its own
    view is written, so the bus still acks only what is durable.
    """

    def __init__(self, read_models: ReadModels) -> None:
        self.read_models = read_models
        self._rounds: Rounds[Envelope, tuple[Document | None, bool]] = Rounds(self._round)

    async def apply(self, envelope: Envelope) -> tuple[Document | None, bool]:
        return await self._rounds.submit(envelope)

    async def _round(self, batch: list[_Waiting]) -> None:
        by_submission: dict[str, list[_Waiting]] = {}
        for envelope, done in batch:
            data = projection.read(envelope)
            assert data is not None
            by_submission.setdefault(data.submission_id, []).append((envelope, done))
        await self.read_models.apply_together(by_submission)  # if the store fails, the whole batch is retried


class _RefreshBatch:
    """Handlers that finish their view writes while a recomputation is running share the next one.

    Under load many events of the same province arrive together (prefetch); recomputing its figures once
    for all of them, instead of once each, keeps the store's work per event small. Each handler still
    returns (and so is acked) only after a recomputation that *started after its own view write* has
    written the figures, so a crash loses nothing: the unacked events are redelivered and recompute them.
    """

    def __init__(self, read_models: ReadModels) -> None:
        self.read_models = read_models
        self._rounds: Rounds[tuple[str, Sequence[str], Sequence[str]], None] = Rounds(self._round)

    async def refresh(self, campaign: str, provinces: Sequence[str], districts: Sequence[str]) -> None:
        await self._rounds.submit((campaign, provinces, districts))

    async def _round(self, batch: list[Waiting[tuple[str, Sequence[str], Sequence[str]], None]]) -> None:
        areas: dict[str, tuple[set[str], set[str]]] = {}
        for (campaign, provinces, districts), _ in batch:
            wanted_provinces, wanted_districts = areas.setdefault(campaign, (set(), set()))
            wanted_provinces.update(provinces)
            wanted_districts.update(districts)
        await self.read_models.refresh_areas(areas)  # if it fails, every handler of the round is retried
        for _, done in batch:
            if not done.done():
                done.set_result(None)


_AREAS_AT_ONCE = 8


async def _side_by_side(refreshes: Iterable[Coroutine[Any, Any, None]]) -> None:
    """Run the refreshes, at most `_AREAS_AT_ONCE` at a time; the first failure is raised once all ended."""
    limit = asyncio.Semaphore(_AREAS_AT_ONCE)

    async def one(refresh: Coroutine[Any, Any, None]) -> None:
        async with limit:
            await refresh

    await gather_all(*(one(refresh) for refresh in refreshes))


class _Registries:
    """The provinces' registry documents, each read at most once (one recomputation round)."""

    def __init__(self, collection: AsyncCollection[Document]) -> None:
        self.collection = collection
        self._reads: dict[str, asyncio.Task[Document | None]] = {}

    async def get(self, province_code: str) -> Document | None:
        if province_code not in self._reads:
            self._reads[province_code] = asyncio.ensure_future(self.collection.find_one({"_id": province_code}))
        return await self._reads[province_code]


def _read_by_figures(view: Document) -> tuple[Any, ...]:
    """What of a view the area figures read (see `_SLIM`), and the areas it has been in."""
    score = view.get("score") or {}
    return (view.get("status"), score.get("total"), score.get("max_total"), score.get("tier"),
            score.get("size_group"), (view.get("lao") or {}).get("code"), view.get("province_key"),
            view.get("district_key"), view.get("province_keys_seen"), view.get("district_keys_seen"))


def _versions(views: Sequence[Document]) -> int:
    return sum(int(view.get("version", 0)) for view in views)


async def _write_versioned(collection: AsyncCollection[Document], current: Document | None, new: Document) -> bool:
    """Insert, or replace the version read; False when another writer got there first."""
    if current is None:
        try:
            await collection.insert_one(new)
        except DuplicateKeyError:
            log.debug("view created concurrently; reloading")
            return False
        return True
    result = await collection.replace_one({"_id": new["_id"], "version": current["version"]}, new)
    return result.matched_count == 1


async def _replace_if_fresher(collection: AsyncCollection[Document], document: Document) -> None:
    """Write the aggregate unless the stored one was computed from the same or a later state."""
    selector = {"_id": document["_id"], "source_version": {"$lt": document["source_version"]}}
    try:
        await collection.replace_one(selector, document, upsert=True)
    except DuplicateKeyError:
        # It exists and did not match: it is at least as fresh, or it was inserted concurrently just now;
        # without the upsert the condition alone decides.
        await collection.replace_one(selector, document)


def selection_document(data: SelectionPublished, envelope: Envelope) -> Document:
    """A publication as `selections` keeps it: the event's data, by campaign."""
    return {"_id": data.campaign, **data.model_dump(mode="python"), "event_id": envelope.event_id}
