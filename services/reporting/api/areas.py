"""Reporting's routes for an area's figures: one province (its districts and its submissions), one district (who
has not submitted among them) and the nation (one row per province, figures per size group)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from services.reporting.api.deps import ReaderScope, ReportsDep
from services.reporting.api.models import (
    DENIED,
    MAX_OFFSET,
    NOT_FOUND,
    DistrictReport,
    DistrictRow,
    GroupName,
    MissingLao,
    NationalReport,
    ProvinceReport,
    ProvinceRow,
    ProvinceSubmission,
    Sort,
    Status,
    Tier,
)
from services.reporting.api.submissions import item
from services.reporting.application import PROVINCE_LIST_LIMIT, Reports
from services.reporting.places import district_names, province_names

router = APIRouter(prefix="/v1", tags=["reports"])
_FIGURES = ("submissions", "counts", "average_score", "tiers", "score_histogram", "size_groups", "expected",
            "expected_submitted")


async def _group_names(reports: Reports, campaign: str, figures: dict[str, Any] | None) -> dict[str, GroupName]:
    return {group: GroupName(**name) for group, name in (await reports.group_names(campaign, figures)).items()}


def _figures(document: dict[str, Any] | None) -> dict[str, Any]:
    if document is None:
        return {}
    return {key: document[key] for key in _FIGURES if key in document}


@router.get(
    "/campaigns/{campaign}/provinces/{code}",
    response_model=ProvinceReport,
    summary="One province's figures, its districts and its submissions (ภาพรวมระดับจังหวัด)",
    responses={**DENIED, **NOT_FOUND},
)
async def province(
    reports: ReportsDep,
    campaign: str,
    scope: ReaderScope,
    code: str = Path(description="2-digit DOPA province code (e.g. 36), or `unknown`"),
    district: Annotated[str | None, Query(pattern=r"^[0-9]{4}$", description="Only this district's")] = None,
    status: Status | None = None,
    tier: Tier | None = None,
    size_group: str | None = None,
    q: Annotated[str | None, Query(max_length=100, description="Part of the LAO's name")] = None,
    sort: Sort = "name",
    limit: Annotated[int, Query(ge=1, le=PROVINCE_LIST_LIMIT)] = PROVINCE_LIST_LIMIT,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> Any:
    page = await reports.province(scope, campaign, code, district=district, status=status, tier=tier,
                                  size_group=size_group, name=q, sort=sort, limit=limit, offset=offset)
    name_th, name_en = province_names(code)
    return ProvinceReport(
        campaign=campaign, province_code=code, province_name_th=name_th, province_name_en=name_en,
        updated_at=page.figures["updated_at"] if page.figures else None,
        size_group_names=await _group_names(reports, campaign, page.figures),
        districts=[DistrictRow(district_code=d.code, district_name_th=d.name_th, district_name_en=d.name_en,
                               **_figures(d.figures)) for d in page.districts],
        items=[ProvinceSubmission(**item(view)) for view in page.views], items_total=page.total, limit=limit,
        offset=offset, **_figures(page.figures),
    )


@router.get(
    "/campaigns/{campaign}/districts/{code}",
    response_model=DistrictReport,
    summary="One district's figures, its submissions and who has not submitted (ภาพรวมระดับอำเภอ)",
    responses={**DENIED, **NOT_FOUND},
)
async def district(
    reports: ReportsDep,
    campaign: str,
    scope: ReaderScope,
    code: str = Path(description="4-digit DOPA district code (e.g. 3601)"),
    status: Status | None = None,
    sort: Sort = "name",
    limit: Annotated[int, Query(ge=1, le=PROVINCE_LIST_LIMIT)] = PROVINCE_LIST_LIMIT,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> Any:
    page = await reports.district(scope, campaign, code, status=status, sort=sort, limit=limit, offset=offset)
    name_th, name_en = district_names(code)
    province_th, province_en = province_names(code[:2])
    return DistrictReport(
        campaign=campaign, district_code=code, district_name_th=name_th, district_name_en=name_en,
        province_code=code[:2], province_name_th=province_th, province_name_en=province_en,
        updated_at=page.figures["updated_at"] if page.figures else None,
        size_group_names=await _group_names(reports, campaign, page.figures),
        missing=[MissingLao(**lao) for lao in (page.figures or {}).get("missing", [])],
        items=[ProvinceSubmission(**item(view)) for view in page.views], items_total=page.total, limit=limit,
        offset=offset, **_figures(page.figures),
    )


@router.get(
    "/campaigns/{campaign}/national",
    response_model=NationalReport,
    summary="The national figures with one row per province and figures per size group (ภาพรวมระดับประเทศ)",
    responses={**DENIED, **NOT_FOUND},
)
async def national(reports: ReportsDep, campaign: str, scope: ReaderScope) -> Any:
    document = await reports.national(scope, campaign)
    if document is None:
        return NationalReport(campaign=campaign)
    return NationalReport(
        campaign=campaign,
        updated_at=document["updated_at"],
        size_group_names=await _group_names(reports, campaign, document),
        provinces=[ProvinceRow(
            province_code=row["province_key"],
            province_name_th=row["province_name_th"],
            province_name_en=row["province_name_en"],
            **_figures(row),
        ) for row in document["provinces"]],
        **_figures(document),
    )
