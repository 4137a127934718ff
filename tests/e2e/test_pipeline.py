"""End to end: HTTP in at intake, every service its own process, results out of reporting's API and
e-mails out over SMTP."""

from __future__ import annotations

import asyncio
from typing import Any

import aio_pika
import httpx
import pytest

from shared.bus import Bus
from shared.topology import CONSUMERS, Names
from tests.e2e.conftest import System
from tests.support import canonical_submission, eventually, municipality_submission

pytestmark = pytest.mark.e2e


async def _national(client: httpx.AsyncClient, system: System) -> dict[str, Any]:
    response = await client.get(f"{system.url('reporting')}/v1/campaigns/fy2568/national")
    response.raise_for_status()
    body: dict[str, Any] = response.json()
    return body


async def test_submissions_flow_from_intake_to_reporting_and_the_applicants_hear_of_it(system: System) -> None:
    intake = system.url("intake")
    tambon = canonical_submission(901, lao={"name": "องค์การบริหารส่วนตำบลโนนสะอาด", "type": "อบต.",
                                            "province": "ชัยภูมิ", "district": "เมืองชัยภูมิ"})
    tambon["contact"] = {**tambon["contact"], "email": "tambon@example.go.th"}
    incomplete = municipality_submission(3, projects=[])  # เทศบาลนครขอนแก่น, no project: returned
    bodies = [municipality_submission(i) for i in (0, 1, 5, 7)] + [tambon, incomplete]
    async with httpx.AsyncClient(timeout=10) as client:
        accepted = []
        for body in bodies:
            response = await client.post(f"{intake}/v1/submissions", json=body)
            assert response.status_code == 202, response.text
            accepted.append(response.json())
        again = await client.post(f"{intake}/v1/submissions", json=bodies[0])
        assert again.status_code == 200 and again.json()["submission_id"] == accepted[0]["submission_id"]

        async def settled() -> dict[str, Any] | None:
            national = await _national(client, system)
            counts = national["counts"]
            done = counts["scored"] == 4 and counts["rejected"] == 1 and counts["returned"] == 1
            return national if done and national["submissions"] == 6 else None

        national = await eventually(settled, timeout=60, what="six submissions settled in reporting")
        assert national["counts"]["received"] == national["counts"]["validated"] == 0

        chaiyaphum = (await client.get(f"{system.url('reporting')}/v1/campaigns/fy2568/provinces/36")).json()
        assert chaiyaphum["province_name_th"] == "ชัยภูมิ"
        assert chaiyaphum["submissions"] == 3  # two municipalities and the อบต.
        view = (await client.get(f"{system.url('reporting')}/v1/submissions/{accepted[0]['submission_id']}")).json()
        assert view["status"] == "scored" and view["current_revision"] == 1
        assert view["score"]["rubric_version"] == "fy2568-v1"
        assert {c["key"] for c in view["score"]["criteria"]} >= {"has_plan", "city_data_platform"}
        returned = (await client.get(f"{system.url('reporting')}/v1/submissions/{accepted[5]['submission_id']}")).json()
        assert "PROJECTS_MISSING" in [i["code"] for i in returned["revisions"][0]["issues"]]

        # A resubmission from the same municipality is revision 2 and supersedes revision 1 everywhere.
        revised = municipality_submission(0, source_response_id="resp-0000-b", partners=["มหาวิทยาลัยขอนแก่น"])
        second = (await client.post(f"{intake}/v1/submissions", json=revised)).json()
        assert (second["submission_id"], second["revision"]) == (accepted[0]["submission_id"], 2)

        async def revision_two_scored() -> dict[str, Any] | None:
            view = (await client.get(f"{system.url('reporting')}/v1/submissions/{second['submission_id']}")).json()
            return view if view["current_revision"] == 2 and view["status"] == "scored" else None

        view = await eventually(revision_two_scored, timeout=30, what="revision 2 scored")
        assert [r["revision"] for r in view["revisions"]] == [2, 1]
        assert (await _national(client, system))["submissions"] == 6

    # Every applicant hears of receipt and of the outcome: one e-mail each, never two.
    async def mails_in() -> bool | None:
        return len(system.smtp.to("lao0@example.go.th")) >= 4 or None

    await eventually(mails_in, timeout=30, what="e-mails for both revisions")
    assert len(system.smtp.to("lao0@example.go.th")) == 4  # received + scored, for revision 1 and 2
    assert len(system.smtp.to("tambon@example.go.th")) == 2  # received + rejected
    assert len(system.smtp.to("lao3@example.go.th")) == 2  # received + returned


