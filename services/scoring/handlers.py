"""Scoring's message handler: score one validated revision under the campaign's rubric, once, and store
the score with its explanation and its `submission.scored` event in one write (outbox)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError

from services.scoring.rubric import RubricBook, UnknownRubric, score
from shared.bus import PermanentFailure
from shared.campaign import CampaignBook, UnknownCampaign
from shared.events import Envelope, SubmissionScored, SubmissionValidated
from shared.logging import get_logger
from shared.outbox import OutboxRelay, with_outbox

log = get_logger(__name__)
PRODUCER = "scoring"


class ScoringHandlers:
    def __init__(self, scores: AsyncCollection[dict[str, Any]], campaigns: CampaignBook, rubrics: RubricBook,
                 relay: OutboxRelay) -> None:
        self.scores = scores
        self.campaigns = campaigns
        self.rubrics = rubrics
        self.relay = relay

    async def create_indexes(self) -> None:
        await self.scores.create_index([("submission_id", 1), ("revision", -1), ("rubric_version", 1)],
                                       name="submission_revision_rubric")
        await self.scores.create_index([("campaign", 1), ("rubric_version", 1), ("size_group", 1),
                                        ("total", -1)], name="ranking")

    async def on_validated(self, envelope: Envelope) -> None:
        validated = envelope.read(SubmissionValidated)
        try:
            campaign = self.campaigns.get(validated.campaign)
            rubric = self.rubrics.get(campaign.rubric_version)
        except (UnknownCampaign, UnknownRubric) as error:
            raise PermanentFailure(f"no rubric for campaign {validated.campaign!r}: {error}") from None
        # One score per revision and rubric version: a repeat finds it and stops.
        score_id = f"{validated.submission_id}/r{validated.revision}/{rubric.version}"
        if await self.scores.find_one({"_id": score_id}, {"_id": 1}) is not None:
            log.info("revision already scored", revision=validated.revision)
            return
        result = score(validated.submission, rubric, lao_type=validated.lao.type)
        scored = SubmissionScored(
            submission_id=validated.submission_id, revision=validated.revision, campaign=validated.campaign,
            lao=validated.lao, contact=validated.contact, rubric_version=result.rubric_version,
            total=result.total, max_total=result.max_total, tier=result.tier, size_group=result.size_group,
            size_group_flagged=result.size_group_flagged, criteria=result.criteria,
        )
        event = Envelope.build(scored, producer=PRODUCER, correlation_id=validated.submission_id,
                               causation=envelope)
        document = with_outbox({
            "_id": score_id,
            "submission_id": validated.submission_id,
            "revision": validated.revision,
            "campaign": validated.campaign,
            "rubric_version": result.rubric_version,
            "lao": validated.lao.model_dump(),
            "total": result.total,
            "max_total": result.max_total,
            "auto_total": result.auto_total,
            "tier": result.tier,
            "size_group": result.size_group,
            "size_group_flagged": result.size_group_flagged,
            "manual_pending": result.manual_pending,
            "criteria": [criterion.model_dump() for criterion in result.criteria],
            "validated_event_id": envelope.event_id,
            "scored_at": datetime.now(UTC),
        }, event)
        try:
            await self.scores.insert_one(document)
        except DuplicateKeyError:
            log.info("revision scored concurrently", revision=validated.revision)
            return
        self.relay.notify()
        log.info("revision scored", revision=validated.revision, total=result.total, tier=result.tier)
