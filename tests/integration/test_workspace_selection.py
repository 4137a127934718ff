"""DLA's final selection in the browser, on the real broker and store over HTTP on a socket: an administrator
signs in with a one-time link printed by `python -m services.scoring.admins link`, sees the proposal per size
group, freezes, is refused an override without a reason (what was typed kept), decides one entry otherwise,
must confirm before publishing, publishes once (`selection.published` through the outbox) and unfreezes with a
reason; every step is in the audit trail under the administrator's name. A committee-only account, a
reviewer's session and a form without its CSRF token are refused."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from html import unescape

import httpx

from services.scoring.application.admins import create_admin
from services.scoring.application.links import issue_link
from services.scoring.application.reviewing import register_reviewer
from services.scoring.repository import ScoringStore, WorkspaceStore
from shared.events import Envelope
from tests.integration.scoring_fixtures import publish_all, running_scoring, validated
from tests.integration.test_workspace import csrf_of
from tests.support import ROOT, Namespace, drain, eventually, http_client

SIZES = ("large", "medium", "small")
COUNT = 9
PAGE = "/workspace/admin/campaigns/fy2568"


async def _all_scored(store: ScoringStore) -> int | None:
    count = await store.scores.count_documents({"campaign": "fy2568"})
    return count if count == COUNT else None


async def _sign_in(browser: httpx.AsyncClient, url: str) -> httpx.Response:
    page = await browser.get(url)
    assert page.status_code == 200, page.text
    code = re.search(r'name="code" value="([^"]+)"', page.text)
    assert code
    return await browser.post("/workspace/sign-in", data={"csrf": csrf_of(page.text), "code": code.group(1)})


def _rows(html: str) -> dict[str, str]:
    """Each entry's decided tier, as the selection page marks it."""
    return dict(re.findall(r'data-submission="([^"]+)" data-tier="([^"]+)"', html))


async def _published(namespace: Namespace, seen: list[Envelope]) -> list[Envelope] | None:
    seen.extend(e for e in await drain(namespace) if e.event_type == "selection.published")
    return seen or None


