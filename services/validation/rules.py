"""The validation rules of a submission (one catalogue, one small check each) and the verdict they add up to."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, Literal
from urllib.parse import urlsplit

from geothai.types import District, Province

from services.validation.lao_types import canonical_lao_type, type_en, type_in_name
from services.validation.matching import (
    CODE_NAME_THRESHOLD,
    Candidate,
    RegistryLao,
    RegistryLookup,
    RegistryMatch,
    match_lao,
)
from shared import geo, thai
from shared.campaign import Campaign
from shared.events import (
    SUBMISSION_REJECTED,
    SUBMISSION_RETURNED,
    SUBMISSION_VALIDATED,
    Issue,
    LaoSummary,
)
from shared.submission import Submission
from shared.thai import THAI_TZ

Severity = Literal["reject", "return", "warning"]
Outcome = Literal["validated", "returned", "rejected"]

# A form's timestamp may run a little ahead of our clock; beyond this it cannot be trusted.
CLOCK_TOLERANCE = timedelta(minutes=5)


class _Details(dict[str, Any]):
    # A placeholder without a value stays visible instead of failing: a verdict must always go out.
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


@dataclass(frozen=True)
class Rule:
    """One entry of the catalogue: what a finding is called, how serious it is, where, and what it says."""

    code: str
    severity: Severity
    field: str
    message_th: str
    message_en: str

    def issue(self, **details: Any) -> Issue:
        values = _Details(details)
        return Issue(
            code=self.code,
            field=self.field.format_map(values),
            severity=self.severity,
            message_th=self.message_th.format_map(values),
            message_en=self.message_en.format_map(values),
        )


_RULES = (
    # (a) eligibility
    Rule("LAO_TYPE_MISSING", "return", "lao.type",
         "ไม่ได้ระบุประเภทองค์กรปกครองส่วนท้องถิ่น โปรดระบุเป็น {eligible_th}",
         "The LAO type is missing: give one of {eligible_en}."),
    Rule("LAO_TYPE_NOT_ELIGIBLE", "reject", "lao.type",
         "ประเภท อปท. \"{value}\" ไม่มีสิทธิ์เข้าร่วมการคัดเลือกนี้ ซึ่งเปิดรับเฉพาะ {eligible_th}",
         "LAO type \"{value}\" ({value_en}) is not eligible for this selection, which is open only to "
         "{eligible_en}."),
    Rule("LAO_NAME_TYPE_MISMATCH", "warning", "lao.name",
         "ชื่อ \"{name}\" บ่งว่าเป็น{name_type_th} แต่ระบุประเภทเป็น{type_th} โปรดตรวจสอบ",
         "The name \"{name}\" suggests a {name_type_en}, but the type given is {type_en}; please check."),
    # (b) deadline
    Rule("SUBMITTED_AT_IN_FUTURE", "return", "submitted_at",
         "เวลาส่งตามแบบฟอร์ม ({submitted_th}) อยู่หลังเวลาที่ระบบได้รับข้อมูล ({received_th}) "
         "โปรดตรวจสอบเวลาแล้วส่งใหม่",
         "The form's timestamp ({submitted_en}) is later than when the system received the submission "
         "({received_en}); check the time and submit again."),
    Rule("SUBMITTED_BEFORE_OPENING", "return", "submitted_at",
         "ส่งข้อมูลเมื่อ {submitted_th} ก่อนวันเปิดรับ {opens_th} โปรดส่งใหม่ภายในช่วงเวลารับข้อมูล",
         "Submitted {submitted_en}, before the selection opened on {opens_en}; submit again within the "
         "submission period."),
    Rule("SUBMITTED_LATE", "reject", "submitted_at",
         "ส่งข้อมูลเมื่อ {submitted_th} หลังกำหนดส่ง {deadline_th} จึงไม่สามารถรับเข้าการคัดเลือกได้",
         "Submitted {submitted_en}, after the deadline of {deadline_en}; late submissions are not accepted."),
    Rule("SUBMITTED_LATE_ACCEPTED", "warning", "submitted_at",
         "ส่งข้อมูลเมื่อ {submitted_th} หลังกำหนดส่ง {deadline_th} รับไว้พิจารณาโดยบันทึกว่าส่งล่าช้า",
         "Submitted {submitted_en}, after the deadline of {deadline_en}; accepted and flagged as late."),
    # (c) required answers
    Rule("LAO_NAME_MISSING", "return", "lao.name",
         "ไม่ได้ระบุชื่อองค์กรปกครองส่วนท้องถิ่น โปรดระบุชื่อ อปท. (และรหัส อปท. 7 หลัก ถ้ามี)",
         "The LAO's name is missing: give its name (and its 7-digit LAO code, if known)."),
    Rule("LAO_ATTACHED_BY_OFFICE", "warning", "lao.code",
         "ระบบระบุ อปท. จากคำตอบไม่ได้ {office} จึงระบุว่าแบบรายงานนี้เป็นของ อปท. รหัส {lao_code} "
         "(เขียนไว้ในแบบว่า \"{written}\") เหตุผล: {reason}",
         "The LAO could not be identified from the answers; {office} attached this response to LAO code "
         "{lao_code} (the form says \"{written}\"). Reason: {reason}"),
    Rule("LAO_NAME_FROM_REGISTRY", "warning", "lao.name",
         "ไม่ได้ระบุชื่อ อปท. ระบบใช้ชื่อตามทะเบียนของรหัส {lao_code}: \"{registry_name}\" หากไม่ใช่ อปท. ของท่าน "
         "โปรดแก้ไขรหัส",
         "The LAO's name is missing; the registry's name for code {lao_code} is used: \"{registry_name}\". If that "
         "is not your LAO, correct the code."),
    Rule("PROVINCE_FROM_REGISTRY", "warning", "lao.province",
         "ไม่ได้ระบุจังหวัด ระบบใช้จังหวัดตามทะเบียนของรหัส {lao_code}: จังหวัด{province_th}",
         "The province is missing; the registry's province for code {lao_code} is used: {province_en}."),
    Rule("DISTRICT_MISSING", "return", "lao.district",
         "ไม่ได้ระบุอำเภอที่ตั้งของ อปท.",
         "The district (amphoe) where the LAO is located is missing."),
    Rule("CONTACT_NAME_MISSING", "return", "contact.name",
         "ไม่ได้ระบุชื่อ-นามสกุลผู้ประสานงาน",
         "The coordinator's name is missing."),
    Rule("CONTACT_CHANNEL_MISSING", "return", "contact",
         "ไม่มีช่องทางติดต่อผู้ประสานงาน โปรดระบุอีเมลหรือหมายเลขโทรศัพท์อย่างน้อยหนึ่งช่องทาง",
         "There is no way to reach the coordinator: give an e-mail address or a phone number."),
    Rule("HAS_PLAN_MISSING", "return", "readiness.has_plan",
         "ไม่ได้ตอบว่ามีแผนพัฒนาเมืองอัจฉริยะที่ผ่านความเห็นชอบแล้วหรือไม่",
         "Missing answer: is there an approved Smart City development plan?"),
    Rule("DEPA_MARK_MISSING", "return", "readiness.depa_mark",
         "ไม่ได้ตอบว่าได้รับตราสัญลักษณ์เมืองอัจฉริยะ (Smart City Thailand) หรือไม่",
         "Missing answer: has the city received the Smart City Thailand mark?"),
    Rule("DATA_PLATFORM_MISSING", "return", "readiness.data_platform",
         "ไม่ได้ตอบว่ามีแพลตฟอร์มข้อมูลเมือง (City Data Platform) หรือไม่",
         "Missing answer: does the city have a City Data Platform?"),
    Rule("DIMENSIONS_MISSING", "return", "dimensions",
         "ไม่ได้เลือกด้านของเมืองอัจฉริยะที่ดำเนินการ โปรดเลือกอย่างน้อยหนึ่งด้าน",
         "No Smart City dimension was chosen: choose at least one."),
    Rule("PROJECTS_MISSING", "return", "projects",
         "ไม่มีโครงการ โปรดระบุโครงการเมืองอัจฉริยะอย่างน้อยหนึ่งโครงการ",
         "No project was given: describe at least one Smart City project."),
    Rule("PROJECT_NAME_MISSING", "return", "projects[{index}].name",
         "โครงการที่ {number} ไม่ได้ระบุชื่อโครงการ โปรดระบุชื่อ",
         "Project {number} has no name: give its name."),
    # (c2) answers intake kept as written because it could not take them as values
    Rule("ANSWER_UNREADABLE", "return", "{field}",
         "อ่านคำตอบข้อ \"{question}\" ไม่ได้ ({reason_th}) ที่กรอกไว้: \"{written}\" โปรดแก้ไข",
         "The answer to \"{question}\" cannot be read ({reason_en}); it says: \"{written}\". Please correct it."),
    Rule("ANSWER_OUT_OF_RANGE", "return", "{field}",
         "คำตอบข้อ \"{question}\" อยู่นอกช่วงที่รับได้ ({reason_th}) ที่กรอกไว้: \"{written}\" โปรดแก้ไข",
         "The answer to \"{question}\" is out of range ({reason_en}); it says: \"{written}\". Please correct it."),
    Rule("ANSWER_CHOICE_UNKNOWN", "return", "{field}",
         "คำตอบข้อ \"{question}\" ไม่ใช่ตัวเลือกของแบบฟอร์ม ({reason_th}) ที่กรอกไว้: \"{written}\" "
         "โปรดเลือกจากตัวเลือกที่มี",
         "The answer to \"{question}\" is not one of the form's choices ({reason_en}); it says: \"{written}\". "
         "Please choose one of the choices."),
    Rule("ANSWER_MISSING", "return", "{field}",
         "ไม่ได้ตอบข้อ \"{question}\" ซึ่งต้องตอบ",
         "The question \"{question}\" must be answered."),
    Rule("ANSWER_TOO_LONG", "return", "{field}",
         "คำตอบข้อ \"{question}\" ยาวเกินกำหนด ({reason_th}) โปรดตัดให้สั้นลง",
         "The answer to \"{question}\" is too long ({reason_en}); please shorten it."),
    Rule("ANSWER_INVALID", "return", "{field}",
         "คำตอบข้อ \"{question}\" ไม่ถูกต้อง ({reason_th}) ที่กรอกไว้: \"{written}\" โปรดแก้ไข",
         "The answer to \"{question}\" is not valid ({reason_en}); it says: \"{written}\". Please correct it."),
    # (d) province and district against the DOPA register
    Rule("PROVINCE_MISSING", "return", "lao.province",
         "ไม่ได้ระบุจังหวัด",
         "The province is missing."),
    Rule("PROVINCE_UNKNOWN", "return", "lao.province",
         "ไม่พบจังหวัด \"{value}\" โปรดระบุชื่อจังหวัดหรือรหัสจังหวัด 2 หลัก",
         "No province \"{value}\" is known: give the province's name or its 2-digit code."),
    Rule("DISTRICT_UNKNOWN", "return", "lao.district",
         "ไม่พบอำเภอ \"{value}\" ในทะเบียนของกรมการปกครอง โปรดระบุชื่ออำเภอหรือรหัสอำเภอ 4 หลัก",
         "No district \"{value}\" is known in the DOPA register: give the district's name or its 4-digit code."),
    Rule("DISTRICT_NOT_IN_PROVINCE", "return", "lao.district",
         "อำเภอ \"{value}\" ไม่ได้อยู่ในจังหวัด{province_th} (พบใน{found_th}) โปรดตรวจสอบจังหวัดและอำเภอ",
         "District \"{value}\" is not in {province_en} province (found in {found_en}); check the province and "
         "the district."),
    # (e) the DLA code of the LAO, when given
    Rule("LAO_CODE_INVALID", "return", "lao.code",
         "รหัส อปท. \"{value}\" ไม่ถูกต้อง ต้องเป็นตัวเลข 7 หลัก",
         "LAO code \"{value}\" is invalid: it must be 7 digits."),
    Rule("LAO_CODE_TYPE_DIGIT_INVALID", "return", "lao.code",
         "รหัส อปท. \"{value}\" ขึ้นต้นด้วย {digit} ซึ่งไม่ใช่รหัสของเทศบาล (หลักแรกต้องเป็น 3, 4, 5 หรือ 6)",
         "LAO code \"{value}\" starts with {digit}, which is not a municipality's code (the first digit must "
         "be 3, 4, 5 or 6)."),
    Rule("LAO_CODE_PROVINCE_MISMATCH", "return", "lao.code",
         "หลักที่ 2–3 ของรหัส อปท. \"{value}\" ({code_province}) ไม่ตรงกับรหัสจังหวัด{province_th} "
         "({province_code})",
         "Digits 2–3 of LAO code \"{value}\" ({code_province}) do not match the code of {province_en} "
         "province ({province_code})."),
    Rule("LAO_CODE_DISTRICT_MISMATCH", "warning", "lao.code",
         "หลักที่ 4–5 ของรหัส อปท. \"{value}\" ({code_district}) ไม่ตรงกับรหัสอำเภอ{district_th} "
         "({district_code}) โปรดตรวจสอบ",
         "Digits 4–5 of LAO code \"{value}\" ({code_district}) do not match the code of {district_en} "
         "district ({district_code}); please check."),
    # (e2) DLA's LAO registry, when one has been imported
    Rule("LAO_NOT_VERIFIED", "warning", "lao",
         "ยังไม่ได้ตรวจสอบ \"{name}\" กับทะเบียน อปท. ของกรมส่งเสริมการปกครองท้องถิ่น ({reason_th}) "
         "จึงตรวจสอบได้เฉพาะจังหวัดและอำเภอตามทะเบียนของกรมการปกครอง",
         "\"{name}\" was not verified against DLA's LAO registry ({reason_en}); only its province and district "
         "were checked against the DOPA register."),
    Rule("LAO_CODE_NOT_IN_REGISTRY", "return", "lao.code",
         "ไม่พบรหัส อปท. \"{value}\" ในทะเบียน อปท. ของกรมส่งเสริมการปกครองท้องถิ่น{closest_th} โปรดตรวจสอบรหัส",
         "LAO code \"{value}\" is not in DLA's LAO registry{closest_en}; check the code."),
    Rule("LAO_CODE_NAME_MISMATCH", "return", "lao.name",
         "รหัส อปท. {lao_code} ในทะเบียนคือ \"{registry_name}\" ไม่ตรงกับชื่อที่ระบุ \"{name}\" "
         "โปรดแก้ไขชื่อหรือรหัส อปท. ให้ถูกต้อง",
         "LAO code {lao_code} is \"{registry_name}\" in DLA's registry, not \"{name}\"; correct the name or the code."),
    Rule("LAO_NOT_IN_REGISTRY", "return", "lao.name",
         "ไม่พบ \"{name}\" ในทะเบียน อปท. ของ{area_th}{closest_th} โปรดตรวจสอบชื่อ หรือระบุรหัส อปท. 7 หลัก",
         "\"{name}\" is not in DLA's LAO registry for {area_en}{closest_en}; check the name, or give the 7-digit "
         "LAO code."),
    Rule("LAO_MATCH_AMBIGUOUS", "return", "lao.name",
         "ชื่อ \"{name}\" ตรงกับ อปท. ในทะเบียนมากกว่าหนึ่งแห่ง ได้แก่ {candidates_th} "
         "โปรดระบุประเภท อปท. หรือรหัส อปท. 7 หลักให้ชัดเจน",
         "\"{name}\" matches more than one LAO in DLA's registry: {candidates_en}; give the LAO type or the "
         "7-digit LAO code."),
    Rule("LAO_NAME_MATCHED_APPROXIMATELY", "warning", "lao.name",
         "ชื่อ \"{name}\" ไม่ตรงกับทะเบียนทุกตัวอักษร ระบบจับคู่กับ \"{registry_name}\" (รหัส {lao_code}) "
         "ความมั่นใจ {confidence}% หากไม่ใช่ อปท. ของท่าน โปรดแก้ไขชื่อหรือระบุรหัส อปท.",
         "\"{name}\" is not spelled as in DLA's registry; it was matched to \"{registry_name}\" (code {lao_code}) "
         "with {confidence}% confidence. If that is not your LAO, correct the name or give the LAO code."),
    Rule("LAO_REGISTRY_LOCATION_MISMATCH", "return", "lao.district",
         "ตามทะเบียน อปท. \"{registry_name}\" (รหัส {lao_code}) ตั้งอยู่ที่อำเภอ{registry_district_th} "
         "ไม่ใช่อำเภอ{district_th} ตามที่ระบุ โปรดแก้ไขอำเภอ",
         "According to DLA's registry, \"{registry_name}\" (code {lao_code}) is in {registry_district_en} district, "
         "not {district_en} as given; correct the district."),
    Rule("LAO_REGISTRY_TYPE_MISMATCH", "warning", "lao.type",
         "ตามทะเบียน \"{registry_name}\" (รหัส {lao_code}) เป็น{registry_type_th} ({registry_type_en}) "
         "แต่ระบุประเภทเป็น{type_th} ({type_en}) ระบบถือประเภทตามทะเบียน "
         "หากได้รับการยกฐานะแล้ว โปรดแจ้งสำนักงานส่งเสริมการปกครองท้องถิ่นจังหวัดให้ปรับปรุงทะเบียน",
         "DLA's registry lists \"{registry_name}\" (code {lao_code}) as a {registry_type_en} ({registry_type_th}), "
         "but the type given is {type_en} ({type_th}); the registry's type is the one used. If it has been "
         "upgraded, ask the Provincial Local Administration Office to update the registry."),
    Rule("LAO_REGISTRY_TYPE_NOT_ELIGIBLE", "reject", "lao.type",
         "ตามทะเบียน \"{registry_name}\" (รหัส {lao_code}) เป็น{registry_type_th} ซึ่งไม่มีสิทธิ์เข้าร่วมการคัดเลือกนี้ "
         "(เปิดรับเฉพาะ {eligible_th}) ไม่ว่าจะระบุประเภทไว้อย่างไร หากได้รับการยกฐานะเป็นเทศบาลแล้ว "
         "โปรดแจ้งสำนักงานส่งเสริมการปกครองท้องถิ่นจังหวัดให้ปรับปรุงทะเบียนก่อนส่งข้อมูล",
         "DLA's registry lists \"{registry_name}\" (code {lao_code}) as a {registry_type_en}, which is not eligible "
         "(this selection is open only to {eligible_en}), whatever type the form gives. If it has become a "
         "municipality, ask the Provincial Local Administration Office to update the registry before submitting."),
    # (f) contact formats
    Rule("CONTACT_EMAIL_INVALID", "return", "contact.email",
         "อีเมล \"{value}\" ไม่ถูกต้อง",
         "E-mail address \"{value}\" is not valid."),
    Rule("CONTACT_PHONE_INVALID", "return", "contact.phone",
         "หมายเลขโทรศัพท์ \"{value}\" ไม่ถูกต้อง โทรศัพท์พื้นฐานมี 9 หลัก (เช่น 044-811-234) "
         "โทรศัพท์มือถือมี 10 หลักขึ้นต้นด้วย 06, 08 หรือ 09",
         "Phone number \"{value}\" is not valid: a landline has 9 digits (e.g. 044-811-234), a mobile 10 "
         "digits starting with 06, 08 or 09."),
    # (g) readiness
    Rule("PLAN_URL_MISSING", "warning", "readiness.plan_url",
         "ระบุว่ามีแผนพัฒนาเมืองอัจฉริยะแต่ไม่ได้แนบลิงก์เอกสารแผน คณะกรรมการอาจตรวจสอบแผนไม่ได้",
         "A Smart City plan is declared but no link to it was given; reviewers may be unable to check it."),
    Rule("PLAN_URL_INVALID", "return", "readiness.plan_url",
         "ลิงก์เอกสารแผน \"{value}\" ไม่ใช่ลิงก์เว็บที่ถูกต้อง (ต้องขึ้นต้นด้วย http:// หรือ https:// และมีชื่อเว็บไซต์)",
         "The plan link \"{value}\" is not a valid web address (it must start with http:// or https:// and name "
         "a web site)."),
    # (h) projects
    Rule("DIMENSION_UNKNOWN", "return", "dimensions[{index}]",
         "ไม่รู้จักด้านของเมืองอัจฉริยะ \"{value}\" ต้องเป็นหนึ่งใน 7 ด้าน: {dimensions_th}",
         "Unknown Smart City dimension \"{value}\": it must be one of the seven: {dimensions_en}."),
    Rule("PROJECT_DIMENSION_UNKNOWN", "return", "projects[{index}].dimensions[{dimension_index}]",
         "โครงการที่ {number} \"{name}\" ระบุด้าน \"{value}\" ซึ่งไม่ใช่หนึ่งใน 7 ด้าน: {dimensions_th}",
         "Project {number} \"{name}\" names the dimension \"{value}\", which is not one of the seven: "
         "{dimensions_en}."),
    Rule("PROJECT_DIMENSIONS_MISSING", "warning", "projects[{index}].dimensions",
         "โครงการที่ {number} \"{name}\" ไม่ได้ระบุด้านของเมืองอัจฉริยะ",
         "Project {number} \"{name}\" names no Smart City dimension."),
    Rule("PROJECT_DIMENSION_NOT_DECLARED", "warning", "projects[{index}].dimensions",
         "โครงการที่ {number} \"{name}\" อยู่ในด้าน {dimensions_th} ซึ่งไม่ได้เลือกไว้ในด้านที่ดำเนินการ",
         "Project {number} \"{name}\" belongs to {dimensions_en}, which is not among the dimensions declared."),
    Rule("PROJECT_NAME_DUPLICATE", "return", "projects[{index}].name",
         "โครงการที่ {number} ชื่อ \"{name}\" ซ้ำกับโครงการที่ {first_number} โปรดรวมหรือแก้ไขชื่อโครงการ",
         "Project {number} \"{name}\" has the same name as project {first_number}; merge them or rename one."),
    Rule("PROJECT_EVIDENCE_MISSING", "warning", "projects[{index}].evidence_urls",
         "โครงการที่ {number} \"{name}\" ไม่มีลิงก์หลักฐาน คณะกรรมการอาจให้คะแนนได้น้อยลง",
         "Project {number} \"{name}\" has no evidence link; reviewers may award fewer points."),
    Rule("EVIDENCE_URL_INVALID", "return", "projects[{index}].evidence_urls[{url_index}]",
         "ลิงก์หลักฐานของโครงการที่ {number} \"{value}\" ไม่ใช่ลิงก์เว็บที่ถูกต้อง "
         "(ต้องขึ้นต้นด้วย http:// หรือ https:// และมีชื่อเว็บไซต์)",
         "Evidence link \"{value}\" of project {number} is not a valid web address (it must start with http:// "
         "or https:// and name a web site)."),
    Rule("PROJECT_BUDGET_NEGATIVE", "return", "projects[{index}].budget_thb",
         "งบประมาณของโครงการที่ {number} \"{name}\" ติดลบ ({value} บาท) โปรดแก้ไข",
         "Project {number} \"{name}\" has a negative budget ({value} baht); correct it."),
    Rule("PROJECT_BUDGET_IMPLAUSIBLE", "return", "projects[{index}].budget_thb",
         "งบประมาณของโครงการที่ {number} \"{name}\" ({value} บาท) เกิน {limit} บาท ซึ่งสูงเกินกว่าโครงการของ อปท. "
         "จะเป็นไปได้ โปรดตรวจสอบว่ากรอกจำนวนเงินเป็นบาท",
         "Project {number} \"{name}\" has a budget of {value} baht, above the plausible maximum of {limit} baht "
         "for an LAO's project; check that the amount is in baht."),
    # the safety net: a check that fails on data nobody foresaw must not stop the verdict
    Rule("RULE_FAILED", "warning", "submission",
         "ระบบตรวจสอบข้อ {check} ไม่สำเร็จ ({error}) เจ้าหน้าที่จะตรวจสอบด้วยตนเอง",
         "Check {check} could not run ({error}); staff will review it by hand."),
)
CATALOGUE: dict[str, Rule] = {rule.code: rule for rule in _RULES}


def _issue(code: str, **details: Any) -> Issue:
    return CATALOGUE[code].issue(**details)


# --- reading what people typed -------------------------------------------------------------------------

_EMAIL = re.compile(
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,}$"
)
_PHONE_PUNCTUATION = re.compile(r"[\s\-().]")
# An extension written after the number is not part of it: "044-811-234 ต่อ 12".
_PHONE_EXTENSION = re.compile(r"(?:ต่อ|ext\.?|x|#).*$", re.IGNORECASE)
# Landlines: 9 digits, 02 (Bangkok) or 03x/04x/05x/07x; mobiles: 10 digits, 06/08/09.
_PHONE = re.compile(r"^(?:0[2-57][0-9]{7}|0[689][0-9]{8})$")


def is_email(text: str) -> bool:
    return bool(_EMAIL.match(thai.clean_text(text)))


def is_thai_phone(text: str) -> bool:
    """Each number (several may be separated by commas) is a Thai landline or mobile, +66 allowed."""
    numbers = [part for part in re.split(r"[,;]|หรือ", thai.to_arabic_digits(thai.clean_text(text))) if part.strip()]
    if not numbers:
        return False
    for number in numbers:
        digits = _PHONE_PUNCTUATION.sub("", _PHONE_EXTENSION.sub("", number))
        if digits.startswith("+66"):
            digits = "0" + digits.removeprefix("+66").removeprefix("0")
        if not _PHONE.match(digits):
            return False
    return True


_TH_MONTHS = ("ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.")
_EN_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _clock(local: datetime) -> str:
    # Seconds only when they matter, so that 23:00:01 does not read as the 23:00 deadline itself.
    return local.strftime("%H:%M:%S" if local.second else "%H:%M")


def thai_datetime(moment: datetime) -> str:
    """`25 พ.ย. 2568 23:00 น.`: Thai time, Buddhist-era year, as official letters write it."""
    local = moment.astimezone(THAI_TZ)
    return f"{local.day} {_TH_MONTHS[local.month - 1]} {local.year + 543} {_clock(local)} น."


def english_datetime(moment: datetime) -> str:
    """`25 Nov 2025 23:00 Thai time (UTC+7)`."""
    local = moment.astimezone(THAI_TZ)
    return f"{local.day} {_EN_MONTHS[local.month - 1]} {local.year} {_clock(local)} Thai time (UTC+7)"


def _aware(moment: datetime, zone: Any) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)


def _text(value: Any) -> str:
    return thai.clean_text(value) if isinstance(value, str) else ""


# --- the facts every check reads, resolved once ----------------------------------------------------------


@dataclass(frozen=True)
class _Case:
    submission: Submission
    campaign: Campaign
    received_at: datetime
    stamped_at: datetime | None  # the form's own timestamp, if any
    timestamp_trusted: bool
    province: Province | None
    district: District | None
    lao_type: str | None  # canonical Thai type, when the answer names one
    registry: RegistryMatch | None = None  # None when no registry was consulted

    @property
    def timestamp_to_correct(self) -> bool:
        """The form's timestamp could not be read (intake kept it as written): the deadline waits for it."""
        problems = getattr(self.submission, "answer_problems", None) or ()
        return self.stamped_at is None and any(p.field == "submitted_at" for p in problems)

    @property
    def judged_at(self) -> datetime:
        """The moment the deadline is judged on: the form's timestamp, unless absent or impossible."""
        if self.stamped_at is not None and self.timestamp_trusted:
            return self.stamped_at
        return self.received_at


