"""The committee's work, as the admin API, the reviewer API, the workspace and the `reviewers` command do it:
register and disable reviewers, assign submissions, record reviewers' points, and what a reviewer reads to
judge.

Recording points is one write: the audit record of the change (who, when, old, new, why) with a
`scoring.review_recorded` command in its outbox. Scoring consumes the command and recomputes the score, so
the new total flows on as a `submission.scored` even if the process stops right after the write.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from services.scoring.application.campaigns import active_rubric, active_rubric_or_conflict, ensure_open
from services.scoring.committee import combine, plain
from services.scoring.repository import Document, ScoringStore, WorkspaceStore, score_id
from services.scoring.review import Entry, Refusal, changes_for, check_entries, conflict_of_interest, current_marks
from services.scoring.rubric import RubricBook, UnknownRubric
from shared.campaign import CampaignBook, UnknownCampaign
from shared.errors import Conflict, FieldError, Forbidden, Invalid, NotFound
from shared.events import Envelope, ReviewRecorded
from shared.geo import resolve_province
from shared.outbox import OutboxRelay, with_outbox

PRODUCER = "scoring"
NATIONAL = ("national", "ส่วนกลาง")
TOKEN_PREFIX = "rvw_"


def new_token() -> str:
    """A reviewer's token: shown once when created, never stored."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def public_reviewer(document: Document) -> dict[str, Any]:
    """A reviewer as the APIs and commands show them: never the token, nor its hash."""
    shown = {"reviewer_id": document["_id"]}
    shown.update({k: v for k, v in document.items() if k not in ("_id", "token_sha256")})
    return shown


def public_change(document: Document) -> dict[str, Any]:
    """An audit record as the APIs and commands show it."""
    shown = {"change_id": document["_id"]}
    shown.update({k: v for k, v in document.items() if k not in ("_id", "outbox", "outbox_pending")})
    return shown


def _conflict_of_interest(refusal: Refusal) -> Forbidden:
    return Forbidden(refusal.code, refusal.message_th, refusal.message_en)


async def register_reviewer(store: ScoringStore, *, name: str, province: str,
                            created_by: str) -> tuple[Document, str]:
    """A new reviewer and their token (returned once; only its keyed digest is kept). `province` is a code or a
    name; `national` (ส่วนกลาง) for a DLA official without a province, who then has no provincial conflict."""
    name = " ".join(name.split())
    if not name:
        raise Invalid("name_missing", "ต้องระบุชื่อกรรมการ", "The reviewer's name is required.")
    if province.strip().lower() in NATIONAL:
        province_code, province_name = None, None
    else:
        found = resolve_province(province)
        if found is None:
            raise Invalid("province_unknown", f"ไม่รู้จักจังหวัด {province!r} (ใช้รหัส 2 หลัก เช่น 36 หรือชื่อจังหวัด)",
                          f"Unknown province {province!r} (use the 2-digit code, e.g. 36, or the name); "
                          "`national` for a reviewer without a province.")
        province_code, province_name = found.code, found.name_th
    token = new_token()
    document = {
        "_id": "rev_" + secrets.token_hex(5),
        "name": name,
        "province_code": province_code,
        "province_name": province_name,
        "token_sha256": store.token_digest(token),
        "active": True,
        "created_at": datetime.now(UTC),
        "created_by": created_by,
    }
    await store.add_reviewer(document)
    return public_reviewer(document), token


async def reviewers(store: ScoringStore) -> list[dict[str, Any]]:
    """Every reviewer, as the admin API and the `reviewers` command list them."""
    return [public_reviewer(reviewer) for reviewer in await store.all_reviewers()]


async def disable_reviewer(store: ScoringStore, reviewer_id: str, *, by: str) -> dict[str, Any]:
    """Revoke a reviewer's token; the points they entered so far stay."""
    if not await store.disable_reviewer(reviewer_id, datetime.now(UTC), by):
        raise NotFound("reviewer_unknown", f"ไม่พบกรรมการ {reviewer_id}", f"No reviewer {reviewer_id!r}.")
    reviewer = await store.reviewer(reviewer_id)
    assert reviewer is not None
    return public_reviewer(reviewer)


async def audit_trail(store: ScoringStore, *, submission_id: str | None = None,
                      reviewer_id: str | None = None) -> list[dict[str, Any]]:
    """The audit trail of reviewers' points: who, when, old, new, why."""
    return [public_change(record)
            for record in await store.audit(submission_id=submission_id, reviewer_id=reviewer_id)]


async def conflict_declarations(workspace: WorkspaceStore, *, submission_id: str | None = None,
                                reviewer_id: str | None = None) -> list[dict[str, Any]]:
    """Reviewers' declarations of a conflict of interest: who, when, which submission, why."""
    declarations = await workspace.declarations(reviewer_id=reviewer_id, submission_id=submission_id)
    return [{"declaration_id": d["_id"], **{k: v for k, v in d.items() if k != "_id"}} for d in declarations]


