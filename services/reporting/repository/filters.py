"""Which submission views a list or a ranking shows (`SubmissionFilter`), and the orders it can show them in."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pymongo import ASCENDING, DESCENDING

from services.reporting.projection import UNKNOWN_PROVINCE

Document = dict[str, Any]


@dataclass(frozen=True)
class SubmissionFilter:
    """Which submissions a list or a ranking shows; every field narrows it."""

    province: str | None = None
    district: str | None = None
    status: str | None = None
    tier: str | None = None
    size_group: str | None = None
    name: str | None = None

    def query(self, campaign: str) -> Document:
        query: Document = {"campaign": campaign, "status": {"$ne": None}}
        if self.province is not None:
            query["lao.province_code"] = None if self.province == UNKNOWN_PROVINCE else self.province
        if self.district is not None:
            query["lao.district_code"] = self.district
        if self.status is not None:
            query["status"] = self.status
        if self.tier is not None:
            query["score.tier"] = self.tier
        if self.size_group is not None:
            query["score.size_group"] = self.size_group
        if self.name:
            query["lao.name"] = {"$regex": re.escape(self.name)}
        return query


SORTS: dict[str, list[tuple[str, int]]] = {
    "name": [("lao.name", ASCENDING), ("_id", ASCENDING)],
    "score": [("score.total", DESCENDING), ("lao.name", ASCENDING), ("_id", ASCENDING)],
    "updated": [("last_event_at", DESCENDING), ("_id", ASCENDING)],
}
