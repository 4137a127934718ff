"""The workspace's routes (HTML, not part of the OpenAPI description):

    GET  /workspace/sign-in?code=…                   the sign-in page (a button; the code is not used yet)
    POST /workspace/sign-in                          use the code once, open a session (cookie), go to the landing
    POST /workspace/sign-out                         end the session
    GET  /workspace/                                 my assignments with progress and the current score
    GET  /workspace/submissions/{id}                 the municipality's answers, automatic points, my forms
    POST /workspace/submissions/{id}/review          one criterion: save a draft, or submit (record_review)
    POST /workspace/submissions/{id}/conflict        declare a conflict of interest (audited; unassigns)
    GET  /workspace/static/workspace.css             the stylesheet
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request, Response

from services.scoring.api.deps import Relay, Rubrics, Store, Workspace
from services.scoring.application import workspace as use_cases
from services.scoring.repository import ScoringStore, WorkspaceStore
from services.scoring.review import points_of
from services.scoring.rubric import RubricBook
from services.scoring.workspace import sessions
from services.scoring.workspace.pages import STYLESHEET, PageRoute, page, redirect
from services.scoring.workspace.sessions import WorkspaceReviewer, checked_form, form_text
from shared import thai
from shared.campaign import CampaignBook
from shared.errors import FieldError, Forbidden, Invalid, Problem, status_of
from shared.outbox import OutboxRelay
from shared.runtime import CampaignsDep, SettingsDep

router = APIRouter(prefix="/workspace", route_class=PageRoute, include_in_schema=False)
MAX_COMMENT = 2000
NOTICES = {
    "draft": ("บันทึกร่างแล้ว (ยังไม่นับเป็นคะแนน)", "Draft saved (not counted in the score)."),
    "submitted": ("ส่งคะแนนแล้ว คะแนนรวมจะปรับตามภายในไม่กี่วินาที",
                  "Points submitted; the total follows within a few seconds."),
    "unchanged": ("คะแนนและเหตุผลเหมือนที่ส่งไว้แล้ว จึงไม่มีการเปลี่ยนแปลง",
                  "These points and comment are what you submitted already; nothing changed."),
    "conflict": ("บันทึกการแจ้งผลประโยชน์ทับซ้อนแล้ว และนำแบบรายงานออกจากรายการของท่านแล้ว",
                 "Your declaration of a conflict of interest is recorded, and the submission is no longer "
                 "assigned to you."),
}


@dataclass(frozen=True)
class ReviewingParts:
    """What the reviewers' pages hand to the use cases."""

    store: ScoringStore
    workspace: WorkspaceStore
    campaigns: CampaignBook
    rubrics: RubricBook
    relay: OutboxRelay | None


def _reviewing(store: Store, workspace: Workspace, campaigns: CampaignsDep, rubrics: Rubrics,
               relay: Relay) -> ReviewingParts:
    return ReviewingParts(store, workspace, campaigns, rubrics, relay)


Reviewing = Annotated[ReviewingParts, Depends(_reviewing)]


def _notice(request: Request) -> tuple[str, str] | None:
    return NOTICES.get(request.query_params.get("notice", ""))


@router.get("/static/workspace.css")
async def stylesheet() -> Response:
    return Response(STYLESHEET, media_type="text/css",
                    headers={"Cache-Control": "max-age=3600", "X-Content-Type-Options": "nosniff"})


# -- signing in and out -----------------------------------------------------------------------------------

@router.get("/sign-in")
async def sign_in_page(request: Request, workspace: Workspace, settings: SettingsDep) -> Response:
    code = request.query_params.get("code", "")
    link = await sessions.check_link(workspace, code)
    name = await sessions.subject_name(workspace, link)
    nonce = secrets.token_urlsafe(24)
    response = page("sign_in.html", code=code, csrf=sessions.sign_in_token(workspace, nonce), kind=link["kind"],
                    name=name, expires_at=link["expires_at"])
    sessions.set_sign_in_cookie(response, settings, nonce)
    return response


