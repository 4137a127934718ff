"""Scoring's admin API (bearer SCORING_ADMIN_TOKEN): reviewers and their tokens, assignments, the audit
trail of reviewers' points, and publishing a rubric version (re-scoring a campaign through the bus)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from services.scoring.auth import Admin
from services.scoring.errors import Refused
from services.scoring.repository import ScoringStore
from services.scoring.rescoring import run_progress, start_run
from services.scoring.reviewing import assign, public_change, public_reviewer, register_reviewer
from services.scoring.workspace.sessions import issue_link
from services.scoring.workspace.store import WorkspaceStore
from shared.errors import ErrorBody

router = APIRouter(prefix="/v1", tags=["scoring admin"])
_ADMIN: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "No admin token"},
    403: {"model": ErrorBody, "description": "Wrong admin token, or the admin API is disabled"},
}

class NewReviewer(BaseModel):
    name: str = Field(min_length=1, max_length=200, examples=["นางสาวสมหญิง ตั้งใจ"])
    province: str = Field(min_length=1, max_length=100, description="The reviewer's own province (code or name); "
                          "`national` for a reviewer without one", examples=["36"])
    created_by: str = Field(default="admin", min_length=1, max_length=200)


class Assignment(BaseModel):
    reviewer_id: str = Field(min_length=1, max_length=100)
    submission_ids: list[str] = Field(min_length=1, max_length=1000)
    assigned_by: str = Field(default="admin", min_length=1, max_length=200)


class SignInLink(BaseModel):
    base_url: str | None = Field(default=None, max_length=300, pattern=r"^https?://[^\s/?#]+(/[^\s?#]*)?$",
                                 description="The workspace's public address (as reviewers reach it); left out: "
                                             "the address this request came to", examples=["https://smartcity.example.go.th"])


class SignInLinkIssued(BaseModel):
    url: str = Field(description="The one-time sign-in link: valid once, for 72 hours; shown this once only")
    expires_at: datetime


class Rescore(BaseModel):
    rubric_version: str = Field(min_length=1, max_length=64, examples=["fy2568-v2"])
    requested_by: str = Field(default="admin", min_length=1, max_length=200)
    reason: str = Field(default="", max_length=2000)


def _store(request: Request) -> ScoringStore:
    store: ScoringStore = request.app.state.component.state["store"]
    return store


@router.post("/admin/reviewers", status_code=201, responses={**_ADMIN, 422: {"model": ErrorBody}},
             summary="Register a reviewer; the answer holds their token, shown this once only")
async def create_reviewer(request: Request, body: NewReviewer, _: Admin) -> Any:
    reviewer, token = await register_reviewer(_store(request), name=body.name, province=body.province,
                                              created_by=body.created_by)
    return {**reviewer, "token": token}


@router.get("/admin/reviewers", responses=_ADMIN, summary="Every reviewer (never their tokens)")
async def list_reviewers(request: Request, _: Admin) -> Any:
    return [public_reviewer(reviewer) for reviewer in await _store(request).all_reviewers()]


@router.post("/admin/reviewers/{reviewer_id}/disable", responses={**_ADMIN, 404: {"model": ErrorBody}},
             summary="Revoke a reviewer's token; their points entered so far stay")
async def disable_reviewer(request: Request, reviewer_id: str, actor: Admin) -> Any:
    if not await _store(request).disable_reviewer(reviewer_id, datetime.now(UTC), actor):
        raise Refused(404, "reviewer_unknown", f"ไม่พบกรรมการ {reviewer_id}", f"No reviewer {reviewer_id!r}.")
    reviewer = await _store(request).reviewer(reviewer_id)
    assert reviewer is not None
    return public_reviewer(reviewer)


@router.post("/admin/assignments", responses={**_ADMIN, 404: {"model": ErrorBody}, 409: {"model": ErrorBody}},
             summary="Assign submissions to a reviewer (a submission of their own province is refused)")
async def create_assignments(request: Request, body: Assignment, _: Admin) -> Any:
    return await assign(_store(request), reviewer_id=body.reviewer_id, submission_ids=body.submission_ids,
                        assigned_by=body.assigned_by)


@router.get("/admin/audit", responses=_ADMIN,
            summary="The audit trail of reviewers' points: who, when, old, new, why")
async def audit(request: Request, _: Admin, submission_id: str | None = Query(default=None),
                reviewer_id: str | None = Query(default=None)) -> Any:
    return [public_change(record)
            for record in await _store(request).audit(submission_id=submission_id, reviewer_id=reviewer_id)]


@router.post("/campaigns/{campaign}/rescore", status_code=202,
             responses={**_ADMIN, 404: {"model": ErrorBody}, 422: {"model": ErrorBody}},
             summary="Publish a rubric version for a campaign: it becomes active and every submission is re-scored")
async def rescore(request: Request, campaign: str, body: Rescore, _: Admin) -> Any:
    state = request.app.state
    run = await start_run(_store(request), state.context.campaigns, state.component.state["rubrics"],
                          campaign=campaign, rubric_version=body.rubric_version, requested_by=body.requested_by,
                          reason=body.reason)
    if state.context.relay is not None:
        state.context.relay.notify()
    return JSONResponse(jsonable_encoder(await run_progress(_store(request), run)), status_code=202)


@router.get("/campaigns/{campaign}/rescores", responses=_ADMIN,
            summary="Every publication of a rubric version for the campaign, newest first, with its progress")
async def rescores(request: Request, campaign: str, _: Admin) -> Any:
    return [await run_progress(_store(request), run) for run in await _store(request).runs_of(campaign)]


@router.post("/admin/reviewers/{reviewer_id}/sign-in-link", status_code=201, response_model=SignInLinkIssued,
             responses={**_ADMIN, 404: {"model": ErrorBody}, 409: {"model": ErrorBody},
                        422: {"model": ErrorBody}},
             summary="A one-time sign-in link to the reviewers' web workspace (valid once, for 72 hours)")
async def sign_in_link(request: Request, reviewer_id: str, actor: Admin, body: SignInLink | None = None) -> Any:
    base = (body.base_url if body and body.base_url else str(request.base_url)).rstrip("/")
    path, expires_at = await issue_link(WorkspaceStore(_store(request)), "reviewer", reviewer_id, actor)
    return {"url": base + path, "expires_at": expires_at}


@router.get("/admin/conflicts", responses=_ADMIN,
            summary="Reviewers' declarations of a conflict of interest: who, when, which submission, why")
async def conflicts(request: Request, _: Admin, submission_id: str | None = Query(default=None, max_length=200),
                    reviewer_id: str | None = Query(default=None, max_length=100)) -> Any:
    declarations = await WorkspaceStore(_store(request)).declarations(reviewer_id=reviewer_id,
                                                                       submission_id=submission_id)
    return [{"declaration_id": d["_id"], **{k: v for k, v in d.items() if k != "_id"}} for d in declarations]
