"""The reviewer API (bearer token of each reviewer): the submissions assigned to me, one submission's data
to judge, and my points with a comment for its committee criteria. Every change is kept in the audit trail;
the new total flows on as a `submission.scored` with trigger "review"."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from services.scoring.auth import Reviewer
from services.scoring.review import Entry, points_of
from services.scoring.reviewing import assignments_of, public_reviewer, record_review, submission_for_review
from shared.errors import ErrorBody

router = APIRouter(prefix="/v1/reviewer", tags=["committee review"])
_REVIEWER: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "No reviewer token, or an unknown or revoked one"},
    403: {"model": ErrorBody, "description": "Not assigned to you, or a conflict of interest (your own province)"},
}


class PointsEntry(BaseModel):
    criterion: str = Field(min_length=1, max_length=64, examples=["document_review"])
    points: float | None = Field(description="Points for the criterion (two decimals); null withdraws your mark",
                                 allow_inf_nan=False, examples=[12.5])
    comment: str = Field(max_length=2000, description="Why: required; kept in the audit trail",
                         examples=["แผนและหลักฐานครบถ้วน มีตัวชี้วัดชัดเจน"])


class Review(BaseModel):
    revision: int | None = Field(default=None, ge=1, description="The revision you judged; refused (409) when a "
                                 "newer one exists. Left out: the newest.")
    entries: list[PointsEntry] = Field(min_length=1, max_length=20)


def _deps(request: Request) -> tuple[Any, Any, Any]:
    state = request.app.state
    return state.component.state["store"], state.context.campaigns, state.component.state["rubrics"]


@router.get("/me", responses=_REVIEWER, summary="Who this token belongs to")
async def me(reviewer: Reviewer) -> Any:
    return public_reviewer(reviewer)


@router.get("/assignments", responses=_REVIEWER,
            summary="The submissions assigned to me, with the committee criteria, my marks and the committee's")
async def my_assignments(request: Request, reviewer: Reviewer) -> Any:
    store, campaigns, rubrics = _deps(request)
    return await assignments_of(store, campaigns, rubrics, reviewer)


@router.get("/submissions/{submission_id}", responses={**_REVIEWER, 404: {"model": ErrorBody}},
            summary="One assigned submission's newest revision: its data, current score and committee criteria")
async def submission(request: Request, submission_id: str, reviewer: Reviewer) -> Any:
    store, campaigns, rubrics = _deps(request)
    return await submission_for_review(store, campaigns, rubrics, reviewer=reviewer, submission_id=submission_id)


@router.put("/submissions/{submission_id}/review", status_code=202,
            responses={**_REVIEWER, 404: {"model": ErrorBody}, 409: {"model": ErrorBody}, 422: {"model": ErrorBody}},
            summary="Enter or change my points (with why) for committee criteria; the score follows through the bus")
async def review(request: Request, submission_id: str, body: Review, reviewer: Reviewer) -> Any:
    store, campaigns, rubrics = _deps(request)
    entries = [Entry(e.criterion, points_of(e.points), e.comment) for e in body.entries]
    outcome = await record_review(store, campaigns, rubrics, request.app.state.context.relay, reviewer=reviewer,
                                  submission_id=submission_id, revision=body.revision, entries=entries)
    # 202: recorded; the new score is computed and published through the bus. 200: nothing changed.
    return JSONResponse(jsonable_encoder(outcome), status_code=202 if outcome["change_id"] else 200)
