"""The bodies notification's operator API answers with: the delivery log (recipients masked) and the office
directory (addresses masked)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from services.notification.repository import Status


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
