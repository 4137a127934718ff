"""DLA's final selection as reporting shows it, from the newest `selection.published`: the decision (every reader
sees the selected LAOs, which the announcement makes public; a province or district token sees the points and
decisions of its own area's LAOs only) and the announcement as HTML for the PDF, ready to be signed."""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path
from typing import Any

from services.reporting import announcement
from services.reporting.application.reports import campaign_not_found
from services.reporting.repository import ReadModels
from services.reporting.tokens import Scope
from shared.campaign import CampaignBook, UnknownCampaign
from shared.errors import NotFound
from shared.thai import THAI_TZ

Document = dict[str, Any]


def _not_published(campaign: str) -> NotFound:
    return NotFound("selection_not_published", f"รอบ {campaign} ยังไม่ได้ประกาศผลการคัดเลือก",
                    f"The final selection of {campaign} is not published yet.")


class FinalSelection:
    def __init__(self, read_models: ReadModels, campaigns: CampaignBook, emblem_svg: str | None) -> None:
        """`emblem_svg`: a file with the official artwork of the emblem (None: the inline drawing)."""
        self.read_models = read_models
        self.campaigns = campaigns
        self.emblem_svg = emblem_svg

    async def _published(self, campaign: str) -> Document:
        if campaign not in self.campaigns:
            raise campaign_not_found(campaign)
        found = await self.read_models.selection(campaign)
        if found is None:
            raise _not_published(campaign)
        return found

    async def decision(self, scope: Scope, campaign: str) -> Document:
        """The selected LAOs by tier and size group and who published them; the LAOs not selected only within
        the reader's area; nobody's contact."""
        found = await self._published(campaign)
        entries = []
        for entry in found["entries"]:
            lao = entry.get("lao") or {}
            if entry["tier"] == "not_selected" and not scope.allows_place(lao.get("province_code"),
                                                                          lao.get("district_code")):
                continue
            entries.append({key: value for key, value in entry.items() if key != "contact"})
        return {"campaign": campaign, "selection_version": found["selection_version"],
                "rubric_version": found["rubric_version"], "frozen_at": found["frozen_at"],
                "published_at": found["published_at"], "published_by": found["published_by"],
                "quotas": found["quotas"], "group_names": found.get("group_names") or {},
                "selected": {tier: sum(1 for e in found["entries"] if e["tier"] == tier)
                             for tier in ("outstanding", "efficient")},
                "entries": entries}

    async def announcement_html(self, campaign: str, announced_on: date | None) -> str:
        """DLA's announcement of the result, dated `announced_on` (default: the day it was published, Thai
        time)."""
        found = await self._published(campaign)
        try:
            config = self.campaigns.get(campaign)
        except UnknownCampaign:
            raise _not_published(campaign) from None
        emblem = announcement.EMBLEM_SVG
        if self.emblem_svg:
            emblem = await asyncio.to_thread(Path(self.emblem_svg).read_text, encoding="utf-8")
        day = announced_on or found["published_at"].astimezone(THAI_TZ).date()
        return announcement.announcement_html(found, config, day, emblem_svg=emblem)
