"""Reporting's routes for who the reader is, the campaigns, one submission, and the lists and rankings of
submissions, with filters and pagination, within the reader's scope."""

from __future__ import annotations

from typing import Annotated, Any

import geothai
from fastapi import APIRouter, Query

from services.reporting import exports
from services.reporting.api.deps import ReaderScope, ReportsDep
from services.reporting.api.models import (
    DENIED,
    MAX_OFFSET,
    NOT_FOUND,
    CampaignInfo,
    Place,
    ProvinceSubmission,
    PublishedSelection,
    RankedSubmission,
    RankingPage,
    Reader,
    Sort,
    Status,
    SubmissionPage,
    SubmissionView,
    Tier,
)
from services.reporting.places import district_names, province_names
from shared.campaign import Campaign

router = APIRouter(prefix="/v1", tags=["reports"])


def item(view: dict[str, Any]) -> dict[str, Any]:
    """A submission as the lists show it (the columns of the submissions export that the model has)."""
    row = exports.submission_row(view)
    return {key: value for key, value in row.items() if key in ProvinceSubmission.model_fields}


# -- who and which campaign ---------------------------------------------------------------------------

@router.get("/whoami", response_model=Reader, summary="The reader's scope (สิทธิ์ของผู้ใช้)", responses=DENIED)
async def whoami(scope: ReaderScope) -> Reader:
    names: tuple[str | None, str | None] = (None, None)
    if scope.level == "province" and scope.code:
        names = province_names(scope.code)
    elif scope.level == "district" and scope.code:
        names = district_names(scope.code)
    return Reader(scope=str(scope), level=scope.level, code=scope.code, name_th=names[0], name_en=names[1])


@router.get("/provinces", response_model=list[Place], summary="The 77 provinces with DOPA codes (for maps)",
            responses=DENIED)
async def provinces(_: ReaderScope) -> list[Place]:
    return [Place(code=p.code, name_th=p.name_th, name_en=p.name_en) for p in geothai.provinces()]


def _campaign_info(campaign: Campaign, published: dict[str, Any] | None) -> CampaignInfo:
    fields = campaign.model_dump(include=set(CampaignInfo.model_fields) - {"selection"})
    return CampaignInfo(**fields, selection=None if published is None else PublishedSelection(
        selection_version=published["selection_version"], published_at=published["published_at"],
        published_by=published["published_by"]))


@router.get("/campaigns", response_model=list[CampaignInfo], summary="Campaigns and their deadlines",
            responses=DENIED)
async def campaigns(reports: ReportsDep, _: ReaderScope) -> list[CampaignInfo]:
    return [_campaign_info(campaign, published) for campaign, published in await reports.all_campaigns()]


@router.get("/campaigns/{campaign}", response_model=CampaignInfo, summary="One campaign: deadlines, eligible types",
            responses={**DENIED, **NOT_FOUND})
async def campaign_info(reports: ReportsDep, campaign: str, _: ReaderScope) -> Any:
    return _campaign_info(*await reports.campaign(campaign))


# -- one submission -----------------------------------------------------------------------------------

@router.get(
    "/submissions/{submission_id}",
    response_model=SubmissionView,
    summary="One submission: status, revisions, validation issues and score (สถานะของการส่ง)",
    responses={**DENIED, **NOT_FOUND},
)
async def submission(reports: ReportsDep, submission_id: str, scope: ReaderScope) -> Any:
    return SubmissionView.model_validate(await reports.submission(scope, submission_id))


# -- lists and rankings -------------------------------------------------------------------------------

@router.get(
    "/campaigns/{campaign}/submissions",
    response_model=SubmissionPage,
    summary="Submissions, filtered and paginated (within the reader's scope)",
    responses={**DENIED, **NOT_FOUND},
)
async def submissions(
    reports: ReportsDep,
    campaign: str,
    scope: ReaderScope,
    province: Annotated[str | None, Query(pattern=r"^([0-9]{2}|unknown)$")] = None,
    district: Annotated[str | None, Query(pattern=r"^[0-9]{4}$")] = None,
    status: Status | None = None,
    tier: Tier | None = None,
    size_group: str | None = None,
    q: Annotated[str | None, Query(max_length=100, description="Part of the LAO's name")] = None,
    sort: Sort = "name",
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> Any:
    total, views = await reports.submissions(scope, campaign, province=province, district=district, status=status,
                                             tier=tier, size_group=size_group, name=q, sort=sort, limit=limit,
                                             offset=offset)
    return SubmissionPage(total=total, limit=limit, offset=offset,
                          items=[ProvinceSubmission(**item(view)) for view in views])


@router.get(
    "/campaigns/{campaign}/rankings",
    response_model=RankingPage,
    summary="Scored submissions ranked within a size group (ลำดับคะแนนภายในกลุ่มขนาด)",
    responses={**DENIED, **NOT_FOUND},
)
async def rankings(
    reports: ReportsDep,
    campaign: str,
    scope: ReaderScope,
    size_group: Annotated[str, Query(description="large, medium or small (the rubric's size groups)")],
    province: Annotated[str | None, Query(pattern=r"^[0-9]{2}$")] = None,
    district: Annotated[str | None, Query(pattern=r"^[0-9]{4}$")] = None,
    tier: Tier | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> Any:
    total, ranked = await reports.ranking(scope, campaign, size_group, province=province, district=district,
                                          tier=tier, limit=limit, offset=offset)
    return RankingPage(campaign=campaign, size_group=size_group, total=total, limit=limit, offset=offset,
                       items=[RankedSubmission(rank=rank, **item(view)) for rank, view in ranked])
