"""Notification's operator API: the delivery log (recipients masked), the office directory (import and
masked listing), the schedule's slots, and an area's progress as reminders and digests see it."""

from __future__ import annotations

import hmac
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import JSONResponse

from services.notification.api.deps import DirectoryDep, LogDep, NotificationSettings, ProgressDep, ScheduleDep
from services.notification.api.models import DirectoryContact, DirectoryListing, NotificationEntry, NotificationList
from services.notification.recipients import DirectoryProblem, decode_csv, read_directory
from services.notification.repository import Status
from shared.errors import ErrorBody, FieldError, Forbidden, Invalid, NotFound, Refused
from shared.runtime import CampaignsDep, internal_reader
from shared.settings import Settings

router = APIRouter(prefix="/v1", tags=["notifications"])
MAX_DIRECTORY_BYTES = 5_000_000
# The read routes show who was told what, the offices' contacts and the areas' progress: in production they
# need INTERNAL_READ_TOKEN or NOTIFICATION_ADMIN_TOKEN.
_READER = [Depends(internal_reader(lambda settings: settings.notification_admin_token))]
_DENIED: dict[int | str, dict[str, Any]] = {401: {"model": ErrorBody, "description": "No or wrong token"},
                                            403: {"model": ErrorBody, "description": "Reads are disabled"}}


@router.get("/notifications", response_model=NotificationList,
            summary="The delivery log, newest first, with recipients masked; filter by submission, campaign, "
                    "slot, template, status or channel", responses=_DENIED, dependencies=_READER)
async def notifications(
    log: LogDep,
    submission_id: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
    campaign: Annotated[str | None, Query(min_length=1, max_length=40)] = None,
    slot: Annotated[str | None, Query(min_length=1, max_length=60)] = None,
    template: Annotated[str | None, Query(min_length=1, max_length=40)] = None,
    status: Status | None = None,
    channel: Annotated[str | None, Query(min_length=1, max_length=20)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> Any:
    documents = await log.find(submission_id=submission_id, campaign=campaign, slot=slot, template=template,
                               status=status, channel=channel, limit=limit)
    return NotificationList(submission_id=submission_id,
                            notifications=[NotificationEntry(notification_id=d.pop("_id"), **d) for d in documents])


@router.get("/directory", response_model=DirectoryListing, summary="The office directory, addresses masked",
            responses=_DENIED, dependencies=_READER)
async def directory_listing(directory: DirectoryDep) -> Any:
    contacts = await directory.listing()
    return DirectoryListing(
        last_import=await directory.last_import(),
        contacts=[DirectoryContact(level=c.kind, areas=list(c.areas), office=c.office, channel=c.channel,
                                   recipient=c.masked, name=c.name, templates=list(c.templates)) for c in contacts],
    )


def _require_admin(settings: Settings, authorization: str | None) -> None:
    configured = settings.notification_admin_token
    if configured is None:
        raise Forbidden("admin_disabled", "ยังไม่ได้ตั้งค่า NOTIFICATION_ADMIN_TOKEN จึงนำเข้าไม่ได้",
                        "NOTIFICATION_ADMIN_TOKEN is not set: imports are refused")
    scheme, _, presented = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(presented.strip().encode(),
                                                             configured.get_secret_value().encode()):
        raise Refused(401, "unauthorized", "ต้องแนบโทเค็นผู้ดูแลระบบที่ถูกต้อง", "a valid admin token is required",
                      headers={"WWW-Authenticate": "Bearer"})


@router.post("/directory/imports", summary="Replace the office directory with a CSV file (docs/notification.md)",
             responses={401: {"description": "No or wrong admin token"}, 422: {"description": "Rows to fix"}})
async def import_directory(request: Request, directory: DirectoryDep, settings: NotificationSettings,
                           authorization: Annotated[str | None, Header()] = None) -> JSONResponse:
    _require_admin(settings, authorization)
    raw = await request.body()
    if len(raw) > MAX_DIRECTORY_BYTES:
        raise Refused(413, "too_large", "ไฟล์ใหญ่เกินไป", f"the file is larger than {MAX_DIRECTORY_BYTES} bytes")
    try:
        contacts = read_directory(decode_csv(raw))
    except DirectoryProblem as problem:
        raise Invalid(
            "invalid_directory", "ไฟล์รายชื่อหน่วยงานมีแถวที่ต้องแก้ไข ยังไม่ได้นำเข้า",
            "the directory file has rows to fix; nothing was imported",
            errors=[FieldError(field=f"line {p.line}: {p.column}", code="invalid", message_th=p.message_th,
                               message_en=p.message_en) for p in problem.problems],
        ) from problem
    summary = await directory.replace(contacts, source=request.headers.get("x-filename", "api"))
    return JSONResponse({**summary, "imported_at": summary["imported_at"].isoformat()}, status_code=201)


@router.get("/schedule", summary="The schedule's slots: when each fired, or why it did not", responses=_DENIED,
            dependencies=_READER)
async def schedule(book: ScheduleDep,
                   campaign: Annotated[str | None, Query(min_length=1, max_length=40)] = None) -> Any:
    return {"slots": [{"id": s.pop("_id"), **s} for s in await book.listing(campaign)]}


@router.get("/campaigns/{campaign}/progress", summary="An area's progress as reminders and digests read it",
            responses=_DENIED, dependencies=_READER)
async def progress(model: ProgressDep, campaigns: CampaignsDep, campaign: str,
                   area: Annotated[list[str] | None, Query(description="DOPA codes; none = the whole country")]
                   = None) -> Any:
    if campaign not in campaigns:
        raise NotFound("campaign_unknown", "ไม่พบรอบการคัดเลือกนี้", "no such campaign")
    areas = area or []
    return (await model.report(campaigns.get(campaign), areas, with_parts=True)).as_data()
