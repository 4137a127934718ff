"""DLA's administrators in the workspace: the final selection of each campaign in the browser, through the same
use cases as the admin API (application/selection.py), every step audited under the administrator's name.

    GET  /workspace/admin/                                    the campaigns and where each selection stands
    GET  /workspace/admin/campaigns/{campaign}                the selection: proposal or frozen snapshot, the
                                                              quotas filled, overrides, publication, audit trail
    POST /workspace/admin/campaigns/{campaign}/freeze         freeze the results (rubric version and scores)
    POST /workspace/admin/campaigns/{campaign}/overrides      decide one entry otherwise, with a written reason
    POST /workspace/admin/campaigns/{campaign}/publish        publish (selection.published, once per decision)
    POST /workspace/admin/campaigns/{campaign}/unfreeze       open the results again, with a written reason

An administrator signs in with a one-time link (`python -m services.scoring.admins link ADMIN_ID`); the pages
of a campaign need the account's `selection` scope.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request, Response

from services.scoring import selection as rules
from services.scoring.api.auth import actor_of
from services.scoring.api.deps import Relay, Rubrics, Store
from services.scoring.application import selection
from services.scoring.repository import ScoringStore
from services.scoring.rubric import RubricBook
from services.scoring.workspace.pages import PageRoute, page, redirect
from services.scoring.workspace.sessions import AdminSession, WorkspaceAdmin, checked_form, form_text
from shared.campaign import CampaignBook, UnknownCampaign
from shared.errors import Invalid, NotFound, Problem, status_of
from shared.outbox import OutboxRelay
from shared.runtime import CampaignsDep

router = APIRouter(prefix="/workspace/admin", route_class=PageRoute, include_in_schema=False)
MAX_REASON = 2000
NOTICES = {
    "frozen": ("ตรึงผลคะแนนแล้ว การให้คะแนนและการคำนวณใหม่จะถูกระงับจนกว่าจะยกเลิกการตรึง",
               "The results are frozen: reviews and re-scores are refused until an unfreeze."),
    "override": ("บันทึกการปรับผลการคัดเลือกพร้อมเหตุผลแล้ว", "The decision and its reason are recorded."),
    "published": ("ประกาศผลการคัดเลือกแล้ว ระบบจะแจ้ง อปท. จังหวัด และอำเภอ และรายงานจะแสดงผลเป็นผลสุดท้าย",
                  "The selection is published: the municipalities, provinces and districts are told, and the reports "
                  "show it as final."),
    "unfrozen": ("ยกเลิกการตรึงผลคะแนนแล้ว การปรับผลที่บันทึกไว้ถูกยกเลิก", "The results are open again; the overrides "
                 "are dropped."),
}
STATUS_NAMES = {"open": ("ยังไม่ตรึงผล", "open"), "frozen": ("ตรึงผลแล้ว รอประกาศ", "frozen, not published"),
                "published": ("ประกาศแล้ว", "published")}



@dataclass(frozen=True)
class SelectionParts:
    """What the administrators' pages hand to the use cases."""

    store: ScoringStore
    campaigns: CampaignBook
    rubrics: RubricBook
    relay: OutboxRelay | None


def _selecting(store: Store, campaigns: CampaignsDep, rubrics: Rubrics, relay: Relay) -> SelectionParts:
    return SelectionParts(store, campaigns, rubrics, relay)


Selecting = Annotated[SelectionParts, Depends(_selecting)]


def _selection_actor(who: AdminSession) -> str:
    """The administrator's audit name; refused (403 scope_missing) without the `selection` scope."""
    return actor_of(who.admin, "selection")


def _campaign_path(campaign: str) -> str:
    return f"/workspace/admin/campaigns/{quote(campaign, safe='')}"


@router.get("/")
async def campaigns(who: WorkspaceAdmin, parts: Selecting) -> Response:
    rows = [{**row, "status_names": STATUS_NAMES[row["status"]]}
            for row in await selection.campaigns_overview(parts.store, parts.campaigns)]
    return page("admin_campaigns.html", session=who.session, csrf=who.session.csrf_token, admin=who.admin,
                rows=rows, may_select="selection" in who.session.scopes, notice=None)


