"""Reporting's routes for the responses whose LAO could not be identified: each office's list, and an office's
attachment of one to the LAO it belongs to (services/reporting/application/unidentified.py)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Query

from services.reporting.api.deps import OfficeWorkDep, ReaderScope, TokenHolder
from services.reporting.api.models import (
    AttachAccepted,
    AttachmentRecord,
    AttachRequest,
    UnidentifiedList,
    UnidentifiedResponse,
    WrittenLao,
)
from services.reporting.application import Unidentified
from services.reporting.projection import UNIDENTIFIED_REASONS, UNKNOWN_PROVINCE
from shared.errors import ErrorBody

router = APIRouter(prefix="/v1", tags=["unidentified responses"])
_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody} for code in (401, 403, 404)}


@router.get("/campaigns/{campaign}/unidentified", response_model=UnidentifiedList, responses=_ERRORS,
            summary="Responses whose LAO could not be identified, for the offices to attach "
                    "(แบบรายงานที่ระบุ อปท. ไม่ได้)")
async def unidentified(work: OfficeWorkDep, campaign: Annotated[str, Path(max_length=32)], scope: ReaderScope,
                       province: Annotated[str | None, Query(pattern=r"^([0-9]{2}|unknown)$",
                                                             description="A national reader's filter")] = None
                       ) -> Any:
    """A province token sees its province's, a district token its district's; those that could not be placed
    in any province are the nation's (a national token, or `province=unknown`)."""
    items = [_item(found) for found in await work.unidentified(scope, campaign, province)]
    return UnidentifiedList(
        campaign=campaign, scope=str(scope), count=len(items), items=items,
        message_th=f"แบบรายงานที่ระบุ อปท. ไม่ได้ {len(items)} รายการ: ได้รับไว้แล้วทุกรายการ "
                   "โปรดตรวจสอบและระบุ อปท. ที่ถูกต้อง",
        message_en=f"{len(items)} responses whose LAO could not be identified: all are held; check each and "
                   "attach it to the right LAO")


def _item(found: Unidentified) -> UnidentifiedResponse:
    view = found.view
    revision = view["current_revision"]
    entry = view["revisions"][str(revision)]
    form = (entry.get("form") or {}).get("lao") or {}
    reason = view["unidentified"]
    reason_th, reason_en = UNIDENTIFIED_REASONS[reason]
    lao_issues = [issue for issue in entry.get("issues") or [] if str(issue.get("field", "")).startswith("lao")]
    province_key = view.get("province_key")
    return UnidentifiedResponse(
        submission_id=view["_id"], revision=revision, status=view["status"], reason=reason, reason_th=reason_th,
        reason_en=reason_en, province_code=None if province_key == UNKNOWN_PROVINCE else province_key,
        written=WrittenLao.model_validate({key: form.get(key) for key in WrittenLao.model_fields}),
        received_at=entry.get("received_at"), issues=lao_issues,
        attachments=[AttachmentRecord.model_validate(r) for r in found.attachments])


@router.post("/campaigns/{campaign}/unidentified/{submission_id}/attach", status_code=202,
             response_model=AttachAccepted, responses={**_ERRORS, 409: {"model": ErrorBody},
                                                       422: {"model": ErrorBody}},
             summary="Attach an unidentified response to the LAO it belongs to (ระบุ อปท. ของแบบรายงาน)")
async def attach(work: OfficeWorkDep, campaign: Annotated[str, Path(max_length=32)],
                 submission_id: Annotated[str, Path(max_length=100)], body: Annotated[AttachRequest, Body()],
                 scope: ReaderScope, holder: TokenHolder) -> Any:
    """Audited: who (the token's holder and scope), when, which LAO and why. The office's token must cover the
    response's province (when it has one) and the LAO's. Validation then judges the response again with that
    LAO, and every later revision of the application with it too; the new verdict reaches this service's views
    and the municipality is told the outcome as for any verdict."""
    attached = await work.attach(scope, campaign, submission_id, body.lao_code, body.reason, holder=holder)
    name = attached.lao_name or body.lao_code
    return AttachAccepted(
        attachment_id=attached.attachment_id, submission_id=submission_id, lao_code=body.lao_code,
        lao_name=attached.lao_name,
        message_th=f"บันทึกแล้วว่าแบบรายงานนี้เป็นของ {name} ระบบกำลังตรวจสอบใหม่ และจะแจ้งผลตามปกติ",
        message_en=f"Recorded: this response belongs to {name}; it is being validated again and the outcome will be "
                   "notified as usual")
