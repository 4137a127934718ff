"""A realistic FY2568 responses sheet as a province officer downloads it from Google Sheets (Thai locale), with
its ground truth, and the DLA registry sample it is validated against. Deterministic for a seed.

What the export holds, the way some 2,000 clerks fill a form: B.E. timestamps `d/M/yyyy, H:mm:ss` without zero
padding, CRLF rows, quoted multi-line cells, names abbreviated (`ทต.`) or spaced, provinces as `จ.ชัยภูมิ`,
Thai digits, budgets in ล้าน/แสน, beneficiaries as `ประมาณ 16,086 คน` or households with persons in brackets;
exact duplicate rows, resubmissions (some correcting a returned response), a block of rows pasted a second
time under the rest (out of time order), late rows (one at 23:00:00, on time, and one at 23:00:01), อบต. and
อบจ. responses (ineligible: the registry's type decides, whatever was ticked), returnable mistakes, names
that are in no registry, one name that two municipalities share, and responses without a name but with a code.

`Truth` says, per municipality (or per unregistered name), the final status reporting must show.
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

import geothai

PROVINCES = ("36", "40", "30")
THAI_DIGITS = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")
DEADLINE = datetime(2025, 11, 25, 23, 0, 0)

HEADER = [
    "ประทับเวลา", "อีเมล", "ชื่อองค์กรปกครองส่วนท้องถิ่น", "รหัสองค์กรปกครองส่วนท้องถิ่น (7 หลัก)",
    "ประเภทองค์กรปกครองส่วนท้องถิ่น", "จังหวัด", "อำเภอ", "ชื่อ-นามสกุล ผู้ประสานงาน", "ตำแหน่ง", "หมายเลขโทรศัพท์",
    "มีแผนพัฒนาเมืองอัจฉริยะที่ผ่านความเห็นชอบแล้วหรือไม่", "ลิงก์เอกสารแผนพัฒนาเมืองอัจฉริยะ",
    "ได้รับตราสัญลักษณ์เมืองอัจฉริยะ (Smart City Thailand) หรือไม่", "มีแพลตฟอร์มข้อมูลเมือง (City Data Platform) หรือไม่",
    "ด้านของเมืองอัจฉริยะที่ดำเนินการ",
    *[f"โครงการที่ {n}: {part}" for n in (1, 2) for part in (
        "ชื่อโครงการ", "ด้าน", "รายละเอียด", "งบประมาณ (บาท)", "สถานะ", "จำนวนผู้ได้รับประโยชน์", "ผลลัพธ์ที่วัดได้",
        "ลิงก์หลักฐาน")],
    "ความร่วมมือกับภาคีเครือข่าย",
]
REGISTRY_HEADER = ["จังหวัด", "อำเภอ", "ตำบล", "รหัส อปท.", "ประเภท อปท.", "อปท.", "ที่ตั้งสำนักงานเลขที่", "หมู่ที่",
                   "รหัสไปรษณีย์", "ขนาดพื้นที่", "LAT", "LONG", "เว็ปไซต์ของอปท."]
TYPE_DIGIT = {"เทศบาลนคร": "3", "เทศบาลเมือง": "4", "เทศบาลตำบล": "5", "องค์การบริหารส่วนตำบล": "6",
              "องค์การบริหารส่วนจังหวัด": "2"}
ABBREVIATION = {"เทศบาลเมือง": "ทม.", "เทศบาลตำบล": "ทต.", "องค์การบริหารส่วนตำบล": "อบต.",
                "องค์การบริหารส่วนจังหวัด": "อบจ.", "เทศบาลนคร": "ทน."}
# The name two municipalities of Chaiyaphum share (in different districts): only a code or district tells.
SHARED_NAME = "โนนทอง"


@dataclass(frozen=True)
class RegistryLao:
    code: str
    name: str
    type: str
    province: str
    district: str
    subdistrict: str
    postal: str
    size: str


@dataclass
class Truth:
    """What reporting must show in the end for one municipality (or one name no registry holds)."""

    key: str  # the LAO code, or `name:<as written>` for a response no registry LAO can be found for
    status: str  # scored, returned or rejected
    unidentified: str | None = None
    responses: int = 0  # how many distinct responses it sent
    note: str = ""


@dataclass
class Export:
    content: bytes
    truths: dict[str, Truth]
    rows: int
    distinct_responses: int  # rows less exact duplicates and the block pasted again


def registry(seed: int = 2568) -> tuple[list[RegistryLao], bytes, bytes]:
    """DLA's registry of the three provinces (one row per subdistrict served, as DLA exports it), and the size
    classes file under the header DLA staff use."""
    rng = random.Random(seed)
    laos: list[RegistryLao] = []
    for province_code in PROVINCES:
        province = geothai.province(province_code)
        assert province is not None
        for d_index, district in enumerate(geothai.districts(province_code)):
            subdistricts = geothai.subdistricts(district.code)
            district_digits = district.code[2:]
            kinds = (["เทศบาลเมือง"] if d_index == 0 else []) + ["เทศบาลตำบล"] * 3 + ["องค์การบริหารส่วนตำบล"]
            for n, (kind, sub) in enumerate(zip(kinds, subdistricts, strict=False), start=1):
                place = sub.name_th
                if province_code == "36" and kind == "เทศบาลตำบล" and d_index in (2, 5) and n == 2:
                    place = SHARED_NAME
                code = f"{TYPE_DIGIT[kind]}{province_code}{district_digits}{n:02d}"
                laos.append(RegistryLao(code, f"{kind}{place}", kind, province.name_th, district.name_th, sub.name_th,
                                        sub.postal_codes[0] if sub.postal_codes else "",
                                        "ขนาดกลาง" if kind == "เทศบาลเมือง" else rng.choice(["ขนาดเล็ก", "ขนาดกลาง"])))
        laos.append(RegistryLao(f"2{province_code}00000"[:7], f"องค์การบริหารส่วนจังหวัด{province.name_th}",
                                "องค์การบริหารส่วนจังหวัด", province.name_th,
                                geothai.districts(province_code)[0].name_th,
                                geothai.subdistricts(geothai.districts(province_code)[0].code)[0].name_th, "",
                                "ขนาดใหญ่"))
    rows = io.StringIO()
    writer = csv.writer(rows, lineterminator="\r\n")
    writer.writerow(REGISTRY_HEADER)
    for lao in laos:
        writer.writerow([lao.province, lao.district, lao.subdistrict, lao.code, lao.type, lao.name, "1", "",
                         lao.postal, "12.50", "15.80", "102.03", ""])
    sizes = io.StringIO()
    size_writer = csv.writer(sizes, lineterminator="\r\n")
    size_writer.writerow(["รหัส อปท.", "อปท.", "ขนาด อปท."])
    for lao in laos:
        size_writer.writerow([lao.code, lao.name, lao.size])
    return laos, "\ufeff".join(["", rows.getvalue()]).encode(), sizes.getvalue().encode()


def _stamp(moment: datetime) -> str:
    """Google Sheets' Thai-locale timestamp: B.E. year, day and month not padded, the hour not padded."""
    return f"{moment.day}/{moment.month}/{moment.year + 543}, {moment.hour}:{moment.minute:02d}:{moment.second:02d}"


