"""Reminders and digests against the real broker, store and an SMTP server, on a clock the test moves: each
office hears who in its area is still to be chased, from notification's own copy of the registry and of the
submissions; a slot that came due while the service was down goes out once after start, never twice, also
with two replicas."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from services.intake.submission import Submission
from services.notification.service import make_spec
from shared.bus import Bus
from shared.events import (
    ContactSummary,
    Envelope,
    Issue,
    LaoSummary,
    RegistryLao,
    RegistryUpdated,
    SubmissionRef,
    SubmissionReturned,
    SubmissionValidated,
)
from tests.integration.test_notification import body, outcome_events, subject
from tests.integration.test_notification_channels import ADMIN_TOKEN, import_directory
from tests.support import ROOT, InProcessService, Namespace, SmtpSink, canonical_submission, eventually

CAMPAIGN = "notify2573"
DEADLINE = datetime(2030, 11, 25, 16, 0, tzinfo=UTC)  # 25 Nov 2573, 23:00 Thai time
MUANG = "amphoe.muang@example.go.th"
KHWAO = "amphoe.khwao@example.go.th"
CHANGWAT = "changwat@example.go.th"
DLA = "smartcity@dla.example.go.th"
DIRECTORY = ("level,areas,office,channel,address\n"
             f"district,3601,สถ.อ.เมืองชัยภูมิ,email,{MUANG}\n"
             f"district,3602,สถ.อ.บ้านเขว้า,email,{KHWAO}\n"
             f"province,36,สถ.จ.ชัยภูมิ,email,{CHANGWAT}\n"
             f"national,,กองพัฒนาและส่งเสริมการบริหารงานท้องถิ่น,email,{DLA}\n")


class FakeClock:
    """The service's clock, moved by the test."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def write_campaign(directory: Path, *, reminders: list[str], digest_time: str) -> None:
    quoted = ", ".join(f'"{r}"' for r in reminders)
    (directory / f"{CAMPAIGN}.toml").write_text(f"""key = "{CAMPAIGN}"
title_th = "การคัดเลือกทดสอบการแจ้งเตือน พ.ศ. ๒๕๗๓"
title_en = "Notification test selection, B.E. 2573"
opens_at = 2030-11-01T00:00:00+07:00
submission_deadline = 2030-11-25T23:00:00+07:00
district_deadline = 2030-11-25T23:59:59+07:00
province_deadline = 2030-11-28T23:59:59+07:00
eligible_lao_types = ["เทศบาลนคร", "เทศบาลเมือง", "เทศบาลตำบล"]
late_policy = "reject"
rubric_version = "fy2568-v1"
reminders_before_deadline = [{quoted}]
digest_time = "{digest_time}"
""", encoding="utf-8")


def lao(code: str, name: str, kind: str, district: str, district_name: str) -> LaoSummary:
    return LaoSummary(name=name, code=code, type=kind, province_code="36", province_name="ชัยภูมิ",
                      district_code=district, district_name=district_name)


CHAIYAPHUM = lao("4360101", "เทศบาลเมืองชัยภูมิ", "เทศบาลเมือง", "3601", "เมืองชัยภูมิ")
NON_SAMRAN = lao("5360116", "เทศบาลตำบลโนนสำราญ", "เทศบาลตำบล", "3601", "เมืองชัยภูมิ")
BAN_KHWAO = lao("5360201", "เทศบาลตำบลบ้านเขว้า", "เทศบาลตำบล", "3602", "บ้านเขว้า")


def registry_event() -> Envelope:
    laos = [RegistryLao(code=item.code or "", name=item.name, type=item.type, province_code="36",
                        district_code=item.district_code, district_name=item.district_name)
            for item in (CHAIYAPHUM, NON_SAMRAN, BAN_KHWAO)]
    laos.append(RegistryLao(code="6360105", name="องค์การบริหารส่วนตำบลนาฝาย", type="องค์การบริหารส่วนตำบล",
                            province_code="36", district_code="3601"))
    data = RegistryUpdated(import_id="imp_test", imported_at=datetime(2030, 10, 30, tzinfo=UTC), province_code="36",
                           province_name="ชัยภูมิ", laos=laos)
    return Envelope.build(data, producer="validation", correlation_id="registry/imp_test")


