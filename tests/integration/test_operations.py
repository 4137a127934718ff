"""What operators rely on in every service: health, readiness, metrics, and a graceful SIGTERM."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import httpx

from services.intake.service import SPEC as INTAKE
from services.intake.submission import Submission
from shared.bus import Bus
from shared.events import ContactSummary, Envelope, LaoSummary, SubmissionReceived
from tests.support import ARTIFACTS, InProcessService, Namespace, ServiceProcess, eventually, municipality_submission


async def test_health_readiness_and_metrics_answer_and_readiness_follows_the_broker(namespace: Namespace) -> None:
    async with InProcessService(INTAKE, namespace.settings("intake")) as intake, \
            httpx.AsyncClient(base_url=intake.url) as client:
        assert (await client.get("/health/live")).json() == {"status": "ok", "service": "intake"}
        ready = await client.get("/health/ready")
        assert ready.status_code == 200
        assert ready.json()["checks"] == {"mongodb": True, "rabbitmq": True, "consuming": True}
        await client.post("/v1/submissions", json=municipality_submission(1))
        metrics = (await client.get("/metrics")).text
        assert 'smartcity_http_requests_total{method="POST",route="/v1/submissions",service="intake",status="202"}' \
            in metrics
        assert "smartcity_events_published_total" in metrics

        await intake.context.bus.close()  # the broker connection is gone
        not_ready = await client.get("/health/ready")
        assert not_ready.status_code == 503
        assert not_ready.json()["checks"]["rabbitmq"] is False
        assert (await client.get("/health/live")).status_code == 200


def _received(i: int) -> Envelope:
    submission = Submission.model_validate(municipality_submission(i))
    data = SubmissionReceived(
        submission_id=f"sub_graceful_{i}", revision=1, campaign="fy2568", source="api",
        source_response_id=submission.source_response_id, received_at=datetime.now(UTC),
        lao=LaoSummary(name=submission.lao.name), contact=ContactSummary(), submission=submission,
    )
    return Envelope.build(data, producer="test", correlation_id=f"sub_graceful_{i}")


async def test_sigterm_finishes_the_work_in_hand_and_a_restart_picks_up_the_rest(namespace: Namespace) -> None:
    publisher = Bus(namespace.settings("test-publisher"), "test-publisher")
    await publisher.connect()
    log_dir = ARTIFACTS / "integration" / "graceful"
    validation = ServiceProcess("validation", namespace, log_dir)
    try:
        validation.start()
        await asyncio.to_thread(validation.wait_ready)
        for i in range(60):
            await publisher.publish(_received(i))
        code = await asyncio.to_thread(validation.stop)  # SIGTERM while the queue is being worked
        assert "service stopped" in validation.logs()
        assert code in (0, -15), validation.logs()

        restarted = ServiceProcess("validation", namespace, log_dir)
        restarted.start()
        await asyncio.to_thread(restarted.wait_ready)
        async with httpx.AsyncClient(base_url=restarted.url) as client:
            async def all_validated() -> bool | None:
                for i in range(60):
                    response = await client.get(f"/v1/validations/sub_graceful_{i}")
                    if response.status_code != 200:
                        return None
                    assert len(response.json()) == 1  # exactly one verdict, never two
                return True

            await eventually(all_validated, timeout=60, what="all 60 validated exactly once")
        restarted.stop()
    finally:
        validation.kill()
        await publisher.close()
