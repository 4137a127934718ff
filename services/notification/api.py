"""Notification's operator API: the delivery log (recipients masked), the office directory (import and
masked listing), the schedule's slots, and an area's progress as reminders and digests see it."""

from __future__ import annotations

import hmac
import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from services.notification.recipients import DirectoryProblem, decode_csv, read_directory
from services.notification.repository import Directory, NotificationLog, ProgressModel, ScheduleBook, Status
from shared.errors import ErrorBody, FieldError, error_response
from shared.runtime import internal_reader
from shared.settings import Settings

router = APIRouter(prefix="/v1", tags=["notifications"])
MAX_DIRECTORY_BYTES = 5_000_000
# The read routes show who was told what, the offices' contacts and the areas' progress: in production they
# need INTERNAL_READ_TOKEN or NOTIFICATION_ADMIN_TOKEN.
_READER = [Depends(internal_reader(lambda settings: settings.notification_admin_token))]
_DENIED: dict[int | str, dict[str, Any]] = {401: {"model": ErrorBody, "description": "No or wrong token"},
                                            403: {"model": ErrorBody, "description": "Reads are disabled"}}


class NotificationEntry(BaseModel):
    notification_id: str = Field(description="The idempotency key: event (or campaign:slot), template and "
                                             "hashed recipient")
    submission_id: str | None = Field(default=None, description="None for reminders and digests")
    revision: int | None = None
    campaign: str
    slot: str | None = Field(default=None, description="The schedule slot of a reminder or digest")
    event_id: str
    event_type: str
    template: str
    channel: str
    recipient: str | None = Field(description="Masked (sm***@example.go.th, U4af4***, https://host/***); the "
                                              "address is never shown")
    recipient_kind: str | None = Field(default=None, description="applicant, district, province or national")
    office: str | None = None
    areas: list[str] | None = None
    subject: str | None = None
    status: Status
    attempts: int
    last_error: str | None = None
    skip_reason: str | None = None
    created_at: datetime
    updated_at: datetime | None = None
    sent_at: datetime | None = None


class NotificationList(BaseModel):
    submission_id: str | None = None
    notifications: list[NotificationEntry]


def _state(request: Request, name: str) -> Any:
    return request.app.state.component.state[name]


@router.get("/notifications", response_model=NotificationList,
            summary="The delivery log, newest first, with recipients masked; filter by submission, campaign, "
                    "slot, template, status or channel", responses=_DENIED, dependencies=_READER)
async def notifications(
    request: Request,
    submission_id: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
    campaign: Annotated[str | None, Query(min_length=1, max_length=40)] = None,
    slot: Annotated[str | None, Query(min_length=1, max_length=60)] = None,
    template: Annotated[str | None, Query(min_length=1, max_length=40)] = None,
    status: Status | None = None,
    channel: Annotated[str | None, Query(min_length=1, max_length=20)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> Any:
    log: NotificationLog = _state(request, "log")
    documents = await log.find(submission_id=submission_id, campaign=campaign, slot=slot, template=template,
                               status=status, channel=channel, limit=limit)
    return NotificationList(submission_id=submission_id,
                            notifications=[NotificationEntry(notification_id=d.pop("_id"), **d) for d in documents])


class DirectoryContact(BaseModel):
    level: str
    areas: list[str]
    office: str | None
    channel: str
    recipient: str = Field(description="Masked address")
    name: str | None = None
    templates: list[str] = Field(description="What this contact receives; empty = whatever routing sends")


class DirectoryListing(BaseModel):
    last_import: dict[str, Any] | None
    contacts: list[DirectoryContact]


@router.get("/directory", response_model=DirectoryListing, summary="The office directory, addresses masked",
            responses=_DENIED, dependencies=_READER)
async def directory_listing(request: Request) -> Any:
    directory: Directory = _state(request, "directory")
    contacts = await directory.listing()
    return DirectoryListing(
        last_import=await directory.last_import(),
        contacts=[DirectoryContact(level=c.kind, areas=list(c.areas), office=c.office, channel=c.channel,
                                   recipient=c.masked, name=c.name, templates=list(c.templates)) for c in contacts],
    )


def _refused(settings: Settings, authorization: str | None) -> JSONResponse | None:
    configured = settings.notification_admin_token
    if configured is None:
        return error_response(403, "admin_disabled", "ยังไม่ได้ตั้งค่า NOTIFICATION_ADMIN_TOKEN จึงนำเข้าไม่ได้",
                              "NOTIFICATION_ADMIN_TOKEN is not set: imports are refused")
    scheme, _, presented = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(presented.strip().encode(),
                                                             configured.get_secret_value().encode()):
        return error_response(401, "unauthorized", "ต้องแนบโทเค็นผู้ดูแลระบบที่ถูกต้อง",
                              "a valid admin token is required", headers={"WWW-Authenticate": "Bearer"})
    return None


@router.post("/directory/imports", summary="Replace the office directory with a CSV file (docs/notification.md)",
             responses={401: {"description": "No or wrong admin token"}, 422: {"description": "Rows to fix"}})
async def import_directory(request: Request,
                           authorization: Annotated[str | None, Header()] = None) -> JSONResponse:
    refused = _refused(_state(request, "settings"), authorization)
    if refused is not None:
        return refused
    raw = await request.body()
    if len(raw) > MAX_DIRECTORY_BYTES:
        return error_response(413, "too_large", "ไฟล์ใหญ่เกินไป", f"the file is larger than {MAX_DIRECTORY_BYTES} bytes")
    try:
        contacts = read_directory(decode_csv(raw))
    except DirectoryProblem as problem:
        return error_response(
            422, "invalid_directory", "ไฟล์รายชื่อหน่วยงานมีแถวที่ต้องแก้ไข ยังไม่ได้นำเข้า",
            "the directory file has rows to fix; nothing was imported",
            [FieldError(field=f"line {p.line}: {p.column}", code="invalid", message_th=p.message_th,
                        message_en=p.message_en) for p in problem.problems],
        )
    directory: Directory = _state(request, "directory")
    summary = await directory.replace(contacts, import_id=f"dir_{uuid.uuid4().hex[:12]}",
                                      source=request.headers.get("x-filename", "api"))
    return JSONResponse({**summary, "imported_at": summary["imported_at"].isoformat()}, status_code=201)


@router.get("/schedule", summary="The schedule's slots: when each fired, or why it did not", responses=_DENIED,
            dependencies=_READER)
async def schedule(request: Request,
                   campaign: Annotated[str | None, Query(min_length=1, max_length=40)] = None) -> Any:
    book: ScheduleBook = _state(request, "schedule")
    return {"slots": [{"id": s.pop("_id"), **s} for s in await book.listing(campaign)]}


@router.get("/campaigns/{campaign}/progress", summary="An area's progress as reminders and digests read it",
            responses=_DENIED, dependencies=_READER)
async def progress(request: Request, campaign: str,
                   area: Annotated[list[str] | None, Query(description="DOPA codes; none = the whole country")]
                   = None) -> Any:
    campaigns = request.app.state.context.campaigns
    if campaign not in campaigns:
        return error_response(404, "campaign_unknown", "ไม่พบรอบการคัดเลือกนี้", "no such campaign")
    model: ProgressModel = _state(request, "progress")
    areas = area or []
    return (await model.report(campaigns.get(campaign), areas, with_parts=True)).as_data()
