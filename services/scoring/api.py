"""Scoring's HTTP API: the rubrics in force and one submission's scores with their explanation."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel

from shared.errors import ErrorBody, error_response
from shared.events import CriterionScore

router = APIRouter(prefix="/v1", tags=["scoring"])


class ScoreView(BaseModel):
    submission_id: str
    revision: int
    campaign: str
    rubric_version: str
    total: float
    max_total: float
    tier: str
    size_group: str
    size_group_flagged: bool
    manual_pending: list[str]
    criteria: list[CriterionScore]


@router.get("/rubrics", response_model=list[str], summary="Rubric versions this service can apply")
async def rubrics(request: Request) -> list[str]:
    versions: list[str] = request.app.state.component.state["rubrics"].versions()
    return versions


@router.get("/scores/{submission_id}", response_model=list[ScoreView],
            summary="Every score of a submission, newest revision first", responses={404: {"model": ErrorBody}})
async def scores(request: Request, submission_id: str) -> Any:
    collection = request.app.state.component.state["scores"]
    documents = await collection.find({"submission_id": submission_id},
                                      sort=[("revision", -1), ("rubric_version", 1)]).to_list(None)
    if not documents:
        return error_response(404, "not_found", f"ไม่พบคะแนนของ {submission_id}", f"No score for {submission_id}")
    return [ScoreView.model_validate(d) for d in documents]