def returned(place: LaoSummary) -> Envelope:
    issue = Issue(code="LAO_TYPE_MISSING", field="lao.type", severity="return", message_th="ไม่ได้ระบุประเภท",
                  message_en="The LAO type is missing.")
    return _envelope(SubmissionReturned(submission_id=f"{CAMPAIGN}-{place.code}", revision=1, campaign=CAMPAIGN,
                                        lao=place, contact=ContactSummary(email=None), issues=[issue]))


def validated(place: LaoSummary) -> Envelope:
    submission = Submission.model_validate({**canonical_submission(), "campaign": CAMPAIGN})
    return _envelope(SubmissionValidated(submission_id=f"{CAMPAIGN}-{place.code}", revision=1, campaign=CAMPAIGN,
                                         lao=place, contact=ContactSummary(email=None), submission=submission))


def _envelope(data: SubmissionRef) -> Envelope:
    return Envelope.build(data, producer="validation", correlation_id=data.submission_id)


def settings(namespace: Namespace, smtp: SmtpSink, campaigns: Path, **extra: Any) -> Any:
    return namespace.settings("notification", smtp_port=smtp.port, campaigns_dir=str(campaigns),
                              notification_admin_token=ADMIN_TOKEN, **extra)


async def progress(service: InProcessService, area: str) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=service.url) as client:
        response = await client.get(f"/v1/campaigns/{CAMPAIGN}/progress", params={"area": area})
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def slot_entries(service: InProcessService, slot: str) -> list[dict[str, Any]]:
    collection = service.component.state.log.notifications
    entries: list[dict[str, Any]] = await collection.find({"campaign": CAMPAIGN, "slot": slot}).to_list(None)
    return entries


async def _value(result: Any) -> Any:
    return result


async def test_before_the_deadline_each_office_hears_who_in_its_area_is_still_to_be_chased(
        namespace: Namespace, publisher: Bus, smtp: SmtpSink, tmp_path: Path) -> None:
    write_campaign(tmp_path, reminders=["7d", "1d"], digest_time="")
    clock = FakeClock(DEADLINE - timedelta(days=10))
    async with InProcessService(make_spec(clock), settings(namespace, smtp, tmp_path)) as service:
        await import_directory(service, DIRECTORY)
        for envelope in (registry_event(), returned(CHAIYAPHUM), validated(BAN_KHWAO)):
            await publisher.publish(envelope)

        async def known() -> bool:
            report = await progress(service, "36")
            return bool(report["registry_loaded"] and report["submitted"] == 2)
        await eventually(known, what="the area's progress from the events")

        clock.now = DEADLINE - timedelta(days=7) + timedelta(seconds=30)
        assert await service.component.state.scheduler.tick() == [f"{CAMPAIGN}:reminder-7d"]
        await eventually(lambda: _value(len(smtp.messages) == 2), what="two reminders")
        assert smtp.to(KHWAO) == [] and smtp.to(DLA) == []  # nobody left to chase in 3602; DLA gets digests

        [muang] = smtp.to(MUANG)
        assert subject(muang) == ("เตือนกำหนดส่ง: เหลือ 7 วัน, ติดตาม 2 แห่ง (อำเภอเมืองชัยภูมิ จังหวัดชัยภูมิ) / "
                                  "Deadline reminder: 2 to follow up")
        text = body(muang)
        assert "ภายในวันที่ 25 พฤศจิกายน 2573 เวลา 23:00 น." in text
        assert "1. เทศบาลตำบลโนนสำราญ อำเภอเมืองชัยภูมิ | ยังไม่ส่งข้อมูล (5360116)" in text
        assert "2. เทศบาลเมืองชัยภูมิ อำเภอเมืองชัยภูมิ | ส่งคืนให้แก้ไข ยังไม่ได้แก้ไข (4360101)" in text
        assert "นาฝาย" not in text and "บ้านเขว้า" not in text
        [changwat] = smtp.to(CHANGWAT)
        assert "ที่ยังต้องติดตาม 2 แห่ง" in body(changwat)

        entries = await slot_entries(service, "reminder-7d")
        assert sorted((e["office"], e["status"], e.get("skip_reason")) for e in entries) == [
            ("สถ.จ.ชัยภูมิ", "sent", None), ("สถ.อ.บ้านเขว้า", "skipped", "nothing_to_chase"),
            ("สถ.อ.เมืองชัยภูมิ", "sent", None)]
        for entry in entries:
            assert entry["_id"].startswith(f"{CAMPAIGN}:reminder-7d:reminder:")
            assert entry["template"] == "reminder" and entry["channel"] == "email"

        seen: list[Envelope] = []

        async def announced() -> list[Envelope] | None:
            seen.extend(e for e in await outcome_events(namespace) if e.event_type == "notification.area_sent")
            return seen if len(seen) == 2 else None
        outcomes = await eventually(announced, what="notification.area_sent for both")
        assert {o.data["recipient_kind"] for o in outcomes} == {"district", "province"}
        assert all(o.data["slot"] == "reminder-7d" and "@example" not in o.data["recipient"].split("***")[0]
                   for o in outcomes)

        async with httpx.AsyncClient(base_url=service.url) as client:
            slots = (await client.get("/v1/schedule", params={"campaign": CAMPAIGN})).json()["slots"]
        assert [(s["slot"], s["status"], s["recipients"]) for s in slots] == [("reminder-7d", "fired", 3)]