async def assign(store: ScoringStore, workspace: WorkspaceStore, *, reviewer_id: str, submission_ids: Sequence[str],
                 assigned_by: str) -> dict[str, Any]:
    """Assign submissions to a reviewer; a submission of the reviewer's own province, or one they declared a
    conflict of interest with, is refused."""
    reviewer = await store.reviewer(reviewer_id)
    if reviewer is None:
        raise NotFound("reviewer_unknown", f"ไม่พบกรรมการ {reviewer_id}", f"No reviewer {reviewer_id!r}.")
    if not reviewer.get("active"):
        raise Conflict("reviewer_disabled", f"กรรมการ {reviewer_id} ถูกระงับแล้ว",
                       f"Reviewer {reviewer_id!r} is disabled.")
    outcome: dict[str, Any] = {"reviewer_id": reviewer_id, "assigned": [], "already_assigned": [], "refused": []}
    for submission_id in dict.fromkeys(submission_ids):
        newest = await store.newest_revision(submission_id)
        if newest is None:
            outcome["refused"].append({"submission_id": submission_id, "code": "submission_unknown",
                                       "message_th": f"ไม่พบแบบรายงาน {submission_id} ในระบบให้คะแนน",
                                       "message_en": f"Scoring holds no submission {submission_id!r}."})
            continue
        conflict = conflict_of_interest(reviewer.get("province_code"), (newest.get("lao") or {}).get("province_code"))
        if conflict is not None:
            outcome["refused"].append({"submission_id": submission_id, "code": conflict.code,
                                       "message_th": conflict.message_th, "message_en": conflict.message_en})
            continue
        if await workspace.conflict_declared(reviewer_id, submission_id) is not None:
            outcome["refused"].append({"submission_id": submission_id, "code": "conflict_declared",
                                       "message_th": "กรรมการได้แจ้งผลประโยชน์ทับซ้อนกับแบบรายงานนี้ไว้แล้ว จึงมอบหมายซ้ำไม่ได้",
                                       "message_en": "The reviewer declared a conflict of interest with this "
                                                     "submission; it cannot be assigned to them again."})
            continue
        created = await store.assign({
            "_id": f"{reviewer_id}:{submission_id}", "reviewer_id": reviewer_id, "submission_id": submission_id,
            "campaign": newest["campaign"], "assigned_at": datetime.now(UTC), "assigned_by": assigned_by,
        })
        outcome["assigned" if created else "already_assigned"].append(submission_id)
    return outcome


async def ensure_assigned(store: ScoringStore, reviewer: Document, submission_id: str) -> None:
    """Forbidden unless the submission is assigned to this reviewer."""
    if not await store.is_assigned(reviewer["_id"], submission_id):
        raise Forbidden("not_assigned", f"แบบรายงาน {submission_id} ไม่ได้มอบหมายให้ท่าน",
                        f"Submission {submission_id} is not assigned to you.")


async def _reviewable(store: ScoringStore, reviewer: Document, submission_id: str) -> Document:
    """The newest revision of a submission this reviewer may score, or the refusal saying why not."""
    await ensure_assigned(store, reviewer, submission_id)
    newest = await store.newest_revision(submission_id)
    if newest is None:
        raise NotFound("submission_unknown", f"ไม่พบแบบรายงาน {submission_id}", f"No submission {submission_id}.")
    conflict = conflict_of_interest(reviewer.get("province_code"), (newest.get("lao") or {}).get("province_code"))
    if conflict is not None:
        raise _conflict_of_interest(conflict)
    if newest.get("status") != "validated":
        raise Conflict("newest_revision_not_validated",
                       f"ฉบับล่าสุด (ครั้งที่ {newest['revision']}) ของแบบรายงานนี้ไม่ผ่านการตรวจสอบ จึงยังให้คะแนนไม่ได้",
                       f"The newest revision ({newest['revision']}) of this submission did not pass validation; "
                       "it cannot be scored.")
    return newest


