"""Intake's input model: what the upstream forms post, read strictly and with the Thai parsers.

Intake accepts values already parsed (booleans, numbers, keys) or the raw Thai answers of the reference
form, and normalises the latter here. Only what identifies a submission is required at intake: anything
else that is missing is accepted, stored and reported back by validation, so no answer is ever lost.

Each model here is the wire model of `shared.submission` with the same fields, read strictly (`extra` is
forbidden: an unknown field at the door is a mapping to fix) and parsed; what it produces *is* a wire
submission, so the events intake writes carry it as it is. Consumers read the tolerant wire model.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, ConfigDict, Field, PlainSerializer, model_validator
from pydantic_core import PydanticCustomError

from shared import submission as wire
from shared import thai
from shared.submission import DepaMark, DimensionKey, ProjectStatus, Source, money_json
from shared.thai import THAI_TZ
from shared.thai_numbers import read_amount, read_count

__all__ = ["MAX_PROJECTS", "AnswerProblem", "Contact", "Lao", "NumberNote", "Project", "Readiness", "Source",
           "Submission"]

MAX_PROJECTS = 5
MAX_TEXT = 2000
MAX_NAME = 200
MAX_BENEFICIARIES = 100_000_000


def _text(value: Any) -> Any:
    return thai.clean_text(value) if isinstance(value, str) else value


def _optional_text(value: Any) -> Any:
    value = _text(value)
    return None if value == "" else value


def _optional_multiline(value: Any) -> Any:
    if isinstance(value, str):
        value = thai.clean_multiline(value)
        return value or None
    return value


def _digits(value: Any) -> Any:
    if isinstance(value, int):
        value = str(value)
    if isinstance(value, str):
        value = thai.to_arabic_digits(thai.clean_text(value)).replace(" ", "").replace("-", "")
        return value or None
    return value


def _yes_no(value: Any) -> Any:
    if isinstance(value, str):
        parsed = thai.parse_yes_no(value)
        if parsed is None:
            raise PydanticCustomError("yes_no", "expected yes/no (ใช่/ไม่ใช่), got '{value}'", {"value": value})
        return parsed
    return value


def _choice(words: dict[str, str], code: str) -> Any:
    def parse(value: Any) -> Any:
        if isinstance(value, str):
            parsed = thai.parse_choice(value, words)
            if parsed is None:
                raise PydanticCustomError(code, "unknown answer '{value}'", {"value": value})
            return parsed
        return value

    return parse


def _dimension(value: Any) -> Any:
    if isinstance(value, str):
        key = thai.parse_dimension(value)
        if key is None:
            raise PydanticCustomError("dimension", "unknown Smart City dimension '{value}'", {"value": value})
        return key
    return value


def _comma_list(value: Any) -> Any:
    # Google Forms joins checkbox answers with ", "; free-text lists are comma separated or one per line.
    if isinstance(value, str):
        return thai.split_list(value)
    return value


def _url_list(value: Any) -> Any:
    # Several links in one answer: separated by commas, spaces or lines.
    if isinstance(value, str):
        return thai.split_urls(value)
    return value


def _url_text(value: Any) -> Any:
    return thai.normalise_url(value) if isinstance(value, str) else value


def _timestamp(value: Any) -> Any:
    # Google's own formats (`25/11/2568, 22:41:07`, B.E. or C.E.) besides ISO 8601; anything else is left to
    # pydantic, which explains what it expected.
    if isinstance(value, str):
        try:
            return thai.parse_timestamp(value)
        except thai.TimestampError:
            return value
    return value


def _money(value: Any) -> Any:
    # Text is read as clerks write it (docs/thai-numbers.md); what holds no amount stays an error that quotes it.
    if isinstance(value, str):
        reading = read_amount(value)
        if reading.kind == "unreadable":
            raise PydanticCustomError("money", "not an amount in baht: '{value}'", {"value": value})
        return reading.value
    return value


def _count(value: Any) -> Any:
    if isinstance(value, str):
        reading = read_count(value)
        if reading.kind == "none":
            return None
        if reading.value is None:
            raise PydanticCustomError("count", "not a number of people: '{value}'", {"value": value})
        return int(reading.value)
    return value


def _aware(value: datetime) -> datetime:
    # A timestamp without an offset is Thai local time: that is what the forms show their users.
    return value.replace(tzinfo=THAI_TZ) if value.tzinfo is None else value


def _url(value: str) -> str:
    if not (value.startswith("https://") or value.startswith("http://")) or " " in value or len(value) < 11:
        raise PydanticCustomError("url", "not a web address (http:// or https://): '{value}'", {"value": value})
    return value


# Constraints before the BeforeValidator: they then check the cleaned text as text ("string_too_long"),
# not as a generic sequence ("too_long", which reads as "items" in the error messages).
Text = Annotated[str, Field(min_length=1, max_length=MAX_NAME), BeforeValidator(_text)]
# Constraints sit on the `str` branch: on the union they would be applied to None as well.
OptionalText = Annotated[Annotated[str, Field(max_length=MAX_NAME)] | None, BeforeValidator(_optional_text)]
# Descriptions and outcomes keep the applicant's line breaks (numbered lists): only spaces are folded.
LongText = Annotated[Annotated[str, Field(max_length=MAX_TEXT)] | None, BeforeValidator(_optional_multiline)]
Url = Annotated[str, Field(max_length=MAX_TEXT), BeforeValidator(_url_text), AfterValidator(_url)]
OptionalUrl = Annotated[Url | None, BeforeValidator(_optional_text)]
YesNo = Annotated[bool | None, BeforeValidator(_yes_no)]
Dimension = Annotated[DimensionKey, BeforeValidator(_dimension)]
Dimensions = Annotated[list[Dimension], BeforeValidator(_comma_list), Field(max_length=7)]


_STRICT = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Lao(wire.Lao):
    """The local administrative organisation (อปท.) that submits.

    Nothing here is required: a response without the LAO's name or province is still kept, and validation
    says what is missing (or finds the LAO in DLA's registry by its code)."""

    model_config = _STRICT

    name: OptionalText = Field(default=None, description="ชื่อองค์กรปกครองส่วนท้องถิ่น", examples=["เทศบาลเมืองชัยภูมิ"])
    code: Annotated[Annotated[str, Field(pattern=r"^[0-9]{7}$")] | None, BeforeValidator(_digits)] = Field(
        default=None, description="รหัส อปท. 7 หลัก (DLA code); Thai digits accepted", examples=["4360101"]
    )
    type: OptionalText = Field(
        default=None, description="ประเภท อปท.: เทศบาลนคร / เทศบาลเมือง / เทศบาลตำบล", examples=["เทศบาลเมือง"]
    )
    province: OptionalText = Field(default=None, description="จังหวัด: name or 2-digit DOPA code", examples=["ชัยภูมิ"])
    district: OptionalText = Field(
        default=None, description="อำเภอ: name or 4-digit DOPA code", examples=["เมืองชัยภูมิ"]
    )


class Contact(wire.Contact):
    model_config = _STRICT

    name: OptionalText = Field(default=None, description="ชื่อ-นามสกุล ผู้ประสานงาน")
    position: OptionalText = Field(default=None, description="ตำแหน่ง")
    phone: OptionalText = Field(default=None, description="หมายเลขโทรศัพท์", examples=["044-811-234"])
    email: OptionalText = Field(default=None, description="อีเมล", examples=["smartcity@example.go.th"])


class Readiness(wire.Readiness):
    model_config = _STRICT

    has_plan: YesNo = Field(default=None, description="มีแผนพัฒนาเมืองอัจฉริยะที่ผ่านความเห็นชอบแล้วหรือไม่")
    plan_url: OptionalUrl = Field(default=None, description="ลิงก์เอกสารแผนพัฒนาเมืองอัจฉริยะ")
    depa_mark: Annotated[DepaMark | None, BeforeValidator(_choice(thai.DEPA_MARK_WORDS, "depa_mark"))] = Field(
        default=None, description="ได้รับตราสัญลักษณ์ Smart City Thailand: yes / no / applying"
    )
    data_platform: YesNo = Field(default=None, description="มีแพลตฟอร์มข้อมูลเมือง (City Data Platform) หรือไม่")


class AnswerProblem(wire.AnswerProblem):
    __doc__ = wire.AnswerProblem.__doc__
    model_config = _STRICT

class NumberNote(wire.NumberNote):
    __doc__ = wire.NumberNote.__doc__
    model_config = _STRICT

class Project(wire.Project):
    model_config = _STRICT

    name: OptionalText = Field(default=None, description="ชื่อโครงการ")
    dimensions: Dimensions = Field(default_factory=list, description="ด้าน (dimension keys or Thai names)")
    description: LongText = Field(default=None, description="รายละเอียด")
    budget_thb: Annotated[
        Annotated[Decimal, Field(ge=0, max_digits=15, decimal_places=2)] | None,
        BeforeValidator(_money),
        PlainSerializer(lambda v: None if v is None else money_json(v), when_used="json"),
    ] = (
        Field(default=None, description="งบประมาณ (บาท); text such as `1.5 ล้านบาท` accepted")
    )
    status: Annotated[
        ProjectStatus | None, BeforeValidator(_choice(thai.PROJECT_STATUS_WORDS, "project_status"))
    ] = Field(default=None, description="สถานะ: completed / in_progress / planned")
    # The bound keeps a typo (or a fuzzer) from overflowing storage; Thailand has fewer people than this.
    beneficiaries: Annotated[Annotated[int, Field(ge=0, le=MAX_BENEFICIARIES)] | None,
                             BeforeValidator(_count)] = Field(
        default=None, description="จำนวนผู้ได้รับประโยชน์"
    )
    outcomes: LongText = Field(default=None, description="ผลลัพธ์ที่วัดได้")
    evidence_urls: Annotated[list[Url], BeforeValidator(_url_list), Field(max_length=10)] = Field(
        default_factory=list, description="ลิงก์หลักฐาน"
    )
    budget_as_written: NumberNote | None = Field(
        default=None, description="Set by intake when the budget was written as text: the text and how it was read")
    beneficiaries_as_written: NumberNote | None = Field(
        default=None, description="Set by intake when the beneficiaries were written as text: the text and how it "
                                  "was read (an estimate, a range's lower end, persons in brackets, ...)")

    @model_validator(mode="before")
    @classmethod
    def _read_numbers_written_as_text(cls, data: Any) -> Any:
        """A budget or a count written as text becomes its value, and the text goes beside it in
        `*_as_written` when the reading is an estimate, ambiguous or took a step a reviewer should see. Text that
        holds no number stays as written, so the field's own validator refuses it quoting the text."""
        if not isinstance(data, dict):
            return data
        read = dict(data)
        for name, reader, whole in (("budget_thb", read_amount, False), ("beneficiaries", read_count, True)):
            text = data.get(name)
            if not isinstance(text, str):
                continue
            reading = reader(text)
            if reading.kind == "unreadable":
                continue
            # A negative reading stays negative: the field's bound then asks the applicant to correct it.
            value = reading.value
            read[name] = int(value) if whole and value is not None else value
            read[f"{name.removesuffix('_thb')}_as_written"] = reading.note_fields()
        return read


class Submission(wire.Submission):
    """One response of a municipality to a campaign's form, in canonical form."""

    model_config = _STRICT

    campaign: Annotated[str, Field(pattern=r"^[a-z0-9_-]{2,32}$")] = Field(examples=["fy2568"])
    source: Source = Field(description="google_form, csv_import or api")
    source_response_id: Annotated[str, Field(min_length=1, max_length=200), BeforeValidator(_text)] = Field(
        description="The form's response id; with `source`, the idempotency key", examples=["resp-0001"]
    )
    submitted_at: Annotated[datetime | None, BeforeValidator(_timestamp),
                            AfterValidator(lambda v: _aware(v) if v else v)] = Field(
        default=None,
        description="When the applicant submitted (form timestamp); no offset means Thai time. Google's own "
                    "formats are accepted too: `25/11/2568, 22:41:07` (B.E.) or `25/11/2025 22:41:07`",
        examples=["2025-11-24T10:15:00+07:00"],
    )
    # No LAO answers at all is still a response: validation says what is missing.
    lao: Lao = Field(default_factory=Lao)
    contact: Contact = Field(default_factory=Contact)
    readiness: Readiness = Field(default_factory=Readiness)
    dimensions: Dimensions = Field(default_factory=list, description="ด้านของเมืองอัจฉริยะที่ดำเนินการ")
    # The strict items narrow the wire model's lists (every strict Project is a wire Project): safe for readers.
    projects: list[Project] = Field(default_factory=list, max_length=MAX_PROJECTS)  # type: ignore[assignment]
    partners: Annotated[list[Annotated[str, Field(max_length=MAX_NAME), BeforeValidator(_text)]],
                        BeforeValidator(_comma_list), Field(max_length=50)] = Field(
        default_factory=list, description="ความร่วมมือกับภาคีเครือข่าย"
    )

    answer_problems: list[AnswerProblem] = Field(  # type: ignore[assignment]
        default_factory=list, max_length=500,
        description="Set by intake: answers kept as written that could not be taken as values. Validation "
                    "returns the response for correction with each of them")
