"""Numbers as Thai municipal clerks write them in a form cell (counts of beneficiaries, budgets in baht), read
together with how sure the reading is (pure, no I/O). docs/thai-numbers.md lists what is read and why.

One module, past the usual size, on purpose: the reader is one grammar of a cell (digits, Thai numerals and
number words, units, ranges, hedges) whose parts share their tables and are only correct together."""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation, localcontext
from typing import Literal

from shared import thai

ReadingKind = Literal["number", "none", "unreadable"]
_Reader = Literal["count", "amount"]


@dataclass(frozen=True)
class NumberReading:
    """One cell as read: a number (with whether it is an estimate or one of several readings), no answer at
    all, or text that holds no number that can be taken without guessing."""

    kind: ReadingKind
    value: Decimal | None
    raw: str
    estimated: bool = False
    ambiguous: bool = False
    unit: str | None = None  # as canonical: "persons", "households", "baht", "villages", ...
    note: str | None = None  # a stable code: "range_lower_end", "persons_in_brackets", ...
    note_th: str | None = None
    note_en: str | None = None

    @property
    def plain(self) -> bool:
        """Written the ordinary way (`1,500,000`, `๓,๒๐๐ คน`, `1.5 ล้านบาท`): nothing a reviewer needs to know."""
        return self.note is None and not self.estimated and not self.ambiguous

    def note_fields(self) -> dict[str, object] | None:
        """What a reviewer needs to know beside the value (the canonical submission's `*_as_written`); nothing when
        the number was written the ordinary way (`1,500,000`, `๓,๒๐๐ คน`, `1.5 ล้านบาท`), so the same answer typed
        or sent as a JSON number is one submission."""
        if self.kind != "number" or self.plain:
            return None
        return {"written": self.raw, "estimated": self.estimated, "ambiguous": self.ambiguous, "note": self.note,
                "note_th": self.note_th, "note_en": self.note_en}


def read_count(text: str) -> NumberReading:
    """A number of people: `ประมาณ 16,086 คน`, `2,333 ครัวเรือน (6,999 คน)`, `1,000-1,500 คน`, `๙,๐๑๑`, ..."""
    return _read(text, "count")


def read_amount(text: str) -> NumberReading:
    """An amount in baht: `1,500,000`, `1.5 ล้านบาท`, `1 ล้าน 2 แสน บาท`, `450,000.-`, `ห้าแสน`, ..."""
    return _read(text, "amount")


# ---------------------------------------------------------------------------------------------------------
# Cleaning: one spelling for what looks alike

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u200e\u200f\u2060\u00ad\ufeff"), None)
_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_LOOKALIKES = str.maketrans({**dict.fromkeys("‐‑‒–—―−﹣", "-"), **dict.fromkeys("’‘ʼ′", "'"),
                             "〜": "~", "≈": "~", "×": "x"})
# A typographic digit-group space (no-break, thin, figure) before exactly three digits groups thousands.
_TYPOGRAPHIC_GROUP = re.compile(r"(?<=\d)[\u00a0\u2007\u2009\u202f](?=\d{3}(?!\d))")
# `16 086`: an ordinary space between groups of three. Not after a label that takes a small number of its
# own (`หมู่ 3 250 คน` is village 3 and 250 people).
_SPACED_GROUPS = re.compile(r"(?<![\d.,'])(\d{1,3})((?:[ \t]\d{3})+)(?![\d,'])")
_SMALL_NUMBER_LABEL = re.compile(r"(?:หมู่ที่|หมู่|ม\.|ที่|ข้อ|ซอย|ชั้น|รุ่น|ระยะ|ปี|พ\.ศ\.?|ค\.ศ\.?|ร้อยละ|no\.|#)\s*$",
                                 re.IGNORECASE)
_TYPOS = (("ครัวเรีอน", "ครัวเรือน"), ("ครัวเรื่อน", "ครัวเรือน"), ("คัวเรือน", "ครัวเรือน"),
          ("ครัวเรือนน", "ครัวเรือน"), ("หลังคาเรีอน", "หลังคาเรือน"), ("ประมาน", "ประมาณ"), ("ประมาณณ", "ประมาณ"))


def _join_spaced(match: re.Match[str]) -> str:
    before = match.string[:match.start()][-12:]
    if _SMALL_NUMBER_LABEL.search(before):
        return match.group()
    return match.group(1) + re.sub(r"[ \t]", "", match.group(2))


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFC", text).translate(_INVISIBLE).translate(_FULL_WIDTH)
    text = thai.to_arabic_digits(text.translate(_LOOKALIKES))
    text = _TYPOGRAPHIC_GROUP.sub("'", text)
    text = _SPACED_GROUPS.sub(_join_spaced, text)
    text = re.sub(r"\s+", " ", text).strip().lower()
    for typo, word in _TYPOS:
        text = text.replace(typo, word)
    return text


# ---------------------------------------------------------------------------------------------------------
# What is no answer at all

