"""The reviewers' web workspace on the real broker and store, over HTTP on a socket: a one-time sign-in link
(used once, expiring), the session cookie's flags, CSRF on every form, drafts that count for nothing, a
submitted review that changes the score through the bus, the rubric's limits shown in Thai, conflict of
interest declared (unassigned, listed, never assigned again) and another reviewer's submission refused."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
from pydantic import SecretStr

from services.scoring.repository import ScoringStore, WorkspaceStore
from services.scoring.workspace.sessions import COOKIE
from tests.integration.scoring_fixtures import ADMIN, running_scoring, validated, varied_body
from tests.support import ROOT, Namespace, eventually, http_client

KHON_KAEN, CHIANG_MAI = ("40", "ขอนแก่น"), ("50", "เชียงใหม่")
SUB, OTHER = "sub_ws_khonkaen", "sub_ws_chiangmai"
SCORE = f"{SUB}/r1/fy2568-v1"
DESCRIPTION = "1. ติดตั้งเซนเซอร์ 40 จุด\n2. เชื่อมต่อศูนย์ควบคุม\n\nรายละเอียดเพิ่มเติมในภาคผนวก"
EVIDENCE = "https://drive.google.com/file/d/evidence-ws/view"


def _body() -> dict[str, Any]:
    body = varied_body(4)
    body["projects"][0].update({"name": "ระบบไฟถนนอัจฉริยะ", "description": DESCRIPTION, "budget_thb": 1_250_000,
                                "evidence_urls": [EVIDENCE]})
    return body


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, html[:2000]
    return found.group(1)


async def _reviewer(client: httpx.AsyncClient, name: str, province: str, *submissions: str) -> dict[str, Any]:
    created = await client.post("/v1/admin/reviewers", headers=ADMIN, json={"name": name, "province": province})
    assert created.status_code == 201, created.text
    reviewer: dict[str, Any] = created.json()
    if submissions:
        outcome = await client.post("/v1/admin/assignments", headers=ADMIN, json={
            "reviewer_id": reviewer["reviewer_id"], "submission_ids": list(submissions)})
        assert outcome.json()["assigned"] == list(submissions), outcome.text
    return reviewer


async def _link(client: httpx.AsyncClient, reviewer_id: str) -> str:
    issued = await client.post(f"/v1/admin/reviewers/{reviewer_id}/sign-in-link", headers=ADMIN,
                               json={"base_url": "https://smartcity.example.go.th"})
    assert issued.status_code == 201, issued.text
    url: str = issued.json()["url"]
    assert url.startswith("https://smartcity.example.go.th/workspace/sign-in?code=")
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


async def _sign_in(client: httpx.AsyncClient, path: str) -> httpx.Response:
    page = await client.get(path)
    assert page.status_code == 200, page.text
    code = re.search(r'name="code" value="([^"]+)"', page.text)
    assert code
    return await client.post("/workspace/sign-in", data={"csrf": csrf_of(page.text), "code": code.group(1)})


@asynccontextmanager
async def _signed_in(base_url: str, client: httpx.AsyncClient, reviewer_id: str) -> AsyncIterator[httpx.AsyncClient]:
    """A browser of its own (cookies) signed in as the reviewer through a fresh link."""
    async with httpx.AsyncClient(base_url=base_url, timeout=10) as browser:
        signed = await _sign_in(browser, await _link(client, reviewer_id))
        assert signed.status_code == 303, signed.text
        yield browser


async def _score_version(store: ScoringStore, version: int) -> dict[str, Any] | None:
    document = await store.score(SCORE)
    return document if document is not None and document["score_version"] >= version else None


def _criterion(document: dict[str, Any], key: str) -> dict[str, Any]:
    return next(c for c in document["criteria"] if c["key"] == key)


async def test_a_link_signs_in_once_into_a_strict_cookie_and_every_form_needs_its_token(
        namespace: Namespace) -> None:
    async with running_scoring(namespace) as (scoring, publisher):
        store: ScoringStore = scoring.component.state.store
        workspace: WorkspaceStore = scoring.component.state.workspace
        await publisher.publish(validated(4, body=_body(), submission_id=SUB, province=KHON_KAEN))
        await eventually(lambda: store.score(SCORE), what="the validated score")
        async with http_client(scoring.url) as client, httpx.AsyncClient(base_url=scoring.url) as browser:
            malee = await _reviewer(client, "นางมาลี ใจเย็น", "10", SUB)
            assert (await client.post(f"/v1/admin/reviewers/{malee['reviewer_id']}/sign-in-link")).status_code == 401
            unknown = await client.post("/v1/admin/reviewers/rev_nobody/sign-in-link", headers=ADMIN)
            assert unknown.status_code == 404 and unknown.json()["message_th"]
            default = await client.post(f"/v1/admin/reviewers/{malee['reviewer_id']}/sign-in-link", headers=ADMIN)
            assert default.json()["url"].startswith(f"{scoring.url}/workspace/sign-in?code=")
            path = await _link(client, malee["reviewer_id"])
            code = path.split("code=", 1)[1]
            assert await workspace.links.find_one({"_id": code}) is None  # stored only as its keyed digest
            assert all(code not in str(doc) for doc in await workspace.links.find({}).to_list(None))

            # Opening the link (or a scanner prefetching it) uses nothing: a page with a button.
            for _ in range(2):
                opened = await browser.get(path)
                assert opened.status_code == 200 and 'id="sign-in"' in opened.text and "นางมาลี ใจเย็น" in opened.text
            headers = opened.headers
            assert "default-src 'self'" in headers["content-security-policy"]
            assert (headers["x-frame-options"], headers["referrer-policy"], headers["cache-control"]) == (
                "DENY", "no-referrer", "no-store")
            assert '<html lang="th">' in opened.text

            # Without the form's token, or from another site, the code is not used.
            forged = await browser.post("/workspace/sign-in", data={"code": code})
            assert forged.status_code == 403 and "แบบฟอร์มนี้หมดอายุ" in forged.text and "did not come from" in forged.text
            cross = await browser.post("/workspace/sign-in", data={"code": code, "csrf": csrf_of(opened.text)},
                                       headers={"Origin": "https://evil.example"})
            assert cross.status_code == 403

            signed = await browser.post("/workspace/sign-in", data={"code": code, "csrf": csrf_of(opened.text)})
            assert signed.status_code == 303 and signed.headers["location"] == "/workspace/"
            cookie = next(v for v in signed.headers.get_list("set-cookie") if v.startswith(f"{COOKIE}="))
            flags = {part.strip().split("=")[0].lower(): part.strip() for part in cookie.split(";")[1:]}
            assert "httponly" in flags and flags["samesite"].lower() == "samesite=strict"
            assert flags["path"] == "Path=/workspace" and flags["max-age"] == "Max-Age=28800"
            assert "secure" not in flags  # ENVIRONMENT=test runs on plain http; production: see below
            session_id = cookie.split(";")[0].split("=", 1)[1]
            (stored,) = await workspace.sessions.find({}).to_list(None)
            assert stored["_id"] != session_id and stored["kind"] == "reviewer"
            assert stored["subject_id"] == malee["reviewer_id"] and stored["expires_at"] > datetime.now(UTC)

            # Once only: the same link again is refused, in Thai and English.
            async with httpx.AsyncClient(base_url=scoring.url) as other:
                again = await other.get(path)
                assert again.status_code == 410 and "ถูกใช้ไปแล้ว" in again.text and "used already" in again.text
                bogus = await other.get("/workspace/sign-in?code=not-a-code")
                assert bogus.status_code == 400 and "ลิงก์เข้าสู่ระบบไม่ถูกต้อง" in bogus.text
                assert (await other.get("/workspace/")).status_code == 401

            home = await browser.get("/workspace/")
            assert home.status_code == 200 and SUB in home.text
            assert 'data-progress="0/2"' in home.text and "ยังไม่เริ่ม" in home.text
            assert home.headers["cache-control"] == "no-store"

            # Signing out is a form too.
            assert (await browser.post("/workspace/sign-out", data={})).status_code == 403
            out = await browser.post("/workspace/sign-out", data={"csrf": csrf_of(home.text)})
            assert out.status_code == 200 and "ออกจากระบบแล้ว" in out.text
            assert await workspace.sessions.count_documents({}) == 0
            assert (await browser.get("/workspace/")).status_code == 401


async def test_an_expired_link_and_an_expired_session_are_refused(namespace: Namespace) -> None:
    async with running_scoring(namespace) as (scoring, _), http_client(scoring.url) as client:
        workspace: WorkspaceStore = scoring.component.state.workspace
        reviewer = await _reviewer(client, "นายสมชาย ตรวจดี", "national")
        path = await _link(client, reviewer["reviewer_id"])
        await workspace.links.update_many({}, {"$set": {"expires_at": datetime.now(UTC) - timedelta(seconds=1)}})
        async with httpx.AsyncClient(base_url=scoring.url) as browser:
            expired = await browser.get(path)
            assert expired.status_code == 410 and "หมดอายุ" in expired.text and "expired" in expired.text

        async with _signed_in(scoring.url, client, reviewer["reviewer_id"]) as browser:
            assert (await browser.get("/workspace/")).status_code == 200
            await workspace.sessions.update_many({}, {"$set": {"expires_at": datetime.now(UTC) - timedelta(1)}})
            ended = await browser.get("/workspace/")
            assert ended.status_code == 401 and "หมดเวลาใช้งาน" in ended.text

        # A reviewer disabled after the link was issued cannot sign in with it.
        path = await _link(client, reviewer["reviewer_id"])
        await client.post(f"/v1/admin/reviewers/{reviewer['reviewer_id']}/disable", headers=ADMIN)
        async with httpx.AsyncClient(base_url=scoring.url) as browser:
            disabled = await _sign_in(browser, path)
            assert disabled.status_code == 403 and "ถูกระงับ" in disabled.text
        refused = await client.post(f"/v1/admin/reviewers/{reviewer['reviewer_id']}/sign-in-link", headers=ADMIN)
        assert refused.status_code == 409


async def test_the_session_cookie_is_secure_in_production(namespace: Namespace) -> None:
    production = {"environment": "production", "intake_auth_required": True, "reporting_auth_required": True,
                  "token_digest_key": SecretStr("k" * 40), "metrics_public": True}
    async with running_scoring(namespace, **production) as (scoring, _), http_client(scoring.url) as client:
        reviewer = await _reviewer(client, "นางสาวสมหญิง ตั้งใจ", "10")
        async with httpx.AsyncClient(base_url=scoring.url) as browser:
            opened = await browser.get(await _link(client, reviewer["reviewer_id"]))
            # Secure cookies travel over https only: sent here by hand, as a browser would over https.
            form_cookie = opened.headers["set-cookie"]
            assert {"secure", "httponly", "samesite=strict"} <= {p.strip().lower() for p in form_cookie.split(";")}
            code = re.search(r'name="code" value="([^"]+)"', opened.text)
            assert code
            signed = await browser.post("/workspace/sign-in", data={"csrf": csrf_of(opened.text),
                                                                    "code": code.group(1)},
                                        headers={"Cookie": form_cookie.split(";")[0]})
        assert signed.status_code == 303, signed.text
        cookie = next(v for v in signed.headers.get_list("set-cookie") if v.startswith(f"{COOKIE}="))
        flags = {part.strip().lower() for part in cookie.split(";")[1:]}
        assert {"secure", "httponly", "samesite=strict", "path=/workspace", "max-age=28800"} <= flags


async def test_a_reviewer_reads_the_answers_saves_a_draft_and_submits_points_that_reach_the_score(
        namespace: Namespace) -> None:
    async with running_scoring(namespace) as (scoring, publisher):
        store: ScoringStore = scoring.component.state.store
        await publisher.publish(validated(4, body=_body(), submission_id=SUB, province=KHON_KAEN))
        await publisher.publish(validated(5, submission_id=OTHER, province=CHIANG_MAI))
        first = await eventually(lambda: _score_version(store, 1), what="the validated score")
        await eventually(lambda: store.score(f"{OTHER}/r1/fy2568-v1"), what="the other score")
        async with http_client(scoring.url) as client:
            malee = await _reviewer(client, "นางมาลี ใจเย็น", "10", SUB)
            await _reviewer(client, "นายวิชัย รอบคอบ", "national", OTHER)
            async with _signed_in(scoring.url, client, malee["reviewer_id"]) as browser:
                shown = await browser.get(f"/workspace/submissions/{SUB}")
                html = shown.text
                assert shown.status_code == 200, html
                assert "ระบบไฟถนนอัจฉริยะ" in html and "1,250,000 บาท" in html
                assert DESCRIPTION in html  # as written, line breaks kept (white-space: pre-wrap)
                assert f'href="{EVIDENCE}" rel="noopener noreferrer" target="_blank"' in html
                assert "https://example.go.th/plan.pdf" in html  # the plan's link is evidence too
                assert "044-811-234" not in html and "smartcity@example.go.th" not in html  # never the contact
                for criterion in first["criteria"]:
                    if not criterion["manual"]:
                        assert f'data-criterion="{criterion["key"]}"' in html
                budget = _criterion(first, "budget")
                assert budget["reason_th"].replace(",", "") in html.replace(",", "")
                assert 'min="0" max="15" step="0.01"' in html
                assert 'id="points-document_review"' in html and 'for="points-document_review"' in html
                csrf = csrf_of(html)

                # Every form post carries the session's token.
                forged = await browser.post(f"/workspace/submissions/{SUB}/review", data={
                    "criterion": "document_review", "points": "12", "comment": "ดี", "action": "submit"})
                assert forged.status_code == 403 and "แบบฟอร์มนี้หมดอายุ" in forged.text
                assert (await store.audit(submission_id=SUB)) == []

                # A draft is kept for the reviewer only: the score does not move.
                draft = await browser.post(f"/workspace/submissions/{SUB}/review", data={
                    "csrf": csrf, "criterion": "document_review", "revision": "1", "points": "11.5",
                    "comment": "ร่าง: อ่านแผนแล้ว\nยังไม่ได้ดูภาคผนวก", "action": "draft"})
                assert draft.status_code == 303 and "notice=draft" in draft.headers["location"]
                page = (await browser.get(f"/workspace/submissions/{SUB}")).text
                assert 'value="11.5"' in page and "ร่าง: อ่านแผนแล้ว\nยังไม่ได้ดูภาคผนวก</textarea>" in page
                home = (await browser.get("/workspace/")).text
                assert 'data-progress="0/2"' in home and "มีร่างที่ยังไม่ส่ง" in home
                assert (await store.score(SCORE))["score_version"] == 1  # type: ignore[index]
                assert await store.audit(submission_id=SUB) == []

                # Beyond the rubric's limit: refused with its Thai message, and what was typed stays.
                over = await browser.post(f"/workspace/submissions/{SUB}/review", data={
                    "csrf": csrf, "criterion": "site_visit", "revision": "1", "points": "15.5",
                    "comment": "ระบบใช้งานได้จริง", "action": "submit"})
                assert over.status_code == 422
                assert "คะแนนของเกณฑ์ site_visit ต้องอยู่ระหว่าง 0 ถึง 15" in over.text
                assert "must be between 0 and 15" in over.text
                assert 'value="15.5"' in over.text and "ระบบใช้งานได้จริง</textarea>" in over.text
                no_comment = await browser.post(f"/workspace/submissions/{SUB}/review", data={
                    "csrf": csrf, "criterion": "site_visit", "revision": "1", "points": "10", "comment": " ",
                    "action": "submit"})
                assert no_comment.status_code == 422 and "ต้องระบุเหตุผลประกอบคะแนน" in no_comment.text

                # Submitting records the review; the new score follows through the bus.
                sent = await browser.post(f"/workspace/submissions/{SUB}/review", data={
                    "csrf": csrf, "criterion": "document_review", "revision": "1", "points": "12.5",
                    "comment": "แผนชัดเจน มีตัวชี้วัด", "action": "submit"})
                assert sent.status_code == 303 and "notice=submitted" in sent.headers["location"]
                (record,) = await store.audit(submission_id=SUB)
                assert (record["reviewer_id"], record["changes"][0]["new"]) == (
                    malee["reviewer_id"], {"points": 12.5, "comment": "แผนชัดเจน มีตัวชี้วัด"})
                scored = await eventually(lambda: _score_version(store, 2), what="the reviewed score")
                assert _criterion(scored, "document_review")["points"] == 12.5
                assert scored["total"] == first["total"] + 12.5
                home = (await browser.get("/workspace/")).text
                assert 'data-progress="1/2"' in home
                page = (await browser.get(f"/workspace/submissions/{SUB}")).text
                assert "ส่งแล้ว 12.5 คะแนน" in page and "ร่าง บันทึกเมื่อ" not in page  # the draft went with it

                # Another reviewer's submission: refused as a page.
                foreign = await browser.get(f"/workspace/submissions/{OTHER}")
                assert foreign.status_code == 403 and "ไม่ได้มอบหมายให้ท่าน" in foreign.text
                posted = await browser.post(f"/workspace/submissions/{OTHER}/review", data={
                    "csrf": csrf, "criterion": "site_visit", "points": "10", "comment": "ดี", "action": "submit"})
                assert posted.status_code == 403
                assert await store.audit(submission_id=OTHER) == []


async def test_a_declared_conflict_unassigns_is_listed_withdraws_marks_and_blocks_reassignment(
        namespace: Namespace) -> None:
    async with running_scoring(namespace) as (scoring, publisher):
        store: ScoringStore = scoring.component.state.store
        await publisher.publish(validated(4, body=_body(), submission_id=SUB, province=KHON_KAEN))
        first = await eventually(lambda: _score_version(store, 1), what="the validated score")
        async with http_client(scoring.url) as client:
            malee = await _reviewer(client, "นางมาลี ใจเย็น", "10", SUB)
            async with _signed_in(scoring.url, client, malee["reviewer_id"]) as browser:
                csrf = csrf_of((await browser.get(f"/workspace/submissions/{SUB}")).text)
                await browser.post(f"/workspace/submissions/{SUB}/review", data={
                    "csrf": csrf, "criterion": "site_visit", "revision": "1", "points": "9",
                    "comment": "ลงพื้นที่แล้ว", "action": "submit"})
                await eventually(lambda: _score_version(store, 2), what="the reviewed score")

                no_token = await browser.post(f"/workspace/submissions/{SUB}/conflict", data={"reason": "ญาติ"})
                assert no_token.status_code == 403
                no_reason = await browser.post(f"/workspace/submissions/{SUB}/conflict",
                                               data={"csrf": csrf, "reason": "  "})
                assert no_reason.status_code == 422 and "ต้องระบุเหตุผลของผลประโยชน์ทับซ้อน" in no_reason.text
                declared = await browser.post(f"/workspace/submissions/{SUB}/conflict",
                                              data={"csrf": csrf, "reason": "คู่สมรสเป็นที่ปรึกษาโครงการของเทศบาลนี้"})
                assert declared.status_code == 303 and declared.headers["location"] == "/workspace/?notice=conflict"
                assert not await store.is_assigned(malee["reviewer_id"], SUB)
                home = (await browser.get(declared.headers["location"])).text
                assert f'data-submission="{SUB}"' not in home
                assert "บันทึกการแจ้งผลประโยชน์ทับซ้อนแล้ว" in home
                assert (await browser.get(f"/workspace/submissions/{SUB}")).status_code == 403

            # The mark entered before is withdrawn through the audit trail; the score goes back.
            withdrawal = (await store.audit(submission_id=SUB))[-1]
            assert withdrawal["changes"][0]["new"] is None and "conflict of interest" in withdrawal["changes"][0]["why"]
            back = await eventually(lambda: _score_version(store, 3), what="the score without the mark")
            assert back["total"] == first["total"]

            listed = await client.get("/v1/admin/conflicts", headers=ADMIN)
            assert listed.status_code == 200
            (declaration,) = listed.json()
            assert (declaration["reviewer_id"], declaration["submission_id"], declaration["reason"]) == (
                malee["reviewer_id"], SUB, "คู่สมรสเป็นที่ปรึกษาโครงการของเทศบาลนี้")
            assert declaration["at"] and declaration["withdrawn_criteria"] == ["site_visit"]
            assert (await client.get("/v1/admin/conflicts")).status_code == 401
            assert (await client.get("/v1/admin/conflicts", headers=ADMIN,
                                     params={"reviewer_id": "rev_other"})).json() == []

            again = (await client.post("/v1/admin/assignments", headers=ADMIN, json={
                "reviewer_id": malee["reviewer_id"], "submission_ids": [SUB]})).json()
            assert again["assigned"] == [] and [r["code"] for r in again["refused"]] == ["conflict_declared"]
            assert "ผลประโยชน์ทับซ้อน" in again["refused"][0]["message_th"]


async def test_the_reviewers_command_prints_a_link_once_that_signs_in(namespace: Namespace) -> None:
    async with running_scoring(namespace) as (scoring, _), http_client(scoring.url) as client:
        reviewer = await _reviewer(client, "นายสมชาย ตรวจดี", "national")
        env = {**os.environ, "MONGODB_URL": namespace.infra.mongodb_url, "MONGODB_DB_PREFIX": namespace.name}
        printed = await asyncio.to_thread(subprocess.run, [
            sys.executable, "-m", "services.scoring.reviewers", "link", reviewer["reviewer_id"], "--base-url",
            scoring.url], env=env, cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert printed.returncode == 0, printed.stderr
        url = printed.stdout.strip().splitlines()[-1]
        assert url.startswith(f"{scoring.url}/workspace/sign-in?code=") and printed.stdout.count(url) == 1
        async with httpx.AsyncClient(base_url=scoring.url) as browser:
            signed = await _sign_in(browser, url.removeprefix(scoring.url))
            assert signed.status_code == 303
            assert (await browser.get("/workspace/")).status_code == 200
        unknown = await asyncio.to_thread(subprocess.run, [
            sys.executable, "-m", "services.scoring.reviewers", "link", "rev_nobody"], env=env, cwd=ROOT,
            capture_output=True, text=True, timeout=60)
        assert unknown.returncode == 2 and "ไม่พบกรรมการ" in unknown.stderr