async def _selection_page(request: Request, who: AdminSession, parts: SelectionParts, campaign: str, *,
                          status: int = 200, problem: Problem | None = None, problem_for: str = "",
                          typed: dict[str, str] | None = None) -> Response:
    _selection_actor(who)
    try:
        config = parts.campaigns.get(campaign)
    except UnknownCampaign:
        raise NotFound("unknown_campaign", f"ไม่พบรอบการคัดเลือก {campaign}", f"No campaign {campaign!r}.") from None
    view = await selection.selection_view(parts.store, parts.campaigns, parts.rubrics, campaign)
    audit = list(reversed(await selection.selection_audit(parts.store, campaign)))
    notice = NOTICES.get(request.query_params.get("notice", ""))
    return page("admin_selection.html", status, session=who.session, csrf=who.session.csrf_token, admin=who.admin,
                campaign=config, view=view, audit=audit, notice=notice, problem=problem, problem_for=problem_for,
                typed=typed or {}, status_names=STATUS_NAMES[view["status"]], tier_names=rules.TIER_NAMES,
                tiers=rules.TIERS, path=_campaign_path(campaign), min_reason=rules.MIN_REASON)


@router.get("/campaigns/{campaign}")
async def selection_page(request: Request, campaign: str, who: WorkspaceAdmin, parts: Selecting) -> Response:
    return await _selection_page(request, who, parts, campaign)


async def _act(request: Request, who: AdminSession, parts: SelectionParts, campaign: str, action: str,
               typed: dict[str, str], notice: str) -> Response:
    """Do one step of the selection; a refusal answers the page again with the reason beside its form and what
    was typed kept."""
    store, book, rubrics = parts.store, parts.campaigns, parts.rubrics
    actor = _selection_actor(who)
    try:
        if action == "freeze":
            await selection.freeze(store, book, rubrics, campaign, actor=actor)
        elif action == "unfreeze":
            await selection.unfreeze(store, book, rubrics, campaign, actor=actor, reason=typed["reason"])
        elif action == "override":
            await selection.override(store, book, rubrics, campaign, actor=actor, submission_id=typed["submission_id"],
                                     tier=typed["tier"], reason=typed["reason"])
        else:
            await selection.publish(store, book, rubrics, parts.relay, campaign, actor=actor)
    except Problem as refused:
        if status_of(refused) == 404:  # no such campaign, or an entry not in the selection: nothing to show it beside
            raise
        problem_for = f"override-{typed['submission_id']}" if action == "override" else action
        return await _selection_page(request, who, parts, campaign, status=status_of(refused), problem=refused,
                                     problem_for=problem_for, typed=typed)
    anchor = f"#entry-{quote(typed['submission_id'], safe='')}" if action == "override" else ""
    return redirect(f"{_campaign_path(campaign)}?notice={notice}{anchor}")


@router.post("/campaigns/{campaign}/freeze")
async def freeze(request: Request, campaign: str, who: WorkspaceAdmin, parts: Selecting) -> Response:
    await checked_form(request, who.session)
    return await _act(request, who, parts, campaign, "freeze", {}, "frozen")


@router.post("/campaigns/{campaign}/unfreeze")
async def unfreeze(request: Request, campaign: str, who: WorkspaceAdmin, parts: Selecting) -> Response:
    form = await checked_form(request, who.session)
    return await _act(request, who, parts, campaign, "unfreeze", {"reason": form_text(form, "reason", MAX_REASON)},
                      "unfrozen")


@router.post("/campaigns/{campaign}/overrides")
async def override(request: Request, campaign: str, who: WorkspaceAdmin, parts: Selecting) -> Response:
    form = await checked_form(request, who.session)
    typed = {"submission_id": form_text(form, "submission_id", 200), "tier": form_text(form, "tier", 32),
             "reason": form_text(form, "reason", MAX_REASON)}
    return await _act(request, who, parts, campaign, "override", typed, "override")


@router.post("/campaigns/{campaign}/publish")
async def publish(request: Request, campaign: str, who: WorkspaceAdmin, parts: Selecting) -> Response:
    form = await checked_form(request, who.session)
    if form_text(form, "confirm", 8) != "yes":
        problem = Invalid("confirmation_missing", "โปรดยืนยันว่าได้ตรวจสอบรายชื่อแล้ว ก่อนประกาศผล",
                          "Confirm that you have checked the list before publishing.")
        return await _selection_page(request, who, parts, campaign, status=422, problem=problem,
                                     problem_for="publish")
    return await _act(request, who, parts, campaign, "publish", {}, "published")
