"""Reporting's HTTP API (v1) for dashboards and offices: one submission, a district, a province, the nation,
lists and rankings with filters and pagination, exports (CSV/XLSX) and the document packages (PDF).

Every route answers within the reader's scope (services/reporting/tokens.py): a district token sees its
district, a province token its province and its districts, a national token everything; anything else
is 403.
"""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

import geothai
from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from services.reporting import exports, package
from services.reporting.access import ReaderScope, outside_scope
from services.reporting.projection import UNKNOWN_PROVINCE, public
from services.reporting.repository import (
    PROVINCE_LIST_LIMIT,
    ReadModels,
    SubmissionFilter,
    district_names,
    province_names,
)
from services.reporting.tokens import Scope
from shared.campaign import Campaign, CampaignBook, UnknownCampaign
from shared.errors import ErrorBody, error_response
from shared.events import CriterionScore, Issue, LaoSummary
from shared.thai import THAI_OFFSET

router = APIRouter(prefix="/v1", tags=["reports"])

Status = Literal["received", "validated", "returned", "rejected", "scored"]
Tier = Literal["outstanding", "efficient", "not_selected"]
Sort = Literal["name", "score", "updated"]
_PROVINCE_CODE = re.compile(r"^[0-9]{2}$")
_DISTRICT_CODE = re.compile(r"^[0-9]{4}$")
# Far beyond any list (about 7,850 LAOs); the store refuses a skip past 64 bits, so a larger offset is a 422.
MAX_OFFSET = 1_000_000
DENIED: dict[int | str, dict[str, Any]] = {401: {"model": ErrorBody, "description": "No valid token"},
          403: {"model": ErrorBody, "description": "Outside the token's scope"}}
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": ErrorBody}}


# -- response models ----------------------------------------------------------------------------------

class Score(BaseModel):
    total: float
    max_total: float
    tier: Tier
    size_group: str
    size_group_flagged: bool = False
    rubric_version: str
    trigger: str = Field(default="validation", description="validation, review (reviewers' points) or rescore")
    score_version: int = Field(default=1, description="Grows when reviewers' points change the score")
    manual_pending: list[str] = Field(default_factory=list, description="Committee criteria not scored yet: "
                                      "while any is pending, the tier is provisional")
    final: bool = Field(default=False, description="True when `tier` is DLA's published final selection")
    provisional_tier: Tier | None = Field(default=None, description="The score thresholds' tier, when `tier` is "
                                          "the final one")
    scored_at: datetime
    criteria: list[CriterionScore] = Field(description="Every criterion's points and why")


class HistoryStep(BaseModel):
    event_type: str
    event_id: str
    occurred_at: datetime


class RevisionView(BaseModel):
    revision: int
    status: Status
    status_rank: int = Field(description="received 1 < validated / returned / rejected 2 < scored 3")
    received_at: datetime | None = None
    issues: list[Issue] = Field(default_factory=list, description="Validation findings (warnings included)")
    score: Score | None = None
    lao: LaoSummary | None = None
    history: list[HistoryStep]


class NotificationView(BaseModel):
    notification_id: str
    revision: int
    template: str
    channel: str
    status: Literal["sent", "failed"]
    attempts: int
    error: str | None = None
    occurred_at: datetime


class FinalDecision(BaseModel):
    selection_version: int
    revision: int = Field(description="The revision DLA decided on")
    tier: Tier
    proposed_tier: Tier
    override_reason: str | None = Field(default=None, description="Why DLA decided otherwise than proposed")
    rank: int
    size_group: str
    published_at: datetime
    published_by: str


class SubmissionView(BaseModel):
    submission_id: str
    campaign: str
    lao: LaoSummary | None = None
    current_revision: int | None = Field(default=None, description="The newest revision: it supersedes the rest")
    status: Status | None = Field(default=None, description="The current revision's status")
    score: Score | None = Field(default=None, description="The current revision's score")
    revisions: list[RevisionView] = Field(description="Every revision, newest first; the history stays")
    notifications: list[NotificationView] = Field(default_factory=list)
    selection: FinalDecision | None = Field(default=None, description="DLA's final decision, once published")
    last_event_at: datetime | None = None


class StatusCounts(BaseModel):
    received: int = 0
    validated: int = 0
    returned: int = 0
    rejected: int = 0
    scored: int = 0


