"""Validation against the real broker and store, as officials rely on it: matched to DLA's registry (or
said to be unverified without one), returned with every issue and the closest registry candidates, a
corrected revision validated with the history kept, the deadline to the second from a client in UTC, two
campaigns judged side by side, and an unidentified response judged again with the LAO an office attached it to."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from services.intake.submission import Submission
from services.validation.service import SPEC as VALIDATION
from shared.bus import Bus
from shared.events import ContactSummary, Envelope, LaoAttachRequested, LaoSummary, SubmissionReceived
from tests.integration.test_registry_import import SAMPLE, SIZES, TOKEN, drain, upload
from tests.support import ROOT, InProcessService, Namespace, canonical_submission, eventually, http_client

TEST_CAMPAIGNS = ROOT / "tests" / "data" / "campaigns"


def received(body: dict[str, Any], submission_id: str, *, revision: int = 1,
             received_at: datetime | None = None) -> Envelope:
    submission = Submission.model_validate(body)
    at = received_at or (submission.submitted_at or datetime(2025, 11, 24, 3, 15, tzinfo=UTC)) + timedelta(seconds=2)
    data = SubmissionReceived(
        submission_id=submission_id, revision=revision, campaign=submission.campaign, source=submission.source,
        source_response_id=submission.source_response_id, received_at=at,
        lao=LaoSummary(name=submission.lao.name), contact=ContactSummary(email=submission.contact.email),
        submission=submission,
    )
    return Envelope.build(data, producer="test", correlation_id=submission_id)


class Outcomes:
    """Verdicts as reporting would receive them, by submission id and revision."""

    def __init__(self, namespace: Namespace) -> None:
        self.namespace = namespace
        self.seen: dict[tuple[str, int], Envelope] = {}

    async def of(self, submission_id: str, revision: int = 1) -> Envelope:
        async def check() -> Envelope | None:
            for event in await drain(self.namespace, "reporting"):
                if event.event_type.startswith("submission.") and event.event_type != "submission.received":
                    self.seen[(event.correlation_id, event.data["revision"])] = event
            return self.seen.get((submission_id, revision))

        return await eventually(check, what=f"the verdict on {submission_id} r{revision}")


@pytest.fixture
async def validation(namespace: Namespace) -> AsyncIterator[InProcessService]:
    settings = namespace.settings("validation", registry_admin_token=TOKEN, campaigns_dir=str(TEST_CAMPAIGNS))
    async with InProcessService(VALIDATION, settings) as service:
        yield service


def codes(event: Envelope) -> list[str]:
    return [issue["code"] for issue in event.data.get("issues", event.data.get("warnings", []))]


async def _import_registry(service: InProcessService, *, sizes: Path | None = SIZES) -> None:
    async with http_client(service.url) as client:
        assert (await upload(client, laos=SAMPLE, sizes=sizes)).status_code == 201


async def test_without_a_registry_the_lao_is_validated_but_marked_not_verified(
        namespace: Namespace, validation: InProcessService, publisher: Bus) -> None:
    await publisher.publish(received(canonical_submission(), "sub_unverified"))
    verdict = await Outcomes(namespace).of("sub_unverified")
    assert verdict.event_type == "submission.validated"
    assert codes(verdict) == ["LAO_NOT_VERIFIED"]
    warning = verdict.data["warnings"][0]
    assert warning["severity"] == "warning" and "ทะเบียน" in warning["message_th"]
    assert "not verified against DLA's LAO registry" in warning["message_en"]
    lao = verdict.data["lao"]
    assert (lao["registry_verified"], lao["province_code"], lao["district_code"]) == (False, "36", "3601")


async def test_a_municipality_found_in_the_registry_carries_its_code_and_size_class(
        namespace: Namespace, validation: InProcessService, publisher: Bus) -> None:
    await _import_registry(validation)
    body = canonical_submission(lao={"name": "ทม.แม่โจ้", "type": "ทม.", "province": "จ.เชียงใหม่",
                                     "district": "อ.สันทราย"})
    await publisher.publish(received(body, "sub_maejo"))
    verdict = await Outcomes(namespace).of("sub_maejo")
    assert verdict.event_type == "submission.validated" and codes(verdict) == []
    assert verdict.data["lao"] == {
        "name": "เทศบาลเมืองแม่โจ้", "code": "4501408", "type": "เทศบาลเมือง",
        "province_code": "50", "province_name": "เชียงใหม่", "district_code": "5014", "district_name": "สันทราย",
        "size_class": "medium", "registry_verified": True,
    }


async def test_an_ambiguous_or_unknown_lao_is_returned_naming_the_closest_registry_candidates(
        namespace: Namespace, validation: InProcessService, publisher: Bus) -> None:
    await _import_registry(validation, sizes=None)
    ambiguous = canonical_submission(1, lao={"name": "เทศบาลเมืองบ้านเขว้า", "type": "เทศบาลเมือง",
                                             "province": "ชัยภูมิ", "district": "บ้านเขว้า"})
    unknown = canonical_submission(2, lao={"name": "เทศบาลตำบลโนนสำราญใต้", "type": "เทศบาลตำบล",
                                           "province": "ชัยภูมิ", "district": "เมืองชัยภูมิ"})
    await publisher.publish(received(ambiguous, "sub_ambiguous"))
    await publisher.publish(received(unknown, "sub_unknown"))
    outcomes = Outcomes(namespace)
    first, second = await outcomes.of("sub_ambiguous"), await outcomes.of("sub_unknown")
    assert (first.event_type, codes(first)) == ("submission.returned", ["LAO_MATCH_AMBIGUOUS"])
    issue = first.data["issues"][0]
    assert "5360201" in issue["message_th"] and "6360202" in issue["message_en"]
    assert (second.event_type, codes(second)) == ("submission.returned", ["LAO_NOT_IN_REGISTRY"])
    assert "เทศบาลตำบลโนนสำราญ (รหัส 5360116" in second.data["issues"][0]["message_th"]
    assert second.data["lao"]["registry_verified"] is False


async def test_a_returned_submission_corrected_in_a_later_revision_is_validated_and_the_history_stays(
        namespace: Namespace, validation: InProcessService, publisher: Bus) -> None:
    await _import_registry(validation)
    wrong = canonical_submission(1, lao={"name": "เทศบาลตำบลคอนสวรรค์", "type": "เทศบาลตำบล", "province": "ชัยภูมิ",
                                         "district": "เมืองชัยภูมิ"})
    wrong["contact"] = {**wrong["contact"], "email": "smartcity@khonsawan", "phone": "044-811-23"}
    await publisher.publish(received(wrong, "sub_khonsawan", revision=1))
    outcomes = Outcomes(namespace)
    returned = await outcomes.of("sub_khonsawan", 1)
    assert returned.event_type == "submission.returned"
    assert codes(returned) == ["LAO_REGISTRY_LOCATION_MISMATCH", "CONTACT_EMAIL_INVALID", "CONTACT_PHONE_INVALID"]
    assert "อำเภอคอนสวรรค์" in returned.data["issues"][0]["message_th"]

    fixed = canonical_submission(2, submitted_at="2025-11-25T09:00:00+07:00",
                                 lao={**wrong["lao"], "district": "คอนสวรรค์"})
    await publisher.publish(received(fixed, "sub_khonsawan", revision=2))
    validated = await outcomes.of("sub_khonsawan", 2)
    assert validated.event_type == "submission.validated" and validated.data["lao"]["code"] == "5360301"

    async with http_client(validation.url) as client:
        history = (await client.get("/v1/validations/sub_khonsawan")).json()
    assert [(h["revision"], h["outcome"]) for h in history] == [(2, "validated"), (1, "returned")]
    assert [i["code"] for i in history[1]["issues"]] == codes(returned)
    assert history[0]["lao"]["size_class"] == "small" and history[0]["judged_at"]
    assert history[0]["registry_match"]["status"] == "matched" and history[0]["registry_match"]["code"] == "5360301"


@pytest.mark.parametrize(
    ("submitted_at", "outcome"),
    [("2025-11-25T15:59:59Z", "submission.validated"),   # 22:59:59 Thai time, sent from a client in UTC
     ("2025-11-25T16:00:01Z", "submission.rejected")],   # 23:00:01 Thai time
    ids=["22:59:59", "23:00:01"],
)
async def test_the_deadline_holds_to_the_second_for_a_client_in_utc(
        namespace: Namespace, validation: InProcessService, publisher: Bus, submitted_at: str, outcome: str) -> None:
    await _import_registry(validation)
    await publisher.publish(received(canonical_submission(submitted_at=submitted_at), "sub_boundary"))
    verdict = await Outcomes(namespace).of("sub_boundary")
    assert verdict.event_type == outcome
    if outcome == "submission.rejected":
        assert codes(verdict) == ["SUBMITTED_LATE"]
        assert "25 พ.ย. 2568 23:00:01 น." in verdict.data["issues"][0]["message_th"]


async def test_two_campaigns_are_judged_side_by_side_each_by_its_own_file(
        namespace: Namespace, validation: InProcessService, publisher: Bus) -> None:
    late = "2025-11-26T08:00:00+07:00"  # after both campaigns' deadlines
    sao = {"name": "องค์การบริหารส่วนตำบลนาฝาย", "type": "อบต.", "province": "ชัยภูมิ", "district": "เมืองชัยภูมิ"}
    await publisher.publish(received(canonical_submission(1, submitted_at=late), "sub_fy2568_late"))
    await publisher.publish(received(canonical_submission(2, campaign="pilot2569", submitted_at=late),
                                     "sub_pilot_late"))
    await publisher.publish(received(canonical_submission(3, campaign="fy2568", lao=sao), "sub_fy2568_sao"))
    await publisher.publish(received(canonical_submission(4, campaign="pilot2569", lao=sao,
                                                          submitted_at="2025-11-10T10:00:00+07:00"), "sub_pilot_sao"))
    outcomes = Outcomes(namespace)
    fy2568_late, pilot_late = await outcomes.of("sub_fy2568_late"), await outcomes.of("sub_pilot_late")
    fy2568_sao, pilot_sao = await outcomes.of("sub_fy2568_sao"), await outcomes.of("sub_pilot_sao")
    assert (fy2568_late.event_type, codes(fy2568_late)[0]) == ("submission.rejected", "SUBMITTED_LATE")
    assert pilot_late.event_type == "submission.validated"
    assert "SUBMITTED_LATE_ACCEPTED" in codes(pilot_late)
    assert "20 พ.ย. 2568 16:30 น." in pilot_late.data["warnings"][0]["message_th"]
    assert (fy2568_sao.event_type, codes(fy2568_sao)[0]) == ("submission.rejected", "LAO_TYPE_NOT_ELIGIBLE")
    assert pilot_sao.event_type == "submission.validated"
    assert {e.data["campaign"] for e in (pilot_late, pilot_sao)} == {"pilot2569"}


async def test_an_office_attaching_an_unidentified_response_has_it_and_later_revisions_judged_with_that_lao(
        namespace: Namespace, validation: InProcessService, publisher: Bus) -> None:
    await _import_registry(validation)
    ambiguous = canonical_submission(1, lao={"name": "เทศบาลเมืองบ้านเขว้า", "type": "เทศบาลเมือง",
                                             "province": "ชัยภูมิ", "district": "บ้านเขว้า"})
    verdicts: list[Envelope] = []

    async def verdicts_on(count: int) -> list[Envelope]:
        async def check() -> list[Envelope] | None:
            verdicts.extend(e for e in await drain(namespace, "reporting")
                            if e.correlation_id == "sub_attached" and e.event_type != "submission.received")
            return verdicts if len(verdicts) >= count else None

        return await eventually(check, what=f"{count} verdicts on sub_attached")

    await publisher.publish(received(ambiguous, "sub_attached"))
    (first,) = await verdicts_on(1)
    assert (first.event_type, codes(first)) == ("submission.returned", ["LAO_MATCH_AMBIGUOUS"])

    request = LaoAttachRequested(attachment_id="att_bankhwao", submission_id="sub_attached", campaign="fy2568",
                                 lao_code="5360201", requested_by="สถ.จ.ชัยภูมิ", reason="โทรยืนยันกับปลัดเทศบาลแล้ว",
                                 requested_at=datetime(2025, 11, 26, 3, 0, tzinfo=UTC))
    attach = Envelope.build(request, producer="test", correlation_id="sub_attached")
    await publisher.publish(attach)
    await publisher.publish(attach)  # a redelivery judges nothing twice
    _, again = await verdicts_on(2)
    assert again.event_type == "submission.validated" and "LAO_ATTACHED_BY_OFFICE" in codes(again)
    assert (again.data["revision"], again.data["lao"]["code"], again.data["lao"]["registry_verified"]) == (
        1, "5360201", True)

    await publisher.publish(received(ambiguous, "sub_attached", revision=2))
    *_, later = await verdicts_on(3)
    assert (later.data["revision"], later.data["lao"]["code"]) == (2, "5360201")
    assert "LAO_ATTACHED_BY_OFFICE" in codes(later)
    async with http_client(validation.url) as client:
        history = (await client.get("/v1/validations/sub_attached")).json()
    assert sorted(h["revision"] for h in history) == [1, 1, 2] and history[0]["outcome"] == "validated"
