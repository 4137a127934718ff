"""How notifications write dates, numbers, durations, tiers, progress and form fields, in Thai and in English
(no I/O).

Thai dates are in Thai time with the Buddhist-era year; with `thai_digits` they are written in Thai digits
(๒๕ พฤศจิกายน ๒๕๖๘), as DLA's letters write them. Size groups are not named here: their names come with the
events, from the campaign's rubric.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from shared.thai import MONTHS_EN, MONTHS_TH, THAI_TZ, be_year, to_thai_digits

TIERS: dict[str, tuple[str, str]] = {
    "outstanding": ("ผ่านเกณฑ์ระดับโดดเด่น", "meets the threshold of the outstanding tier"),
    "efficient": ("ผ่านเกณฑ์ระดับมีประสิทธิภาพ", "meets the threshold of the efficient tier"),
    "not_selected": ("ยังไม่ผ่านเกณฑ์", "does not yet meet the threshold of either tier"),
}
# The final selection's tiers (`selection.published`), as DLA's announcement names them.
SELECTION_TIERS: dict[str, tuple[str, str]] = {
    "outstanding": ("ที่มีความโดดเด่น", "outstanding"),
    "efficient": ("ที่มีประสิทธิภาพ", "efficient"),
    "not_selected": ("ไม่ได้รับการคัดเลือกในปีนี้", "not selected this year"),
}
# A municipality's state as an office reads it in reminders and digests.
PROGRESS_STATUS: dict[str, tuple[str, str]] = {
    "not_submitted": ("ยังไม่ส่งข้อมูล", "not submitted"),
    "received": ("ส่งแล้ว รอตรวจสอบ", "submitted, being checked"),
    "returned": ("ส่งคืนให้แก้ไข ยังไม่ได้แก้ไข", "returned for correction, not yet corrected"),
    "validated": ("ผ่านการตรวจสอบ รอให้คะแนน", "accepted, awaiting its score"),
    "scored": ("ให้คะแนนแล้ว", "scored"),
    "rejected": ("ไม่ผ่านเงื่อนไข", "not accepted"),
}

# Where an issue points, in the words of the form (docs/form.md); unknown paths are shown as they are.
FIELD_LABELS: dict[str, tuple[str, str]] = {
    "campaign": ("รอบการคัดเลือก", "campaign"),
    "submitted_at": ("เวลาที่ส่งแบบฟอร์ม", "form timestamp"),
    "lao": ("องค์กรปกครองส่วนท้องถิ่น", "LAO"),
    "lao.name": ("ชื่อองค์กรปกครองส่วนท้องถิ่น", "LAO name"),
    "lao.code": ("รหัสองค์กรปกครองส่วนท้องถิ่น (7 หลัก)", "LAO code (7 digits)"),
    "lao.type": ("ประเภทองค์กรปกครองส่วนท้องถิ่น", "LAO type"),
    "lao.province": ("จังหวัด", "province"),
    "lao.district": ("อำเภอ", "district"),
    "contact": ("ผู้ประสานงาน", "contact person"),
    "contact.name": ("ชื่อ-นามสกุล ผู้ประสานงาน", "contact name"),
    "contact.position": ("ตำแหน่ง", "position"),
    "contact.phone": ("หมายเลขโทรศัพท์", "phone number"),
    "contact.email": ("อีเมล", "e-mail"),
    "readiness.has_plan": ("แผนพัฒนาเมืองอัจฉริยะที่ผ่านความเห็นชอบ", "approved smart city plan"),
    "readiness.plan_url": ("ลิงก์เอกสารแผนพัฒนาเมืองอัจฉริยะ", "link to the smart city plan"),
    "readiness.depa_mark": ("ตราสัญลักษณ์เมืองอัจฉริยะ (Smart City Thailand)", "Smart City Thailand mark"),
    "readiness.data_platform": ("แพลตฟอร์มข้อมูลเมือง (City Data Platform)", "City Data Platform"),
    "dimensions": ("ด้านของเมืองอัจฉริยะที่ดำเนินการ", "smart city dimensions"),
    "projects": ("โครงการ", "projects"),
    "partners": ("ความร่วมมือกับภาคีเครือข่าย", "partnerships"),
}
PROJECT_FIELD_LABELS: dict[str, tuple[str, str]] = {
    "name": ("ชื่อโครงการ", "name"),
    "dimensions": ("ด้าน", "dimensions"),
    "description": ("รายละเอียด", "description"),
    "budget_thb": ("งบประมาณ (บาท)", "budget (baht)"),
    "status": ("สถานะ", "status"),
    "beneficiaries": ("จำนวนผู้ได้รับประโยชน์", "beneficiaries"),
    "outcomes": ("ผลลัพธ์ที่วัดได้", "measured outcomes"),
    "evidence_urls": ("ลิงก์หลักฐาน", "evidence links"),
}
_PROJECT_FIELD = re.compile(r"^projects\[(?P<index>\d+)\](?:\.(?P<field>[a-z_]+))?")


def local(moment: datetime) -> datetime:
    """The moment in Thai time; event times are UTC by contract, so a naive one is read as UTC."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(THAI_TZ)


