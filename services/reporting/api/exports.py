"""Reporting's routes for documents: every report table as CSV or XLSX, and the province's and the district's
document packages as PDF (503 where this host cannot render PDF)."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from services.reporting import exports, package
from services.reporting.api.deps import DocumentsDep, ReaderScope
from services.reporting.api.models import DENIED, NOT_FOUND, Status
from shared.errors import Refused

router = APIRouter(prefix="/v1", tags=["reports"])


async def pdf_response(html: str, filename: str) -> Response:
    """The HTML rendered as PDF, shown inline."""
    try:
        pdf = await asyncio.to_thread(package.render_pdf, html)
    except (ImportError, OSError) as error:  # WeasyPrint or its Pango libraries missing on this host
        raise Refused(503, "pdf_unavailable", "เครื่องนี้ยังสร้างไฟล์ PDF ไม่ได้ (ไม่มี WeasyPrint/Pango)",
                      f"PDF rendering is not available on this host: {error}") from error
    return Response(pdf, media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{filename}"'})


@router.get(
    "/campaigns/{campaign}/exports/{name}",
    summary="A report table as CSV or XLSX, Thai headers by default (`lang=en` for English)",
    description="`name` is `<table>.<csv|xlsx>`; tables: provinces (national rows), size-groups, districts, "
                "submissions, projects (one row per project of each current response: descriptions and "
                "outcomes with their line breaks), rankings (needs `size_group`), missing (who has not "
                "submitted), criteria (one "
                "submission's points, needs `submission`). `province` and `district` narrow each table as "
                "the JSON routes do.",
    response_class=Response,
    responses={200: {"content": {exports.MEDIA_TYPES["csv"]: {}, exports.MEDIA_TYPES["xlsx"]: {}}},
               **DENIED, **NOT_FOUND},
)
async def export(
    documents: DocumentsDep,
    campaign: str,
    name: str,
    scope: ReaderScope,
    lang: Literal["th", "en"] = "th",
    province: Annotated[str | None, Query(pattern=r"^([0-9]{2}|unknown)$")] = None,
    district: Annotated[str | None, Query(pattern=r"^[0-9]{4}$")] = None,
    status: Status | None = None,
    size_group: str | None = None,
    submission: str | None = None,
) -> Any:
    found = await documents.export(scope, campaign, name, lang=lang, province=province, district=district,
                                   status=status, size_group=size_group, submission_id=submission)
    return Response(found.body, media_type=found.media_type,
                    headers={"Content-Disposition": f'attachment; filename="{found.filename}"'})


def _sender(number: str | None, letter_date: date | None, signer_name: str | None, signer_position: str | None,
            phone: str | None) -> package.Sender:
    return package.Sender(number=number, letter_date=letter_date, signer_name=signer_name,
                          signer_position=signer_position, phone=phone)


SenderQuery = {
    "number": Query(default=None, max_length=80, description="The letter's number (ที่), e.g. ชย 0023.6/ว 1234"),
    "letter_date": Query(default=None, alias="date", description="The letter's date (default: today, Thai time)"),
    "signer_name": Query(default=None, max_length=120, description="Who signs, e.g. นายบัลลังก์ ไวทยศิริ"),
    "signer_position": Query(default=None, max_length=200, description="The signer's position (default: the "
                             "governor / district chief of the area)"),
    "phone": Query(default=None, max_length=60, description="The owning office's telephone"),
}


@router.get(
    "/campaigns/{campaign}/provinces/{code}/package.pdf",
    summary="The province's document package for DLA: cover letter, summary table, every report form (PDF)",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}, **DENIED, **NOT_FOUND},
)
async def province_package(
    documents: DocumentsDep, campaign: str, code: str, scope: ReaderScope,
    number: str | None = SenderQuery["number"], letter_date: date | None = SenderQuery["letter_date"],
    signer_name: str | None = SenderQuery["signer_name"],
    signer_position: str | None = SenderQuery["signer_position"], phone: str | None = SenderQuery["phone"],
) -> Response:
    made = await documents.province_package(scope, campaign, code,
                                            _sender(number, letter_date, signer_name, signer_position, phone))
    return await pdf_response(made.html, made.filename)


@router.get(
    "/campaigns/{campaign}/districts/{code}/package.pdf",
    summary="The district's document package for its province (PDF)",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}, **DENIED, **NOT_FOUND},
)
async def district_package(
    documents: DocumentsDep, campaign: str, code: str, scope: ReaderScope,
    number: str | None = SenderQuery["number"], letter_date: date | None = SenderQuery["letter_date"],
    signer_name: str | None = SenderQuery["signer_name"],
    signer_position: str | None = SenderQuery["signer_position"], phone: str | None = SenderQuery["phone"],
) -> Response:
    made = await documents.district_package(scope, campaign, code,
                                            _sender(number, letter_date, signer_name, signer_position, phone))
    return await pdf_response(made.html, made.filename)
