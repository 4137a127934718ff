"""The final selection in notification, against the real broker, the real store and a real SMTP server on a
socket: `selection.published` as scoring publishes it tells every municipality its result once (winners
congratulated in Thai and English; the others thanked, with their points per section), every province and
district office with municipalities in the selection gets one summary of its area; a redelivery sends
nothing, an SMTP failure midway resends nothing already sent, and a later publication writes again only to the
municipality whose tier changed and to the offices whose list changed."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from email.message import Message
from typing import Any

from services.notification.service import SPEC
from shared.bus import Bus
from shared.events import ContactSummary, Envelope, LaoSummary, SelectionEntry, SelectionPublished
from tests.integration.test_notification import (
    FlakySink,
    body,
    collect_outcomes,
    handled,
    subject,
    wait_handled,
)
from tests.integration.test_notification_channels import ADMIN_TOKEN, import_directory
from tests.support import InProcessService, Namespace, SmtpSink, eventually

CAMPAIGN = "fy2568"
PUBLISHED_AT = datetime(2026, 1, 16, 3, 0, tzinfo=UTC)  # 16 Jan 2569, 10:00 Thai time
SELECTION = "selection.published"

CHANGWAT_CHAIYAPHUM = "changwat.chaiyaphum@example.go.th"
CHANGWAT_KHONKAEN = "changwat.khonkaen@example.go.th"
AMPHOE_MUANG = "amphoe.muang@example.go.th"  # 3601
AMPHOE_KHWAO = "amphoe.khwao@example.go.th"  # 3602
AMPHOE_KHONSAWAN = "amphoe.khonsawan@example.go.th"  # 3603: nobody of the selection there
AMPHOE_MUANG_KK = "amphoe.muangkk@example.go.th"  # 4001
DIRECTORY = ("level,areas,office,channel,address\n"
             f"province,36,สถ.จ.ชัยภูมิ,email,{CHANGWAT_CHAIYAPHUM}\n"
             f"province,40,สถ.จ.ขอนแก่น,email,{CHANGWAT_KHONKAEN}\n"
             f"district,3601,สถ.อ.เมืองชัยภูมิ,email,{AMPHOE_MUANG}\n"
             f"district,3602,สถ.อ.บ้านเขว้า,email,{AMPHOE_KHWAO}\n"
             f"district,3603,สถ.อ.คอนสวรรค์,email,{AMPHOE_KHONSAWAN}\n"
             f"district,4001,สถ.อ.เมืองขอนแก่น,email,{AMPHOE_MUANG_KK}\n")
OFFICES = (CHANGWAT_CHAIYAPHUM, CHANGWAT_KHONKAEN, AMPHOE_MUANG, AMPHOE_KHWAO, AMPHOE_MUANG_KK)

SECTIONS = {"readiness": 14.0, "data_platform": 3.0, "services": 9.5, "outcomes": 6.0, "sustainability": 4.0,
            "investment": 2.0, "committee": 12.0}


def _lao(code: str, name: str, kind: str, province: tuple[str, str], district: tuple[str, str]) -> LaoSummary:
    return LaoSummary(name=name, code=code, type=kind, province_code=province[0], province_name=province[1],
                      district_code=district[0], district_name=district[1])


CHAIYAPHUM, KHONKAEN = ("36", "ชัยภูมิ"), ("40", "ขอนแก่น")
# (submission id, LAO, coordinator's e-mail, size group, rank, total, tier)
MUNICIPALITIES = [
    ("fy2568-4360101", _lao("4360101", "เทศบาลเมืองชัยภูมิ", "เทศบาลเมือง", CHAIYAPHUM, ("3601", "เมืองชัยภูมิ")),
     "muang.chaiyaphum@example.go.th", "medium", 1, 86.5, "outstanding"),
    ("fy2568-5360116", _lao("5360116", "เทศบาลตำบลโนนสำราญ", "เทศบาลตำบล", CHAIYAPHUM, ("3601", "เมืองชัยภูมิ")),
     "nonsamran@example.go.th", "small", 1, 71.0, "efficient"),
    ("fy2568-3400101", _lao("3400101", "เทศบาลนครขอนแก่น", "เทศบาลนคร", KHONKAEN, ("4001", "เมืองขอนแก่น")),
     "khonkaen.city@example.go.th", "large", 1, 90.0, "outstanding"),
    ("fy2568-5360201", _lao("5360201", "เทศบาลตำบลบ้านเขว้า", "เทศบาลตำบล", CHAIYAPHUM, ("3602", "บ้านเขว้า")),
     "bankhwao@example.go.th", "small", 2, 50.5, "not_selected"),
    ("fy2568-5401201", _lao("5401201", "เทศบาลตำบลเมืองพล", "เทศบาลตำบล", KHONKAEN, ("4012", "พล")),
     "muangphon@example.go.th", "small", 3, 42.0, "not_selected"),
]
WINNERS = [m for m in MUNICIPALITIES if m[6] != "not_selected"]
NOT_SELECTED = [m for m in MUNICIPALITIES if m[6] == "not_selected"]
NONSAMRAN = MUNICIPALITIES[1]


def selection(version: int = 1, tiers: dict[str, str] | None = None) -> Envelope:
    """`selection.published` as scoring publishes it; `tiers` changes the final tier of some submissions."""
    entries = [
        SelectionEntry(submission_id=sid, revision=1, lao=lao, contact=ContactSummary(name="ผู้ประสานงาน", email=email),
                       size_group=group, rank=rank, total=total, max_total=100, sections=SECTIONS,
                       proposed_tier=tier, tier=(tiers or {}).get(sid, tier))
        for sid, lao, email, group, rank, total, tier in MUNICIPALITIES
    ]
    data = SelectionPublished(
        campaign=CAMPAIGN, selection_version=version, rubric_version="fy2568-v1", frozen_at=PUBLISHED_AT,
        published_at=PUBLISHED_AT, published_by="นายสมชาย ใจดี (adm_0123456789)",
        quotas={"outstanding": {"large": 4, "medium": 4, "small": 4},
                "efficient": {"large": 6, "medium": 6, "small": 6}},
        group_names={"large": "ขนาดใหญ่", "medium": "ขนาดกลาง", "small": "ขนาดเล็ก"}, entries=entries)
    return Envelope.build(data, producer="scoring", correlation_id=f"selection:{CAMPAIGN}")


def _settings(namespace: Namespace, smtp: SmtpSink) -> Any:
    return namespace.settings("notification", smtp_port=smtp.port, notification_admin_token=ADMIN_TOKEN)


def only(sink: SmtpSink, address: str) -> Message:
    mails = sink.to(address)
    assert len(mails) == 1, f"{len(mails)} messages to {address}"
    return mails[0]


async def arrived(sink: SmtpSink, count: int) -> None:
    async def enough() -> bool:
        return len(sink.messages) >= count
    await eventually(enough, what=f"{count} e-mails")


async def selection_log(service: InProcessService) -> list[dict[str, Any]]:
    collection = service.component.state.log.notifications
    return await collection.find({"campaign": CAMPAIGN, "selection_version": {"$exists": True}}).to_list(None)


async def test_the_selection_is_told_to_every_municipality_and_office_once(
        namespace: Namespace, smtp: SmtpSink, publisher: Bus) -> None:
    first = selection()
    before = handled(SELECTION)
    async with InProcessService(SPEC, _settings(namespace, smtp)) as service:
        await import_directory(service, DIRECTORY)
        await publisher.publish(first)
        # 5 municipalities + 2 province offices + 3 district offices (3603 has nobody in the selection).
        await arrived(smtp, 10)
        await wait_handled(SELECTION, before, 1)

        # Winners: congratulations, Thai first and English below, tier in both, size group, rank, points.
        for _, lao, email, group, rank, total, tier in WINNERS:
            mail = only(smtp, email)
            text = body(mail)
            tier_th, tier_en = {"outstanding": ("ที่มีความโดดเด่น", "outstanding"),
                                "efficient": ("ที่มีประสิทธิภาพ", "efficient")}[tier]
            assert subject(mail).startswith(f"ขอแสดงความยินดี {lao.name} ได้รับการคัดเลือก ระดับ{tier_th} / ")
            assert f"Congratulations: {lao.name} is selected ({tier_en})" in subject(mail)
            thai_at, english_at = text.index(f"ขอแสดงความยินดีกับ{lao.name}"), text.index("Congratulations:")
            assert thai_at < english_at
            group_th = {"large": "ขนาดใหญ่", "medium": "ขนาดกลาง", "small": "ขนาดเล็ก"}[group]
            assert f"ระดับ: {tier_th} ({tier_en})" in text and f"กลุ่มขนาด: {group_th}" in text
            assert f"อันดับในกลุ่ม{group_th}: {rank}" in text and f"Rank in the {group} group: {rank}" in text
            assert f"คะแนนรวม: {total:g} / 100 คะแนน" in text and f"Total: {total:g} / 100 points" in text
            assert f"Tier: {tier_en} ({tier_th})" in text
            assert "ประจำปีงบประมาณ พ.ศ. ๒๕๖๘" in text  # the campaign's title
            assert "จะประกาศผลการคัดเลือกอย่างเป็นทางการ" in text and "official announcement" in text
            assert f"อำเภอ{lao.district_name} จังหวัด{lao.province_name}" in text
            assert "ฉบับแก้ไข" not in text

        # Not selected: thanks, points per section with the sections' Thai and English titles, no rank.
        for _, lao, email, _, _, total, _ in NOT_SELECTED:
            mail = only(smtp, email)
            text = body(mail)
            assert subject(mail).startswith("ขอขอบคุณที่ร่วมการคัดเลือกเมืองน่าอยู่อัจฉริยะ")
            assert f"ขอขอบคุณ{lao.name}" in text and "ขอเป็นกำลังใจ" in text
            assert "  1. ความพร้อมและแผนพัฒนาเมืองอัจฉริยะ | 14 คะแนน" in text
            assert "  3. บริการเมืองอัจฉริยะที่ดำเนินการ ครอบคลุม 7 ด้าน | 9.5 คะแนน" in text
            assert "  7. การพิจารณาของคณะกรรมการ | 12 คะแนน" in text
            assert "  1. Readiness and approved smart city plan | 14 points" in text
            assert f"คะแนนรวม: {total:g} / 100 คะแนน" in text and f"Total: {total:g} / 100 points" in text
            assert "อันดับ" not in text and "Rank" not in text

        # Offices: one summary each, the selected ones of their area by tier and size group, the others counted.
        chaiyaphum = body(only(smtp, CHANGWAT_CHAIYAPHUM))
        assert "สำหรับเทศบาลในจังหวัดชัยภูมิ" in chaiyaphum
        assert "ได้รับการคัดเลือก: 2 แห่ง" in chaiyaphum and "ยังไม่ได้รับการคัดเลือกในปีนี้: 1 แห่ง" in chaiyaphum
        outstanding, efficient = chaiyaphum.index("ระดับที่มีความโดดเด่น (1 แห่ง)"), chaiyaphum.index(
            "ระดับที่มีประสิทธิภาพ (1 แห่ง)")
        medium = chaiyaphum.index("  กลุ่มขนาดกลาง\n    1. เทศบาลเมืองชัยภูมิ อำเภอเมืองชัยภูมิ จังหวัดชัยภูมิ")
        small = chaiyaphum.index("  กลุ่มขนาดเล็ก\n    1. เทศบาลตำบลโนนสำราญ อำเภอเมืองชัยภูมิ จังหวัดชัยภูมิ")
        assert outstanding < medium < efficient < small
        assert "บ้านเขว้า" not in chaiyaphum  # not selected: counted, not listed
        assert "Selected: 2" in chaiyaphum and "Not selected this year: 1" in chaiyaphum
        assert "เทศบาลนครขอนแก่น" not in chaiyaphum

        khonkaen = body(only(smtp, CHANGWAT_KHONKAEN))
        assert "ได้รับการคัดเลือก: 1 แห่ง" in khonkaen and "ยังไม่ได้รับการคัดเลือกในปีนี้: 1 แห่ง" in khonkaen
        assert "  กลุ่มขนาดใหญ่\n    1. เทศบาลนครขอนแก่น อำเภอเมืองขอนแก่น จังหวัดขอนแก่น" in khonkaen
        muang = body(only(smtp, AMPHOE_MUANG))
        assert "สำหรับเทศบาลในอำเภอเมืองชัยภูมิ จังหวัดชัยภูมิ" in muang
        assert "เทศบาลเมืองชัยภูมิ" in muang and "เทศบาลตำบลโนนสำราญ" in muang
        assert "ยังไม่ได้รับการคัดเลือกในปีนี้: 0 แห่ง" in muang
        khwao = body(only(smtp, AMPHOE_KHWAO))
        assert "ได้รับการคัดเลือก: 0 แห่ง" in khwao and "ยังไม่ได้รับการคัดเลือกในปีนี้: 1 แห่ง" in khwao
        assert subject(only(smtp, AMPHOE_MUANG_KK)).startswith(
            "ผลการคัดเลือกเมืองน่าอยู่อัจฉริยะ อำเภอเมืองขอนแก่น จังหวัดขอนแก่น: ได้รับการคัดเลือก 1 แห่ง")
        assert smtp.to(AMPHOE_KHONSAWAN) == []

        # The outcomes: one per message, the municipalities' with their submission, the offices' with the slot.
        outcomes = await collect_outcomes(namespace, 10)
        assert sorted(e.event_type for e in outcomes) == ["notification.area_sent"] * 5 + ["notification.sent"] * 5
        assert {e.data["submission_id"] for e in outcomes if e.event_type == "notification.sent"} == {
            m[0] for m in MUNICIPALITIES}
        assert {e.data["slot"] for e in outcomes if e.event_type == "notification.area_sent"} == {"selection-v1"}
        assert all(e.causation_id == first.event_id for e in outcomes)

        # The same publication again (a lost ack): nothing more.
        await publisher.publish(first)
        await wait_handled(SELECTION, before, 2)
        await asyncio.sleep(0.3)
        assert len(smtp.messages) == 10

        log = await selection_log(service)
        assert len(log) == 10 and {entry["status"] for entry in log} == {"sent"}
        keys = {entry["_id"] for entry in log}
        entry = next(e for e in log if e["submission_id"] == NONSAMRAN[0])
        assert entry["_id"] == f"selection:{CAMPAIGN}:v1:{NONSAMRAN[0]}:selection_winner:{entry['recipient_hash']}"
        assert any(key.startswith(f"selection:{CAMPAIGN}:v1:area-36:selection_area:") for key in keys)

        # Version 2: DLA corrected one tier (โนนสำราญ efficient → outstanding). Exactly one corrected e-mail to
        # that municipality, and new summaries only to the offices whose list changed (its province and district).
        second = selection(2, {NONSAMRAN[0]: "outstanding"})
        await publisher.publish(second)
        await arrived(smtp, 13)
        await wait_handled(SELECTION, before, 3)
        await asyncio.sleep(0.3)
        assert len(smtp.messages) == 13

        mails = smtp.to(NONSAMRAN[2])
        assert len(mails) == 2
        corrected = body(mails[1])
        assert subject(mails[1]).startswith("[ฉบับแก้ไข / Corrected] ขอแสดงความยินดี เทศบาลตำบลโนนสำราญ")
        assert "ฉบับแก้ไข: ผลการคัดเลือกที่แจ้งไปก่อนหน้านี้ (ที่มีประสิทธิภาพ) ได้รับการแก้ไขแล้ว" in corrected
        assert "ระดับ: ที่มีความโดดเด่น (outstanding)" in corrected and "Corrected result" in corrected
        for address in (CHANGWAT_CHAIYAPHUM, AMPHOE_MUANG):
            summaries = smtp.to(address)
            assert len(summaries) == 2
            assert subject(summaries[1]).startswith("[ฉบับแก้ไข / Corrected] ")
            assert "ระดับที่มีความโดดเด่น (2 แห่ง)" in body(summaries[1])
            assert "ระดับที่มีประสิทธิภาพ (0 แห่ง)" in body(summaries[1])
        for address in (CHANGWAT_KHONKAEN, AMPHOE_KHWAO, AMPHOE_MUANG_KK):
            assert len(smtp.to(address)) == 1
        for other in MUNICIPALITIES:
            if other is not NONSAMRAN:
                assert len(smtp.to(other[2])) == 1

        v2 = [e for e in await selection_log(service) if e["selection_version"] == 2]
        assert sorted((e["status"], e.get("skip_reason")) for e in v2) == [
            ("sent", None)] * 3 + [("skipped", "unchanged")] * 7
        [again] = [e for e in v2 if e["submission_id"] == NONSAMRAN[0]]
        assert (again["corrected"], again["previous_tier"], again["previous_version"]) == (True, "efficient", 1)

        # Version 2 redelivered, and version 1 arriving late: nothing more.
        await publisher.publish(second)
        await publisher.publish(first)
        await wait_handled(SELECTION, before, 5)
        await asyncio.sleep(0.3)
        assert len(smtp.messages) == 13


async def test_an_smtp_failure_midway_resends_nothing_already_sent(namespace: Namespace, publisher: Bus) -> None:
    """The first e-mail is refused for now (451): the publication is retried by the bus and every message arrives
    exactly once, the refused one on its second attempt."""
    sink = FlakySink(refuse_first=1)
    sink.start()
    try:
        before = handled(SELECTION)
        async with InProcessService(SPEC, _settings(namespace, sink)) as service:
            await import_directory(service, DIRECTORY)
            await publisher.publish(selection())
            await arrived(sink, 10)
            await wait_handled(SELECTION, before, 1)
            await asyncio.sleep(0.5)
            assert sink.refused == 1 and len(sink.messages) == 10
            for address in (*(m[2] for m in MUNICIPALITIES), *OFFICES):
                only(sink, address)
            log = await selection_log(service)
            assert {e["status"] for e in log} == {"sent"}
            assert sorted(e["attempts"] for e in log) == [1] * 9 + [2]
    finally:
        sink.stop()
