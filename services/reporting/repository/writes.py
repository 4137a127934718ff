"""How reporting writes its documents so that concurrent writers (handlers in hand together, several replicas)
never lose nor regress one: a view or a registry only over the version it was computed from, an aggregate only
over one computed from less (`source_version`)."""

from __future__ import annotations

import asyncio
import random
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError

from shared.logging import get_logger

log = get_logger(__name__)

Document = dict[str, Any]
WRITE_ATTEMPTS = 8


class ViewContended(RuntimeError):
    """Too many concurrent writers of one view: the bus retries the event later."""


async def pause() -> None:
    """A short random wait before reading again what another writer changed meanwhile."""
    await asyncio.sleep(random.uniform(0.005, 0.05))


async def write_versioned(collection: AsyncCollection[Document], current: Document | None, new: Document) -> bool:
    """Insert, or replace the version read; False when another writer got there first."""
    if current is None:
        try:
            await collection.insert_one(new)
        except DuplicateKeyError:
            log.debug("view created concurrently; reloading")
            return False
        return True
    result = await collection.replace_one({"_id": new["_id"], "version": current["version"]}, new)
    return result.matched_count == 1


async def replace_if_fresher(collection: AsyncCollection[Document], document: Document) -> None:
    """Write the aggregate unless the stored one was computed from the same or a later state."""
    selector = {"_id": document["_id"], "source_version": {"$lt": document["source_version"]}}
    try:
        await collection.replace_one(selector, document, upsert=True)
    except DuplicateKeyError:
        # It exists and did not match: it is at least as fresh, or it was inserted concurrently just now;
        # without the upsert the condition alone decides.
        await collection.replace_one(selector, document)
