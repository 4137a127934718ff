"""Reporting's bearer tokens in its own `api_tokens` collection, each stored only as its keyed digest
(HMAC-SHA256 with TOKEN_DIGEST_KEY, shared/secrets.py); the token itself is shown once, when it is created."""

from __future__ import annotations

import re
import secrets
import time
from datetime import UTC, datetime
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError

from services.reporting.tokens import TOKEN_PREFIX, Scope, hash_token
from shared.secrets import keyed_digest

Document = dict[str, Any]


class TokenBook:
    """The tokens in `api_tokens`, with a short cache of lookups (revocation applies within `cache_seconds`)."""

    def __init__(self, collection: AsyncCollection[Document], digest_key: bytes, cache_seconds: float = 30.0) -> None:
        self.collection = collection
        self.digest_key = digest_key
        self.cache_seconds = cache_seconds
        self._cache: dict[str, tuple[float, Scope | None]] = {}

    def digest(self, token: str) -> str:
        return keyed_digest(self.digest_key, "reporting-token", token)

    async def _find(self, token: str) -> Document | None:
        """The token's document by its keyed digest; one stored as plain SHA-256 is moved to its keyed `_id`
        (copy first, then the legacy one goes; a concurrent lookup's copy is as good)."""
        keyed = self.digest(token)
        document = await self.collection.find_one({"_id": keyed})
        if document is not None:
            return document
        legacy = hash_token(token)
        document = await self.collection.find_one({"_id": legacy})
        if document is None:
            return None
        try:
            await self.collection.insert_one({**document, "_id": keyed})
        except DuplicateKeyError:
            pass
        await self.collection.delete_one({"_id": legacy})
        return await self.collection.find_one({"_id": keyed})

    async def create(self, scope: Scope, name: str) -> tuple[str, Document]:
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        document = {"_id": self.digest(token), "scope": str(scope), "name": name, "created_at": datetime.now(UTC),
                    "revoked_at": None}
        await self.collection.insert_one(document)
        return token, document

    async def resolve(self, token: str) -> Scope | None:
        """The scope of a valid token; None for an unknown or revoked one."""
        digest = self.digest(token)
        cached = self._cache.get(digest)
        now = time.monotonic()
        if cached is not None and now - cached[0] < self.cache_seconds:
            return cached[1]
        document = await self._find(token)
        scope = None
        if document is not None and document.get("revoked_at") is None:
            scope = Scope.parse(document["scope"])
        if len(self._cache) > 10_000:
            self._cache.clear()
        self._cache[digest] = (now, scope)
        return scope

    async def holder(self, token: str) -> str | None:
        """Whom a valid token was issued to (for audit records)."""
        document = await self._find(token)
        if document is None or document.get("revoked_at") is not None:
            return None
        return str(document.get("name") or "")

    async def list(self) -> list[Document]:
        return await self.collection.find({}, sort=[("created_at", 1)]).to_list(None)

    async def revoke(self, token_id: str) -> int:
        if len(token_id) < 8:
            raise ValueError("give at least 8 digits of the token's id")
        result = await self.collection.update_many(
            {"_id": {"$regex": f"^{re.escape(token_id.lower())}"}, "revoked_at": None},
            {"$set": {"revoked_at": datetime.now(UTC)}})
        self._cache.clear()
        return result.modified_count
