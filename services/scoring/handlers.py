"""Scoring's message handlers: each reads its event and hands it to the application layer, which writes every
score with its `submission.scored` event in one write (outbox, application/scoring.py), whatever caused it:

    submission.validated           keep scoring's copy of the revision, score it under the active rubric
    submission.returned / rejected keep a marker: that revision supersedes the older ones in the rankings
    scoring.rescore_run_requested  attach one re-score command per submission to its newest revision
    scoring.rescore_requested      score the revision under the run's rubric version (trigger "rescore")
    scoring.review_recorded        recompute the revision's score with the reviewers' marks (trigger "review")

An event naming a campaign or a rubric version scoring does not have, or a revision it holds no validated copy
of, contradicts its contract: a `PermanentFailure` (dead-lettered at once).
"""

from __future__ import annotations

from typing import Literal

from services.scoring.application.campaigns import ActiveRubric, active_rubric
from services.scoring.application.rescoring import attach_rescores
from services.scoring.application.scoring import not_passed_record, revision_record, score_revision
from services.scoring.repository import Document, ScoringStore
from services.scoring.rubric import RubricBook, UnknownRubric
from shared.bus import Handles, PermanentFailure
from shared.campaign import CampaignBook, UnknownCampaign
from shared.events import (
    SUBMISSION_RETURNED,
    Envelope,
    RescoreRequested,
    RescoreRunRequested,
    ReviewRecorded,
    SubmissionRejected,
    SubmissionReturned,
    SubmissionValidated,
)
from shared.logging import get_logger
from shared.outbox import OutboxRelay

log = get_logger(__name__)


class ScoringHandlers:
    def __init__(self, store: ScoringStore, campaigns: CampaignBook, rubrics: RubricBook,
                 relay: OutboxRelay) -> None:
        self.store = store
        self.campaigns = campaigns
        self.rubrics = rubrics
        self.relay = relay

    async def _active(self, campaign: str) -> ActiveRubric:
        try:
            return await active_rubric(self.store, self.campaigns, self.rubrics, campaign)
        except (UnknownCampaign, UnknownRubric) as error:
            raise PermanentFailure(f"no rubric for campaign {campaign!r}: {error}") from None

    async def _validated_revision(self, submission_id: str, revision: int) -> Document:
        record = await self.store.revision(submission_id, revision)
        if record is None or record.get("status") != "validated":
            raise PermanentFailure(f"scoring holds no validated revision {revision} of {submission_id}")
        return record

    # -- events -----------------------------------------------------------------------------------

    async def on_validated(self, envelope: Envelope) -> None:
        validated = envelope.read(SubmissionValidated)
        record = revision_record(validated, envelope)
        # The copy first, the active version after: a re-scoring run published meanwhile either finds
        # this revision or is already the version read here, so no revision escapes a run.
        await self.store.keep_revision(record)
        active = await self._active(validated.campaign)
        await score_revision(self.store, self.relay, record, active.rubric, trigger="validation", cause="validated",
                             causation=envelope)

    async def on_not_passed(self, envelope: Envelope) -> None:
        returned = envelope.event_type == SUBMISSION_RETURNED
        data: SubmissionReturned | SubmissionRejected = (
            envelope.read(SubmissionReturned) if returned else envelope.read(SubmissionRejected))
        status: Literal["returned", "rejected"] = "returned" if returned else "rejected"
        kept = await self.store.keep_revision(not_passed_record(data, status, envelope))
        log.info("revision not passed: supersedes older revisions in the rankings", status=status,
                 revision=data.revision, new=kept)

    # -- commands ---------------------------------------------------------------------------------

    async def on_rescore_run(self, envelope: Envelope) -> None:
        await attach_rescores(self.store, self.relay, envelope.read(RescoreRunRequested), envelope)

    async def on_rescore(self, envelope: Envelope) -> None:
        command = envelope.read(RescoreRequested)
        record = await self._validated_revision(command.submission_id, command.revision)
        try:
            rubric = self.rubrics.get(command.rubric_version)
        except UnknownRubric as error:
            raise PermanentFailure(str(error)) from None
        await score_revision(self.store, self.relay, record, rubric, trigger="rescore", cause=f"run:{command.run_id}",
                             causation=envelope)

    async def on_review(self, envelope: Envelope) -> None:
        command = envelope.read(ReviewRecorded)
        record = await self._validated_revision(command.submission_id, command.revision)
        active = await self._active(command.campaign)
        await score_revision(self.store, self.relay, record, active.rubric, trigger="review",
                             cause=f"change:{command.change_id}", causation=envelope)


# What scoring consumes (its queue's bindings, shared/topology.py). Returned and rejected revisions too: a newer
# revision that did not pass supersedes an older scored one.
HANDLES: Handles[ScoringHandlers] = {
    SubmissionValidated: ScoringHandlers.on_validated,
    SubmissionReturned: ScoringHandlers.on_not_passed,
    SubmissionRejected: ScoringHandlers.on_not_passed,
    RescoreRunRequested: ScoringHandlers.on_rescore_run,
    RescoreRequested: ScoringHandlers.on_rescore,
    ReviewRecorded: ScoringHandlers.on_review,
}
