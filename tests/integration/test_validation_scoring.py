"""Validation and scoring against the real broker and store: what each publishes for real submissions,
and that a redelivered event changes nothing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest

from services.intake.submission import Submission
from services.scoring.service import SPEC as SCORING
from services.validation.service import SPEC as VALIDATION
from shared.bus import Bus
from shared.events import ContactSummary, Envelope, LaoSummary, SubmissionReceived
from tests.support import InProcessService, Namespace, canonical_submission, drain, eventually


def received(body: dict[str, Any], submission_id: str = "sub_test", revision: int = 1) -> Envelope:
    submission = Submission.model_validate(body)
    data = SubmissionReceived(
        submission_id=submission_id, revision=revision, campaign=submission.campaign, source=submission.source,
        source_response_id=submission.source_response_id, received_at=datetime(2025, 11, 26, 0, 0, tzinfo=UTC),
        lao=LaoSummary(name=submission.lao.name), contact=ContactSummary(email=submission.contact.email),
        submission=submission,
    )
    return Envelope.build(data, producer="test", correlation_id=submission_id)



@pytest.fixture
async def pipeline(namespace: Namespace) -> AsyncIterator[tuple[Bus, list[Envelope]]]:
    """Validation and scoring running; a publisher; everything reporting would receive, collected."""
    seen: list[Envelope] = []
    publisher = Bus(namespace.settings("test-publisher"), "test-publisher")
    await publisher.connect()
    async with InProcessService(VALIDATION, namespace.settings("validation")), \
            InProcessService(SCORING, namespace.settings("scoring")):
        yield publisher, seen
    await publisher.close()


async def _collect(namespace: Namespace, seen: list[Envelope], count: int) -> list[Envelope]:
    async def check() -> list[Envelope] | None:
        seen.extend(await drain(namespace))
        outcomes = [e for e in seen if e.event_type != "submission.received"]
        return outcomes if len(outcomes) >= count else None

    return await eventually(check, what=f"{count} outcome events")


async def test_a_complete_submission_is_validated_then_scored_with_an_explanation(
        namespace: Namespace, pipeline: tuple[Bus, list[Envelope]]) -> None:
    publisher, seen = pipeline
    event = received(canonical_submission())
    await publisher.publish(event)
    validated, scored = await _collect(namespace, seen, 2)
    assert validated.event_type == "submission.validated"
    assert validated.causation_id == event.event_id and validated.correlation_id == "sub_test"
    assert validated.data["lao"]["province_code"] == "36" and validated.data["lao"]["district_code"] == "3601"
    assert scored.event_type == "submission.scored"
    assert scored.causation_id == validated.event_id
    assert scored.data["rubric_version"] == "fy2568-v1"
    assert scored.data["size_group"] == "medium"
    assert 0 < scored.data["total"] <= scored.data["max_total"] == 100
    assert sum(c["points"] for c in scored.data["criteria"]) == pytest.approx(scored.data["total"])
    assert all(c["reason_th"] and c["reason_en"] for c in scored.data["criteria"])


async def test_an_ineligible_or_late_submission_is_rejected_and_not_scored(
        namespace: Namespace, pipeline: tuple[Bus, list[Envelope]]) -> None:
    publisher, seen = pipeline
    tambon = canonical_submission(2, lao={"name": "องค์การบริหารส่วนตำบลโนนสะอาด", "type": "องค์การบริหารส่วนตำบล",
                                          "province": "ชัยภูมิ", "district": "เมืองชัยภูมิ"})
    late = canonical_submission(3, submitted_at="2025-11-25T16:00:01Z")  # 23:00:01 Thai time
    await publisher.publish(received(tambon, "sub_tambon"))
    await publisher.publish(received(late, "sub_late"))
    outcomes = await _collect(namespace, seen, 2)
    by_id = {e.correlation_id: e for e in outcomes}
    assert {e.event_type for e in outcomes} == {"submission.rejected"}
    assert "LAO_TYPE_NOT_ELIGIBLE" in [i["code"] for i in by_id["sub_tambon"].data["issues"]]
    assert "SUBMITTED_LATE" in [i["code"] for i in by_id["sub_late"].data["issues"]]


async def test_a_fixable_submission_is_returned_with_every_issue_in_thai_and_english(
        namespace: Namespace, pipeline: tuple[Bus, list[Envelope]]) -> None:
    publisher, seen = pipeline
    body = canonical_submission(4, projects=[], dimensions=[])
    body["lao"] = {**body["lao"], "district": "ไม่มีอำเภอนี้"}
    body["contact"] = {"name": "สมชาย ใจดี", "email": "not-an-email"}
    await publisher.publish(received(body))
    (returned,) = await _collect(namespace, seen, 1)
    assert returned.event_type == "submission.returned"
    issues = {i["code"]: i for i in returned.data["issues"]}
    assert {"DISTRICT_UNKNOWN", "CONTACT_EMAIL_INVALID", "PROJECTS_MISSING", "DIMENSIONS_MISSING"} <= set(issues)
    assert all(i["message_th"] and i["message_en"] and i["field"] for i in issues.values())


async def test_the_same_received_event_twice_gives_one_verdict_and_one_score(
        namespace: Namespace, pipeline: tuple[Bus, list[Envelope]]) -> None:
    publisher, seen = pipeline
    event = received(canonical_submission(5))
    await publisher.publish(event)
    await _collect(namespace, seen, 2)
    await publisher.publish(event)  # redelivery of the very same event
    await eventually(lambda: _drained_twice(namespace, seen), what="the duplicate to be handled")
    types = [e.event_type for e in seen if e.event_type != "submission.received"]
    assert types == ["submission.validated", "submission.scored"]


async def _drained_twice(namespace: Namespace, seen: list[Envelope]) -> bool | None:
    # The duplicate reaches reporting's queue too; once it is there, validation has seen it as well.
    seen.extend(await drain(namespace))
    received_copies = [e for e in seen if e.event_type == "submission.received"]
    if len(received_copies) < 2:
        return None
    await asyncio.sleep(0.5)  # give validation's handler the time to (not) publish a second verdict
    seen.extend(await drain(namespace))
    return True
