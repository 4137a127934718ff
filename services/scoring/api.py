"""Scoring's read API: the rubrics, the version active for a campaign, every score of a submission with its
explanation (all rubric versions, old ones included), rankings within size groups, and how rankings moved
between two versions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from services.scoring.errors import Refused
from services.scoring.repository import ScoringStore
from services.scoring.rescoring import ActiveRubric, active_rubric
from services.scoring.rubric import UNKNOWN_SIZE_GROUP, Rubric, RubricBook, UnknownRubric
from services.scoring.standings import comparison, comparison_view, rankings_view, standings
from shared.campaign import CampaignBook, UnknownCampaign
from shared.errors import ErrorBody
from shared.events import CriterionScore
from shared.geo import resolve_province
from shared.runtime import internal_reader

router = APIRouter(prefix="/v1", tags=["scoring"])
_ERRORS: dict[int | str, dict[str, Any]] = {404: {"model": ErrorBody}, 422: {"model": ErrorBody}}
# Scores and rankings name submissions: in production they need INTERNAL_READ_TOKEN or SCORING_ADMIN_TOKEN.
_READER = [Depends(internal_reader(lambda settings: settings.scoring_admin_token))]
_DENIED: dict[int | str, dict[str, Any]] = {401: {"model": ErrorBody, "description": "No or wrong token"},
                                            403: {"model": ErrorBody, "description": "Reads are disabled"}}


class EarlierScore(BaseModel):
    score_version: int | None = None
    trigger: str | None = None
    scored_at: datetime | None = None
    total: float | None = None
    tier: str | None = None
    manual_pending: list[str] | None = None
    criteria: list[CriterionScore] = Field(default_factory=list)


class ScoreView(BaseModel):
    submission_id: str
    revision: int
    campaign: str
    rubric_version: str
    rubric_digest: str | None = None
    score_version: int = 1
    trigger: str = "validation"
    scored_at: datetime | None = None
    total: float
    max_total: float
    tier: str
    provisional: bool = False
    size_group: str
    size_group_flagged: bool
    manual_pending: list[str]
    sections: dict[str, float] = Field(default_factory=dict)
    criteria: list[CriterionScore]
    history: list[EarlierScore] = Field(default_factory=list,
                                        description="Earlier scores of this revision under this version")


def _state(request: Request) -> tuple[ScoringStore, CampaignBook, RubricBook]:
    state = request.app.state.component.state
    return state["store"], request.app.state.context.campaigns, state["rubrics"]


def _rubric(rubrics: RubricBook, version: str) -> Rubric:
    try:
        return rubrics.get(version)
    except UnknownRubric:
        raise Refused(404, "unknown_rubric", f"ไม่พบเกณฑ์รุ่น {version}; รุ่นที่มี: {', '.join(rubrics.versions())}",
                      f"No rubric {version!r}; known versions: {', '.join(rubrics.versions())}.") from None


async def _active(request: Request, campaign: str) -> ActiveRubric:
    store, campaigns, rubrics = _state(request)
    if campaign not in campaigns:
        raise Refused(404, "unknown_campaign", f"ไม่พบรอบการคัดเลือก {campaign}", f"No campaign {campaign!r}.")
    try:
        return await active_rubric(store, campaigns, rubrics, campaign)
    except (UnknownRubric, UnknownCampaign) as error:
        raise Refused(404, "no_rubric", f"ยังไม่มีเกณฑ์การให้คะแนนสำหรับรอบ {campaign}", str(error)) from None


@router.get("/rubrics", response_model=list[str], summary="Rubric versions this service can apply")
async def rubrics(request: Request) -> list[str]:
    return _state(request)[2].versions()


@router.get("/rubrics/{version}", summary="One rubric: sections, criteria, rules, tiers, size groups",
            responses=_ERRORS)
async def rubric(request: Request, version: str) -> Any:
    found = _rubric(_state(request)[2], version)
    return {**found.model_dump(mode="json"), "max_total": found.max_total, "digest": found.digest,
            "tie_break_sections": found.tie_break_sections}


@router.get("/campaigns/{campaign}/rubric", summary="The rubric version a campaign is scored under now, and why",
            responses=_ERRORS)
async def campaign_rubric(request: Request, campaign: str) -> Any:
    active = await _active(request, campaign)
    return {"campaign": campaign, **active.as_json(),
            "campaign_file_version": request.app.state.context.campaigns.get(campaign).rubric_version}


@router.get("/scores/{submission_id}", response_model=list[ScoreView],
            summary="Every score of a submission (each revision × rubric version), newest revision first",
            responses={404: {"model": ErrorBody}, **_DENIED}, dependencies=_READER)
async def scores(request: Request, submission_id: str) -> Any:
    documents = await _state(request)[0].scores_of(submission_id)
    if not documents:
        raise Refused(404, "not_found", f"ไม่พบคะแนนของ {submission_id}", f"No score for {submission_id}")
    return [ScoreView.model_validate(d) for d in documents]


@router.get("/campaigns/{campaign}/rankings", summary="Rankings within size groups, nationally or in a province",
            responses={**_ERRORS, **_DENIED}, dependencies=_READER)
async def campaign_rankings(
        request: Request, campaign: str,
        size_group: str | None = Query(default=None, description="large, medium, small or unknown; all if left out"),
        province: str | None = Query(default=None, description="a province (2-digit code or name): its LAOs ranked "
                                                               "among themselves, each with its national rank"),
        rubric_version: str | None = Query(default=None, description="the active version if left out")) -> Any:
    store, _, rubrics = _state(request)
    active_version = (await _active(request, campaign)).rubric.version
    version = rubric_version or active_version
    chosen = _rubric(rubrics, version)
    if size_group is not None and size_group not in {*chosen.size_groups.names, UNKNOWN_SIZE_GROUP}:
        known = ", ".join([*chosen.size_groups.names, UNKNOWN_SIZE_GROUP])
        raise Refused(422, "unknown_size_group", f"ไม่รู้จักกลุ่มขนาด {size_group}; ใช้ได้: {known}",
                      f"Unknown size group {size_group!r}; use one of: {known}.")
    province_code = None
    if province is not None:
        found = resolve_province(province)
        if found is None and province != "unknown":
            raise Refused(422, "unknown_province", f"ไม่รู้จักจังหวัด {province}",
                          f"Unknown province {province!r} (use the 2-digit code or the name).")
        province_code = found.code if found else "unknown"
    ranked, left_out = await standings(store, campaign, version)
    return rankings_view(chosen, ranked, left_out, campaign=campaign, active=version == active_version,
                         size_group=size_group, province=province_code)


@router.get("/campaigns/{campaign}/rankings/compare", summary="How rankings moved between two rubric versions",
            responses={**_ERRORS, **_DENIED}, dependencies=_READER)
async def compare_rankings(request: Request, campaign: str,
                           version_from: str = Query(alias="from"), version_to: str = Query(alias="to")) -> Any:
    store, _, rubrics = _state(request)
    await _active(request, campaign)
    before_rubric, after_rubric = _rubric(rubrics, version_from), _rubric(rubrics, version_to)
    before, _ = await standings(store, campaign, version_from)
    after, _ = await standings(store, campaign, version_to)
    moves = comparison(before, after, before_rubric, after_rubric)
    return comparison_view(moves, campaign=campaign, version_from=version_from, version_to=version_to,
                           rubric_after=after_rubric)