async def record_review(store: ScoringStore, campaigns: CampaignBook, rubrics: RubricBook,
                        relay: OutboxRelay | None, *, reviewer: Document, submission_id: str,
                        revision: int | None, entries: Sequence[Entry]) -> dict[str, Any]:
    """Record a reviewer's points for manual criteria of the newest revision: the audit record and the
    command to recompute the score, in one write. Returns what changed (nothing when nothing did)."""
    newest = await _reviewable(store, reviewer, submission_id)
    if revision is not None and revision != newest["revision"]:
        raise Conflict("stale_revision",
                       f"แบบรายงานนี้มีฉบับใหม่แล้ว (ครั้งที่ {newest['revision']}) โปรดพิจารณาฉบับล่าสุด",
                       f"This submission has a newer revision ({newest['revision']}); review that one.")
    rubric = await active_rubric_or_conflict(store, campaigns, rubrics, newest["campaign"])
    problems = check_entries(rubric, entries)
    if problems:
        raise Invalid("invalid_review", "คะแนนที่บันทึกไม่ถูกต้อง โปรดแก้ไขตามรายการด้านล่าง",
                      "The points entered are not valid; fix the entries listed below.",
                      errors=[FieldError(field=p.field, code=p.code, message_th=p.message_th,
                                         message_en=p.message_en) for p in problems])
    # Frozen results change only after an unfreeze; entries that could never be saved are told apart first.
    await ensure_open(store, newest["campaign"])
    revision = newest["revision"]
    records = await store.change_records(submission_id, revision)
    changes = changes_for(reviewer["_id"], current_marks(records), entries)
    answer: dict[str, Any] = {"submission_id": submission_id, "revision": revision, "rubric_version": rubric.version,
                              "change_id": None, "changes": [change.as_json() for change in changes]}
    if not changes:
        return answer
    seq = max((r.seq for r in records if r.reviewer_id == reviewer["_id"]), default=0) + 1
    change_id = f"{submission_id}/r{revision}/{reviewer['_id']}/{seq:05d}"
    command = ReviewRecorded(submission_id=submission_id, revision=revision, campaign=newest["campaign"],
                             change_id=change_id, reviewer_id=reviewer["_id"],
                             criteria=[change.criterion for change in changes])
    now = datetime.now(UTC)
    record = {
        "_id": change_id,
        "submission_id": submission_id,
        "revision": revision,
        "campaign": newest["campaign"],
        "reviewer_id": reviewer["_id"],
        "reviewer_name": reviewer.get("name"),
        "reviewer_province_code": reviewer.get("province_code"),
        "seq": seq,
        "at": now,
        "rubric_version": rubric.version,
        "changes": answer["changes"],
    }
    if not await store.insert_change(with_outbox(record, Envelope.build(command, producer=PRODUCER,
                                                                        correlation_id=submission_id))):
        raise Conflict("concurrent_change", "มีการแก้ไขคะแนนของท่านพร้อมกันจากที่อื่น โปรดโหลดใหม่แล้วลองอีกครั้ง",
                       "Your points for this submission were changed at the same time elsewhere; reload and "
                       "try again.")
    if relay is not None:
        relay.notify()
    return {**answer, "change_id": change_id, "at": now}


async def submission_for_review(store: ScoringStore, campaigns: CampaignBook, rubrics: RubricBook, *,
                                reviewer: Document, submission_id: str) -> dict[str, Any]:
    """What a reviewer reads to judge: the newest revision's data, its current score and the committee's
    criteria with their own marks and the committee's combined ones."""
    newest = await _reviewable(store, reviewer, submission_id)
    revision_document = await store.revision(submission_id, newest["revision"])
    assert revision_document is not None
    view = await _assignment_view(store, campaigns, rubrics, reviewer, newest)
    # Everything the municipality reported, but not its coordinator's phone and e-mail: judging needs neither.
    submission = {k: v for k, v in (revision_document.get("submission") or {}).items() if k != "contact"}
    return {**view, "submission": submission}


async def assignments_of(store: ScoringStore, campaigns: CampaignBook, rubrics: RubricBook,
                         reviewer: Document) -> list[dict[str, Any]]:
    views = []
    for assignment in await store.assignments_of(reviewer["_id"]):
        newest = await store.newest_revision(assignment["submission_id"])
        if newest is None:
            continue
        views.append(await _assignment_view(store, campaigns, rubrics, reviewer, newest))
    return views


async def _assignment_view(store: ScoringStore, campaigns: CampaignBook, rubrics: RubricBook,
                           reviewer: Document, newest: Document) -> dict[str, Any]:
    lao = newest.get("lao") or {}
    conflict = conflict_of_interest(reviewer.get("province_code"), lao.get("province_code"))
    try:
        rubric = (await active_rubric(store, campaigns, rubrics, newest["campaign"])).rubric
    except (UnknownCampaign, UnknownRubric):
        rubric = None
    marks = current_marks(await store.change_records(newest["submission_id"], newest["revision"]))
    criteria = []
    current = None
    if rubric is not None:
        for key in rubric.manual_keys:
            criterion = rubric.criterion(key)
            mine = next((m for m in marks.get(key, []) if m.reviewer_id == reviewer["_id"]), None)
            combined = combine(marks[key], criterion.points) if marks.get(key) else None
            criteria.append({
                "key": key, "title_th": criterion.title_th, "title_en": criterion.title_en,
                "max_points": criterion.points,
                "mine": {"points": plain(mine.points), "comment": mine.comment} if mine else None,
                "committee": combined.inputs() if combined else None,
            })
        current = await store.score(score_id(newest["submission_id"], newest["revision"], rubric.version))
    return {
        "submission_id": newest["submission_id"],
        "revision": newest["revision"],
        "campaign": newest["campaign"],
        "status": newest.get("status"),
        "lao": lao,
        "rubric_version": rubric.version if rubric else None,
        "conflict_of_interest": conflict.code if conflict else None,
        "criteria": criteria,
        "score": None if current is None else {
            "total": current["total"], "max_total": current["max_total"], "tier": current["tier"],
            "provisional": current.get("provisional", False), "score_version": current.get("score_version", 1),
        },
    }
