"""The submission as it travels in events: the wire contract every consumer reads.

A tolerant reader: fields it does not know are ignored at every level, so an intake that asks a new
question does not break the consumers deployed before it. It parses nothing: intake's input model
(`services.intake.submission`) reads the Thai answers and hands on values already canonical; this model
only says their shape. Changes are additive (docs/events.md); a breaking change is a new event version.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer

Source = Literal["google_form", "csv_import", "api"]
DimensionKey = Literal["environment", "energy", "mobility", "economy", "living", "people", "governance"]
DepaMark = Literal["yes", "no", "applying"]
ProjectStatus = Literal["completed", "in_progress", "planned"]
AnswerProblemCode = Literal["answer_unreadable", "answer_out_of_range", "choice_unknown", "answer_missing",
                            "answer_too_long", "answer_invalid"]


def money_json(value: Decimal) -> int | float:
    """Baht travel as JSON numbers: whole baht as integers, satang as a fraction."""
    return int(value) if value == value.to_integral_value() else float(value)


Baht = Annotated[Decimal, PlainSerializer(lambda v: money_json(v), when_used="json")]


class WireModel(BaseModel):
    model_config = ConfigDict(extra="ignore")


class Lao(WireModel):
    """The local administrative organisation (อปท.) that submitted, as the applicant named it."""

    name: str | None = Field(default=None, description="ชื่อองค์กรปกครองส่วนท้องถิ่น", examples=["เทศบาลเมืองชัยภูมิ"])
    code: str | None = Field(default=None, description="รหัส อปท. 7 หลัก (DLA code)", examples=["4360101"])
    type: str | None = Field(default=None, description="ประเภท อปท.", examples=["เทศบาลเมือง"])
    province: str | None = Field(default=None, description="จังหวัด: name or 2-digit DOPA code", examples=["ชัยภูมิ"])
    district: str | None = Field(default=None, description="อำเภอ: name or 4-digit DOPA code",
                                 examples=["เมืองชัยภูมิ"])


class Contact(WireModel):
    name: str | None = Field(default=None, description="ชื่อ-นามสกุล ผู้ประสานงาน")
    position: str | None = Field(default=None, description="ตำแหน่ง")
    phone: str | None = Field(default=None, description="หมายเลขโทรศัพท์", examples=["044-811-234"])
    email: str | None = Field(default=None, description="อีเมล", examples=["smartcity@example.go.th"])


class Readiness(WireModel):
    has_plan: bool | None = Field(default=None, description="มีแผนพัฒนาเมืองอัจฉริยะที่ผ่านความเห็นชอบแล้วหรือไม่")
    plan_url: str | None = Field(default=None, description="ลิงก์เอกสารแผนพัฒนาเมืองอัจฉริยะ")
    depa_mark: DepaMark | None = Field(default=None, description="ได้รับตราสัญลักษณ์ Smart City Thailand")
    data_platform: bool | None = Field(default=None, description="มีแพลตฟอร์มข้อมูลเมือง (City Data Platform) หรือไม่")


class AnswerProblem(WireModel):
    """An answer intake kept as written but could not take as a value (unreadable, out of range, an unknown
    choice, missing): the response is still accepted, and validation returns it for correction with this."""

    field: str = Field(description="The canonical field, e.g. `projects[0].budget_thb`")
    question: str | None = Field(default=None, description="The form's question title (column) it came from")
    code: AnswerProblemCode
    reason: str | None = Field(default=None, description="The precise reason, e.g. `yes_no`, `money`, `timestamp`")
    written: str | None = Field(default=None, description="What the applicant wrote, as written")
    message_th: str
    message_en: str


class NumberNote(WireModel):
    """How a number written as free text was read: the text beside the value, and whether it is an estimate
    (`ประมาณ`, `กว่า`) or one of several readings (a range, two numbers in one cell)."""

    written: str
    estimated: bool = False
    ambiguous: bool = False
    note: str | None = Field(default=None, description="How it was read, e.g. `range_lower_end`, "
                                                       "`persons_in_brackets` (docs/thai-numbers.md)")
    note_th: str | None = None
    note_en: str | None = None


class Project(WireModel):
    name: str | None = Field(default=None, description="ชื่อโครงการ")
    dimensions: list[DimensionKey] = Field(default_factory=list, description="ด้าน (dimension keys)")
    description: str | None = Field(default=None, description="รายละเอียด")
    budget_thb: Baht | None = Field(default=None, description="งบประมาณ (บาท)")
    status: ProjectStatus | None = Field(default=None, description="สถานะ: completed / in_progress / planned")
    beneficiaries: int | None = Field(default=None, description="จำนวนผู้ได้รับประโยชน์")
    outcomes: str | None = Field(default=None, description="ผลลัพธ์ที่วัดได้")
    evidence_urls: list[str] = Field(default_factory=list, description="ลิงก์หลักฐาน")
    budget_as_written: NumberNote | None = Field(
        default=None, description="Set by intake when the budget was written as text: the text and how it was read")
    beneficiaries_as_written: NumberNote | None = Field(
        default=None, description="Set by intake when the beneficiaries were written as text: the text and how it "
                                  "was read (an estimate, a range's lower end, persons in brackets, ...)")


class Submission(WireModel):
    """One response of a municipality to a campaign's form, in canonical form."""

    campaign: str = Field(examples=["fy2568"])
    source: Source = Field(description="google_form, csv_import or api")
    source_response_id: str = Field(description="The form's response id; with `source`, the idempotency key",
                                    examples=["resp-0001"])
    submitted_at: datetime | None = Field(default=None, description="When the applicant submitted (form timestamp)",
                                          examples=["2025-11-24T10:15:00+07:00"])
    lao: Lao = Field(default_factory=Lao)
    contact: Contact = Field(default_factory=Contact)
    readiness: Readiness = Field(default_factory=Readiness)
    dimensions: list[DimensionKey] = Field(default_factory=list, description="ด้านของเมืองอัจฉริยะที่ดำเนินการ")
    projects: list[Project] = Field(default_factory=list)
    partners: list[str] = Field(default_factory=list, description="ความร่วมมือกับภาคีเครือข่าย")
    answer_problems: list[AnswerProblem] = Field(
        default_factory=list,
        description="Set by intake: answers kept as written that could not be taken as values. Validation "
                    "returns the response for correction with each of them")

    def canonical_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json")
