"""The one event envelope and every event contract that travels over the bus.

Consumers read with these models, which ignore fields they do not know (tolerant reader); changes are
additive, and a breaking change is a new `schema_version` of the event type. `python -m shared.events
docs/events` exports the JSON Schemas that other teams read.

Every contract in one module, past the usual size, on purpose: it is the one page a producer or a consumer
reads, and the schema export walks it whole.
"""

from __future__ import annotations

import json
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from shared.submission import Submission

SUBMISSION_RECEIVED = "submission.received"
SUBMISSION_VALIDATED = "submission.validated"
SUBMISSION_RETURNED = "submission.returned"
SUBMISSION_REJECTED = "submission.rejected"
SUBMISSION_SCORED = "submission.scored"
NOTIFICATION_SENT = "notification.sent"
NOTIFICATION_FAILED = "notification.failed"
REGISTRY_UPDATED = "registry.updated"
# Notification's reminders and digests to offices (no submission of their own).
NOTIFICATION_AREA_SENT = "notification.area_sent"
NOTIFICATION_AREA_FAILED = "notification.area_failed"
# Notification's command to itself (its own queue only): one office's reminder or digest is due.
SCHEDULE_NOTICE_DUE = "schedule.notice_due"
# Scoring's commands to itself (routed to scoring's own queue only): re-score a campaign under a rubric
# version, re-score one revision, recompute a score after reviewers' points changed.
SCORING_RESCORE_RUN_REQUESTED = "scoring.rescore_run_requested"
SCORING_RESCORE_REQUESTED = "scoring.rescore_requested"
SCORING_REVIEW_RECORDED = "scoring.review_recorded"
# An office attached a response whose LAO could not be identified to an LAO of DLA's registry (reporting →
# validation, which judges the response again with that LAO).
VALIDATION_LAO_ATTACH_REQUESTED = "validation.lao_attach_requested"
# The final selection of a campaign, published by an administrator in scoring.
SELECTION_PUBLISHED = "selection.published"


def utcnow() -> datetime:
    return datetime.now(UTC)


class Envelope(BaseModel):
    """What every message on the bus is: identity, type, provenance, and the event's data."""

    model_config = ConfigDict(extra="ignore")

    event_id: str = Field(default_factory=lambda: uuid.uuid4().hex)
    event_type: str
    schema_version: int = 1
    occurred_at: datetime = Field(default_factory=utcnow)
    producer: str
    correlation_id: str = Field(description="The submission id: follows one submission across all services")
    causation_id: str | None = Field(default=None, description="The event that caused this one")
    data: dict[str, Any]

    @classmethod
    def build(cls, data: EventData, *, producer: str, correlation_id: str,
              causation: Envelope | None = None) -> Envelope:
        return cls(
            event_type=data.EVENT_TYPE,
            producer=producer,
            correlation_id=correlation_id,
            causation_id=causation.event_id if causation else None,
            data=data.model_dump(mode="json"),
        )

    def read(self, model: type[E]) -> E:
        return model.model_validate(self.data)

    def to_bytes(self) -> bytes:
        return self.model_dump_json().encode()

    @classmethod
    def from_bytes(cls, body: bytes) -> Envelope:
        return cls.model_validate_json(body)


class EventData(BaseModel):
    model_config = ConfigDict(extra="ignore")
    EVENT_TYPE: ClassVar[str] = ""


E = TypeVar("E", bound=EventData)


class SubmissionRef(EventData):
    submission_id: str = Field(description="Stable id of one LAO's application in one campaign")
    revision: int = Field(ge=1, description="1 for the first response; each resubmission adds one")
    campaign: str


