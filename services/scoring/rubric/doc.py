"""A rubric in plain language for officials, generated from its TOML file so that the document cannot drift
from what scoring applies (a unit test compares the committed document with this output).

    python -m services.scoring.rubric.doc fy2568-v1 > docs/rubric-fy2568.md
    python -m services.scoring.rubric.doc fy2568-v1 --check docs/rubric-fy2568.md
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from services.scoring.rubric.format import Criterion, Rubric
from services.scoring.rubric.loading import load_rubric_book
from services.scoring.rubric.numbers import figure
from shared import thai

_TIERS = {"outstanding": ("ที่มีความโดดเด่น", "outstanding"), "efficient": ("ที่มีประสิทธิภาพ", "efficient"),
          "not_selected": ("ไม่ผ่านการคัดเลือก", "not selected")}


def explain_rule(criterion: Criterion) -> tuple[str, str]:
    """How the criterion's points are computed, in Thai and in English."""
    return criterion.rule.explain(criterion.points)


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
        f"(`python -m services.scoring.rubric.doc {rubric.version} > docs/rubric-fy2568.md`); "
        "a test fails when the two differ. Edit the TOML file, never this document.",
        "",
        "## คะแนนรวม / Points",
        "",
        f"{figure(rubric.max_total)} คะแนน: คำนวณจากแบบรายงาน {figure(automatic)} คะแนน + คณะกรรมการให้คะแนน "
        f"{figure(committee)} คะแนน.",
        f"{figure(rubric.max_total)} points: {figure(automatic)} computed from the report form + {figure(committee)} "
        "scored by the committee.",
        "",
        "## ระดับ / Tiers",
        "",
        "| ระดับ / tier | คะแนนรวมตั้งแต่ / total at least |",
        "| --- | --- |",
        f"| {_TIERS['outstanding'][0]} / {_TIERS['outstanding'][1]} | {figure(rubric.tiers.outstanding_min)} |",
        f"| {_TIERS['efficient'][0]} / {_TIERS['efficient'][1]} | {figure(rubric.tiers.efficient_min)} |",
        f"| {_TIERS['not_selected'][0]} / {_TIERS['not_selected'][1]} | "
        f"ต่ำกว่า / below {figure(rubric.tiers.efficient_min)} |",
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
            f"### {number}. {section.title_th} / {section.title_en} — {figure(points)} คะแนน / points",
            "",
            "| เกณฑ์ / criterion | คะแนนเต็ม / points | วิธีคิดคะแนน | how it is computed |",
            "| --- | --- | --- | --- |",
        ]
        for criterion in section.criteria:
            how_th, how_en = explain_rule(criterion)
            lines.append(f"| `{criterion.key}` {criterion.title_th} / {criterion.title_en} | "
                         f"{figure(criterion.points)} | {how_th} | {how_en} |")
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
    root = Path(__file__).resolve().parents[3]
    resolved = path.resolve()
    return str(resolved.relative_to(root)) if resolved.is_relative_to(root) else str(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.scoring.rubric.doc", description=__doc__,
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
                  f"  python -m services.scoring.rubric.doc {arguments.version} > {arguments.check}", file=sys.stderr)
            return 1
        return 0
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
