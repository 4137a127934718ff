"""The scoring of one submission under one rubric, pure and deterministic: each criterion's points from its
rule (or the committee's), with the data read and the reason in Thai and English; the totals, the points per
section, the tier from the rubric's thresholds and the size group the submission is ranked in."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from services.scoring.committee import CommitteeJudgement, ReviewerMark, combine, to_points
from services.scoring.rubric.format import UNKNOWN_GROUP_NAME, UNKNOWN_SIZE_GROUP, GroupName, Rubric
from services.scoring.rubric.numbers import dec, num, plural
from services.scoring.rubric.rules import CommitteePoints
from shared.events import CriterionScore, Tier
from shared.submission import Submission


class ScoringError(ValueError):
    """Scoring was asked for something the rubric does not allow (e.g. reviewers' points out of range)."""


class ScoreResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    rubric_version: str
    criteria: list[CriterionScore]
    total: float
    max_total: float
    auto_total: float = Field(description="Points of the criteria computed from the submission")
    tier: Tier
    size_group: str
    size_group_flagged: bool = Field(description="True when the size group is a fallback from the LAO type "
                                                 "or unknown")
    size_group_th: str = Field(default="", description="The group's Thai name, from the rubric")
    size_group_en: str = Field(default="", description="The group's English name, from the rubric")
    manual_pending: list[str] = Field(default_factory=list,
                                      description="Manual criteria the committee has not scored yet")
    sections: dict[str, float] = Field(default_factory=dict,
                                       description="Points per section (automatic and committee), for tie-breaks")

    @property
    def provisional(self) -> bool:
        """The tier can still change: some committee criteria are not scored yet."""
        return bool(self.manual_pending)


def group_name(rubric: Rubric, group: str) -> GroupName:
    """A size group's Thai and English names as the rubric gives them (the unknown group's own otherwise)."""
    return rubric.size_groups.names.get(group, UNKNOWN_GROUP_NAME)


def size_group_of(rubric: Rubric, *, lao_type: str | None, size_class: str | None = None) -> tuple[str, bool]:
    """(group, flagged): DLA's size class when given and understood, else the rubric's fallback from the LAO
    type (flagged), else `unknown` (flagged)."""
    if size_class and size_class.strip():
        group = rubric.size_groups.parse(size_class)
        if group is not None:
            return group, False
    if lao_type and lao_type.strip():
        group = rubric.size_groups.fallback(lao_type)
        if group is not None:
            return group, True
    return UNKNOWN_SIZE_GROUP, True


def tier_of(rubric: Rubric, total: float | Decimal) -> Tier:
    if dec(total) >= dec(rubric.tiers.outstanding_min):
        return "outstanding"
    if dec(total) >= dec(rubric.tiers.efficient_min):
        return "efficient"
    return "not_selected"


def _entered_points(rubric: Rubric, manual_points: Mapping[str, float] | None) -> dict[str, Decimal]:
    entered: dict[str, Decimal] = {}
    manual = rubric.manual_keys
    for key, value in (manual_points or {}).items():
        try:
            criterion = rubric.criterion(key)
        except KeyError:
            raise ScoringError(f"manual points for {key!r}: rubric {rubric.version} has no such criterion; "
                               f"its manual criteria are: {', '.join(manual) or 'none'}") from None
        if not criterion.manual:
            raise ScoringError(f"manual points for {key!r}: the criterion is scored from the submission "
                               f"({criterion.rule.type}); manual criteria are: {', '.join(manual) or 'none'}")
        if isinstance(value, bool) or not isinstance(value, int | float | Decimal) or not math.isfinite(value):
            raise ScoringError(f"manual points for {key!r} must be a number, got {value!r}")
        if not 0 <= value <= criterion.points:
            raise ScoringError(f"manual points for {key!r} must be between 0 and {num(criterion.points)}, "
                               f"got {num(value)}")
        entered[key] = to_points(value)
    return entered


def _judgements(rubric: Rubric, committee: Mapping[str, Sequence[ReviewerMark]] | None,
                entered: Mapping[str, Decimal]) -> dict[str, CommitteeJudgement]:
    """Reviewers' marks per manual criterion, combined. Marks for a criterion this rubric does not have, or
    scores from the submission, are not this rubric's concern and are left out (they may belong to another
    version of the rubric)."""
    judgements: dict[str, CommitteeJudgement] = {}
    manual = set(rubric.manual_keys)
    for key, marks in (committee or {}).items():
        if key in entered:
            raise ScoringError(f"manual points for {key!r} are given both directly and as reviewers' marks")
        if key in manual and marks:
            judgements[key] = combine(marks, rubric.criterion(key).points)
    return judgements


def score(submission: Submission, rubric: Rubric, *, lao_type: str | None, size_class: str | None = None,
          manual_points: Mapping[str, float] | None = None,
          committee: Mapping[str, Sequence[ReviewerMark]] | None = None) -> ScoreResult:
    """Score one submission under one rubric: every criterion with its points and why, the totals, the tier
    from the rubric's thresholds, and the size group it is ranked in.

    Manual criteria take `manual_points` (one figure each) or `committee` (every reviewer's mark, combined
    into their mean); a manual criterion with neither is pending and gives 0 until the committee scores it.
    """
    entered = _entered_points(rubric, manual_points)
    judgements = _judgements(rubric, committee, entered)
    criteria: list[CriterionScore] = []
    auto_total = manual_total = Decimal(0)
    section_points: dict[str, Decimal] = {section.key: Decimal(0) for section in rubric.sections}
    for section, criterion in rubric.iter_criteria():
        most = dec(criterion.points)
        given = CommitteePoints(entered.get(criterion.key), judgements.get(criterion.key))
        outcome = criterion.rule.evaluate(submission, most, given)
        points = to_points(min(outcome.points, most))
        section_points[section.key] += points
        if criterion.manual:
            manual_total += points
            title_th = f"{criterion.title_th} (คณะกรรมการให้คะแนน)"
            title_en = f"{criterion.title_en} (scored by the committee)"
        else:
            auto_total += points
            title_th, title_en = criterion.title_th, criterion.title_en
        criteria.append(CriterionScore(
            key=criterion.key,
            section=section.key,
            title_th=criterion.title_th,
            title_en=criterion.title_en,
            points=float(points),
            max_points=float(to_points(criterion.points)),
            manual=criterion.manual,
            inputs=outcome.inputs,
            reason_th=f"{title_th}: {outcome.observed_th} → {num(points)} คะแนน",
            reason_en=f"{title_en}: {outcome.observed_en} → {num(points)} {plural(points, 'point', 'points')}",
        ))
    total = auto_total + manual_total
    size_group, flagged = size_group_of(rubric, lao_type=lao_type, size_class=size_class)
    return ScoreResult(
        rubric_version=rubric.version,
        criteria=criteria,
        total=float(to_points(total)),
        max_total=float(to_points(rubric.max_total)),
        auto_total=float(to_points(auto_total)),
        tier=tier_of(rubric, total),
        size_group=size_group,
        size_group_flagged=flagged,
        size_group_th=group_name(rubric, size_group).th,
        size_group_en=group_name(rubric, size_group).en,
        manual_pending=[key for key in rubric.manual_keys if key not in entered and key not in judgements],
        sections={key: float(value) for key, value in section_points.items()},
    )
