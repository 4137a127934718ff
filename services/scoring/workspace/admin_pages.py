"""DLA's administrators in the workspace: the final selection of each campaign in the browser, through the same
functions as the admin API (services/scoring/selection.py), every step audited under the administrator's name.

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

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request, Response

from services.scoring import selection
from services.scoring.auth import actor_of
from services.scoring.errors import Refused
from services.scoring.workspace.pages import PageRoute, page, redirect
from services.scoring.workspace.sessions import AdminSession, WorkspaceAdmin, checked_form, form_text
from shared.campaign import UnknownCampaign

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


def _deps(request: Request) -> tuple[Any, Any, Any]:
    state = request.app.state
    return state.component.state["store"], state.context.campaigns, state.component.state["rubrics"]


def _selection_actor(who: AdminSession) -> str:
    """The administrator's audit name; refused (403 scope_missing) without the `selection` scope."""
    return actor_of(who.admin, "selection")


def _campaign_path(campaign: str) -> str:
    return f"/workspace/admin/campaigns/{quote(campaign, safe='')}"


@router.get("/")
async def campaigns(request: Request, who: WorkspaceAdmin) -> Response:
    store, book, _ = _deps(request)
    rows = []
    for key in book.keys():
        config = book.get(key)
        state = await store.selection(key)
        published = (state or {}).get("published")
        status = selection.status_of(state)
        rows.append({"key": key, "title_th": config.title_th, "title_en": config.title_en, "status": status,
                     "status_names": STATUS_NAMES[status], "published": published,
                     "places": sum(sum(places.values()) for places in config.selection_quotas.values())})
    return page("admin_campaigns.html", session=who.session, csrf=who.session.csrf_token, admin=who.admin,
                rows=rows, may_select="selection" in who.session.scopes, notice=None)


async def _selection_page(request: Request, who: AdminSession, campaign: str, *, status: int = 200,
                          problem: Refused | None = None, problem_for: str = "",
                          typed: dict[str, str] | None = None) -> Response:
    _selection_actor(who)
    store, book, rubrics = _deps(request)
    try:
        config = book.get(campaign)
    except UnknownCampaign:
        raise Refused(404, "unknown_campaign", f"ไม่พบรอบการคัดเลือก {campaign}", f"No campaign {campaign!r}.") from None
    view = await selection.selection_view(store, book, rubrics, campaign)
    audit = list(reversed(await selection.selection_audit(store, campaign)))
    notice = NOTICES.get(request.query_params.get("notice", ""))
    return page("admin_selection.html", status, session=who.session, csrf=who.session.csrf_token, admin=who.admin,
                campaign=config, view=view, audit=audit, notice=notice, problem=problem, problem_for=problem_for,
                typed=typed or {}, status_names=STATUS_NAMES[view["status"]], tier_names=selection.TIER_NAMES,
                tiers=selection.TIERS, path=_campaign_path(campaign), min_reason=selection.MIN_REASON)


@router.get("/campaigns/{campaign}")
async def selection_page(request: Request, campaign: str, who: WorkspaceAdmin) -> Response:
    return await _selection_page(request, who, campaign)


async def _act(request: Request, who: AdminSession, campaign: str, action: str,
               typed: dict[str, str], notice: str) -> Response:
    """Do one step of the selection; a refusal answers the page again with the reason beside its form and what
    was typed kept."""
    store, book, rubrics = _deps(request)
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
            await selection.publish(store, book, rubrics, request.app.state.context.relay, campaign, actor=actor)
    except Refused as refused:
        if refused.status == 404:  # no such campaign, or an entry not in the selection: nothing to show it beside
            raise
        problem_for = f"override-{typed['submission_id']}" if action == "override" else action
        return await _selection_page(request, who, campaign, status=refused.status, problem=refused,
                                     problem_for=problem_for, typed=typed)
    anchor = f"#entry-{quote(typed['submission_id'], safe='')}" if action == "override" else ""
    return redirect(f"{_campaign_path(campaign)}?notice={notice}{anchor}")


@router.post("/campaigns/{campaign}/freeze")
async def freeze(request: Request, campaign: str, who: WorkspaceAdmin) -> Response:
    await checked_form(request, who.session)
    return await _act(request, who, campaign, "freeze", {}, "frozen")


@router.post("/campaigns/{campaign}/unfreeze")
async def unfreeze(request: Request, campaign: str, who: WorkspaceAdmin) -> Response:
    form = await checked_form(request, who.session)
    return await _act(request, who, campaign, "unfreeze", {"reason": form_text(form, "reason", MAX_REASON)},
                      "unfrozen")


@router.post("/campaigns/{campaign}/overrides")
async def override(request: Request, campaign: str, who: WorkspaceAdmin) -> Response:
    form = await checked_form(request, who.session)
    typed = {"submission_id": form_text(form, "submission_id", 200), "tier": form_text(form, "tier", 32),
             "reason": form_text(form, "reason", MAX_REASON)}
    return await _act(request, who, campaign, "override", typed, "override")


@router.post("/campaigns/{campaign}/publish")
async def publish(request: Request, campaign: str, who: WorkspaceAdmin) -> Response:
    form = await checked_form(request, who.session)
    if form_text(form, "confirm", 8) != "yes":
        problem = Refused(422, "confirmation_missing", "โปรดยืนยันว่าได้ตรวจสอบรายชื่อแล้ว ก่อนประกาศผล",
                          "Confirm that you have checked the list before publishing.")
        return await _selection_page(request, who, campaign, status=422, problem=problem, problem_for="publish")
    return await _act(request, who, campaign, "publish", {}, "published")
