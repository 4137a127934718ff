"""Grouped inserts against a real MongoDB wire server: concurrent callers share writes, each learns its own
document's fate, and nothing is reported written that is not."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from pymongo.errors import DuplicateKeyError

from shared.store import GroupedInserts, Store
from tests.support import Namespace


@pytest.fixture
async def store(namespace: Namespace) -> AsyncIterator[Store]:
    store = Store(namespace.settings("reporting"))
    try:
        yield store
    finally:
        await store.close()


async def test_concurrent_inserts_share_writes_and_each_is_durable_when_its_caller_resumes(store: Store) -> None:
    collection = store.collection("grouped")
    inserts = GroupedInserts(collection, max_batch=16)
    writes = 0
    insert_many = collection.insert_many

    async def counting(*args: object, **kwargs: object) -> object:
        nonlocal writes
        writes += 1
        return await insert_many(*args, **kwargs)  # type: ignore[arg-type]

    collection.insert_many = counting  # type: ignore[method-assign]

    async def one(i: int) -> bool:
        written = await inserts.insert({"_id": f"e{i}", "n": i})
        assert await collection.find_one({"_id": f"e{i}"}) is not None  # durable before the caller goes on
        return written

    assert all(await asyncio.gather(*(one(i) for i in range(100))))
    assert await collection.count_documents({}) == 100
    assert writes <= 100 // 16 + 2  # the first alone, then the rest in batches of at most 16


async def test_a_document_already_there_is_reported_as_such_and_the_others_are_written(store: Store) -> None:
    collection = store.collection("grouped")
    await collection.insert_one({"_id": "seen", "n": 0})
    inserts = GroupedInserts(collection)
    outcomes = await asyncio.gather(inserts.insert({"_id": "seen", "n": 1}), inserts.insert({"_id": "new", "n": 2}),
                                    inserts.insert({"_id": "new", "n": 3}))
    assert sorted(outcomes) == [False, False, True]  # the repeat within one batch counts as already there
    assert (await collection.find_one({"_id": "seen"}) or {})["n"] == 0


async def test_another_unique_index_refusing_a_document_fails_only_that_caller(store: Store) -> None:
    collection = store.collection("grouped")
    await collection.create_index("key", unique=True)
    await collection.insert_one({"_id": "a", "key": 1})
    inserts = GroupedInserts(collection)
    clash, fine = await asyncio.gather(inserts.insert({"_id": "b", "key": 1}), inserts.insert({"_id": "c", "key": 2}),
                                       return_exceptions=True)
    assert isinstance(clash, DuplicateKeyError) and fine is True
    assert await collection.find_one({"_id": "b"}) is None
    # insert_new: any unique key already held counts as "already there", as the handlers treat it.
    assert await inserts.insert_new({"_id": "d", "key": 2}) is False
    assert await inserts.insert_new({"_id": "a", "key": 9}) is False
    assert await inserts.insert_new({"_id": "e", "key": 5}) is True


async def test_a_document_without_an_id_is_refused_before_anything_is_written(store: Store) -> None:
    with pytest.raises(ValueError, match="_id"):
        await GroupedInserts(store.collection("grouped")).insert({"n": 1})
