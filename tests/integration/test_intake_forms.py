"""The Google Forms connector's endpoint against the real broker and store: raw answers keyed by question title
in, the same canonical submission as every other way out."""

from __future__ import annotations

import copy
import csv
import io
from typing import Any

import aio_pika
import httpx

from services.intake.examples import FORM_RESPONSE
from services.intake.service import SPEC
from shared.events import Envelope
from shared.topology import Names
from tests.support import InProcessService, Namespace, eventually

FORM = "/v1/forms/reference-form/responses"


async def _queued(namespace: Namespace) -> list[Envelope]:
    connection = await aio_pika.connect(namespace.infra.amqp_url)
    found = []
    try:
        channel = await connection.channel()
        queue = await channel.get_queue(Names(namespace.name).queue("validation"), ensure=False)
        while (message := await queue.get(fail=False, no_ack=True)) is not None:
            found.append(Envelope.from_bytes(message.body))
    finally:
        await connection.close()
    return found


def response(**changes: Any) -> dict[str, Any]:
    body = copy.deepcopy(FORM_RESPONSE)
    answers = changes.pop("answers", None)
    if answers is not None:
        body["answers"].update(answers)
        body["answers"] = {k: v for k, v in body["answers"].items() if v is not ...}
    body.update(changes)
    return body


def sheet_row(body: dict[str, Any], timestamp: str) -> bytes:
    """The same response as a Google Sheets export shows it: a Timestamp column, lists joined with ", "."""
    answers = {"ประทับเวลา": timestamp, "อีเมล": body["respondent_email"]}
    answers.update({title: ", ".join(v) if isinstance(v, list) else v for title, v in body["answers"].items()})
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(list(answers))
    writer.writerow(list(answers.values()))
    return text.getvalue().encode()


async def test_a_form_response_becomes_a_canonical_submission_and_its_raw_answers_are_kept(
        namespace: Namespace) -> None:
    async with InProcessService(SPEC, namespace.settings("intake")) as intake, \
            httpx.AsyncClient(base_url=intake.url) as client:
        answer = await client.post(FORM, json=response())
        assert answer.status_code == 202, answer.text
        accepted = answer.json()
        assert (accepted["revision"], accepted["duplicate"], accepted["unknown_questions"]) == (1, False, [])

        stored = (await client.get(f"{accepted['status_url']}/revisions/1")).json()
        canonical = stored["canonical"]
        assert (canonical["source"], canonical["source_response_id"]) == ("google_form", "2_ABaOnudXyz123")
        assert canonical["submitted_at"] == "2025-11-25T22:41:07+07:00"
        assert canonical["lao"] == {"name": "เทศบาลตำบลบ้านเขว้า", "code": "5360201", "type": "เทศบาลตำบล",
                                    "province": "ชัยภูมิ", "district": "บ้านเขว้า"}
        assert canonical["contact"]["phone"] == "044-891-234"
        assert canonical["contact"]["email"] == "saraban@bankhwao.go.th"
        assert canonical["readiness"] == {"has_plan": True, "plan_url": "https://bankhwao.go.th/smartcity-plan.pdf",
                                          "depa_mark": "applying", "data_platform": False}
        assert canonical["dimensions"] == ["environment", "living"]
        assert canonical["projects"][0]["budget_thb"] == 1500000
        assert canonical["projects"][0]["beneficiaries"] == 3200
        # Nothing the applicant wrote is lost: every answer as it came, beside the canonical values.
        raw = {a["title"]: a["value"] for a in stored["raw"]["answers"]}
        assert raw == FORM_RESPONSE["answers"]
        assert stored["raw"]["timestamp"] == "2025-11-25T15:41:07.123Z"

        events = await eventually(lambda: _non_empty(_queued(namespace)), what="submission.received")
        assert [(e.event_type, e.data["source"]) for e in events] == [("submission.received", "google_form")]


async def _non_empty(coro: Any) -> Any:
    return (await coro) or None


async def test_the_same_response_by_connector_and_by_csv_import_is_one_submission(namespace: Namespace) -> None:
    async with InProcessService(SPEC, namespace.settings("intake")) as intake, \
            httpx.AsyncClient(base_url=intake.url) as client:
        by_form = (await client.post(FORM, json=response())).json()
        # The sheet shows the same moment in Thai time, to the second, with a B.E. year.
        exported = sheet_row(FORM_RESPONSE, "25/11/2568, 22:41:07")
        imported = await client.post("/v1/imports", data={"mapping": "reference-form"},
                                     files={"file": ("responses.csv", exported)})
        assert imported.status_code == 200, imported.text
        summary = imported.json()
        assert (summary["imported"], summary["new_revisions"], summary["duplicates"], summary["rejected"]) == (
            0, 0, 1, 0)
        history = (await client.get(by_form["status_url"])).json()
        assert [r["source"] for r in history["revisions"]] == ["google_form"]

        # The other way round: a response imported first, then sent by the connector's backfill.
        later = response(response_id="2_ABaOnudXyz999", timestamp="2025-11-25T16:05:00.900Z",
                         answers={"ความร่วมมือกับภาคีเครือข่าย": "มหาวิทยาลัยราชภัฏชัยภูมิ"})
        first = await client.post("/v1/imports", data={"mapping": "reference-form"},
                                  files={"file": ("r.csv", sheet_row(later, "25/11/2025 23:05:00"))})
        assert first.json()["new_revisions"] == 1
        again = await client.post(FORM, json=later)
        assert again.status_code == 200
        assert (again.json()["revision"], again.json()["duplicate"]) == (2, True)


