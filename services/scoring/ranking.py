"""Rankings within size groups, nationally and per province, and how rankings moved between two rubric
versions. Pure: the standings come in, ordered lists come out.

Order within a size group (docs/scoring.md):
  1. the higher total;
  2. then the higher points of each tie-break section, in the rubric's order (`[ranking]
     tie_break_sections`, else the sections in the order of the rubric file);
  3. then the earlier submission (`submitted_at`; a submission without one comes after those with one);
  4. then the submission id (alphabetical), so that the order is total and never depends on the store.
Every entry says which of these decided its place below the entry above it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from services.scoring.committee import to_points

UNKNOWN_PROVINCE = "unknown"


@dataclass(frozen=True)
class Standing:
    """One submission's newest revision as scored under one rubric version."""

    submission_id: str
    revision: int
    size_group: str
    total: float
    sections: Mapping[str, float] = field(default_factory=dict)
    submitted_at: datetime | None = None
    province_code: str | None = None
    size_group_flagged: bool = False
    max_total: float = 0
    tier: str = "not_selected"
    provisional: bool = False
    lao: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Ranked:
    standing: Standing
    rank: int
    national_rank: int
    decided_by: str | None = None  # "total", "section:<key>", "submitted_at" or "submission_id"; None for the first


def _key(standing: Standing, sections: Sequence[str]) -> tuple[Any, ...]:
    submitted = standing.submitted_at
    return (
        -to_points(standing.total),
        *(-to_points(standing.sections.get(section, 0)) for section in sections),
        submitted is None,
        submitted.timestamp() if submitted is not None else 0.0,
        standing.submission_id,
    )


def _labels(sections: Sequence[str]) -> list[str]:
    return ["total", *(f"section:{section}" for section in sections), "submitted_at", "submitted_at",
            "submission_id"]


def decided_by(above: Standing, below: Standing, sections: Sequence[str]) -> str:
    """Which rule put `below` after `above`."""
    labels = _labels(sections)
    for label, a, b in zip(labels, _key(above, sections), _key(below, sections), strict=True):
        if a != b:
            return label
    return "submission_id"


def tie_breaks(sections: Sequence[str]) -> list[str]:
    """The order of the rules, as the API and the documents show it."""
    return ["total", *(f"section:{section}" for section in sections), "submitted_at", "submission_id"]


def rank_group(standings: Iterable[Standing], sections: Sequence[str]) -> list[Ranked]:
    """One size group's standings in order, ranked 1..n (every place distinct: the tie-breaks end on the id)."""
    ordered = sorted(standings, key=lambda standing: _key(standing, sections))
    ranked = []
    for index, standing in enumerate(ordered):
        reason = decided_by(ordered[index - 1], standing, sections) if index else None
        ranked.append(Ranked(standing, rank=index + 1, national_rank=index + 1, decided_by=reason))
    return ranked


def rankings(standings: Iterable[Standing], sections: Sequence[str], *, size_group: str | None = None,
             province: str | None = None, group_order: Sequence[str] = ()) -> dict[str, list[Ranked]]:
    """Per size group: the national ranking, or, for a province, the province's entries ranked among
    themselves (each still carrying its national rank within the group). Groups in `group_order` first."""
    groups: dict[str, list[Standing]] = {}
    for standing in standings:
        groups.setdefault(standing.size_group, []).append(standing)
    result: dict[str, list[Ranked]] = {}
    order = {group: index for index, group in enumerate(group_order)}
    for group in sorted(groups, key=lambda g: (order.get(g, len(order)), g)):
        if size_group is not None and group != size_group:
            continue
        national = rank_group(groups[group], sections)
        if province is None:
            result[group] = national
            continue
        mine = [entry for entry in national if (entry.standing.province_code or UNKNOWN_PROVINCE) == province]
        result[group] = [
            Ranked(entry.standing, rank=index + 1, national_rank=entry.national_rank,
                   decided_by=decided_by(mine[index - 1].standing, entry.standing, sections) if index else None)
            for index, entry in enumerate(mine)
        ]
    return result


@dataclass(frozen=True)
class Movement:
    """One submission's place under two rubric versions (None where it is not ranked under one of them)."""

    submission_id: str
    size_group: str
    lao: Mapping[str, Any]
    rank_before: int | None
    rank_after: int | None
    total_before: float | None
    total_after: float | None
    tier_before: str | None
    tier_after: str | None
    group_before: str | None

    @property
    def moved(self) -> int | None:
        """Places gained (positive) or lost (negative); None when ranked under only one version or when
        the size group changed."""
        if self.rank_before is None or self.rank_after is None or self.group_before != self.size_group:
            return None
        return self.rank_before - self.rank_after


def compare(before: Iterable[Standing], after: Iterable[Standing], *, sections_before: Sequence[str],
            sections_after: Sequence[str], group_order: Sequence[str] = ()) -> dict[str, list[Movement]]:
    """How the national rankings within size groups moved from one version to the other, per size group
    (the group under the later version), in the order of the later ranking; submissions ranked only
    under the earlier version come last."""
    old = {entry.standing.submission_id: entry
           for entries in rankings(before, sections_before).values() for entry in entries}
    new = rankings(after, sections_after, group_order=group_order)
    moves: dict[str, list[Movement]] = {}
    seen: set[str] = set()
    for group, entries in new.items():
        for entry in entries:
            was = old.get(entry.standing.submission_id)
            seen.add(entry.standing.submission_id)
            moves.setdefault(group, []).append(Movement(
                submission_id=entry.standing.submission_id, size_group=group, lao=entry.standing.lao,
                rank_before=was.rank if was else None, rank_after=entry.rank,
                total_before=was.standing.total if was else None, total_after=entry.standing.total,
                tier_before=was.standing.tier if was else None, tier_after=entry.standing.tier,
                group_before=was.standing.size_group if was else None))
    for submission_id, was in sorted(old.items(), key=lambda item: (item[1].standing.size_group, item[1].rank)):
        if submission_id in seen:
            continue
        group = was.standing.size_group
        moves.setdefault(group, []).append(Movement(
            submission_id=submission_id, size_group=group, lao=was.standing.lao, rank_before=was.rank,
            rank_after=None, total_before=was.standing.total, total_after=None, tier_before=was.standing.tier,
            tier_after=None, group_before=group))
    return moves
