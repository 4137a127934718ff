"""The final selection's admin API (an administrator with the `selection` scope, or SCORING_ADMIN_TOKEN):
see the proposal, freeze, override with a reason, publish, unfreeze, and read the audit trail of all that.
The workspace's selection pages (services/scoring/workspace/admin_pages.py) do the same through the same use
cases (application/selection.py)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from services.scoring.api.auth import SelectionAdmin
from services.scoring.api.deps import Relay, Rubrics, Store
from services.scoring.api.models import Override, Reason
from services.scoring.application import selection
from shared.errors import ErrorBody
from shared.runtime import CampaignsDep

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


@router.get("", responses=_ADMIN, summary="The selection: while open the proposal now, while frozen the snapshot "
                                          "with its overrides, and the publication if any")
async def view(campaign: str, _: SelectionAdmin, store: Store, campaigns: CampaignsDep, rubrics: Rubrics) -> Any:
    return await selection.selection_view(store, campaigns, rubrics, campaign)


@router.post("/freeze", responses=_CHANGES,
             summary="Freeze the results (rubric version and scores) and propose per size group from the quotas")
async def freeze(campaign: str, actor: SelectionAdmin, store: Store, campaigns: CampaignsDep,
                 rubrics: Rubrics) -> Any:
    return await selection.freeze(store, campaigns, rubrics, campaign, actor=actor)


@router.post("/unfreeze", responses=_CHANGES,
             summary="Open the results again (reviews and re-scores allowed); the overrides are dropped")
async def unfreeze(campaign: str, body: Reason, actor: SelectionAdmin, store: Store, campaigns: CampaignsDep,
                   rubrics: Rubrics) -> Any:
    return await selection.unfreeze(store, campaigns, rubrics, campaign, actor=actor, reason=body.reason)


@router.post("/overrides", responses=_CHANGES, summary="Decide one entry's tier otherwise than proposed, with a "
                                                       "written reason (the proposed tier again removes the override)")
async def override(campaign: str, body: Override, actor: SelectionAdmin, store: Store, campaigns: CampaignsDep,
                   rubrics: Rubrics) -> Any:
    return await selection.override(store, campaigns, rubrics, campaign, actor=actor, submission_id=body.submission_id,
                                    tier=body.tier, reason=body.reason)


@router.post("/publish", responses=_CHANGES,
             summary="Publish the decided selection: `selection.published`, final tiers everywhere")
async def publish(campaign: str, actor: SelectionAdmin, store: Store, campaigns: CampaignsDep, rubrics: Rubrics,
                  relay: Relay) -> Any:
    return await selection.publish(store, campaigns, rubrics, relay, campaign, actor=actor)


@router.get("/audit", responses=_ADMIN, summary="Every freeze, unfreeze, override and publication: who, when, why")
async def audit(campaign: str, _: SelectionAdmin, store: Store) -> Any:
    return await selection.selection_audit(store, campaign)
