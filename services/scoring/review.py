"""Committee review, the rules without the I/O: who may score what (conflict of interest), which entries a
reviewer may make under a rubric, what changed (for the audit trail), and every reviewer's current marks
folded from that trail."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from services.scoring.committee import ReviewerMark, plain, to_points
from services.scoring.rubric import Rubric


@dataclass(frozen=True)
class Refusal:
    """Why a reviewer's request is refused, for the person who made it: a stable code, Thai and English."""

    code: str
    message_th: str
    message_en: str
    field: str = ""


def conflict_of_interest(reviewer_province: str | None, lao_province: str | None) -> Refusal | None:
    """A reviewer never scores a municipality of their own province. When the municipality's province is
    not known, a conflict cannot be ruled out, so that is refused too. A reviewer without a province
    (a national official) has no provincial conflict."""
    if lao_province is None:
        return Refusal("conflict_of_interest_unknown_province",
                       "ไม่ทราบจังหวัดของ อปท. นี้ จึงตรวจสอบผลประโยชน์ทับซ้อนไม่ได้ งดให้คะแนนไว้ก่อน",
                       "The municipality's province is not known, so a conflict of interest cannot be ruled out; "
                       "it cannot be scored.")
    if reviewer_province is not None and reviewer_province == lao_province:
        return Refusal("conflict_of_interest",
                       f"กรรมการให้คะแนน อปท. ในจังหวัดของตนเอง (รหัสจังหวัด {lao_province}) ไม่ได้ "
                       "เนื่องจากมีผลประโยชน์ทับซ้อน",
                       f"A reviewer cannot score a municipality of their own province ({lao_province}): "
                       "conflict of interest.")
    return None


@dataclass(frozen=True)
class Entry:
    """What a reviewer enters for one manual criterion: points (None withdraws their mark) and why."""

    criterion: str
    points: Decimal | None
    comment: str


@dataclass(frozen=True)
class Change:
    """One criterion's change by one reviewer, as the audit trail keeps it: the mark before, the mark
    after (None when withdrawn), and why."""

    criterion: str
    old_points: Decimal | None
    old_comment: str | None
    new_points: Decimal | None
    why: str

    def as_json(self) -> dict[str, Any]:
        return {
            "criterion": self.criterion,
            "old": None if self.old_points is None else {"points": plain(self.old_points), "comment": self.old_comment},
            "new": None if self.new_points is None else {"points": plain(self.new_points), "comment": self.why},
            "why": self.why,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Change:
        old, new = data.get("old"), data.get("new")
        return cls(
            criterion=data["criterion"],
            old_points=None if old is None else to_points(old["points"]),
            old_comment=None if old is None else old.get("comment"),
            new_points=None if new is None else to_points(new["points"]),
            why=data.get("why") or "",
        )


def check_entries(rubric: Rubric, entries: Sequence[Entry]) -> list[Refusal]:
    """Every problem with the entries under the rubric: unknown criterion, a criterion scored from the
    submission, points out of range, a criterion entered twice, a missing comment."""
    problems: list[Refusal] = []
    manual = rubric.manual_keys
    seen: set[str] = set()
    if not entries:
        problems.append(Refusal("no_entries", "ไม่มีคะแนนที่จะบันทึก", "Nothing to record: `entries` is empty.",
                                "entries"))
    for index, entry in enumerate(entries):
        where = f"entries[{index}]"
        if entry.criterion in seen:
            problems.append(Refusal("duplicate_criterion", f"ระบุเกณฑ์ {entry.criterion} ซ้ำ",
                                    f"Criterion {entry.criterion!r} is entered twice.", f"{where}.criterion"))
        seen.add(entry.criterion)
        try:
            criterion = rubric.criterion(entry.criterion)
        except KeyError:
            problems.append(Refusal(
                "unknown_criterion",
                f"ไม่มีเกณฑ์ {entry.criterion} ในเกณฑ์รุ่น {rubric.version}; เกณฑ์ที่คณะกรรมการให้คะแนนคือ "
                f"{', '.join(manual)}",
                f"Rubric {rubric.version} has no criterion {entry.criterion!r}; the committee's criteria are: "
                f"{', '.join(manual)}.", f"{where}.criterion"))
            continue
        if not criterion.manual:
            problems.append(Refusal(
                "not_a_committee_criterion",
                f"เกณฑ์ {entry.criterion} คำนวณจากข้อมูลในแบบรายงาน คณะกรรมการให้คะแนนได้เฉพาะ {', '.join(manual)}",
                f"Criterion {entry.criterion!r} is computed from the submission; the committee scores only "
                f"{', '.join(manual)}.", f"{where}.criterion"))
            continue
        if entry.points is not None:
            most = to_points(criterion.points)
            if not entry.points.is_finite() or not Decimal(0) <= entry.points <= most:
                problems.append(Refusal(
                    "points_out_of_range",
                    f"คะแนนของเกณฑ์ {entry.criterion} ต้องอยู่ระหว่าง 0 ถึง {plain(most)}",
                    f"Points for {entry.criterion!r} must be between 0 and {plain(most)}.", f"{where}.points"))
        if not entry.comment.strip():
            problems.append(Refusal("comment_missing", "ต้องระบุเหตุผลประกอบคะแนน",
                                    "A comment saying why is required.", f"{where}.comment"))
    return problems


def points_of(value: float | int | Decimal | None) -> Decimal | None:
    """A reviewer's figure as points (two decimals, halves up); None stays None. A figure that is not a
    finite number, or too large to hold to two decimals, is kept as it is, so that `check_entries` refuses it
    with its message."""
    if value is None:
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return Decimal(str(value))
    try:
        return to_points(value)
    except InvalidOperation:
        return Decimal(str(value))


@dataclass(frozen=True)
class RecordedChange:
    """One audit record as stored: who, in which order, and the criteria's changes."""

    reviewer_id: str
    seq: int
    changes: tuple[Change, ...]
    change_id: str = ""


def current_marks(records: Iterable[RecordedChange]) -> dict[str, list[ReviewerMark]]:
    """Every reviewer's current mark per criterion: the audit records replayed in each reviewer's order."""
    state: dict[tuple[str, str], ReviewerMark] = {}
    for record in sorted(records, key=lambda r: (r.reviewer_id, r.seq)):
        for change in record.changes:
            key = (change.criterion, record.reviewer_id)
            if change.new_points is None:
                state.pop(key, None)
            else:
                state[key] = ReviewerMark(record.reviewer_id, change.new_points, change.why)
    marks: dict[str, list[ReviewerMark]] = {}
    for (criterion, _), mark in sorted(state.items()):
        marks.setdefault(criterion, []).append(mark)
    return marks


def changes_for(reviewer_id: str, current: Mapping[str, Sequence[ReviewerMark]],
                entries: Sequence[Entry]) -> list[Change]:
    """What the entries change for this reviewer. Entering the mark one already has (same points, same
    comment) changes nothing, nor does withdrawing a mark one does not have."""
    mine = {criterion: mark for criterion, marks in current.items() for mark in marks
            if mark.reviewer_id == reviewer_id}
    changes = []
    for entry in entries:
        old = mine.get(entry.criterion)
        why = entry.comment.strip()
        if old is None and entry.points is None:
            continue
        if old is not None and (old.points, old.comment) == (entry.points, why):
            continue
        changes.append(Change(entry.criterion, old.points if old else None, old.comment if old else None,
                              entry.points, why))
    return changes