async def test_the_same_events_delivered_twice_change_no_count_and_send_no_second_email(system: System) -> None:
    async with httpx.AsyncClient(timeout=10) as client:
        body = municipality_submission(8)  # เทศบาลเมืองป่าตอง
        accepted = (await client.post(f"{system.url('intake')}/v1/submissions", json=body)).json()

        async def scored() -> dict[str, Any] | None:
            view = (await client.get(f"{system.url('reporting')}/v1/submissions/{accepted['submission_id']}")).json()
            return view if view.get("status") == "scored" else None

        await eventually(scored, timeout=30, what="scored")
        await eventually(lambda: _at_least(system, "lao8@example.go.th", 2), timeout=30, what="two e-mails")
        await _quiet(client, system)  # every event of this submission handled before the snapshot
        before_national = await _national(client, system)
        before_mails = len(system.smtp.messages)
        before_view = (await client.get(f"{system.url('reporting')}/v1/submissions/{accepted['submission_id']}")).json()

        # Redeliver every event of this submission, exactly as first published (same event ids).
        events = [e for e in system.tapped if e.correlation_id == accepted["submission_id"]]
        assert {e.event_type for e in events} >= {"submission.received", "submission.validated",
                                                  "submission.scored", "notification.sent"}
        publisher = Bus(system.namespace.settings("test-publisher"), "test-publisher")
        await publisher.connect()
        try:
            for event in events:
                await publisher.publish(event)
        finally:
            await publisher.close()

        async def redelivered_everywhere() -> bool | None:
            copies = [e for e in system.tapped if e.correlation_id == accepted["submission_id"]]
            return len(copies) >= 2 * len(events) or None

        await eventually(redelivered_everywhere, timeout=30, what="the copies to be delivered")
        await _quiet(client, system)
        assert _figures(await _national(client, system)) == _figures(before_national)
        assert len(system.smtp.messages) == before_mails
        after_view = (await client.get(f"{system.url('reporting')}/v1/submissions/{accepted['submission_id']}")).json()
        assert after_view == before_view


def _figures(report: dict[str, Any]) -> dict[str, Any]:
    """A report without its timestamps: recomputing the same figures may move `updated_at`, nothing else."""
    if isinstance(report, dict):
        return {k: _figures(v) for k, v in report.items() if k != "updated_at"}
    if isinstance(report, list):
        return [_figures(v) for v in report]  # type: ignore[return-value]
    return report


async def _at_least(system: System, address: str, count: int) -> bool | None:
    return len(system.smtp.to(address)) >= count or None


async def _quiet(client: httpx.AsyncClient, system: System) -> None:
    """Wait until no service has a message in hand or in its queue (the copies are all handled)."""
    names = Names(system.namespace.name)
    connection = await aio_pika.connect(system.namespace.infra.amqp_url)
    try:
        channel = await connection.channel()
        for _ in range(100):
            depths = []
            for service in CONSUMERS:
                queue = await channel.declare_queue(names.queue(service), passive=True)
                depths.append(queue.declaration_result.message_count)
            if not any(depths):
                break
            await asyncio.sleep(0.1)
    finally:
        await connection.close()
    await asyncio.sleep(1.0)  # messages in hand (unacked) are not in the count: let them finish
