"""The Apps Script connector itself (deploy/google-forms/Code.gs), run in Node.js on the stand-ins for Google's
services (deploy/google-forms/stand-ins/), posting to the real intake: intake must accept its signature and read
its answers, and the form's edit link it sends must reach the applicant when the response is returned for
correction. Its reconciliation, quotas and failures are proven by its own Node tests
(tests/integration/test_google_forms_script.py). Skipped where Node.js is not installed."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import time
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from services.intake.service import SPEC
from services.notification.service import SPEC as NOTIFICATION
from services.validation.service import SPEC as VALIDATION
from shared.events import Envelope
from tests.support import ROOT, InProcessService, Namespace, SmtpSink, drain, eventually

CONNECTOR = ROOT / "deploy" / "google-forms"
SECRET = "connector-secret-for-reference-form"
NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(NODE is None, reason="Node.js (node) is not installed: the Apps Script runs in it")

# A form on the stand-ins: the connector installed (setup), then each step, then what was sent and answered.
HARNESS = r"""
const fs = require('fs');
const { AppsScript } = require(process.argv[1]);
const input = JSON.parse(fs.readFileSync(0, 'utf8'));
const apps = new AppsScript({ startAt: Date.now(), submitTriggersFire: input.fire, editable: input.editable,
                              properties: { INTAKE_URL: input.url, INTAKE_SECRET: input.secret } });