def _read(submission: Submission, campaign: Campaign, received_at: datetime) -> _Case:
    # A naive received_at comes from our own clock, which services keep in UTC; a naive form timestamp is
    # Thai time, as the form shows it (shared.submission reads it the same way).
    received = _aware(received_at, UTC)
    stamped = getattr(submission, "submitted_at", None)
    stamped = _aware(stamped, THAI_TZ) if isinstance(stamped, datetime) else None
    lao = getattr(submission, "lao", None)
    province = geo.resolve_province(_text(getattr(lao, "province", None)))
    district = geo.resolve_district(_text(getattr(lao, "district", None)), province.code) if province else None
    return _Case(
        submission=submission,
        campaign=campaign,
        received_at=received,
        stamped_at=stamped,
        timestamp_trusted=stamped is None or stamped <= received + CLOCK_TOLERANCE,
        province=province,
        district=district,
        lao_type=canonical_lao_type(getattr(lao, "type", None)),
    )


Check = Callable[[_Case], Iterator[Issue]]


def _match(case: _Case, lookup: RegistryLookup) -> RegistryMatch:
    lao = case.submission.lao
    return match_lao(name=_text(getattr(lao, "name", None)), lao_type=case.lao_type, code=getattr(lao, "code", None),
                     province_code=case.province.code if case.province else None,
                     district_code=case.district.code if case.district else None, lookup=lookup)


