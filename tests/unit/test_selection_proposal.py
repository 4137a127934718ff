"""The proposal of the final selection (pure): quotas per tier and size group filled from the top of each
group's ranking, never above the tier the score reached, outstanding ones beyond their places moving into the
efficient places, and a size group without places proposing nobody."""

from __future__ import annotations

from datetime import UTC, datetime

from services.scoring.ranking import Ranked, Standing
from services.scoring.selection import propose
from shared.campaign import Campaign


def campaign(quotas: dict[str, dict[str, int]]) -> Campaign:
    return Campaign(key="fy2568", title_th="ทดสอบ", title_en="test", opens_at=datetime(2025, 10, 21, tzinfo=UTC),
                    submission_deadline=datetime(2025, 11, 25, tzinfo=UTC),
                    district_deadline=datetime(2025, 11, 25, tzinfo=UTC),
                    province_deadline=datetime(2025, 11, 28, tzinfo=UTC), eligible_lao_types=("เทศบาลตำบล",),
                    late_policy="reject", rubric_version="fy2568-v1", selection_quotas=quotas)


def group(name: str, tiers: list[str]) -> list[Ranked]:
    return [Ranked(Standing(submission_id=f"{name}-{i}", revision=1, size_group=name, total=100 - i, tier=tier),
                   rank=i + 1, national_rank=i + 1) for i, tier in enumerate(tiers)]


def test_places_fill_from_the_top_and_never_above_the_tier_reached() -> None:
    groups = {"small": group("small", ["outstanding", "outstanding", "outstanding", "efficient", "efficient",
                                       "not_selected"])}
    proposal = propose(groups, campaign({"outstanding": {"small": 2}, "efficient": {"small": 2}}))
    assert [proposal[f"small-{i}"] for i in range(6)] == [
        "outstanding", "outstanding", "efficient", "efficient", "not_selected", "not_selected"]


def test_unfilled_places_stay_empty_rather_than_taking_a_score_below_the_threshold() -> None:
    groups = {"large": group("large", ["efficient", "not_selected", "not_selected"])}
    proposal = propose(groups, campaign({"outstanding": {"large": 1}, "efficient": {"large": 2}}))
    assert [proposal[f"large-{i}"] for i in range(3)] == ["efficient", "not_selected", "not_selected"]


def test_a_group_without_places_proposes_nobody() -> None:
    groups = {"unknown": group("unknown", ["outstanding", "efficient"]),
              "medium": group("medium", ["outstanding"])}
    proposal = propose(groups, campaign({"outstanding": {"medium": 1}}))
    assert proposal == {"unknown-0": "not_selected", "unknown-1": "not_selected", "medium-0": "outstanding"}


def test_fy2568_quotas_total_twelve_outstanding_and_eighteen_efficient() -> None:
    from shared.campaign import load_campaigns

    fy2568 = load_campaigns().get("fy2568")
    assert sum(fy2568.selection_quotas["outstanding"].values()) == 12
    assert sum(fy2568.selection_quotas["efficient"].values()) == 18
