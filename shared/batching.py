"""Group commit: work from concurrent handlers done in rounds. While one round runs, the next gathers every item
that arrives meanwhile; alone, an item is done at once. Each caller resumes only when its own item is done (or
failed), so a handler that acks afterwards has lost nothing."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

# One caller's item and the future it waits on.
Waiting = tuple[T, asyncio.Future[R]]


class Rounds(Generic[T, R]):
    """`run_round` receives the round's items with their futures and settles each future (a result, or an
    exception for that item alone). If it raises, every future it left unsettled gets the error."""

    def __init__(self, run_round: Callable[[list[Waiting[T, R]]], Awaitable[None]], *,
                 max_batch: int | None = None) -> None:
        self._run_round = run_round
        self.max_batch = max_batch
        self._queue: list[Waiting[T, R]] = []
        self._running: asyncio.Task[None] | None = None

    async def submit(self, item: T) -> R:
        done: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._queue.append((item, done))
        if self._running is None or self._running.done():
            self._running = asyncio.create_task(self._run())
        return await done

    async def _run(self) -> None:
        while self._queue:
            size = self.max_batch or len(self._queue)
            batch, self._queue = self._queue[:size], self._queue[size:]
            try:
                await self._run_round(batch)
            except Exception as error:
                for _, done in batch:
                    if not done.done():
                        done.set_exception(error)
            for _, done in batch:
                if not done.done():  # a round must settle every item; never leave a caller waiting
                    done.set_exception(RuntimeError("the round ended without settling this item"))


async def gather_all(*awaitables: Awaitable[Any]) -> list[Any]:
    """Await every one of them to its end, then raise the first failure, if any, else return their results in
    order (plain `gather` raises at once and leaves the others running unobserved)."""
    outcomes = await asyncio.gather(*awaitables, return_exceptions=True)
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            raise outcome
    return outcomes
