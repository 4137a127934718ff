"""The words the rules explain themselves with, in Thai and English: the submission fields and counts as the
rubric's document names them, the answers of choice fields, the units of counts and sums, and the text of a
rule's bands in the document."""

from __future__ import annotations

from collections.abc import Sequence

from services.scoring.rubric.numbers import figure

FIELD_NAMES: dict[str, tuple[str, str]] = {
    "readiness.has_plan": ("มีแผนพัฒนาเมืองอัจฉริยะที่ผ่านความเห็นชอบ", "approved smart city plan"),
    "readiness.plan_url": ("ลิงก์เอกสารแผนพัฒนาเมืองอัจฉริยะ", "link to the plan document"),
    "readiness.depa_mark": ("ตราสัญลักษณ์ Smart City Thailand", "Smart City Thailand mark"),
    "readiness.data_platform": ("มีแพลตฟอร์มข้อมูลเมือง", "has a City Data Platform"),
    "partners": ("ภาคีเครือข่าย", "partners"),
    "dimensions": ("ด้านที่ดำเนินการ", "dimensions declared"),
    "projects": ("โครงการ", "projects"),
    "projects.budget_thb": ("งบประมาณของโครงการ (บาท)", "projects' budgets (baht)"),
    "projects.beneficiaries": ("จำนวนผู้ได้รับประโยชน์ของโครงการ (คน)", "projects' beneficiaries (people)"),
}
COUNT_NAMES: dict[str, tuple[str, str]] = {
    "projects": ("จำนวนโครงการ", "projects"),
    "projects_with_status:completed": ("จำนวนโครงการที่ดำเนินการแล้วเสร็จ", "completed projects"),
    "projects_with_status:in_progress": ("จำนวนโครงการที่อยู่ระหว่างดำเนินการ", "projects in progress"),
    "projects_with_status:planned": ("จำนวนโครงการที่อยู่ระหว่างวางแผน", "planned projects"),
    "projects_with_outcomes": ("จำนวนโครงการที่รายงานผลลัพธ์ที่วัดได้", "projects reporting measured outcomes"),
    "partners": ("จำนวนภาคีเครือข่าย (ชื่อซ้ำนับครั้งเดียว)", "partners (a name repeated counts once)"),
    "evidence_urls": ("จำนวนลิงก์หลักฐาน (ลิงก์ซ้ำนับครั้งเดียว)", "evidence links (a repeated link counts once)"),
    "dimensions": ("จำนวนด้านที่ระบุ", "dimensions declared"),
}
# The answers of a choice field in plain words; an answer not listed is shown as it is.
CHOICE_LABELS: dict[str, dict[str, tuple[str, str]]] = {
    "readiness.depa_mark": {
        "yes": ("ได้รับแล้ว", "awarded"),
        "applying": ("อยู่ระหว่างยื่นขอ", "applying"),
        "no": ("ไม่ได้รับ", "not awarded"),
    },
}
Units = tuple[str, str, str]  # Thai unit, English singular, English plural
PROJECT_UNITS: Units = ("โครงการ", "project", "projects")
COUNT_UNITS: dict[str, Units] = {  # the counts not of projects
    "partners": ("ภาคี", "partner", "partners"),
    "evidence_urls": ("ลิงก์", "evidence link", "evidence links"),
    "dimensions": ("ด้าน", "dimension", "dimensions"),
}
SUM_UNITS: dict[str, Units] = {
    "projects.budget_thb": ("บาท", "baht", "baht"),
    "projects.beneficiaries": ("คน", "person", "people"),
}
NOT_ANSWERED = ("ไม่ได้ตอบ", "not answered")


def choice_label(path: str, answer: str) -> tuple[str, str]:
    """An answer of a choice field in Thai and English."""
    return CHOICE_LABELS.get(path, {}).get(answer, (answer, answer))


def field_words(path: str) -> tuple[str, str]:
    """A submission field as the document names it, with its path: `มีแพลตฟอร์มข้อมูลเมือง (`readiness...`)`."""
    th, en = FIELD_NAMES.get(path, (path, path))
    return f"{th} (`{path}`)", f"{en} (`{path}`)"


def band_words(bands: Sequence[tuple[float, float]], unit_th: str, unit_en: str) -> tuple[str, str]:
    """(min, points) bands as the document lists them, ending with what below the lowest band gives."""
    th = "; ".join(f"ตั้งแต่ {figure(low)}{unit_th} → {figure(points)}" for low, points in bands)
    en = "; ".join(f"{figure(low)}{unit_en} or more → {figure(points)}" for low, points in bands)
    lowest = figure(bands[0][0])
    return f"{th}; น้อยกว่า {lowest}{unit_th} → 0", f"{en}; below {lowest}{unit_en} → 0"
