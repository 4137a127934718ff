"""The end of the process in a real browser (Playwright on Debian's Chromium) against every service its own
process, on RabbitMQ and the MongoDB wire server, with a real SMTP server: six municipalities submit through
intake; a committee member opens a one-time sign-in link, scores two submissions and declares a conflict of
interest on a third, and the ranking changes accordingly; a DLA administrator signs in by link, freezes,
overrides one entry with a reason and publishes; every municipality and office hears by e-mail exactly once;
reporting's announcement PDF lists exactly the selected. Screenshots in test-artifacts/e2e-selection/."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections import Counter
from email.header import decode_header, make_header
from typing import Any

import httpx
import pytest

from tests.browser.test_workspace_browser import LAPTOP, PHONE
from tests.browser.tools import chromium, fits, need_executable, new_page
from tests.e2e.conftest import System
from tests.integration.test_reporting_package import ink, pages_as_png, squeeze, text_of
from tests.support import ARTIFACTS, ROOT, eventually, municipality_submission

pytestmark = pytest.mark.e2e

ADMIN_TOKEN = "e2e-selection-admin-token-0123456789"
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
SERVICE_ENV = {"scoring": {"SCORING_ADMIN_TOKEN": ADMIN_TOKEN},
               "notification": {"NOTIFICATION_ADMIN_TOKEN": ADMIN_TOKEN}}
SHOTS = ARTIFACTS / "e2e-selection"
CAMPAIGN = "fy2568"
# เทศบาลเมืองชัยภูมิ, เทศบาลตำบลบ้านเขว้า, เทศบาลนครขอนแก่น, เทศบาลเมืองบ้านไผ่, เทศบาลนครเชียงใหม่, เทศบาลเมืองแม่โจ้
MUNICIPALITIES = (0, 1, 3, 4, 5, 6)
SCORED_HIGH, SCORED_NEXT, CONFLICTED = 0, 4, 6  # the three medium-sized ones the reviewer is given
DIRECTORY = ("level,areas,office,channel,address\n"
             "province,36,สถ.จ.ชัยภูมิ,email,changwat.chaiyaphum@example.go.th\n"
             "province,40,สถ.จ.ขอนแก่น,email,changwat.khonkaen@example.go.th\n"
             "province,50,สถ.จ.เชียงใหม่,email,changwat.chiangmai@example.go.th\n"
             "district,3601,สถ.อ.เมืองชัยภูมิ,email,amphoe.muang.chaiyaphum@example.go.th\n")
SELECTION_SUBJECTS = ("ขอแสดงความยินดี", "ขอขอบคุณที่ร่วมการคัดเลือก", "ผลการคัดเลือกเมืองน่าอยู่อัจฉริยะ")


def _subject(message: Any) -> str:
    return str(make_header(decode_header(message["Subject"])))


def _selection_mail(system: System) -> list[tuple[str, str]]:
    """(recipient, subject) of every selection e-mail the SMTP server received."""
    found = []
    for message in system.smtp.messages:
        subject = _subject(message)
        if subject.startswith(SELECTION_SUBJECTS):
            found.append((message["X-Envelope-To"], subject))
    return found


async def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


async def _ranking(client: httpx.AsyncClient, system: System, size_group: str) -> list[dict[str, Any]]:
    page = (await client.get(f"{system.url('reporting')}/v1/campaigns/{CAMPAIGN}/rankings",
                             params={"size_group": size_group})).json()
    items: list[dict[str, Any]] = page["items"]
    return items


async def _score(client: httpx.AsyncClient, page: Any, system: System, submission_id: str,
                 marks: dict[str, tuple[str, str]]) -> None:
    """The reviewer submits points and a comment for each committee criterion of one submission."""
    await page.goto(f"{system.url('scoring')}/workspace/")
    await page.click(f"[data-submission='{submission_id}'] a.button")
    await page.wait_for_selector("#criterion-document_review")
    for criterion, (points, comment) in marks.items():
        await page.fill(f"#points-{criterion}", points)
        await page.fill(f"#comment-{criterion}", comment)
        await page.click(f"#criterion-{criterion} button[value=submit]")
        await page.wait_for_selector(f"#criterion-{criterion} .notice")
        assert "ส่งคะแนนแล้ว" in await page.inner_text(f"#criterion-{criterion} .notice")


def _cli(system: System, *arguments: str) -> str:
    env = {**os.environ, **system.processes["scoring"].env}
    done = subprocess.run([sys.executable, "-m", "services.scoring.admins", *arguments], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


async def test_the_committee_scores_dla_selects_everyone_hears_once_and_the_announcement_lists_the_selected(
        system: System) -> None:
    pdftoppm, pdftotext = need_executable("pdftoppm"), need_executable("pdftotext")
    bodies = {i: municipality_submission(i) for i in MUNICIPALITIES}
    async with httpx.AsyncClient(timeout=15) as client, chromium() as browser:
        imported = await client.post(f"{system.url('notification')}/v1/directory/imports", headers={
            **ADMIN, "Content-Type": "text/csv"}, content=DIRECTORY.encode())
        assert imported.status_code == 201, imported.text
        ids: dict[int, str] = {}
        for i, body in bodies.items():
            response = await client.post(f"{system.url('intake')}/v1/submissions", json=body)
            assert response.status_code == 202, response.text
            ids[i] = response.json()["submission_id"]

        async def all_scored() -> bool | None:
            national = (await client.get(f"{system.url('reporting')}/v1/campaigns/{CAMPAIGN}/national")).json()
            return True if national["counts"]["scored"] == len(MUNICIPALITIES) else None

        await eventually(all_scored, timeout=90, what="every submission scored")
        before = {item["submission_id"]: item for item in await _ranking(client, system, "medium")}
        assert {ids[SCORED_HIGH], ids[SCORED_NEXT], ids[CONFLICTED]} <= set(before)
        assert len({before[ids[i]]["rank"] for i in (SCORED_HIGH, SCORED_NEXT, CONFLICTED)}) == 1  # all tied

        # -- the committee member, in the browser --------------------------------------------------------
        scoring = system.url("scoring")
        reviewer = (await client.post(f"{scoring}/v1/admin/reviewers", headers=ADMIN,
                                      json={"name": "นางมาลี ใจเย็น", "province": "national"})).json()
        assigned = await client.post(f"{scoring}/v1/admin/assignments", headers=ADMIN, json={
            "reviewer_id": reviewer["reviewer_id"],
            "submission_ids": [ids[SCORED_HIGH], ids[SCORED_NEXT], ids[CONFLICTED]]})
        assert len(assigned.json()["assigned"]) == 3, assigned.text
        link = (await client.post(f"{scoring}/v1/admin/reviewers/{reviewer['reviewer_id']}/sign-in-link",
                                  headers=ADMIN)).json()["url"]
        errors: list[str] = []
        page = await new_page(browser, LAPTOP, errors)
        await page.goto(link)
        await shot(page, "01-reviewer-sign-in")
        await page.click("#sign-in")
        await page.wait_for_selector("table.assignments")
        assert await page.locator("table.assignments tbody tr").count() == 3
        await shot(page, "02-reviewer-assignments")

        await _score(client, page, system, ids[SCORED_HIGH], {
            "document_review": ("14", "เอกสารครบถ้วน มีตัวชี้วัดชัดเจน\nแผนสอดคล้องกับยุทธศาสตร์จังหวัด"),
            "site_visit": ("13.5", "ลงพื้นที่แล้ว ระบบใช้งานได้จริง")})
        await shot(page, "03-reviewer-scored")
        await _score(client, page, system, ids[SCORED_NEXT], {
            "document_review": ("10", "เอกสารพอใช้ ขาดหลักฐานบางโครงการ"),
            "site_visit": ("9", "ระบบบางส่วนยังไม่เปิดใช้")})
        await page.goto(f"{scoring}/workspace/")
        await page.click(f"[data-submission='{ids[CONFLICTED]}'] a.button")
        await page.click("#conflict summary")
        await page.fill("#conflict-reason", "เคยเป็นที่ปรึกษาโครงการของเทศบาลนี้ในปี 2567")
        await shot(page, "04-reviewer-conflict")
        await page.click("#conflict button[type=submit]")
        await page.wait_for_selector(".notice")
        assert "ผลประโยชน์ทับซ้อน" in await page.inner_text(".notice")
        assert await page.locator("table.assignments tbody tr").count() == 2
        await shot(page, "05-reviewer-after-conflict")
        declared = (await client.get(f"{scoring}/v1/admin/conflicts", headers=ADMIN,
                                     params={"submission_id": ids[CONFLICTED]})).json()
        assert [d["reviewer_id"] for d in declared] == [reviewer["reviewer_id"]]

        # The ranking follows the committee's points: 27.5 and 19 more, the conflicted one unchanged.
        async def reranked() -> list[dict[str, Any]] | None:
            items = await _ranking(client, system, "medium")
            order = [item["submission_id"] for item in items]
            wanted = [ids[SCORED_HIGH], ids[SCORED_NEXT], ids[CONFLICTED]]
            return items if [sid for sid in order if sid in wanted] == wanted else None

        after = {item["submission_id"]: item for item in await eventually(reranked, timeout=30,
                                                                          what="the new ranking")}
        assert after[ids[SCORED_HIGH]]["score_total"] == pytest.approx(before[ids[SCORED_HIGH]]["score_total"] + 27.5)
        assert after[ids[SCORED_NEXT]]["score_total"] == pytest.approx(before[ids[SCORED_NEXT]]["score_total"] + 19)
        assert after[ids[CONFLICTED]]["score_total"] == before[ids[CONFLICTED]]["score_total"]
        assert [after[ids[i]]["rank"] for i in (SCORED_HIGH, SCORED_NEXT, CONFLICTED)] == [1, 2, 3]

        # -- DLA's administrator, in the browser ---------------------------------------------------------
        created = await asyncio.to_thread(_cli, system, "create", "--name", "นายสมชาย ใจดี (กพส.)",
                                          "--scope", "selection")
        admin_id = created.splitlines()[0].split('"admin_id": "')[1].split('"')[0]
        admin_link = (await asyncio.to_thread(_cli, system, "link", admin_id, "--base-url", scoring)).splitlines()[-1]
        admin = await new_page(browser, LAPTOP, errors)
        await admin.goto(admin_link)
        await admin.click("#sign-in")
        await admin.wait_for_selector("table.campaigns")
        await shot(admin, "06-admin-campaigns")
        await admin.click(f"[data-campaign='{CAMPAIGN}'] a.button")
        await admin.wait_for_selector("#freeze")
        await shot(admin, "07-admin-proposal")
        await admin.click("#freeze")
        await admin.wait_for_selector("#publish")
        assert await admin.get_attribute("#selection-status", "data-status") == "frozen"

        # Override: the conflicted one, proposed below the others of its group, decided efficient.
        row = f"tr[data-submission='{ids[CONFLICTED]}']"
        proposed = await admin.get_attribute(row, "data-tier")
        decided_tier = "efficient" if proposed != "efficient" else "outstanding"
        reason = "คณะกรรมการลงพื้นที่เพิ่มเติมแล้วพบผลการดำเนินงานเด่นกว่าเอกสาร"
        await admin.click(f"{row} details.override summary")
        await admin.select_option(f"#tier-{ids[CONFLICTED]}", decided_tier)
        await admin.fill(f"#reason-{ids[CONFLICTED]}", "สั้นไป")
        await admin.click(f"{row} details.override button[type=submit]")
        await admin.wait_for_selector(f"{row} .problem")
        assert "อย่างน้อย 10 ตัวอักษร" in await admin.inner_text(f"{row} .problem")
        await shot(admin, "08-admin-override-refused")
        # The refusal is a page answered 422, which Chromium logs; that one is expected, nothing else.
        assert all("status of 422" in error for error in errors) and len(errors) == 1, errors
        errors.clear()
        await admin.fill(f"#reason-{ids[CONFLICTED]}", reason)
        await admin.click(f"{row} details.override button[type=submit]")
        await admin.wait_for_selector(".notice")
        assert await admin.get_attribute(row, "data-tier") == decided_tier
        assert reason in await admin.inner_text(f"{row} .override-reason")
        await shot(admin, "09-admin-overridden")
        await admin.check("#confirm-publish")
        await admin.click("#publish")
        await admin.wait_for_selector("#selection-status[data-status=published]")
        await shot(admin, "10-admin-published")
        phone = await new_page(browser, PHONE, errors)
        await phone.goto((await asyncio.to_thread(_cli, system, "link", admin_id, "--base-url",
                                                  scoring)).splitlines()[-1])
        await phone.click("#sign-in")
        await phone.goto(f"{scoring}/workspace/admin/campaigns/{CAMPAIGN}")
        await fits(phone)
        await shot(phone, "11-admin-published-phone")
        assert errors == []

        view = (await client.get(f"{scoring}/v1/admin/campaigns/{CAMPAIGN}/selection", headers=ADMIN)).json()
        entries = {entry["submission_id"]: entry for group in view["groups"] for entry in group["entries"]}
        assert entries[ids[CONFLICTED]]["tier"] == decided_tier
        assert entries[ids[CONFLICTED]]["override"]["reason"] == reason
        selected = {sid for sid, entry in entries.items() if entry["tier"] != "not_selected"}
        names = {sid: entries[sid]["lao"]["name"] for sid in entries}
        assert ids[CONFLICTED] in selected and len(entries) == len(MUNICIPALITIES)

        # -- everyone hears, once ------------------------------------------------------------------------
        applicants = {body["contact"]["email"]: ids[i] for i, body in bodies.items()}

        async def told() -> list[tuple[str, str]] | None:
            mail = _selection_mail(system)
            reached = {recipient for recipient, _ in mail}
            offices = {"changwat.chaiyaphum@example.go.th", "changwat.khonkaen@example.go.th",
                       "changwat.chiangmai@example.go.th", "amphoe.muang.chaiyaphum@example.go.th"}
            return mail if set(applicants) | offices <= reached else None

        await eventually(told, timeout=60, what="the selection's e-mails")
        await asyncio.sleep(3)  # anything sent twice would have arrived by now
        mail = _selection_mail(system)
        assert all(count == 1 for count in Counter(recipient for recipient, _ in mail).values()), mail
        for address, submission_id in applicants.items():
            (subject,) = [s for recipient, s in mail if recipient == address]
            winner = submission_id in selected
            assert subject.startswith("ขอแสดงความยินดี" if winner else "ขอขอบคุณที่ร่วมการคัดเลือก"), subject
            assert names[submission_id] in subject

        # -- the announcement ----------------------------------------------------------------------------
        reporting = system.url("reporting")

        async def final() -> dict[str, Any] | None:
            response = await client.get(f"{reporting}/v1/campaigns/{CAMPAIGN}/selection")
            return response.json() if response.status_code == 200 else None

        published = await eventually(final, timeout=30, what="the selection in reporting")
        assert published["published_by"].startswith("นายสมชาย ใจดี")
        response = await client.get(f"{reporting}/v1/campaigns/{CAMPAIGN}/selection/announcement.pdf")
        assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
        SHOTS.mkdir(parents=True, exist_ok=True)
        pdf = SHOTS / "announcement.pdf"
        pdf.write_bytes(response.content)
        pages = pages_as_png(pdftoppm, pdf, dpi=80)
        assert pages and all(ink(p) > 0.005 for p in pages)
        text = text_of(pdftotext, pdf)
        assert squeeze("ประกาศกรมส่งเสริมการปกครองท้องถิ่น") in text
        for submission_id, name in names.items():
            assert (squeeze(name) in text) == (submission_id in selected), name
