"""Intake against the real broker and store, over HTTP on a socket."""

from __future__ import annotations

from typing import Any

import httpx

from services.intake.service import SPEC
from tests.support import InProcessService, Namespace, canonical_submission, drain, eventually


async def test_the_same_post_twice_makes_one_submission_and_one_event(namespace: Namespace) -> None:
    async with InProcessService(SPEC, namespace.settings("intake")) as intake, \
            httpx.AsyncClient(base_url=intake.url) as client:
        first = await client.post("/v1/submissions", json=canonical_submission())
        second = await client.post("/v1/submissions", json=canonical_submission())
        assert first.status_code == 202, first.text
        assert second.status_code == 200, second.text
        assert first.json()["submission_id"] == second.json()["submission_id"]
        assert second.json()["duplicate"] is True
        assert second.json()["revision"] == first.json()["revision"] == 1

        history = (await client.get(first.json()["status_url"])).json()
        assert [r["revision"] for r in history["revisions"]] == [1]

        events = await eventually(lambda: _non_empty(drain(namespace, "validation")), what="event")
        assert [e.event_type for e in events] == ["submission.received"]
        assert events[0].correlation_id == first.json()["submission_id"]


async def _non_empty(coro: Any) -> Any:
    result = await coro
    return result or None


async def test_a_new_response_from_the_same_lao_is_a_new_revision(namespace: Namespace) -> None:
    async with InProcessService(SPEC, namespace.settings("intake")) as intake, \
            httpx.AsyncClient(base_url=intake.url) as client:
        first = (await client.post("/v1/submissions", json=canonical_submission(1))).json()
        # Same LAO written with the abbreviation, a different response: the next revision of one application.
        later = canonical_submission(2, lao={**canonical_submission()["lao"], "name": "ทม. ชัยภูมิ"},
                                     partners=["มหาวิทยาลัยราชภัฏชัยภูมิ"])
        second = (await client.post("/v1/submissions", json=later)).json()
        assert second["submission_id"] == first["submission_id"]
        assert second["revision"] == 2
        assert second["supersedes"] == 1


async def test_a_new_response_with_the_same_answers_as_the_latest_revision_is_a_duplicate(
        namespace: Namespace) -> None:
    """Sent twice under two response ids (or by the connector and the CSV import): one revision, not two."""
    async with InProcessService(SPEC, namespace.settings("intake")) as intake, \
            httpx.AsyncClient(base_url=intake.url) as client:
        first = (await client.post("/v1/submissions", json=canonical_submission(1))).json()
        same = canonical_submission(2, lao={**canonical_submission()["lao"], "name": "ทม. ชัยภูมิ",
                                            "province": "จ.ชัยภูมิ"})
        again = await client.post("/v1/submissions", json=same)
        assert again.status_code == 200
        assert (again.json()["submission_id"], again.json()["revision"], again.json()["duplicate"]) == (
            first["submission_id"], 1, True)


async def test_an_edited_form_response_keeps_its_id_and_becomes_a_new_revision(namespace: Namespace) -> None:
    async with InProcessService(SPEC, namespace.settings("intake")) as intake, \
            httpx.AsyncClient(base_url=intake.url) as client:
        first = (await client.post("/v1/submissions", json=canonical_submission(7))).json()
        edited = canonical_submission(7, partners=["มหาวิทยาลัยราชภัฏชัยภูมิ"])
        second = (await client.post("/v1/submissions", json=edited)).json()
        assert (second["submission_id"], second["revision"], second["duplicate"]) == (
            first["submission_id"], 2, False)


async def test_a_response_with_bad_answers_is_kept_and_each_answer_is_named_in_thai_and_english(
        namespace: Namespace) -> None:
    """A real response is never turned away: each answer that cannot be taken is named with what was written,
    and the response goes on to validation, which returns it for correction. 422 is only for a request that is
    not a response (here: a campaign that does not exist)."""
    body = canonical_submission()
    body["lao"] = {"name": "", "code": "12345", "province": "ชัยภูมิ"}
    body["readiness"] = {"has_plan": "บางที"}
    body["projects"] = [{"name": "ก", "budget_thb": "ไม่ทราบ"}]
    async with InProcessService(SPEC, namespace.settings("intake")) as intake, \
            httpx.AsyncClient(base_url=intake.url) as client:
        response = await client.post("/v1/submissions", json=body)
        assert response.status_code == 202, response.text
        answer = response.json()
        assert answer["revision"] == 1 and answer["current"] is True
        problems = {p["field"]: p for p in answer["problems"]}
        assert set(problems) == {"lao.code", "readiness.has_plan", "projects[0].budget_thb"}
        for problem in problems.values():
            assert problem["message_th"] and problem["message_en"]
        assert problems["readiness.has_plan"]["message_th"] == "ต้องตอบ ใช่ หรือ ไม่ใช่ — เขียนไว้ว่า “บางที”"
        assert problems["readiness.has_plan"]["written"] == "บางที"
        assert problems["projects[0].budget_thb"]["written"] == "ไม่ทราบ"

        events = await drain(namespace, "validation")
        assert [e.event_type for e in events] == ["submission.received"]
        kept = {p["field"]: p for p in events[0].data["submission"]["answer_problems"]}
        assert kept["lao.code"]["written"] == "12345"
        assert kept["readiness.has_plan"]["code"] == "choice_unknown"

        unknown = await client.post("/v1/submissions", json=canonical_submission(campaign="fy2999"))
        assert unknown.status_code == 422
        assert unknown.json()["errors"][0]["field"] == "campaign"
        assert await drain(namespace, "validation") == []


async def test_an_oversized_body_is_refused_with_413(namespace: Namespace) -> None:
    async with InProcessService(SPEC, namespace.settings("intake")) as intake, \
            httpx.AsyncClient(base_url=intake.url) as client:
        response = await client.post("/v1/submissions", content=b"{" + b" " * 300_000 + b"}",
                                     headers={"content-type": "application/json"})
        assert response.status_code == 413
        assert response.json()["message_th"]


async def test_events_written_while_the_broker_is_unreachable_are_published_later(namespace: Namespace) -> None:
    """The outbox: the state and its event are one write; the relay publishes whenever it can."""
    async with InProcessService(SPEC, namespace.settings("intake")) as intake, \
            httpx.AsyncClient(base_url=intake.url) as client:
        relay = intake.context.relay
        await relay.stop(grace_seconds=5)  # as if the process died right after the write
        accepted = (await client.post("/v1/submissions", json=canonical_submission(3))).json()
        stored = await intake.component.state.store.revisions.find_one(
            {"submission_id": accepted["submission_id"]})
        assert len(stored["outbox"]) == 1 and stored["outbox_pending"] is True
        assert await drain(namespace, "validation") == []

        published = await relay.flush()  # what a restarted relay does at its first pass
        assert published == 1
        events = await drain(namespace, "validation")
        assert [e.data["submission_id"] for e in events] == [accepted["submission_id"]]
        stored = await intake.component.state.store.revisions.find_one(
            {"submission_id": accepted["submission_id"]})
        assert stored["outbox"] == [] and "outbox_pending" not in stored
