"""Reporting's routes for DLA's final selection: the decision as JSON, and the announcement as a PDF ready to be
signed (services/reporting/application/selection.py)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response

from services.reporting.api.deps import ReaderScope, SelectionDep
from services.reporting.api.exports import pdf_response
from shared.errors import ErrorBody

router = APIRouter(prefix="/v1", tags=["final selection"])
_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "No valid token"},
    404: {"model": ErrorBody, "description": "No such campaign, or its selection is not published yet"},
}


@router.get("/campaigns/{campaign}/selection", responses=_RESPONSES,
            summary="The final selection: the selected LAOs by tier and size group, and who published it")
async def final_selection(selection: SelectionDep, campaign: str, scope: ReaderScope) -> Any:
    return await selection.decision(scope, campaign)


@router.get("/campaigns/{campaign}/selection/announcement.pdf", response_class=Response,
            responses={200: {"content": {"application/pdf": {}}}, **_RESPONSES,
                       503: {"model": ErrorBody, "description": "PDF rendering is not available on this host"}},
            summary="DLA's announcement of the selection's result (ประกาศ), in the official layout, to be signed")
async def announcement_pdf(
        selection: SelectionDep, campaign: str, _: ReaderScope,
        announced_on: Annotated[date | None, Query(alias="date", description="The announcement's date (default: "
                                                   "the day it was published, Thai time)")] = None) -> Response:
    html = await selection.announcement_html(campaign, announced_on)
    return await pdf_response(html, f"announcement-{campaign}.pdf")