class _Writer:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.rows: list[list[str]] = []

    def written_name(self, lao: RegistryLao) -> str:
        place = lao.name.removeprefix(lao.type)
        return self.rng.choice([lao.name, lao.name, f"{ABBREVIATION[lao.type]}{place}",
                                f"{ABBREVIATION[lao.type]} {place}", f"{lao.type} {place}", f" {lao.name} "])

    def response(self, lao: RegistryLao | None, moment: datetime, *, name: str | None = None,
                 ticked: str | None = None, code: bool | None = None, **answers: str) -> dict[str, str]:
        rng = self.rng
        province = lao.province if lao else "ชัยภูมิ"
        district = lao.district if lao else "เมืองชัยภูมิ"
        with_code = rng.random() < 0.5 if code is None else code
        lao_code = lao.code if lao and with_code else ""
        if lao_code and rng.random() < 0.3:
            lao_code = lao_code.translate(THAI_DIGITS)
        budget = rng.choice(["450,000", "๔๕๐,๐๐๐ บาท", "1.5 ล้านบาท", "2 แสนบาท", "1,200,000.-", "350000",
                             "๑,๕๐๐,๐๐๐"])
        beneficiaries = rng.choice(["12,000", "ประมาณ 16,086 คน", "2,333 ครัวเรือน (6,999 คน)", "๙,๐๑๑ คน",
                                    "5000 คน", "กว่า 3,000 คน", "850 ราย"])
        values = {
            "ประทับเวลา": _stamp(moment),
            "อีเมล": f"smartcity.{(lao.code if lao else 'x')}@example.go.th",
            "ชื่อองค์กรปกครองส่วนท้องถิ่น": name if name is not None else (self.written_name(lao) if lao else ""),
            "รหัสองค์กรปกครองส่วนท้องถิ่น (7 หลัก)": lao_code,
            "ประเภทองค์กรปกครองส่วนท้องถิ่น": ticked or (lao.type if lao else "เทศบาลตำบล"),
            "จังหวัด": rng.choice([province, f"จ.{province}", f"จังหวัด{province}", f" {province}"]),
            "อำเภอ": rng.choice([district, f"อ.{district}", f"อำเภอ{district}"]),
            "ชื่อ-นามสกุล ผู้ประสานงาน": rng.choice(["นายสมชาย ใจดี", "นางสาวมาลี  ศรีสุข", "ว่าที่ ร.ต.ประเสริฐ มั่นคง"]),
            "ตำแหน่ง": rng.choice(["ปลัดเทศบาล", "นักวิเคราะห์นโยบายและแผน", "ผอ.กองยุทธศาสตร์ฯ"]),
            "หมายเลขโทรศัพท์": rng.choice(["081-234-5678", "๐๘๑ ๒๓๔ ๕๖๗๘", "044811234", "0 4481 1234 ต่อ 12"]),
            "มีแผนพัฒนาเมืองอัจฉริยะที่ผ่านความเห็นชอบแล้วหรือไม่": rng.choice(["ใช่", "มี", "ไม่ใช่"]),
            "ลิงก์เอกสารแผนพัฒนาเมืองอัจฉริยะ": "https://drive.google.com/file/d/1AbCplan/view",
            "ได้รับตราสัญลักษณ์เมืองอัจฉริยะ (Smart City Thailand) หรือไม่": rng.choice(
                ["ได้รับแล้ว", "ยังไม่ได้รับ", "อยู่ระหว่างยื่นขอ"]),
            "มีแพลตฟอร์มข้อมูลเมือง (City Data Platform) หรือไม่": rng.choice(["มี", "ไม่มี"]),
            "ด้านของเมืองอัจฉริยะที่ดำเนินการ": rng.choice([
                "สิ่งแวดล้อมอัจฉริยะ, การบริหารภาครัฐอัจฉริยะ", "การดำรงชีวิตอัจฉริยะ",
                "พลเมืองอัจฉริยะ, เศรษฐกิจอัจฉริยะ, การเดินทางและขนส่งอัจฉริยะ"]),
            "โครงการที่ 1: ชื่อโครงการ": rng.choice(["ระบบแจ้งเหตุผ่าน LINE OA", "กล้อง CCTV อัจฉริยะ",
                                                     "ระบบคิวออนไลน์ศูนย์บริการ"]),
            "โครงการที่ 1: ด้าน": "การบริหารภาครัฐอัจฉริยะ",
            "โครงการที่ 1: รายละเอียด": "ขั้นตอนการดำเนินงาน\n1. สำรวจพื้นที่\n2. ติดตั้งระบบ\n3. อบรมเจ้าหน้าที่",
            "โครงการที่ 1: งบประมาณ (บาท)": budget,
            "โครงการที่ 1: สถานะ": rng.choice(["ดำเนินการแล้วเสร็จ", "อยู่ระหว่างดำเนินการ"]),
            "โครงการที่ 1: จำนวนผู้ได้รับประโยชน์": beneficiaries,
            "โครงการที่ 1: ผลลัพธ์ที่วัดได้": "ลดเวลาตอบสนองเหตุจาก 3 วัน\nเหลือ 6 ชั่วโมง",
            "โครงการที่ 1: ลิงก์หลักฐาน": "https://drive.google.com/file/d/1AbC001/view",
            "ความร่วมมือกับภาคีเครือข่าย": rng.choice(["มหาวิทยาลัยราชภัฏ, depa", "", "สำนักงานสาธารณสุขจังหวัด"]),
        }
        if rng.random() < 0.4:
            values.update({"โครงการที่ 2: ชื่อโครงการ": "ตลาดชุมชนออนไลน์", "โครงการที่ 2: ด้าน": "เศรษฐกิจอัจฉริยะ",
                           "โครงการที่ 2: รายละเอียด": "ร้านค้าในตลาด 40 ร้านขายผ่านแพลตฟอร์ม",
                           "โครงการที่ 2: งบประมาณ (บาท)": "ไม่ใช้งบประมาณ",
                           "โครงการที่ 2: สถานะ": "อยู่ระหว่างวางแผน",
                           "โครงการที่ 2: ลิงก์หลักฐาน": "https://drive.google.com/file/d/1AbC002/view"})
        values.update(answers)
        return values

    def add(self, values: dict[str, str]) -> int:
        self.rows.append([values.get(title, "") for title in HEADER])
        return len(self.rows) + 1  # the sheet row: the header is row 1


