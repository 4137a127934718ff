"""Intake's `api_keys` and `signatures` collections: who may send (API keys, kept only as their keyed digest)
and which signed requests were already taken (a replay is refused)."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError

from services.intake.auth import SCOPES, Scope
from shared.secrets import keyed_digest, legacy_digest

KEY_PREFIX = "sck_"


def hash_api_key(digest_key: bytes, key: str) -> str:
    """The `_id` under which an API key is stored: its keyed digest (shared/secrets.py)."""
    return keyed_digest(digest_key, "intake-api-key", key)


def new_api_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


class ApiKeys:
    """Intake's `api_keys` collection: one document per key, its keyed digest as `_id`, never the key itself.
    A key stored before the digest was keyed (plain SHA-256) is found second and moved to its keyed `_id`."""

    def __init__(self, collection: AsyncCollection[dict[str, Any]], digest_key: bytes) -> None:
        self.collection = collection
        self.digest_key = digest_key

    async def create_indexes(self) -> None:
        await self.collection.create_index("name", unique=True, name="name")

    async def create(self, name: str, scopes: tuple[Scope, ...] = SCOPES) -> str:
        key = new_api_key()
        await self.collection.insert_one({
            "_id": hash_api_key(self.digest_key, key), "name": name, "scopes": list(scopes),
            "hint": key[:len(KEY_PREFIX) + 4],
            "created_at": datetime.now(UTC), "revoked_at": None,
        })
        return key

    async def find(self, key: str) -> dict[str, Any] | None:
        keyed = hash_api_key(self.digest_key, key)
        found = await self.collection.find_one({"_id": keyed})
        if found is not None:
            return found
        legacy = legacy_digest(key)
        found = await self.collection.find_one({"_id": legacy})
        if found is None:
            return None
        # `_id` cannot change in place, and the unique name allows one document per key: the legacy document
        # goes, then the keyed copy comes (the legacy one is put back if that fails). A concurrent lookup that
        # moved it first wins: its keyed copy is what is found.
        if (await self.collection.delete_one({"_id": legacy})).deleted_count == 0:
            return await self.collection.find_one({"_id": keyed})
        try:
            await self.collection.insert_one({**found, "_id": keyed})
        except BaseException:
            await self.collection.insert_one(found)
            raise
        return {**found, "_id": keyed}

    async def revoke(self, name: str) -> bool:
        result = await self.collection.update_one({"name": name, "revoked_at": None},
                                                  {"$set": {"revoked_at": datetime.now(UTC)}})
        return result.modified_count == 1

    async def all(self) -> list[dict[str, Any]]:
        return await self.collection.find({}, {"_id": 0}, sort=[("name", 1)]).to_list(None)


class ReplayGuard:
    """Signatures already accepted, kept a little longer than a timestamp stays valid (a TTL index)."""

    def __init__(self, collection: AsyncCollection[dict[str, Any]], max_age_seconds: int) -> None:
        self.collection = collection
        self.max_age_seconds = max_age_seconds

    async def create_indexes(self) -> None:
        await self.collection.create_index("seen_at", expireAfterSeconds=2 * self.max_age_seconds, name="ttl")

    async def first_use(self, signature: str) -> bool:
        try:
            await self.collection.insert_one({"_id": signature, "seen_at": datetime.now(UTC)})
        except DuplicateKeyError:
            return False
        return True
