"""DLA's announcement of the selection's result (ประกาศกรมส่งเสริมการปกครองท้องถิ่น เรื่อง ผลการคัดเลือก…), as
HTML for WeasyPrint, from the newest `selection.published` reporting keeps.

The layout follows the Thai official announcement (ประกาศ) of the regulations on official correspondence
(ระเบียบสำนักนายกรัฐมนตรีว่าด้วยงานสารบรรณ): the Garuda emblem centred at the top, `ประกาศ` and the issuing
department, `เรื่อง`, a short rule, the body with the selected LAOs by tier and size group (each with its
province), the closing `จึงประกาศให้ทราบโดยทั่วกัน`, `ประกาศ ณ วันที่` with the B.E. date in Thai digits, and the
signature block (name in parentheses, dotted when not yet known, and the signer's title). Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from html import escape
from typing import Any

from services.reporting.labels import TIER, thai_date, thai_number
from services.reporting.package import DLA, LETTER_REFERENCES, fiscal_year
from shared.campaign import Campaign
from shared.thai import to_thai_digits

Document = dict[str, Any]
SELECTED = ("outstanding", "efficient")

# The emblem drawn inline (nothing is fetched): a plain, symmetrical line drawing of the Garuda's form. An office
# that has the official artwork sets REPORTING_EMBLEM_SVG to its SVG file, which takes this one's place.
EMBLEM_SVG = """<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 130" role="img" aria-label="ตราครุฑ">
<g fill="none" stroke="#000" stroke-width="2.2" stroke-linejoin="round" stroke-linecap="round">
<path d="M60 8 l6 9 h-12 z"/><path d="M52 20 h16 l-2 6 h-12 z"/>
<circle cx="60" cy="34" r="7"/><path d="M57 38 q3 5 6 0"/>
<path d="M50 44 q10 -4 20 0 l4 26 q-14 8 -28 0 z"/>
<path d="M50 46 q-18 -14 -42 -10 q10 6 12 12 q-10 -1 -16 4 q12 2 16 8 q-8 1 -12 6 q14 0 22 4 q-4 4 -4 9 q10 -4 22 -9"/>
<path d="M70 46 q18 -14 42 -10 q-10 6 -12 12 q10 -1 16 4 q-12 2 -16 8 q8 1 12 6 q-14 0 -22 4 q4 4 4 9 q-10 -4 -22 -9"/>
<path d="M53 72 l-5 22 q6 -3 9 2 l3 -20"/><path d="M67 72 l5 22 q-6 -3 -9 2 l-3 -20"/>
<path d="M46 100 q14 10 28 0 l6 14 q-20 10 -40 0 z"/>
<path d="M40 118 h40"/>
</g></svg>"""

STYLE = """
@page { size: A4; margin: 1.5cm 2cm 2cm 3cm;
        @bottom-right { content: counter(page, thai) " / " counter(pages, thai); font-size: 12pt;
                        font-family: "Sarabun", "Laksaman", sans-serif; } }
