"""Validation's use cases on the bus: judge each revision of an application once (against its campaign and, when
imported, DLA's LAO registry) and store the verdict with its outcome event (outbox); and judge an application
again when an office attaches its unidentified response to a registry LAO.

    a revision received      one verdict per revision (`<submission>/r<revision>`)
    an office's attachment   a new verdict of the newest revision held, with the office's LAO
                             (`<submission>/r<revision>/<attachment>`); every later revision of the
                             application is judged with that LAO too

A campaign this service does not know raises `shared.campaign.UnknownCampaign`. DLA's registry itself is
imported by `registry/importer.py` (the command line and the admin API)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from services.validation.matching import RegistryLao, lookup_code
from services.validation.registry.repository import RegistryRepository
from services.validation.repository import ValidationStore
from services.validation.rules import OfficeAttachment, validate
from shared import geo
from shared.campaign import CampaignBook
from shared.events import (
    ContactSummary,
    Envelope,
    EventData,
    LaoAttachRequested,
    SubmissionReceived,
    SubmissionRejected,
    SubmissionReturned,
    SubmissionValidated,
)
from shared.logging import get_logger
from shared.outbox import OutboxRelay, with_outbox
from shared.submission import Submission

log = get_logger(__name__)
PRODUCER = "validation"


class Validation:
    def __init__(self, store: ValidationStore, registry: RegistryRepository, campaigns: CampaignBook,
                 relay: OutboxRelay) -> None:
        self.store = store
        self.registry = registry
        self.campaigns = campaigns
        self.relay = relay

    async def judge_received(self, received: SubmissionReceived, cause: Envelope) -> None:
        result_id = f"{received.submission_id}/r{received.revision}"
        # Idempotent: one verdict per revision. A repeat finds it (or loses the insert race) and stops.
        if await self.store.has_verdict(result_id):
            log.info("revision already validated", revision=received.revision)
            return
        attached = await self.store.attachment_of(received.submission_id)
        await self._judge(result_id, received.submission_id, received.revision, received.campaign,
                          received.submission, received.received_at, received.edit_url, cause,
                          attachment=_attachment(attached, received.submission) if attached else None)

    async def attach_lao(self, request: LaoAttachRequested, cause: Envelope) -> None:
        held = await self.store.newest_judged(request.submission_id)
        if held is None:
            # Nothing to judge yet: the record below makes the revision's own verdict use the office's LAO.
            log.warning("attachment before any verdict held", attachment_id=request.attachment_id)
        record = {"_id": request.submission_id, "campaign": request.campaign, "lao_code": request.lao_code,
                  "attachment_id": request.attachment_id, "requested_by": request.requested_by,
                  "reason": request.reason, "requested_at": request.requested_at}
        if not await self.store.record_attachment(record):
            log.info("a newer attachment is held", attachment_id=request.attachment_id)
            return
        if held is None:
            return
        result_id = f"{request.submission_id}/r{held['revision']}/{request.attachment_id}"
        if await self.store.has_verdict(result_id):
            log.info("attachment already judged", attachment_id=request.attachment_id)
            return
        submission = Submission.model_validate(held["submission"])
        await self._judge(result_id, request.submission_id, held["revision"], request.campaign, submission,
                          held["received_at"], held.get("edit_url"), cause,
                          attachment=_attachment(record, submission))

    async def _judge(self, result_id: str, submission_id: str, revision: int, campaign_name: str,
                     submission: Submission, received_at: datetime, edit_url: str | None, cause: Envelope, *,
                     attachment: OfficeAttachment | None) -> None:
        campaign = self.campaigns.get(campaign_name)
        judged = submission
        if attachment is not None:
            known = await self.registry.lookup(attachment.lao_code, attachment.lao_code[1:3])
            judged = _with_lao(submission, attachment, known.by_code)
        lao = judged.lao
        province = geo.resolve_province(lao.province)
        code = lookup_code(lao.code)
        # Without a province written, the code's own province digits (DLA codes: type digit, then province).
        lookup = await self.registry.lookup(code, province.code if province else (code[1:3] if code else None))
        verdict = validate(judged, campaign, received_at, registry=lookup, attachment=attachment)
        contact = ContactSummary(name=submission.contact.name, email=submission.contact.email)
        common: dict[str, Any] = {"submission_id": submission_id, "revision": revision,
                                  "campaign": campaign_name, "lao": verdict.lao, "contact": contact}
        outcome: EventData
        if verdict.outcome == "validated":
            outcome = SubmissionValidated(**common, warnings=verdict.warnings, submission=judged)
        elif verdict.outcome == "returned":
            outcome = SubmissionReturned(**common, issues=verdict.issues, edit_url=edit_url)
        else:
            outcome = SubmissionRejected(**common, issues=verdict.issues)
        event = Envelope.build(outcome, producer=PRODUCER, correlation_id=submission_id, causation=cause)
        document = with_outbox({
            "_id": result_id,
            "submission_id": submission_id,
            "revision": revision,
            "campaign": campaign_name,
            "outcome": verdict.outcome,
            "late": verdict.late,
            "judged_at": verdict.judged_at,
            "issues": [issue.model_dump() for issue in verdict.issues],
            "lao": verdict.lao.model_dump(),
            "registry_match": verdict.registry_record,
            "received_event_id": cause.event_id,
            "validated_at": datetime.now(UTC),
            # What an office's attachment judges again: the revision as received (personal data stays here).
            "submission": submission.model_dump(mode="json"),
            "received_at": received_at,
            "edit_url": edit_url,
            "attachment_id": attachment.attachment_id if attachment else None,
        }, event)
        if not await self.store.insert_verdict(document):
            log.info("revision validated concurrently", revision=revision)
            return
        self.relay.notify()
        log.info("revision validated", revision=revision, outcome=verdict.outcome, issues=verdict.codes)


def _attachment(record: dict[str, Any], submission: Submission) -> OfficeAttachment:
    lao = submission.lao
    written = " / ".join(str(part) for part in (lao.name, lao.code, lao.province) if part)
    return OfficeAttachment(lao_code=record["lao_code"], office=record["requested_by"], written=written,
                            reason=record["reason"], attachment_id=record["attachment_id"])


def _with_lao(submission: Submission, attachment: OfficeAttachment, known: RegistryLao | None) -> Submission:
    """The response with the office's LAO: its code decides, and the name, province and district the applicant
    wrote (which could not be matched) give way to the registry's, so that they do not contradict the code. The
    answers as written stay in intake's raw response and in the warning the verdict carries."""
    update: dict[str, Any] = {"code": attachment.lao_code, "name": None, "province": None, "district": None}
    if known is not None:
        update.update(name=known.name, province=known.province_code, district=known.district_code)
    return submission.model_copy(update={"lao": submission.lao.model_copy(update=update)})
