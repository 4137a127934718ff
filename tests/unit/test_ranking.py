"""Rankings within size groups, nationally and per province, every tie-break in its documented order, and
how rankings move between two rubric versions. Pure: standings in, ordered lists out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from services.scoring.ranking import Standing, compare, decided_by, rank_group, rankings, tie_breaks
from services.scoring.rubric import default_rubric_dir, load_rubric
from services.scoring.standings import comparison_text

SECTIONS = ["outcomes", "committee", "services"]
T0 = datetime(2025, 11, 20, 9, 0, tzinfo=UTC)


def standing(submission_id: str, total: float, *, group: str = "medium", province: str | None = "36",
             sections: dict[str, float] | None = None, submitted_at: datetime | None = T0,
             tier: str = "not_selected", **extra: Any) -> Standing:
    return Standing(submission_id=submission_id, revision=1, size_group=group, total=total,
                    sections=sections or {}, submitted_at=submitted_at, province_code=province, tier=tier,
                    lao={"name": f"เทศบาล {submission_id}", "province_name": "ชัยภูมิ"}, **extra)


def order(ranked: list[Any]) -> list[tuple[int, str, str | None]]:
    return [(entry.rank, entry.standing.submission_id, entry.decided_by) for entry in ranked]


def test_the_higher_total_ranks_first() -> None:
    ranked = rank_group([standing("b", 40), standing("a", 55.5), standing("c", 55.49)], SECTIONS)
    assert order(ranked) == [(1, "a", None), (2, "c", "total"), (3, "b", "total")]


def test_equal_totals_are_ordered_by_the_tie_break_sections_in_the_rubrics_order() -> None:
    ranked = rank_group([
        standing("x", 50, sections={"outcomes": 10, "committee": 20, "services": 5}),
        standing("y", 50, sections={"outcomes": 12, "committee": 10, "services": 5}),   # more outcomes
        standing("z", 50, sections={"outcomes": 10, "committee": 20, "services": 8}),   # same two, more services
    ], SECTIONS)
    assert order(ranked) == [(1, "y", None), (2, "z", "section:outcomes"), (3, "x", "section:services")]


def test_the_first_tie_break_section_outweighs_the_later_ones() -> None:
    ranked = rank_group([standing("a", 50, sections={"outcomes": 8, "committee": 30}),
                         standing("b", 50, sections={"outcomes": 9, "committee": 0})], SECTIONS)
    assert [e.standing.submission_id for e in ranked] == ["b", "a"]
    assert decided_by(ranked[0].standing, ranked[1].standing, SECTIONS) == "section:outcomes"


def test_equal_totals_and_sections_go_to_the_earlier_submission() -> None:
    ranked = rank_group([standing("late", 50, submitted_at=T0 + timedelta(seconds=1)),
                         standing("early", 50, submitted_at=T0)], SECTIONS)
    assert order(ranked) == [(1, "early", None), (2, "late", "submitted_at")]


def test_a_submission_without_a_time_comes_after_those_with_one() -> None:
    ranked = rank_group([standing("a", 50, submitted_at=None), standing("b", 50, submitted_at=T0 + timedelta(days=9))],
                        SECTIONS)
    assert order(ranked) == [(1, "b", None), (2, "a", "submitted_at")]


def test_everything_equal_is_ordered_by_submission_id_so_ranks_never_depend_on_the_store() -> None:
    shuffled = [standing("fy2568-36-c", 50), standing("fy2568-36-a", 50), standing("fy2568-36-b", 50)]
    for candidates in (shuffled, list(reversed(shuffled))):
        assert order(rank_group(candidates, SECTIONS)) == [
            (1, "fy2568-36-a", None), (2, "fy2568-36-b", "submission_id"), (3, "fy2568-36-c", "submission_id")]


def test_totals_equal_to_the_cent_are_ties_however_the_floats_were_made() -> None:
    ranked = rank_group([standing("b", 0.1 + 0.2), standing("a", 0.3)], SECTIONS)
    assert order(ranked) == [(1, "a", None), (2, "b", "submission_id")]


def test_the_documented_order_of_tie_breaks() -> None:
    assert tie_breaks(SECTIONS) == ["total", "section:outcomes", "section:committee", "section:services",
                                    "submitted_at", "submission_id"]
    default = load_rubric(default_rubric_dir() / "fy2568-v1.toml")
    assert default.tie_break_sections == ["outcomes", "committee", "services", "readiness", "data_platform",
                                          "sustainability", "investment"]


def test_rankings_are_within_size_groups_in_the_rubrics_group_order() -> None:
    groups = rankings([standing("s1", 30, group="small"), standing("l1", 20, group="large"),
                       standing("m1", 90, group="medium"), standing("l2", 60, group="large"),
                       standing("u1", 99, group="unknown")], SECTIONS,
                      group_order=["large", "medium", "small", "unknown"])
    assert list(groups) == ["large", "medium", "small", "unknown"]
    assert [(e.rank, e.standing.submission_id) for e in groups["large"]] == [(1, "l2"), (2, "l1")]
    assert [(e.rank, e.standing.submission_id) for e in groups["small"]] == [(1, "s1")]


def test_a_province_ranking_ranks_its_own_laos_and_keeps_their_national_rank() -> None:
    field = [standing("a", 80, province="40"), standing("b", 70, province="36"), standing("c", 60, province="40"),
             standing("d", 50, province="36"), standing("e", 40, province=None)]
    groups = rankings(field, SECTIONS, province="36")
    assert [(e.rank, e.national_rank, e.standing.submission_id) for e in groups["medium"]] == [(1, 2, "b"),
                                                                                              (2, 4, "d")]
    assert [e.standing.submission_id for e in rankings(field, SECTIONS, province="unknown")["medium"]] == ["e"]


def test_one_size_group_can_be_asked_for() -> None:
    groups = rankings([standing("s", 30, group="small"), standing("m", 30)], SECTIONS, size_group="small")
    assert list(groups) == ["small"]


# ---------------------------------------------------------------------------------------------- comparison


def test_comparison_shows_rank_before_and_after_and_the_places_moved() -> None:
    before = [standing("a", 60, tier="efficient"), standing("b", 55), standing("c", 50), standing("gone", 10)]
    after = [standing("a", 58, tier="efficient"), standing("b", 62, tier="efficient"), standing("c", 61),
             standing("new", 70, tier="outstanding")]
    moves = compare(before, after, sections_before=SECTIONS, sections_after=SECTIONS)
    table = [(m.submission_id, m.rank_before, m.rank_after, m.moved) for m in moves["medium"]]
    assert table == [("new", None, 1, None), ("b", 2, 2, 0), ("c", 3, 3, 0), ("a", 1, 4, -3),
                     ("gone", 4, None, None)]
    b = moves["medium"][1]
    assert (b.total_before, b.total_after, b.tier_before, b.tier_after) == (55, 62, "not_selected", "efficient")


def test_a_submission_that_changed_size_group_is_shown_in_its_new_group() -> None:
    before = [standing("a", 60, group="small"), standing("b", 50, group="small")]
    after = [standing("a", 60, group="medium"), standing("b", 50, group="small")]
    moves = compare(before, after, sections_before=SECTIONS, sections_after=SECTIONS)
    (a,) = moves["medium"]
    assert (a.group_before, a.rank_before, a.rank_after, a.moved) == ("small", 1, 1, None)
    assert [(m.submission_id, m.moved) for m in moves["small"]] == [("b", 1)]


def test_the_comparison_text_is_a_table_per_size_group() -> None:
    default = load_rubric(default_rubric_dir() / "fy2568-v1.toml")
    moves = compare([standing("a", 60), standing("b", 55)], [standing("a", 50), standing("b", 65)],
                    sections_before=SECTIONS, sections_after=SECTIONS)
    text = comparison_text(moves, campaign="fy2568", version_from="fy2568-v1", version_to="fy2568-v2",
                           rubric_after=default)
    lines = text.splitlines()
    assert lines[0] == "การเปลี่ยนแปลงอันดับ / ranking changes — fy2568: fy2568-v1 → fy2568-v2"
    assert "== ขนาดกลาง / medium (medium): 2 submissions, 2 moved ==" in lines
    row_b = next(line for line in lines if line.rstrip().endswith("b  เทศบาล b (ชัยภูมิ)"))
    assert row_b.split()[:3] == ["1", "2", "+1"]
    assert "55.00 → 65.00" in row_b
