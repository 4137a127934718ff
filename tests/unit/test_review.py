"""Committee review without I/O: several reviewers' marks combined (mean, lowest, highest, spread), the
explanation a municipality reads, conflict of interest, which entries a reviewer may make, what changed for
the audit trail, and the current marks replayed from that trail."""

from __future__ import annotations

from decimal import Decimal

import pytest

from services.scoring.committee import ReviewerMark, combine
from services.scoring.review import (
    Change,
    Entry,
    RecordedChange,
    changes_for,
    check_entries,
    conflict_of_interest,
    current_marks,
    points_of,
)
from services.scoring.rubric import default_rubric_dir, load_rubric, parse_rubric, score
from tests.unit.test_rubric import make_submission

DEFAULT = load_rubric(default_rubric_dir() / "fy2568-v1.toml")


def mark(reviewer: str, points: str, comment: str = "ok") -> ReviewerMark:
    return ReviewerMark(reviewer, Decimal(points), comment)


# ---------------------------------------------------------------------------------------------- combination


def test_one_reviewer_gives_their_points_with_no_spread() -> None:
    judgement = combine([mark("rev_a", "12.5")], 15)
    assert (judgement.points, judgement.mean, judgement.lowest, judgement.highest) == (
        Decimal("12.5"), Decimal("12.5"), Decimal("12.5"), Decimal("12.5"))
    assert judgement.spread == 0 and judgement.reviewers == 1 and not judgement.capped


def test_several_reviewers_give_their_mean_with_the_spread() -> None:
    judgement = combine([mark("rev_c", "14"), mark("rev_a", "10"), mark("rev_b", "13")], 15)
    # (14 + 10 + 13) / 3 = 12.333… → 12.33; lowest 10, highest 14, spread 4.
    assert judgement.points == Decimal("12.33")
    assert (judgement.lowest, judgement.highest, judgement.spread) == (Decimal(10), Decimal(14), Decimal(4))
    assert judgement.inputs() == {
        "reviewers": 3,
        "marks": [{"reviewer_id": "rev_a", "points": 10, "comment": "ok"},
                  {"reviewer_id": "rev_b", "points": 13, "comment": "ok"},
                  {"reviewer_id": "rev_c", "points": 14, "comment": "ok"}],
        "mean": 12.33, "min": 10, "max": 14, "spread": 4, "capped": False,
    }


def test_the_mean_rounds_half_up_to_two_decimals() -> None:
    # (10 + 10.01) / 2 = 10.005 → 10.01 (not banker's 10.00)
    assert combine([mark("a", "10"), mark("b", "10.01")], 15).points == Decimal("10.01")
    # (0 + 0 + 0.01) / 3 = 0.00333… → 0.00
    assert combine([mark("a", "0"), mark("b", "0"), mark("c", "0.01")], 15).points == 0


def test_a_mean_above_the_criterion_maximum_is_capped_and_says_so() -> None:
    # Marks entered under a version giving 15 points, carried to a version giving 10.
    judgement = combine([mark("a", "12"), mark("b", "14")], 10)
    assert (judgement.mean, judgement.points, judgement.capped) == (Decimal(13), Decimal(10), True)


def test_no_marks_is_not_a_judgement() -> None:
    with pytest.raises(ValueError, match="at least one"):
        combine([], 15)


# ---------------------------------------------------------------------------------------------- in the score


