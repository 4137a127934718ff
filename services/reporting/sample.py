"""A small, realistic event history for reporting: DLA's registry of a few provinces and municipalities that
submit, are returned, rejected, validated and scored, as the pipeline would publish it.

Tests, the dashboard's browser tests and the freshness benchmark seed reporting with it; a developer can
publish it to a running system to look at the dashboard with figures in it:

    python -m services.reporting.sample       # publishes to AMQP_URL under BUS_NAMESPACE
"""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from shared.events import (
    ContactSummary,
    CriterionScore,
    Envelope,
    EventData,
    LaoSummary,
    RegistryLao,
    RegistryUpdated,
    SubmissionReceived,
    SubmissionRejected,
    SubmissionReturned,
    SubmissionScored,
    SubmissionValidated,
)
from shared.events import Issue as IssueModel
from shared.submission import Submission
from shared.thai import LAO_TYPE_ABBREVIATIONS, MUNICIPALITY_TYPES

CAMPAIGN = "fy2568"
T0 = datetime(2025, 11, 20, 2, 0, tzinfo=UTC)
PRODUCER = "sample"
# The LAO type by the first digit of DLA's code: 3 นคร, 4 เมือง, 5 ตำบล (the municipalities), 6 อบต.
TYPES = dict(zip("3456", (*MUNICIPALITY_TYPES, LAO_TYPE_ABBREVIATIONS["อบต"]), strict=True))
# The size group each municipal type falls back to, and the FY2568 rubric's names of the groups, as scoring
# puts them on its events.
SIZE_BY_TYPE = dict(zip(MUNICIPALITY_TYPES, ("large", "medium", "small"), strict=True))
GROUP_NAMES = {"large": ("ขนาดใหญ่", "large"), "medium": ("ขนาดกลาง", "medium"), "small": ("ขนาดเล็ก", "small")}
PLACES = {
    "36": ("ชัยภูมิ", {"3601": "เมืองชัยภูมิ", "3602": "บ้านเขว้า", "3603": "คอนสวรรค์"}),
    "40": ("ขอนแก่น", {"4001": "เมืองขอนแก่น", "4007": "บ้านไผ่"}),
    "50": ("เชียงใหม่", {"5001": "เมืองเชียงใหม่", "5004": "สันทราย"}),
}


def _id(*parts: object) -> str:
    return hashlib.sha256("/".join(map(str, parts)).encode()).hexdigest()[:24]


