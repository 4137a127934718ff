"""The project's one Thai vocabulary, and the pure helpers that read Thai answers as people type them.

Vocabulary: LAO type names, their English names and abbreviations, month names, the Buddhist-era offset and
Thai time. Readers: digits, white space, yes/no, money, dimension names, LAO and place prefixes, phone numbers
(one rule, used by intake and validation alike), lists, web addresses and Google's timestamps. Size-group
labels are not here: they belong to a campaign's rubric (services/scoring/rubrics)."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timedelta, timezone, tzinfo
from decimal import Decimal, InvalidOperation
from typing import Literal
from zoneinfo import ZoneInfo

THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
ARABIC_TO_THAI_DIGITS = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")
# Zero-width space/joiners and the BOM creep in from copy-paste out of documents and LINE.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u200e\u200f\u2060\u00ad\ufeff"), None)
_SPACES = re.compile(r"\s+")

YES_WORDS = frozenset({"ใช่", "มี", "yes", "y", "true", "1", "ผ่าน", "ได้รับ", "ได้รับแล้ว", "มีแล้ว", "ใช่ค่ะ",
                       "ใช่ครับ", "✓", "✔"})
NO_WORDS = frozenset({"ไม่ใช่", "ไม่มี", "no", "n", "false", "0", "ไม่", "ไม่ได้รับ", "ยังไม่มี", "ไม่ใช่ค่ะ",
                      "ไม่ใช่ครับ", "✗"})

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
    "yes": "yes", "ใช่": "yes", "ได้รับ": "yes", "ได้รับแล้ว": "yes", "มี": "yes", "ได้": "yes",
    "ได้รับตราสัญลักษณ์แล้ว": "yes", "ได้รับการรับรองแล้ว": "yes", "ผ่านการรับรองแล้ว": "yes",
    "no": "no", "ไม่ใช่": "no", "ไม่ได้รับ": "no", "ไม่มี": "no", "ไม่": "no", "ยังไม่ได้รับ": "no",
    "ยังไม่ได้": "no", "ยังไม่มี": "no", "ยังไม่ได้ยื่น": "no", "ยังไม่ได้ยื่นขอ": "no",
    "applying": "applying", "อยู่ระหว่างยื่นขอ": "applying", "ยื่นขอแล้ว": "applying",
    "อยู่ระหว่างการยื่นขอ": "applying", "อยู่ระหว่างขอรับ": "applying", "อยู่ระหว่างการขอรับ": "applying",
    "กำลังยื่นขอ": "applying", "ยื่นแล้วรอผล": "applying", "ยื่นแล้ว": "applying", "รอผลการพิจารณา": "applying",
    "อยู่ระหว่างพิจารณา": "applying", "อยู่ระหว่างการพิจารณา": "applying",
}
PROJECT_STATUS_WORDS = {
    "completed": "completed", "ดำเนินการแล้วเสร็จ": "completed", "แล้วเสร็จ": "completed",
    "เสร็จแล้ว": "completed", "เสร็จสิ้น": "completed", "ดำเนินการเสร็จแล้ว": "completed",
    "ดำเนินการเสร็จสิ้น": "completed", "ดำเนินการแล้ว": "completed",
    "in_progress": "in_progress", "อยู่ระหว่างดำเนินการ": "in_progress", "อยู่ระหว่างการดำเนินการ": "in_progress",
    "กำลังดำเนินการ": "in_progress", "ดำเนินการอยู่": "in_progress", "อยู่ระหว่างก่อสร้าง": "in_progress",
    "planned": "planned", "อยู่ระหว่างวางแผน": "planned", "วางแผน": "planned", "อยู่ในแผน": "planned",
    "อยู่ระหว่างการวางแผน": "planned", "ยังไม่ดำเนินการ": "planned",
}


def clean_text(value: str) -> str:
    """NFC, Thai digits kept, invisible characters removed, runs of white space folded to one space."""
    text = unicodedata.normalize("NFC", value).translate(_INVISIBLE)
    return _SPACES.sub(" ", text).strip()


_LINE_SPACES = re.compile(r"[^\S\n]+")
_LINE_BREAKS = re.compile(r"\r\n?|[\u2028\u2029\x0b\x0c\x85]")
_BLANK_LINES = re.compile(r"\n{3,}")


def clean_multiline(value: str) -> str:
    """As clean_text, but the applicant's line breaks stay (numbered lists in descriptions and outcomes):
    CRLF and other breaks become one newline, spaces within a line are folded, three or more breaks become
    one blank line, and each line is stripped."""
    text = _LINE_BREAKS.sub("\n", unicodedata.normalize("NFC", value).translate(_INVISIBLE))
    lines = [_LINE_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


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
    """A choice as people write it: any case, spaces anywhere, a trailing full stop or `ค่ะ`/`ครับ`."""
    text = re.sub(r"\s+", "", clean_text(value).lower()).rstrip(".")
    text = re.sub(r"(ค่ะ|ครับ|คะ)$", "", text)
    return words.get(text) or next((canonical for word, canonical in words.items()
                                    if re.sub(r"\s+", "", word) == text), None)


# Units people write after an amount: "1.5 ล้านบาท", "4.5 แสน", "450,000.-", "฿450,000", "2 million baht".
_MONEY = re.compile(
    r"^(?:฿|thb)?(?P<num>[0-9][0-9,]*(?:\.[0-9]+)?)"
    r"(?P<unit>ล้าน|แสน|หมื่น|พัน|m|million|k)?(?:บาท|thb|baht|฿)?(?:\.-|-)?$"
)
_MONEY_UNITS = {"ล้าน": 1_000_000, "m": 1_000_000, "million": 1_000_000, "แสน": 100_000, "หมื่น": 10_000,
                "พัน": 1_000, "k": 1_000}
# What people write for "no amount": the caller stores nothing rather than refusing the answer.
NO_AMOUNT = frozenset({"", "-", "--", "–", "ไม่มี", "ไม่มีงบประมาณ", "n/a", "na", "0บาท"})


def parse_baht(value: str) -> Decimal | None:
    """`1,500,000`, `1.5 ล้านบาท`, `๒,๐๐๐,๐๐๐ บาท`, `4.5 แสน`, `450,000.-` → Decimal baht; None when it is not
    an amount."""
    text = to_arabic_digits(clean_text(value)).lower().replace(" ", "")
    match = _MONEY.match(text)
    if not match:
        return None
    number = match["num"]
    # "1,500,000" groups thousands; a comma anywhere else ("1,5") is not a number a form should guess at.
    if "," in number and not re.fullmatch(r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?", number):
        return None
    try:
        amount = Decimal(number.replace(",", ""))
    except InvalidOperation:
        return None
    if match["unit"]:
        amount *= _MONEY_UNITS[match["unit"]]
    return amount


def is_no_amount(value: str) -> bool:
    return clean_text(value).lower().replace(" ", "") in NO_AMOUNT


# ---------------------------------------------------------------------------------------------------------
# Local administrative organisations and places

# Canonical LAO type names (as DLA lists them) with their English names.
LAO_TYPES: dict[str, str] = {
    "เทศบาลนคร": "City Municipality",
    "เทศบาลเมือง": "Town Municipality",
    "เทศบาลตำบล": "Subdistrict Municipality",
    "องค์การบริหารส่วนตำบล": "Subdistrict Administrative Organisation",
    "องค์การบริหารส่วนจังหวัด": "Provincial Administrative Organisation",
    "เมืองพัทยา": "Pattaya City",
    "กรุงเทพมหานคร": "Bangkok Metropolitan Administration",
}
LAO_TYPE_NAMES = tuple(LAO_TYPES)
# The municipal types: the only ones that compete (docs/domain.md).
MUNICIPALITY_TYPES = ("เทศบาลนคร", "เทศบาลเมือง", "เทศบาลตำบล")
# How people abbreviate the LAO types (ทน./ทม./ทต./อบต./อบจ./กทม.).
LAO_TYPE_ABBREVIATIONS: dict[str, str] = {
    "ทน": "เทศบาลนคร",
    "ทม": "เทศบาลเมือง",
    "ทต": "เทศบาลตำบล",
    "อบต": "องค์การบริหารส่วนตำบล",
    "อบจ": "องค์การบริหารส่วนจังหวัด",
    "กทม": "กรุงเทพมหานคร",
}
# Abbreviations written before a name ("ทม.ชัยภูมิ"): Bangkok is never written "กทม." before a place name.
_NAME_ABBREVIATIONS = {key: name for key, name in LAO_TYPE_ABBREVIATIONS.items() if key != "กทม"}
# An abbreviation ends with a dot or a space ("ทม.ชัยภูมิ", "ทม ชัยภูมิ"), or is glued to a place name
# that starts with a consonant or a leading vowel and goes on ("ทมชัยภูมิ", "อบตโนนสะอาด": typed in a
# hurry); never "ทมิฬ" (a vowel follows) nor the Surin subdistrict "ทมอ" (one letter is no place name).
_LAO_ABBREVIATION = re.compile(r"^(" + "|".join(_NAME_ABBREVIATIONS) + r")(?:\s*\.\s*|\s+|(?=[ก-ฮเ-ไ][\u0e01-\u0e5b]))")
_LAO_TYPE_PREFIX = re.compile(r"^(เทศบาล\s*(?:นคร|เมือง|ตำบล)|องค์การบริหารส่วน\s*(?:ตำบล|จังหวัด))\s*")


def expand_lao_name(name: str) -> str:
    """`ทม.ชัยภูมิ`, `ทม. ชัยภูมิ`, `  เทศบาลเมือง ชัยภูมิ ` → `เทศบาลเมืองชัยภูมิ`: the type written out in full and
    joined to the place name, as DLA lists LAOs. A name without a known type is only cleaned."""
    text = clean_text(name)
    abbreviation = _LAO_ABBREVIATION.match(text)
    if abbreviation:
        text = _NAME_ABBREVIATIONS[abbreviation[1]] + text[abbreviation.end():]
    prefix = _LAO_TYPE_PREFIX.match(text)
    if prefix and prefix.end() < len(text):
        text = prefix[1].replace(" ", "") + text[prefix.end():].lstrip()
    return text


def lao_type_name(text: str) -> str | None:
    """`ทม.`, `ทม`, `เทศบาล เมือง`, `เทศบาลเมือง` → `เทศบาลเมือง`; None when the text names no LAO type."""
    key = re.sub(r"[\s.]", "", clean_text(text))
    if key in LAO_TYPE_ABBREVIATIONS:
        return LAO_TYPE_ABBREVIATIONS[key]
    return key if key in LAO_TYPE_NAMES else None


PlaceLevel = Literal["province", "district", "subdistrict"]
_PLACE_PREFIXES: dict[str, tuple[str, ...]] = {
    # Longest first, so "จังหวัด" is not read as "จ." followed by "ังหวัด".
    "province": ("จังหวัด", "จ."),
    "district": ("อำเภอ", "กิ่งอำเภอ", "อ."),
    "subdistrict": ("ตำบล", "แขวง", "ต."),
}


def strip_place_prefix(text: str, level: PlaceLevel) -> str:
    """`จ.ชัยภูมิ`, `จังหวัด ชัยภูมิ` → `ชัยภูมิ`; `อ.เมือง` → `เมือง`; `ต.ในเมือง` → `ในเมือง`."""
    cleaned = clean_text(text)
    for prefix in sorted(_PLACE_PREFIXES[level], key=len, reverse=True):
        if cleaned.startswith(prefix) and len(cleaned) > len(prefix):
            return cleaned[len(prefix):].lstrip(" .")
    return cleaned


# ---------------------------------------------------------------------------------------------------------
# Phone numbers

_PHONE_SPLIT = re.compile(r"\s*(?:,|;|/|\bหรือ\b|หรือ|\n)\s*")
_PHONE_EXTENSION = re.compile(r"\s*(?:ต่อ|ext\.?|x|#)\s*([0-9]{1,6})\s*$", re.IGNORECASE)


def _format_phone(digits: str) -> str | None:
    if digits.startswith("+66") or (digits.startswith("66") and len(digits) in (10, 11)):
        digits = "0" + digits.removeprefix("+").removeprefix("66").removeprefix("0")
    # A sheet that stored the number as a number dropped its leading zero: 812345678, 44811234.
    if not digits.startswith("0") and len(digits) in (8, 9):
        digits = "0" + digits
    if re.fullmatch(r"0[689][0-9]{8}", digits):  # mobile: 081-234-5678
        return f"{digits[:3]}-{digits[3:6]}-{digits[6:]}"
    if re.fullmatch(r"02[0-9]{7}", digits):  # Bangkok and vicinity: 02-123-4567
        return f"{digits[:2]}-{digits[2:5]}-{digits[5:]}"
    if re.fullmatch(r"0[3-57][0-9]{7}", digits):  # provincial landline: 044-811-234
        return f"{digits[:3]}-{digits[3:6]}-{digits[6:]}"
    return None


def normalise_phone(text: str) -> str | None:
    """Thai landline and mobile numbers in one format (`044-811-234`, `02-123-4567`, `081-234-5678`, with
    `ต่อ 12` for an extension), several joined with `, `; None when any part is not a Thai number.

    Accepts Thai digits, any punctuation, +66, and the leading zero a spreadsheet dropped."""
    numbers = [part for part in _PHONE_SPLIT.split(to_arabic_digits(clean_text(text))) if part.strip()]
    if not numbers:
        return None
    formatted = []
    for number in numbers:
        extension = _PHONE_EXTENSION.search(number)
        main = number[:extension.start()] if extension else number
        digits = re.sub(r"[\s\-().]", "", main)
        if not re.fullmatch(r"\+?[0-9]+", digits):
            return None
        phone = _format_phone(digits)
        if phone is None:
            return None
        formatted.append(phone + (f" ต่อ {extension[1]}" if extension else ""))
    return ", ".join(formatted)


def is_thai_phone(text: str) -> bool:
    """Whether every number in the answer is a Thai landline or mobile: the same rule `normalise_phone`
    reads by, so what intake normalised validation never refuses."""
    return normalise_phone(text) is not None


# ---------------------------------------------------------------------------------------------------------
# Lists and web addresses

_LIST_SEPARATORS = re.compile(r"\s*[,\n;]\s*")
_URL_SEPARATORS = re.compile(r"[\s,;]+")
_BARE_DOMAIN = re.compile(r"^(?:www\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)+(?:[/?#].*)?$", re.IGNORECASE)


def split_list(value: str) -> list[str]:
    """Checkbox answers (Google joins them with `, `) and free-text lists: one item per comma, semicolon or line."""
    return [item for item in (clean_text(part) for part in _LIST_SEPARATORS.split(value)) if item]


def normalise_url(text: str) -> str:
    """Trim a web address as people paste it: surrounding brackets and trailing punctuation go, and an address
    written without its scheme (`www.example.go.th`, `drive.google.com/...`) gets `https://`."""
    url = clean_text(text)
    trimmed = None
    while trimmed != url:  # "<https://...>." loses both the bracket and the full stop
        trimmed, url = url, url.strip("<>\"'").rstrip(".,;)")
    if url and not re.match(r"^[a-z][a-z0-9+.-]*://", url, re.IGNORECASE) and _BARE_DOMAIN.match(url):
        url = "https://" + url
    return url


def split_urls(value: str) -> list[str]:
    """Several links in one answer, separated by commas, spaces or lines (a file-upload answer is a list)."""
    return [normalise_url(part) for part in _URL_SEPARATORS.split(clean_text(value)) if normalise_url(part)]


# ---------------------------------------------------------------------------------------------------------
# Timestamps as Google writes them

BUDDHIST_ERA_OFFSET = 543
# Thai time: the zone for reading and showing local times; the fixed offset where a tzinfo without a
# database is wanted (Thailand keeps no daylight saving, so both always agree).
THAI_TZ = ZoneInfo("Asia/Bangkok")
THAI_OFFSET = timezone(timedelta(hours=7), "ICT")
MONTHS_TH = ("มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน", "กรกฎาคม", "สิงหาคม",
             "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม")
MONTHS_TH_SHORT = ("ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.")
MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
             "November", "December")
MONTHS_EN_SHORT = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
DateOrder = Literal["DMY", "MDY"]
# `25/11/2568, 22:41:07`, `25/11/2025 22:41:07`, `11/25/2025 10:41:07 PM`, `5/1/2568 9:05`, `25-11-2568 22.41 น.`
_SHEET_TIMESTAMP = re.compile(
    r"^(?P<a>[0-9]{1,2})[/.-](?P<b>[0-9]{1,2})[/.-](?P<year>[0-9]{4}),?"
    r"(?:\s+(?P<hour>[0-9]{1,2})[:.](?P<minute>[0-9]{2})(?:[:.](?P<second>[0-9]{2})(?:\.(?P<fraction>[0-9]+))?)?"
    r"\s*(?P<ampm>am|pm|น\.?)?)?$",
    re.IGNORECASE,
)


class TimestampError(ValueError):
    """A timestamp that cannot be read, with the reason in Thai and English."""

    def __init__(self, message_th: str, message_en: str) -> None:
        super().__init__(message_en)
        self.message_th = message_th
        self.message_en = message_en


def be_year(year: int) -> int:
    """A common-era year (2025) as the Buddhist-era year Thai documents write (2568)."""
    return year + BUDDHIST_ERA_OFFSET


def ce_year(year: int) -> int:
    """A Buddhist-era year (2568) as the common-era year (2025); a C.E. year unchanged."""
    return year - BUDDHIST_ERA_OFFSET if year >= 2400 else year


def parse_timestamp(text: str, *, date_order: DateOrder = "DMY", tz: tzinfo | None = None) -> datetime:
    """A timestamp as Google Forms and Sheets write it, in the Thai or an English locale, B.E. or C.E.

    ISO 8601 (`2025-11-25T15:41:07.123Z`, what the form connector sends) keeps its offset; a spreadsheet's
    `25/11/2568, 22:41:07` has none and is read in `tz` (Thai time by default). Day and month are read in
    `date_order`, except that a day above 12 can only be a day. Raises TimestampError with the reason."""
    cleaned = to_arabic_digits(clean_text(text))
    if not cleaned:
        raise TimestampError("ไม่มีวันเวลา", "no timestamp")
    local = tz or THAI_OFFSET
    iso = cleaned.replace(" ", "T", 1) if re.match(r"^[0-9]{4}-[0-9]{2}-[0-9]{2} ", cleaned) else cleaned
    if re.match(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}", iso):
        try:
            year = int(iso[:4])
            parsed = datetime.fromisoformat(str(ce_year(year)).zfill(4) + iso[4:])
        except ValueError as error:
            raise TimestampError(f"วันเวลาไม่ถูกต้อง: {text!r}", f"not a valid date and time: {text!r}") from error
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=local)
    match = _SHEET_TIMESTAMP.match(cleaned)
    if not match:
        raise TimestampError(
            f"อ่านวันเวลาไม่ได้: {text!r} (ตัวอย่าง 25/11/2568, 22:41:07)",
            f"cannot read the date and time {text!r} (e.g. 25/11/2568, 22:41:07 or 11/25/2025 22:41:07)",
        )
    first, second = int(match["a"]), int(match["b"])
    day, month = (first, second) if date_order == "DMY" else (second, first)
    if month > 12 and day <= 12:
        other: DateOrder = "MDY" if date_order == "DMY" else "DMY"
        words_th = {"DMY": "วัน/เดือน/ปี", "MDY": "เดือน/วัน/ปี"}
        words_en = {"DMY": "day/month/year", "MDY": "month/day/year"}
        raise TimestampError(
            f"วันที่ {text!r} ไม่ตรงกับรูปแบบ {words_th[date_order]} "
            f"(ถ้าสเปรดชีตใช้รูปแบบ {words_th[other]} ให้นำเข้าด้วย date_order={other})",
            f"the date {text!r} does not fit {words_en[date_order]}; "
            f"import with date_order={other} if the sheet writes {words_en[other]}",
        )
    hour = int(match["hour"] or 0)
    ampm = (match["ampm"] or "").lower()
    if ampm in ("am", "pm"):
        if not 1 <= hour <= 12:
            raise TimestampError(f"ชั่วโมงไม่ถูกต้อง: {text!r}", f"not a valid hour: {text!r}")
        hour = hour % 12 + (12 if ampm == "pm" else 0)
    try:
        return datetime(ce_year(int(match["year"])), month, day, hour, int(match["minute"] or 0),
                        int(match["second"] or 0), tzinfo=local)
    except ValueError as error:
        raise TimestampError(f"วันเวลาไม่ถูกต้อง: {text!r}", f"not a valid date and time: {text!r}") from error