class LaoSummary(BaseModel):
    """The LAO as far as the producer could resolve it; codes are None where they could not be resolved."""

    model_config = ConfigDict(extra="ignore")
    name: str
    code: str | None = None
    type: str | None = None
    province_code: str | None = None
    province_name: str | None = None
    district_code: str | None = None
    district_name: str | None = None
    size_class: str | None = Field(default=None, description="DLA's size class (large / medium / small) if known")
    registry_verified: bool | None = Field(
        default=None, description="True when matched to DLA's LAO registry; None when no registry was consulted"
    )


class ContactSummary(BaseModel):
    model_config = ConfigDict(extra="ignore")
    name: str | None = None
    email: str | None = None


class Issue(BaseModel):
    """One finding of validation: stable code, where, how serious, and what to do, in Thai and English."""

    model_config = ConfigDict(extra="ignore")
    code: str
    field: str
    severity: Literal["reject", "return", "warning"]
    message_th: str
    message_en: str


class SubmissionReceived(SubmissionRef):
    EVENT_TYPE: ClassVar[str] = SUBMISSION_RECEIVED
    source: str
    source_response_id: str
    received_at: datetime
    lao: LaoSummary
    contact: ContactSummary
    submission: Submission
    edit_url: str | None = Field(default=None, description="The form's link for the applicant to edit this "
                                 "response (personal: never logged)")


class SubmissionValidated(SubmissionRef):
    EVENT_TYPE: ClassVar[str] = SUBMISSION_VALIDATED
    lao: LaoSummary
    contact: ContactSummary
    warnings: list[Issue] = Field(default_factory=list)
    submission: Submission


class SubmissionReturned(SubmissionRef):
    EVENT_TYPE: ClassVar[str] = SUBMISSION_RETURNED
    lao: LaoSummary
    contact: ContactSummary
    issues: list[Issue]
    edit_url: str | None = Field(default=None, description="The form's link for the applicant to correct this "
                                 "response in place (personal: never logged)")


class SubmissionRejected(SubmissionRef):
    EVENT_TYPE: ClassVar[str] = SUBMISSION_REJECTED
    lao: LaoSummary
    contact: ContactSummary
    issues: list[Issue]


class CriterionScore(BaseModel):
    """One criterion's share of a score, and why: the explanation a municipality can ask for."""

    model_config = ConfigDict(extra="ignore")
    key: str
    section: str
    title_th: str
    title_en: str
    points: float
    max_points: float
    manual: bool = False
    inputs: dict[str, Any] = Field(default_factory=dict, description="The submission data the rule read")
    reason_th: str
    reason_en: str


class SubmissionScored(SubmissionRef):
    EVENT_TYPE: ClassVar[str] = SUBMISSION_SCORED
    lao: LaoSummary
    contact: ContactSummary
    rubric_version: str
    total: float
    max_total: float
    tier: Literal["outstanding", "efficient", "not_selected"]
    size_group: str
    size_group_flagged: bool = Field(default=False, description="True when the size group is a fallback")
    size_group_th: str | None = Field(default=None, description="The size group's Thai name, from the rubric")
    size_group_en: str | None = Field(default=None, description="The size group's English name, from the rubric")
    criteria: list[CriterionScore]
    trigger: Literal["validation", "review", "rescore"] = Field(
        default="validation", description="What caused this score: a validated revision, reviewers' points, "
        "or a new rubric version (applicants are not e-mailed for a re-score)"
    )
    score_version: int = Field(
        default=1, ge=1, description="Grows by one each time this revision's score under this rubric version "
        "changes (reviewers' points); the highest is the current score"
    )
    manual_pending: list[str] = Field(
        default_factory=list, description="Committee criteria not scored yet: while any is pending, the tier is "
        "provisional"
    )


class NotificationOutcome(EventData):
    notification_id: str
    submission_id: str
    revision: int
    campaign: str
    template: str
    channel: str
    recipient: str = Field(description="Masked recipient address")
    attempts: int
    error: str | None = None


class NotificationSent(NotificationOutcome):
    EVENT_TYPE: ClassVar[str] = NOTIFICATION_SENT


