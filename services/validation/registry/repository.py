"""The registry in validation's database: `registry_laos` (one document per LAO code, upserted, never
duplicated) and `registry_imports` (one record per import, carrying its `registry.updated` events in its
outbox until the relay has published them)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING, UpdateOne
from pymongo.asynchronous.collection import AsyncCollection

from services.validation.matching import RegistryLao, RegistryLookup
from services.validation.registry.dataset import LaoDraft
from shared.events import Envelope
from shared.outbox import OUTBOX, PENDING, push_outbox
from shared.store import Store

Document = dict[str, Any]
BATCH = 500
_HIDDEN = {OUTBOX: 0, PENDING: 0}


def entry_of(document: Document) -> RegistryLao:
    return RegistryLao(
        code=document["_id"], name=document["name"], type=document.get("type"),
        province_code=document["province_code"], district_code=document.get("district_code"),
        province_name=document.get("province_name"), district_name=document.get("district_name"),
        size_class=document.get("size_class"), subdistricts=tuple(document.get("subdistricts") or ()),
    )


_LOOKUP_FIELDS = {"name": 1, "type": 1, "province_code": 1, "district_code": 1, "province_name": 1,
                  "district_name": 1, "size_class": 1}


class RegistryRepository:
    def __init__(self, laos: AsyncCollection[Document], imports: AsyncCollection[Document]) -> None:
        self.laos = laos
        self.imports = imports

    @classmethod
    def in_store(cls, store: Store) -> RegistryRepository:
        return cls(store.collection("registry_laos"), store.collection("registry_imports"))

    async def create_indexes(self) -> None:
        await self.laos.create_index([("province_code", ASCENDING), ("district_code", ASCENDING)], name="place")
        await self.laos.create_index([("active", ASCENDING)], name="active")
        await self.imports.create_index([("started_at", DESCENDING)], name="started_at")

    # -- what validation reads ---------------------------------------------------------------------------

    async def lookup(self, code: str | None, province_code: str | None) -> RegistryLookup:
        """The registry LAO with this code and the LAOs of this province; `loaded` False when the registry
        is empty (then validation only warns that the LAO is not verified)."""
        if await self.laos.find_one({"active": True}, {"_id": 1}) is None:
            return RegistryLookup.empty()
        by_code = None
        if code is not None:
            found = await self.laos.find_one({"_id": code, "active": True}, _LOOKUP_FIELDS)
            by_code = entry_of(found) if found else None
        in_province: tuple[RegistryLao, ...] = ()
        if province_code is not None:
            documents = await self.laos.find({"province_code": province_code, "active": True},
                                             _LOOKUP_FIELDS).to_list(None)
            in_province = tuple(entry_of(d) for d in documents)
        return RegistryLookup(loaded=True, by_code=by_code, in_province=in_province)

    async def get(self, code: str) -> Document | None:
        return await self.laos.find_one({"_id": code})

    async def in_place(self, province_code: str, district_code: str | None = None) -> list[Document]:
        query: Document = {"province_code": province_code, "active": True}
        if district_code:
            query["district_code"] = district_code
        return await self.laos.find(query, sort=[("_id", ASCENDING)]).to_list(None)

    # -- what an import writes ---------------------------------------------------------------------------

    async def start_import(self, import_id: str, record: Document) -> None:
        await self.imports.insert_one({"_id": import_id, "status": "running", **record})

    async def upsert(self, drafts: Sequence[LaoDraft], *, import_id: str, at: datetime,
                     with_size_class: bool) -> tuple[int, int]:
        """Insert new codes, update known ones: (inserted, updated). A file without a size column leaves the
        size class from an earlier size-class import as it is."""
        operations = []
        for draft in drafts:
            values: Document = {
                "name": draft.name, "type": draft.type, "type_written": draft.type_written,
                "province_code": draft.province_code, "province_name": draft.province_name,
                "district_code": draft.district_code, "district_name": draft.district_name,
                "subdistricts": draft.subdistricts, "details": draft.details, "active": True,
                "last_import_id": import_id, "updated_at": at,
            }
            if with_size_class:
                values["size_class"] = draft.size_class
            operations.append(UpdateOne({"_id": draft.code},
                                        {"$set": values, "$setOnInsert": {"first_import_id": import_id,
                                                                          "first_imported_at": at}},
                                        upsert=True))
        if not operations:
            return 0, 0
        result = await self.laos.bulk_write(operations, ordered=False)
        return result.upserted_count, result.matched_count

    async def retire_missing(self, provinces: Iterable[str], *, import_id: str, at: datetime) -> dict[str, list[str]]:
        """LAOs of the imported provinces that this import no longer lists (merged, dissolved): kept, marked
        inactive. Returns their codes by province. Provinces not in the file are left alone."""
        query = {"province_code": {"$in": sorted(provinces)}, "active": True, "last_import_id": {"$ne": import_id}}
        retired: dict[str, list[str]] = {}
        for document in await self.laos.find(query, {"province_code": 1}).to_list(None):
            retired.setdefault(document["province_code"], []).append(document["_id"])
        if retired:
            await self.laos.update_many(query, {"$set": {"active": False, "retired_import_id": import_id,
                                                         "updated_at": at}})
        return retired

    async def set_size_classes(self, classes: dict[str, str], *, import_id: str, at: datetime) -> list[str]:
        """Apply size classes by code; returns the codes the registry does not know."""
        codes = sorted(classes)
        unknown: list[str] = []
        for start in range(0, len(codes), BATCH):
            chunk = codes[start:start + BATCH]
            known = {d["_id"] for d in await self.laos.find({"_id": {"$in": chunk}}, {"_id": 1}).to_list(None)}
            unknown.extend(code for code in chunk if code not in known)
            operations = [UpdateOne({"_id": code}, {"$set": {"size_class": classes[code],
                                                             "size_class_import_id": import_id,
                                                             "updated_at": at}})
                          for code in chunk if code in known]
            if operations:
                await self.laos.bulk_write(operations, ordered=False)
        return unknown

    async def provinces_of(self, codes: Iterable[str]) -> set[str]:
        wanted = sorted(set(codes))
        documents = await self.laos.find({"_id": {"$in": wanted}}, {"province_code": 1}).to_list(None)
        return {d["province_code"] for d in documents}

    async def finish_import(self, import_id: str, summary: Document, events: Sequence[Envelope]) -> None:
        """The import's outcome and its events in one single-document write (the outbox)."""
        update = push_outbox(*events) if events else {}
        update.setdefault("$set", {}).update({"status": "completed", **summary})
        await self.imports.update_one({"_id": import_id}, update)

    async def fail_import(self, import_id: str, status: str, summary: Document) -> None:
        await self.imports.update_one({"_id": import_id}, {"$set": {"status": status, **summary}})

    async def recent_imports(self, limit: int = 20) -> list[Document]:
        return await self.imports.find({}, _HIDDEN, sort=[("started_at", DESCENDING)], limit=limit).to_list(None)

    async def import_record(self, import_id: str) -> Document | None:
        return await self.imports.find_one({"_id": import_id}, _HIDDEN)
