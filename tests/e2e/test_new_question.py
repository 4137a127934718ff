"""A form grows a question next year: an intake deployed with it announces submissions whose event carries
fields that the running validation, scoring, notification and reporting have never heard of — in the event,
in the submission, in its LAO, in each project. They must go on as before: validated, scored, the applicant
told, the offices' views updated, nothing dead-lettered.

The newer intake is played here by publishing exactly what today's intake publishes for a response (built with
intake's own model and identity), widened with the new answers, on the real bus to the real consumers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import aio_pika
import httpx
import pytest

from services.intake.identity import lao_key, submission_id
from services.intake.submission import Submission
from shared.bus import Bus
from shared.events import ContactSummary, Envelope, SubmissionReceived
from shared.geo import lao_summary
from shared.thai import THAI_TZ
from shared.topology import CONSUMERS, Names
from tests.e2e.conftest import System
from tests.support import eventually, municipality_submission

pytestmark = pytest.mark.e2e


def newer_intakes_event(body: dict[str, Any]) -> Envelope:
    """What intake publishes for `body`, plus what a form with a new question would add at every level."""
    submission = Submission.model_validate(body)
    lao = lao_summary(submission.lao)
    sub_id = submission_id(submission.campaign, lao_key(submission, lao))
    event = SubmissionReceived(
        submission_id=sub_id, revision=1, campaign=submission.campaign, source=submission.source,
        source_response_id=submission.source_response_id, received_at=datetime.now(THAI_TZ), lao=lao,
        contact=ContactSummary(name=submission.contact.name, email=submission.contact.email),
        submission=submission,
    )
    envelope = Envelope.build(event, producer="intake", correlation_id=sub_id)
    data = envelope.data
    data["form_version"] = "fy2569-draft"
    data["lao"]["mayor_name"] = "นายสมศักดิ์ ตัวอย่าง"
    data["submission"]["waste_sorting_rate"] = "ร้อยละ ๔๕"
    data["submission"]["lao"]["population"] = 45_210
    data["submission"]["contact"]["line_id"] = "@smartcity"
    data["submission"]["readiness"]["ai_policy"] = True
    for project in data["submission"]["projects"]:
        project["carbon_reduction_tonnes"] = "120"
        project["sdg_goals"] = [11, 13]
    return envelope


async def dead_letters(system: System) -> dict[str, int]:
    names = Names(system.namespace.name)
    connection = await aio_pika.connect(system.namespace.infra.amqp_url)
    try:
        channel = await connection.channel()
        counts = {}
        for service in CONSUMERS:
            queue = await channel.declare_queue(names.dead_letter_queue(service), passive=True)
            counts[service] = queue.declaration_result.message_count or 0
        return counts
    finally:
        await connection.close()


async def test_a_submission_with_a_question_the_consumers_predate_is_validated_scored_notified_and_reported(
        system: System) -> None:
    body = municipality_submission(2, source_response_id="resp-new-question")
    envelope = newer_intakes_event(body)
    assert "carbon_reduction_tonnes" in str(envelope.data)
    publisher = Bus(system.namespace.settings("intake"), "intake")
    await publisher.connect()
    try:
        await publisher.publish(envelope)
    finally:
        await publisher.close()

    reporting = system.url("reporting")
    async with httpx.AsyncClient(timeout=10) as client:
        async def scored() -> dict[str, Any] | None:
            response = await client.get(f"{reporting}/v1/submissions/{envelope.correlation_id}")
            view: dict[str, Any] = response.json()
            return view if response.status_code == 200 and view.get("status") == "scored" else None

        view = await eventually(scored, timeout=60, what="the widened submission scored in reporting")
    assert view["lao"]["name"] == body["lao"]["name"]
    assert view["score"]["rubric_version"] == "fy2568-v1" and view["score"]["total"] > 0

    published = {e.event_type for e in system.tapped if e.correlation_id == envelope.correlation_id}
    assert {"submission.validated", "submission.scored", "notification.sent"} <= published

    async def told() -> bool | None:
        return len(system.smtp.to(body["contact"]["email"])) >= 2 or None

    await eventually(told, timeout=30, what="the applicant's e-mails (received, scored)")
    assert await dead_letters(system) == dict.fromkeys(CONSUMERS, 0)
