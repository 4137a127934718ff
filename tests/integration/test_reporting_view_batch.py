"""Reporting's handlers in hand together share their views' reads and writes (repository `_ViewBatch`), against
a real MongoDB wire server: fewer writes, the same views, a conflict re-applied, a bad event failing alone."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from services.reporting.application import ViewUpdates
from services.reporting.repository import ReadModels, writes
from shared.bus import PermanentFailure
from shared.campaign import load_campaigns
from shared.store import Store
from tests.integration.test_reporting import CAMPAIGN, Lao
from tests.support import Namespace


@pytest.fixture
async def updates(namespace: Namespace) -> AsyncIterator[ViewUpdates]:
    store = Store(namespace.settings("reporting"))
    models = ReadModels(store.db, load_campaigns())
    await models.create_indexes()
    try:
        yield ViewUpdates(models)
    finally:
        await store.close()


@pytest.fixture
def view_writes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every versioned write of a submission view, by submission id."""
    written: list[str] = []
    write = writes.write_versioned

    async def counting(collection: Any, current: Any, new: dict[str, Any]) -> bool:
        written.append(new["_id"])
        return await write(collection, current, new)

    monkeypatch.setattr(writes, "write_versioned", counting)
    return written


async def national(read_models: ReadModels) -> dict[str, Any]:
    document = await read_models.national_view(CAMPAIGN)
    assert document is not None
    return document


async def test_events_in_hand_together_are_applied_with_one_write_per_view(updates: ViewUpdates,
                                                                         view_writes: list[str]) -> None:
    read_models = updates.read_models
    first, second = Lao(1, "36"), Lao(2, "40")
    events = [first.received(), first.validated(), first.scored(80.0, "outstanding"), second.received(),
              second.returned()]
    await asyncio.gather(*(updates.handle(event) for event in [*events, events[1]]))  # one duplicate
    assert sorted(view_writes) == sorted({first.submission_id, second.submission_id})
    one = await read_models.submission(first.submission_id)
    two = await read_models.submission(second.submission_id)
    assert one is not None and two is not None
    assert (one["status"], one["score"]["total"], one["province_key"]) == ("scored", 80.0, "36")
    assert (two["status"], two["province_key"]) == ("returned", "40")
    figures = await national(read_models)
    assert (figures["counts"]["scored"], figures["counts"]["returned"]) == (1, 1)


async def test_a_view_changed_by_another_writer_meanwhile_is_read_and_applied_again(
        updates: ViewUpdates, view_writes: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    read_models = updates.read_models
    replica = ReadModels(read_models.db, read_models.campaigns)
    lao = Lao(3, "50")
    await updates.handle(lao.received())
    validated, scored = lao.validated(), lao.scored(65.5, "efficient")
    chain = read_models._apply_chain
    raced = False

    async def racing(submission_id: str, current: Any, events: Any) -> bool:
        nonlocal raced
        if not raced:  # another replica writes the view between this batch's read and its write
            raced = True
            await replica.write_view(validated)
        return await chain(submission_id, current, events)

    monkeypatch.setattr(read_models, "_apply_chain", racing)
    await updates.handle(scored)
    view = await read_models.submission(lao.submission_id)
    assert raced and view is not None and view["status"] == "scored" and view["score"]["total"] == 65.5
    assert {validated.event_id, scored.event_id} <= set(view["applied_event_ids"])  # neither write lost
    assert len(view_writes) == 4  # received; the other writer; this batch's lost write; its second try


async def test_an_event_the_view_refuses_fails_alone_and_the_rest_of_its_batch_is_applied(
        updates: ViewUpdates) -> None:
    read_models = updates.read_models
    lao, other = Lao(4, "36"), Lao(5, "40")
    received = lao.received()
    alien = lao.validated()
    alien = alien.model_copy(update={"data": {**alien.data, "campaign": "fy2569"}})  # same id, another campaign
    outcomes = await asyncio.gather(updates.handle(received), updates.handle(alien),
                                    updates.handle(other.received()), return_exceptions=True)
    assert outcomes[0] is None and outcomes[2] is None
    assert isinstance(outcomes[1], PermanentFailure) and "fy2569" in str(outcomes[1])
    for sub_id in (lao.submission_id, other.submission_id):
        view = await read_models.submission(sub_id)
        assert view is not None and view["status"] == "received"
