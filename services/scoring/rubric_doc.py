"""A rubric in plain language for officials, generated from its TOML file so that the document cannot drift
from what scoring applies (a unit test compares the committed document with this output).

    python -m services.scoring.rubric_doc fy2568-v1 > docs/rubric-fy2568.md
    python -m services.scoring.rubric_doc fy2568-v1 --check docs/rubric-fy2568.md
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from services.scoring.rubric import (
    ChoiceRule,
    CountBandsRule,
    Criterion,
    DimensionCoverageRule,
    ManualRule,
    PresenceRule,
    Rubric,
    SumBandsRule,
    YesNoRule,
    load_rubric_book,
)
from shared import thai

_FIELDS: dict[str, tuple[str, str]] = {
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
_COUNTS: dict[str, tuple[str, str]] = {
    "projects": ("จำนวนโครงการ", "projects"),
    "projects_with_status:completed": ("จำนวนโครงการที่ดำเนินการแล้วเสร็จ", "completed projects"),
    "projects_with_status:in_progress": ("จำนวนโครงการที่อยู่ระหว่างดำเนินการ", "projects in progress"),
    "projects_with_status:planned": ("จำนวนโครงการที่อยู่ระหว่างวางแผน", "planned projects"),
    "projects_with_outcomes": ("จำนวนโครงการที่รายงานผลลัพธ์ที่วัดได้", "projects reporting measured outcomes"),
    "partners": ("จำนวนภาคีเครือข่าย (ชื่อซ้ำนับครั้งเดียว)", "partners (a name repeated counts once)"),
    "evidence_urls": ("จำนวนลิงก์หลักฐาน (ลิงก์ซ้ำนับครั้งเดียว)", "evidence links (a repeated link counts once)"),
    "dimensions": ("จำนวนด้านที่ระบุ", "dimensions declared"),
}
_CHOICES: dict[str, dict[str, tuple[str, str]]] = {
    "readiness.depa_mark": {"yes": ("ได้รับแล้ว", "awarded"), "applying": ("อยู่ระหว่างยื่นขอ", "applying"),
                            "no": ("ไม่ได้รับ", "not awarded")},
}
_TIERS = {"outstanding": ("ที่มีความโดดเด่น", "outstanding"), "efficient": ("ที่มีประสิทธิภาพ", "efficient"),
          "not_selected": ("ไม่ผ่านการคัดเลือก", "not selected")}


def _n(value: float) -> str:
    return f"{int(value):,}" if float(value).is_integer() else f"{value:,.2f}".rstrip("0").rstrip(".")


def _field(path: str) -> tuple[str, str]:
    th, en = _FIELDS.get(path, (path, path))
    return f"{th} (`{path}`)", f"{en} (`{path}`)"


def _bands(bands: list[tuple[float, float]], unit_th: str, unit_en: str) -> tuple[str, str]:
    th = "; ".join(f"ตั้งแต่ {_n(low)}{unit_th} → {_n(points)}" for low, points in bands)
    en = "; ".join(f"{_n(low)}{unit_en} or more → {_n(points)}" for low, points in bands)
    lowest = _n(bands[0][0])
    return f"{th}; น้อยกว่า {lowest}{unit_th} → 0", f"{en}; below {lowest}{unit_en} → 0"


def explain_rule(criterion: Criterion) -> tuple[str, str]:
    """How the criterion's points are computed, in Thai and in English."""
    rule, most = criterion.rule, _n(criterion.points)
    if isinstance(rule, YesNoRule):
        th, en = _field(rule.field)
        points = _n(rule.points_if_yes if rule.points_if_yes is not None else criterion.points)
        return (f"ตอบ “ใช่” ในช่อง {th} ได้ {points} คะแนน; ตอบ “ไม่ใช่” หรือไม่ตอบ 0",
                f"“yes” to {en}: {points} points; “no” or no answer: 0")
    if isinstance(rule, ChoiceRule):
        th, en = _field(rule.field)
        labels = _CHOICES.get(rule.field, {})
        pairs_th = ", ".join(f"{labels.get(a, (a, a))[0]} → {_n(p)}" for a, p in rule.points.items())
        pairs_en = ", ".join(f"{labels.get(a, (a, a))[1]} → {_n(p)}" for a, p in rule.points.items())
        return (f"ตามคำตอบในช่อง {th}: {pairs_th}; คำตอบอื่นหรือไม่ตอบ 0",
                f"by the answer to {en}: {pairs_en}; any other answer or none: 0")
    if isinstance(rule, PresenceRule):
        th, en = _field(rule.field)
        return f"มีข้อมูลในช่อง {th} ได้ {most} คะแนน; ไม่มี 0", f"{en} given: {most} points; not given: 0"
    if isinstance(rule, CountBandsRule):
        what_th, what_en = _COUNTS[rule.count]
        bands_th, bands_en = _bands([(b.min, b.points) for b in rule.bands], "", "")
        return f"นับ{what_th}: {bands_th}", f"count of {what_en}: {bands_en}"
    if isinstance(rule, DimensionCoverageRule):
        where_th = "ที่โครงการครอบคลุม" if rule.source == "projects" else "ที่ระบุในแบบรายงาน"
        where_en = "covered by the projects" if rule.source == "projects" else "declared in the form"
        per = _n(rule.points_per_dimension)
        return (f"{per} คะแนนต่อด้านของเมืองอัจฉริยะ{where_th} (จาก 7 ด้าน) สูงสุด {most} คะแนน",
                f"{per} points for each smart city dimension {where_en} (of 7), at most {most}")
    if isinstance(rule, SumBandsRule):
        th, en = _field(rule.field)
        unit_th, unit_en = (" บาท", " baht") if rule.field.endswith("budget_thb") else (" คน", " people")
        bands_th, bands_en = _bands([(b.min, b.points) for b in rule.bands], unit_th, unit_en)
        return (f"รวม{th} ทุกโครงการ: {bands_th} (โครงการที่ไม่ระบุไม่นับรวม)",
                f"sum of {en} over all projects: {bands_en} (projects without a figure add nothing)")
    assert isinstance(rule, ManualRule)
    return (f"คณะกรรมการให้คะแนน 0–{most} (ค่าเฉลี่ยของกรรมการที่ได้รับมอบหมาย พร้อมเหตุผล); 0 จนกว่าจะให้คะแนน",
            f"scored 0–{most} by the committee (the mean of the assigned reviewers, each with a comment); "
            "0 until scored")


