"""What production settings keep from an anonymous caller, on every service running on a real socket with the
real broker and store: the API's description (/docs, /redoc, /openapi.json) is not served, /metrics wants its
token (or an explicit METRICS_PUBLIC=true), and the internal read APIs — scoring's scores and rankings,
validation's outcomes, notification's delivery log, directory, schedule and progress — answer 401 without
INTERNAL_READ_TOKEN (or the service's admin token) and 200 with it. Health stays open; development and test
settings are left as they were."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from services.intake.service import SPEC as INTAKE
from services.notification.service import SPEC as NOTIFICATION
from services.reporting.service import SPEC as REPORTING
from services.scoring.service import SPEC as SCORING
from services.validation.service import SPEC as VALIDATION
from shared.bus import Bus
from shared.runtime import ServiceSpec
from tests.integration.scoring_fixtures import validated
from tests.integration.test_validation_scoring import received
from tests.support import InProcessService, Namespace, canonical_submission, eventually

READ_TOKEN = "internal-read-token-for-tests-0001"
METRICS_TOKEN = "metrics-token-for-tests-00000001"
ADMIN_TOKEN = "service-admin-token-for-tests-001"
DIGEST_KEY = "digest-key-of-the-read-protection-tests-0001"  # production requires one (32+ characters)
SPECS = {"intake": INTAKE, "validation": VALIDATION, "scoring": SCORING, "notification": NOTIFICATION,
         "reporting": REPORTING}


def production(namespace: Namespace, service: str, **extra: Any) -> Any:
    """A service's settings as in production (its senders and readers must authenticate there)."""
    return namespace.settings(service, environment="production", intake_auth_required=True,
                              reporting_auth_required=True, token_digest_key=DIGEST_KEY, **extra)


