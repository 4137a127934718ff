"""The dashboard in headless Chromium (Debian's /usr/bin/chromium, driven by Playwright): the national view,
a province and a district, each loaded without a console error, showing the seeded figures; a screenshot of
each is kept in test-artifacts/browser/."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest

from services.reporting.repository import TokenBook
from services.reporting.sample import CAMPAIGN, history
from services.reporting.service import SPEC
from services.reporting.tokens import Scope
from shared.bus import Bus
from tests.browser.tools import chromium, watch_errors
from tests.integration.test_reporting import publish_all
from tests.integration.test_reporting_selection import BY, selection
from tests.support import ARTIFACTS, InProcessService, Namespace

SHOTS = ARTIFACTS / "browser"
# The evening before the submission deadline (25 Nov 2568, 23:00 Thai time): 1 day 11 hours to go.
NOW = datetime(2025, 11, 24, 12, 0, tzinfo=timezone(timedelta(hours=7)))


@contextlib.asynccontextmanager
async def seeded_reporting(namespace: Namespace, **settings: Any) -> AsyncIterator[InProcessService]:
    bus = Bus(namespace.settings("test-publisher"), "test-publisher")
    async with InProcessService(SPEC, namespace.settings("reporting", **settings)) as service, \
            httpx.AsyncClient(base_url=service.url, timeout=10) as client:
        await bus.connect()
        try:
            await publish_all(client, bus, history())
            yield service
        finally:
            await bus.close()


@contextlib.asynccontextmanager
async def browser_page() -> AsyncIterator[tuple[Any, list[str]]]:
    async with chromium() as browser:
        errors: list[str] = []
        page = watch_errors(await browser.new_page(viewport={"width": 1400, "height": 1000}, locale="th-TH",
                                                   timezone_id="Asia/Bangkok"), errors)
        await page.clock.set_fixed_time(NOW)
        yield page, errors


async def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


async def text(page: Any, selector: str) -> str:
    return " ".join((await page.locator(selector).inner_text()).split())


async def test_national_province_and_district_views_show_the_seeded_figures(namespace: Namespace) -> None:
    async with seeded_reporting(namespace) as service, browser_page() as (page, errors):
        await page.goto(f"{service.url}/dashboard/")
        await page.wait_for_selector("#national-table tbody tr")
        assert await page.locator(".tile").count() == 77
        assert await text(page, "[data-figure=submissions] .value") == "10"
        assert await text(page, "[data-figure=scored] .value") == "6"
        assert await text(page, "[data-province='36']") == "ชัยภูมิ 4/6"
        assert "p3" in (await page.get_attribute("[data-province='36']", "class") or "")  # 67 % submitted
        assert await text(page, "[data-province='50']") == "เชียงใหม่ 2"  # no registry: a count only
        countdown = await text(page, "[data-deadline=submission_deadline]")
        assert "เหลือ 1 วัน 11 ชั่วโมง 0 นาที" in countdown and "ส่งแล้ว 7 จาก 9" in countdown
        assert await text(page, ".ranking[data-group=medium] tr:first-child") == (
            "1 เทศบาลเมืองชัยภูมิ ชัยภูมิ 81.50 ที่มีความโดดเด่น outstanding ชั่วคราว provisional")
        assert await page.locator("#final-selection").count() == 0  # nothing published yet
        assert await page.locator("#histogram .bar").count() == 10
        await shot(page, "national")

        await page.click("[data-province='36']")
        await page.wait_for_selector("#district-table tbody tr")
        assert await text(page, "[data-figure=submissions] .value") == "5"
        assert await text(page, "[data-figure=expected] .value") == "6"
        assert await page.locator("#submission-table tbody tr").count() == 5
        assert "เมืองชัยภูมิ Mueang Chaiyaphum 3 3 0 2 1" in await text(page, "[data-district='3601']")
        await shot(page, "province-36")

        await page.click("[data-district='3601']")
        await page.wait_for_selector("#missing li")
        assert await text(page, "#missing") == "เทศบาลตำบลนาฝาย 5360102"
        assert await text(page, "[data-figure=scored] .value") == "2"
        assert "ส่งแล้ว 2 จาก 3" in await text(page, "[data-deadline=submission_deadline]")
        await shot(page, "district-3601")
        assert errors == []


async def test_a_province_token_opens_its_own_province_and_downloads_its_package(namespace: Namespace) -> None:
    async with seeded_reporting(namespace, reporting_auth_required=True) as service, \
            browser_page() as (page, errors):
        tokens: TokenBook = service.component.state.tokens
        token, _ = await tokens.create(Scope.parse("province:36"), "สถ.จ.ชัยภูมิ")
        await page.goto(f"{service.url}/dashboard/?token={token}")
        await page.wait_for_selector("#district-table tbody tr")
        assert page.url.endswith("/dashboard/#/province/36")  # the token left the address bar
        assert "province:36" in await text(page, "#reader")
        async with page.expect_download() as download_info:
            await page.click("#package")
        download = await download_info.value
        assert download.suggested_filename == f"{CAMPAIGN}-province-36.pdf"
        await shot(page, "province-36-scoped")
        assert errors == []


async def test_once_published_the_dashboard_shows_the_final_selection_and_who_decided(namespace: Namespace) -> None:
    async with seeded_reporting(namespace) as service, browser_page() as (page, errors), \
            httpx.AsyncClient(base_url=service.url, timeout=10) as client:
        scored = (await client.get(f"/v1/campaigns/{CAMPAIGN}/submissions",
                                   params={"status": "scored", "limit": 500})).json()["items"]
        top = max((item for item in scored if item["size_group"] == "medium"), key=lambda item: item["score_total"])
        bus = Bus(namespace.settings("test-publisher"), "test-publisher")
        await bus.connect()
        try:
            await publish_all(client, bus, [selection(scored, {top["submission_id"]: "outstanding"})])
        finally:
            await bus.close()
        await page.goto(f"{service.url}/dashboard/")
        await page.wait_for_selector("#final-selection")
        decided = await text(page, "#decided-by")
        assert BY in decided and "ประกาศครั้งที่ 1" in decided and "ที่มีความโดดเด่น 1 แห่ง" in decided
        listed = page.locator("#final-selection li")
        assert await listed.count() == 1
        assert await listed.first.get_attribute("data-submission") == top["submission_id"]
        first = ".ranking[data-group=medium] tr:first-child"
        assert await text(page, first) == (
            "1 เทศบาลเมืองชัยภูมิ ชัยภูมิ 81.50 ที่มีความโดดเด่น outstanding ผลสุดท้าย final")
        assert await page.locator(".ranking [data-final=no]").count() == 0  # every tier is DLA's now
        assert BY in (await page.get_attribute(f"{first} .badge.final", "title") or "")
        async with page.expect_download() as download_info:
            await page.click("#announcement")
        assert (await download_info.value).suggested_filename == f"{CAMPAIGN}-announcement.pdf"
        await shot(page, "national-final")

        await page.click("[data-province='36']")
        await page.wait_for_selector("#submission-table tbody tr")
        in_province = sum(1 for item in scored if item["province_code"] == "36")
        assert await page.locator("#submission-table [data-final=yes]").count() == in_province
        assert await page.locator("#submission-table .badge.provisional").count() == 0
        assert "ไม่ได้รับการคัดเลือก" in await text(page, "#submission-table")
        await shot(page, "province-36-final")
        assert errors == []


@pytest.mark.parametrize("scope", ["province:40"])
async def test_without_a_token_the_dashboard_asks_for_one(namespace: Namespace, scope: str) -> None:
    async with seeded_reporting(namespace, reporting_auth_required=True) as service, \
            browser_page() as (page, errors):
        await page.goto(f"{service.url}/dashboard/")
        await page.wait_for_selector("#login:not([hidden])")
        tokens: TokenBook = service.component.state.tokens
        token, _ = await tokens.create(Scope.parse(scope), "สถ.จ.ขอนแก่น")
        await page.fill("#token-input", token)
        await page.click("#login button")
        await page.wait_for_selector("#district-table tbody tr")
        assert await text(page, "[data-figure=submissions] .value") == "3"
        # The 401 of the first attempt is the only error the browser reports.
        assert [e for e in errors if "401" not in e] == []