@router.post("/sign-in")
async def sign_in(request: Request, workspace: Workspace, settings: SettingsDep) -> Response:
    form = await sessions.checked_sign_in_form(request, workspace)
    session = await sessions.exchange(workspace, form_text(form, "code", sessions.MAX_CODE))
    response = redirect(sessions.LANDING[session.kind])
    sessions.set_session_cookie(response, settings, session)
    sessions.clear_cookie(response, settings, sessions.SIGN_IN_COOKIE)
    return response


@router.post("/sign-out")
async def sign_out(request: Request, workspace: Workspace, settings: SettingsDep) -> Response:
    session = await sessions.find_session(workspace, request.cookies.get(sessions.COOKIE))
    if session is not None:
        await checked_form(request, session)
        await sessions.end_session(workspace, session)
    response = page("message.html", title_th="ออกจากระบบแล้ว", title_en="Signed out",
                    message_th="ออกจากระบบเรียบร้อยแล้ว หากต้องการเข้าใช้งานอีก โปรดขอลิงก์เข้าสู่ระบบใหม่",
                    message_en="You are signed out. To come back, ask for a new sign-in link.", code="", errors=[])
    sessions.clear_cookie(response, settings)
    return response


# -- my assignments ---------------------------------------------------------------------------------------

def _progress(view: dict[str, Any], drafted: set[str]) -> dict[str, Any]:
    criteria = view["criteria"]
    marked = sum(1 for criterion in criteria if criterion["mine"] is not None)
    if criteria and marked == len(criteria):
        state = ("ส่งคะแนนครบแล้ว", "submitted", "done")
    elif drafted:
        state = ("มีร่างที่ยังไม่ส่ง", "draft", "draft")
    elif marked:
        state = ("ส่งคะแนนบางเกณฑ์", "in progress", "partial")
    else:
        state = ("ยังไม่เริ่ม", "not started", "todo")
    return {"marked": marked, "total": len(criteria), "drafts": len(drafted), "state_th": state[0],
            "state_en": state[1], "state": state[2]}


@router.get("/")
async def assignments(request: Request, who: WorkspaceReviewer, parts: Reviewing) -> Response:
    mine = await use_cases.assignments(parts.store, parts.workspace, parts.campaigns, parts.rubrics, who.reviewer)
    rows = [{**view, "progress": _progress(view, mine.drafts.get(view["submission_id"], set()))}
            for view in mine.views]
    return page("assignments.html", session=who.session, csrf=who.session.csrf_token, reviewer=who.reviewer,
                rows=rows, notice=_notice(request))


# -- one submission ---------------------------------------------------------------------------------------

def _evidence(submission: dict[str, Any]) -> list[dict[str, str]]:
    links = []
    plan = (submission.get("readiness") or {}).get("plan_url")
    if plan:
        links.append({"url": plan, "what_th": "แผนพัฒนาเมืองอัจฉริยะ", "what_en": "Smart City plan"})
    for number, project in enumerate(submission.get("projects") or [], start=1):
        for url in project.get("evidence_urls") or []:
            links.append({"url": url, "what_th": f"โครงการที่ {number}: {project.get('name') or ''}".strip(),
                          "what_en": f"Project {number}"})
    return links


async def _submission_page(request: Request, who: sessions.ReviewerSession, parts: ReviewingParts,
                           submission_id: str, *, status: int = 200, typed: dict[str, dict[str, str]] | None = None,
                           problems: dict[str, Problem] | None = None) -> Response:
    shown = await use_cases.review_page(parts.store, parts.workspace, parts.campaigns, parts.rubrics, who.reviewer,
                                        submission_id)
    view, score, drafts = shown.view, shown.score, shown.drafts
    explained = {c["key"]: c for c in (score or {}).get("criteria", [])}
    automatic = [c for c in (score or {}).get("criteria", []) if not c.get("manual")]
    forms = []
    for criterion in view["criteria"]:
        key = criterion["key"]
        draft = drafts.get(key)
        mine = criterion["mine"]
        if typed and key in typed:
            values = typed[key]
        elif draft is not None:
            values = {"points": draft.get("points", ""), "comment": draft.get("comment", "")}
        elif mine is not None:
            values = {"points": str(mine["points"]), "comment": mine["comment"]}
        else:
            values = {"points": "", "comment": ""}
        forms.append({**criterion, "typed": values, "draft": draft, "explained": explained.get(key),
                      "problem": (problems or {}).get(key)})
    submission = view["submission"]
    return page("submission.html", status, session=who.session, csrf=who.session.csrf_token, reviewer=who.reviewer,
                view=view, submission=submission, score=score, automatic=automatic, forms=forms,
                evidence=_evidence(submission), notice=_notice(request),
                notice_for=request.query_params.get("criterion", ""),
                conflict_problem=(problems or {}).get("conflict"),
                conflict_reason=(typed or {}).get("conflict", {}).get("reason", ""))


