"""Responses whose LAO could not be identified, as work for the offices: each province's list (the nation's for
those with no province), and an office's attachment of one to the right LAO of DLA's registry.

An attachment is audited here (`lao_attachments`: who, when, which LAO, why) and written in one document with
its `validation.lao_attach_requested` command (outbox). Validation judges the application's newest revision
again with that LAO and publishes the new verdict, which this service's views take like any other event.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Query, Request
from pydantic import BaseModel, Field
from pymongo.asynchronous.collection import AsyncCollection

from services.reporting.access import ReaderScope, outside_scope
from services.reporting.projection import UNIDENTIFIED_REASONS, UNKNOWN_PROVINCE
from services.reporting.repository import ReadModels
from services.reporting.tokens import TokenBook
from shared.errors import ErrorBody, error_response
from shared.events import Envelope, Issue, LaoAttachRequested
from shared.logging import get_logger
from shared.outbox import OutboxRelay, with_outbox

router = APIRouter(prefix="/v1", tags=["unidentified responses"])
log = get_logger(__name__)
PRODUCER = "reporting"
LIST_LIMIT = 500
_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody} for code in (401, 403, 404)}


class WrittenLao(BaseModel):
    """The LAO as the response gives it."""

    name: str | None = None
    code: str | None = None
    type: str | None = None
    province: str | None = None
    district: str | None = None


class AttachmentRecord(BaseModel):
    attachment_id: str
    lao_code: str
    lao_name: str | None = None
    requested_by: str
    reason: str
    requested_at: datetime


class UnidentifiedResponse(BaseModel):
    submission_id: str
    revision: int = Field(description="The current revision: the one the reason is about")
    status: str = Field(description="returned, rejected or validated: the response is held either way")
    reason: str = Field(description="ambiguous, not_in_registry, code_and_name_disagree or no_name_no_code")
    reason_th: str
    reason_en: str
    province_code: str | None = Field(description="The province the response could be placed in; None: unknown")
    written: WrittenLao
    received_at: datetime | None = None
    issues: list[Issue] = Field(description="Validation's findings about the LAO (the candidates are named there)")
    attachments: list[AttachmentRecord] = Field(
        default_factory=list, description="Offices' attachments so far, newest last (being judged again when the "
                                          "newest is later than the current verdict)")


class UnidentifiedList(BaseModel):
    campaign: str
    scope: str
    count: int
    items: list[UnidentifiedResponse]
    message_th: str
    message_en: str


class AttachRequest(BaseModel):
    lao_code: Annotated[str, Field(pattern=r"^[0-9]{7}$", description="DLA's 7-digit code of the LAO")]
    reason: Annotated[str, Field(min_length=5, max_length=500,
                                 description="How the office knows (e.g. confirmed by phone with the clerk)")]


class AttachAccepted(BaseModel):
    attachment_id: str
    submission_id: str
    lao_code: str
    lao_name: str | None
    status: str = "requested"
    message_th: str
    message_en: str


def _read_models(request: Request) -> ReadModels:
    read_models: ReadModels = request.app.state.component.state["read_models"]
    return read_models


def _attachments(request: Request) -> AsyncCollection[dict[str, Any]]:
    collection: AsyncCollection[dict[str, Any]] = request.app.state.component.state["lao_attachments"]
    return collection


@router.get("/campaigns/{campaign}/unidentified", response_model=UnidentifiedList, responses=_ERRORS,
            summary="Responses whose LAO could not be identified, for the offices to attach "
                    "(แบบรายงานที่ระบุ อปท. ไม่ได้)")
async def unidentified(request: Request, campaign: Annotated[str, Path(max_length=32)], scope: ReaderScope,
                       province: Annotated[str | None, Query(pattern=r"^([0-9]{2}|unknown)$",
                                                             description="A national reader's filter")] = None
                       ) -> Any:
    """A province token sees its province's, a district token its district's; those that could not be placed
    in any province are the nation's (a national token, or `province=unknown`)."""
    if scope.level == "national":
        views = await _read_models(request).unidentified(campaign, province_key=province, limit=LIST_LIMIT)
    elif province is not None and province != scope.province_code:
        raise outside_scope(scope, f"จังหวัดรหัส {province}", f"province {province}")
    elif scope.level == "province":
        views = await _read_models(request).unidentified(campaign, province_key=scope.code, limit=LIST_LIMIT)
    else:
        views = await _read_models(request).unidentified(campaign, district_code=scope.code, limit=LIST_LIMIT)
    records = await _attachments(request).find(
        {"submission_id": {"$in": [v["_id"] for v in views]}}, {"outbox": 0},
        sort=[("requested_at", 1)]).to_list(None)
    items = [_item(view, [r for r in records if r["submission_id"] == view["_id"]]) for view in views]
    return UnidentifiedList(
        campaign=campaign, scope=str(scope), count=len(items), items=items,
        message_th=f"แบบรายงานที่ระบุ อปท. ไม่ได้ {len(items)} รายการ: ได้รับไว้แล้วทุกรายการ "
                   "โปรดตรวจสอบและระบุ อปท. ที่ถูกต้อง",
        message_en=f"{len(items)} responses whose LAO could not be identified: all are held; check each and "
                   "attach it to the right LAO")