def digits(text: object, thai_digits: bool) -> str:
    return to_thai_digits(str(text)) if thai_digits else str(text)


def thai_date(moment: datetime, *, thai_digits: bool = False) -> str:
    """`25 พฤศจิกายน 2568` (Thai time, Buddhist-era year)."""
    day = local(moment)
    return digits(f"{day.day} {MONTHS_TH[day.month - 1]} {be_year(day.year)}", thai_digits)


def thai_datetime(moment: datetime, *, thai_digits: bool = False) -> str:
    """`24 พฤศจิกายน 2568 เวลา 10:15 น.`: Thai time, Buddhist-era year."""
    at = local(moment)
    return digits(f"{at.day} {MONTHS_TH[at.month - 1]} {be_year(at.year)} เวลา {at:%H:%M} น.", thai_digits)


def english_date(moment: datetime) -> str:
    day = local(moment)
    return f"{day.day} {MONTHS_EN[day.month - 1]} {day.year}"


def english_datetime(moment: datetime) -> str:
    """`24 November 2025, 10:15 Thai time (UTC+7)`."""
    at = local(moment)
    return f"{at.day} {MONTHS_EN[at.month - 1]} {at.year}, {at:%H:%M} Thai time (UTC+7)"


def thai_duration(span: timedelta, *, thai_digits: bool = False) -> str:
    """`7 วัน`, `1 วัน 2 ชั่วโมง`, `3 ชั่วโมง`, `45 นาที`: the time left, to the minute, largest units first."""
    days, hours, minutes = _parts(span)
    words = [f"{days} วัน" if days else "", f"{hours} ชั่วโมง" if hours else "",
             f"{minutes} นาที" if minutes and not days else ""]
    return digits(" ".join(w for w in words if w) or "ไม่ถึง 1 นาที", thai_digits)


def english_duration(span: timedelta) -> str:
    days, hours, minutes = _parts(span)
    words = [_plural(days, "day"), _plural(hours, "hour"), _plural(minutes, "minute") if not days else ""]
    return " ".join(w for w in words if w) or "less than a minute"


def _parts(span: timedelta) -> tuple[int, int, int]:
    minutes = max(int(span.total_seconds() // 60), 0)
    return minutes // 1440, minutes % 1440 // 60, minutes % 60


def _plural(count: int, unit: str) -> str:
    return "" if not count else f"{count} {unit}" + ("s" if count != 1 else "")


def points(value: float) -> str:
    """`8.0` → `8`, `7.5` → `7.5`: points as a committee writes them."""
    rounded = round(float(value), 2)
    return str(int(rounded)) if rounded.is_integer() else f"{rounded:g}"


def field_label(field: str) -> tuple[str, str]:
    """An issue's field as the applicant knows it from the form, with the path kept for reference."""
    if field in FIELD_LABELS:
        th, en = FIELD_LABELS[field]
        return f"{th} ({field})", f"{en} ({field})"
    match = _PROJECT_FIELD.match(field)
    if match:
        number = int(match["index"]) + 1
        th, en = PROJECT_FIELD_LABELS.get(match["field"] or "", ("", ""))
        th_label = f"โครงการที่ {number}" + (f": {th}" if th else "")
        en_label = f"project {number}" + (f": {en}" if en else "")
        return f"{th_label} ({field})", f"{en_label} ({field})"
    return field, field
