"""View updates: every event reporting consumes, applied to its read models.

Each event updates its submission's view (`projection.apply`, written by the repository), then *recomputes*
the figures of the view's district(s) and province(s) from the submission views (`figures.area_figures`),
then the national figures from the province views. Recomputing rather than incrementing counters is what
makes duplicates, reordering and a crash between the writes harmless: the figures are always a function of
the views as they are, so an event seen twice, late, or redelivered after a crash before the aggregates were
written recomputes the same figures.

Concurrent handlers (prefetch, several replicas) could otherwise let an aggregate computed earlier land after
one computed later. Each aggregate carries `source_version`, the sum of the versions of what it was computed
from (the views that have ever been in the area, the province's registry; the province views of the
campaign). Those versions only grow, so the sum only grows, and the repository writes an aggregate only over
one with a smaller sum: a stale computation never overwrites a fresher one.

Handlers in hand together share one recomputation of the areas they touch (`RefreshBatch`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

from services.reporting import figures as area
from services.reporting import projection
from services.reporting.places import area_id, district_names, province_names
from services.reporting.projection import UNKNOWN_PROVINCE
from services.reporting.repository import ReadModels, Registries
from shared.batching import Rounds, Waiting, gather_all
from shared.bus import PermanentFailure
from shared.campaign import UnknownCampaign
from shared.events import REGISTRY_UPDATED, SELECTION_PUBLISHED, Envelope, RegistryUpdated, SelectionPublished
from shared.logging import get_logger

log = get_logger(__name__)

Document = dict[str, Any]
Areas = dict[str, tuple[set[str], set[str]]]  # campaign → (province keys, district codes)
_FIGURE_FIELDS = ("submissions", "counts", "score_sum", "average_score", "tiers", "score_histogram",
                  "size_groups", "expected", "expected_submitted")
_AREAS_AT_ONCE = 8


class ViewUpdates:
    def __init__(self, read_models: ReadModels) -> None:
        self.read_models = read_models
        self._batch = RefreshBatch(self)

    async def handle(self, envelope: Envelope) -> None:
        """Log and project one event. Returns only once every write is done: the bus acks after this."""
        await self.read_models.log(envelope)
        if envelope.event_type == REGISTRY_UPDATED and envelope.schema_version == 1:
            await self.registry_updated(envelope.read(RegistryUpdated))
            return
        if envelope.event_type == SELECTION_PUBLISHED and envelope.schema_version == 1:
            await self.selection_published(envelope)
            return
        if not projection.handles(envelope):
            log.info("event ignored by reporting", schema_version=envelope.schema_version)
            return
        try:
            view, figures_may_change = await self.read_models.write_view(envelope)
        except projection.InconsistentEvent as error:
            raise PermanentFailure(str(error)) from error
        # Also on a duplicate: a crash after the view's write but before these leaves them to the redelivery.
        # Skipped only when the event changed the view but nothing the figures read (a notification's outcome).
        if view is not None and figures_may_change:
            await self.refresh_around(view)

    async def registry_updated(self, data: RegistryUpdated) -> None:
        """A province's LAO list replaced whole: its districts, itself and the nation, in every campaign."""
        await self.read_models.write_registry(data)
        for campaign in await self.campaign_keys():
            await self.refresh_province_area(campaign, data.province_code)

    async def selection_published(self, envelope: Envelope) -> None:
        """DLA's final selection: kept whole (the newest version per campaign), put on each submission's view
        (its tier becomes final there), then every area of the campaign recomputed. Each step is idempotent, so
        a redelivery after a crash midway completes what the first delivery began."""
        data = envelope.read(SelectionPublished)
        await self.read_models.keep_selection(selection_document(data, envelope))
        for entry in data.entries:
            await self.read_models.write_selection(entry, data, envelope)
        await self.refresh_campaign(data.campaign)

    async def campaign_keys(self) -> list[str]:
        """Campaigns whose expected figures a registry change touches: configured ones and any with views."""
        seen = await self.read_models.campaigns_with_figures()
        return sorted({*self.read_models.campaigns.keys(), *seen})

    def eligible_types(self, campaign: str) -> tuple[str, ...]:
        try:
            return self.read_models.campaigns.get(campaign).eligible_lao_types
        except UnknownCampaign:
            return ()

    # -- which areas ------------------------------------------------------------------------

    async def refresh_around(self, view: Document) -> None:
        """Recompute every area the view has been in; returns once they are written (the ack waits)."""
        await self._batch.refresh(view["campaign"], view["province_keys_seen"], view.get("district_keys_seen") or [])

    async def refresh_areas(self, areas: Areas) -> None:
        """Recompute the given provinces and districts of each campaign, then its national figures.

        Areas are independent documents, so they are recomputed side by side (a few at a time, so the store
        pipelines their reads); the nation waits for its provinces. Each province's registry is read once."""
        registries = self.read_models.registries()
        for campaign, (provinces, districts) in sorted(areas.items()):
            async def provinces_then_nation(campaign: str = campaign, provinces: set[str] = provinces) -> None:
                await _side_by_side(self.refresh_province(campaign, key, registries) for key in sorted(provinces))
                await self.refresh_national(campaign)

            await gather_all(
                provinces_then_nation(),
                _side_by_side(self.refresh_district(campaign, code, registries) for code in sorted(districts)),
            )

    async def refresh_province_area(self, campaign: str, province_code: str) -> None:
        """Every district of a province, the province, and the nation (after its registry changed)."""
        for code in sorted(await self.read_models.district_codes_of_province(campaign, province_code)):
            await self.refresh_district(campaign, code)
        await self.refresh_province(campaign, province_code)
        await self.refresh_national(campaign)

    async def refresh_campaign(self, campaign: str) -> None:
        """Every aggregate of a campaign, from the submission views and the registry."""
        provinces, districts = await self.read_models.areas_of_campaign(campaign)
        for code in sorted(districts):
            await self.refresh_district(campaign, code)
        for key in sorted(provinces):
            await self.refresh_province(campaign, key)
        await self.refresh_national(campaign)

    # -- one area ---------------------------------------------------------------------------

    async def refresh_district(self, campaign: str, code: str, registries: Registries | None = None) -> None:
        """Recompute one district's figures and store them unless fresher ones exist."""
        seen = await self.read_models.views_seen(campaign, "district_keys_seen", code)
        here = [view for view in seen if view.get("district_key") == code]
        province_code = code[:2]
        registry = await (registries or self.read_models.registries()).get(province_code)
        expected = area.expected_laos(registry, self.eligible_types(campaign), code)
        name_th, name_en = district_names(code)
        province_th, province_en = province_names(province_code)
        await self.read_models.write_district({
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
        })

    async def refresh_province(self, campaign: str, key: str, registries: Registries | None = None) -> None:
        """Recompute one province's figures and store them unless fresher ones exist."""
        seen = await self.read_models.views_seen(campaign, "province_keys_seen", key)
        here = [view for view in seen if view.get("province_key") == key]
        registry = (None if key == UNKNOWN_PROVINCE
                    else await (registries or self.read_models.registries()).get(key))
        expected = area.expected_laos(registry, self.eligible_types(campaign))
        coverage = area.coverage(expected, here)
        name_th, name_en = province_names(key)
        await self.read_models.write_province({
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
        })

    async def refresh_national(self, campaign: str) -> None:
        """Recompute the campaign's national figures from its province views."""
        provinces = await self.read_models.province_views(campaign)
        rows = [{"province_key": p["province_key"], "province_code": p["province_code"],
                 "province_name_th": p["province_name_th"], "province_name_en": p["province_name_en"],
                 **{field: p.get(field) for field in _FIGURE_FIELDS}}
                for p in provinces if p["submissions"] or p.get("expected") is not None]
        await self.read_models.write_national({
            "_id": campaign, "campaign": campaign, **area.merge(provinces), "provinces": rows,
            "source_version": sum(int(p["source_version"]) for p in provinces), "updated_at": datetime.now(UTC)})


