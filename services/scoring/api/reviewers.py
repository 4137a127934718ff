"""The reviewer API (bearer token of each reviewer): the submissions assigned to me, one submission's data
to judge, and my points with a comment for its committee criteria. Every change is kept in the audit trail;
the new total flows on as a `submission.scored` with trigger "review"."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from services.scoring.api.auth import Reviewer
from services.scoring.api.deps import Relay, Rubrics, Store
from services.scoring.api.models import Review
from services.scoring.application.reviewing import (
    assignments_of,
    public_reviewer,
    record_review,
    submission_for_review,
)
from services.scoring.review import Entry, points_of
from shared.errors import ErrorBody
from shared.runtime import CampaignsDep

router = APIRouter(prefix="/v1/reviewer", tags=["committee review"])
_REVIEWER: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "No reviewer token, or an unknown or revoked one"},
    403: {"model": ErrorBody, "description": "Not assigned to you, or a conflict of interest (your own province)"},
}


@router.get("/me", responses=_REVIEWER, summary="Who this token belongs to")
async def me(reviewer: Reviewer) -> Any:
    return public_reviewer(reviewer)


@router.get("/assignments", responses=_REVIEWER,
            summary="The submissions assigned to me, with the committee criteria, my marks and the committee's")
async def my_assignments(reviewer: Reviewer, store: Store, campaigns: CampaignsDep, rubrics: Rubrics) -> Any:
    return await assignments_of(store, campaigns, rubrics, reviewer)


@router.get("/submissions/{submission_id}", responses={**_REVIEWER, 404: {"model": ErrorBody}},
            summary="One assigned submission's newest revision: its data, current score and committee criteria")
async def submission(submission_id: str, reviewer: Reviewer, store: Store, campaigns: CampaignsDep,
                     rubrics: Rubrics) -> Any:
    return await submission_for_review(store, campaigns, rubrics, reviewer=reviewer, submission_id=submission_id)


@router.put("/submissions/{submission_id}/review", status_code=202,
            responses={**_REVIEWER, 404: {"model": ErrorBody}, 409: {"model": ErrorBody}, 422: {"model": ErrorBody}},
            summary="Enter or change my points (with why) for committee criteria; the score follows through the bus")
async def review(submission_id: str, body: Review, reviewer: Reviewer, store: Store, campaigns: CampaignsDep,
                 rubrics: Rubrics, relay: Relay) -> Any:
    entries = [Entry(e.criterion, points_of(e.points), e.comment) for e in body.entries]
    outcome = await record_review(store, campaigns, rubrics, relay, reviewer=reviewer, submission_id=submission_id,
                                  revision=body.revision, entries=entries)
    # 202: recorded; the new score is computed and published through the bus. 200: nothing changed.
    return JSONResponse(jsonable_encoder(outcome), status_code=202 if outcome["change_id"] else 200)
