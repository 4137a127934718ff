"""What reviewers do in the web workspace beyond the reviewer API: drafts kept for the reviewer only (never
counted, never in the audit trail), submitting one criterion's points (the same `record_review`), and declaring
a conflict of interest (their marks withdrawn through the audit trail, the declaration recorded, the assignment
removed)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from services.scoring.application.reviewing import (
    assignments_of,
    ensure_assigned,
    record_review,
    submission_for_review,
)
from services.scoring.repository import Document, ScoringStore, WorkspaceStore, score_id
from services.scoring.review import Entry
from services.scoring.rubric import RubricBook
from shared.campaign import CampaignBook
from shared.errors import Invalid, Problem
from shared.outbox import OutboxRelay


@dataclass(frozen=True)
class Assignments:
    """A reviewer's assigned submissions, and per submission the criteria they hold a draft of."""

    views: list[dict[str, Any]]
    drafts: dict[str, set[str]]


@dataclass(frozen=True)
class ReviewPage:
    """What the page of one submission shows a reviewer: the submission to judge, its current score and the
    reviewer's drafts per criterion."""

    view: dict[str, Any]
    score: Document | None
    drafts: dict[str, Document]


async def assignments(store: ScoringStore, workspace: WorkspaceStore, campaigns: CampaignBook, rubrics: RubricBook,
                      reviewer: Document) -> Assignments:
    views = await assignments_of(store, campaigns, rubrics, reviewer)
    return Assignments(views, await workspace.reviewers_drafts(reviewer["_id"]))


async def review_page(store: ScoringStore, workspace: WorkspaceStore, campaigns: CampaignBook, rubrics: RubricBook,
                      reviewer: Document, submission_id: str) -> ReviewPage:
    view = await submission_for_review(store, campaigns, rubrics, reviewer=reviewer, submission_id=submission_id)
    score: Document | None = None
    if view["rubric_version"] is not None:
        score = await store.score(score_id(submission_id, view["revision"], view["rubric_version"]))
    return ReviewPage(view, score, await workspace.drafts_of(reviewer["_id"], submission_id))


async def committee_criterion(store: ScoringStore, campaigns: CampaignBook, rubrics: RubricBook,
                              reviewer: Document, submission_id: str, criterion: str) -> dict[str, Any]:
    """The submission as the reviewer may judge it; refused when the criterion is not one of its committee's."""
    view = await submission_for_review(store, campaigns, rubrics, reviewer=reviewer, submission_id=submission_id)
    if criterion not in {c["key"] for c in view["criteria"]}:
        raise Invalid("unknown_criterion", "ไม่มีเกณฑ์นี้ให้คณะกรรมการให้คะแนน", "No such committee criterion.")
    return view


async def save_draft(workspace: WorkspaceStore, *, reviewer: Document, view: dict[str, Any], criterion: str,
                     points: str, comment: str) -> None:
    """Keep what the reviewer typed for one criterion of the submission's revision (`view`, from
    `committee_criterion`), for them only: not recorded, not counted."""
    await workspace.save_draft(reviewer_id=reviewer["_id"], submission_id=view["submission_id"],
                               revision=view["revision"], criterion=criterion, points=points, comment=comment,
                               at=datetime.now(UTC))


async def submit_points(store: ScoringStore, workspace: WorkspaceStore, campaigns: CampaignBook, rubrics: RubricBook,
                        relay: OutboxRelay | None, *, reviewer: Document, submission_id: str, criterion: str,
                        revision: int | None, points: Decimal | None, comment: str) -> dict[str, Any]:
    """Record one criterion's points (as the reviewer API does); the draft of it is then dropped."""
    outcome = await record_review(store, campaigns, rubrics, relay, reviewer=reviewer, submission_id=submission_id,
                                  revision=revision, entries=[Entry(criterion, points, comment)])
    await workspace.drop_draft(reviewer["_id"], submission_id, criterion)
    return outcome


async def declare_conflict(store: ScoringStore, workspace: WorkspaceStore, campaigns: CampaignBook,
                           rubrics: RubricBook, relay: OutboxRelay | None, *, reviewer: Document, submission_id: str,
                           reason: str) -> None:
    """The reviewer declares a conflict of interest with an assigned submission, saying why: any marks they
    submitted are withdrawn through the audit trail (so the score no longer counts them), the declaration is
    recorded, the assignment removed and their drafts dropped."""
    await ensure_assigned(store, reviewer, submission_id)
    reason = " ".join(reason.split())
    if not reason:
        raise Invalid("reason_missing", "ต้องระบุเหตุผลของผลประโยชน์ทับซ้อน", "Say why you have a conflict of interest.")
    try:
        view: dict[str, Any] | None = await submission_for_review(store, campaigns, rubrics, reviewer=reviewer,
                                                                  submission_id=submission_id)
    except Problem:
        view = None
    withdrawn = [c["key"] for c in (view or {}).get("criteria", []) if c["mine"] is not None]
    change_id = None
    if view is not None and withdrawn:
        why = f"แจ้งผลประโยชน์ทับซ้อน / conflict of interest declared: {reason}"
        outcome = await record_review(store, campaigns, rubrics, relay, reviewer=reviewer,
                                      submission_id=submission_id, revision=view["revision"],
                                      entries=[Entry(key, None, why) for key in withdrawn])
        change_id = outcome["change_id"]
    newest = await store.newest_revision(submission_id)
    await workspace.declare_conflict({
        "_id": "coi_" + secrets.token_hex(6), "reviewer_id": reviewer["_id"], "reviewer_name": reviewer.get("name"),
        "reviewer_province_code": reviewer.get("province_code"), "submission_id": submission_id,
        "revision": (newest or {}).get("revision"), "campaign": (newest or {}).get("campaign"),
        "lao_name": ((newest or {}).get("lao") or {}).get("name"), "reason": reason, "at": datetime.now(UTC),
        "withdrawn_criteria": withdrawn, "change_id": change_id,
    })
    await store.unassign(reviewer["_id"], submission_id)
    await workspace.drop_drafts(reviewer["_id"], submission_id)