body { font-family: "Sarabun", "Laksaman", "Garuda", sans-serif; font-size: 16pt; line-height: 1.1; color: #000; }
.emblem { text-align: center; height: 3cm; margin-bottom: 0.2cm; }
.emblem svg { height: 3cm; width: auto; }
.title { text-align: center; margin: 0; }
.rule { width: 4cm; margin: 0.2cm auto 0.35cm; border-top: 0.8pt solid #000; }
p.body { text-indent: 2.5cm; margin: 0.15cm 0; }
h3 { font-size: 16pt; font-weight: bold; margin: 0.35cm 0 0.1cm 0; text-indent: 1.25cm; }
h4 { font-size: 16pt; font-weight: normal; margin: 0.2cm 0 0.05cm 2cm; }
table { border-collapse: collapse; width: calc(100% - 2cm); margin-left: 2cm; font-size: 15pt; line-height: 1.05;
        table-layout: fixed; }
th, td { border: 0.5pt solid #444; padding: 1pt 5pt; vertical-align: top; overflow-wrap: anywhere; }
th { background: #eee; font-weight: bold; }
td.num { text-align: center; }
tr { break-inside: avoid; }
.none { margin-left: 2cm; }
.closing { text-indent: 2.5cm; margin: 0.4cm 0 0.2cm; }
.given { margin: 0.3cm 0 0 5.5cm; white-space: nowrap; }
.signature { margin: 1.6cm 0 0 6cm; text-align: center; break-inside: avoid; }
"""


def _e(value: Any) -> str:
    return escape("" if value is None else str(value))


def _groups(selection: Document) -> list[str]:
    """The size groups of the entries, in the rubric's order (that of the selection's `group_names`), any other
    after them by key."""
    seen = {entry["size_group"] for entry in selection.get("entries", [])}
    named = [group for group in selection.get("group_names") or {} if group in seen]
    return named + sorted(seen - set(named))


def _group_name(selection: Document, group: str) -> str:
    """The size group's Thai name as the selection gives it (the rubric's), else its key."""
    return str((selection.get("group_names") or {}).get(group) or group)


def winners(selection: Document, tier: str, group: str) -> list[Document]:
    """The LAOs DLA selected in a tier and size group, in their ranking order."""
    chosen = [entry for entry in selection.get("entries", []) if entry["tier"] == tier and entry["size_group"] == group]
    return sorted(chosen, key=lambda entry: (entry["rank"], entry["submission_id"]))


def _table(entries: Sequence[Document]) -> str:
    rows = "".join(
        f"<tr><td class='num'>{to_thai_digits(str(i))}</td><td>{_e(entry['lao'].get('name'))}</td>"
        f"<td>{_e(entry['lao'].get('district_name') or '-')}</td>"
        f"<td>{_e(entry['lao'].get('province_name') or '-')}</td></tr>"
        for i, entry in enumerate(entries, start=1))
    return ("<table><colgroup><col style='width:9%'><col style='width:47%'><col style='width:22%'>"
            "<col style='width:22%'></colgroup><thead><tr><th>ที่</th><th>องค์กรปกครองส่วนท้องถิ่น</th>"
            f"<th>อำเภอ</th><th>จังหวัด</th></tr></thead><tbody>{rows}</tbody></table>")


def given_date(day: date) -> str:
    """`ประกาศ ณ วันที่` writes the year with its era: ๑๖ มกราคม พ.ศ. ๒๕๖๙."""
    day_month, year = thai_date(day).rsplit(" ", 1)
    return f"{day_month} พ.ศ. {year}"


def announcement_html(selection: Document, campaign: Campaign, announced_on: date, *,
                      emblem_svg: str = EMBLEM_SVG) -> str:
    """The announcement of the campaign's final selection, ready to be signed."""
    year = to_thai_digits(fiscal_year(campaign))
    subject = (f"ผลการคัดเลือกองค์กรปกครองส่วนท้องถิ่นที่มีการพัฒนาศักยภาพเมืองน่าอยู่อัจฉริยะ (Smart City) "
               f"ที่มีความโดดเด่น ประจำปีงบประมาณ พ.ศ. {year}")
    counts = {tier: sum(1 for e in selection.get("entries", []) if e["tier"] == tier) for tier in SELECTED}
    total = counts["outstanding"] + counts["efficient"]
    reference = LETTER_REFERENCES.get(campaign.key)
    # The letter's number without its urgency mark (ด่วนที่สุด belongs to the letter, not to its citation).
    cited = reference[0].replace("ด่วนที่สุด", "").strip() if reference else ""
    reference_text = f"ตามหนังสือ{DLA} {cited} ลงวันที่ {thai_date(reference[1])} " if reference else "ตามที่"
    body = (f"{reference_text}{DLA}ได้ดำเนินการคัดเลือกองค์กรปกครองส่วนท้องถิ่นที่มีการพัฒนาศักยภาพเมืองน่าอยู่อัจฉริยะ "
            f"(Smart City) ที่มีความโดดเด่น ประจำปีงบประมาณ พ.ศ. {year} เพื่อเป็นต้นแบบให้แก่องค์กรปกครองส่วนท้องถิ่นอื่น "
            f"โดยองค์กรปกครองส่วนท้องถิ่นได้รายงานผลข้อมูลผ่านจังหวัด และคณะกรรมการได้พิจารณาให้คะแนนตามหลักเกณฑ์"
            f"และจัดลำดับภายในกลุ่มขนาดขององค์กรปกครองส่วนท้องถิ่นแล้ว นั้น")
    body2 = (f"บัดนี้ การคัดเลือกได้เสร็จสิ้นแล้ว {DLA}จึงประกาศผลการคัดเลือก จำนวนทั้งสิ้น "
             f"{thai_number(total)} แห่ง ดังนี้")
    parts: list[str] = []
    for number, tier in enumerate(SELECTED, start=1):
        parts.append(f"<h3>{to_thai_digits(str(number))}. องค์กรปกครองส่วนท้องถิ่น{TIER[tier][0]} "
                     f"จำนวน {thai_number(counts[tier])} แห่ง</h3>")
        for sub, group in enumerate(_groups(selection), start=1):
            chosen = winners(selection, tier, group)
            label = f"{to_thai_digits(f'{number}.{sub}')} {_e(_group_name(selection, group))}"
            parts.append(f"<h4>{label} จำนวน {thai_number(len(chosen))} แห่ง</h4>")
            parts.append(_table(chosen) if chosen else "<p class='none'>- ไม่มี -</p>")
    signer_name = campaign.announcement_signer_name_th or "." * 50
    return f"""<!doctype html><html lang="th"><head><meta charset="utf-8">
<title>ประกาศ{DLA} เรื่อง {_e(subject)}</title><style>{STYLE}</style></head><body>
<div class="emblem">{emblem_svg}</div>
<p class="title">ประกาศ{DLA}</p>
<p class="title">เรื่อง {_e(subject)}</p>
<div class="rule"></div>
<p class="body">{_e(body)}</p>
<p class="body">{_e(body2)}</p>
{''.join(parts)}
<p class="closing">จึงประกาศให้ทราบโดยทั่วกัน</p>
<p class="given">ประกาศ ณ วันที่ {given_date(announced_on)}</p>
<div class="signature">
  <div>({_e(signer_name)})</div>
  <div>{_e(campaign.announcement_signer_title_th)}</div>
</div>
</body></html>"""
