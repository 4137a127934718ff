"""Unidentified responses in reporting, with real tokens, broker and store: each office sees the ones of its own
area (the nation those with no province), and an office attaches one to an LAO of its area — audited, and the
command reaches validation through the outbox; anything outside the token's scope is 403."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx

from services.intake.submission import Submission
from services.reporting.repository import TokenBook
from services.reporting.service import SPEC
from services.reporting.tokens import Scope
from shared.bus import Bus
from shared.events import (
    ContactSummary,
    Envelope,
    Issue,
    LaoSummary,
    RegistryLao,
    RegistryUpdated,
    SubmissionReceived,
    SubmissionReturned,
)
from tests.integration.test_reporting import publish_all
from tests.support import InProcessService, Namespace, drain, eventually

CAMPAIGN = "fy2568"
V1 = f"/v1/campaigns/{CAMPAIGN}/unidentified"
AT = datetime(2025, 11, 24, 10, 0, tzinfo=UTC)


def _issue(code: str, field: str = "lao.name") -> Issue:
    return Issue(code=code, field=field, severity="return", message_th=f"{code} (ไทย)", message_en=code)


def _returned(sub_id: str, lao: dict[str, Any], province_code: str | None, *codes: str) -> list[Envelope]:
    summary = LaoSummary(name=lao.get("name") or "", code=lao.get("code"), province_code=province_code)
    contact = ContactSummary(name="สมชาย ใจดี", email="clerk@example.go.th")
    form = Submission.model_validate({"campaign": CAMPAIGN, "source": "api", "source_response_id": sub_id,
                                      "submitted_at": AT.isoformat(), "lao": lao})
    received = SubmissionReceived(submission_id=sub_id, revision=1, campaign=CAMPAIGN, source="api",
                                  source_response_id=sub_id, received_at=AT, lao=summary, contact=contact,
                                  submission=form)
    returned = SubmissionReturned(submission_id=sub_id, revision=1, campaign=CAMPAIGN, lao=summary, contact=contact,
                                  issues=[_issue(code) for code in codes])
    return [Envelope.build(received, producer="intake", correlation_id=sub_id),
            Envelope.build(returned, producer="validation", correlation_id=sub_id)]


REGISTRY = RegistryUpdated(import_id="imp1", imported_at=AT, province_code="36", province_name="ชัยภูมิ", laos=[
    RegistryLao(code="5360116", name="เทศบาลตำบลโนนสำราญ", type="เทศบาลตำบล", province_code="36",
                district_code="3601"),
    RegistryLao(code="5360201", name="เทศบาลตำบลบ้านเขว้า", type="เทศบาลตำบล", province_code="36",
                district_code="3602")])


@contextlib.asynccontextmanager
async def guarded(namespace: Namespace) -> AsyncIterator[tuple[httpx.AsyncClient, TokenBook, InProcessService]]:
    settings = namespace.settings("reporting", reporting_auth_required=True, reporting_token_cache_seconds=0)
    bus = Bus(namespace.settings("test-publisher"), "test-publisher")
    async with InProcessService(SPEC, settings) as service, \
            httpx.AsyncClient(base_url=service.url, timeout=10) as client:
        await bus.connect()
        try:
            events = [Envelope.build(REGISTRY, producer="validation", correlation_id="registry"),
                      *_returned("sub_ambiguous", {"name": "ทต.หนองบัว", "province": "ชัยภูมิ"}, "36",
                                 "LAO_MATCH_AMBIGUOUS", "DISTRICT_MISSING"),
                      *_returned("sub_nothing", {}, None, "LAO_NAME_MISSING", "PROVINCE_MISSING"),
                      *_returned("sub_unknown", {"name": "เทศบาลตำบลบ้านใหม่สุข", "province": "ขอนแก่น"}, "40",
                                 "LAO_NOT_IN_REGISTRY"),
                      *_returned("sub_fine", {"name": "เทศบาลตำบลโนนสำราญ", "code": "5360116"}, "36",
                                 "HAS_PLAN_MISSING")]
            await publish_all(client, bus, events)
            yield client, service.component.state.tokens, service
        finally:
            await bus.close()


def _as(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


async def test_each_office_lists_the_unidentified_responses_of_its_own_area(namespace: Namespace) -> None:
    async with guarded(namespace) as (client, tokens, _):
        national, _ = await tokens.create(Scope.parse("national"), "กองพัฒนาฯ สถ.")
        chaiyaphum, _ = await tokens.create(Scope.parse("province:36"), "สถ.จ.ชัยภูมิ")
        district, _ = await tokens.create(Scope.parse("district:3601"), "สถ.อ.เมืองชัยภูมิ")

        everything = (await client.get(V1, headers=_as(national))).json()
        assert {(i["submission_id"], i["reason"]) for i in everything["items"]} == {
            ("sub_ambiguous", "ambiguous"), ("sub_nothing", "no_name_no_code"), ("sub_unknown", "not_in_registry")}
        unplaced = (await client.get(V1, params={"province": "unknown"}, headers=_as(national))).json()
        assert [i["submission_id"] for i in unplaced["items"]] == ["sub_nothing"]

        own = (await client.get(V1, headers=_as(chaiyaphum))).json()
        [item] = own["items"]
        assert (item["submission_id"], item["province_code"], item["written"]["name"]) == (
            "sub_ambiguous", "36", "ทต.หนองบัว")
        assert "LAO_MATCH_AMBIGUOUS" in [i["code"] for i in item["issues"]] and item["reason_th"]
        assert (await client.get(V1, params={"province": "40"}, headers=_as(chaiyaphum))).status_code == 403
        assert (await client.get(V1, headers=_as(district))).json()["items"] == []
        assert (await client.get(V1)).status_code == 401


async def test_an_office_attaches_a_response_of_its_area_audited_and_validation_is_asked_to_judge_it_again(
        namespace: Namespace) -> None:
    async with guarded(namespace) as (client, tokens, service):
        chaiyaphum, _ = await tokens.create(Scope.parse("province:36"), "สถ.จ.ชัยภูมิ")
        khon_kaen, _ = await tokens.create(Scope.parse("province:40"), "สถ.จ.ขอนแก่น")
        district, _ = await tokens.create(Scope.parse("district:3601"), "สถ.อ.เมืองชัยภูมิ")
        body = {"lao_code": "5360116", "reason": "โทรยืนยันกับปลัดเทศบาลแล้ว"}

        def attach(sub_id: str) -> str:
            return f"{V1}/{sub_id}/attach"

        assert (await client.post(attach("sub_ambiguous"), json=body, headers=_as(khon_kaen))).status_code == 403
        unknown = await client.post(attach("sub_ambiguous"), json={**body, "lao_code": "5369999"},
                                    headers=_as(chaiyaphum))
        assert (unknown.status_code, unknown.json()["error"]) == (422, "lao_code_unknown")
        assert unknown.json()["message_th"] and unknown.json()["message_en"]
        too_short = await client.post(attach("sub_ambiguous"), json={**body, "reason": "ok"}, headers=_as(chaiyaphum))
        assert too_short.status_code == 422
        fine = await client.post(attach("sub_fine"), json=body, headers=_as(chaiyaphum))
        assert (fine.status_code, fine.json()["error"]) == (409, "not_unidentified")
        missing = await client.post(attach("sub_none"), json=body, headers=_as(chaiyaphum))
        assert missing.status_code == 404
        # A response with no province: a province office may claim it for one of its LAOs, a district office not.
        assert (await client.post(attach("sub_nothing"), json=body, headers=_as(district))).status_code == 403

        accepted = await client.post(attach("sub_ambiguous"), json=body, headers=_as(chaiyaphum))
        assert accepted.status_code == 202, accepted.text
        answer = accepted.json()
        assert (answer["lao_code"], answer["lao_name"]) == ("5360116", "เทศบาลตำบลโนนสำราญ")
        unplaced = await client.post(attach("sub_nothing"), json={**body, "lao_code": "5360201"},
                                     headers=_as(chaiyaphum))
        assert unplaced.status_code == 202

        async def commands() -> list[Envelope] | None:
            found = [e for e in await drain(namespace, "validation")
                     if e.event_type == "validation.lao_attach_requested"]
            return found or None

        found: list[Envelope] = []
        while len(found) < 2:
            found.extend(await eventually(commands, what="the attach commands on validation's queue"))
        by_submission = {e.data["submission_id"]: e.data for e in found}
        assert by_submission["sub_ambiguous"]["lao_code"] == "5360116"
        assert by_submission["sub_ambiguous"]["requested_by"] == "สถ.จ.ชัยภูมิ (province:36)"
        assert by_submission["sub_nothing"]["lao_code"] == "5360201"
        audit = await service.component.state.lao_attachments.collection.find_one({"_id": answer["attachment_id"]})
        assert (audit["reason"], audit["revision"], audit["outbox"]) == ("โทรยืนยันกับปลัดเทศบาลแล้ว", 1, [])

        listed = (await client.get(V1, headers=_as(chaiyaphum))).json()
        assert [a["lao_code"] for a in listed["items"][0]["attachments"]] == ["5360116"]
