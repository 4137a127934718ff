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
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request, Response

from services.scoring.errors import Refused
from services.scoring.repository import Document, ScoringStore, score_id
from services.scoring.review import Entry, points_of
from services.scoring.reviewing import assignments_of, record_review, submission_for_review
from services.scoring.workspace import sessions
from services.scoring.workspace.pages import STYLESHEET, PageRoute, page, redirect
from services.scoring.workspace.sessions import WorkspaceReviewer, checked_form, form_text, workspace_store
from shared import thai
from shared.errors import FieldError

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


def _deps(request: Request) -> tuple[ScoringStore, Any, Any]:
    state = request.app.state
    return state.component.state["store"], state.context.campaigns, state.component.state["rubrics"]


def _notice(request: Request) -> tuple[str, str] | None:
    return NOTICES.get(request.query_params.get("notice", ""))


@router.get("/static/workspace.css")
async def stylesheet() -> Response:
    return Response(STYLESHEET, media_type="text/css",
                    headers={"Cache-Control": "max-age=3600", "X-Content-Type-Options": "nosniff"})


# -- signing in and out -----------------------------------------------------------------------------------

@router.get("/sign-in")
async def sign_in_page(request: Request) -> Response:
    workspace = workspace_store(request)
    code = request.query_params.get("code", "")
    link = await sessions.check_link(workspace, code)
    store = workspace.scoring
    subject = await (store.reviewer(link["subject_id"]) if link["kind"] == "reviewer"
                     else store.admin(link["subject_id"]))
    nonce = secrets.token_urlsafe(24)
    response = page("sign_in.html", code=code, csrf=sessions.sign_in_token(workspace, nonce), kind=link["kind"],
                    name=(subject or {}).get("name", ""), expires_at=link["expires_at"])
    sessions.set_sign_in_cookie(response, sessions.settings_of(request), nonce)
    return response


@router.post("/sign-in")
async def sign_in(request: Request) -> Response:
    workspace = workspace_store(request)
    form = await sessions.checked_sign_in_form(request)
    session = await sessions.exchange(workspace, form_text(form, "code", sessions.MAX_CODE))
    settings = sessions.settings_of(request)
    response = redirect(sessions.LANDING[session.kind])
    sessions.set_session_cookie(response, settings, session)
    sessions.clear_cookie(response, settings, sessions.SIGN_IN_COOKIE)
    return response


@router.post("/sign-out")
async def sign_out(request: Request) -> Response:
    workspace = workspace_store(request)
    session = await sessions.find_session(workspace, request.cookies.get(sessions.COOKIE))
    if session is not None:
        await checked_form(request, session)
        await sessions.end_session(workspace, session)
    response = page("message.html", title_th="ออกจากระบบแล้ว", title_en="Signed out",
                    message_th="ออกจากระบบเรียบร้อยแล้ว หากต้องการเข้าใช้งานอีก โปรดขอลิงก์เข้าสู่ระบบใหม่",
                    message_en="You are signed out. To come back, ask for a new sign-in link.", code="", errors=[])
    sessions.clear_cookie(response, sessions.settings_of(request))
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
async def assignments(request: Request, who: WorkspaceReviewer) -> Response:
    store, campaigns, rubrics = _deps(request)
    views = await assignments_of(store, campaigns, rubrics, who.reviewer)
    drafts = await workspace_store(request).reviewers_drafts(who.reviewer["_id"])
    rows = [{**view, "progress": _progress(view, drafts.get(view["submission_id"], set()))} for view in views]
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