@dataclass
class Municipality:
    code: str
    name: str
    district_code: str
    clock: datetime
    revision: int = 1
    campaign: str = CAMPAIGN
    events: list[Envelope] = field(default_factory=list)

    @property
    def type(self) -> str:
        return TYPES[self.code[0]]

    @property
    def province_code(self) -> str:
        return self.district_code[:2]

    @property
    def submission_id(self) -> str:
        return f"{self.campaign}-{self.code}"

    def summary(self, validated: bool = True) -> LaoSummary:
        """The LAO as intake places it from the form's names, or as validation matched it to the registry."""
        province_name, districts = PLACES[self.province_code]
        return LaoSummary(name=self.name, code=self.code, type=self.type, province_code=self.province_code,
                          province_name=province_name, district_code=self.district_code,
                          district_name=districts[self.district_code],
                          size_class=SIZE_BY_TYPE.get(self.type) if validated else None,
                          registry_verified=True if validated else None)

    def form(self) -> Submission:
        province_name, districts = PLACES[self.province_code]
        number = int(self.code[-2:])
        return Submission.model_validate({
            "campaign": self.campaign, "source": "api", "source_response_id": f"{self.code}-r{self.revision}",
            "submitted_at": self.clock.isoformat(),
            "lao": {"name": self.name, "code": self.code, "type": self.type, "province": province_name,
                    "district": districts[self.district_code]},
            "contact": {"name": "นางสาวสมศรี ตั้งใจ", "position": "นักวิเคราะห์นโยบายและแผน", "phone": "044-811-234",
                        "email": f"smartcity{self.code}@example.go.th"},
            "readiness": {"has_plan": number % 2 == 1, "plan_url": "https://example.go.th/smartcity-plan.pdf",
                          "depa_mark": ("yes", "applying", "no")[number % 3], "data_platform": number % 3 != 2},
            "dimensions": ["environment", "governance", "living", "people"][: 2 + number % 3],
            "projects": [{
                "name": "ระบบแจ้งเหตุและติดตามเรื่องร้องเรียนผ่าน LINE OA", "dimensions": ["governance"],
                "description": "ประชาชนแจ้งเหตุ ติดตามสถานะ และประเมินความพึงพอใจผ่านแอปพลิเคชัน",
                "budget_thb": 450000 + 10000 * number, "status": "completed", "beneficiaries": 12000 + number,
                "outcomes": "ลดเวลาตอบสนองเหตุจาก ๓ วันเหลือ ๖ ชั่วโมง",
                "evidence_urls": ["https://example.go.th/evidence/line-oa"],
            }, {
                "name": "ไฟถนนอัจฉริยะพลังงานแสงอาทิตย์", "dimensions": ["energy", "environment"],
                "description": "เปลี่ยนไฟถนนเป็น LED พลังงานแสงอาทิตย์ที่ควบคุมจากศูนย์ข้อมูลเมือง",
                "budget_thb": 1_500_000, "status": "in_progress", "beneficiaries": 8000,
            }],
            "partners": ["มหาวิทยาลัยราชภัฏชัยภูมิ", "สำนักงานส่งเสริมเศรษฐกิจดิจิทัล (ดีป้า)"],
        })

    def _publish(self, data: EventData, minutes: float = 7) -> Envelope:
        self.clock += timedelta(minutes=minutes)
        envelope = Envelope.build(data, producer=PRODUCER, correlation_id=self.submission_id)
        envelope = envelope.model_copy(update={
            "occurred_at": self.clock, "event_id": _id(self.submission_id, data.EVENT_TYPE, self.revision,
                                                       len(self.events))})
        self.events.append(envelope)
        return envelope

    def _ref(self) -> dict[str, Any]:
        return {"submission_id": self.submission_id, "revision": self.revision, "campaign": self.campaign,
                "contact": ContactSummary(name="นางสาวสมศรี ตั้งใจ", email=f"smartcity{self.code}@example.go.th")}

    def received(self) -> Municipality:
        self._publish(SubmissionReceived(**self._ref(), source="api",
                                         source_response_id=f"{self.code}-r{self.revision}", received_at=self.clock,
                                         lao=self.summary(validated=False),
                                         submission=self.form()))
        return self

    def validated(self) -> Municipality:
        self._publish(SubmissionValidated(**self._ref(), lao=self.summary(), submission=self.form()))
        return self

    def returned(self) -> Municipality:
        issue = IssueModel(code="PROJECTS_MISSING", field="projects", severity="return",
                           message_th="ต้องระบุโครงการอย่างน้อย ๑ โครงการ", message_en="List at least one project")
        self._publish(SubmissionReturned(**self._ref(), lao=self.summary(), issues=[issue]))
        return self

    def rejected(self) -> Municipality:
        issue = IssueModel(code="LAO_TYPE_NOT_ELIGIBLE", field="lao.type", severity="reject",
                           message_th="ประเภท อปท. นี้ไม่อยู่ในกลุ่มที่มีสิทธิ์สมัคร", message_en="This LAO type may not apply")
        self._publish(SubmissionRejected(**self._ref(), lao=self.summary(), issues=[issue]))
        return self

    def scored(self, total: float, *, rubric: str = "fy2568-v1",
               trigger: Literal["validation", "review", "rescore"] = "validation",
               score_version: int = 1) -> Municipality:
        tier: Literal["outstanding", "efficient", "not_selected"] = (
            "outstanding" if total >= 70 else "efficient" if total >= 50 else "not_selected")
        criteria = [
            CriterionScore(key="has_plan", section="readiness", title_th="มีแผนพัฒนาเมืองอัจฉริยะที่ผ่านความเห็นชอบ",
                           title_en="Approved smart city plan", points=8, max_points=8,
                           inputs={"readiness.has_plan": True}, reason_th="มีแผนที่ผ่านความเห็นชอบ",
                           reason_en="Has an approved plan"),
            CriterionScore(key="services", section="services", title_th="บริการเมืองอัจฉริยะที่เปิดใช้งานแล้ว",
                           title_en="Smart city services in operation", points=round(total - 8, 2), max_points=92,
                           inputs={"projects": 2}, reason_th="มีโครงการที่ดำเนินการแล้วเสร็จ",
                           reason_en="Completed projects"),
        ]
        group = SIZE_BY_TYPE.get(self.type, "small")
        self._publish(SubmissionScored(**self._ref(), lao=self.summary(), rubric_version=rubric, total=total,
                                       max_total=100, tier=tier, size_group=group, size_group_th=GROUP_NAMES[group][0],
                                       size_group_en=GROUP_NAMES[group][1], criteria=criteria, trigger=trigger,
                                       score_version=score_version))
        return self

    def resubmits(self) -> Municipality:
        self.revision += 1
        self.clock += timedelta(hours=5)
        return self.received()


