"""Scoring a revision: scoring's own copy of each revision it is told about, and the one way a score is written,
with its `submission.scored` event in the same write (outbox), whatever caused it (a validation, a re-scoring
run, reviewers' points).

A score document is one per revision × rubric version. Its `applied` list names every cause already taken
into account (the validation, each re-scoring run, each audit record of reviewers' points), so a redelivered
event changes nothing; `score_version` grows when a cause changes the score, and the score it replaced is
kept in `history`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from services.scoring.repository import Document, ScoringStore, revision_id, score_id
from services.scoring.review import current_marks
from services.scoring.rubric import Rubric, ScoreResult, score
from shared.events import (
    ContactSummary,
    Envelope,
    LaoSummary,
    SubmissionRejected,
    SubmissionReturned,
    SubmissionScored,
    SubmissionValidated,
)
from shared.logging import get_logger
from shared.outbox import OutboxRelay, push_outbox, with_outbox
from shared.submission import Submission

log = get_logger(__name__)
PRODUCER = "scoring"
Trigger = Literal["validation", "review", "rescore"]
ATTEMPTS = 5


class ConcurrentScoreUpdate(RuntimeError):
    """Another writer kept changing the same score; the bus retries the event later."""


def revision_record(validated: SubmissionValidated, envelope: Envelope) -> Document:
    """Scoring's own copy of a validated revision: all that re-scoring and review will ever read."""
    return {
        "_id": revision_id(validated.submission_id, validated.revision),
        "submission_id": validated.submission_id,
        "revision": validated.revision,
        "campaign": validated.campaign,
        "status": "validated",
        "lao": validated.lao.model_dump(mode="json"),
        "contact": validated.contact.model_dump(mode="json"),
        "submission": validated.submission.model_dump(mode="json"),
        "submitted_at": validated.submission.submitted_at,
        "event_id": envelope.event_id,
        "verdict_at": envelope.occurred_at,
        "stored_at": datetime.now(UTC),
    }


def not_passed_record(data: SubmissionReturned | SubmissionRejected, status: Literal["returned", "rejected"],
                      envelope: Envelope) -> Document:
    """The marker of a revision validation returned or rejected: it supersedes the older ones in the rankings."""
    return {
        "_id": revision_id(data.submission_id, data.revision),
        "submission_id": data.submission_id,
        "revision": data.revision,
        "campaign": data.campaign,
        "status": status,
        "lao": data.lao.model_dump(mode="json"),
        "event_id": envelope.event_id,
        "verdict_at": envelope.occurred_at,
        "stored_at": datetime.now(UTC),
    }


def _score_fields(result: ScoreResult, rubric: Rubric, record: Document) -> Document:
    lao = record.get("lao") or {}
    return {
        "rubric_digest": rubric.digest,
        "total": result.total,
        "max_total": result.max_total,
        "auto_total": result.auto_total,
        "tier": result.tier,
        "provisional": result.provisional,
        "size_group": result.size_group,
        "size_group_flagged": result.size_group_flagged,
        "manual_pending": result.manual_pending,
        "sections": result.sections,
        "criteria": [criterion.model_dump(mode="json") for criterion in result.criteria],
        "lao": lao,
        "province_code": lao.get("province_code"),
        "submitted_at": record.get("submitted_at"),
    }


_COMPARED = ("total", "tier", "size_group", "size_group_flagged", "manual_pending", "criteria")


def _differs(existing: Document, fields: Document) -> bool:
    return any(existing.get(name) != fields[name] for name in _COMPARED)


def _snapshot(existing: Document) -> Document:
    """What history keeps of a replaced score: enough to explain it as it was."""
    kept = ("score_version", "trigger", "scored_at", "rubric_digest", "total", "max_total", "auto_total", "tier",
            "provisional", "size_group", "size_group_flagged", "manual_pending", "sections", "criteria")
    return {name: existing.get(name) for name in kept}


async def score_revision(store: ScoringStore, relay: OutboxRelay, record: Document, rubric: Rubric, *,
                         trigger: Trigger, cause: str, causation: Envelope) -> None:
    """Score the revision under the rubric with the reviewers' current marks, once per cause: a first score, or
    a new `score_version` when the cause changes it (a re-score is announced even when it changes nothing)."""
    submission_id, revision = record["submission_id"], record["revision"]
    document_id = score_id(submission_id, revision, rubric.version)
    submission = Submission.model_validate(record["submission"])
    lao = LaoSummary.model_validate(record["lao"])
    for _ in range(ATTEMPTS):
        existing = await store.score(document_id)
        if existing is not None and (trigger == "validation" or cause in existing.get("applied", [])):
            log.info("already scored", revision=revision, rubric_version=rubric.version, cause=cause)
            return
        records = await store.change_records(submission_id, revision)
        result = score(submission, rubric, lao_type=lao.type, size_class=lao.size_class,
                       committee=current_marks(records))
        fields = _score_fields(result, rubric, record)
        applied = [cause, *(f"change:{r.change_id}" for r in records)]
        now = datetime.now(UTC)
        if existing is None:
            event = _event(record, result, trigger, 1, causation)
            document = with_outbox({
                "_id": document_id, "submission_id": submission_id, "revision": revision,
                "campaign": record["campaign"], "rubric_version": rubric.version, **fields,
                "score_version": 1, "trigger": trigger, "scored_at": now, "applied": applied, "history": [],
                "validated_event_id": record.get("event_id"),
            }, event)
            if await store.insert_score(document):
                _written(relay, revision, rubric, result, trigger, 1)
                return
            continue  # scored concurrently: look again
        changed = _differs(existing, fields)
        version = existing["score_version"] + (1 if changed else 0)
        update: Document = {"$addToSet": {"applied": {"$each": applied}}}
        if changed or trigger == "rescore":
            # A re-score that changes nothing is announced all the same: the version is the active one again.
            update.update(push_outbox(_event(record, result, trigger, version, causation)))
        if changed:
            update.setdefault("$set", {}).update({**fields, "score_version": version, "trigger": trigger,
                                                  "scored_at": now})
            update.setdefault("$push", {})["history"] = _snapshot(existing)
        if await store.replace_score(document_id, existing["score_version"], update):
            _written(relay, revision, rubric, result, trigger, version, changed=changed)
            return
    raise ConcurrentScoreUpdate(f"score {document_id} changed under {ATTEMPTS} concurrent attempts")


def _written(relay: OutboxRelay, revision: int, rubric: Rubric, result: ScoreResult, trigger: str, version: int,
             changed: bool = True) -> None:
    relay.notify()
    log.info("revision scored", revision=revision, rubric_version=rubric.version, total=result.total,
             tier=result.tier, trigger=trigger, score_version=version, changed=changed)


def _event(record: Document, result: ScoreResult, trigger: Trigger, version: int, causation: Envelope) -> Envelope:
    scored = SubmissionScored(
        submission_id=record["submission_id"], revision=record["revision"], campaign=record["campaign"],
        lao=LaoSummary.model_validate(record["lao"]), contact=ContactSummary.model_validate(record["contact"]),
        rubric_version=result.rubric_version, total=result.total, max_total=result.max_total, tier=result.tier,
        size_group=result.size_group, size_group_flagged=result.size_group_flagged,
        size_group_th=result.size_group_th or None, size_group_en=result.size_group_en or None,
        criteria=result.criteria,
        trigger=trigger, score_version=version, manual_pending=result.manual_pending,
    )
    return Envelope.build(scored, producer=PRODUCER, correlation_id=record["submission_id"], causation=causation)