def _identified(match: RegistryMatch | None) -> bool:
    """Matched, and not by a code whose registry name is another LAO's."""
    if match is None or match.status != "matched" or match.lao is None:
        return False
    # A name left blank (name_similarity None) does not contradict the code.
    return not (match.method == "code" and match.name_similarity is not None
                and match.name_similarity < CODE_NAME_THRESHOLD)


def _eligible(campaign: Campaign) -> tuple[list[str], str, str]:
    types = [canonical_lao_type(t) or t for t in campaign.eligible_lao_types]
    return types, " / ".join(types), ", ".join(f"{t} ({type_en(t)})" for t in types)


# --- (a) eligibility -------------------------------------------------------------------------------------


def _registry_type(case: _Case) -> str | None:
    """The type DLA's registry gives the LAO this submission was identified as; it outranks the form's."""
    match = case.registry
    return match.lao.type if _identified(match) and match is not None and match.lao is not None else None


def check_lao_type(case: _Case) -> Iterator[Issue]:
    eligible, eligible_th, eligible_en = _eligible(case.campaign)
    given = _text(case.submission.lao.type)
    if not given:
        yield _issue("LAO_TYPE_MISSING", eligible_th=eligible_th, eligible_en=eligible_en)
    elif case.lao_type not in eligible and _registry_type(case) not in eligible:
        # A registry that lists the LAO as a municipality outranks a wrong tick (LAO_REGISTRY_TYPE_MISMATCH).
        yield _issue("LAO_TYPE_NOT_ELIGIBLE", value=given,
                     value_en=type_en(case.lao_type) if case.lao_type else "not a known LAO type",
                     eligible_th=eligible_th, eligible_en=eligible_en)