async def test_an_administrator_freezes_overrides_with_a_reason_and_publishes_in_the_browser(
        namespace: Namespace) -> None:
    async with running_scoring(namespace) as (scoring, publisher):
        store: ScoringStore = scoring.component.state.store
        await publish_all(publisher, [validated(i, size_class=SIZES[i % 3]) for i in range(COUNT)])
        await eventually(lambda: _all_scored(store), what="every submission scored")
        chair, _ = await create_admin(store, name="นางสาวพิมพ์ใจ คัดสรร (สถ.)", scopes=["selection"], created_by="test")
        clerk, _ = await create_admin(store, name="ฝ่ายเลขานุการ", scopes=["committee"], created_by="test")

        env = {**os.environ, "MONGODB_URL": namespace.infra.mongodb_url, "MONGODB_DB_PREFIX": namespace.name}
        printed = await asyncio.to_thread(subprocess.run, [
            sys.executable, "-m", "services.scoring.admins", "link", chair["admin_id"], "--base-url", scoring.url],
            env=env, cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert printed.returncode == 0, printed.stderr
        link = printed.stdout.strip().splitlines()[-1]
        assert link.startswith(f"{scoring.url}/workspace/sign-in?code=")

        async with http_client(scoring.url) as browser:
            signed = await _sign_in(browser, link.removeprefix(scoring.url))
            assert (signed.status_code, signed.headers["location"]) == (303, "/workspace/admin/")
            landing = await browser.get("/workspace/admin/")
            assert landing.status_code == 200 and 'data-campaign="fy2568"' in landing.text
            assert 'data-status="open"' in landing.text and chair["name"] in landing.text

            # Open: the proposal, per size group, within the quotas.
            opened = await browser.get(PAGE)
            assert opened.status_code == 200 and 'id="selection-status" data-status="open"' in opened.text
            assert len(_rows(opened.text)) == COUNT
            assert "ขนาดใหญ่" in opened.text and "ตรึงผลคะแนน" in opened.text and "Freeze the results" in opened.text
            csrf = csrf_of(opened.text)

            no_token = await browser.post(f"{PAGE}/freeze", data={})
            assert no_token.status_code == 403 and 'data-error="csrf_failed"' in no_token.text
            assert await store.selection("fy2568") is None

            frozen = await browser.post(f"{PAGE}/freeze", data={"csrf": csrf})
            assert (frozen.status_code, frozen.headers["location"]) == (303, f"{PAGE}?notice=frozen")
            page = await browser.get(frozen.headers["location"])
            assert 'data-status="frozen"' in page.text and "ตรึงผลคะแนนแล้ว" in page.text
            again = await browser.post(f"{PAGE}/freeze", data={"csrf": csrf})
            assert again.status_code == 409 and 'data-error="already_frozen"' in again.text

            # An override without a reason is refused beside its form, what was typed kept.
            tiers = _rows(page.text)
            chosen = next(sid for sid, tier in tiers.items() if tier != "outstanding")
            short = await browser.post(f"{PAGE}/overrides", data={
                "csrf": csrf, "submission_id": chosen, "tier": "outstanding", "reason": "ดีมาก"})
            assert short.status_code == 422 and 'data-error="reason_required"' in short.text
            assert "ดีมาก</textarea>" in short.text and "อย่างน้อย 10 ตัวอักษร" in short.text
            reason = "คณะกรรมการลงพื้นที่แล้วพบผลงานเด่นกว่าเอกสาร <ตามหนังสือจังหวัด>"
            decided = await browser.post(f"{PAGE}/overrides", data={
                "csrf": csrf, "submission_id": chosen, "tier": "outstanding", "reason": reason})
            assert decided.status_code == 303, decided.text
            page = await browser.get(f"{PAGE}")
            assert _rows(page.text)[chosen] == "outstanding"
            assert "&lt;ตามหนังสือจังหวัด&gt;" in page.text and "<ตามหนังสือจังหวัด>" not in page.text
            assert chair["name"] in unescape(page.text)

            # Publishing needs the confirmation, then goes out once.
            unconfirmed = await browser.post(f"{PAGE}/publish", data={"csrf": csrf})
            assert unconfirmed.status_code == 422 and 'data-error="confirmation_missing"' in unconfirmed.text
            published = await browser.post(f"{PAGE}/publish", data={"csrf": csrf, "confirm": "yes"})
            assert (published.status_code, published.headers["location"]) == (303, f"{PAGE}?notice=published")
            twice = await browser.post(f"{PAGE}/publish", data={"csrf": csrf, "confirm": "yes"})
            assert twice.status_code == 409 and 'data-error="already_published"' in twice.text
            seen: list[Envelope] = []
            await eventually(lambda: _published(namespace, seen), what="selection.published")
            await asyncio.sleep(0.5)
            events = seen + [e for e in await drain(namespace) if e.event_type == "selection.published"]
            assert len(events) == 1
            payload = events[0].data
            assert payload["published_by"].startswith(chair["name"])
            entry = next(e for e in payload["entries"] if e["submission_id"] == chosen)
            assert entry["tier"] == "outstanding" and entry["override_reason"] == reason
            page = await browser.get(PAGE)
            assert 'data-status="published"' in page.text and "ประกาศครั้งที่ 1" in page.text

            # Unfreezing needs a reason too; it opens the results again.
            vague = await browser.post(f"{PAGE}/unfreeze", data={"csrf": csrf, "reason": "แก้"})
            assert vague.status_code == 422 and "แก้</textarea>" in vague.text
            reopened = await browser.post(f"{PAGE}/unfreeze", data={
                "csrf": csrf, "reason": "จังหวัดแจ้งแก้ไขข้อมูลโครงการ ต้องพิจารณาใหม่"})
            assert reopened.status_code == 303
            page = await browser.get(PAGE)
            assert 'id="selection-status" data-status="open"' in page.text
            actions = re.findall(r'<li data-action="(\w+)">', page.text)
            assert actions == ["unfreeze", "publish", "override", "freeze"]  # newest first

            out = await browser.post("/workspace/sign-out", data={"csrf": csrf})
            assert out.status_code == 200
            assert (await browser.get(PAGE)).status_code == 401

        # A committee-only account sees the campaigns but not the selection; a reviewer's session neither.
        workspace: WorkspaceStore = scoring.component.state.workspace
        clerk_link, _ = await issue_link(workspace, "admin", clerk["admin_id"], "test")
        async with http_client(scoring.url) as browser:
            assert (await _sign_in(browser, clerk_link)).status_code == 303
            landing = await browser.get("/workspace/admin/")
            assert landing.status_code == 200 and 'data-error="scope_missing"' in landing.text
            refused = await browser.get(PAGE)
            assert refused.status_code == 403 and 'data-error="scope_missing"' in refused.text
            assert (await browser.get("/workspace/")).status_code == 403  # not a reviewer's session
        reviewer, _ = await register_reviewer(store, name="ผู้แทน สถ.", province="national", created_by="test")
        reviewer_link, _ = await issue_link(workspace, "reviewer", reviewer["reviewer_id"], "test")
        async with http_client(scoring.url) as browser:
            assert (await _sign_in(browser, reviewer_link)).status_code == 303
            wrong = await browser.get(PAGE)
            assert wrong.status_code == 403 and 'data-error="wrong_kind"' in wrong.text
