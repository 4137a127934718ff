"""The Apps Script connector itself (deploy/google-forms/Code.gs), run in Node.js with Google's services
replaced by small stand-ins: what it would post is posted to the real intake, which must accept the signature
and read the answers. Skipped where Node.js is not installed."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from services.intake.service import SPEC
from tests.support import ROOT, InProcessService, Namespace

SCRIPT = ROOT / "deploy" / "google-forms" / "Code.gs"
SECRET = "connector-secret-for-reference-form"
NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(NODE is None, reason="Node.js is needed to run the Apps Script")

# Stand-ins for FormApp, PropertiesService, UrlFetchApp, Utilities, ScriptApp and MailApp: enough of their
# surface for Code.gs, recording every request the script makes instead of sending it.
HARNESS = r"""
const fs = require('fs'), vm = require('vm'), crypto = require('crypto');
const input = JSON.parse(fs.readFileSync(0, 'utf8'));
let clock = input.now * 1000;
const RealDate = Date;
class FakeDate extends RealDate { static now() { return clock; } }
const items = input.items.map((spec, i) => ({
  getId: () => 1000 + i, getTitle: () => spec.title, getType: () => spec.type }));
const responses = input.responses.map((spec) => ({
  getId: () => spec.id,
  getTimestamp: () => new RealDate(spec.timestamp),
  getRespondentEmail: () => spec.email,
  getItemResponses: () => Object.entries(spec.answers).map(([index, value]) => ({
    getItem: () => items[Number(index)], getResponse: () => value })),
}));
const properties = Object.assign({}, input.properties);
const requests = [];
let statuses = input.statuses.slice();
const context = {
  Date: FakeDate, JSON, Math, Number, String, Object, Array, Error,
  console: { log() {}, warn() {}, error() {} },
  FormApp: { getActiveForm: () => ({
    getItems: () => items, getResponses: () => responses, getTitle: () => 'แบบรายงาน',
    getResponse: (id) => responses.find((r) => r.getId() === id) }) },
  PropertiesService: { getScriptProperties: () => ({
    getProperty: (k) => (k in properties ? properties[k] : null),
    setProperty: (k, v) => { properties[k] = v; }, deleteProperty: (k) => { delete properties[k]; },
    getKeys: () => Object.keys(properties), getProperties: () => Object.assign({}, properties) }) },
  Utilities: {
    Charset: { UTF_8: 'UTF_8' },
    computeHmacSha256Signature: (value, key) => Array.from(
      crypto.createHmac('sha256', Buffer.from(key, 'utf8')).update(Buffer.from(value, 'utf8')).digest(),
      (b) => (b > 127 ? b - 256 : b)),  // Java bytes, as Apps Script returns them
    sleep: (ms) => { clock += ms; },
  },
  UrlFetchApp: { fetch: (url, options) => {
    requests.push({ url, headers: options.headers, body: options.payload, contentType: options.contentType });
    const status = statuses.length ? statuses.shift() : 202;
    return { getResponseCode: () => status, getContentText: () => '{}', getHeaders: () => ({}) };
  } },
  ScriptApp: { getProjectTriggers: () => [], deleteTrigger() {},
               newTrigger: () => ({ timeBased: () => ({ after: () => ({ create() {} }) }) }) },
  MailApp: { sendEmail() {} },
};
vm.createContext(context);
vm.runInContext(fs.readFileSync(input.script, 'utf8'), context);
const result = context[input.call](...(input.call === 'onFormSubmit' ? [{ response: responses[0] }] : []));
process.stdout.write(JSON.stringify({ requests, properties, result: result === undefined ? null : result }));
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
RESPONSE = {
    "id": "2_ABaOnudTest1", "timestamp": "2025-11-25T15:41:07.123Z", "email": "saraban@bankhwao.go.th",
    "answers": {"0": "ทต. บ้านเขว้า", "1": "เทศบาลตำบล", "2": "ชัยภูมิ", "4": "ใช่",
                "5": ["สิ่งแวดล้อมอัจฉริยะ", "การดำรงชีวิตอัจฉริยะ"], "6": "ตลาดชุมชนออนไลน์", "7": "๑.๕ ล้านบาท",
                "8": ["1AbCdEfFileId"]},
}