def check_name_matches_type(case: _Case) -> Iterator[Issue]:
    name = _text(case.submission.lao.name)
    named = type_in_name(name)
    if named and case.lao_type and named != case.lao_type:
        yield _issue("LAO_NAME_TYPE_MISMATCH", name=name, name_type_th=named, name_type_en=type_en(named),
                     type_th=case.lao_type, type_en=type_en(case.lao_type))


# --- (b) deadline ----------------------------------------------------------------------------------------


def check_timestamp(case: _Case) -> Iterator[Issue]:
    if case.stamped_at is not None and not case.timestamp_trusted:
        yield _issue("SUBMITTED_AT_IN_FUTURE",
                     submitted_th=thai_datetime(case.stamped_at), submitted_en=english_datetime(case.stamped_at),
                     received_th=thai_datetime(case.received_at), received_en=english_datetime(case.received_at))


def check_submission_period(case: _Case) -> Iterator[Issue]:
    if case.timestamp_to_correct:
        return  # when it arrived says nothing of when it was answered (a backfill): the timestamp is corrected first
    campaign, at = case.campaign, case.judged_at
    when = {"submitted_th": thai_datetime(at), "submitted_en": english_datetime(at)}
    if at < campaign.opens_at:
        yield _issue("SUBMITTED_BEFORE_OPENING", **when,
                     opens_th=thai_datetime(campaign.opens_at), opens_en=english_datetime(campaign.opens_at))
    elif campaign.is_late(at):
        code = "SUBMITTED_LATE" if campaign.late_policy == "reject" else "SUBMITTED_LATE_ACCEPTED"
        yield _issue(code, **when, deadline_th=thai_datetime(campaign.submission_deadline),
                     deadline_en=english_datetime(campaign.submission_deadline))