class TierCounts(BaseModel):
    outstanding: int = 0
    efficient: int = 0
    not_selected: int = 0


class SizeGroupFigures(BaseModel):
    scored: int = 0
    average_score: float | None = None
    tiers: TierCounts = Field(default_factory=TierCounts)


class Figures(BaseModel):
    submissions: int = Field(default=0, description="Submissions (applications), each counted once")
    counts: StatusCounts = Field(default_factory=StatusCounts, description="By the current revision's status")
    average_score: float | None = Field(default=None, description="Average total of scored current revisions")
    tiers: TierCounts = Field(default_factory=TierCounts)
    score_histogram: list[int] = Field(default_factory=lambda: [0] * 10,
                                       description="Scored submissions by tenth of the maximum score: "
                                                   "[0–10 %), [10–20 %), … [90–100 %]")
    size_groups: dict[str, SizeGroupFigures] = Field(default_factory=dict,
                                                     description="Scored submissions by the rubric's size group")
    expected: int | None = Field(default=None, description="Municipalities of the campaign's eligible types in "
                                 "DLA's registry; null until the registry of the area is loaded")
    expected_submitted: int | None = Field(default=None, description="How many of the expected have submitted")


class ProvinceSubmission(BaseModel):
    submission_id: str
    lao_name: str | None = None
    lao_code: str | None = None
    lao_type: str | None = None
    province_code: str | None = None
    province_name: str | None = None
    district_code: str | None = None
    district_name: str | None = None
    status: Status
    current_revision: int
    score_total: float | None = None
    max_total: float | None = None
    tier: Tier | None = None
    size_group: str | None = None
    rubric_version: str | None = None
    final: bool = Field(default=False, description="True when `tier` is DLA's published final selection; false "
                        "while it is the provisional tier of the score's thresholds")
    decided_by: str | None = Field(default=None, description="Who published the final selection")


class DistrictRow(Figures):
    district_code: str
    district_name_th: str
    district_name_en: str


class MissingLao(BaseModel):
    code: str
    name: str
    type: str | None = None
    district_code: str | None = None
    district_name: str | None = None


class ProvinceReport(Figures):
    campaign: str
    province_code: str = Field(description="2-digit DOPA code, or `unknown` for submissions not yet placed")
    province_name_th: str
    province_name_en: str
    updated_at: datetime | None = None
    districts: list[DistrictRow] = Field(default_factory=list, description="Every district of the province")
    items: list[ProvinceSubmission] = Field(default_factory=list, description="The province's submissions "
                                            "(filtered and paginated by the query)")
    items_total: int = Field(default=0, description="Submissions matching the filters, all pages")
    limit: int = PROVINCE_LIST_LIMIT
    offset: int = 0


class DistrictReport(Figures):
    campaign: str
    district_code: str
    district_name_th: str
    district_name_en: str
    province_code: str
    province_name_th: str
    province_name_en: str
    updated_at: datetime | None = None
    missing: list[MissingLao] = Field(default_factory=list, description="Expected municipalities that have not "
                                      "submitted (when the registry is loaded)")
    items: list[ProvinceSubmission] = Field(default_factory=list)
    items_total: int = 0
    limit: int = PROVINCE_LIST_LIMIT
    offset: int = 0


class ProvinceRow(Figures):
    province_code: str
    province_name_th: str
    province_name_en: str


class NationalReport(Figures):
    campaign: str
    updated_at: datetime | None = None
    provinces: list[ProvinceRow] = Field(default_factory=list)


