"""The reviewers' workspace in headless Chromium (Debian's /usr/bin/chromium, driven by Playwright): a reviewer
opens their sign-in link, signs in, saves a draft and submits points, on a 1366×768 laptop and on a 390×844
phone, with no console error (a Content-Security-Policy violation would be one) and nothing wider than the
phone's screen. Screenshots are kept in test-artifacts/workspace/."""

from __future__ import annotations

from typing import Any

from services.scoring.repository import ScoringStore
from tests.browser.tools import chromium, fits, new_page
from tests.integration.scoring_fixtures import ADMIN, running_scoring, validated, varied_body
from tests.support import ARTIFACTS, Namespace, eventually, http_client

SHOTS = ARTIFACTS / "workspace"
SUB = "fy2568-40-0007"
LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


def _body() -> dict[str, Any]:
    body = varied_body(7)
    body["projects"][0].update({
        "name": "ระบบแจ้งเหตุและติดตามเรื่องร้องเรียนผ่าน LINE OA", "budget_thb": 1_250_000,
        "description": "1. ประชาชนแจ้งเหตุผ่าน LINE OA พร้อมพิกัด\n2. เจ้าหน้าที่รับเรื่องและแจ้งสถานะ\n"
                       "3. รายงานสรุปรายเดือนต่อผู้บริหาร",
        "outcomes": "ลดเวลาตอบสนองจาก 3 วันเหลือ 6 ชั่วโมง\nความพึงพอใจร้อยละ 92",
        "evidence_urls": ["https://drive.google.com/file/d/1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789/view",
                          "https://www.facebook.com/khonkaen.smartcity/posts/123456789"]})
    body["partners"] = ["มหาวิทยาลัยขอนแก่น", "สำนักงานส่งเสริมเศรษฐกิจดิจิทัล", "การไฟฟ้าส่วนภูมิภาค"]
    return body


async def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


async def _sign_in(page: Any, url: str) -> None:
    await page.goto(url)
    await page.click("#sign-in")
    await page.wait_for_selector("table.assignments")


async def test_a_reviewer_signs_in_saves_a_draft_and_submits_on_a_laptop_and_a_phone(namespace: Namespace) -> None:
    async with chromium() as browser, running_scoring(namespace) as (scoring, publisher), \
            http_client(scoring.url) as client:
        store: ScoringStore = scoring.component.state.store
        await publisher.publish(validated(7, body=_body(), submission_id=SUB, province=("40", "ขอนแก่น"),
                                          lao_type="เทศบาลนคร"))
        await eventually(lambda: store.score(f"{SUB}/r1/fy2568-v1"), what="the validated score")
        reviewer = (await client.post("/v1/admin/reviewers", headers=ADMIN,
                                      json={"name": "นางมาลี ใจเย็น", "province": "10"})).json()
        await client.post("/v1/admin/assignments", headers=ADMIN,
                          json={"reviewer_id": reviewer["reviewer_id"], "submission_ids": [SUB]})

        async def link() -> str:
            issued = await client.post(f"/v1/admin/reviewers/{reviewer['reviewer_id']}/sign-in-link", headers=ADMIN)
            url: str = issued.json()["url"]
            return url

        errors: list[str] = []
        laptop = await new_page(browser, LAPTOP, errors)
        await laptop.goto(await link())
        await shot(laptop, "sign-in-1366")
        await laptop.click("#sign-in")
        await laptop.wait_for_selector("table.assignments")
        assert "0/2" in await laptop.inner_text(f"[data-submission='{SUB}']")
        await shot(laptop, "assignments-1366")

        await laptop.click(f"[data-submission='{SUB}'] a.button")
        await laptop.wait_for_selector("#criterion-document_review")
        await laptop.fill("#points-document_review", "12.5")
        await laptop.fill("#comment-document_review", "แผนชัดเจน มีตัวชี้วัด\nหลักฐานครบถ้วน")
        await laptop.click("#criterion-document_review button[value=draft]")
        await laptop.wait_for_selector(".notice")
        assert "บันทึกร่างแล้ว" in await laptop.inner_text(".notice")
        assert await laptop.input_value("#points-document_review") == "12.5"
        assert await store.audit(submission_id=SUB) == []
        await laptop.goto(f"{scoring.url}/workspace/submissions/{SUB}")
        await shot(laptop, "submission-draft-1366")

        # The browser itself keeps points within the rubric's limit before anything is sent.
        await laptop.fill("#points-site_visit", "16")
        await laptop.fill("#comment-site_visit", "ลงพื้นที่แล้ว")
        await laptop.click("#criterion-site_visit button[value=submit]")
        assert not await laptop.evaluate("document.querySelector('#points-site_visit').checkValidity()")
        await laptop.fill("#points-site_visit", "13")
        await laptop.click("#criterion-site_visit button[value=submit]")
        await laptop.wait_for_selector(".notice")
        assert "ส่งคะแนนแล้ว" in await laptop.inner_text(".notice")
        await eventually(lambda: _reviewed(store), what="the submitted points in the score")
        await laptop.goto(f"{scoring.url}/workspace/")
        assert "1/2" in await laptop.inner_text(f"[data-submission='{SUB}']")
        await shot(laptop, "assignments-after-1366")
        await fits(laptop)

        phone = await new_page(browser, PHONE, errors)
        await _sign_in(phone, await link())
        await fits(phone)
        await shot(phone, "assignments-390")
        await phone.click(f"[data-submission='{SUB}'] a.button")
        await phone.wait_for_selector("#criterion-document_review")
        await fits(phone)
        await shot(phone, "submission-390")
        await phone.click("#conflict summary")
        await shot(phone, "conflict-390")
        assert errors == []


async def _reviewed(store: ScoringStore) -> bool:
    score = await store.score(f"{SUB}/r1/fy2568-v1")
    return bool(score) and any(c["key"] == "site_visit" and c["points"] == 13 for c in score["criteria"])  # type: ignore[index]