def _item(view: dict[str, Any], records: list[dict[str, Any]]) -> UnidentifiedResponse:
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
        attachments=[AttachmentRecord.model_validate(r) for r in records])


@router.post("/campaigns/{campaign}/unidentified/{submission_id}/attach", status_code=202,
             response_model=AttachAccepted, responses={**_ERRORS, 409: {"model": ErrorBody},
                                                       422: {"model": ErrorBody}},
             summary="Attach an unidentified response to the LAO it belongs to (ระบุ อปท. ของแบบรายงาน)")
async def attach(request: Request, campaign: Annotated[str, Path(max_length=32)],
                 submission_id: Annotated[str, Path(max_length=100)], body: Annotated[AttachRequest, Body()],
                 scope: ReaderScope) -> Any:
    """Audited: who (the token's holder and scope), when, which LAO and why. The office's token must cover the
    response's province (when it has one) and the LAO's. Validation then judges the response again with that
    LAO, and every later revision of the application with it too; the new verdict reaches this service's views
    and the municipality is told the outcome as for any verdict."""
    read_models = _read_models(request)
    view = await read_models.submission(submission_id)
    if view is None or view.get("campaign") != campaign or view.get("current_revision") is None:
        return error_response(404, "not_found", f"ไม่พบแบบรายงาน {submission_id} ในรอบ {campaign}",
                              f"No response {submission_id} in campaign {campaign}")
    lao = view.get("lao") or {}
    if not scope.allows_place(lao.get("province_code"), lao.get("district_code")) and not (
            lao.get("province_code") is None and scope.level != "district"):
        raise outside_scope(scope, "แบบรายงานนี้", "this response")
    if not view.get("unidentified"):
        return error_response(409, "not_unidentified",
                              "แบบรายงานนี้ระบุ อปท. ได้แล้ว จึงไม่ต้องระบุอีก (หากผิด ให้ อปท. แก้ไขแบบรายงาน)",
                              "This response's LAO is already identified; to change it the LAO corrects its "
                              "response")
    target = await _registry_lao(read_models, body.lao_code)
    province_code = body.lao_code[1:3]
    if target is None:
        return error_response(422, "lao_code_unknown",
                              f"ไม่พบรหัส อปท. {body.lao_code} ในทะเบียน อปท. ที่นำเข้าแล้ว",
                              f"LAO code {body.lao_code} is not in the LAO registry imported")
    if not scope.allows_place(province_code, target.get("district_code")):
        raise outside_scope(scope, f"อปท. รหัส {body.lao_code}", f"LAO {body.lao_code}")
    now = datetime.now(UTC)
    holder = await _holder(request)
    requested_by = f"{holder} ({scope})" if holder else str(scope)
    attachment_id = "att_" + uuid.uuid4().hex[:20]
    command = LaoAttachRequested(attachment_id=attachment_id, submission_id=submission_id, campaign=campaign,
                                 lao_code=body.lao_code, requested_by=requested_by, reason=body.reason,
                                 requested_at=now)
    event = Envelope.build(command, producer=PRODUCER, correlation_id=submission_id)
    await _attachments(request).insert_one(with_outbox({
        "_id": attachment_id, "attachment_id": attachment_id, "submission_id": submission_id, "campaign": campaign,
        "lao_code": body.lao_code, "lao_name": target.get("name"), "requested_by": requested_by,
        "reason": body.reason, "requested_at": now, "revision": view["current_revision"],
        "unidentified": view["unidentified"],
    }, event))
    relay: OutboxRelay | None = request.app.state.context.relay
    if relay is not None:
        relay.notify()
    log.info("unidentified response attached", correlation_id=submission_id, attachment_id=attachment_id,
             lao_code=body.lao_code, scope=str(scope))
    return AttachAccepted(
        attachment_id=attachment_id, submission_id=submission_id, lao_code=body.lao_code,
        lao_name=target.get("name"),
        message_th=f"บันทึกแล้วว่าแบบรายงานนี้เป็นของ {target.get('name') or body.lao_code} "
                   "ระบบกำลังตรวจสอบใหม่ และจะแจ้งผลตามปกติ",
        message_en=f"Recorded: this response belongs to {target.get('name') or body.lao_code}; it is being "
                   "validated again and the outcome will be notified as usual")


async def _registry_lao(read_models: ReadModels, code: str) -> dict[str, Any] | None:
    registry = await read_models.registry_of(code[1:3])
    if registry is None:
        return None
    return next((lao for lao in registry.get("laos", []) if lao.get("code") == code), None)


async def _holder(request: Request) -> str | None:
    """The name the token was issued to (the audit names a person's office, not only a scope)."""
    kind, _, token = request.headers.get("authorization", "").partition(" ")
    if kind.lower() != "bearer" or not token.strip():
        return None
    tokens: TokenBook = request.app.state.component.state["tokens"]
    return await tokens.holder(token.strip())