def selection_document(data: SelectionPublished, envelope: Envelope) -> Document:
    """A publication as `selections` keeps it: the event's data, by campaign."""
    return {"_id": data.campaign, **data.model_dump(mode="python"), "event_id": envelope.event_id}


class AreaRefresher(Protocol):
    async def refresh_areas(self, areas: Areas) -> None: ...


class RefreshBatch:
    """Handlers that finish their view writes while a recomputation is running share the next one.

    Under load many events of the same province arrive together (prefetch); recomputing its figures once
    for all of them, instead of once each, keeps the store's work per event small. Each handler still
    returns (and so is acked) only after a recomputation that *started after its own view write* has
    written the figures, so a crash loses nothing: the unacked events are redelivered and recompute them.
    """

    def __init__(self, refresher: AreaRefresher) -> None:
        self.refresher = refresher
        self._rounds: Rounds[tuple[str, Sequence[str], Sequence[str]], None] = Rounds(self._round)

    async def refresh(self, campaign: str, provinces: Sequence[str], districts: Sequence[str]) -> None:
        await self._rounds.submit((campaign, provinces, districts))

    async def _round(self, batch: list[Waiting[tuple[str, Sequence[str], Sequence[str]], None]]) -> None:
        areas: Areas = {}
        for (campaign, provinces, districts), _ in batch:
            wanted_provinces, wanted_districts = areas.setdefault(campaign, (set(), set()))
            wanted_provinces.update(provinces)
            wanted_districts.update(districts)
        await self.refresher.refresh_areas(areas)  # if it fails, every handler of the round is retried
        for _, done in batch:
            if not done.done():
                done.set_result(None)


async def _side_by_side(refreshes: Iterable[Coroutine[Any, Any, None]]) -> None:
    """Run the refreshes, at most `_AREAS_AT_ONCE` at a time; the first failure is raised once all ended."""
    limit = asyncio.Semaphore(_AREAS_AT_ONCE)

    async def one(refresh: Coroutine[Any, Any, None]) -> None:
        async with limit:
            await refresh

    await gather_all(*(one(refresh) for refresh in refreshes))


def _versions(views: Sequence[Document]) -> int:
    return sum(int(view.get("version", 0)) for view in views)
