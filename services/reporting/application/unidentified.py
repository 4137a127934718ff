"""Responses whose LAO could not be identified, as work for the offices: each province's list (the nation's for
those with no province), and an office's attachment of one to the right LAO of DLA's registry.

An attachment is audited (`lao_attachments`: who, when, which LAO, why) and written in one document with its
`validation.lao_attach_requested` command (outbox). Validation judges the application's newest revision again
with that LAO and publishes the new verdict, which this service's views take like any other event.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from services.reporting.application.scope import outside_scope
from services.reporting.repository import Attachments, ReadModels
from services.reporting.tokens import Scope
from shared.errors import Conflict, Invalid, NotFound
from shared.events import Envelope, LaoAttachRequested
from shared.logging import get_logger
from shared.outbox import OutboxRelay

log = get_logger(__name__)
Document = dict[str, Any]
PRODUCER = "reporting"
LIST_LIMIT = 500


@dataclass(frozen=True)
class Unidentified:
    """An unidentified response's view and the offices' attachments of it so far, oldest first."""

    view: Document
    attachments: list[Document]


@dataclass(frozen=True)
class Attached:
    attachment_id: str
    lao_name: str | None


class OfficeWork:
    def __init__(self, read_models: ReadModels, attachments: Attachments, relay: OutboxRelay | None) -> None:
        self.read_models = read_models
        self.attachments = attachments
        self.relay = relay

    async def unidentified(self, scope: Scope, campaign: str, province: str | None) -> list[Unidentified]:
        """A province token sees its province's, a district token its district's; those that could not be placed
        in any province are the nation's (a national token, or `province=unknown`)."""
        if scope.level == "national":
            views = await self.read_models.unidentified(campaign, province_key=province, limit=LIST_LIMIT)
        elif province is not None and province != scope.province_code:
            raise outside_scope(scope, f"จังหวัดรหัส {province}", f"province {province}")
        elif scope.level == "province":
            views = await self.read_models.unidentified(campaign, province_key=scope.code, limit=LIST_LIMIT)
        else:
            views = await self.read_models.unidentified(campaign, district_code=scope.code, limit=LIST_LIMIT)
        records = await self.attachments.of_submissions([v["_id"] for v in views])
        return [Unidentified(view, [r for r in records if r["submission_id"] == view["_id"]]) for view in views]

    async def attach(self, scope: Scope, campaign: str, submission_id: str, lao_code: str, reason: str, *,
                     holder: str | None) -> Attached:
        """Audited: who (`holder`, the token's, and the scope), when, which LAO and why. The office's scope must
        cover the response's province (when it has one) and the LAO's."""
        view = await self.read_models.submission(submission_id)
        if view is None or view.get("campaign") != campaign or view.get("current_revision") is None:
            raise NotFound("not_found", f"ไม่พบแบบรายงาน {submission_id} ในรอบ {campaign}",
                           f"No response {submission_id} in campaign {campaign}")
        lao = view.get("lao") or {}
        if not scope.allows_place(lao.get("province_code"), lao.get("district_code")) and not (
                lao.get("province_code") is None and scope.level != "district"):
            raise outside_scope(scope, "แบบรายงานนี้", "this response")
        if not view.get("unidentified"):
            raise Conflict("not_unidentified",
                           "แบบรายงานนี้ระบุ อปท. ได้แล้ว จึงไม่ต้องระบุอีก (หากผิด ให้ อปท. แก้ไขแบบรายงาน)",
                           "This response's LAO is already identified; to change it the LAO corrects its response")
        target = await self.read_models.registry_lao(lao_code)
        province_code = lao_code[1:3]
        if target is None:
            raise Invalid("lao_code_unknown", f"ไม่พบรหัส อปท. {lao_code} ในทะเบียน อปท. ที่นำเข้าแล้ว",
                          f"LAO code {lao_code} is not in the LAO registry imported")
        if not scope.allows_place(province_code, target.get("district_code")):
            raise outside_scope(scope, f"อปท. รหัส {lao_code}", f"LAO {lao_code}")
        now = datetime.now(UTC)
        requested_by = f"{holder} ({scope})" if holder else str(scope)
        attachment_id = "att_" + uuid.uuid4().hex[:20]
        command = LaoAttachRequested(attachment_id=attachment_id, submission_id=submission_id, campaign=campaign,
                                     lao_code=lao_code, requested_by=requested_by, reason=reason, requested_at=now)
        await self.attachments.record({
            "_id": attachment_id, "attachment_id": attachment_id, "submission_id": submission_id,
            "campaign": campaign, "lao_code": lao_code, "lao_name": target.get("name"),
            "requested_by": requested_by, "reason": reason, "requested_at": now,
            "revision": view["current_revision"], "unidentified": view["unidentified"],
        }, Envelope.build(command, producer=PRODUCER, correlation_id=submission_id))
        if self.relay is not None:
            self.relay.notify()
        log.info("unidentified response attached", correlation_id=submission_id, attachment_id=attachment_id,
                 lao_code=lao_code, scope=str(scope))
        return Attached(attachment_id, target.get("name"))