def test_the_score_explains_the_committee_mean_with_every_mark_and_comment() -> None:
    result = score(make_submission(), DEFAULT, lao_type="เทศบาลเมือง", committee={
        "document_review": [mark("rev_a", "12", "แผนชัดเจน"), mark("rev_b", "14", "หลักฐานครบ")],
    })
    review = next(c for c in result.criteria if c.key == "document_review")
    assert review.points == 13 and review.manual
    assert review.inputs["marks"] == [{"reviewer_id": "rev_a", "points": 12, "comment": "แผนชัดเจน"},
                                      {"reviewer_id": "rev_b", "points": 14, "comment": "หลักฐานครบ"}]
    assert (review.inputs["mean"], review.inputs["spread"]) == (13, 2)
    assert review.reason_th == ("การพิจารณาเอกสารประกอบ (คณะกรรมการให้คะแนน): ค่าเฉลี่ยของกรรมการ 2 คน "
                                "(12, 14; ต่ำสุด 12 สูงสุด 14 ต่างกัน 2 คะแนน) → 13 คะแนน")
    assert review.reason_en == ("Document review (scored by the committee): mean of 2 reviewers "
                                "(12, 14; lowest 12, highest 14, spread 2) → 13 points")
    # 36 automatic (see test_rubric) + 13 = 49; the site visit is still pending, so the tier is provisional.
    assert (result.total, result.auto_total, result.tier) == (49, 36, "not_selected")
    assert result.manual_pending == ["site_visit"] and result.provisional
    assert result.sections["committee"] == 13


def test_one_reviewer_is_explained_as_one_reviewer() -> None:
    result = score(make_submission(), DEFAULT, lao_type="เทศบาลเมือง",
                   committee={"site_visit": [mark("rev_a", "15")], "document_review": [mark("rev_a", "15")]})
    visit = next(c for c in result.criteria if c.key == "site_visit")
    assert visit.reason_en.endswith("points of 1 reviewer (15) → 15 points")
    assert (result.total, result.tier, result.provisional) == (66, "efficient", False)


def test_a_mean_above_a_smaller_maximum_of_another_version_is_capped_and_explained() -> None:
    data = DEFAULT.model_dump()
    data["version"] = "fy2568-v2"
    data["sections"][-1]["criteria"][1]["points"] = 10   # the site visit: 15 → 10 points
    data["tiers"]["outstanding_min"] = 60
    result = score(make_submission(), parse_rubric(data), lao_type=None,
                   committee={"site_visit": [mark("a", "15"), mark("b", "13")]})
    visit = next(c for c in result.criteria if c.key == "site_visit")
    assert (visit.points, visit.max_points, visit.inputs["mean"], visit.inputs["capped"]) == (10, 10, 14, True)
    assert "capped at this rubric's 10 points" in visit.reason_en and "ให้ได้ไม่เกิน 10 คะแนน" in visit.reason_th


def test_marks_for_criteria_another_version_has_are_left_out() -> None:
    result = score(make_submission(), DEFAULT, lao_type=None,
                   committee={"interview": [mark("a", "5")], "has_plan": [mark("a", "1")]})
    assert result.total == 36
    assert result.manual_pending == ["document_review", "site_visit"]


# ---------------------------------------------------------------------------------------------- conflict of interest


def test_a_reviewer_cannot_score_a_municipality_of_their_own_province() -> None:
    refusal = conflict_of_interest("36", "36")
    assert refusal is not None and refusal.code == "conflict_of_interest"
    assert "จังหวัดของตนเอง" in refusal.message_th and "own province" in refusal.message_en


def test_a_reviewer_of_another_province_or_a_national_one_may_score() -> None:
    assert conflict_of_interest("40", "36") is None
    assert conflict_of_interest(None, "36") is None


def test_a_municipality_of_unknown_province_cannot_be_scored() -> None:
    refusal = conflict_of_interest("40", None)
    assert refusal is not None and refusal.code == "conflict_of_interest_unknown_province"
    assert conflict_of_interest(None, None) is not None


# ---------------------------------------------------------------------------------------------- entries


def test_valid_entries_have_no_problems_at_both_ends_of_the_range() -> None:
    entries = [Entry("document_review", Decimal(0), "ไม่มีเอกสาร"), Entry("site_visit", Decimal(15), "ดีมาก")]
    assert check_entries(DEFAULT, entries) == []


