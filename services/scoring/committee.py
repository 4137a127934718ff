"""The committee's points for one manual criterion: several reviewers' marks combined into one (the mean,
with the lowest, the highest and the spread kept for the explanation). Pure: no I/O."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

_CENT = Decimal("0.01")


def to_points(value: float | int | Decimal) -> Decimal:
    """Points as they are kept everywhere: two decimals, halves rounded up."""
    decimal = value if isinstance(value, Decimal) else Decimal(str(value))
    return decimal.quantize(_CENT, rounding=ROUND_HALF_UP)


def plain(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


@dataclass(frozen=True)
class ReviewerMark:
    """One reviewer's current points and comment for one manual criterion."""

    reviewer_id: str
    points: Decimal
    comment: str

    def as_json(self) -> dict[str, Any]:
        return {"reviewer_id": self.reviewer_id, "points": plain(self.points), "comment": self.comment}


@dataclass(frozen=True)
class CommitteeJudgement:
    """Several reviewers' marks for one criterion, combined."""

    marks: tuple[ReviewerMark, ...]
    mean: Decimal
    lowest: Decimal
    highest: Decimal
    points: Decimal
    capped: bool

    @property
    def spread(self) -> Decimal:
        return self.highest - self.lowest

    @property
    def reviewers(self) -> int:
        return len(self.marks)

    def inputs(self) -> dict[str, Any]:
        """What the explanation shows: every mark with its comment, and how they were combined."""
        return {
            "reviewers": self.reviewers,
            "marks": [mark.as_json() for mark in self.marks],
            "mean": plain(self.mean),
            "min": plain(self.lowest),
            "max": plain(self.highest),
            "spread": plain(self.spread),
            "capped": self.capped,
        }


def combine(marks: Sequence[ReviewerMark], max_points: float | Decimal) -> CommitteeJudgement:
    """The mean of the reviewers' points (two decimals, halves up), capped at the criterion's maximum.

    A cap only bites when marks entered under one rubric version are carried to a version that gives the
    criterion fewer points; the explanation says so.
    """
    if not marks:
        raise ValueError("a committee judgement needs at least one reviewer's mark")
    ordered = tuple(sorted(marks, key=lambda mark: mark.reviewer_id))
    values = [mark.points for mark in ordered]
    mean = to_points(sum(values, Decimal(0)) / len(values))
    most = to_points(max_points)
    return CommitteeJudgement(marks=ordered, mean=mean, lowest=min(values), highest=max(values),
                              points=min(mean, most), capped=mean > most)