def render(rubric: Rubric, source: str) -> str:
    automatic = sum(c.points for _, c in rubric.iter_criteria() if not c.manual)
    committee = rubric.max_total - automatic
    names = rubric.size_groups.names
    lines = [
        f"# {rubric.title_th}",
        "",
        f"**{rubric.title_en}** — rubric version `{rubric.version}`, campaign `{rubric.campaign}`, "
        f"digest `{rubric.digest}`.",
        "",
        "> **เกณฑ์นี้เป็นเกณฑ์เริ่มต้นสำหรับการพัฒนาระบบ ไม่ใช่เกณฑ์ของกรมส่งเสริมการปกครองท้องถิ่น "
        "และจะถูกแทนที่ด้วยเกณฑ์ของกรมฯ**",
        "> **This is a default rubric for building and testing the system. It is not DLA's rubric and is to be "
        "replaced by DLA's own.** DLA's FY2568 criteria were not available; this default follows DEPA's Smart "
        "City Thailand framework. To replace it, add DLA's rubric as a new version and publish it "
        "([scoring.md](scoring.md#replacing-the-rubric)).",
        "",
        f"> This document is generated from `{source}` "
        f"(`python -m services.scoring.rubric_doc {rubric.version} > docs/rubric-fy2568.md`); "
        "a test fails when the two differ. Edit the TOML file, never this document.",
        "",
        "## คะแนนรวม / Points",
        "",
        f"{_n(rubric.max_total)} คะแนน: คำนวณจากแบบรายงาน {_n(automatic)} คะแนน + คณะกรรมการให้คะแนน "
        f"{_n(committee)} คะแนน.",
        f"{_n(rubric.max_total)} points: {_n(automatic)} computed from the report form + {_n(committee)} "
        "scored by the committee.",
        "",
        "## ระดับ / Tiers",
        "",
        "| ระดับ / tier | คะแนนรวมตั้งแต่ / total at least |",
        "| --- | --- |",
        f"| {_TIERS['outstanding'][0]} / {_TIERS['outstanding'][1]} | {_n(rubric.tiers.outstanding_min)} |",
        f"| {_TIERS['efficient'][0]} / {_TIERS['efficient'][1]} | {_n(rubric.tiers.efficient_min)} |",
        f"| {_TIERS['not_selected'][0]} / {_TIERS['not_selected'][1]} | "
        f"ต่ำกว่า / below {_n(rubric.tiers.efficient_min)} |",
        "",
        "ระดับเป็นการประเมินเบื้องต้น (provisional) จนกว่าคณะกรรมการจะให้คะแนนครบทุกเกณฑ์. "
        "The tier is provisional until the committee has scored all its criteria.",
        "",
        "## กลุ่มขนาด / Size groups",
        "",
        "จัดอันดับภายในกลุ่มขนาด ตามขนาด อปท. ของ สถ. (จากทะเบียน อปท.). หากไม่ทราบขนาด ใช้ประเภท อปท. แทน "
        "และทำเครื่องหมายไว้ (flagged). Rankings are within size groups, by DLA's size class from the LAO "
        "registry; where it is not known, the LAO type decides instead and the result is flagged.",
        "",
        "| กลุ่ม / group | ไทย | English | ใช้แทนเมื่อไม่ทราบขนาด / fallback from LAO type (flagged) |",
        "| --- | --- | --- | --- |",
    ]
    for key, name in names.items():
        fallback = ", ".join(t for t, g in rubric.size_groups.fallback_by_lao_type.items() if g == key) or "—"
        lines.append(f"| `{key}` | {name.th} | {name.en} | {fallback} |")
    lines += [
        "| `unknown` | ไม่ทราบขนาด | size unknown | ไม่ทราบทั้งขนาดและประเภท / neither size nor type known |",
        "",
        "## คะแนนเท่ากัน / Equal totals",
        "",
        "เรียงตามคะแนนรวม แล้วตามคะแนนของหมวดต่อไปนี้ตามลำดับ แล้วผู้ส่งก่อน (เวลาส่งแบบรายงาน) "
        "แล้วรหัสแบบรายงาน. Ordered by total, then by the points of these sections in this order, then the "
        "earlier submission (the form's time), then the submission id:",
        "",
    ]
    titles = {section.key: section for section in rubric.sections}
    for index, key in enumerate(rubric.tie_break_sections, start=1):
        lines.append(f"{index}. `{key}` — {titles[key].title_th} / {titles[key].title_en}")
    lines += ["", "## เกณฑ์ / Criteria", ""]
    for number, section in enumerate(rubric.sections, start=1):
        points = sum(c.points for c in section.criteria)
        lines += [
            f"### {number}. {section.title_th} / {section.title_en} — {_n(points)} คะแนน / points",
            "",
            "| เกณฑ์ / criterion | คะแนนเต็ม / points | วิธีคิดคะแนน | how it is computed |",
            "| --- | --- | --- | --- |",
        ]
        for criterion in section.criteria:
            how_th, how_en = explain_rule(criterion)
            lines.append(f"| `{criterion.key}` {criterion.title_th} / {criterion.title_en} | "
                         f"{_n(criterion.points)} | {how_th} | {how_en} |")
        lines.append("")
    lines += [
        "## ด้านของเมืองอัจฉริยะ / Smart City dimensions",
        "",
        ", ".join(f"`{key}` {th} ({en})" for key, (th, en) in thai.DIMENSIONS.items()),
        "",
    ]
    if rubric.note:
        lines += ["## หมายเหตุในไฟล์เกณฑ์ / Note in the rubric file", "", rubric.note, ""]
    return "\n".join(lines)


def source_of(path: Path) -> str:
    """The rubric file's path as the document names it: relative to the project, whatever the cwd."""
    root = Path(__file__).resolve().parents[2]
    resolved = path.resolve()
    return str(resolved.relative_to(root)) if resolved.is_relative_to(root) else str(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.scoring.rubric_doc", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("version", help="a rubric version, e.g. fy2568-v1")
    parser.add_argument("--check", type=Path, help="exit 1 when this document differs from the rubric")
    arguments = parser.parse_args(argv)
    book = load_rubric_book()
    rubric = book.get(arguments.version)
    text = render(rubric, source_of(book.path(arguments.version)))
    if arguments.check is not None:
        if arguments.check.read_text(encoding="utf-8") != text:
            print(f"{arguments.check} differs from rubric {arguments.version}; regenerate it:\n"
                  f"  python -m services.scoring.rubric_doc {arguments.version} > {arguments.check}", file=sys.stderr)
            return 1
        return 0
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