async def test_a_backfill_resending_every_response_creates_nothing_new(namespace: Namespace) -> None:
    async with InProcessService(SPEC, namespace.settings("intake")) as intake, \
            httpx.AsyncClient(base_url=intake.url) as client:
        bodies = [response(response_id=f"2_resp{i}", answers={"ชื่อองค์กรปกครองส่วนท้องถิ่น": name})
                  for i, name in enumerate(["ทต.บ้านเขว้า", "ทต.คอนสวรรค์", "ทม.ชัยภูมิ"])]
        first = [(await client.post(FORM, json=b)).status_code for b in bodies]
        again = [(await client.post(FORM, json=b)) for b in bodies]
        assert first == [202, 202, 202]
        assert [(a.status_code, a.json()["duplicate"]) for a in again] == [(200, True)] * 3
        assert await intake.component.state.store.revisions.count_documents({}) == 3


async def test_an_edited_form_response_is_a_new_revision(namespace: Namespace) -> None:
    async with InProcessService(SPEC, namespace.settings("intake")) as intake, \
            httpx.AsyncClient(base_url=intake.url) as client:
        await client.post(FORM, json=response())
        edited = response(timestamp="2025-11-25T16:00:00Z", answers={"โครงการที่ 1: งบประมาณ (บาท)": "2 ล้านบาท"})
        second = (await client.post(FORM, json=edited)).json()
        assert (second["revision"], second["supersedes"], second["duplicate"]) == (2, 1, False)


async def test_questions_the_mapping_does_not_know_are_reported_and_kept(namespace: Namespace) -> None:
    async with InProcessService(SPEC, namespace.settings("intake")) as intake, \
            httpx.AsyncClient(base_url=intake.url) as client:
        accepted = await client.post(FORM, json=response(answers={"คำถามใหม่ที่เพิ่มทีหลัง": "คำตอบ"}))
        assert accepted.status_code == 202
        assert accepted.json()["unknown_questions"] == ["คำถามใหม่ที่เพิ่มทีหลัง"]
        stored = (await client.get(f"{accepted.json()['status_url']}/revisions/1")).json()
        assert {"title": "คำถามใหม่ที่เพิ่มทีหลัง", "value": "คำตอบ"} in stored["raw"]["answers"]


async def test_a_renamed_required_question_is_kept_as_an_unknown_question_and_a_missing_answer(
        namespace: Namespace) -> None:
    """The form owner renamed a required question: the response is still a response. It is kept, the answer
    under the new title is stored as an unknown question, and the missing answer goes to validation, which
    returns the response for correction; the answer names the titles the mapping looked for."""
    body = response(answers={"จังหวัด": ..., "จังหวัดที่ตั้ง": "ชัยภูมิ"})
    async with InProcessService(SPEC, namespace.settings("intake")) as intake, \
            httpx.AsyncClient(base_url=intake.url) as client:
        kept = await client.post(FORM, json=body)
        assert kept.status_code == 202, kept.text
        [problem] = kept.json()["problems"]
        assert (problem["field"], problem["code"]) == ("lao.province", "answer_missing")
        assert problem["message_th"] and problem["message_en"]
        assert kept.json()["unknown_questions"] == ["จังหวัดที่ตั้ง"]
        [event] = await eventually(lambda: _non_empty(_queued(namespace)), what="submission.received")
        assert [p["field"] for p in event.data["submission"]["answer_problems"]] == ["lao.province"]


async def test_an_answer_that_cannot_be_read_names_its_question_in_thai_and_english(namespace: Namespace) -> None:
    body = response(answers={"โครงการที่ 1: งบประมาณ (บาท)": "รอตั้งงบ",
                             "มีแพลตฟอร์มข้อมูลเมือง (City Data Platform) หรือไม่": "กำลังทำ"})
    async with InProcessService(SPEC, namespace.settings("intake")) as intake, \
            httpx.AsyncClient(base_url=intake.url) as client:
        kept = await client.post(FORM, json=body)
        assert kept.status_code == 202, kept.text
        problems = {p["column"]: p for p in kept.json()["problems"]}
        assert set(problems) == {"โครงการที่ 1: งบประมาณ (บาท)", "มีแพลตฟอร์มข้อมูลเมือง (City Data Platform) หรือไม่"}
        budget = problems["โครงการที่ 1: งบประมาณ (บาท)"]
        assert budget["written"] == "รอตั้งงบ" and "รอตั้งงบ" in budget["message_th"]
        assert budget["message_en"].startswith("not an amount in baht")
        assert problems["มีแพลตฟอร์มข้อมูลเมือง (City Data Platform) หรือไม่"]["written"] == "กำลังทำ"
        # The outbox relay publishes after the answer: wait for it rather than race it.
        assert len(await eventually(lambda: _non_empty(_queued(namespace)), what="submission.received")) == 1

        unknown = await client.post("/v1/forms/no-such-form/responses", json=response())
        assert unknown.status_code == 404
        assert "reference-form" in unknown.json()["message_en"]


async def test_the_mappings_are_published_for_form_owners(namespace: Namespace) -> None:
    async with InProcessService(SPEC, namespace.settings("intake")) as intake, \
            httpx.AsyncClient(base_url=intake.url) as client:
        listed = (await client.get("/v1/mappings")).json()
        assert [m["name"] for m in listed] == ["reference-form"]
        one = (await client.get("/v1/mappings/reference-form")).json()
        province = next(c for c in one["columns"] if c["field"] == "lao.province")
        assert province == {"field": "lao.province", "titles": ["จังหวัด", "Province"], "required": True}
