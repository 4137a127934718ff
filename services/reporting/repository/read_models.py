"""Reporting's read models in MongoDB, written from events and never from other services' databases.

Collections (database `<prefix>_reporting`):

    event_log         every event reporting consumed, append-only, `_id` = event id (the rebuild's source)
    submission_views  one per submission (`projection.apply`), written with optimistic concurrency
    registry          one per province: DLA's LAO list as the newest `registry.updated` gave it
    district_views    one per campaign × district: figures, expected municipalities, who has not submitted
    province_views    one per campaign × province (and `unknown` for submissions not yet placed)
    national_views    one per campaign: totals, one row per province, figures per size group
    selections        one per campaign: the newest `selection.published` (DLA's final selection), whole

A view is written only over the version it was computed from (`version`); an aggregate only over one computed
from less (`source_version`, the sum of the versions of what it was computed from, which only grows), so a
stale computation never overwrites a fresher one (`writes.py`; services/reporting/application/view_updates.py
computes the aggregates). Rankings within a size group are read straight from the submission views (an indexed
sort on the score), so they never lag behind the views they rank.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from services.reporting import figures as area
from services.reporting import projection
from services.reporting.places import area_id
from services.reporting.repository import writes
from services.reporting.repository.filters import SORTS, SubmissionFilter
from services.reporting.repository.writes import WRITE_ATTEMPTS, ViewContended
from shared.batching import Rounds, Waiting, gather_all
from shared.campaign import CampaignBook
from shared.events import Envelope, RegistryUpdated, SelectionEntry, SelectionPublished
from shared.store import GroupedInserts

Document = dict[str, Any]
PROVINCE_LIST_LIMIT = 2000
# What the figures read of a submission view: small, so recomputing an area stays cheap.
_SLIM = {"status": 1, "score.total": 1, "score.max_total": 1, "score.tier": 1, "score.size_group": 1,
         "lao.code": 1, "version": 1, "province_key": 1, "district_key": 1}


class ReadModels:
    def __init__(self, db: AsyncDatabase[Document], campaigns: CampaignBook, *, prefix: str = "") -> None:
        """`prefix` names a second set of collections in the same database (the rebuild writes those)."""
        self.db = db
        self.campaigns = campaigns
        self.event_log: AsyncCollection[Document] = db["event_log"]  # one log, whatever the prefix
        self.submissions: AsyncCollection[Document] = db[prefix + "submission_views"]
        self.registry: AsyncCollection[Document] = db[prefix + "registry"]
        self.districts: AsyncCollection[Document] = db[prefix + "district_views"]
        self.provinces: AsyncCollection[Document] = db[prefix + "province_views"]
        self.national: AsyncCollection[Document] = db[prefix + "national_views"]
        self.selections: AsyncCollection[Document] = db[prefix + "selections"]
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

    # -- what events write -------------------------------------------------------------------

    async def log(self, envelope: Envelope) -> None:
        """Append the event to the log; one entry per event id, so a redelivery adds nothing."""
        campaign = envelope.data.get("campaign")
        document = {"_id": envelope.event_id, **envelope.model_dump(exclude={"event_id"}),
                    "campaign": campaign if isinstance(campaign, str) else None, "logged_at": datetime.now(UTC)}
        # False when an earlier delivery logged it already; the projection is idempotent on its own.
        await self._log_inserts.insert(document)

    async def write_view(self, envelope: Envelope) -> tuple[Document | None, bool]:
        """Apply a `submission.*` or `notification.*` event to its submission view, together with the other
        events in hand (`_ViewBatch`); once written, the view and whether the area figures may need recomputing:
        True when what they read changed, and on a duplicate (its first delivery may have died before
        recomputing them). Raises `projection.InconsistentEvent` for an event the view refuses."""
        return await self._views.apply(envelope)

    async def apply_together(self, events: dict[str, list[_Waiting]]) -> None:
        """Apply each submission's events to its view: one read for all the views, one write per changed view.

        Each waiting handler gets the view after its submission's events and whether the figures may need
        recomputing (as `write_view`), once that view is written; an event the view refuses fails alone."""
        pending = events
        for _ in range(WRITE_ATTEMPTS):
            found = {view["_id"]: view
                     async for view in self.submissions.find({"_id": {"$in": sorted(pending)}})}
            written = await gather_all(*(self._apply_chain(submission_id, found.get(submission_id), chain)
                                         for submission_id, chain in pending.items()))
            # A view another writer changed since it was read: read it again and apply its events again.
            pending = {submission_id: chain for (submission_id, chain), done in zip(pending.items(), written,
                                                                                   strict=True) if not done}
            if not pending:
                return
            await writes.pause()
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
            if not await writes.write_versioned(self.submissions, current, view):
                return False
        for done, figures_may_change in outcomes:
            if not done.done():
                done.set_result((view, figures_may_change))
        return True

    async def write_registry(self, data: RegistryUpdated) -> None:
        """A province's registry after `registry.updated` (`figures.apply_registry`); an older import changes
        nothing."""
        for _ in range(WRITE_ATTEMPTS):
            current = await self.registry.find_one({"_id": data.province_code})
            new = area.apply_registry(current, data)
            if new is None or await writes.write_versioned(self.registry, current, new):
                return
            await writes.pause()
        raise ViewContended(f"registry of province {data.province_code} kept changing under this event")

    async def keep_selection(self, document: Document) -> None:
        """Store a publication unless one as new or newer is stored already."""
        try:
            await self.selections.replace_one({"_id": document["_id"],
                                               "selection_version": {"$lt": document["selection_version"]}},
                                              document, upsert=True)
        except DuplicateKeyError:
            pass  # a newer (or the same) publication is kept already

    async def write_selection(self, entry: SelectionEntry, selection: SelectionPublished,
                              envelope: Envelope) -> None:
        """DLA's final decision on one submission, put on its view (`projection.apply_selection`)."""
        for _ in range(WRITE_ATTEMPTS):
            current = await self.submissions.find_one({"_id": entry.submission_id})
            new = projection.apply_selection(current, entry, selection, envelope)
            if new is None:
                return
            new["_id"] = entry.submission_id
            if await writes.write_versioned(self.submissions, current, new):
                return
            await writes.pause()
        raise ViewContended(f"submission view {entry.submission_id} kept changing under this event")

    # -- what the area figures are computed from, and their writes ----------------------------

    def registries(self) -> Registries:
        """The provinces' registries, each read at most once (for one recomputation round)."""
        return Registries(self.registry)

    async def views_seen(self, campaign: str, field: str, key: str) -> list[Document]:
        """The slim views (`_SLIM`) that have ever been in an area (`field`: province_keys_seen or
        district_keys_seen)."""
        return await self.submissions.find({"campaign": campaign, field: key}, _SLIM,
                                           sort=[("_id", ASCENDING)]).to_list(None)

    async def campaigns_with_figures(self) -> list[str]:
        return [c for c in await self.national.distinct("campaign") if isinstance(c, str)]

    async def district_codes_of_province(self, campaign: str, province_code: str) -> set[str]:
        """Every district of the province that the registry lists, that has figures or that a view has been in."""
        registry = await self.registry.find_one({"_id": province_code})
        codes = {lao.get("district_code") for lao in (registry or {}).get("laos", [])}
        codes |= set(await self.districts.distinct("district_code",
                                                   {"campaign": campaign, "province_code": province_code}))
        codes |= set(await self.submissions.distinct("district_keys_seen", {
            "campaign": campaign, "province_keys_seen": province_code}))
        return {c for c in codes if isinstance(c, str) and c.startswith(province_code)}

    async def areas_of_campaign(self, campaign: str) -> tuple[set[str], set[str]]:
        """(province keys, district codes) of every area of a campaign: those its views have been in and
        those of every registry."""
        districts = set(await self.submissions.distinct("district_keys_seen", {"campaign": campaign}))
        provinces = set(await self.submissions.distinct("province_keys_seen", {"campaign": campaign}))
        async for registry in self.registry.find({}, {"laos.district_code": 1}):
            provinces.add(registry["_id"])
            districts |= {lao.get("district_code") for lao in registry.get("laos", [])}
        return ({p for p in provinces if isinstance(p, str)}, {d for d in districts if isinstance(d, str)})

    async def province_views(self, campaign: str) -> list[Document]:
        return await self.provinces.find({"campaign": campaign}, sort=[("province_key", ASCENDING)]).to_list(None)

    async def write_district(self, document: Document) -> None:
        await writes.replace_if_fresher(self.districts, document)

    async def write_province(self, document: Document) -> None:
        await writes.replace_if_fresher(self.provinces, document)

    async def write_national(self, document: Document) -> None:
        await writes.replace_if_fresher(self.national, document)

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

    async def campaign_districts(self, campaign: str) -> list[Document]:
        return await self.districts.find({"campaign": campaign}, sort=[("district_code", ASCENDING)]).to_list(None)

    async def national_view(self, campaign: str) -> Document | None:
        return await self.national.find_one({"_id": campaign})

    async def selection(self, campaign: str) -> Document | None:
        return await self.selections.find_one({"_id": campaign})

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

    async def size_group_names(self, campaign: str, groups: Iterable[str]) -> dict[str, tuple[str, str]]:
        """The Thai and English names the scores of the campaign give each size group (the rubric's, as scoring
        put them on its events); a group none of whose scores carries names is left out."""
        names: dict[str, tuple[str, str]] = {}
        for group in groups:
            found = await self.submissions.find_one(
                {"campaign": campaign, "status": "scored", "score.size_group": group,
                 "score.size_group_th": {"$type": "string"}},
                {"score.size_group_th": 1, "score.size_group_en": 1}, sort=[("_id", ASCENDING)])
            if found is not None:
                score = found["score"]
                names[group] = (score["size_group_th"], score.get("size_group_en") or group)
        return names

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

    async def registry_lao(self, code: str) -> Document | None:
        """The LAO with this 7-digit code in its province's registry (digits 2-3 are the province)."""
        registry = await self.registry.find_one({"_id": code[1:3]})
        if registry is None:
            return None
        found: Document | None = next((lao for lao in registry.get("laos", []) if lao.get("code") == code), None)
        return found

    # -- the rebuild from the log ------------------------------------------------------------

    async def logged_events(self, campaign: str | None = None) -> AsyncIterator[Envelope]:
        """The logged events of a campaign and every registry event (or the whole log), oldest first."""
        query: Document = {} if campaign is None else {"campaign": {"$in": [campaign, None]}}
        async for document in self.event_log.find(query, sort=[("occurred_at", ASCENDING), ("_id", ASCENDING)]):
            yield Envelope.model_validate({**document, "event_id": document["_id"]})

    async def load(self, views: Sequence[Document], registries: Sequence[Document],
                   selections: Sequence[Document]) -> None:
        """Write replayed documents into empty collections (the rebuild's)."""
        for collection, documents in ((self.submissions, views), (self.registry, registries),
                                      (self.selections, selections)):
            if documents:
                await collection.insert_many(list(documents))

    def _campaign_collections(self, campaign: str) -> dict[str, tuple[AsyncCollection[Document], Document]]:
        return {"submission_views": (self.submissions, {"campaign": campaign}), "registry": (self.registry, {}),
                "district_views": (self.districts, {"campaign": campaign}),
                "province_views": (self.provinces, {"campaign": campaign}),
                "national_views": (self.national, {"campaign": campaign})}

    async def campaign_documents(self, campaign: str) -> dict[str, dict[str, Document]]:
        """Every read-model document of a campaign and every registry, by collection name and `_id`."""
        return {name: {str(d["_id"]): d async for d in collection.find(query)}
                for name, (collection, query) in self._campaign_collections(campaign).items()}

    async def replace_campaign(self, source: ReadModels, campaign: str) -> None:
        """Put `source`'s documents of the campaign (and its registries) in place of these."""
        mine = self._campaign_collections(campaign)
        for name, (collection, query) in source._campaign_collections(campaign).items():
            documents = await collection.find(query).to_list(None)
            target = mine[name][0]
            await target.delete_many(query)
            if documents:
                await target.insert_many(documents)

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


class Registries:
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
