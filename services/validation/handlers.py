"""Validation's message handler: judge one revision once (against its campaign and, when imported, DLA's LAO
registry), store the verdict with its event (outbox)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection

from services.validation.matching import lookup_code
from services.validation.registry.repository import RegistryRepository
from services.validation.rules import validate
from shared import geo
from shared.bus import PermanentFailure
from shared.campaign import CampaignBook, UnknownCampaign
from shared.events import (
    ContactSummary,
    Envelope,
    EventData,
    SubmissionReceived,
    SubmissionRejected,
    SubmissionReturned,
    SubmissionValidated,
)
from shared.logging import get_logger
from shared.outbox import OutboxRelay, with_outbox
from shared.store import GroupedInserts

log = get_logger(__name__)
PRODUCER = "validation"


class ValidationHandlers:
    def __init__(self, results: AsyncCollection[dict[str, Any]], campaigns: CampaignBook,
                 relay: OutboxRelay, registry: RegistryRepository) -> None:
        self.results = results
        self.campaigns = campaigns
        self.relay = relay
        self.registry = registry
        # Verdicts of messages handled side by side (prefetch) go to the store in one write.
        self._inserts = GroupedInserts(results)

    async def create_indexes(self) -> None:
        await self.results.create_index([("submission_id", 1), ("revision", -1)], name="submission_revision")
        await self.results.create_index([("campaign", 1), ("outcome", 1)], name="campaign_outcome")

    async def on_received(self, envelope: Envelope) -> None:
        received = envelope.read(SubmissionReceived)
        result_id = f"{received.submission_id}/r{received.revision}"
        # Idempotent: one verdict per revision. A repeat finds it (or loses the insert race) and stops.
        if await self.results.find_one({"_id": result_id}, {"_id": 1}) is not None:
            log.info("revision already validated", revision=received.revision)
            return
        try:
            campaign = self.campaigns.get(received.campaign)
        except UnknownCampaign:
            raise PermanentFailure(f"unknown campaign {received.campaign!r}") from None
        lao = received.submission.lao
        province = geo.resolve_province(lao.province)
        lookup = await self.registry.lookup(lookup_code(lao.code), province.code if province else None)
        verdict = validate(received.submission, campaign, received.received_at, registry=lookup)
        contact = ContactSummary(name=received.submission.contact.name, email=received.submission.contact.email)
        common: dict[str, Any] = {"submission_id": received.submission_id, "revision": received.revision,
                                  "campaign": received.campaign, "lao": verdict.lao, "contact": contact}
        outcome: EventData
        if verdict.outcome == "validated":
            outcome = SubmissionValidated(**common, warnings=verdict.warnings, submission=received.submission)
        elif verdict.outcome == "returned":
            outcome = SubmissionReturned(**common, issues=verdict.issues)
        else:
            outcome = SubmissionRejected(**common, issues=verdict.issues)
        event = Envelope.build(outcome, producer=PRODUCER, correlation_id=received.submission_id,
                               causation=envelope)
        document = with_outbox({
            "_id": result_id,
            "submission_id": received.submission_id,
            "revision": received.revision,
            "campaign": received.campaign,
            "outcome": verdict.outcome,
            "late": verdict.late,
            "judged_at": verdict.judged_at,
            "issues": [issue.model_dump() for issue in verdict.issues],
            "lao": verdict.lao.model_dump(),
            "registry_match": verdict.registry_record,
            "received_event_id": envelope.event_id,
            "validated_at": datetime.now(UTC),
        }, event)
        if not await self._inserts.insert_new(document):
            log.info("revision validated concurrently", revision=received.revision)
            return
        self.relay.notify()
        log.info("revision validated", revision=received.revision, outcome=verdict.outcome,
                 issues=verdict.codes)
