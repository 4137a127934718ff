"""Limits with clear errors: body size (413), projects and field lengths (422), per-sender rate (429)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx

from services.intake.examples import FORM_RESPONSE
from services.intake.service import SPEC
from tests.support import InProcessService, Namespace, canonical_submission


async def _chunks(total: int) -> AsyncIterator[bytes]:
    yield b'{"campaign": "fy2568", "partners": ["'
    for _ in range(total // 10_000):
        yield b"x" * 10_000
    yield b'"]}'


async def test_a_body_over_the_limit_is_refused_with_413_whether_or_not_it_says_its_length(
        namespace: Namespace) -> None:
    async with InProcessService(SPEC, namespace.settings("intake", intake_max_body_bytes=64 * 1024)) as intake, \
            httpx.AsyncClient(base_url=intake.url) as client:
        announced = await client.post("/v1/submissions", content=b"{" + b" " * 70_000 + b"}",
                                      headers={"content-type": "application/json"})
        assert announced.status_code == 413
        assert announced.json()["message_th"] == "ข้อมูลที่ส่งมามีขนาดใหญ่เกิน 64 KB"
        chunked = await client.post("/v1/forms/reference-form/responses", content=_chunks(200_000),
                                    headers={"content-type": "application/json"})
        assert "content-length" not in chunked.request.headers
        assert chunked.status_code == 413
        assert chunked.json()["error"] == "body_too_large"
        # A real form response is far below the limit.
        assert (await client.post("/v1/forms/reference-form/responses", json=FORM_RESPONSE)).status_code == 202


async def test_an_import_over_its_own_limit_is_refused_with_413(namespace: Namespace) -> None:
    settings = namespace.settings("intake", intake_max_import_bytes=100_000)
    async with InProcessService(SPEC, settings) as intake, httpx.AsyncClient(base_url=intake.url) as client:
        refused = await client.post("/v1/imports", data={"mapping": "reference-form"},
                                    files={"file": ("big.csv", b"a,b\r\n" * 30_000)})
        assert refused.status_code == 413
        assert refused.json()["message_en"] == "The request body is larger than 97 KB."


async def test_too_many_projects_and_too_long_answers_are_kept_and_name_each_field(namespace: Namespace) -> None:
    """Over a limit of the form is an answer to correct, not a reason to turn the response away: six projects
    where five fit keep the first five, a too-long answer is left out and quoted. Only an answer beyond what any
    form can send (the raw limit per answer) makes the request something other than a response."""
    six = canonical_submission(projects=[{"name": f"โครงการ {i}"} for i in range(6)])
    long = canonical_submission(projects=[{"name": "โครงการ", "description": "ข" * 2001}])
    long["lao"] = {**long["lao"], "name": "ก" * 201}
    async with InProcessService(SPEC, namespace.settings("intake")) as intake, \
            httpx.AsyncClient(base_url=intake.url) as client:
        kept = await client.post("/v1/submissions", json=six)
        assert kept.status_code == 202, kept.text
        [problem] = kept.json()["problems"]
        assert (problem["field"], problem["code"]) == ("projects", "answer_too_long")
        assert problem["message_th"].startswith("มีได้ไม่เกิน 5 รายการ")
        stored = await intake.component.state.store.revisions.find_one(
            {"submission_id": kept.json()["submission_id"]})
        assert [p["name"] for p in stored["canonical"]["projects"]] == [f"โครงการ {i}" for i in range(5)]

        kept = await client.post("/v1/submissions", json=long)
        assert kept.status_code == 202, kept.text
        problems = {p["field"]: p for p in kept.json()["problems"]}
        assert problems["lao.name"]["message_th"].startswith("ยาวเกิน 200 ตัวอักษร")
        assert problems["projects[0].description"]["message_th"].startswith("ยาวเกิน 2000 ตัวอักษร")
        assert problems["lao.name"]["message_en"].startswith("String should have at most 200 characters")
        assert {p["code"] for p in problems.values()} == {"answer_too_long"}

        answers = {**FORM_RESPONSE["answers"], "ชื่อองค์กรปกครองส่วนท้องถิ่น": "ค" * 10_001}
        too_long = await client.post("/v1/forms/reference-form/responses", json={**FORM_RESPONSE, "answers": answers})
        assert too_long.status_code == 422
        assert too_long.json()["errors"][0]["message_th"].startswith("ยาวเกิน")


async def test_a_sender_over_its_rate_gets_429_with_retry_after_and_others_do_not(namespace: Namespace) -> None:
    settings = namespace.settings("intake", intake_rate_per_second=0.2, intake_rate_burst=3)
    async with InProcessService(SPEC, settings) as intake, httpx.AsyncClient(base_url=intake.url) as client:
        answers = [await client.get("/v1/submissions/sub_none") for _ in range(4)]
        assert [a.status_code for a in answers] == [404, 404, 404, 429]
        limited = answers[-1]
        assert int(limited.headers["Retry-After"]) == 5
        assert limited.json()["error"] == "rate_limited"
        assert "5 วินาที" in limited.json()["message_th"] and "retry after 5 s" in limited.json()["message_en"]

        # Another sender has its own bucket.
        key = await intake.component.state.api_keys.create("other-client")
        assert (await client.get("/v1/submissions/sub_none", headers={"X-API-Key": key})).status_code == 404