# --- (c) required answers --------------------------------------------------------------------------------


def check_lao_name(case: _Case) -> Iterator[Issue]:
    if _text(case.submission.lao.name):
        return
    match = case.registry
    if match is not None and match.status == "matched" and match.method == "code" and match.lao is not None:
        yield _issue("LAO_NAME_FROM_REGISTRY", lao_code=match.lao.code, registry_name=match.lao.name)
    else:
        yield _issue("LAO_NAME_MISSING")


def check_required_answers(case: _Case) -> Iterator[Issue]:
    submission = case.submission
    contact, readiness = submission.contact, submission.readiness
    if not _text(submission.lao.district):
        yield _issue("DISTRICT_MISSING")
    if contact is None or not _text(contact.name):
        yield _issue("CONTACT_NAME_MISSING")
    if contact is None or not (_text(contact.email) or _text(contact.phone)):
        yield _issue("CONTACT_CHANNEL_MISSING")
    if readiness is None or readiness.has_plan is None:
        yield _issue("HAS_PLAN_MISSING")
    if readiness is None or readiness.depa_mark is None:
        yield _issue("DEPA_MARK_MISSING")
    if readiness is None or readiness.data_platform is None:
        yield _issue("DATA_PLATFORM_MISSING")
    if not submission.dimensions:
        yield _issue("DIMENSIONS_MISSING")
    if not submission.projects:
        yield _issue("PROJECTS_MISSING")


