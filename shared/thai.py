"""Pure helpers that read Thai answers as people type them: digits, yes/no, money, dimension names."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
ARABIC_TO_THAI_DIGITS = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")
# Zero-width space/joiners and the BOM creep in from copy-paste out of documents and LINE.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)
_SPACES = re.compile(r"\s+")

YES_WORDS = frozenset({"ใช่", "มี", "yes", "y", "true", "1", "ผ่าน", "ได้รับ", "ได้รับแล้ว"})
NO_WORDS = frozenset({"ไม่ใช่", "ไม่มี", "no", "n", "false", "0", "ไม่", "ไม่ได้รับ"})

DIMENSIONS: dict[str, tuple[str, str]] = {
    "environment": ("สิ่งแวดล้อมอัจฉริยะ", "Smart Environment"),
    "energy": ("พลังงานอัจฉริยะ", "Smart Energy"),
    "mobility": ("การเดินทางและขนส่งอัจฉริยะ", "Smart Mobility"),
    "economy": ("เศรษฐกิจอัจฉริยะ", "Smart Economy"),
    "living": ("การดำรงชีวิตอัจฉริยะ", "Smart Living"),
    "people": ("พลเมืองอัจฉริยะ", "Smart People"),
    "governance": ("การบริหารภาครัฐอัจฉริยะ", "Smart Governance"),
}
_DIMENSION_ALIASES: dict[str, str] = {}
for _key, (_th, _en) in DIMENSIONS.items():
    for _alias in (_key, _th, _en, _th.removesuffix("อัจฉริยะ"), _en.removeprefix("Smart ")):
        _DIMENSION_ALIASES[_alias.replace(" ", "").lower()] = _key

DEPA_MARK_WORDS = {
    "yes": "yes", "ใช่": "yes", "ได้รับ": "yes", "ได้รับแล้ว": "yes", "มี": "yes",
    "no": "no", "ไม่ใช่": "no", "ไม่ได้รับ": "no", "ไม่มี": "no",
    "applying": "applying", "อยู่ระหว่างยื่นขอ": "applying", "ยื่นขอแล้ว": "applying",
}
PROJECT_STATUS_WORDS = {
    "completed": "completed", "ดำเนินการแล้วเสร็จ": "completed", "แล้วเสร็จ": "completed",
    "in_progress": "in_progress", "อยู่ระหว่างดำเนินการ": "in_progress",
    "planned": "planned", "อยู่ระหว่างวางแผน": "planned",
}


def clean_text(value: str) -> str:
    """NFC, Thai digits kept, invisible characters removed, runs of white space folded to one space."""
    text = unicodedata.normalize("NFC", value).translate(_INVISIBLE)
    return _SPACES.sub(" ", text).strip()


def to_arabic_digits(value: str) -> str:
    return value.translate(THAI_DIGITS)


def to_thai_digits(value: str) -> str:
    return value.translate(ARABIC_TO_THAI_DIGITS)


def parse_yes_no(value: str) -> bool | None:
    """`ใช่`/`มี`/`Yes` → True, `ไม่ใช่`/`ไม่มี`/`No` → False, anything else → None (not understood)."""
    word = clean_text(value).lower()
    if word in YES_WORDS:
        return True
    if word in NO_WORDS:
        return False
    return None


def parse_dimension(value: str) -> str | None:
    return _DIMENSION_ALIASES.get(clean_text(value).replace(" ", "").lower())


def parse_choice(value: str, words: dict[str, str]) -> str | None:
    return words.get(clean_text(value).lower()) or words.get(clean_text(value))


_MONEY = re.compile(r"^(?P<num>[0-9][0-9,]*(?:\.[0-9]+)?)\s*(?P<unit>ล้าน|ล้านบาท|m|million)?\s*(?:บาท|thb|baht)?$")


def parse_baht(value: str) -> Decimal | None:
    """`1,500,000`, `1.5 ล้านบาท`, `๒,๐๐๐,๐๐๐ บาท` → Decimal baht; None when it is not an amount."""
    text = to_arabic_digits(clean_text(value)).lower().replace(" ", "")
    match = _MONEY.match(text)
    if not match:
        return None
    try:
        amount = Decimal(match["num"].replace(",", ""))
    except InvalidOperation:
        return None
    if match["unit"]:
        amount *= 1_000_000
    return amount