class NotificationFailed(NotificationOutcome):
    EVENT_TYPE: ClassVar[str] = NOTIFICATION_FAILED


class AreaNotificationOutcome(EventData):
    """A reminder or digest to an office, sent or given up: about an area, not one submission."""

    notification_id: str
    campaign: str
    slot: str = Field(description="The schedule slot, e.g. reminder-7d or digest-2025-11-20")
    template: str
    channel: str
    recipient: str = Field(description="Masked recipient address")
    recipient_kind: str = Field(description="district, province or national")
    areas: list[str] = Field(default_factory=list, description="DOPA codes the office covers; none = national")
    attempts: int
    error: str | None = None


class AreaNotificationSent(AreaNotificationOutcome):
    EVENT_TYPE: ClassVar[str] = NOTIFICATION_AREA_SENT


class AreaNotificationFailed(AreaNotificationOutcome):
    EVENT_TYPE: ClassVar[str] = NOTIFICATION_AREA_FAILED


class NoticeDue(EventData):
    """A slot of a campaign's notification schedule fired: one office contact's reminder or digest is due.
    Names the contact by its hash in notification's directory; the address never travels on the bus."""

    EVENT_TYPE: ClassVar[str] = SCHEDULE_NOTICE_DUE
    campaign: str
    slot: str
    template: Literal["reminder", "digest"]
    due_at: datetime
    recipient_kind: str
    channel: str
    recipient_hash: str
    areas: list[str] = Field(default_factory=list)


class RegistryLao(BaseModel):
    """One LAO of DLA's registry as validation imported it (codes are DOPA's; the type is stored, never
    derived from the LAO code)."""

    model_config = ConfigDict(extra="ignore")
    code: str = Field(description="DLA's 7-digit LAO code (รหัส อปท.)")
    name: str
    type: str | None = Field(default=None, description="Thai LAO type, e.g. เทศบาลตำบล")
    province_code: str
    district_code: str | None = None
    district_name: str | None = None
    size_class: str | None = Field(default=None, description="large / medium / small, when DLA's class is known")


class RegistryUpdated(EventData):
    """After a registry import, one event per province it touched: every LAO of that province now in the
    registry. Consumers replace their copy of the province with `laos` (the list is complete)."""

    EVENT_TYPE: ClassVar[str] = REGISTRY_UPDATED
    import_id: str
    imported_at: datetime
    province_code: str
    province_name: str | None = None
    laos: list[RegistryLao] = Field(description="Every LAO of the province in the registry, by code")
    removed_codes: list[str] = Field(default_factory=list,
                                     description="Codes of the province that this import no longer lists")


class RescoreRunRequested(EventData):
    """An administrator published a rubric version for a campaign: re-score every submission under it."""

    EVENT_TYPE: ClassVar[str] = SCORING_RESCORE_RUN_REQUESTED
    run_id: str
    campaign: str
    rubric_version: str
    requested_by: str
    requested_at: datetime


class RescoreRequested(SubmissionRef):
    """Re-score one revision under a rubric version, as part of a re-scoring run."""

    EVENT_TYPE: ClassVar[str] = SCORING_RESCORE_REQUESTED
    run_id: str
    rubric_version: str


class ReviewRecorded(SubmissionRef):
    """A reviewer entered or changed points of committee criteria: recompute the revision's score."""

    EVENT_TYPE: ClassVar[str] = SCORING_REVIEW_RECORDED
    change_id: str = Field(description="The audit record of the change")
    reviewer_id: str
    criteria: list[str]