# In a count, the budget phrases are no answer either; read_amount takes "no budget used" as zero first.
_NO_ANSWER = frozenset({
    "", "ไม่มี", "ไม่ระบุ", "ไม่ได้ระบุ", "ไม่มีข้อมูล", "n/a", "na", "none", "nil", "null", "ไม่มีงบประมาณ",
    "ไม่ใช้งบประมาณ", "ไม่ได้ใช้งบประมาณ", "ไม่ใช้งบ", "ไม่ต้องใช้งบประมาณ", "ไม่มีค่าใช้จ่าย", "ไม่มีงบ",
})


# Saying that the project used no budget is an answer: zero baht (`ไม่มีงบประมาณ` may mean none allocated yet).
_NO_BUDGET_USED = re.compile(r"ไม่(?:ได้|ต้อง)?ใช้งบ|ไม่มีค่าใช้จ่าย|ไม่เสียค่าใช้จ่าย")


def _is_no_answer(cleaned: str) -> bool:
    compact = re.sub(r"\s+", "", cleaned)
    compact = re.sub(r"(ค่ะ|คะ|ครับ|นะคะ|นะครับ)$", "", compact).strip("-._()[]*")
    return compact in _NO_ANSWER


# ---------------------------------------------------------------------------------------------------------
# Numbers written in Thai words: หนึ่งล้านสองแสน, สามหมื่นห้าพัน, ล้านครึ่ง

_DIGIT_WORDS = {"ศูนย์": 0, "หนึ่ง": 1, "เอ็ด": 1, "สอง": 2, "ยี่": 2, "สาม": 3, "สี่": 4, "ห้า": 5, "หก": 6, "เจ็ด": 7,
                "แปด": 8, "เก้า": 9}
_PLACE_WORDS = {"สิบ": 10, "ร้อย": 100, "พัน": 1000, "หมื่น": 10_000, "แสน": 100_000, "ล้าน": 1_000_000}
_HALF = "ครึ่ง"
_NUMERAL = "|".join(sorted([*_DIGIT_WORDS, *_PLACE_WORDS, _HALF], key=len, reverse=True))
_NUMERAL_RUN = re.compile(rf"(?:{_NUMERAL})(?: ?(?:{_NUMERAL}))*")
_THAI_LETTER = re.compile(r"[\u0e01-\u0e4f]")
_MILLION = 1_000_000
_LARGEST_WORDS = 10**30


