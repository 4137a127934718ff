"""The final selection's admin API (an administrator with the `selection` scope, or SCORING_ADMIN_TOKEN):
see the proposal, freeze, override with a reason, publish, unfreeze, and read the audit trail of all that.
The reviewer workspace's selection pages (services/scoring/workspace/) do the same through the same functions."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from services.scoring import selection
from services.scoring.auth import SelectionAdmin
from shared.errors import ErrorBody

router = APIRouter(prefix="/v1/admin/campaigns/{campaign}/selection", tags=["final selection"])
_ADMIN: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "No admin token"},
    403: {"model": ErrorBody, "description": "Wrong admin token, the account lacks the `selection` scope, or the "
                                             "admin API is disabled"},
    404: {"model": ErrorBody, "description": "No such campaign (or, for an override, no such entry)"},
}
_CHANGES: dict[int | str, dict[str, Any]] = {
    **_ADMIN,
    409: {"model": ErrorBody, "description": "Not allowed in the selection's present state (not frozen, frozen "
                                             "already, published already) or changed by someone else meanwhile"},
    422: {"model": ErrorBody, "description": "A reason that is missing or too short, or an unknown tier"},
}


class Reason(BaseModel):
    reason: str = Field(min_length=1, max_length=2000, description="Why (kept in the audit trail)",
                        examples=["คณะกรรมการขอพิจารณาคะแนนส่วนที่ ๓ ใหม่ตามหนังสือจังหวัด"])


class Override(BaseModel):
    submission_id: str = Field(min_length=1, max_length=200)
    tier: Literal["outstanding", "efficient", "not_selected"]
    reason: str = Field(min_length=1, max_length=2000, description="Why DLA decides otherwise than proposed",
                        examples=["คณะกรรมการลงพื้นที่แล้วพบว่าผลการดำเนินงานโดดเด่นกว่าคะแนนเอกสาร"])


def _deps(request: Request) -> tuple[Any, Any, Any]:
    state = request.app.state
    return state.component.state["store"], state.context.campaigns, state.component.state["rubrics"]


@router.get("", responses=_ADMIN, summary="The selection: while open the proposal now, while frozen the snapshot "
                                          "with its overrides, and the publication if any")
async def view(request: Request, campaign: str, _: SelectionAdmin) -> Any:
    return await selection.selection_view(*_deps(request), campaign)


@router.post("/freeze", responses=_CHANGES,
             summary="Freeze the results (rubric version and scores) and propose per size group from the quotas")
async def freeze(request: Request, campaign: str, actor: SelectionAdmin) -> Any:
    return await selection.freeze(*_deps(request), campaign, actor=actor)


@router.post("/unfreeze", responses=_CHANGES,
             summary="Open the results again (reviews and re-scores allowed); the overrides are dropped")
async def unfreeze(request: Request, campaign: str, body: Reason, actor: SelectionAdmin) -> Any:
    return await selection.unfreeze(*_deps(request), campaign, actor=actor, reason=body.reason)


@router.post("/overrides", responses=_CHANGES, summary="Decide one entry's tier otherwise than proposed, with a "
                                                       "written reason (the proposed tier again removes the override)")
async def override(request: Request, campaign: str, body: Override, actor: SelectionAdmin) -> Any:
    return await selection.override(*_deps(request), campaign, actor=actor, submission_id=body.submission_id,
                                    tier=body.tier, reason=body.reason)


@router.post("/publish", responses=_CHANGES,
             summary="Publish the decided selection: `selection.published`, final tiers everywhere")
async def publish(request: Request, campaign: str, actor: SelectionAdmin) -> Any:
    store, campaigns, rubrics = _deps(request)
    return await selection.publish(store, campaigns, rubrics, request.app.state.context.relay, campaign, actor=actor)


@router.get("/audit", responses=_ADMIN, summary="Every freeze, unfreeze, override and publication: who, when, why")
async def audit(request: Request, campaign: str, _: SelectionAdmin) -> Any:
    return await selection.selection_audit(_deps(request)[0], campaign)
