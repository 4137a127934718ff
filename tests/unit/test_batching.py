"""Group commit rounds (shared.batching): who shares a round, and that no caller is left waiting."""

from __future__ import annotations

import asyncio

import pytest

from shared.batching import Rounds, gather_all


class Recorder:
    def __init__(self, *, fail_on: int | None = None, leave: int | None = None) -> None:
        self.rounds: list[list[int]] = []
        self.fail_on, self.leave = fail_on, leave

    async def __call__(self, batch: list[tuple[int, asyncio.Future[int]]]) -> None:
        self.rounds.append([item for item, _ in batch])
        await asyncio.sleep(0.02)
        for item, done in batch:
            if item == self.fail_on:
                done.set_exception(ValueError(f"item {item} refused"))
            elif item != self.leave:
                done.set_result(item * 10)


async def test_items_arriving_during_a_round_share_the_next_and_each_caller_gets_its_own_result() -> None:
    recorder = Recorder()
    rounds: Rounds[int, int] = Rounds(recorder)
    first = asyncio.create_task(rounds.submit(1))
    await asyncio.sleep(0.005)  # the first round is running
    results = await asyncio.gather(first, *(rounds.submit(i) for i in (2, 3, 4)))
    assert results == [10, 20, 30, 40]
    assert recorder.rounds == [[1], [2, 3, 4]]


async def test_rounds_take_at_most_max_batch_items() -> None:
    recorder = Recorder()
    rounds: Rounds[int, int] = Rounds(recorder, max_batch=2)
    await asyncio.gather(*(rounds.submit(i) for i in range(5)))
    assert recorder.rounds == [[0, 1], [2, 3], [4]]


async def test_an_item_failing_alone_fails_only_its_caller() -> None:
    rounds: Rounds[int, int] = Rounds(Recorder(fail_on=2))
    outcomes = await asyncio.gather(*(rounds.submit(i) for i in (1, 2, 3)), return_exceptions=True)
    assert outcomes[0] == 10 and outcomes[2] == 30 and isinstance(outcomes[1], ValueError)


async def test_a_failed_round_fails_its_unsettled_callers_and_the_next_round_runs() -> None:
    async def broken(batch: list[tuple[int, asyncio.Future[int]]]) -> None:
        batch[0][1].set_result(0)  # settled before the failure: keeps its result
        raise ConnectionError("store unavailable")

    rounds: Rounds[int, int] = Rounds(broken)
    outcomes = await asyncio.gather(rounds.submit(1), rounds.submit(2), return_exceptions=True)
    assert outcomes[0] == 0 and isinstance(outcomes[1], ConnectionError)


async def test_an_item_a_round_forgot_to_settle_is_failed_rather_than_left_waiting() -> None:
    rounds: Rounds[int, int] = Rounds(Recorder(leave=2))
    assert await rounds.submit(1) == 10
    with pytest.raises(RuntimeError, match="without settling"):
        await asyncio.wait_for(rounds.submit(2), timeout=1)


async def test_gather_all_lets_every_awaitable_finish_before_raising_the_first_failure() -> None:
    finished: list[str] = []

    async def slow(name: str, fail: bool = False) -> str:
        await asyncio.sleep(0.02 if not fail else 0)
        finished.append(name)
        if fail:
            raise ValueError(name)
        return name

    assert await gather_all(slow("a"), slow("b")) == ["a", "b"]
    with pytest.raises(ValueError, match="bad"):
        await gather_all(slow("bad", fail=True), slow("late"))
    assert finished[-1] == "late"  # not left running unobserved