def registry_event(province_code: str, laos: list[tuple[str, str, str]], *, import_id: str = "import-1",
                   imported_at: datetime = T0) -> Envelope:
    """`registry.updated` for one province: (code, name, district code) of every LAO, types from the code."""
    province_name, districts = PLACES[province_code]
    data = RegistryUpdated(import_id=import_id, imported_at=imported_at, province_code=province_code,
                           province_name=province_name, laos=[
                               RegistryLao(code=code, name=name, type=TYPES[code[0]], province_code=province_code,
                                           district_code=district, district_name=districts[district],
                                           size_class=SIZE_BY_TYPE.get(TYPES[code[0]]))
                               for code, name, district in laos])
    envelope = Envelope.build(data, producer="validation", correlation_id=f"registry/{import_id}")
    return envelope.model_copy(update={"occurred_at": imported_at, "event_id": _id("registry", import_id,
                                                                                   province_code)})


REGISTRY_36 = [
    ("4360101", "เทศบาลเมืองชัยภูมิ", "3601"),
    ("5360101", "เทศบาลตำบลโพนทอง", "3601"),
    ("5360102", "เทศบาลตำบลนาฝาย", "3601"),
    ("6360103", "องค์การบริหารส่วนตำบลห้วยต้อน", "3601"),
    ("5360201", "เทศบาลตำบลบ้านเขว้า", "3602"),
    ("5360202", "เทศบาลตำบลลุ่มลำชี", "3602"),
    ("5360301", "เทศบาลตำบลคอนสวรรค์", "3603"),
]
REGISTRY_40 = [
    ("3400101", "เทศบาลนครขอนแก่น", "4001"),
    ("4400701", "เทศบาลเมืองบ้านไผ่", "4007"),
    ("5400702", "เทศบาลตำบลในเมือง", "4007"),
]


def municipalities() -> dict[str, Municipality]:
    start = T0 + timedelta(hours=1)
    laos = [(code, name, district) for code, name, district in REGISTRY_36 + REGISTRY_40] + [
        ("3500101", "เทศบาลนครเชียงใหม่", "5001"), ("4500401", "เทศบาลเมืองแม่โจ้", "5004")]
    return {code: Municipality(code, name, district, start + timedelta(hours=i))
            for i, (code, name, district) in enumerate(laos)}


def history() -> list[Envelope]:
    """Registry of 36 and 40, and eleven municipalities' submissions in every state, in pipeline order."""
    m = municipalities()
    m["4360101"].received().validated().scored(81.5)
    m["5360101"].received().validated().scored(62.0)
    m["5360201"].received().returned()
    m["6360103"].received().rejected()
    m["5360301"].received()
    m["3400101"].received().validated().scored(88.25)
    m["4400701"].received().validated().scored(55.0).scored(73.0, rubric="fy2568-v2", trigger="rescore")
    m["5400702"].received().validated()
    m["3500101"].received().validated().scored(91.0)
    m["4500401"].received().returned().resubmits().validated().scored(47.5)
    events = [registry_event("36", REGISTRY_36), registry_event("40", REGISTRY_40)]
    for municipality in m.values():
        events.extend(municipality.events)
    return events


async def _publish_all() -> None:
    from shared.bus import Bus
    from shared.localdefaults import use_local_defaults
    from shared.settings import Settings

    use_local_defaults()  # against `make run` as written, when AMQP_URL is not set
    bus = Bus(Settings(service_name="sample"), "sample")  # type: ignore[call-arg]
    await bus.connect()
    try:
        for envelope in history():
            await bus.publish(envelope)
    finally:
        await bus.close()


if __name__ == "__main__":
    asyncio.run(_publish_all())
    print(f"published {len(history())} sample events")