class SubmissionPage(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[ProvinceSubmission]


class RankedSubmission(ProvinceSubmission):
    rank: int = Field(description="Place within the size group nationally; equal totals share a place")


class RankingPage(BaseModel):
    campaign: str
    size_group: str
    total: int
    limit: int
    offset: int
    items: list[RankedSubmission]


class PublishedSelection(BaseModel):
    selection_version: int
    published_at: datetime
    published_by: str


class CampaignInfo(BaseModel):
    key: str
    title_th: str
    title_en: str
    opens_at: datetime
    submission_deadline: datetime
    district_deadline: datetime
    province_deadline: datetime
    eligible_lao_types: list[str]
    late_policy: str
    rubric_version: str
    selection: PublishedSelection | None = Field(default=None, description="DLA's final selection, once published "
                                                 "(the whole of it: GET /v1/campaigns/{campaign}/selection)")


class Reader(BaseModel):
    scope: str = Field(description="national, province:<code> or district:<code>")
    level: Literal["national", "province", "district"]
    code: str | None = None
    name_th: str | None = None
    name_en: str | None = None


# -- helpers ------------------------------------------------------------------------------------------

def _read_models(request: Request) -> ReadModels:
    read_models: ReadModels = request.app.state.component.state["read_models"]
    return read_models


def _campaigns(request: Request) -> CampaignBook:
    campaigns: CampaignBook = request.app.state.context.campaigns
    return campaigns


def _not_found(message_th: str, message_en: str) -> JSONResponse:
    return error_response(404, "not_found", message_th, message_en)


async def _campaign_known(request: Request, campaign: str) -> bool:
    return campaign in _campaigns(request) or await _read_models(request).national_view(campaign) is not None


def _campaign_not_found(campaign: str) -> JSONResponse:
    return _not_found(f"ไม่พบรอบการคัดเลือก {campaign}", f"No campaign {campaign}")


def _province_known(code: str) -> bool:
    return code == UNKNOWN_PROVINCE or bool(_PROVINCE_CODE.match(code) and geothai.province(code) is not None)


def _district_known(code: str) -> bool:
    return bool(_DISTRICT_CODE.match(code) and geothai.district(code) is not None)


def _figures(document: dict[str, Any] | None) -> dict[str, Any]:
    if document is None:
        return {}
    return {key: document[key] for key in ("submissions", "counts", "average_score", "tiers", "score_histogram",
                                           "size_groups", "expected", "expected_submitted") if key in document}


def _item(view: dict[str, Any]) -> dict[str, Any]:
    row = exports.submission_row(view)
    return {key: value for key, value in row.items() if key in ProvinceSubmission.model_fields}


def scoped_filter(scope: Scope, province: str | None, district: str | None) -> tuple[str | None, str | None]:
    """The area a list may show: the reader's own when none is asked for; 403 when another one is."""
    if scope.level == "national":
        return province, district
    if scope.level == "province":
        if province not in (None, scope.code) or (district is not None and not scope.allows_district(district)):
            raise outside_scope(scope, "พื้นที่ที่ขอ", "the area asked for")
        return scope.code, district
    if district not in (None, scope.code) or province not in (None, scope.province_code):
        raise outside_scope(scope, "พื้นที่ที่ขอ", "the area asked for")
    return scope.province_code, scope.code


# -- who and which campaign ---------------------------------------------------------------------------

@router.get("/whoami", response_model=Reader, summary="The reader's scope (สิทธิ์ของผู้ใช้)", responses=DENIED)
async def whoami(scope: ReaderScope) -> Reader:
    names: tuple[str | None, str | None] = (None, None)
    if scope.level == "province" and scope.code:
        names = province_names(scope.code)
    elif scope.level == "district" and scope.code:
        names = district_names(scope.code)
    return Reader(scope=str(scope), level=scope.level, code=scope.code, name_th=names[0], name_en=names[1])


class Place(BaseModel):
    code: str
    name_th: str
    name_en: str


@router.get("/provinces", response_model=list[Place], summary="The 77 provinces with DOPA codes (for maps)",
            responses=DENIED)
async def provinces(_: ReaderScope) -> list[Place]:
    return [Place(code=p.code, name_th=p.name_th, name_en=p.name_en) for p in geothai.provinces()]


async def _campaign_info(request: Request, campaign: Campaign) -> CampaignInfo:
    published = await _read_models(request).selection(campaign.key)
    fields = campaign.model_dump(include=set(CampaignInfo.model_fields) - {"selection"})
    return CampaignInfo(**fields, selection=None if published is None else PublishedSelection(
        selection_version=published["selection_version"], published_at=published["published_at"],
        published_by=published["published_by"]))


@router.get("/campaigns", response_model=list[CampaignInfo], summary="Campaigns and their deadlines",
            responses=DENIED)
async def campaigns(request: Request, _: ReaderScope) -> list[CampaignInfo]:
    book = _campaigns(request)
    return [await _campaign_info(request, book.get(key)) for key in book.keys()]


@router.get("/campaigns/{campaign}", response_model=CampaignInfo, summary="One campaign: deadlines, eligible types",
            responses={**DENIED, **NOT_FOUND})
async def campaign_info(request: Request, campaign: str, _: ReaderScope) -> Any:
    try:
        config = _campaigns(request).get(campaign)
    except UnknownCampaign:
        return _campaign_not_found(campaign)
    return await _campaign_info(request, config)


# -- one submission -----------------------------------------------------------------------------------

@router.get(
    "/submissions/{submission_id}",
    response_model=SubmissionView,
    summary="One submission: status, revisions, validation issues and score (สถานะของการส่ง)",
    responses={**DENIED, **NOT_FOUND},
)
async def submission(request: Request, submission_id: str, scope: ReaderScope) -> Any:
    view = await _read_models(request).submission(submission_id)
    if view is None or view.get("current_revision") is None:
        return _not_found(f"ไม่พบข้อมูลการส่ง {submission_id}", f"No submission {submission_id}")
    lao = view.get("lao") or {}
    if not scope.allows_place(lao.get("province_code"), lao.get("district_code")):
        raise outside_scope(scope, "การส่งนี้", "this submission")
    shown = public(view)
    shown["revisions"] = sorted(shown["revisions"].values(), key=lambda r: r["revision"], reverse=True)
    return SubmissionView.model_validate(shown)


# -- areas --------------------------------------------------------------------------------------------

@router.get(
    "/campaigns/{campaign}/provinces/{code}",
    response_model=ProvinceReport,
    summary="One province's figures, its districts and its submissions (ภาพรวมระดับจังหวัด)",
    responses={**DENIED, **NOT_FOUND},
)
async def province(
    request: Request,
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
    if not _province_known(code):
        return _not_found(f"ไม่พบจังหวัดรหัส {code}", f"No province with code {code}")
    if not scope.allows_province(code):
        raise outside_scope(scope, f"จังหวัดรหัส {code}", f"province {code}")
    if not await _campaign_known(request, campaign):
        return _campaign_not_found(campaign)
    read_models = _read_models(request)
    document = await read_models.province(campaign, code)
    where = SubmissionFilter(province=code, district=district, status=status, tier=tier, size_group=size_group,
                             name=q)
    total, views = await read_models.list_submissions(campaign, where, sort=sort, limit=limit, offset=offset)
    districts = [] if code == UNKNOWN_PROVINCE else await _district_rows(read_models, campaign, code)
    name_th, name_en = province_names(code)
    return ProvinceReport(
        campaign=campaign, province_code=code, province_name_th=name_th, province_name_en=name_en,
        updated_at=document["updated_at"] if document else None, districts=districts,
        items=[ProvinceSubmission(**_item(view)) for view in views], items_total=total, limit=limit,
        offset=offset, **_figures(document),
    )


async def _district_rows(read_models: ReadModels, campaign: str, province_code: str) -> list[DistrictRow]:
    stored = {d["district_code"]: d for d in await read_models.province_districts(campaign, province_code)}
    rows = []
    for district in geothai.districts(province_code):
        document = stored.pop(district.code, None)
        rows.append(DistrictRow(district_code=district.code, district_name_th=district.name_th,
                                district_name_en=district.name_en, **_figures(document)))
    for code, document in sorted(stored.items()):  # a code geothai does not list (abolished, new)
        rows.append(DistrictRow(district_code=code, district_name_th=document["district_name_th"],
                                district_name_en=document["district_name_en"], **_figures(document)))
    return rows


@router.get(
    "/campaigns/{campaign}/districts/{code}",
    response_model=DistrictReport,
    summary="One district's figures, its submissions and who has not submitted (ภาพรวมระดับอำเภอ)",
    responses={**DENIED, **NOT_FOUND},
)
async def district(
    request: Request,
    campaign: str,
    scope: ReaderScope,
    code: str = Path(description="4-digit DOPA district code (e.g. 3601)"),
    status: Status | None = None,
    sort: Sort = "name",
    limit: Annotated[int, Query(ge=1, le=PROVINCE_LIST_LIMIT)] = PROVINCE_LIST_LIMIT,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> Any:
    if not _district_known(code):
        return _not_found(f"ไม่พบอำเภอรหัส {code}", f"No district with code {code}")
    if not scope.allows_district(code):
        raise outside_scope(scope, f"อำเภอรหัส {code}", f"district {code}")
    if not await _campaign_known(request, campaign):
        return _campaign_not_found(campaign)
    read_models = _read_models(request)
    document = await read_models.district(campaign, code)
    total, views = await read_models.list_submissions(
        campaign, SubmissionFilter(district=code, status=status), sort=sort, limit=limit, offset=offset)
    name_th, name_en = district_names(code)
    province_th, province_en = province_names(code[:2])
    return DistrictReport(
        campaign=campaign, district_code=code, district_name_th=name_th, district_name_en=name_en,
        province_code=code[:2], province_name_th=province_th, province_name_en=province_en,
        updated_at=document["updated_at"] if document else None,
        missing=[MissingLao(**lao) for lao in (document or {}).get("missing", [])],
        items=[ProvinceSubmission(**_item(view)) for view in views], items_total=total, limit=limit,
        offset=offset, **_figures(document),
    )


@router.get(
    "/campaigns/{campaign}/national",
    response_model=NationalReport,
    summary="The national figures with one row per province and figures per size group (ภาพรวมระดับประเทศ)",
    responses={**DENIED, **NOT_FOUND},
)
async def national(request: Request, campaign: str, scope: ReaderScope) -> Any:
    if not scope.allows_national():
        raise outside_scope(scope, "ภาพรวมระดับประเทศ", "the national view")
    document = await _read_models(request).national_view(campaign)
    if document is None:
        if campaign not in _campaigns(request):
            return _campaign_not_found(campaign)
        return NationalReport(campaign=campaign)
    return NationalReport(
        campaign=campaign,
        updated_at=document["updated_at"],
        provinces=[ProvinceRow(
            province_code=row["province_key"],
            province_name_th=row["province_name_th"],
            province_name_en=row["province_name_en"],
            **_figures(row),
        ) for row in document["provinces"]],
        **_figures(document),
    )


# -- lists and rankings -------------------------------------------------------------------------------

@router.get(
    "/campaigns/{campaign}/submissions",
    response_model=SubmissionPage,
    summary="Submissions, filtered and paginated (within the reader's scope)",
    responses={**DENIED, **NOT_FOUND},
)
async def submissions(
    request: Request,
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
    province, district = scoped_filter(scope, province, district)
    if not await _campaign_known(request, campaign):
        return _campaign_not_found(campaign)
    where = SubmissionFilter(province=province, district=district, status=status, tier=tier,
                             size_group=size_group, name=q)
    total, views = await _read_models(request).list_submissions(campaign, where, sort=sort, limit=limit,
                                                                offset=offset)
    return SubmissionPage(total=total, limit=limit, offset=offset,
                          items=[ProvinceSubmission(**_item(view)) for view in views])


@router.get(
    "/campaigns/{campaign}/rankings",
    response_model=RankingPage,
    summary="Scored submissions ranked within a size group (ลำดับคะแนนภายในกลุ่มขนาด)",
    responses={**DENIED, **NOT_FOUND},
)
async def rankings(
    request: Request,
    campaign: str,
    scope: ReaderScope,
    size_group: Annotated[str, Query(description="large, medium or small (the rubric's size groups)")],
    province: Annotated[str | None, Query(pattern=r"^[0-9]{2}$")] = None,
    district: Annotated[str | None, Query(pattern=r"^[0-9]{4}$")] = None,
    tier: Tier | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> Any:
    province, district = scoped_filter(scope, province, district)
    if not await _campaign_known(request, campaign):
        return _campaign_not_found(campaign)
    total, ranked = await _read_models(request).ranking(
        campaign, size_group, SubmissionFilter(province=province, district=district, tier=tier), limit=limit,
        offset=offset)
    return RankingPage(campaign=campaign, size_group=size_group, total=total, limit=limit, offset=offset,
                       items=[RankedSubmission(rank=rank, **_item(view)) for rank, view in ranked])


# -- exports ------------------------------------------------------------------------------------------

EXPORT_TABLES = ("provinces", "size-groups", "districts", "submissions", "projects", "rankings", "missing",
                 "criteria")


@router.get(
    "/campaigns/{campaign}/exports/{name}",
    summary="A report table as CSV or XLSX, Thai headers by default (`lang=en` for English)",
    description="`name` is `<table>.<csv|xlsx>`; tables: provinces (national rows), size-groups, districts, "
                "submissions, projects (one row per project of each current response: descriptions and "
                "outcomes with their line breaks), rankings (needs `size_group`), missing (who has not "
                "submitted), criteria (one "
                "submission's points, needs `submission`). `province` and `district` narrow each table as "
                "the JSON routes do.",
    response_class=Response,
    responses={200: {"content": {exports.MEDIA_TYPES["csv"]: {}, exports.MEDIA_TYPES["xlsx"]: {}}},
               **DENIED, **NOT_FOUND},
)
async def export(
    request: Request,
    campaign: str,
    name: str,
    scope: ReaderScope,
    lang: Literal["th", "en"] = "th",
    province: Annotated[str | None, Query(pattern=r"^([0-9]{2}|unknown)$")] = None,
    district: Annotated[str | None, Query(pattern=r"^[0-9]{4}$")] = None,
    status: Status | None = None,
    size_group: str | None = None,
    submission: str | None = None,
) -> Any:
    table_name, _, fmt = name.rpartition(".")
    if table_name not in EXPORT_TABLES or fmt not in ("csv", "xlsx"):
        return _not_found(f"ไม่พบตาราง {name}", f"No export {name}: tables {', '.join(EXPORT_TABLES)}, as .csv or .xlsx")
    if not await _campaign_known(request, campaign):
        return _campaign_not_found(campaign)
    table = await _export_table(request, scope, campaign, table_name, province, district, status, size_group,
                                submission)
    if isinstance(table, JSONResponse):
        return table
    body = exports.render(table, "csv" if fmt == "csv" else "xlsx", lang)
    area = district or province or ("all" if scope.level == "national" else scope.code)
    filename = f"{campaign}-{table.name}-{area}.{fmt}"
    return Response(body, media_type=exports.MEDIA_TYPES[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


async def _export_table(request: Request, scope: Scope, campaign: str, table: str, province: str | None,
                        district: str | None, status: str | None, size_group: str | None,
                        submission_id: str | None) -> exports.Table | JSONResponse:
    read_models = _read_models(request)
    if table == "criteria":
        view = await read_models.submission(submission_id or "")
        if view is None or view.get("campaign") != campaign:
            return _not_found("ไม่พบข้อมูลการส่ง", f"No submission {submission_id} (give `submission`)")
        lao = view.get("lao") or {}
        if not scope.allows_place(lao.get("province_code"), lao.get("district_code")):
            raise outside_scope(scope, "การส่งนี้", "this submission")
        return exports.criteria_table(view)
    if table == "provinces":
        if not scope.allows_national():
            raise outside_scope(scope, "ภาพรวมระดับประเทศ", "the national view")
        return exports.provinces_table(await read_models.national_view(campaign) or {"provinces": []})
    province, district = scoped_filter(scope, province, district)
    if table == "size-groups":
        if district is not None:
            document = await read_models.district(campaign, district)
        elif province is not None:
            document = await read_models.province(campaign, province)
        else:
            document = await read_models.national_view(campaign)
        return exports.size_groups_table(document or {})
    if table in ("districts", "missing"):
        if district is not None:
            found = await read_models.district(campaign, district)
            documents = [found] if found else []
        elif province is not None:
            documents = await read_models.province_districts(campaign, province)
        else:
            documents = await read_models.districts.find({"campaign": campaign},
                                                         sort=[("district_code", 1)]).to_list(None)
        return exports.districts_table(documents) if table == "districts" else exports.missing_table(documents)
    where = SubmissionFilter(province=province, district=district, status=status, size_group=size_group)
    if table == "rankings":
        if not size_group:
            return error_response(422, "size_group_required", "ต้องระบุกลุ่มขนาด (size_group)",
                                  "Give `size_group` for a ranking")
        _, ranked = await read_models.ranking(campaign, size_group, where, limit=PROVINCE_LIST_LIMIT)
        return exports.rankings_table(ranked)
    _, views = await read_models.list_submissions(campaign, where, limit=PROVINCE_LIST_LIMIT * 5)
    if table == "projects":
        return exports.projects_table(views)
    return exports.submissions_table(views)


# -- document packages --------------------------------------------------------------------------------

def _sender(number: str | None, letter_date: date | None, signer_name: str | None, signer_position: str | None,
            phone: str | None) -> package.Sender:
    return package.Sender(number=number, letter_date=letter_date, signer_name=signer_name,
                          signer_position=signer_position, phone=phone)


async def _package_response(request: Request, campaign_key: str, area: package.Area, sender: package.Sender,
                            filename: str) -> Response:
    try:
        campaign = _campaigns(request).get(campaign_key)
    except UnknownCampaign:
        return _campaign_not_found(campaign_key)
    today = datetime.now(UTC).astimezone(THAI_OFFSET).date()
    html = package.package_html(area, campaign, sender, today)
    try:
        pdf = await asyncio.to_thread(package.render_pdf, html)
    except (ImportError, OSError) as error:  # WeasyPrint or its Pango libraries missing on this host
        return error_response(503, "pdf_unavailable", "เครื่องนี้ยังสร้างไฟล์ PDF ไม่ได้ (ไม่มี WeasyPrint/Pango)",
                              f"PDF rendering is not available on this host: {error}")
    return Response(pdf, media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{filename}"'})


SenderQuery = {
    "number": Query(default=None, max_length=80, description="The letter's number (ที่), e.g. ชย 0023.6/ว 1234"),
    "letter_date": Query(default=None, alias="date", description="The letter's date (default: today, Thai time)"),
    "signer_name": Query(default=None, max_length=120, description="Who signs, e.g. นายบัลลังก์ ไวทยศิริ"),
    "signer_position": Query(default=None, max_length=200, description="The signer's position (default: the "
                             "governor / district chief of the area)"),
    "phone": Query(default=None, max_length=60, description="The owning office's telephone"),
}


@router.get(
    "/campaigns/{campaign}/provinces/{code}/package.pdf",
    summary="The province's document package for DLA: cover letter, summary table, every report form (PDF)",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}, **DENIED, **NOT_FOUND},
)
async def province_package(
    request: Request, campaign: str, code: str, scope: ReaderScope,
    number: str | None = SenderQuery["number"], letter_date: date | None = SenderQuery["letter_date"],
    signer_name: str | None = SenderQuery["signer_name"],
    signer_position: str | None = SenderQuery["signer_position"], phone: str | None = SenderQuery["phone"],
) -> Response:
    if not (_PROVINCE_CODE.match(code) and geothai.province(code) is not None):
        return _not_found(f"ไม่พบจังหวัดรหัส {code}", f"No province with code {code}")
    if not scope.allows_province(code):
        raise outside_scope(scope, f"จังหวัดรหัส {code}", f"province {code}")
    read_models = _read_models(request)
    document = await read_models.province(campaign, code) or {}
    _, views = await read_models.list_submissions(campaign, SubmissionFilter(province=code),
                                                  limit=PROVINCE_LIST_LIMIT)
    districts = await read_models.province_districts(campaign, code)
    missing = [lao for d in districts for lao in d.get("missing", [])]
    area = package.Area("province", code, province_names(code)[0], province_names(code)[0], document,
                        package.sort_views(views), missing)
    sender = _sender(number, letter_date, signer_name, signer_position, phone)
    return await _package_response(request, campaign, area, sender, f"package-{campaign}-province-{code}.pdf")


@router.get(
    "/campaigns/{campaign}/districts/{code}/package.pdf",
    summary="The district's document package for its province (PDF)",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}, **DENIED, **NOT_FOUND},
)
async def district_package(
    request: Request, campaign: str, code: str, scope: ReaderScope,
    number: str | None = SenderQuery["number"], letter_date: date | None = SenderQuery["letter_date"],
    signer_name: str | None = SenderQuery["signer_name"],
    signer_position: str | None = SenderQuery["signer_position"], phone: str | None = SenderQuery["phone"],
) -> Response:
    if not _district_known(code):
        return _not_found(f"ไม่พบอำเภอรหัส {code}", f"No district with code {code}")
    if not scope.allows_district(code):
        raise outside_scope(scope, f"อำเภอรหัส {code}", f"district {code}")
    read_models = _read_models(request)
    document = await read_models.district(campaign, code) or {}
    _, views = await read_models.list_submissions(campaign, SubmissionFilter(district=code),
                                                  limit=PROVINCE_LIST_LIMIT)
    area = package.Area("district", code, district_names(code)[0], province_names(code[:2])[0], document,
                        package.sort_views(views), list(document.get("missing", [])))
    sender = _sender(number, letter_date, signer_name, signer_position, phone)
    return await _package_response(request, campaign, area, sender, f"package-{campaign}-district-{code}.pdf")
