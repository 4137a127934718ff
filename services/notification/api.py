"""Notification's operator API: what was sent to whom (masked), when, and how it went."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from services.notification.repository import NotificationLog, Status

router = APIRouter(prefix="/v1", tags=["notifications"])


class NotificationEntry(BaseModel):
    notification_id: str = Field(description="The idempotency key: event id, template and hashed recipient")
    submission_id: str
    revision: int
    campaign: str
    event_id: str
    event_type: str
    template: str
    channel: str
    recipient: str | None = Field(description="Masked address (sm***@example.go.th); the address is never shown")
    subject: str | None = None
    status: Status
    attempts: int
    last_error: str | None = None
    skip_reason: str | None = None
    created_at: datetime
    updated_at: datetime | None = None
    sent_at: datetime | None = None


class NotificationList(BaseModel):
    submission_id: str
    notifications: list[NotificationEntry]


@router.get(
    "/notifications",
    response_model=NotificationList,
    summary="The notification log of one submission (recipients masked), newest first",
)
async def notifications(
    request: Request,
    submission_id: Annotated[str, Query(min_length=1, max_length=200, description="The submission's id")],
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> Any:
    log: NotificationLog = request.app.state.component.state["log"]
    documents = await log.for_submission(submission_id, limit=limit)
    return NotificationList(
        submission_id=submission_id,
        notifications=[NotificationEntry(notification_id=d.pop("_id"), **d) for d in documents],
    )
