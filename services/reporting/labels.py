"""Thai and English words for what reports show: statuses, tiers, size groups (by the names the rubric gives
them), project statuses, figures, and Thai dates."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from shared.thai import MONTHS_TH, THAI_TZ, be_year, to_thai_digits

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
PROJECT_STATUS = {
    "completed": ("ดำเนินการแล้วเสร็จ", "completed"),
    "in_progress": ("อยู่ระหว่างดำเนินการ", "in progress"),
    "planned": ("อยู่ระหว่างวางแผน", "planned"),
}


def word(table: dict[str, tuple[str, str]], key: str | None, lang: str = "th") -> str:
    if key is None:
        return ""
    th, en = table.get(key, (key, key))
    return th if lang == "th" else en


def size_group_name(score: Mapping[str, Any] | None, lang: str = "th") -> str:
    """A score's size group by the rubric's name for it (`size_group_th` / `size_group_en`, which scoring puts
    on the score); the bare group key for a score that carries no names."""
    if not score:
        return ""
    return str(score.get(f"size_group_{'th' if lang == 'th' else 'en'}") or score.get("size_group") or "")


def thai_date(day: date | datetime, *, digits: bool = True) -> str:
    """`2025-11-28` → `๒๘ พฤศจิกายน ๒๕๖๘` (B.E., Thai digits), as official letters write dates."""
    if isinstance(day, datetime):
        day = day.astimezone(THAI_TZ).date() if day.tzinfo else day.date()
    text = f"{day.day} {MONTHS_TH[day.month - 1]} {be_year(day.year)}"
    return to_thai_digits(text) if digits else text


def thai_number(value: float | int | None, *, decimals: int = 0) -> str:
    """A figure as a letter writes it: thousands grouped, Thai digits; a dash for None."""
    if value is None:
        return "-"
    return to_thai_digits(f"{value:,.{decimals}f}")
