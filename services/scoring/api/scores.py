"""Scoring's read API: the rubrics, the version active for a campaign, every score of a submission with its
explanation (all rubric versions, old ones included), rankings within size groups, and how rankings moved
between two versions."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query

from services.scoring.api.deps import Rubrics, Store
from services.scoring.api.models import ScoreView
from services.scoring.application import results
from shared.errors import ErrorBody
from shared.runtime import CampaignsDep, internal_reader

router = APIRouter(prefix="/v1", tags=["scoring"])
_ERRORS: dict[int | str, dict[str, Any]] = {404: {"model": ErrorBody}, 422: {"model": ErrorBody}}
# Scores and rankings name submissions: in production they need INTERNAL_READ_TOKEN or SCORING_ADMIN_TOKEN.
_READER = [Depends(internal_reader(lambda settings: settings.scoring_admin_token))]
_DENIED: dict[int | str, dict[str, Any]] = {401: {"model": ErrorBody, "description": "No or wrong token"},
                                            403: {"model": ErrorBody, "description": "Reads are disabled"}}


@router.get("/rubrics", response_model=list[str], summary="Rubric versions this service can apply")
async def rubrics(book: Rubrics) -> list[str]:
    return book.versions()


@router.get("/rubrics/{version}", summary="One rubric: sections, criteria, rules, tiers, size groups",
            responses=_ERRORS)
async def rubric(version: str, book: Rubrics) -> Any:
    return results.rubric_view(book, version)


@router.get("/campaigns/{campaign}/rubric", summary="The rubric version a campaign is scored under now, and why",
            responses=_ERRORS)
async def campaign_rubric(campaign: str, store: Store, campaigns: CampaignsDep, book: Rubrics) -> Any:
    return await results.campaign_rubric(store, campaigns, book, campaign)


@router.get("/scores/{submission_id}", response_model=list[ScoreView],
            summary="Every score of a submission (each revision × rubric version), newest revision first",
            responses={404: {"model": ErrorBody}, **_DENIED}, dependencies=_READER)
async def scores(submission_id: str, store: Store) -> Any:
    return [ScoreView.model_validate(d) for d in await results.scores_of(store, submission_id)]


@router.get("/campaigns/{campaign}/rankings", summary="Rankings within size groups, nationally or in a province",
            responses={**_ERRORS, **_DENIED}, dependencies=_READER)
async def campaign_rankings(
        campaign: str, store: Store, campaigns: CampaignsDep, book: Rubrics,
        size_group: str | None = Query(default=None, description="large, medium, small or unknown; all if left out"),
        province: str | None = Query(default=None, description="a province (2-digit code or name): its LAOs ranked "
                                                               "among themselves, each with its national rank"),
        rubric_version: str | None = Query(default=None, description="the active version if left out")) -> Any:
    return await results.campaign_rankings(store, campaigns, book, campaign, size_group=size_group,
                                           province=province, rubric_version=rubric_version)


@router.get("/campaigns/{campaign}/rankings/compare", summary="How rankings moved between two rubric versions",
            responses={**_ERRORS, **_DENIED}, dependencies=_READER)
async def compare_rankings(campaign: str, store: Store, campaigns: CampaignsDep, book: Rubrics,
                           version_from: str = Query(alias="from"), version_to: str = Query(alias="to")) -> Any:
    return await results.compare_rankings(store, campaigns, book, campaign, version_from=version_from,
                                          version_to=version_to)