def export(seed: int = 2568, laos: list[RegistryLao] | None = None) -> Export:
    rng = random.Random(seed)
    laos = laos if laos is not None else registry(seed)[0]
    municipalities = [lao for lao in laos if lao.type.startswith("เทศบาล") and SHARED_NAME not in lao.name]
    ineligible = [lao for lao in laos if not lao.type.startswith("เทศบาล")]
    writer = _Writer(rng)
    truths: dict[str, Truth] = {}
    start = datetime(2025, 11, 3, 8, 30, 0)

    def moment(i: int) -> datetime:
        return start + timedelta(minutes=97 * i + rng.randint(0, 50), seconds=rng.randint(0, 59))

    def note(key: str, status: str, row: int, text: str = "", unidentified: str | None = None) -> None:
        truth = truths.setdefault(key, Truth(key, status))
        truth.status, truth.unidentified = status, unidentified
        truth.responses += 1
        truth.note = text or truth.note

    # 1. Most municipalities answer once, correctly, before the deadline.
    good = municipalities[:150]
    first_at: dict[str, datetime] = {}
    for i, lao in enumerate(good):
        at = moment(i)
        first_at[lao.code] = at
        note(lao.code, "scored", writer.add(writer.response(lao, at)))
    # 2. Returnable mistakes: returned, unless corrected by a later response (step 3).
    mistakes = [
        {"มีแผนพัฒนาเมืองอัจฉริยะที่ผ่านความเห็นชอบแล้วหรือไม่": "กำลังจัดทำ"},
        {"โครงการที่ 1: งบประมาณ (บาท)": "รอตั้งงบ"},
        {"โครงการที่ 1: งบประมาณ (บาท)": "-1,200,000 บาท"},
        {"โครงการที่ 1: จำนวนผู้ได้รับประโยชน์": "ทั้งตำบล"},
        {"หมายเลขโทรศัพท์": "", "อีเมล": ""},
        {"ด้านของเมืองอัจฉริยะที่ดำเนินการ": ""},
        {"อำเภอ": ""},
        {"ชื่อ-นามสกุล ผู้ประสานงาน": ""},
    ]
    returned = municipalities[150:172]
    for i, lao in enumerate(returned):
        at = moment(i) + timedelta(hours=3)
        first_at[lao.code] = at
        note(lao.code, "returned", writer.add(writer.response(lao, at, **mistakes[i % len(mistakes)])),
             "a returnable mistake")
    # 3. Resubmissions: half of the returned ones correct their response later; some good ones edit theirs.
    for lao in returned[::2]:
        note(lao.code, "scored", writer.add(writer.response(lao, first_at[lao.code] + timedelta(days=1))),
             "corrected by a later response")
    for lao in good[:12]:
        note(lao.code, "scored", writer.add(writer.response(lao, first_at[lao.code] + timedelta(hours=20))),
             "edited its response")
    # A good response followed by a faulty edit: the newest one counts, so it is returned.
    for lao in good[12:16]:
        note(lao.code, "returned", writer.add(writer.response(
            lao, first_at[lao.code] + timedelta(hours=30), **{"โครงการที่ 1: งบประมาณ (บาท)": "ยังไม่ทราบ"})),
            "a faulty edit after a good response")
    # 4. No name, but the code (and sometimes no province): the registry names it.
    for lao in municipalities[172:176]:
        note(lao.code, "scored", writer.add(writer.response(
            lao, moment(5), name="", code=True, **({"จังหวัด": ""} if lao.code.endswith("2") else {}))),
            "no name, the code given")
    # 5. The deadline: 23:00:00 is on time, 23:00:01 and the next day are late (rejected).
    on_time, late, later = municipalities[176:179]
    note(on_time.code, "scored", writer.add(writer.response(on_time, DEADLINE)), "at 23:00:00")
    note(late.code, "rejected", writer.add(writer.response(late, DEADLINE + timedelta(seconds=1))), "at 23:00:01")
    note(later.code, "rejected", writer.add(writer.response(later, DEADLINE + timedelta(hours=10))), "next day")
    # 6. Ineligible: อบต. and อบจ., some ticking a municipality type (the registry's type decides).
    for i, lao in enumerate(ineligible[:10]):
        ticked = "เทศบาลตำบล" if i % 2 else None
        note(lao.code, "rejected", writer.add(writer.response(lao, moment(i + 3), ticked=ticked, code=True)),
             "ineligible type" + (" (ticked เทศบาลตำบล)" if ticked else ""))
    # 7. Names no registry holds, and the name two municipalities share (no code, no district to tell).
    for name in ("เทศบาลตำบลหนองบัวทองคำ", "ทต.ดอนสวรรค์ใหม่", "เทศบาลเมืองภูเขียวพัฒนา"):
        note(f"name:{name}", "returned", writer.add(writer.response(None, moment(40), name=name, code=False)),
             "not in the registry", unidentified="not_in_registry")
    shared = next(lao for lao in laos if SHARED_NAME in lao.name)
    note(f"name:เทศบาลตำบล{SHARED_NAME}", "returned", writer.add(writer.response(
        shared, moment(41), name=f"ทต.{SHARED_NAME}", code=False, **{"อำเภอ": ""})), "ambiguous",
        unidentified="ambiguous")
    distinct = len(writer.rows)
    # 8. Exact duplicates (a clerk pressed submit twice; the connector and a download both sent it).
    duplicated = rng.sample(range(len(writer.rows)), 10)
    for index in duplicated:
        writer.rows.insert(index + 1, list(writer.rows[index]))
    # 9. A block of rows downloaded earlier, pasted again under the rest (older than what precedes it).
    block = [list(row) for row in writer.rows[30:50]]
    writer.rows.extend(block)
    content = io.StringIO()
    csv_writer = csv.writer(content, lineterminator="\r\n")
    csv_writer.writerow(HEADER)
    csv_writer.writerows(writer.rows)
    return Export(content.getvalue().encode(), truths, len(writer.rows), distinct)