input.items.forEach((item) => apps.addItem(item.title, item.type));
const setup = apps.run('setup');
const editUrls = {};
for (const step of input.steps) {
  apps.advance(1000);
  if (step.submit) {
    const r = step.submit;
    const response = apps.submit(r.id, r.answers, { email: r.email, timestamp: Date.parse(r.timestamp) });
    editUrls[r.id] = apps.editUrl(response);
  } else {
    apps.run(step.run);
  }
}
process.stdout.write(JSON.stringify({
  fetches: apps.fetches, editUrls, logs: apps.logs, properties: Object.fromEntries(apps.properties),
  failed: [setup, ...apps.executions].filter((e) => e.error).map((e) => `${e.handler}: ${e.error}`),
}));
"""

ITEMS = [
    {"title": "ชื่อองค์กรปกครองส่วนท้องถิ่น", "type": "TEXT"},
    {"title": "ประเภทองค์กรปกครองส่วนท้องถิ่น", "type": "MULTIPLE_CHOICE"},
    {"title": "จังหวัด", "type": "LIST"},
    {"title": "ส่วนที่ 2", "type": "SECTION_HEADER"},
    {"title": "มีแผนพัฒนาเมืองอัจฉริยะที่ผ่านความเห็นชอบแล้วหรือไม่", "type": "MULTIPLE_CHOICE"},
    {"title": "ด้านของเมืองอัจฉริยะที่ดำเนินการ", "type": "CHECKBOX"},
    {"title": "โครงการที่ 1: ชื่อโครงการ", "type": "TEXT"},
    {"title": "โครงการที่ 1: งบประมาณ (บาท)", "type": "TEXT"},
    {"title": "โครงการที่ 1: ลิงก์หลักฐาน", "type": "FILE_UPLOAD"},
]
# Before the FY2568 deadline (25 Nov 2568 23:00 Thai time), so that validation judges the answers themselves.
RESPONSE = {
    "id": "2_ABaOnudTest1", "timestamp": "2025-11-25T15:41:07.123Z", "email": "saraban@bankhwao.go.th",
    "answers": {"ชื่อองค์กรปกครองส่วนท้องถิ่น": "ทต. บ้านเขว้า", "ประเภทองค์กรปกครองส่วนท้องถิ่น": "เทศบาลตำบล",
                "จังหวัด": "ชัยภูมิ", "มีแผนพัฒนาเมืองอัจฉริยะที่ผ่านความเห็นชอบแล้วหรือไม่": "ใช่",
                "ด้านของเมืองอัจฉริยะที่ดำเนินการ": ["สิ่งแวดล้อมอัจฉริยะ", "การดำรงชีวิตอัจฉริยะ"],
                "โครงการที่ 1: ชื่อโครงการ": "ตลาดชุมชนออนไลน์", "โครงการที่ 1: งบประมาณ (บาท)": "๑.๕ ล้านบาท",
                "โครงการที่ 1: ลิงก์หลักฐาน": ["1AbCdEfFileId"]},
}


def run_connector(url: str, steps: list[dict[str, Any]], *, fire: bool = True, editable: bool = True
                  ) -> dict[str, Any]:
    """Runs the connector on the stand-ins (in a thread: the intake it posts to runs in this event loop)."""
    assert NODE is not None
    payload = {"url": f"{url}/v1/forms/reference-form/responses", "secret": SECRET, "items": ITEMS,
               "steps": steps, "fire": fire, "editable": editable}
    done = subprocess.run([NODE, "-e", HARNESS, str(CONNECTOR / "stand-ins" / "apps-script.js")],
                          input=json.dumps(payload), capture_output=True, text=True, timeout=60, check=True)
    result: dict[str, Any] = json.loads(done.stdout)
    assert result["failed"] == []
    return result


def _secured(namespace: Namespace, **extra: Any) -> InProcessService:
    return InProcessService(SPEC, namespace.settings(
        "intake", intake_auth_required=True, intake_form_secrets=SecretStr(f"reference-form={SECRET}"), **extra))


async def _key(intake: InProcessService) -> str:
    key: str = await intake.component.state.api_keys.create(f"reader-{id(intake)}", ("read",))
    return key


async def test_what_the_connector_posts_on_submit_is_accepted_and_read_by_intake(namespace: Namespace) -> None:
    async with _secured(namespace) as intake, httpx.AsyncClient(base_url=intake.url) as client:
        sent = await asyncio.to_thread(run_connector, intake.url, [{"submit": RESPONSE}])
        [request] = sent["fetches"]
        assert request["handler"] == "onFormSubmit" and request["status"] == 202, request.get("answer")
        body = request["body"]
        assert body["response_id"] == "2_ABaOnudTest1" and body["timestamp"] == "2025-11-25T15:41:07.123Z"
        assert body["answers"]["โครงการที่ 1: ลิงก์หลักฐาน"] == ["https://drive.google.com/open?id=1AbCdEfFileId"]
        assert "ส่วนที่ 2" not in body["answers"]
        assert body["edit_url"] == sent["editUrls"]["2_ABaOnudTest1"]
        assert request["headers"]["X-Smartcity-Signature"].startswith("sha256=")
        assert request["payloadIsBytes"] and request["contentType"] == "application/json; charset=utf-8"

        status_url = request["answer"]["status_url"]
        stored = (await client.get(f"{status_url}/revisions/1", headers={"X-API-Key": await _key(intake)})).json()
        canonical = stored["canonical"]
        assert canonical["lao"]["name"] == "เทศบาลตำบลบ้านเขว้า"
        assert canonical["projects"][0]["budget_thb"] == 1500000
        assert canonical["projects"][0]["evidence_urls"] == ["https://drive.google.com/open?id=1AbCdEfFileId"]
        assert canonical["contact"]["email"] == "saraban@bankhwao.go.th"
        assert stored["edit_url"] == body["edit_url"]
        assert not any("viewform?edit2=" in line for line in sent["logs"]), "the edit link is personal: never logged"


async def test_the_edit_link_the_connector_sends_reaches_the_returned_event_and_the_applicants_email(
        namespace: Namespace, smtp: SmtpSink) -> None:
    """Connector → intake → validation (real broker) → submission.returned with the link → notification → the
    applicant's e-mail: the loop the edit link closes."""
    incomplete = {**RESPONSE, "id": "2_ABaOnudTest2",
                  "answers": {k: v for k, v in RESPONSE["answers"].items() if not k.startswith("ด้าน")}}
    async with _secured(namespace) as intake, \
            InProcessService(VALIDATION, namespace.settings("validation")), \
            InProcessService(NOTIFICATION, namespace.settings("notification", smtp_port=smtp.port)):
        sent = await asyncio.to_thread(run_connector, intake.url, [{"submit": incomplete}])
        edit_url = sent["editUrls"]["2_ABaOnudTest2"]
        seen: list[Envelope] = []

        async def returned() -> Envelope | None:
            seen.extend(await drain(namespace))
            return next((e for e in seen if e.event_type == "submission.returned"), None)

        event = await eventually(returned, what="submission.returned")
        assert "DIMENSIONS_MISSING" in [issue["code"] for issue in event.data["issues"]]
        assert event.data["edit_url"] == edit_url

        async def mailed() -> str | None:
            for message in smtp.to("saraban@bankhwao.go.th"):
                text = message.get_payload(decode=True).decode(message.get_content_charset() or "utf-8")
                if edit_url in text:
                    return text
            return None

        text = await eventually(mailed, what="the returned e-mail with the edit link")
        assert text.index("(dimensions)") < text.index(edit_url)


