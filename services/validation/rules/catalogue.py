"""The rule catalogue: every finding validation can make, with its stable code, severity (reject / return /
warning), field and Thai and English messages. `GET /v1/rules` serves it, and `render()` writes it as
docs/validation-rules.md (`python -m services.validation.rules docs/validation-rules.md`; a unit test fails
when the committed document differs, so the two cannot drift).

The table is long on purpose: one place holds every message, in the order of the document."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from shared.events import Issue

Severity = Literal["reject", "return", "warning"]


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


def finding(code: str, **details: Any) -> Issue:
    """The catalogued finding `code`, its placeholders filled from `details`."""
    return CATALOGUE[code].issue(**details)


# --- the catalogue as a document -------------------------------------------------------------------------

_SEVERITIES = {
    "reject": ("ไม่รับเข้าการคัดเลือก", "rejected: ineligible, or late under a strict campaign"),
    "return": ("ส่งกลับให้แก้ไข", "returned: fixable; the applicant is told every issue"),
    "warning": ("แจ้งเตือน", "warning: validated, the finding goes along for officials"),
}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _row(rule: Rule) -> str:
    return (f"| `{rule.code}` | {rule.severity} | `{_cell(rule.field)}` | {_cell(rule.message_th)} | "
            f"{_cell(rule.message_en)} |")


def render() -> str:
    """docs/validation-rules.md as the catalogue says it."""
    lines = [
        "# Validation rules — กฎการตรวจสอบข้อมูล",
        "",
        "<!-- Generated from services/validation/rules/catalogue.py by `python -m services.validation.rules "
        "docs/validation-rules.md`; do not edit by hand. -->",
        "",
        "Every finding of validation has a stable code, a severity, the field it is about and a message in Thai",
        "and English; `{…}` are filled from the submission. The outcome of a submission adds its findings up:",
        "any **reject** → `submission.rejected`; else any **return** → `submission.returned` (the applicant is",
        "told every issue and may submit a corrected revision, which is validated again); else",
        "`submission.validated`, with the warnings. The same catalogue is served at `GET /v1/rules`.",
        "",
        "| severity | ไทย | meaning |",
        "| --- | --- | --- |",
        *(f"| {severity} | {th} | {en} |" for severity, (th, en) in _SEVERITIES.items()),
        "",
        f"{len(CATALOGUE)} rules:",
        "",
        "| code | severity | field | ข้อความ (ไทย) | message (English) |",
        "| --- | --- | --- | --- | --- |",
        *(_row(rule) for rule in CATALOGUE.values()),
        "",
    ]
    return "\n".join(lines)