@contextlib.asynccontextmanager
async def running(spec: ServiceSpec, settings: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with InProcessService(spec, settings) as service, \
            httpx.AsyncClient(base_url=service.url, timeout=10) as client:
        yield client


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


@pytest.mark.parametrize("service", list(SPECS))
async def test_in_production_the_api_description_is_off_and_metrics_need_a_token(namespace: Namespace,
                                                                                 service: str) -> None:
    async with running(SPECS[service], production(namespace, service)) as client:
        docs = {path: (await client.get(path)).status_code for path in ("/docs", "/redoc", "/openapi.json")}
        metrics = await client.get("/metrics")
        live = await client.get("/health/live")
        ready = await client.get("/health/ready")
    assert docs == {"/docs": 404, "/redoc": 404, "/openapi.json": 404}
    assert metrics.status_code == 403
    assert metrics.json()["error"] == "metrics_disabled" and "METRICS_TOKEN" in metrics.json()["message_th"]
    assert "smartcity_" not in metrics.text
    assert (live.status_code, ready.status_code) == (200, 200)


async def test_with_a_metrics_token_only_its_holder_scrapes(namespace: Namespace) -> None:
    settings = production(namespace, "notification", metrics_token=METRICS_TOKEN, metrics_public=True)
    async with running(NOTIFICATION, settings) as client:
        anonymous = await client.get("/metrics")
        wrong = await client.get("/metrics", headers=bearer("metrics-token-for-tests-00000002"))
        scraper = await client.get("/metrics", headers=bearer(METRICS_TOKEN))
    for refused in (anonymous, wrong):
        assert refused.status_code == 401, refused.text
        assert refused.headers["www-authenticate"] == "Bearer"
        assert refused.json()["message_th"] and refused.json()["message_en"]
        assert "smartcity_" not in refused.text
    assert scraper.status_code == 200 and "smartcity_http_requests_total" in scraper.text


async def test_metrics_public_and_api_docs_enabled_open_them_in_production_on_purpose(namespace: Namespace) -> None:
    settings = production(namespace, "validation", metrics_public=True, api_docs_enabled=True)
    async with running(VALIDATION, settings) as client:
        metrics = await client.get("/metrics")
        openapi = await client.get("/openapi.json")
        docs = await client.get("/docs")
    assert metrics.status_code == 200 and "smartcity_" in metrics.text
    assert openapi.status_code == 200 and "/v1/validations/{submission_id}" in openapi.json()["paths"]
    assert docs.status_code == 200


async def test_scoring_scores_and_rankings_need_a_credential_in_production(namespace: Namespace) -> None:
    settings = production(namespace, "scoring", internal_read_token=READ_TOKEN, scoring_admin_token=ADMIN_TOKEN)
    publisher = Bus(namespace.settings("test-publisher"), "test-publisher")
    await publisher.connect()
    try:
        async with running(SCORING, settings) as client:
            event = validated(1)
            await publisher.publish(event)
            scores = f"/v1/scores/{event.data['submission_id']}"

            async def scored() -> httpx.Response | None:
                response = await client.get(scores, headers=bearer(READ_TOKEN))
                return response if response.status_code == 200 else None

            with_token = await eventually(scored, what="the score, read with the internal read token")
            paths = [scores, "/v1/campaigns/fy2568/rankings",
                     "/v1/campaigns/fy2568/rankings/compare?from=fy2568-v1&to=fy2568-v1"]
            anonymous = {path: await client.get(path) for path in paths}
            wrong = {path: (await client.get(path, headers=bearer("not-the-read-token-0000"))).status_code
                     for path in paths}
            reader = {path: (await client.get(path, headers=bearer(READ_TOKEN))).status_code for path in paths}
            admin = {path: (await client.get(path, headers=bearer(ADMIN_TOKEN))).status_code for path in paths}
            open_routes = {path: (await client.get(path)).status_code
                           for path in ("/v1/rubrics", "/v1/campaigns/fy2568/rubric")}
    finally:
        await publisher.close()
    assert with_token.json()[0]["submission_id"] == event.data["submission_id"]
    for path, response in anonymous.items():
        assert response.status_code == 401, (path, response.text)
        assert response.headers["www-authenticate"] == "Bearer"
        assert response.json()["message_th"] and response.json()["message_en"]
        assert event.data["submission_id"] not in response.text
    assert set(wrong.values()) == {401}
    assert set(reader.values()) == {200} and set(admin.values()) == {200}
    assert set(open_routes.values()) == {200}  # the rubric is the published rule book


async def test_validation_outcomes_need_a_credential_in_production(namespace: Namespace) -> None:
    settings = production(namespace, "validation", internal_read_token=READ_TOKEN)
    publisher = Bus(namespace.settings("test-publisher"), "test-publisher")
    await publisher.connect()
    try:
        async with running(VALIDATION, settings) as client:
            await publisher.publish(received(canonical_submission(), "sub_read_protected"))
            path = "/v1/validations/sub_read_protected"

            async def judged() -> httpx.Response | None:
                response = await client.get(path, headers=bearer(READ_TOKEN))
                return response if response.status_code == 200 else None

            with_token = await eventually(judged, what="the outcome, read with the internal read token")
            anonymous = await client.get(path)
            wrong = await client.get(path, headers=bearer("not-the-read-token-0000"))
            rules = await client.get("/v1/rules")
    finally:
        await publisher.close()
    assert with_token.json()[0]["revision"] == 1
    assert (anonymous.status_code, wrong.status_code) == (401, 401)
    assert anonymous.json()["error"] == "unauthorized" and anonymous.json()["message_th"]
    assert rules.status_code == 200


async def test_the_delivery_log_directory_schedule_and_progress_need_a_credential_in_production(
        namespace: Namespace) -> None:
    settings = production(namespace, "notification", internal_read_token=READ_TOKEN,
                          notification_admin_token=ADMIN_TOKEN)
    paths = ["/v1/notifications", "/v1/notifications?campaign=fy2568", "/v1/directory", "/v1/schedule",
             "/v1/campaigns/fy2568/progress"]
    async with running(NOTIFICATION, settings) as client:
        anonymous = {path: await client.get(path) for path in paths}
        reader = {path: await client.get(path, headers=bearer(READ_TOKEN)) for path in paths}
        admin = {path: (await client.get(path, headers=bearer(ADMIN_TOKEN))).status_code for path in paths}
    for path, response in anonymous.items():
        assert response.status_code == 401, (path, response.text)
        assert response.json()["message_th"] and response.json()["message_en"]
    assert {path: r.status_code for path, r in reader.items()} == dict.fromkeys(paths, 200)
    assert reader["/v1/notifications"].json()["notifications"] == []
    assert set(admin.values()) == {200}


@pytest.mark.parametrize(("service", "path"), [("scoring", "/v1/campaigns/fy2568/rankings"),
                                               ("validation", "/v1/validations/sub_x"),
                                               ("notification", "/v1/notifications")])
async def test_production_without_any_read_token_refuses_internal_reads(namespace: Namespace, service: str,
                                                                        path: str) -> None:
    async with running(SPECS[service], production(namespace, service)) as client:
        anonymous = await client.get(path)
        guessing = await client.get(path, headers=bearer("anything-at-all-000000"))
    for response in (anonymous, guessing):
        assert response.status_code == 403, response.text
        assert response.json()["error"] == "reads_disabled"
        assert "INTERNAL_READ_TOKEN" in response.json()["message_th"]


async def test_outside_production_reads_stay_open_unless_a_read_token_is_set(namespace: Namespace) -> None:
    async with running(NOTIFICATION, namespace.settings("notification")) as client:
        open_log = await client.get("/v1/notifications")
        open_docs = await client.get("/openapi.json")
        open_metrics = await client.get("/metrics")
    guarded = namespace.settings("notification", internal_read_token=READ_TOKEN)
    async with running(NOTIFICATION, guarded) as client:
        anonymous = await client.get("/v1/notifications")
        reader = await client.get("/v1/notifications", headers=bearer(READ_TOKEN))
    assert (open_log.status_code, open_docs.status_code, open_metrics.status_code) == (200, 200, 200)
    assert (anonymous.status_code, reader.status_code) == (401, 200)