async def test_a_reminder_due_while_the_service_was_down_goes_out_once_after_start_and_never_twice(
        namespace: Namespace, publisher: Bus, smtp: SmtpSink, tmp_path: Path) -> None:
    write_campaign(tmp_path, reminders=["7d", "1d"], digest_time="")
    clock = FakeClock(DEADLINE - timedelta(days=8))
    config = settings(namespace, smtp, tmp_path)
    async with InProcessService(make_spec(clock), config) as service:
        await import_directory(service, "level,areas,office,channel,address\n"
                                        f"district,3601,สถ.อ.เมืองชัยภูมิ,email,{MUANG}\n")
        await publisher.publish(registry_event())
        await eventually(lambda: _loaded(service), what="the registry copy")
    assert smtp.messages == []

    # Down across the 7-day reminder; started two hours after it: the start sends it.
    clock.now = DEADLINE - timedelta(days=7) + timedelta(hours=2)
    async with InProcessService(make_spec(clock), config):
        await eventually(lambda: _value(len(smtp.to(MUANG)) == 1), what="the missed reminder, after start")
    assert "เหลือ 6 วัน 22 ชั่วโมง" in subject(smtp.to(MUANG)[0])

    # Restarted: the slot is known; nothing goes out again, however often the scheduler looks.
    async with InProcessService(make_spec(clock), config) as again:
        assert await again.component.state.scheduler.tick() == []
        await asyncio.sleep(0.3)
    assert len(smtp.to(MUANG)) == 1

    # The next slot with two replicas running side by side: still one reminder.
    clock.now = DEADLINE - timedelta(days=1) + timedelta(minutes=1)
    async with InProcessService(make_spec(clock), config) as one, InProcessService(make_spec(clock), config) as two:
        await eventually(lambda: _value(len(smtp.to(MUANG)) == 2), what="the 1-day reminder")
        ticks = await asyncio.gather(one.component.state.scheduler.tick(), two.component.state.scheduler.tick())
        assert list(ticks) == [[], []]
        await asyncio.sleep(0.5)
        assert len(smtp.to(MUANG)) == 2
        [entry] = await slot_entries(one, "reminder-1d")
        assert (entry["status"], entry["attempts"]) == ("sent", 1)