async def _submission_page(request: Request, who: sessions.ReviewerSession, submission_id: str, *,
                           status: int = 200, typed: dict[str, dict[str, str]] | None = None,
                           problems: dict[str, Refused] | None = None) -> Response:
    store, campaigns, rubrics = _deps(request)
    view = await submission_for_review(store, campaigns, rubrics, reviewer=who.reviewer, submission_id=submission_id)
    score: Document | None = None
    if view["rubric_version"] is not None:
        score = await store.score(score_id(submission_id, view["revision"], view["rubric_version"]))
    explained = {c["key"]: c for c in (score or {}).get("criteria", [])}
    automatic = [c for c in (score or {}).get("criteria", []) if not c.get("manual")]
    drafts = await workspace_store(request).drafts_of(who.reviewer["_id"], submission_id)
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
async def submission(request: Request, submission_id: str, who: WorkspaceReviewer) -> Response:
    return await _submission_page(request, who, submission_id)


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
async def review(request: Request, submission_id: str, who: WorkspaceReviewer) -> Response:
    form = await checked_form(request, who.session)
    store, campaigns, rubrics = _deps(request)
    criterion = form_text(form, "criterion", 64)
    typed = {"points": form_text(form, "points", 32), "comment": form_text(form, "comment", MAX_COMMENT)}
    view = await submission_for_review(store, campaigns, rubrics, reviewer=who.reviewer, submission_id=submission_id)
    if criterion not in {c["key"] for c in view["criteria"]}:
        raise Refused(422, "unknown_criterion", "ไม่มีเกณฑ์นี้ให้คณะกรรมการให้คะแนน", "No such committee criterion.")
    if form_text(form, "action", 16) == "draft":
        await workspace_store(request).save_draft(
            reviewer_id=who.reviewer["_id"], submission_id=submission_id, revision=view["revision"],
            criterion=criterion, points=typed["points"], comment=typed["comment"], at=datetime.now(UTC))
        return redirect(_back(submission_id, "draft", criterion))

    value = _typed_points(typed["points"])
    problem: Refused | None = None
    if value is None:
        problem = Refused(422, "invalid_review", "คะแนนที่บันทึกไม่ถูกต้อง โปรดแก้ไขตามรายการด้านล่าง",
                          "The points entered are not valid; fix the entries listed below.",
                          errors=[FieldError(field="points", code="points_missing",
                                             message_th="ต้องระบุคะแนนเป็นตัวเลข (เช่น 12 หรือ 12.5)",
                                             message_en="Enter the points as a number (e.g. 12 or 12.5).")])
    else:
        revision_text = form_text(form, "revision", 12)
        revision = int(revision_text) if revision_text.isdigit() else None
        try:
            outcome = await record_review(store, campaigns, rubrics, request.app.state.context.relay,
                                          reviewer=who.reviewer, submission_id=submission_id, revision=revision,
                                          entries=[Entry(criterion, points_of(value), typed["comment"])])
        except Refused as refused:
            problem = refused
        else:
            await workspace_store(request).drop_draft(who.reviewer["_id"], submission_id, criterion)
            notice = "submitted" if outcome["change_id"] else "unchanged"
            return redirect(_back(submission_id, notice, criterion))
    return await _submission_page(request, who, submission_id, status=problem.status, typed={criterion: typed},
                                  problems={criterion: problem})


@router.post("/submissions/{submission_id}/conflict")
async def declare_conflict(request: Request, submission_id: str, who: WorkspaceReviewer) -> Response:
    form = await checked_form(request, who.session)
    store, campaigns, rubrics = _deps(request)
    reviewer = who.reviewer
    if not await store.is_assigned(reviewer["_id"], submission_id):
        raise Refused(403, "not_assigned", f"แบบรายงาน {submission_id} ไม่ได้มอบหมายให้ท่าน",
                      f"Submission {submission_id} is not assigned to you.")
    reason = " ".join(form_text(form, "reason", MAX_COMMENT).split())
    if not reason:
        problem = Refused(422, "reason_missing", "ต้องระบุเหตุผลของผลประโยชน์ทับซ้อน",
                          "Say why you have a conflict of interest.")
        return await _submission_page(request, who, submission_id, status=422, problems={"conflict": problem})
    # Marks this reviewer entered already no longer count: withdrawn through the audit trail, with the reason.
    try:
        view: dict[str, Any] | None = await submission_for_review(store, campaigns, rubrics, reviewer=reviewer,
                                                                  submission_id=submission_id)
    except Refused:
        view = None
    withdrawn = [c["key"] for c in (view or {}).get("criteria", []) if c["mine"] is not None]
    change_id = None
    if view is not None and withdrawn:
        why = f"แจ้งผลประโยชน์ทับซ้อน / conflict of interest declared: {reason}"
        try:
            outcome = await record_review(store, campaigns, rubrics, request.app.state.context.relay,
                                          reviewer=reviewer, submission_id=submission_id, revision=view["revision"],
                                          entries=[Entry(key, None, why) for key in withdrawn])
        except Refused as refused:
            return await _submission_page(request, who, submission_id, status=refused.status,
                                          typed={"conflict": {"reason": reason}}, problems={"conflict": refused})
        change_id = outcome["change_id"]
    newest = await store.newest_revision(submission_id)
    workspace = workspace_store(request)
    await workspace.declare_conflict({
        "_id": "coi_" + secrets.token_hex(6), "reviewer_id": reviewer["_id"], "reviewer_name": reviewer.get("name"),
        "reviewer_province_code": reviewer.get("province_code"), "submission_id": submission_id,
        "revision": (newest or {}).get("revision"), "campaign": (newest or {}).get("campaign"),
        "lao_name": ((newest or {}).get("lao") or {}).get("name"), "reason": reason, "at": datetime.now(UTC),
        "withdrawn_criteria": withdrawn, "change_id": change_id,
    })
    await store.assignments.delete_many({"reviewer_id": reviewer["_id"], "submission_id": submission_id})
    await workspace.drop_drafts(reviewer["_id"], submission_id)
    return redirect("/workspace/?notice=conflict")