# --- (d) province and district ---------------------------------------------------------------------------


def check_province(case: _Case) -> Iterator[Issue]:
    given = _text(case.submission.lao.province)
    located = _located_by_code(case)
    if not given and located is not None:
        province = geo.resolve_province(located.province_code)
        yield _issue("PROVINCE_FROM_REGISTRY", lao_code=located.code,
                     province_th=province.name_th if province else located.province_code,
                     province_en=province.name_en if province else located.province_code)
    elif not given:
        yield _issue("PROVINCE_MISSING")
    elif case.province is None:
        yield _issue("PROVINCE_UNKNOWN", value=given)


def check_district(case: _Case) -> Iterator[Issue]:
    given = _text(case.submission.lao.district)
    if not given or case.district is not None:
        return
    anywhere = geo.find_districts(given)
    if not anywhere:
        yield _issue("DISTRICT_UNKNOWN", value=given)
    elif case.province is not None:
        # Without a known province, PROVINCE_UNKNOWN already says what to fix.
        provinces = sorted({d.province_code for d in anywhere})
        found = [geo.resolve_province(code) for code in provinces[:3]]
        more_th = f" และอีก {len(provinces) - 3} จังหวัด" if len(provinces) > 3 else ""
        more_en = f" and {len(provinces) - 3} more" if len(provinces) > 3 else ""
        yield _issue("DISTRICT_NOT_IN_PROVINCE", value=given,
                     province_th=case.province.name_th, province_en=case.province.name_en,
                     found_th="จังหวัด" + ", ".join(p.name_th for p in found if p) + more_th,
                     found_en=", ".join(p.name_en for p in found if p) + more_en)


# --- (e) the LAO code ------------------------------------------------------------------------------------


def check_lao_code(case: _Case) -> Iterator[Issue]:
    raw = case.submission.lao.code
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return
    code = thai.to_arabic_digits(str(raw)).strip()
    if not re.fullmatch(r"[0-9]{7}", code):
        yield _issue("LAO_CODE_INVALID", value=raw)
        return
    # The first digit tells the type at registration, but an upgraded อบต. may keep its 6: never read the
    # type from it, only refuse digits no municipality can have.
    if code[0] not in "3456":
        yield _issue("LAO_CODE_TYPE_DIGIT_INVALID", value=code, digit=code[0])
    province, district = case.province, case.district
    if province is not None and code[1:3] != province.code:
        yield _issue("LAO_CODE_PROVINCE_MISMATCH", value=code, code_province=code[1:3],
                     province_th=province.name_th, province_en=province.name_en, province_code=province.code)
    elif district is not None and code[3:5] != district.code[2:4] and not _matched_by_code(case):
        # Digits 4–5 are the district at registration; a registry that knows the code knows better.
        yield _issue("LAO_CODE_DISTRICT_MISMATCH", value=code, code_district=code[3:5],
                     district_th=district.name_th, district_en=district.name_en, district_code=district.code)


def _located_by_code(case: _Case) -> RegistryLao | None:
    """The registry's LAO when the code decided the match: its place stands in for a province left blank."""
    match = case.registry
    if match is not None and match.status == "matched" and match.method == "code" and _identified(match):
        return match.lao
    return None


def _matched_by_code(case: _Case) -> bool:
    return case.registry is not None and case.registry.status == "matched" and case.registry.method == "code"


# --- (e2) DLA's LAO registry -----------------------------------------------------------------------------


def _district_en(code: str | None) -> str:
    found = geo.find_districts(code) if code else []
    return found[0].name_en if found else (code or "?")


def _listed(candidates: tuple[Candidate, ...]) -> tuple[str, str]:
    th = ", ".join(f"{c.lao.name} (รหัส {c.lao.code}, อ.{c.lao.district_name or '?'})" for c in candidates)
    en = ", ".join(f"{c.lao.name} (code {c.lao.code}, {_district_en(c.lao.district_code)} district)"
                   for c in candidates)
    return th, en


def _closest(candidates: tuple[Candidate, ...]) -> dict[str, str]:
    if not candidates:
        return {"closest_th": "", "closest_en": ""}
    th, en = _listed(candidates)
    return {"closest_th": f" อปท. ที่ชื่อใกล้เคียงที่สุด: {th}", "closest_en": f"; the closest names are: {en}"}


def check_registry(case: _Case) -> Iterator[Issue]:
    match = case.registry
    if match is None:
        return
    name = _text(case.submission.lao.name)
    province = case.province
    if match.status == "no_registry":
        yield _issue("LAO_NOT_VERIFIED", name=name, reason_th="ระบบยังไม่ได้นำเข้าทะเบียน อปท.",
                     reason_en="no registry has been imported")
    elif province is None and _located_by_code(case) is not None and match.lao is not None:
        yield from _check_matched(case, match, name)  # the code placed it: PROVINCE_FROM_REGISTRY says so
    elif province is None:
        return  # PROVINCE_MISSING / PROVINCE_UNKNOWN already say what to fix; the registry is per province
    elif match.status == "not_covered":
        yield _issue("LAO_NOT_VERIFIED", name=name, reason_th=f"ทะเบียนที่นำเข้าไม่มี อปท. ในจังหวัด{province.name_th}",
                     reason_en=f"the registry imported has no LAOs in {province.name_en} province")
    elif match.status == "code_not_found":
        yield _issue("LAO_CODE_NOT_IN_REGISTRY", value=thai.to_arabic_digits(str(case.submission.lao.code)),
                     **_closest(match.candidates))
    elif match.status == "not_found":
        district = case.district
        area_th = (f"อำเภอ{district.name_th} จังหวัด{province.name_th}" if district
                   else f"จังหวัด{province.name_th}")
        area_en = (f"{district.name_en} district, {province.name_en} province" if district
                   else f"{province.name_en} province")
        yield _issue("LAO_NOT_IN_REGISTRY", name=name, area_th=area_th, area_en=area_en, **_closest(match.candidates))
    elif match.status == "ambiguous":
        listed_th, listed_en = _listed(match.candidates)
        yield _issue("LAO_MATCH_AMBIGUOUS", name=name, candidates_th=listed_th, candidates_en=listed_en)
    elif match.lao is not None:
        yield from _check_matched(case, match, name)