async def test_a_daily_digest_without_the_registry_summarises_the_area_and_lists_the_returned_ones(
        namespace: Namespace, publisher: Bus, smtp: SmtpSink, tmp_path: Path) -> None:
    write_campaign(tmp_path, reminders=[], digest_time="08:00")
    directory_file = tmp_path / "offices.csv"
    directory_file.write_text(DIRECTORY, encoding="utf-8")
    # The operator's command-line import (the same as the admin API's).
    env = {**os.environ, **namespace.env("notification")}
    done = await asyncio.to_thread(subprocess.run, [sys.executable, "-m", "services.notification.directory",
                                                    str(directory_file)], env=env, cwd=ROOT, capture_output=True,
                                   text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "imported 4 contacts" in done.stdout and MUANG not in done.stdout

    # 24 Nov 2573, 07:59 Thai time; yesterday's digest is older than the 12 hours allowed here, so it stays past.
    clock = FakeClock(datetime(2030, 11, 24, 0, 59, tzinfo=UTC))
    config = settings(namespace, smtp, tmp_path, notification_schedule_max_late_hours=12)
    async with InProcessService(make_spec(clock), config) as service:
        for envelope in (returned(CHAIYAPHUM), validated(BAN_KHWAO)):
            await publisher.publish(envelope)
        await eventually(lambda: _submitted(service, 2), what="two submissions in the progress model")
        clock.now = datetime(2030, 11, 24, 1, 0, 30, tzinfo=UTC)
        assert await service.component.state.scheduler.tick() == [f"{CAMPAIGN}:digest-2030-11-24"]
        await eventually(lambda: _value(len(smtp.messages) == 4), what="four digests")

        [changwat] = smtp.to(CHANGWAT)
        assert subject(changwat) == ("สรุปความคืบหน้า 24 พฤศจิกายน 2573: จังหวัดชัยภูมิ ส่งแล้ว 2 แห่ง / "
                                     "Daily progress: 2 submitted")
        text = body(changwat)
        assert "ยังไม่มีทะเบียน อปท. ในระบบ" in text and "ส่งข้อมูลแล้ว: 2 แห่ง" in text
        assert "อำเภอเมืองชัยภูมิ จังหวัดชัยภูมิ | 1 | 1 | -" in text
        assert "อำเภอบ้านเขว้า จังหวัดชัยภูมิ | 1 | 0 | -" in text
        muang = body(smtp.to(MUANG)[0])
        assert "ที่ยังต้องติดตาม" in muang and "เทศบาลเมืองชัยภูมิ อำเภอเมืองชัยภูมิ | ส่งคืนให้แก้ไข" in muang
        national = body(smtp.to(DLA)[0])
        assert "ของทั้งประเทศ" in national and "จังหวัดชัยภูมิ | 2 | 1 | -" in national

        async with httpx.AsyncClient(base_url=service.url) as client:
            listing = (await client.get("/v1/directory")).json()
        assert len(listing["contacts"]) == 4 and listing["last_import"]["source"] == "offices.csv"
        assert MUANG not in str(listing) and "am***@example.go.th" in str(listing)


async def test_a_directory_import_with_a_bad_row_changes_nothing_and_needs_the_admin_token(
        namespace: Namespace, smtp: SmtpSink, tmp_path: Path) -> None:
    async with InProcessService(make_spec(), settings(namespace, smtp, tmp_path)) as service, \
            httpx.AsyncClient(base_url=service.url) as client:
        await import_directory(service, DIRECTORY)
        bad = DIRECTORY + "district,99,สถ.อ.ผิด,email,wrong@example.go.th\n"
        response = await client.post("/v1/directory/imports", content=bad.encode(),
                                     headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
        assert response.status_code == 422
        [error] = response.json()["errors"]
        assert error["field"] == "line 6: areas" and "wrong@" not in response.text
        unauthorised = await client.post("/v1/directory/imports", content=DIRECTORY.encode(),
                                         headers={"Authorization": "Bearer not-the-token"})
        assert unauthorised.status_code == 401
        assert len((await client.get("/v1/directory")).json()["contacts"]) == 4


async def _loaded(service: InProcessService) -> bool:
    return bool((await progress(service, "3601"))["registry_loaded"])


async def _submitted(service: InProcessService, count: int) -> bool:
    return bool((await progress(service, "36"))["submitted"] == count)