async def test_a_form_that_does_not_allow_editing_sends_no_edit_link(namespace: Namespace) -> None:
    async with _secured(namespace) as intake:
        sent = await asyncio.to_thread(run_connector, intake.url, [{"submit": RESPONSE}], editable=False)
        [request] = sent["fetches"]
        assert request["status"] == 202 and "edit_url" not in request["body"]


async def test_the_backfill_resends_every_response_and_intake_creates_nothing_twice(namespace: Namespace) -> None:
    second = {**RESPONSE, "id": "2_ABaOnudTest3", "timestamp": "2025-11-25T16:00:00.000Z",
              "answers": {**RESPONSE["answers"], "ชื่อองค์กรปกครองส่วนท้องถิ่น": "ทม.ชัยภูมิ",
                          "ประเภทองค์กรปกครองส่วนท้องถิ่น": "เทศบาลเมือง"}}
    async with _secured(namespace) as intake:
        started = time.monotonic()
        sent = await asyncio.to_thread(run_connector, intake.url, [
            {"submit": RESPONSE}, {"submit": second}, {"run": "backfill"}, {"run": "backfill"}], fire=False)
        by_run = [(f["execution"], f["body"]["response_id"], f["status"]) for f in sent["fetches"]]
        first_run, second_run = sorted({execution for execution, _, _ in by_run})
        assert [(r, s) for e, r, s in by_run if e == first_run] == [("2_ABaOnudTest1", 202), ("2_ABaOnudTest3", 202)]
        assert [(r, s) for e, r, s in by_run if e == second_run] == [("2_ABaOnudTest1", 200), ("2_ABaOnudTest3", 200)]
        assert await intake.component.state.store.revisions.count_documents({}) == 2
        assert time.monotonic() - started < 30


def test_the_connector_readme_walks_an_official_through_every_step() -> None:
    readme = (CONNECTOR / "README.md").read_text(encoding="utf-8")
    for step in ("INTAKE_URL", "INTAKE_SECRET", "setup", "testConnection", "reconcile", "backfill", "showFailed",
                 "retryFailed"):
        assert f"`{step}`" in readme, step
    # Every answer intake can give, with what the script does about it.
    for answer in ("202", "200", "3xx", "401", "403", "404", "413", "422", "429", "5xx", "signature_invalid",
                   "signature_replayed", "timestamp_expired", "source_not_enabled", "mapping_unknown",
                   "body_too_large", "Retry-After"):
        assert answer in readme, answer
    # Which account, and what happens when its owner leaves.
    for topic in ("Google Workspace", "Quotas for Google Services", "90", "20,000", "100,000", "1,500"):
        assert topic in readme, topic
