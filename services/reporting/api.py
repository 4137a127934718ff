"""Reporting's HTTP API: one submission's view, one province's figures and submissions, the national view."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, Path, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from services.reporting.projection import UNKNOWN_PROVINCE, public
from services.reporting.repository import ReadModels, province_names
from shared.campaign import CampaignBook
from shared.errors import ErrorBody, error_response
from shared.events import CriterionScore, Issue, LaoSummary

router = APIRouter(prefix="/v1", tags=["reports"])

Status = Literal["received", "validated", "returned", "rejected", "scored"]
Tier = Literal["outstanding", "efficient", "not_selected"]
_PROVINCE_CODE = re.compile(r"^[0-9]{2}$")


class Score(BaseModel):
    total: float
    max_total: float
    tier: Tier
    size_group: str
    size_group_flagged: bool = False
    rubric_version: str
    trigger: str = Field(default="validation", description="validation, review (reviewers' points) or rescore")
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


class SubmissionView(BaseModel):
    submission_id: str
    campaign: str
    lao: LaoSummary | None = None
    current_revision: int | None = Field(default=None, description="The newest revision: it supersedes the rest")
    status: Status | None = Field(default=None, description="The current revision's status")
    score: Score | None = Field(default=None, description="The current revision's score")
    revisions: list[RevisionView] = Field(description="Every revision, newest first; the history stays")
    notifications: list[NotificationView] = Field(default_factory=list)
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


class Figures(BaseModel):
    submissions: int = Field(default=0, description="Submissions (applications), each counted once")
    counts: StatusCounts = Field(default_factory=StatusCounts, description="By the current revision's status")
    average_score: float | None = Field(default=None, description="Average total of scored current revisions")
    tiers: TierCounts = Field(default_factory=TierCounts)


class ProvinceSubmission(BaseModel):
    submission_id: str
    lao_name: str | None = None
    lao_code: str | None = None
    lao_type: str | None = None
    district_code: str | None = None
    district_name: str | None = None
    status: Status
    current_revision: int
    score_total: float | None = None
    max_total: float | None = None
    tier: Tier | None = None


class ProvinceReport(Figures):
    campaign: str
    province_code: str = Field(description="2-digit DOPA code, or `unknown` for submissions not yet placed")
    province_name_th: str
    province_name_en: str
    updated_at: datetime | None = None
    items: list[ProvinceSubmission] = Field(default_factory=list, description="The province's submissions")


class ProvinceRow(Figures):
    province_code: str
    province_name_th: str
    province_name_en: str


class NationalReport(Figures):
    campaign: str
    updated_at: datetime | None = None
    provinces: list[ProvinceRow] = Field(default_factory=list)


def _read_models(request: Request) -> ReadModels:
    read_models: ReadModels = request.app.state.component.state["read_models"]
    return read_models


def _not_found(message_th: str, message_en: str) -> JSONResponse:
    return error_response(404, "not_found", message_th, message_en)


async def _campaign_known(request: Request, campaign: str) -> bool:
    campaigns: CampaignBook = request.app.state.context.campaigns
    return campaign in campaigns or await _read_models(request).national_view(campaign) is not None


def _campaign_not_found(campaign: str) -> JSONResponse:
    return _not_found(f"ไม่พบรอบการคัดเลือก {campaign}", f"No campaign {campaign}")


def _figures(document: dict[str, Any] | None) -> dict[str, Any]:
    if document is None:
        return {}
    return {key: document[key] for key in ("submissions", "counts", "average_score", "tiers")}


@router.get(
    "/submissions/{submission_id}",
    response_model=SubmissionView,
    summary="One submission: status, revisions, validation issues and score (สถานะของการส่ง)",
    responses={404: {"model": ErrorBody}},
)
async def submission(request: Request, submission_id: str) -> Any:
    view = await _read_models(request).submission(submission_id)
    if view is None or view.get("current_revision") is None:
        return _not_found(f"ไม่พบข้อมูลการส่ง {submission_id}", f"No submission {submission_id}")
    shown = public(view)
    shown["revisions"] = sorted(shown["revisions"].values(), key=lambda r: r["revision"], reverse=True)
    return SubmissionView.model_validate(shown)


@router.get(
    "/campaigns/{campaign}/provinces/{code}",
    response_model=ProvinceReport,
    summary="One province's figures and submissions (ภาพรวมระดับจังหวัด)",
    responses={404: {"model": ErrorBody}},
)
async def province(
    request: Request,
    campaign: str,
    code: str = Path(description="2-digit DOPA province code (e.g. 36), or `unknown`"),
) -> Any:
    if code != UNKNOWN_PROVINCE and not (_PROVINCE_CODE.match(code) and province_names(code)[0] != code):
        return _not_found(f"ไม่พบจังหวัดรหัส {code}", f"No province with code {code}")
    if not await _campaign_known(request, campaign):
        return _campaign_not_found(campaign)
    read_models = _read_models(request)
    document = await read_models.province(campaign, code)
    views = await read_models.province_submissions(campaign, code)
    name_th, name_en = province_names(code)
    return ProvinceReport(
        campaign=campaign,
        province_code=code,
        province_name_th=name_th,
        province_name_en=name_en,
        updated_at=document["updated_at"] if document else None,
        items=[_item(view) for view in views],
        **_figures(document),
    )


def _item(view: dict[str, Any]) -> ProvinceSubmission:
    lao = view.get("lao") or {}
    score = view.get("score") or {}
    return ProvinceSubmission(
        submission_id=view["submission_id"],
        lao_name=lao.get("name"),
        lao_code=lao.get("code"),
        lao_type=lao.get("type"),
        district_code=lao.get("district_code"),
        district_name=lao.get("district_name"),
        status=view["status"],
        current_revision=view["current_revision"],
        score_total=score.get("total"),
        max_total=score.get("max_total"),
        tier=score.get("tier"),
    )


@router.get(
    "/campaigns/{campaign}/national",
    response_model=NationalReport,
    summary="The national figures with one row per province (ภาพรวมระดับประเทศ)",
    responses={404: {"model": ErrorBody}},
)
async def national(request: Request, campaign: str) -> Any:
    document = await _read_models(request).national_view(campaign)
    if document is None:
        campaigns: CampaignBook = request.app.state.context.campaigns
        if campaign not in campaigns:
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
