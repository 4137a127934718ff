"""Thai and English words for what reports show: statuses, tiers, size groups, project statuses, figures, and Thai
dates."""

from __future__ import annotations

from datetime import date, datetime

from shared.thai import BUDDHIST_ERA_OFFSET, THAI_OFFSET, to_thai_digits

STATUS = {
    "received": ("รับข้อมูลแล้ว รอตรวจสอบ", "received"),
    "validated": ("ผ่านการตรวจสอบ", "validated"),
    "returned": ("ส่งกลับให้แก้ไข", "returned"),
    "rejected": ("ไม่ผ่านคุณสมบัติ", "rejected"),
    "scored": ("ให้คะแนนแล้ว", "scored"),
}
TIER = {
    "outstanding": ("ที่มีความโดดเด่น", "outstanding"),
    "efficient": ("ที่มีประสิทธิภาพ", "efficient"),
    "not_selected": ("ไม่ผ่านเกณฑ์", "not selected"),
}
SIZE_GROUP = {
    "large": ("ขนาดใหญ่", "large"),
    "medium": ("ขนาดกลาง", "medium"),
    "small": ("ขนาดเล็ก", "small"),
    "unknown": ("ไม่ทราบขนาด", "unknown size"),
}
PROJECT_STATUS = {
    "completed": ("ดำเนินการแล้วเสร็จ", "completed"),
    "in_progress": ("อยู่ระหว่างดำเนินการ", "in progress"),
    "planned": ("อยู่ระหว่างวางแผน", "planned"),
}
MONTHS_TH = ("มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน", "กรกฎาคม", "สิงหาคม",
             "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม")
MONTHS_TH_SHORT = ("ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.")


def word(table: dict[str, tuple[str, str]], key: str | None, lang: str = "th") -> str:
    if key is None:
        return ""
    th, en = table.get(key, (key, key))
    return th if lang == "th" else en


def thai_date(day: date | datetime, *, digits: bool = True, short: bool = False) -> str:
    """`2025-11-28` → `๒๘ พฤศจิกายน ๒๕๖๘` (B.E., Thai digits), as official letters write dates."""
    if isinstance(day, datetime):
        day = day.astimezone(THAI_OFFSET).date() if day.tzinfo else day.date()
    month = (MONTHS_TH_SHORT if short else MONTHS_TH)[day.month - 1]
    text = f"{day.day} {month} {day.year + BUDDHIST_ERA_OFFSET}"
    return to_thai_digits(text) if digits else text


def thai_number(value: float | int | None, *, decimals: int = 0, digits: bool = True) -> str:
    """A figure as a letter writes it: thousands grouped, Thai digits; an empty string for None."""
    if value is None:
        return "-"
    text = f"{value:,.{decimals}f}"
    return to_thai_digits(text) if digits else text