@pytest.mark.parametrize(("entry", "code", "field", "english"), [
    (Entry("document_review", Decimal("15.01"), "x"), "points_out_of_range", "entries[0].points",
     "between 0 and 15"),
    (Entry("document_review", Decimal("-0.01"), "x"), "points_out_of_range", "entries[0].points",
     "between 0 and 15"),
    (Entry("document_review", Decimal("NaN"), "x"), "points_out_of_range", "entries[0].points", "between 0 and 15"),
    (Entry("has_plan", Decimal(1), "x"), "not_a_committee_criterion", "entries[0].criterion",
     "computed from the submission"),
    (Entry("interview", Decimal(1), "x"), "unknown_criterion", "entries[0].criterion",
     "committee's criteria are: document_review, site_visit"),
    (Entry("site_visit", Decimal(1), "  "), "comment_missing", "entries[0].comment", "comment saying why"),
])
def test_entries_the_rubric_does_not_allow_are_refused_in_thai_and_english(entry: Entry, code: str, field: str,
                                                                           english: str) -> None:
    (problem,) = check_entries(DEFAULT, [entry])
    assert (problem.code, problem.field) == (code, field)
    assert english in problem.message_en and problem.message_th


def test_a_criterion_entered_twice_and_no_entries_are_refused() -> None:
    twice = check_entries(DEFAULT, [Entry("site_visit", Decimal(1), "a"), Entry("site_visit", Decimal(2), "b")])
    assert [p.code for p in twice] == ["duplicate_criterion"]
    assert [p.code for p in check_entries(DEFAULT, [])] == ["no_entries"]


def test_withdrawing_a_mark_needs_a_reason_too() -> None:
    assert [p.code for p in check_entries(DEFAULT, [Entry("site_visit", None, "")])] == ["comment_missing"]
    assert check_entries(DEFAULT, [Entry("site_visit", None, "entered by mistake")]) == []


def test_points_are_kept_to_two_decimals() -> None:
    assert points_of(12.345) == Decimal("12.35")
    assert points_of(None) is None
    assert not points_of(float("inf")).is_finite()  # type: ignore[union-attr]


# ---------------------------------------------------------------------------------------------- the audit trail


def test_changes_name_the_old_and_new_mark_and_why() -> None:
    current = {"site_visit": [mark("rev_a", "10", "first visit")], "document_review": [mark("rev_b", "9")]}
    changes = changes_for("rev_a", current, [Entry("site_visit", Decimal(12), "second visit"),
                                             Entry("document_review", Decimal(11), "read again")])
    assert [c.as_json() for c in changes] == [
        {"criterion": "site_visit", "old": {"points": 10, "comment": "first visit"},
         "new": {"points": 12, "comment": "second visit"}, "why": "second visit"},
        # rev_b's mark is theirs, not rev_a's: for rev_a this is a first mark.
        {"criterion": "document_review", "old": None, "new": {"points": 11, "comment": "read again"},
         "why": "read again"},
    ]


def test_entering_the_same_mark_again_or_withdrawing_nothing_changes_nothing() -> None:
    current = {"site_visit": [mark("rev_a", "10", "first visit")]}
    assert changes_for("rev_a", current, [Entry("site_visit", Decimal(10), "first visit "),
                                          Entry("document_review", None, "nothing to withdraw")]) == []
    # Same points, another comment: the reason changed, so it is a change.
    assert len(changes_for("rev_a", current, [Entry("site_visit", Decimal(10), "revisited")])) == 1


def test_current_marks_replay_each_reviewers_changes_in_order_including_withdrawals() -> None:
    def change(criterion: str, new: str | None, why: str = "w") -> Change:
        return Change(criterion, None, None, None if new is None else Decimal(new), why)

    records = [
        RecordedChange("rev_b", 1, (change("site_visit", "9"),)),
        RecordedChange("rev_a", 2, (change("site_visit", "12", "after visit"),)),
        RecordedChange("rev_a", 1, (change("site_visit", "10"), change("document_review", "7"))),
        RecordedChange("rev_b", 2, (change("site_visit", None, "mistake"),)),
    ]
    marks = current_marks(records)
    assert marks == {"document_review": [mark("rev_a", "7", "w")], "site_visit": [mark("rev_a", "12", "after visit")]}
    # And the audit form round-trips.
    stored = Change("site_visit", Decimal(10), "a", Decimal("12.5"), "b").as_json()
    assert Change.from_json(stored) == Change("site_visit", Decimal(10), "a", Decimal("12.5"), "b")
