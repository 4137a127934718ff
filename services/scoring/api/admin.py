"""Scoring's admin API (bearer SCORING_ADMIN_TOKEN): reviewers and their tokens, assignments, the audit
trail of reviewers' points, and publishing a rubric version (re-scoring a campaign through the bus)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from services.scoring.api.auth import Admin
from services.scoring.api.deps import Relay, Rubrics, Store, Workspace
from services.scoring.api.models import Assignment, NewReviewer, Rescore, SignInLink, SignInLinkIssued
from services.scoring.application import reviewing
from services.scoring.application.links import issue_link
from services.scoring.application.rescoring import run_progress, runs_of, start_run
from shared.errors import ErrorBody
from shared.runtime import CampaignsDep

router = APIRouter(prefix="/v1", tags=["scoring admin"])
_ADMIN: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "No admin token"},
    403: {"model": ErrorBody, "description": "Wrong admin token, or the admin API is disabled"},
}


@router.post("/admin/reviewers", status_code=201, responses={**_ADMIN, 422: {"model": ErrorBody}},
             summary="Register a reviewer; the answer holds their token, shown this once only")
async def create_reviewer(body: NewReviewer, _: Admin, store: Store) -> Any:
    reviewer, token = await reviewing.register_reviewer(store, name=body.name, province=body.province,
                                                        created_by=body.created_by)
    return {**reviewer, "token": token}


@router.get("/admin/reviewers", responses=_ADMIN, summary="Every reviewer (never their tokens)")
async def list_reviewers(_: Admin, store: Store) -> Any:
    return await reviewing.reviewers(store)


@router.post("/admin/reviewers/{reviewer_id}/disable", responses={**_ADMIN, 404: {"model": ErrorBody}},
             summary="Revoke a reviewer's token; their points entered so far stay")
async def disable_reviewer(reviewer_id: str, actor: Admin, store: Store) -> Any:
    return await reviewing.disable_reviewer(store, reviewer_id, by=actor)


@router.post("/admin/assignments", responses={**_ADMIN, 404: {"model": ErrorBody}, 409: {"model": ErrorBody}},
             summary="Assign submissions to a reviewer (a submission of their own province is refused)")
async def create_assignments(body: Assignment, _: Admin, store: Store, workspace: Workspace) -> Any:
    return await reviewing.assign(store, workspace, reviewer_id=body.reviewer_id, submission_ids=body.submission_ids,
                                  assigned_by=body.assigned_by)


@router.get("/admin/audit", responses=_ADMIN,
            summary="The audit trail of reviewers' points: who, when, old, new, why")
async def audit(_: Admin, store: Store, submission_id: str | None = Query(default=None),
                reviewer_id: str | None = Query(default=None)) -> Any:
    return await reviewing.audit_trail(store, submission_id=submission_id, reviewer_id=reviewer_id)


@router.post("/campaigns/{campaign}/rescore", status_code=202,
             responses={**_ADMIN, 404: {"model": ErrorBody}, 422: {"model": ErrorBody}},
             summary="Publish a rubric version for a campaign: it becomes active and every submission is re-scored")
async def rescore(campaign: str, body: Rescore, _: Admin, store: Store, campaigns: CampaignsDep, rubrics: Rubrics,
                  relay: Relay) -> Any:
    run = await start_run(store, campaigns, rubrics, campaign=campaign, rubric_version=body.rubric_version,
                          requested_by=body.requested_by, reason=body.reason, relay=relay)
    return JSONResponse(jsonable_encoder(await run_progress(store, run)), status_code=202)


@router.get("/campaigns/{campaign}/rescores", responses=_ADMIN,
            summary="Every publication of a rubric version for the campaign, newest first, with its progress")
async def rescores(campaign: str, _: Admin, store: Store) -> Any:
    return await runs_of(store, campaign)


@router.post("/admin/reviewers/{reviewer_id}/sign-in-link", status_code=201, response_model=SignInLinkIssued,
             responses={**_ADMIN, 404: {"model": ErrorBody}, 409: {"model": ErrorBody},
                        422: {"model": ErrorBody}},
             summary="A one-time sign-in link to the reviewers' web workspace (valid once, for 72 hours)")
async def sign_in_link(request: Request, reviewer_id: str, actor: Admin, workspace: Workspace,
                       body: SignInLink | None = None) -> Any:
    base = (body.base_url if body and body.base_url else str(request.base_url)).rstrip("/")
    path, expires_at = await issue_link(workspace, "reviewer", reviewer_id, actor)
    return {"url": base + path, "expires_at": expires_at}


@router.get("/admin/conflicts", responses=_ADMIN,
            summary="Reviewers' declarations of a conflict of interest: who, when, which submission, why")
async def conflicts(_: Admin, workspace: Workspace, submission_id: str | None = Query(default=None, max_length=200),
                    reviewer_id: str | None = Query(default=None, max_length=100)) -> Any:
    return await reviewing.conflict_declarations(workspace, submission_id=submission_id, reviewer_id=reviewer_id)