def _check_matched(case: _Case, match: RegistryMatch, name: str) -> Iterator[Issue]:
    lao = match.lao
    assert lao is not None
    about = {"registry_name": lao.name, "lao_code": lao.code, "name": name}
    if not _identified(match):
        yield _issue("LAO_CODE_NAME_MISMATCH", **about)
        return
    if match.method == "name" and match.confidence < 1.0:
        yield _issue("LAO_NAME_MATCHED_APPROXIMATELY", **about, confidence=round(match.confidence * 100))
    district = case.district
    if (district is not None and lao.district_code is not None and lao.district_code != district.code
            and case.province is not None and lao.province_code == case.province.code):
        yield _issue("LAO_REGISTRY_LOCATION_MISMATCH", **about,
                     registry_district_th=lao.district_name or lao.district_code,
                     registry_district_en=_district_en(lao.district_code),
                     district_th=district.name_th, district_en=district.name_en)
    declared = case.lao_type
    if lao.type:
        eligible, eligible_th, eligible_en = _eligible(case.campaign)
        typed = {"registry_type_th": lao.type, "registry_type_en": type_en(lao.type),
                 "type_th": declared, "type_en": type_en(declared) if declared else None}
        # The registry decides eligibility whatever was ticked; a tick that agrees with it is already judged
        # by LAO_TYPE_NOT_ELIGIBLE.
        if lao.type not in eligible and lao.type != declared:
            yield _issue("LAO_REGISTRY_TYPE_NOT_ELIGIBLE", **about, **typed, eligible_th=eligible_th,
                         eligible_en=eligible_en)
        if declared and lao.type != declared:
            yield _issue("LAO_REGISTRY_TYPE_MISMATCH", **about, **typed)


# --- (f) contact formats ---------------------------------------------------------------------------------


def check_contact_formats(case: _Case) -> Iterator[Issue]:
    contact = case.submission.contact
    if contact is None:
        return
    email, phone = _text(contact.email), _text(contact.phone)
    if email and not is_email(email):
        yield _issue("CONTACT_EMAIL_INVALID", value=email)
    if phone and not is_thai_phone(phone):
        yield _issue("CONTACT_PHONE_INVALID", value=phone)


# --- (g) readiness ---------------------------------------------------------------------------------------


_HOST_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def is_web_url(text: str) -> bool:
    """An http(s) address naming a host with a dot in it (Thai domain names too): what a reviewer can open."""
    if not text or any(character.isspace() for character in text):
        return False
    try:
        parts = urlsplit(text)
        host = (parts.hostname or "").encode("idna").decode("ascii")
    except (ValueError, UnicodeError):
        return False
    labels = host.split(".")
    return (parts.scheme in ("http", "https") and len(labels) >= 2 and all(_HOST_LABEL.match(x) for x in labels)
            and labels[-1].isalpha() and len(labels[-1]) >= 2)


def check_plan_link(case: _Case) -> Iterator[Issue]:
    readiness = case.submission.readiness
    if readiness is None:
        return
    if readiness.has_plan is True and not readiness.plan_url:
        yield _issue("PLAN_URL_MISSING")
    elif readiness.plan_url and not is_web_url(_text(readiness.plan_url)):
        yield _issue("PLAN_URL_INVALID", value=readiness.plan_url)


# --- (h) projects ----------------------------------------------------------------------------------------


_SEVEN_TH = ", ".join(th for th, _ in thai.DIMENSIONS.values())
_SEVEN_EN = ", ".join(en for _, en in thai.DIMENSIONS.values())


def check_dimensions(case: _Case) -> Iterator[Issue]:
    for index, dimension in enumerate(case.submission.dimensions or ()):
        if dimension not in thai.DIMENSIONS:
            yield _issue("DIMENSION_UNKNOWN", index=index, value=dimension, dimensions_th=_SEVEN_TH,
                         dimensions_en=_SEVEN_EN)


def _baht(amount: Decimal) -> str:
    return f"{amount:,.2f}" if amount != amount.to_integral_value() else f"{amount:,.0f}"


