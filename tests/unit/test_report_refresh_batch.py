"""Handlers share area recomputations, but each returns only after one that started after its own view write."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from services.reporting.application import RefreshBatch


class SlowAreas:
    """Stands in for the view updates' recomputation: records each round, takes a while, may fail once."""

    def __init__(self, fail_first: bool = False) -> None:
        self.rounds: list[dict[str, Any]] = []
        self.fail_first = fail_first

    async def refresh_areas(self, areas: dict[str, tuple[set[str], set[str]]]) -> None:
        self.rounds.append({campaign: (sorted(p), sorted(d)) for campaign, (p, d) in areas.items()})
        await asyncio.sleep(0.05)
        if self.fail_first and len(self.rounds) == 1:
            raise RuntimeError("store unavailable")


async def test_handlers_arriving_during_a_round_share_the_next_one() -> None:
    areas = SlowAreas()
    batch = RefreshBatch(areas)
    first = asyncio.create_task(batch.refresh("fy2568", ["36"], ["3601"]))
    await asyncio.sleep(0.01)  # the first round is running now
    later = [asyncio.create_task(batch.refresh("fy2568", [code], [code + "01"])) for code in ("36", "40", "50")]
    await asyncio.gather(first, *later)
    assert areas.rounds == [
        {"fy2568": (["36"], ["3601"])},
        {"fy2568": (["36", "40", "50"], ["3601", "4001", "5001"])},  # one round for the three, after the first
    ]


async def test_a_failed_round_fails_its_handlers_so_the_bus_retries_them() -> None:
    areas = SlowAreas(fail_first=True)
    batch = RefreshBatch(areas)
    with pytest.raises(RuntimeError, match="store unavailable"):
        await batch.refresh("fy2568", ["36"], [])
    await batch.refresh("fy2568", ["36"], [])  # the next round runs normally
    assert len(areas.rounds) == 2
