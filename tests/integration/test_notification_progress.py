"""Notification's progress model against a real MongoDB wire server: each submission keeps its newest step,
whatever order or how many times the events arrive, including entries written before `order` existed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from services.notification.repository import ProgressModel
from shared.events import LaoSummary
from shared.store import Store
from tests.support import Namespace

CAMPAIGN = "fy2568"
LAO = LaoSummary(name="เทศบาลนครขอนแก่น", code="05400101", type="thesaban_nakhon", province_code="40",
                 district_code="4001")
AT = datetime(2025, 11, 20, 9, 0, tzinfo=UTC)


@pytest.fixture
async def model(namespace: Namespace) -> AsyncIterator[ProgressModel]:
    store = Store(namespace.settings("notification"))
    progress = ProgressModel.of(store)
    await progress.create_indexes()
    try:
        yield progress
    finally:
        await store.close()


async def record(model: ProgressModel, revision: int, status: str) -> bool:
    return await model.record(campaign=CAMPAIGN, submission_id="sub-1", revision=revision, status=status, lao=LAO,
                              at=AT)


async def stored(model: ProgressModel) -> tuple[int, str]:
    document = await model.progress.find_one({"_id": "sub-1"})
    assert document is not None
    return document["revision"], document["status"]


async def test_newer_steps_replace_older_ones_and_never_the_reverse(model: ProgressModel) -> None:
    assert await record(model, 1, "received")
    assert await record(model, 1, "scored")
    assert not await record(model, 1, "validated")  # a later step of the same revision is already there
    assert not await record(model, 1, "scored")  # redelivered
    assert await stored(model) == (1, "scored")
    assert await record(model, 2, "received")  # a new revision outranks every step of the old one
    assert not await record(model, 1, "scored")
    assert await stored(model) == (2, "received")


async def test_an_entry_written_before_order_existed_is_still_replaced_by_newer_steps(model: ProgressModel) -> None:
    await model.progress.insert_one({"_id": "sub-1", "campaign": CAMPAIGN, "submission_id": "sub-1", "revision": 1,
                                     "status": "validated", "rank": 1, "updated_at": AT, "lao": {}})
    assert not await record(model, 1, "received")
    assert await stored(model) == (1, "validated")
    assert await record(model, 1, "scored")
    assert await stored(model) == (1, "scored")
    assert not await record(model, 1, "returned")
    assert await record(model, 2, "received")
    assert await stored(model) == (2, "received")


async def test_no_filter_puts_an_or_beside_the_id(model: ProgressModel, monkeypatch: pytest.MonkeyPatch) -> None:
    """SecantusDB answers `{_id, $or: [...]}` by scanning the collection; every step here must stay a lookup."""
    filters: list[dict[str, object]] = []
    update_one, find_one = model.progress.update_one, model.progress.find_one

    async def spying_update(selector: dict[str, object], *args: object, **kwargs: object) -> object:
        filters.append(selector)
        return await update_one(selector, *args, **kwargs)  # type: ignore[arg-type]

    async def spying_find(selector: dict[str, object], *args: object, **kwargs: object) -> object:
        filters.append(selector)
        return await find_one(selector, *args, **kwargs)

    monkeypatch.setattr(model.progress, "update_one", spying_update)
    monkeypatch.setattr(model.progress, "find_one", spying_find)
    await model.progress.insert_one({"_id": "sub-1", "campaign": CAMPAIGN, "submission_id": "sub-1", "revision": 1,
                                     "status": "received", "rank": 0, "updated_at": AT, "lao": {}})
    for revision, status in [(1, "validated"), (1, "received"), (1, "scored"), (1, "validated"), (2, "received")]:
        await record(model, revision, status)
    assert await stored(model) == (2, "received")
    assert filters and all("$or" not in selector and selector.get("_id") == "sub-1" for selector in filters)
