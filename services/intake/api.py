"""Intake's public HTTP API: take a response, store it with its event, answer with where to follow it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from services.intake.repository import RevisionRaceLost, SubmissionStore
from shared.campaign import CampaignBook
from shared.errors import ErrorBody, FieldError, error_response
from shared.logging import bound, get_logger
from shared.outbox import OutboxRelay
from shared.submission import Submission

log = get_logger(__name__)
router = APIRouter(prefix="/v1", tags=["submissions"])

EXAMPLE: dict[str, Any] = {
    "campaign": "fy2568",
    "source": "api",
    "source_response_id": "resp-0001",
    "submitted_at": "2025-11-24T10:15:00+07:00",
    "lao": {"name": "เทศบาลเมืองชัยภูมิ", "code": "4360101", "type": "เทศบาลเมือง",
            "province": "ชัยภูมิ", "district": "เมืองชัยภูมิ"},
    "contact": {"name": "สมชาย ใจดี", "position": "ปลัดเทศบาล", "phone": "044-811-234",
                "email": "smartcity@example.go.th"},
    "readiness": {"has_plan": True, "plan_url": "https://example.go.th/plan.pdf",
                  "depa_mark": "applying", "data_platform": True},
    "dimensions": ["environment", "governance", "living"],
    "projects": [{
        "name": "ระบบแจ้งเหตุผ่าน LINE OA", "dimensions": ["governance"],
        "description": "ประชาชนแจ้งเหตุและติดตามสถานะผ่าน LINE", "budget_thb": 450000,
        "status": "completed", "beneficiaries": 12000,
        "outcomes": "ลดเวลาตอบสนองเหตุจาก 3 วันเหลือ 6 ชั่วโมง",
        "evidence_urls": ["https://drive.google.com/file/d/abc/view"],
    }],
    "partners": ["มหาวิทยาลัยราชภัฏชัยภูมิ", "สำนักงานส่งเสริมเศรษฐกิจดิจิทัล"],
}
THAI_ANSWERS_EXAMPLE: dict[str, Any] = {
    **EXAMPLE,
    "source": "google_form",
    "source_response_id": "2_ABaOnudXyz",
    "lao": {"name": "ทต.บ้านเขว้า", "code": "๕๓๖๐๒๐๑", "type": "เทศบาลตำบล", "province": "จ.ชัยภูมิ",
            "district": "อ.บ้านเขว้า"},
    "readiness": {"has_plan": "ใช่", "depa_mark": "อยู่ระหว่างยื่นขอ", "data_platform": "ไม่มี"},
    "dimensions": "สิ่งแวดล้อมอัจฉริยะ, การดำรงชีวิตอัจฉริยะ",
    "projects": [{"name": "ตลาดชุมชนออนไลน์", "dimensions": "เศรษฐกิจอัจฉริยะ",
                  "budget_thb": "๑.๕ ล้านบาท", "status": "อยู่ระหว่างดำเนินการ", "beneficiaries": "๓,๒๐๐"}],
}


class SubmissionAccepted(BaseModel):
    submission_id: str = Field(description="Stable id of this LAO's application in this campaign")
    revision: int = Field(description="1 for the first response; each resubmission adds one")
    status: Literal["received"] = "received"
    duplicate: bool = Field(description="True when this exact response had already been received")
    supersedes: int | None = Field(default=None, description="The revision this one replaces, if any")
    received_at: datetime
    status_url: str
    message_th: str
    message_en: str


class RevisionSummary(BaseModel):
    revision: int
    source: str
    source_response_id: str
    received_at: datetime
    published: bool = Field(description="Whether submission.received has been handed to the bus")


class SubmissionHistory(BaseModel):
    submission_id: str
    campaign: str
    current_revision: int
    revisions: list[RevisionSummary]


def _store(request: Request) -> SubmissionStore:
    store: SubmissionStore = request.app.state.component.state["store"]
    return store


@router.post(
    "/submissions",
    status_code=202,
    response_model=SubmissionAccepted,
    summary="Submit one municipality's response (ส่งแบบรายงานผลของเทศบาล)",
    responses={
        200: {"model": SubmissionAccepted, "description": "This exact response was already received"},
        422: {"model": ErrorBody, "description": "Malformed input: each field, in Thai and English"},
        503: {"model": ErrorBody, "description": "Busy: try again"},
    },
)
async def submit(
    request: Request,
    response: Response,
    submission: Annotated[Submission, Body(openapi_examples={
        "canonical": {"summary": "Canonical values", "value": EXAMPLE},
        "thai_answers": {"summary": "Raw Thai answers, normalised by intake", "value": THAI_ANSWERS_EXAMPLE},
    })],
) -> Any:
    campaigns: CampaignBook = request.app.state.context.campaigns
    if submission.campaign not in campaigns:
        return error_response(422, "invalid_submission", "ข้อมูลที่ส่งมาไม่ถูกต้อง", "The request is not valid.", [
            FieldError(field="campaign", code="campaign_unknown", message_th="ไม่พบรอบการคัดเลือกนี้",
                       message_en=f"unknown campaign {submission.campaign!r}; known: {', '.join(campaigns.keys())}")
        ])
    raw = await request.json()
    try:
        accepted = await _store(request).accept(submission, raw, _now_ms())
    except RevisionRaceLost:
        return error_response(503, "busy", "มีการส่งข้อมูลของหน่วยงานนี้พร้อมกันหลายครั้ง โปรดลองใหม่",
                              "Many revisions of this LAO arrived at once; please retry.",
                              headers={"Retry-After": "1"})
    relay: OutboxRelay = request.app.state.context.relay
    relay.notify()
    with bound(correlation_id=accepted.submission_id):
        log.info("submission accepted", revision=accepted.revision, duplicate=accepted.duplicate,
                 source=submission.source)
    if accepted.duplicate:
        response.status_code = 200
    return SubmissionAccepted(
        submission_id=accepted.submission_id,
        revision=accepted.revision,
        duplicate=accepted.duplicate,
        supersedes=accepted.supersedes,
        received_at=accepted.received_at,
        status_url=f"/v1/submissions/{accepted.submission_id}",
        message_th="ได้รับข้อมูลแล้ว" + (" (เคยส่งข้อมูลนี้แล้ว)" if accepted.duplicate else ""),
        message_en="Received" + (" (this response was already received)" if accepted.duplicate else ""),
    )


@router.get(
    "/submissions/{submission_id}",
    response_model=SubmissionHistory,
    summary="Every revision intake holds for one application",
    responses={404: {"model": ErrorBody}},
)
async def history(request: Request, submission_id: str) -> Any:
    documents = await _store(request).history(submission_id)
    if not documents:
        return _not_found(submission_id)
    return SubmissionHistory(
        submission_id=submission_id,
        campaign=documents[0]["campaign"],
        current_revision=documents[0]["revision"],
        revisions=[RevisionSummary(
            revision=d["revision"], source=d["source"], source_response_id=d["source_response_id"],
            received_at=d["received_at"], published=not d.get("outbox"),
        ) for d in documents],
    )


@router.get(
    "/submissions/{submission_id}/revisions/{revision}",
    summary="One revision as received: the raw answers beside the canonical submission",
    responses={404: {"model": ErrorBody}},
)
async def revision(request: Request, submission_id: str, revision: int) -> Any:
    document = await _store(request).revision(submission_id, revision)
    if document is None:
        return _not_found(submission_id)
    document.pop("_id", None)
    return JSONResponse(_jsonable(document))


def _now_ms() -> datetime:
    # MongoDB keeps milliseconds: the time answered now is the time answered for a repeat later.
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def _not_found(submission_id: str) -> JSONResponse:
    return error_response(404, "not_found", f"ไม่พบข้อมูลการส่ง {submission_id}",
                          f"No submission {submission_id}")


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return value
