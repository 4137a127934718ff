"""MongoDB access through PyMongo's AsyncMongoClient: one client per process, writes acknowledged only
once journaled, so a handler that returns has made its state durable before its message is acked."""

from __future__ import annotations

import asyncio
from typing import Any

from pymongo import AsyncMongoClient
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.write_concern import WriteConcern

from shared.settings import Settings

Document = dict[str, Any]


class Store:
    def __init__(self, settings: Settings) -> None:
        self.client: AsyncMongoClient[Document] = AsyncMongoClient(
            str(settings.mongodb_url),
            tz_aware=True,
            appname=settings.service_name,
            serverSelectionTimeoutMS=5_000,
        )
        self.db: AsyncDatabase[Document] = self.client.get_database(
            settings.database_name, write_concern=WriteConcern(w="majority", j=True)
        )

    def collection(self, name: str) -> AsyncCollection[Document]:
        return self.db[name]

    async def ping(self, timeout: float = 2.0) -> bool:
        try:
            await asyncio.wait_for(self.client.admin.command("ping"), timeout)
        except Exception:
            return False
        return True

    async def close(self) -> None:
        await self.client.close()