def _thai_words_value(words: list[str]) -> tuple[int, bool] | None:
    """The value of numeral words and whether it was read the spoken way (`ล้านสอง` = 1,200,000, `สองพันห้า` =
    2,500: a last digit after a place of a thousand or more counts in the place below it). None when the words
    are not one number (`สองสาม`, `ร้อยพันสิบ`)."""
    total = group = 0
    digit: int | None = None
    last_place: int | None = None  # the last place word in the current million group
    last_any: int | None = None  # the last place word at all, millions included
    previous = ""
    for index, word in enumerate(words):
        if word == _HALF:
            if previous != "place" or index != len(words) - 1 or last_any is None:
                return None
            if last_any == _MILLION:
                total += _MILLION // 2
            else:
                group += last_any // 2
            previous = "half"
        elif word in _DIGIT_WORDS:
            if digit is not None or (word == "เอ็ด" and previous != "place"):
                return None
            if word == "ศูนย์" and len(words) > 1:
                return None
            if previous == "yi":
                return None
            digit = _DIGIT_WORDS[word]
            previous = "yi" if word == "ยี่" else "digit"
        elif word == "ล้าน":
            if previous == "yi":
                return None
            amount = group + (digit or 0)
            total = total * _MILLION if amount == 0 and total else (total + (amount or 1)) * _MILLION
            if total > _LARGEST_WORDS:
                return None  # `ล้านล้านล้าน…`: no amount a form is asked for
            group, digit, last_place, last_any, previous = 0, None, None, _MILLION, "place"
        else:
            place = _PLACE_WORDS[word]
            if (last_place is not None and place >= last_place) or (previous == "yi" and place != 10):
                return None
            group += (1 if digit is None else digit) * place
            digit, last_place, last_any, previous = None, place, place, "place"
    if previous == "yi":
        return None
    if digit is not None and len(words) > 1 and last_any is not None and last_any >= 1000:
        return total + group + digit * (last_any // 10), True
    return total + group + (digit or 0), False


# ---------------------------------------------------------------------------------------------------------
# Words and signs people write around numbers

_UNITS: dict[str, str] = {
    "คน": "persons", "ราย": "persons", "ท่าน": "persons", "people": "persons", "persons": "persons",
    "person": "persons", "pax": "persons", "ppl": "persons", "participants": "persons",
    "ครัวเรือน": "households", "หลังคาเรือน": "households", "ครอบครัว": "households", "หลัง": "households",
    "households": "households", "household": "households", "families": "households", "family": "households",
    "hh": "households",
    "บาท": "baht", "บาทถ้วน": "baht", "บ.": "baht", "฿": "baht", "thb": "baht", "baht": "baht", "bht": "baht",
    "หมู่บ้าน": "villages", "ชุมชน": "communities", "โรงเรียน": "schools", "แห่ง": "places", "ตำบล": "subdistricts",
    "อำเภอ": "districts", "จังหวัด": "provinces", "ครั้ง": "times", "เดือน": "months", "วัน": "days",
    "ชั่วโมง": "hours", "โครงการ": "projects", "กลุ่ม": "groups", "จุด": "points", "เครื่อง": "devices",
    "ตัว": "items", "ต้น": "trees", "ไร่": "rai", "กิโลเมตร": "kilometres", "กม.": "kilometres", "km": "kilometres",
    "เมตร": "metres", "%": "percent", "เปอร์เซ็นต์": "percent", "ตัน": "tonnes", "กิโลกรัม": "kilograms",
    "กก.": "kilograms", "kg": "kilograms", "คัน": "vehicles", "ดวง": "lamps", "หน่วย": "units", "ห้อง": "rooms",
    "แผง": "panels", "ศูนย์": "centres", "villages": "villages", "schools": "schools", "communities": "communities",
}
# A label before a number that is no quantity (`หมู่ 3`, `ม.1`); after a number the same word is a unit.
_MARKS: dict[str, str] = {
    "หมู่ที่": "villages", "หมู่": "villages", "ม.": "villages", "ที่": "places", "ข้อ": "items", "ซอย": "places",
    "ชั้น": "floors", "รุ่นที่": "groups", "รุ่น": "groups", "ครั้งที่": "times", "ระยะที่": "phases",
    "ระยะ": "phases", "เฟส": "phases", "phase": "phases", "no.": "items", "ลำดับที่": "items", "ร้อยละ": "percent",
    "เลขที่": "items", "#": "items",
}
_YEARS = ("ปี", "พ.ศ.", "พ.ศ", "พศ.", "พศ", "ปีงบประมาณ", "ปีงบ", "ปีการศึกษา", "ค.ศ.", "ค.ศ", "fy", "b.e.")
_MULTIPLIERS: dict[str, int] = {"ล้าน": 1_000_000, "แสน": 100_000, "หมื่น": 10_000, "พัน": 1000, "ร้อย": 100,
                                "million": 1_000_000, "mil": 1_000_000, "mn": 1_000_000, "m": 1_000_000,
                                "thousand": 1000, "k": 1000}
_ESTIMATES = ("ประมาณ", "โดยประมาณ", "ประมาณการ", "ราว", "ราวๆ", "กว่า", "กว่าๆ", "เกือบ", "มากกว่า", "เกินกว่า",
              "ไม่ต่ำกว่า", "ไม่น้อยกว่า", "อย่างน้อย", "ไม่เกิน", "เศษ", "ขึ้นไป", "เฉลี่ย", "โดยเฉลี่ย", "about", "approx",
              "approx.", "approximately", "around", "roughly", "over", "more than", "at least", "almost", "nearly",
              "up to", "estimated", "est.", "~")
_RANGES = ("ถึง", "จนถึง", "to", "หรือ", "or")
_ANDS = ("และ", "กับ", "รวมถึง", "and", "&", ",", ";")
_PLUSES = ("+", "บวก")
_TOTALS = ("รวม", "รวมทั้งสิ้น", "รวมทั้งหมด", "ทั้งหมด", "ทั้งสิ้น", "ยอดรวม", "รวมเป็น", "total", "=")
_FILLERS = ("จำนวน", "งบประมาณ", "งบ", "เป็นเงิน", "เป็นจำนวน", "จำนวนเงิน", "ค่ะ", "คะ", "ครับ", "นะคะ", "นะครับ",
            "จ้า", "ระหว่าง", "ตั้งแต่", "จาก", "ถ้วน", "ผู้ได้รับประโยชน์", "ได้รับประโยชน์", "ผู้รับประโยชน์", "ปีละ",
            "ต่อปี", "ต่อครั้ง", "ครั้งละ", "วันละ", "เดือนละ", "budget", "ใช้งบ", ":")
_CATEGORY: dict[str, str] = {
    **{w: "unit" for w in _UNITS}, **{w: "mark" for w in _MARKS}, **{w: "year" for w in _YEARS},
    **{w: "mult" for w in _MULTIPLIERS}, **{w: "est" for w in _ESTIMATES}, **{w: "range" for w in _RANGES},
    **{w: "and" for w in _ANDS}, **{w: "plus" for w in _PLUSES}, **{w: "total" for w in _TOTALS},
    **{w: "filler" for w in _FILLERS},
    "ลบ.": "mult_baht", _HALF: "half", "ติดลบ": "negword", ".-": "notation", "-": "dash", "±": "pm", "/": "slash",
    "(": "open", "[": "open", "{": "open", ")": "close", "]": "close", "}": "close",
}
# Words that are part of longer ones: พันธุ์ is no thousand, ร้อยละ no hundred, หน้าที่ no label.
_LOOKAHEAD = {"พัน": "(?!ธ)", "ร้อย": "(?!ละ|เอ็ด)", "ล้าน": "(?!นา)", "แสน": "(?!สุข|สบาย)", "หลัง": "(?!จาก|คา)",
              "ศูนย์": "(?![ก-๛])"}
_NOT_AFTER_A_LETTER = frozenset({"ที่", "ม.", "ปี", "หมู่", "ข้อ", "ชั้น", "รุ่น", "ซอย", "ระยะ", "ราว", "ราย", "กว่า",
                                 "ศูนย์"})


def _word_pattern(word: str) -> str:
    pattern = re.escape(word)
    if re.fullmatch(r"[a-z .]+", word):
        pattern = rf"(?<![a-z]){pattern}" + ("" if word.endswith(".") else "(?![a-z])")
    if word in _NOT_AFTER_A_LETTER:
        pattern = r"(?<![ก-ฮะ-์])" + pattern
    return pattern + _LOOKAHEAD.get(word, "")


_WORDS = "|".join(_word_pattern(w) for w in sorted(_CATEGORY, key=len, reverse=True))
_TOKEN = re.compile(rf"(?P<num>\d+(?:[,.']\d+)*)|(?P<word>{_WORDS})|(?P<space>\s+)")
_KNOWN_BEFORE = re.compile(rf"(?:{_WORDS})\s?$")
_KNOWN_AFTER = re.compile(rf"\s?(?:{_WORDS})")
_GROUPED = re.compile(r"\d{1,3}(?P<sep>[,'])\d{3}(?:(?P=sep)\d{3})*(?:\.\d+)?")
_PUNCTUATION_ONLY = re.compile(r"^[\W_ๆฯ]*$")
_LONGEST_NUMBER = 40


@dataclass
class _Token:
    kind: str
    text: str
    start: int
    end: int
    value: Decimal | None = None


def _words_to_digits(text: str) -> tuple[str, bool, bool]:
    """Numbers written in Thai words replaced by digits; whether any were, and whether one was read the spoken
    way. A run of numeral words counts only between word boundaries Thai can show: not `ห้า` in `ห้าง`, nor
    `สาม` in `สามารถ`. After digits, place words stay multipliers (`1 ล้าน 2 แสน`)."""
    pieces: list[str] = []
    position, used, spoken = 0, False, False
    for match in _NUMERAL_RUN.finditer(text):
        start, end = match.start(), match.end()
        before, after = text[max(0, start - 24):start], text[end:end + 24]
        if before and _THAI_LETTER.match(before[-1]) and not _KNOWN_BEFORE.search(before):
            continue
        if after and _THAI_LETTER.match(after[0]) and not _KNOWN_AFTER.match(after):
            continue
        words = re.findall(_NUMERAL, match.group())
        lead = 0
        if re.search(r"\d\s*$", before):
            while lead < len(words) and (words[lead] in _PLACE_WORDS or words[lead] == _HALF):
                lead += 1
        rest = words[lead:]
        if not rest or (len(rest) == 1 and rest[0] == _HALF):
            continue
        read = _thai_words_value(rest)
        if read is None:
            continue
        value, colloquial = read
        kept = " ".join(words[:lead])
        pieces.append(text[position:start] + (kept + " " if kept else "") + f" {value} ")
        position, used, spoken = end, True, spoken or colloquial
    pieces.append(text[position:])
    return "".join(pieces), used, spoken


def _tokens(text: str) -> list[_Token]:
    """Numbers, known words and signs; whatever else is a word (a label such as `ชาย`, `นักเรียน`)."""
    tokens: list[_Token] = []
    position = 0

    def gap(upto: int) -> None:
        piece = text[position:upto]
        if not _PUNCTUATION_ONLY.match(piece):
            tokens.append(_Token("word", piece.strip(), position, upto))

    for match in _TOKEN.finditer(text):
        if match.start() > position:
            gap(match.start())
        position = match.end()
        if match["space"]:
            continue
        if match["num"]:
            tokens.append(_Token("num", match["num"], match.start(), match.end()))
        else:
            word = match["word"]
            tokens.append(_Token(_CATEGORY[word], word, match.start(), match.end()))
    if position < len(text):
        gap(len(text))
    return [t for t in tokens if t.kind != "filler"]


def _number(text: str) -> Decimal | None:
    """`1,500,000`, `16'086`, `1500000.50`; None for a separator out of place (`1,5`, `12,34,567`, `1.500.000`)."""
    if "," in text or "'" in text:
        if not _GROUPED.fullmatch(text):
            return None
        text = text.replace(",", "").replace("'", "")
    if text.count(".") > 1:
        return None
    if len(text) > _LONGEST_NUMBER:
        raise ArithmeticError(text)  # no count or budget has this many digits; a pasted serial number might
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the token pattern only lets digits through
        return None


# ---------------------------------------------------------------------------------------------------------
# Quantities: a number with its multipliers, unit and the words around it


@dataclass
class _Quantity:
    value: Decimal
    base: Decimal
    written: str
    factor: Decimal | None = None
    unit: str | None = None
    unit_word: str | None = None
    estimates: list[str] = field(default_factory=list)
    negative: bool = False
    in_brackets: bool = False
    label: str | None = None
    link: str | None = None  # how it is joined to the quantity before: range, plus, and, pm, slash
    total: bool = False
    year: bool = False
    mark: bool = False
    plain_digits: bool = False


class _Malformed(ValueError):
    pass


def _quantities(tokens: list[_Token]) -> tuple[list[_Quantity], bool]:
    """The quantities of a cell, in order, and whether a sign in the cell makes the whole of it an estimate."""
    quantities: list[_Quantity] = []
    gap: list[_Token] = []
    depth = 0
    cell_estimate = False
    index = 0

    def kind(at: int) -> str:
        return tokens[at].kind if at < len(tokens) else "end"

    while index < len(tokens):
        token = tokens[index]
        if token.kind != "num":
            if token.kind == "open":
                depth += 1
            elif token.kind == "close":
                depth = max(0, depth - 1)
            elif token.kind == "pm" and (quantities or kind(index + 1) != "num"):
                cell_estimate = True
            elif token.kind == "est" and quantities and kind(index + 1) in ("close", "end"):
                quantities[-1].estimates.append(token.text)  # `5,000 คน (ประมาณการ)`
                index += 1
                continue
            gap.append(token)
            index += 1
            continue
        base = _number(token.text)
        if base is None:
            raise _Malformed(token.text)
        quantity = _Quantity(value=base, base=base, written=token.text,
                             plain_digits=token.text.isdigit(), in_brackets=depth > 0)
        _read_gap(quantity, gap, token, first=not quantities)
        index = _extend(quantity, tokens, index + 1)
        quantities.append(quantity)
        gap = []
    return quantities, cell_estimate


def _read_gap(quantity: _Quantity, gap: list[_Token], number: _Token, *, first: bool) -> None:
    """What the words between the previous quantity and this one say about it."""
    significant = [t for t in gap if t.kind not in ("open", "close")]
    last = significant[-1] if significant else None
    links = {t.kind for t in gap}
    if "plus" in links:
        quantity.link = "plus"
    elif links & {"range", "dash"} and not first:
        quantity.link = "range"
    elif not first and last is not None and last.text == "~":
        quantity.link = "range"  # 1000~1500
    elif "pm" in links and not first:
        quantity.link = "pm"
    elif "and" in links:
        quantity.link = "and"
    elif "slash" in links:
        quantity.link = "slash"
    words = [t for t in gap if t.kind == "word" or (t.kind == "unit" and _UNITS[t.text] not in ("baht",))]
    if words:
        quantity.label = words[-1].text
    quantity.total = "total" in links
    if last is not None:
        quantity.year = last.kind == "year"
        quantity.mark = last.kind == "mark"
        if last.kind == "unit" and _UNITS[last.text] == "baht":
            quantity.unit, quantity.unit_word = "baht", last.text
    quantity.estimates = [t.text for t in gap if t.kind in ("est", "pm") and quantity.link != "range"]
    if first:
        dash = next((t for t in reversed(gap) if t.kind == "dash"), None)
        if (dash is not None and dash.end == number.start) or "negword" in links:
            quantity.negative = True


def _extend(quantity: _Quantity, tokens: list[_Token], index: int) -> int:
    """Multipliers, a unit and estimate signs after the number; the index of the first token not its own."""
    done = Decimal(0)  # the terms before the current one: the 1 ล้าน of `1 ล้าน 2 แสน`
    term, factor = quantity.base, Decimal(1)
    last = "num"

    def kind(at: int) -> str:
        return tokens[at].kind if at < len(tokens) else "end"

    def then_number(at: int) -> bool:
        return kind(at + 1) == "num" or (kind(at + 1) == "open" and kind(at + 2) == "num")

    while index < len(tokens):
        token = tokens[index]
        if token.kind in ("mult", "mult_baht") and last in ("num", "mult"):
            multiplier = Decimal(1_000_000 if token.kind == "mult_baht" else _MULTIPLIERS[token.text])
            factor = factor * multiplier if last == "mult" else multiplier  # `พันล้าน` multiplies
            if done == 0:
                quantity.factor = factor
            if token.kind == "mult_baht":
                quantity.unit, quantity.unit_word = "baht", token.text
            last = "mult"
        elif token.kind == "half" and last == "mult":
            done, term, factor = done + term * factor + factor / 2, Decimal(0), Decimal(1)
            last = "half"
        elif token.kind == "num" and last == "mult":
            part = _number(token.text)
            if part is None:
                raise _Malformed(token.text)
            following = tokens[index + 1] if index + 1 < len(tokens) else None
            if following is not None and following.kind == "mult" and _MULTIPLIERS[following.text] < factor:
                done, term, factor = done + term * factor, part, Decimal(_MULTIPLIERS[following.text])
                index += 1  # `1 ล้าน 2 แสน`: the 2 and its แสน
            elif part < factor and kind(index + 1) in ("unit", "end", "close", "notation"):
                done, term, factor = done + term * factor, part, Decimal(1)  # `1 ล้าน 200,000 บาท`
                last = "num"
            else:
                break
            quantity.written += f" {token.text}"
        elif token.kind in ("est", "pm", "plus") and not then_number(index):
            quantity.estimates.append(token.text)  # `500 กว่าคน`, `500+`, `500 คน โดยประมาณ`
        elif token.kind in ("dash", "notation") and not then_number(index):
            pass  # `450,000.-`: the Thai way of writing "baht, no satang"
        elif token.kind == "unit" and last != "unit" and quantity.unit in (None, _UNITS[token.text]):
            quantity.unit, quantity.unit_word = _UNITS[token.text], token.text
            last = "unit"
        elif token.kind in ("mark", "year") and quantity.unit is None and last in ("num", "mult"):
            quantity.unit = _MARKS.get(token.text, "years")  # `3 ปี`, `12 หมู่`: a unit after a number
            quantity.unit_word = token.text
            last = "unit"
        else:
            break
        index += 1
    quantity.value = done + term * factor
    return index


# ---------------------------------------------------------------------------------------------------------
# From quantities to one reading

_PARTS = ("ชาย", "หญิง", "เพศชาย", "เพศหญิง", "เด็กชาย", "เด็กหญิง", "male", "female", "men", "women", "boys", "girls",
          "นักเรียน", "ครู", "อาจารย์", "นักศึกษา", "ผู้ปกครอง", "บุคลากร", "students", "teachers")
_JOINING = frozenset({"range", "plus", "and", "pm"})


def _fmt(value: Decimal) -> str:
    return f"{int(value):,}" if value == value.to_integral_value() else f"{value:,}"


def _whole(value: Decimal) -> Decimal:
    return Decimal(int(value)) if value == value.to_integral_value() else value


@dataclass
class _Explained:
    notes: list[str] = field(default_factory=list)
    th: list[str] = field(default_factory=list)
    en: list[str] = field(default_factory=list)

    def add(self, note: str, th: str, en: str) -> None:
        self.notes.append(note)
        self.th.append(th)
        self.en.append(en)


_PRIORITY = ("negative", "range_lower_end", "total_stated", "sum_of_parts", "persons_in_brackets",
             "households_in_brackets", "persons_not_households", "households_only", "first_of_several",
             "estimate_word", "thai_words", "no_budget_used")


def _unreadable(raw: str, note: str, th: str, en: str) -> NumberReading:
    return NumberReading("unreadable", None, raw, note=note, note_th=th, note_en=en)


def _read(raw: str, reader: _Reader) -> NumberReading:
    cleaned = _clean(raw)
    if reader == "amount" and _NO_BUDGET_USED.search(cleaned) and not re.search(r"\d", cleaned):
        return NumberReading("number", Decimal(0), raw, unit="baht", note="no_budget_used",
                             note_th="เขียนว่าไม่ใช้งบประมาณ จึงอ่านเป็น 0 บาท",
                             note_en="written as using no budget: read as 0 baht")
    if _is_no_answer(cleaned):
        return NumberReading("none", None, raw)
    text, thai_words, spoken = _words_to_digits(cleaned)
    try:
        with localcontext() as context:
            context.prec = 80
            tokens = _tokens(text)
            quantities, cell_estimate = _quantities(tokens)
            labelled = any(t.kind == "word" for t in tokens)
            return _choose(raw, reader, quantities, cell_estimate, thai_words, spoken, labelled)
    except _Malformed as error:
        return _unreadable(raw, "malformed_number",
                           f"ตัวเลข “{error}” มีจุลภาคหรือจุดทศนิยมผิดตำแหน่ง จึงไม่เดาค่า",
                           f"the number “{error}” has a comma or decimal point out of place: not guessed")
    except ArithmeticError:
        return _unreadable(raw, "too_large", "ตัวเลขยาวเกินกว่าจะเป็นจำนวนจริง", "a number too long to be real")


def _choose(raw: str, reader: _Reader, quantities: list[_Quantity], cell_estimate: bool, thai_words: bool,
            spoken: bool, labelled: bool) -> NumberReading:
    explained = _Explained()
    ignored: list[tuple[_Quantity, str, str]] = []  # the quantity, why in Thai, why in English
    kept: list[_Quantity] = []
    for position, quantity in enumerate(quantities):
        previous_dropped = position > 0 and kept[-1:] != [quantities[position - 1]]
        if quantity.year or (quantity.link == "range" and previous_dropped and quantities[position - 1].year):
            ignored.append((quantity, "ปี", "a year"))
        elif quantity.mark or (quantity.link == "range" and previous_dropped and quantities[position - 1].mark):
            ignored.append((quantity, "เลขกำกับ เช่น หมู่ที่", "a label such as หมู่ที่"))
        elif quantity.link == "pm":
            ignored.append((quantity, "ค่าคลาดเคลื่อน ±", "a ± tolerance"))
        else:
            kept.append(quantity)
    if len(kept) > 1:  # a Buddhist-era year written bare beside the answer: `2567 300 คน`
        for quantity in list(kept):
            if quantity.unit is None and quantity.plain_digits and 2400 <= quantity.value <= 2700:
                kept.remove(quantity)
                ignored.append((quantity, "ปี พ.ศ.", "a Buddhist-era year"))
    _share_units(kept)

    # The unit asked for first, then a bare number (the usual answer), and households only for want of persons.
    unit: str | None = "persons" if reader == "count" else "baht"
    chosen = [q for q in kept if q.unit == unit]
    households = [q for q in kept if reader == "count" and q.unit == "households"]
    if not chosen:
        chosen = [q for q in kept if q.unit is None]
        unit = None
    if not chosen and households:
        chosen, households, unit = households, [], "households"
    for quantity in kept:
        if quantity.unit is None and quantity.label is None and any(q.value == quantity.value for q in chosen):
            continue  # `1,500,000 (หนึ่งล้านห้าแสนบาท)`: the same amount written again, once with its unit
        if quantity not in chosen and quantity not in households:
            ignored.append((quantity, quantity.unit_word or "", quantity.unit or "another number"))
    if not chosen:
        if kept:
            shown = ", ".join(f"{_fmt(q.value)} {q.unit_word or ''}".strip() for q in kept)
            if reader == "count":
                return _unreadable(raw, "other_unit", f"“{shown}” ไม่ใช่จำนวนคน โปรดระบุจำนวนผู้ได้รับประโยชน์เป็นคน",
                                   f"“{shown}” is not a number of people: give the beneficiaries in persons")
            return _unreadable(raw, "other_unit", f"“{shown}” ไม่ใช่จำนวนเงินบาท", f"“{shown}” is not an amount in baht")
        return _unreadable(raw, "no_number", "ไม่มีตัวเลขที่อ่านได้", "no number in the answer")

    value, estimated, ambiguous = _combine(chosen, explained)
    estimated = estimated or cell_estimate or any(q.estimates for q in chosen)
    negative = any(q.negative for q in chosen)
    if reader == "amount" and len(quantities) == 1 and chosen[0].in_brackets and not labelled:
        negative = True  # `(1,200,000)`: an accountant's negative
    if negative:
        value = -abs(value)
        explained.notes.insert(0, "negative")
        explained.th.insert(0, "เป็นจำนวนติดลบ โปรดแก้ไขให้ถูกต้อง")
        explained.en.insert(0, "a negative number: to be corrected")

    if households:
        persons, homes = chosen[0], households[0]
        if persons.in_brackets and not homes.in_brackets:
            explained.add("persons_in_brackets",
                          f"ใช้จำนวนคน {_fmt(persons.value)} ในวงเล็บ ไม่ใช้จำนวนครัวเรือน {_fmt(homes.value)}",
                          f"took the {_fmt(persons.value)} persons in brackets, not the {_fmt(homes.value)} households")
        elif homes.in_brackets and not persons.in_brackets:
            explained.add("households_in_brackets",
                          f"ใช้จำนวนคน {_fmt(persons.value)} ไม่ใช้จำนวนครัวเรือน {_fmt(homes.value)} ในวงเล็บ",
                          f"took the {_fmt(persons.value)} persons, not the {_fmt(homes.value)} households in brackets")
        else:
            explained.add("persons_not_households",
                          f"ใช้จำนวนคน {_fmt(persons.value)} ไม่ใช้จำนวนครัวเรือน {_fmt(homes.value)}",
                          f"took the {_fmt(persons.value)} persons, not the {_fmt(homes.value)} households")
        if unit is None:
            ambiguous = True  # the persons were a bare number beside the households
            unit = "persons"
    if unit == "households":
        ambiguous = True
        explained.add("households_only",
                      f"เขียนเป็นจำนวนครัวเรือน {_fmt(value)} ไม่ใช่จำนวนคน แบบฟอร์มถามจำนวนคน จึงใช้ {_fmt(value)} "
                      "ซึ่งเป็นจำนวนต่ำสุดที่แน่ใจได้ (ทุกครัวเรือนมีอย่างน้อยหนึ่งคน)",
                      f"written as {_fmt(value)} households, not persons: the form asks for persons, so {_fmt(value)} "
                      "is taken, the least it can be (every household has at least one person)")
    if ignored:
        ambiguous = True
        shown_th = ", ".join(f"{q.written} ({why})" if why else q.written for q, why, _ in ignored)
        shown_en = ", ".join(f"{q.written} ({why})" for q, _, why in ignored)
        explained.add("first_of_several", f"ใช้ {_fmt(value)} และไม่นับ {shown_th}",
                      f"took {_fmt(value)}; not counted: {shown_en}")
    if estimated and not any(n == "range_lower_end" for n in explained.notes):
        words = sorted({w for q in chosen for w in q.estimates} | ({"±"} if cell_estimate else set()))
        shown = ", ".join(f"“{w}”" for w in words)
        explained.add("estimate_word", f"เป็นจำนวนโดยประมาณ ({shown})" if shown else "เป็นจำนวนโดยประมาณ",
                      f"an estimate ({shown})" if shown else "an estimate")
    if thai_words:
        ambiguous = ambiguous or spoken
        explained.add("thai_words",
                      "อ่านจากจำนวนที่เขียนเป็นคำ" + (" (แบบภาษาพูด เช่น ล้านสอง = 1,200,000)" if spoken else ""),
                      "read from a number written in Thai words" + (
                          " (the spoken way: ล้านสอง = 1,200,000)" if spoken else ""))

    value = _whole(value)
    if reader == "count" and value != value.to_integral_value():
        return _unreadable(raw, "count_fraction", f"จำนวนคนต้องเป็นจำนวนเต็ม (อ่านได้ {_fmt(value)})",
                           f"a number of people must be whole (read {_fmt(value)})")
    if abs(value).adjusted() >= _LONGEST_NUMBER:
        raise ArithmeticError(value)
    note = min(explained.notes, key=_PRIORITY.index) if explained.notes else None
    return NumberReading("number", value, raw, estimated=estimated, ambiguous=ambiguous, unit=unit, note=note,
                         note_th="; ".join(explained.th) or None, note_en="; ".join(explained.en) or None)


def _share_units(quantities: list[_Quantity]) -> None:
    """`1,000-1,500 คน`, `500 + 700 คน`, `ชาย 500 หญิง 700 คน`: the unit written once counts for each part, and
    a multiplier written once for both ends of a range (`1-1.5 ล้านบาท`)."""
    for earlier, later in zip(reversed(quantities[:-1]), reversed(quantities[1:]), strict=True):
        joined = later.link in _JOINING or later.total or (later.label is not None and earlier.label is not None)
        if earlier.unit is None and later.unit is not None and joined:
            earlier.unit, earlier.unit_word = later.unit, later.unit_word
        if (later.link == "range" and earlier.factor is None and later.factor is not None
                and earlier.base < later.base):
            earlier.value, earlier.factor = earlier.base * later.factor, later.factor
    for earlier, later in itertools.pairwise(quantities):
        if later.unit is None and earlier.unit is not None and later.link in _JOINING:
            later.unit, later.unit_word = earlier.unit, earlier.unit_word


def _combine(chosen: list[_Quantity], explained: _Explained) -> tuple[Decimal, bool, bool]:
    """One value from the quantities of the unit asked for: a stated total, a range's lower end, the sum of
    labelled parts, or the first of several; with whether it is an estimate and whether it is ambiguous."""
    totals = [q for q in chosen if q.total]
    if totals and len(chosen) > 1:
        total = totals[-1]
        explained.add("total_stated", f"ใช้ยอดรวมที่เขียนไว้ {_fmt(total.value)}",
                      f"took the total written: {_fmt(total.value)}")
        return total.value, False, False
    # The same amount again, unlabelled: `1,480,000 บาท (หนึ่งล้านสี่แสนแปดหมื่นบาทถ้วน)` is one answer written twice.
    chosen = [q for i, q in enumerate(chosen) if i == 0 or not (
        q.value == chosen[0].value and q.label is None and q.link in (None, "slash"))]
    groups: list[list[_Quantity]] = []
    for quantity in chosen:
        if groups and quantity.link == "range":
            groups[-1].append(quantity)
        else:
            groups.append([quantity])
    estimated = ambiguous = False
    values: list[Decimal] = []
    for group in groups:
        if len(group) == 1:
            values.append(group[0].value)
            continue
        low, high = min(q.value for q in group), max(q.value for q in group)
        values.append(low)
        estimated = ambiguous = True
        explained.add("range_lower_end",
                      f"ใช้ค่าต่ำสุดของช่วง {_fmt(low)}–{_fmt(high)} เพราะเป็นจำนวนที่แน่ใจได้",
                      f"took the lower end of {_fmt(low)}–{_fmt(high)}: the number the applicant is sure of")
    if len(groups) == 1:
        return values[0], estimated, ambiguous
    heads = [group[0] for group in groups]
    links = [head.link for head in heads[1:]]
    labelled = all(head.label is not None for head in heads)
    if all(link in ("plus", "and") for link in links) or labelled:
        sure = all(link == "plus" for link in links) or (labelled and all(
            (head.label or "").replace(" ", "").startswith(_PARTS) for head in heads))
        added = sum(values, Decimal(0))
        parts = " + ".join(_fmt(v) for v in values)
        explained.add("sum_of_parts", f"รวมจำนวนที่เขียนแยกไว้ {parts} = {_fmt(added)}",
                      f"added the parts written separately: {parts} = {_fmt(added)}")
        return added, estimated, ambiguous or not sure
    shown = ", ".join(_fmt(v) for v in values[1:])
    explained.add("first_of_several", f"มีหลายจำนวน ({_fmt(values[0])}, {shown}) จึงใช้จำนวนแรก",
                  f"several numbers ({_fmt(values[0])}, {shown}): took the first")
    return values[0], estimated, True

