"""DLA's final selection as reporting shows it, from the newest `selection.published`: the decision as JSON
(every reader sees the selected LAOs, which the announcement makes public; a province or district token sees the
points and decisions of its own area's LAOs only) and the announcement as a PDF ready to be signed."""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response

from services.reporting import announcement, package
from services.reporting.access import ReaderScope
from services.reporting.repository import ReadModels
from shared.campaign import CampaignBook, UnknownCampaign
from shared.errors import ErrorBody, error_response
from shared.settings import Settings

router = APIRouter(prefix="/v1", tags=["final selection"])
_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "No valid token"},
    404: {"model": ErrorBody, "description": "No such campaign, or its selection is not published yet"},
}


def _not_published(campaign: str) -> JSONResponse:
    return error_response(404, "selection_not_published", f"รอบ {campaign} ยังไม่ได้ประกาศผลการคัดเลือก",
                          f"The final selection of {campaign} is not published yet.")


async def _selection(request: Request, campaign: str) -> dict[str, Any] | JSONResponse:
    campaigns: CampaignBook = request.app.state.context.campaigns
    if campaign not in campaigns:
        return error_response(404, "not_found", f"ไม่พบรอบการคัดเลือก {campaign}", f"No campaign {campaign}")
    read_models: ReadModels = request.app.state.component.state["read_models"]
    found = await read_models.selection(campaign)
    return _not_published(campaign) if found is None else found


@router.get("/campaigns/{campaign}/selection", responses=_RESPONSES,
            summary="The final selection: the selected LAOs by tier and size group, and who published it")
async def final_selection(request: Request, campaign: str, scope: ReaderScope) -> Any:
    found = await _selection(request, campaign)
    if isinstance(found, JSONResponse):
        return found
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


@router.get("/campaigns/{campaign}/selection/announcement.pdf", response_class=Response,
            responses={200: {"content": {"application/pdf": {}}}, **_RESPONSES,
                       503: {"model": ErrorBody, "description": "PDF rendering is not available on this host"}},
            summary="DLA's announcement of the selection's result (ประกาศ), in the official layout, to be signed")
async def announcement_pdf(
        request: Request, campaign: str, _: ReaderScope,
        announced_on: Annotated[date | None, Query(alias="date", description="The announcement's date (default: "
                                                   "the day it was published, Thai time)")] = None) -> Response:
    found = await _selection(request, campaign)
    if isinstance(found, JSONResponse):
        return found
    try:
        config = request.app.state.context.campaigns.get(campaign)
    except UnknownCampaign:
        return _not_published(campaign)
    settings: Settings = request.app.state.context.settings
    emblem = announcement.EMBLEM_SVG
    if settings.reporting_emblem_svg:
        emblem = await asyncio.to_thread(Path(settings.reporting_emblem_svg).read_text, encoding="utf-8")
    day = announced_on or found["published_at"].astimezone(announcement.THAI_OFFSET).date()
    html = announcement.announcement_html(found, config, day, emblem_svg=emblem)
    try:
        pdf = await asyncio.to_thread(package.render_pdf, html)
    except (ImportError, OSError) as error:  # WeasyPrint or its Pango libraries missing on this host
        return error_response(503, "pdf_unavailable", "เครื่องนี้ยังสร้างไฟล์ PDF ไม่ได้ (ไม่มี WeasyPrint/Pango)",
                              f"PDF rendering is not available on this host: {error}")
    return Response(pdf, media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="announcement-{campaign}.pdf"'})