@router.get("/submissions/{submission_id}")
async def submission(request: Request, submission_id: str, who: WorkspaceReviewer, parts: Reviewing) -> Response:
    return await _submission_page(request, who, parts, submission_id)


def _typed_points(text: str) -> Decimal | None:
    cleaned = thai.to_arabic_digits(text).strip().replace(",", "")
    if not cleaned:
        return None
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _back(submission_id: str, notice: str, criterion: str) -> str:
    """The submission's page again, the notice shown in (and scrolled to) the criterion's form."""
    return (f"/workspace/submissions/{quote(submission_id, safe='')}?notice={notice}&criterion={criterion}"
            f"#criterion-{criterion}")


@router.post("/submissions/{submission_id}/review")
async def review(request: Request, submission_id: str, who: WorkspaceReviewer, parts: Reviewing) -> Response:
    form = await checked_form(request, who.session)
    criterion = form_text(form, "criterion", 64)
    typed = {"points": form_text(form, "points", 32), "comment": form_text(form, "comment", MAX_COMMENT)}
    view = await use_cases.committee_criterion(parts.store, parts.campaigns, parts.rubrics, who.reviewer,
                                               submission_id, criterion)
    if form_text(form, "action", 16) == "draft":
        await use_cases.save_draft(parts.workspace, reviewer=who.reviewer, view=view, criterion=criterion,
                                   points=typed["points"], comment=typed["comment"])
        return redirect(_back(submission_id, "draft", criterion))

    value = _typed_points(typed["points"])
    problem: Problem | None = None
    if value is None:
        problem = Invalid("invalid_review", "คะแนนที่บันทึกไม่ถูกต้อง โปรดแก้ไขตามรายการด้านล่าง",
                          "The points entered are not valid; fix the entries listed below.",
                          errors=[FieldError(field="points", code="points_missing",
                                             message_th="ต้องระบุคะแนนเป็นตัวเลข (เช่น 12 หรือ 12.5)",
                                             message_en="Enter the points as a number (e.g. 12 or 12.5).")])
    else:
        revision_text = form_text(form, "revision", 12)
        revision = int(revision_text) if revision_text.isdigit() else None
        try:
            outcome = await use_cases.submit_points(parts.store, parts.workspace, parts.campaigns, parts.rubrics,
                                                    parts.relay, reviewer=who.reviewer, submission_id=submission_id,
                                                    criterion=criterion, revision=revision, points=points_of(value),
                                                    comment=typed["comment"])
        except Problem as refused:
            problem = refused
        else:
            notice = "submitted" if outcome["change_id"] else "unchanged"
            return redirect(_back(submission_id, notice, criterion))
    return await _submission_page(request, who, parts, submission_id, status=status_of(problem),
                                  typed={criterion: typed}, problems={criterion: problem})


@router.post("/submissions/{submission_id}/conflict")
async def declare_conflict(request: Request, submission_id: str, who: WorkspaceReviewer, parts: Reviewing) -> Response:
    form = await checked_form(request, who.session)
    reason = " ".join(form_text(form, "reason", MAX_COMMENT).split())
    try:
        await use_cases.declare_conflict(parts.store, parts.workspace, parts.campaigns, parts.rubrics, parts.relay,
                                         reviewer=who.reviewer, submission_id=submission_id, reason=reason)
    except Forbidden:
        raise  # not this reviewer's to declare: a page of its own, not a form to correct
    except Problem as refused:
        return await _submission_page(request, who, parts, submission_id, status=status_of(refused),
                                      typed={"conflict": {"reason": reason}}, problems={"conflict": refused})
    return redirect("/workspace/?notice=conflict")
