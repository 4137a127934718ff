"""What a reader asks of reporting, within their scope: the campaigns, one submission, a district, a province,
the nation, lists and rankings. Anything outside the scope is `Forbidden`, anything that does not exist
`NotFound` (services/reporting/application/scope.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import geothai

from services.reporting.application.scope import outside_scope, require_district, require_province, scoped_filter
from services.reporting.projection import UNKNOWN_PROVINCE, public
from services.reporting.repository import ReadModels, SubmissionFilter
from services.reporting.tokens import Scope
from shared.campaign import Campaign, CampaignBook, UnknownCampaign
from shared.errors import NotFound

Document = dict[str, Any]


def campaign_not_found(campaign: str) -> NotFound:
    return NotFound("not_found", f"ไม่พบรอบการคัดเลือก {campaign}", f"No campaign {campaign}")


@dataclass(frozen=True)
class DistrictFigures:
    """One district of a province: its names and its figures (None while nothing was computed for it)."""

    code: str
    name_th: str
    name_en: str
    figures: Document | None


@dataclass(frozen=True)
class AreaPage:
    """An area's figures (None while nothing was computed for it) and one page of its submissions."""

    figures: Document | None
    total: int
    views: list[Document]
    districts: list[DistrictFigures] = field(default_factory=list)


class Reports:
    def __init__(self, read_models: ReadModels, campaigns: CampaignBook) -> None:
        self.read_models = read_models
        self.campaigns = campaigns

    async def require_campaign(self, campaign: str) -> None:
        """A configured campaign, or one reporting has figures of."""
        if campaign not in self.campaigns and await self.read_models.national_view(campaign) is None:
            raise campaign_not_found(campaign)

    # -- campaigns --------------------------------------------------------------------------

    async def campaign(self, key: str) -> tuple[Campaign, Document | None]:
        """A configured campaign and its published selection (None before it is published)."""
        try:
            campaign = self.campaigns.get(key)
        except UnknownCampaign:
            raise campaign_not_found(key) from None
        return campaign, await self.read_models.selection(campaign.key)

    async def all_campaigns(self) -> list[tuple[Campaign, Document | None]]:
        return [await self.campaign(key) for key in self.campaigns.keys()]

    # -- one submission ---------------------------------------------------------------------

    async def submission(self, scope: Scope, submission_id: str) -> Document:
        """The submission's view as readers see it, its revisions newest first."""
        view = await self.read_models.submission(submission_id)
        if view is None or view.get("current_revision") is None:
            raise NotFound("not_found", f"ไม่พบข้อมูลการส่ง {submission_id}", f"No submission {submission_id}")
        lao = view.get("lao") or {}
        if not scope.allows_place(lao.get("province_code"), lao.get("district_code")):
            raise outside_scope(scope, "การส่งนี้", "this submission")
        shown = public(view)
        shown["revisions"] = sorted(shown["revisions"].values(), key=lambda r: r["revision"], reverse=True)
        return shown

    # -- areas ------------------------------------------------------------------------------

    async def province(self, scope: Scope, campaign: str, code: str, *, district: str | None, status: str | None,
                       tier: str | None, size_group: str | None, name: str | None, sort: str, limit: int,
                       offset: int) -> AreaPage:
        """A province's figures, every one of its districts, and a page of its submissions."""
        require_province(scope, code, unknown_allowed=True)
        await self.require_campaign(campaign)
        document = await self.read_models.province(campaign, code)
        where = SubmissionFilter(province=code, district=district, status=status, tier=tier, size_group=size_group,
                                 name=name)
        total, views = await self.read_models.list_submissions(campaign, where, sort=sort, limit=limit,
                                                               offset=offset)
        districts = [] if code == UNKNOWN_PROVINCE else await self._districts(campaign, code)
        return AreaPage(document, total, views, districts)

    async def _districts(self, campaign: str, province_code: str) -> list[DistrictFigures]:
        stored = {d["district_code"]: d for d in await self.read_models.province_districts(campaign, province_code)}
        rows = [DistrictFigures(district.code, district.name_th, district.name_en, stored.pop(district.code, None))
                for district in geothai.districts(province_code)]
        for code, document in sorted(stored.items()):  # a code geothai does not list (abolished, new)
            rows.append(DistrictFigures(code, document["district_name_th"], document["district_name_en"], document))
        return rows

    async def district(self, scope: Scope, campaign: str, code: str, *, status: str | None, sort: str, limit: int,
                       offset: int) -> AreaPage:
        """A district's figures (who has not submitted among them) and a page of its submissions."""
        require_district(scope, code)
        await self.require_campaign(campaign)
        document = await self.read_models.district(campaign, code)
        total, views = await self.read_models.list_submissions(
            campaign, SubmissionFilter(district=code, status=status), sort=sort, limit=limit, offset=offset)
        return AreaPage(document, total, views)

    async def group_names(self, campaign: str, figures: Document | None) -> dict[str, dict[str, str]]:
        """The rubric's names of the size groups in `figures`, as the campaign's scores carry them."""
        names = await self.read_models.size_group_names(campaign, (figures or {}).get("size_groups", {}))
        return {group: {"th": th, "en": en} for group, (th, en) in names.items()}

    async def national(self, scope: Scope, campaign: str) -> Document | None:
        """The campaign's national figures; None for a configured campaign nothing was computed for yet."""
        if not scope.allows_national():
            raise outside_scope(scope, "ภาพรวมระดับประเทศ", "the national view")
        document = await self.read_models.national_view(campaign)
        if document is None and campaign not in self.campaigns:
            raise campaign_not_found(campaign)
        return document

    # -- lists and rankings -----------------------------------------------------------------

    async def submissions(self, scope: Scope, campaign: str, *, province: str | None, district: str | None,
                          status: str | None, tier: str | None, size_group: str | None, name: str | None,
                          sort: str, limit: int, offset: int) -> tuple[int, list[Document]]:
        """How many submissions match, and one page of them, within the reader's area."""
        province, district = scoped_filter(scope, province, district)
        await self.require_campaign(campaign)
        where = SubmissionFilter(province=province, district=district, status=status, tier=tier,
                                 size_group=size_group, name=name)
        return await self.read_models.list_submissions(campaign, where, sort=sort, limit=limit, offset=offset)

    async def ranking(self, scope: Scope, campaign: str, size_group: str, *, province: str | None,
                      district: str | None, tier: str | None, limit: int,
                      offset: int) -> tuple[int, list[tuple[int, Document]]]:
        """Scored submissions of a size group within the reader's area, each with its place nationally."""
        province, district = scoped_filter(scope, province, district)
        await self.require_campaign(campaign)
        return await self.read_models.ranking(
            campaign, size_group, SubmissionFilter(province=province, district=district, tier=tier), limit=limit,
            offset=offset)