def _budget(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def check_project_details(case: _Case, project: Any, about: dict[str, Any]) -> Iterator[Issue]:
    dimensions = list(project.dimensions or ())
    if not dimensions:
        yield _issue("PROJECT_DIMENSIONS_MISSING", **about)
    for dimension_index, dimension in enumerate(dimensions):
        if dimension not in thai.DIMENSIONS:
            yield _issue("PROJECT_DIMENSION_UNKNOWN", **about, dimension_index=dimension_index, value=dimension,
                         dimensions_th=_SEVEN_TH, dimensions_en=_SEVEN_EN)
    budget = _budget(project.budget_thb)
    if budget is not None and budget < 0:
        yield _issue("PROJECT_BUDGET_NEGATIVE", **about, value=_baht(budget))
    elif budget is not None and budget > case.campaign.max_project_budget_thb:
        yield _issue("PROJECT_BUDGET_IMPLAUSIBLE", **about, value=_baht(budget),
                     limit=_baht(Decimal(case.campaign.max_project_budget_thb)))
    for url_index, url in enumerate(project.evidence_urls or ()):
        if not is_web_url(_text(url)):
            yield _issue("EVIDENCE_URL_INVALID", **about, url_index=url_index, value=url)


def check_projects(case: _Case) -> Iterator[Issue]:
    declared = set(case.submission.dimensions or ())
    first_by_name: dict[str, int] = {}
    for index, project in enumerate(case.submission.projects or ()):
        name = _text(project.name)
        about = {"index": index, "number": index + 1, "name": name}
        if not name:
            yield _issue("PROJECT_NAME_MISSING", **about)
        undeclared = [d for d in dict.fromkeys(project.dimensions or ()) if d not in declared and d in thai.DIMENSIONS]
        if undeclared:
            yield _issue("PROJECT_DIMENSION_NOT_DECLARED", **about,
                         dimensions_th=", ".join(thai.DIMENSIONS.get(d, (d, d))[0] for d in undeclared),
                         dimensions_en=", ".join(thai.DIMENSIONS.get(d, (d, d))[1] for d in undeclared))
        key = name.replace(" ", "").casefold()
        if not key:
            pass  # PROJECT_NAME_MISSING says it
        elif key in first_by_name:
            yield _issue("PROJECT_NAME_DUPLICATE", **about, first_number=first_by_name[key] + 1)
        else:
            first_by_name[key] = index
        if not project.evidence_urls:
            yield _issue("PROJECT_EVIDENCE_MISSING", **about)
        yield from check_project_details(case, project, about)


_ANSWER_RULES = {"answer_unreadable": "ANSWER_UNREADABLE", "answer_out_of_range": "ANSWER_OUT_OF_RANGE",
                 "choice_unknown": "ANSWER_CHOICE_UNKNOWN", "answer_missing": "ANSWER_MISSING",
                 "answer_too_long": "ANSWER_TOO_LONG", "answer_invalid": "ANSWER_INVALID"}
# Missing answers that have a rule of their own (with what the registry can fill in).
_MISSING_WITH_OWN_RULE = frozenset({"lao.name", "lao.province"})


def check_answers_kept_as_written(case: _Case) -> Iterator[Issue]:
    """Every answer intake could not take (an unreadable number, an unknown choice, a required answer left
    blank): the response goes back for correction, quoting what was written."""
    for problem in getattr(case.submission, "answer_problems", None) or ():
        if problem.code == "answer_missing" and problem.field in _MISSING_WITH_OWN_RULE:
            continue
        question = problem.question or problem.field  # a JSON post has no question titles
        yield _issue(_ANSWER_RULES.get(problem.code, "ANSWER_INVALID"), field=problem.field, question=question,
                     written=problem.written or "", reason_th=problem.message_th, reason_en=problem.message_en)


CHECKS: tuple[Check, ...] = (
    check_answers_kept_as_written,
    check_lao_name,
    check_lao_type,
    check_name_matches_type,
    check_timestamp,
    check_submission_period,
    check_required_answers,
    check_province,
    check_district,
    check_lao_code,
    check_registry,
    check_contact_formats,
    check_plan_link,
    check_dimensions,
    check_projects,
)


# --- the verdict -----------------------------------------------------------------------------------------

_EVENT_TYPES: dict[Outcome, str] = {
    "validated": SUBMISSION_VALIDATED,
    "returned": SUBMISSION_RETURNED,
    "rejected": SUBMISSION_REJECTED,
}


@dataclass(frozen=True)
class Verdict:
    """What validation concludes about one submission, with every finding behind it."""

    outcome: Outcome
    issues: list[Issue]
    lao: LaoSummary
    judged_at: datetime  # the moment the deadline was judged on
    late: bool  # after the deadline, whatever the campaign does with late submissions
    registry: RegistryMatch | None = None  # how the LAO was matched to DLA's registry, if it was consulted

    @property
    def registry_record(self) -> dict[str, Any] | None:
        """The registry match as the verdict's record keeps it: status, method, confidence, code, candidates."""
        match = self.registry
        if match is None:
            return None
        return {"status": match.status, "method": match.method, "confidence": match.confidence,
                "code": match.lao.code if match.lao else None,
                "candidates": [{"code": c.lao.code, "name": c.lao.name, "similarity": c.similarity}
                               for c in match.candidates]}

    @property
    def warnings(self) -> list[Issue]:
        return [issue for issue in self.issues if issue.severity == "warning"]

    @property
    def problems(self) -> list[Issue]:
        """The findings that stop the submission: rejections and returns."""
        return [issue for issue in self.issues if issue.severity != "warning"]

    @property
    def codes(self) -> list[str]:
        return [issue.code for issue in self.issues]

    @property
    def event_type(self) -> str:
        return _EVENT_TYPES[self.outcome]


def _outcome(issues: list[Issue]) -> Outcome:
    severities = {issue.severity for issue in issues}
    if "reject" in severities:
        return "rejected"
    if "return" in severities:
        return "returned"
    return "validated"


def _summary(submission: Submission, case: _Case) -> LaoSummary:
    try:
        summary = geo.lao_summary(submission.lao)
    except Exception:  # odd data: the verdict still names what it can
        summary = LaoSummary(name=_text(getattr(getattr(submission, "lao", None), "name", None)) or "?")
    if case.lao_type:
        summary = summary.model_copy(update={"type": case.lao_type})
    match = case.registry
    if match is None:
        return summary
    if not _identified(match) or match.lao is None:
        return summary.model_copy(update={"registry_verified": False})
    # The registry is DLA's own record: its code, name, place and size class are the ones reported.
    lao = match.lao
    return summary.model_copy(update={
        "name": lao.name, "code": lao.code, "type": lao.type or summary.type,
        "province_code": lao.province_code, "province_name": lao.province_name or summary.province_name,
        "district_code": lao.district_code or summary.district_code,
        "district_name": lao.district_name or summary.district_name,
        "size_class": lao.size_class, "registry_verified": True,
    })


def validate(submission: Submission, campaign: Campaign, received_at: datetime,
             registry: RegistryLookup | None = None, attachment: OfficeAttachment | None = None) -> Verdict:
    """Runs every check and adds their findings up: any reject → rejected, else any return → returned,
    else validated (warnings go along).

    `registry` is what DLA's LAO registry holds for this submission (the handler fetches it); with it the
    LAO is matched by code or name and the summary carries the registry's code and size class. Without it
    (None) the registry is not consulted at all; `RegistryLookup.empty()` means no registry was imported,
    which is a warning (LAO_NOT_VERIFIED), never a reason to stop. `attachment` is an office's word on the
    LAO (the caller has put its code in `submission`): the verdict carries it as a warning.

    Never raises on odd submission data: a check that fails anyway becomes a RULE_FAILED finding and the
    other checks still run. `received_at` is the service's own clock (naive means UTC).
    """
    case = _read(submission, campaign, received_at)
    issues: list[Issue] = []
    if registry is not None:
        try:
            case = replace(case, registry=_match(case, registry))
        except Exception as error:
            issues.append(_issue("RULE_FAILED", check="match_lao", error=type(error).__name__))
    for check in CHECKS:
        try:
            issues.extend(check(case))
        except Exception as error:
            issues.append(_issue("RULE_FAILED", check=check.__name__, error=type(error).__name__))
    if attachment is not None:
        issues.append(_issue("LAO_ATTACHED_BY_OFFICE", lao_code=attachment.lao_code, office=attachment.office,
                             written=attachment.written or "-", reason=attachment.reason))
    return Verdict(
        outcome=_outcome(issues),
        issues=issues,
        lao=_summary(submission, case),
        judged_at=case.judged_at,
        late=not case.timestamp_to_correct and campaign.is_late(case.judged_at),
        registry=case.registry,
    )



@dataclass(frozen=True)
class OfficeAttachment:
    """An office's word on which registry LAO an unidentified response belongs to (reporting audits it)."""

    lao_code: str
    office: str
    written: str  # the LAO as the response names it
    reason: str
    attachment_id: str | None = None  # reporting's audit record