class LaoAttachRequested(EventData):
    """An authorised office says which registry LAO an unidentified response belongs to (audited in reporting's
    `lao_attachments`): validation judges the application's newest revision again with that LAO, and every
    later revision of the application too."""

    EVENT_TYPE: ClassVar[str] = VALIDATION_LAO_ATTACH_REQUESTED
    attachment_id: str = Field(description="The audit record in reporting; with the submission, the idempotency key")
    submission_id: str
    campaign: str
    lao_code: str = Field(pattern=r"^[0-9]{7}$", description="DLA's 7-digit code of the LAO the response belongs to")
    requested_by: str = Field(description="The token's label and scope, as audited")
    reason: str = Field(description="Why the office is sure (e.g. the phone call with the municipality)")
    requested_at: datetime


Tier = Literal["outstanding", "efficient", "not_selected"]


class SelectionEntry(BaseModel):
    """One municipality in the final selection: its place in its size group and the tier DLA decided."""

    model_config = ConfigDict(extra="ignore")
    submission_id: str
    revision: int = Field(ge=1)
    lao: LaoSummary
    contact: ContactSummary = Field(default_factory=ContactSummary)
    size_group: str
    rank: int = Field(ge=1, description="Place within the size group in the frozen rankings")
    total: float
    max_total: float
    sections: dict[str, float] = Field(default_factory=dict, description="Points per rubric section")
    proposed_tier: Tier = Field(description="What the quotas and the rankings proposed")
    tier: Tier = Field(description="DLA's final decision")
    override_reason: str | None = Field(default=None, description="Why DLA decided otherwise than proposed "
                                        "(written by the administrator); None when the proposal stood")


class SelectionPublished(EventData):
    """DLA published the final selection of a campaign: provisional tiers become final everywhere. Published
    again (a higher `selection_version`) only after an unfreeze and a new publication; the highest version holds."""

    EVENT_TYPE: ClassVar[str] = SELECTION_PUBLISHED
    campaign: str
    selection_version: int = Field(ge=1, description="1 for the first publication of the campaign's selection")
    rubric_version: str = Field(description="The rubric version the frozen scores are under")
    frozen_at: datetime
    published_at: datetime
    published_by: str = Field(description="The administrator who published it (name and token label, as audited)")
    quotas: dict[str, dict[str, int]] = Field(description="Places per tier and size group, from the campaign")
    group_names: dict[str, str] = Field(default_factory=dict, description="Thai name of each size group")
    group_names_en: dict[str, str] = Field(default_factory=dict, description="English name of each size group")
    entries: list[SelectionEntry] = Field(description="Every ranked municipality of the campaign, selected or not")


EVENT_MODELS: dict[str, type[EventData]] = {
    model.EVENT_TYPE: model
    for model in (SubmissionReceived, SubmissionValidated, SubmissionReturned, SubmissionRejected,
                  SubmissionScored, NotificationSent, NotificationFailed, RegistryUpdated,
                  AreaNotificationSent, AreaNotificationFailed, SelectionPublished)
}
# Commands a service sends to itself through the bus (one consumer each); kept apart from the domain events
# that every interested service may read.
COMMAND_MODELS: dict[str, type[EventData]] = {
    model.EVENT_TYPE: model for model in (RescoreRunRequested, RescoreRequested, ReviewRecorded, NoticeDue,
                                          LaoAttachRequested)
}


def json_schemas() -> dict[str, dict[str, Any]]:
    """Each event type's schema: the envelope with its `data` replaced by that event's model."""
    schemas: dict[str, dict[str, Any]] = {}
    for event_type, model in {**EVENT_MODELS, **COMMAND_MODELS}.items():
        schema = Envelope.model_json_schema()
        data_schema = model.model_json_schema()
        schema["$defs"] = {**schema.get("$defs", {}), **data_schema.pop("$defs", {})}
        schema["properties"]["data"] = data_schema
        schema["properties"]["event_type"] = {"const": event_type, "title": "Event Type", "type": "string"}
        schema["title"] = event_type
        schemas[event_type] = schema
    return schemas


def export(directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for event_type, schema in json_schemas().items():
        path = directory / f"{event_type}.schema.json"
        path.write_text(json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    for written_path in export(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/events")):
        print(written_path)