def run_script(call: str, url: str, *, now: float, statuses: list[int] | None = None,
               responses: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    assert NODE is not None
    payload = {
        "script": str(SCRIPT), "call": call, "now": now, "items": ITEMS, "responses": responses or [RESPONSE],
        "statuses": statuses or [], "properties": {"INTAKE_URL": url, "INTAKE_SECRET": SECRET},
    }
    done = subprocess.run([NODE, "-e", HARNESS], input=json.dumps(payload), capture_output=True, text=True,
                          timeout=60, check=True)
    result: dict[str, Any] = json.loads(done.stdout)
    return result


async def replay(client: httpx.AsyncClient, request: dict[str, Any]) -> httpx.Response:
    """What the script would have sent, sent: the same bytes under the same headers."""
    path = httpx.URL(request["url"]).path
    return await client.post(path, content=request["body"].encode("utf-8"),
                             headers={**request["headers"], "content-type": request["contentType"]})


async def _secured(namespace: Namespace) -> InProcessService:
    return InProcessService(SPEC, namespace.settings(
        "intake", intake_auth_required=True, intake_form_secrets=SecretStr(f"reference-form={SECRET}")))


async def test_what_the_connector_posts_on_submit_is_accepted_and_read_by_intake(namespace: Namespace) -> None:
    async with await _secured(namespace) as intake, httpx.AsyncClient(base_url=intake.url) as client:
        url = f"{intake.url}/v1/forms/reference-form/responses"
        sent = await asyncio.to_thread(run_script, "onFormSubmit", url, now=time.time())
        [request] = sent["requests"]
        body = json.loads(request["body"])
        assert body["response_id"] == "2_ABaOnudTest1" and body["timestamp"] == "2025-11-25T15:41:07.123Z"
        assert body["answers"]["โครงการที่ 1: ลิงก์หลักฐาน"] == ["https://drive.google.com/open?id=1AbCdEfFileId"]
        assert "ส่วนที่ 2" not in body["answers"]
        assert request["headers"]["X-Smartcity-Signature"].startswith("sha256=")

        accepted = await replay(client, request)
        assert accepted.status_code == 202, accepted.text
        stored = (await client.get(f"{accepted.json()['status_url']}/revisions/1",
                                   headers={"X-API-Key": await _key(intake)})).json()
        canonical = stored["canonical"]
        assert canonical["lao"]["name"] == "เทศบาลตำบลบ้านเขว้า"
        assert canonical["projects"][0]["budget_thb"] == 1500000
        assert canonical["projects"][0]["evidence_urls"] == ["https://drive.google.com/open?id=1AbCdEfFileId"]
        assert canonical["contact"]["email"] == "saraban@bankhwao.go.th"


async def test_a_failed_post_is_retried_with_a_new_signature_and_kept_when_it_still_fails(
        namespace: Namespace) -> None:
    async with await _secured(namespace) as intake, httpx.AsyncClient(base_url=intake.url) as client:
        url = f"{intake.url}/v1/forms/reference-form/responses"
        retried = await asyncio.to_thread(run_script, "onFormSubmit", url, now=time.time(), statuses=[503, 202])
        first, second = retried["requests"]
        assert first["body"] == second["body"]
        assert first["headers"]["X-Smartcity-Timestamp"] != second["headers"]["X-Smartcity-Timestamp"]
        assert first["headers"]["X-Smartcity-Signature"] != second["headers"]["X-Smartcity-Signature"]
        assert not any(key.startswith("failed:") for key in retried["properties"])
        # Had the first attempt reached intake after all, the retry is simply a duplicate.
        assert (await replay(client, first)).status_code == 202
        assert (await replay(client, second)).json()["duplicate"] is True

        failing = await asyncio.to_thread(run_script, "onFormSubmit", url, now=time.time(), statuses=[503, 503, 503])
        assert len(failing["requests"]) == 3
        kept = json.loads(failing["properties"]["failed:2_ABaOnudTest1"])
        assert (kept["attempts"], kept["status"]) == (1, 503)

        refused = await asyncio.to_thread(run_script, "onFormSubmit", url, now=time.time(), statuses=[401])
        assert len(refused["requests"]) == 1  # a wrong secret is not retried at once, only kept


async def test_the_backfill_resends_every_response_and_intake_creates_nothing_twice(namespace: Namespace) -> None:
    second = {**RESPONSE, "id": "2_ABaOnudTest2", "timestamp": "2025-11-25T16:00:00.000Z",
              "answers": {**RESPONSE["answers"], "0": "ทม.ชัยภูมิ", "1": "เทศบาลเมือง"}}
    async with await _secured(namespace) as intake, httpx.AsyncClient(base_url=intake.url) as client:
        url = f"{intake.url}/v1/forms/reference-form/responses"
        sent = await asyncio.to_thread(run_script, "backfill", url, now=time.time(), responses=[RESPONSE, second])
        assert [json.loads(r["body"])["response_id"] for r in sent["requests"]] == ["2_ABaOnudTest1", "2_ABaOnudTest2"]
        assert [(await replay(client, r)).status_code for r in sent["requests"]] == [202, 202]
        again = await asyncio.to_thread(run_script, "backfill", url, now=time.time() + 1, responses=[RESPONSE, second])
        assert [(await replay(client, r)).status_code for r in again["requests"]] == [200, 200]
        assert await intake.component.state["store"].revisions.count_documents({}) == 2


async def _key(intake: InProcessService) -> str:
    key: str = await intake.component.state["api_keys"].create(f"reader-{id(intake)}", ("read",))
    return key


def test_the_connector_readme_walks_an_official_through_every_step() -> None:
    readme = (Path(SCRIPT).parent / "README.md").read_text(encoding="utf-8")
    for step in ("INTAKE_URL", "INTAKE_SECRET", "setup", "testConnection", "backfill", "showFailed"):
        assert step in readme
