"""The document package a provincial (or district) office sends up the line, as HTML for WeasyPrint.

What the seed letters ask: provincial offices compile the municipalities' report forms "in the form of
documents" and send them to DLA's กองพัฒนาและส่งเสริมการบริหารงานท้องถิ่น by the province deadline; district
offices pass theirs to the province first. A package is therefore:

1. a cover letter in the Thai official-letter layout (ที่, the sending office and its address, the date in
   B.E. with Thai digits, เรื่อง, เรียน, อ้างถึง, สิ่งที่ส่งมาด้วย, the body with the area's figures,
   ขอแสดงความนับถือ, the signature block, and the owning office at the foot);
2. a summary table of the area's municipalities (status, score, tier) and the ones that have not submitted;
3. each municipality's report form (its answers, and what validation and scoring made of them).

Building the HTML is pure (this module); `render_pdf` hands it to WeasyPrint, whose HarfBuzz shaping stacks
Thai vowels and tone marks correctly with a TH Sarabun-compatible font (Sarabun, or Laksaman from Debian's
fonts-thai-tlwg). The letter, the summary and the forms stay in one module, past 400 lines: they share their
helpers and one stylesheet, and most of the length is those HTML and CSS templates.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from html import escape
from typing import Any, Literal

from services.reporting.labels import PROJECT_STATUS, STATUS, TIER, size_group_name, thai_date, thai_number, word
from shared.campaign import Campaign
from shared.thai import DIMENSIONS, be_year, to_thai_digits

Document = dict[str, Any]
Level = Literal["province", "district"]

# The DLA letter each campaign's packages answer (number and date as the letter writes them).
LETTER_REFERENCES: dict[str, tuple[str, date]] = {
    "fy2568": ("ด่วนที่สุด ที่ มท ๐๘๑๐.๒/ว ๕๗๕๖", date(2025, 10, 21)),
}
FORM_TITLE = ("แบบรายงานผลข้อมูลการพัฒนาศักยภาพเมืองน่าอยู่อัจฉริยะ (Smart City) ขององค์กรปกครองส่วนท้องถิ่น")
DLA = "กรมส่งเสริมการปกครองท้องถิ่น"
DLA_DIVISION = "กองพัฒนาและส่งเสริมการบริหารงานท้องถิ่น"
DEPA_MARK = {"yes": "ได้รับแล้ว", "no": "ยังไม่ได้รับ", "applying": "อยู่ระหว่างยื่นขอ"}


@dataclass(frozen=True)
class Sender:
    """Who sends the package: the details a letter needs that no event carries (given per request)."""

    number: str | None = None        # the letter's number, as the office's registry (สารบรรณ) assigns it
    letter_date: date | None = None
    signer_name: str | None = None
    signer_position: str | None = None
    phone: str | None = None


@dataclass
class Area:
    level: Level
    code: str
    name_th: str
    province_name_th: str
    figures: Document
    submissions: list[Document]                      # submission views, each with its current revision
    missing: list[Document] = field(default_factory=list)


def _e(value: Any) -> str:
    return escape("" if value is None else str(value))


def _n(value: float | int | None, decimals: int = 0) -> str:
    return thai_number(value, decimals=decimals)


def _score(score: Document | None) -> str:
    if not score:
        return "-"
    return f"{_n(score['total'], 2)} / {_n(score['max_total'], 0)}"


def area_titles(area: Area) -> dict[str, str]:
    """The names a letter uses for the sender, the addressee and the signer of this area's package."""
    if area.level == "province":
        return {
            "area": f"จังหวัด{area.name_th}",
            "office": f"ศาลากลางจังหวัด{area.name_th}",
            "owner": f"สำนักงานส่งเสริมการปกครองท้องถิ่นจังหวัด{area.name_th}",
            "to": f"อธิบดี{DLA}",
            "signer": f"ผู้ว่าราชการจังหวัด{area.name_th}",
            "recipient_office": f"{DLA_DIVISION} {DLA}",
        }
    return {
        "area": f"อำเภอ{area.name_th}",
        "office": f"ที่ว่าการอำเภอ{area.name_th}",
        "owner": f"สำนักงานส่งเสริมการปกครองท้องถิ่นอำเภอ{area.name_th}",
        "to": f"ผู้ว่าราชการจังหวัด{area.province_name_th}",
        "signer": f"นายอำเภอ{area.name_th}",
        "recipient_office": f"จังหวัด{area.province_name_th}",
    }


def letter_html(area: Area, campaign: Campaign, sender: Sender, today: date) -> str:
    titles = area_titles(area)
    figures = area.figures
    counts = figures.get("counts") or {}
    forms = sum(1 for view in area.submissions if _form(view) is not None)
    deadline = campaign.province_deadline if area.level == "province" else campaign.district_deadline
    reference = LETTER_REFERENCES.get(campaign.key)
    year = to_thai_digits(fiscal_year(campaign))
    subject = (f"ส่งแบบรายงานผลข้อมูลการพัฒนาศักยภาพเมืองน่าอยู่อัจฉริยะ (Smart City) ขององค์กรปกครองส่วนท้องถิ่น"
               f" ประจำปีงบประมาณ พ.ศ. {year}")
    expected = figures.get("expected")
    expected_text = (f" จากเทศบาลในพื้นที่ทั้งหมด {_n(expected)} แห่ง" if expected is not None else "")
    attachments = [
        f"สรุปผลการรวบรวมแบบรายงานผลของเทศบาลใน{titles['area']}",
        f"{FORM_TITLE}",
    ]
    attachment_counts = ["๑ ชุด", f"{_n(forms)} ชุด"]
    reference_html = ""
    if reference is not None:
        reference_html = (f'<div class="line"><span class="label">อ้างถึง</span><span class="text">หนังสือ{DLA} '
                          f'{_e(reference[0])} ลงวันที่ {thai_date(reference[1])}</span></div>')
    attachment_rows = "".join(
        f'<div class="attachment"><span class="text">{to_thai_digits(str(i))}. {_e(text)}</span>'
        f'<span class="count">จำนวน {count}</span></div>'
        for i, (text, count) in enumerate(zip(attachments, attachment_counts, strict=True), start=1))
    outcome = (f"ให้คะแนนแล้ว {_n(counts.get('scored', 0))} แห่ง ผ่านการตรวจสอบรอให้คะแนน "
               f"{_n(counts.get('validated', 0))} แห่ง รอตรวจสอบ {_n(counts.get('received', 0))} แห่ง "
               f"ส่งกลับให้แก้ไข {_n(counts.get('returned', 0))} แห่ง และไม่ผ่านคุณสมบัติ "
               f"{_n(counts.get('rejected', 0))} แห่ง")
    missing_text = (f" ทั้งนี้ ยังมีเทศบาลที่ไม่ได้ส่งข้อมูล จำนวน {_n(len(area.missing))} แห่ง"
                    if area.missing else "")
    body = [
        (f"ตามหนังสือที่อ้างถึง {DLA}ขอความร่วมมือ{'จังหวัด' if area.level == 'province' else 'อำเภอ'}"
         f"รวบรวมแบบรายงานผลข้อมูลการพัฒนาศักยภาพเมืองน่าอยู่อัจฉริยะ (Smart City) ขององค์กรปกครองส่วนท้องถิ่น"
         f"ในรูปแบบเอกสาร ส่งให้{titles['recipient_office']} ภายในวันที่ {thai_date(deadline)} นั้น"),
        (f"{titles['area']}ได้รวบรวมแบบรายงานผลของเทศบาลในพื้นที่แล้ว มีเทศบาลส่งข้อมูลเข้าร่วมการคัดเลือก "
         f"จำนวน {_n(figures.get('submissions', 0))} แห่ง{expected_text} ในจำนวนนี้{outcome}"
         f"{missing_text} รายละเอียดปรากฏตามสิ่งที่ส่งมาด้วย"),
    ]
    number = to_thai_digits(sender.number) if sender.number else "." * 40
    signer_name = sender.signer_name or "." * 50
    signer_position = to_thai_digits(sender.signer_position) if sender.signer_position else titles["signer"]
    return f"""
<section class="letter">
  <div class="emblem"></div>
  <div class="head">
    <div class="number">ที่ {_e(number)}</div>
    <div class="office">{_e(titles['office'])}</div>
  </div>
  <div class="date">{thai_date(sender.letter_date or today)}</div>
  <div class="line"><span class="label">เรื่อง</span><span class="text">{_e(subject)}</span></div>
  <div class="line"><span class="label">เรียน</span><span class="text">{_e(titles['to'])}</span></div>
  {reference_html}
  <div class="line"><span class="label">สิ่งที่ส่งมาด้วย</span><span class="text">{attachment_rows}</span></div>
  {''.join(f'<p class="body">{_e(paragraph)}</p>' for paragraph in body)}
  <p class="body">จึงเรียนมาเพื่อโปรดพิจารณา</p>
  <div class="signature">
    <div>ขอแสดงความนับถือ</div>
    <div class="space"></div>
    <div>({_e(signer_name)})</div>
    <div>{_e(signer_position)}</div>
  </div>
  <div class="owner">
    <div>ส่วนราชการเจ้าของเรื่อง {_e(titles['owner'])}</div>
    <div>โทร. {_e(to_thai_digits(sender.phone) if sender.phone else '.' * 30)}</div>
  </div>
</section>"""


def fiscal_year(campaign: Campaign) -> str:
    """The B.E. fiscal year the campaign is named after (`fy2568` → 2568); else its opening year in B.E."""
    digits = "".join(ch for ch in campaign.key if ch.isdigit())
    return digits if len(digits) == 4 else str(be_year(campaign.opens_at.year))


def _form(view: Document) -> Document | None:
    revision = (view.get("revisions") or {}).get(str(view.get("current_revision")))
    return (revision or {}).get("form")


def summary_html(area: Area, campaign: Campaign) -> str:
    titles = area_titles(area)
    figures = area.figures
    counts = figures.get("counts") or {}
    rows = []
    for index, view in enumerate(area.submissions, start=1):
        lao = view.get("lao") or {}
        score = view.get("score")
        rows.append(
            f"<tr><td class='num'>{_n(index)}</td><td>{_e(lao.get('name'))}</td>"
            f"<td>{_e(lao.get('district_name'))}</td><td>{_e(word(STATUS, view.get('status')))}</td>"
            f"<td class='num'>{_n(score['total'], 2) if score else '-'}</td>"
            f"<td>{_e(word(TIER, (score or {}).get('tier')) or '-')}</td>"
            f"<td>{_e(size_group_name(score) or '-')}</td></tr>")
    if not rows:
        rows.append("<tr><td colspan='7' class='none'>ยังไม่มีเทศบาลส่งข้อมูล</td></tr>")
    figure_cells = [("ส่งข้อมูลแล้ว", figures.get("submissions", 0)), ("ให้คะแนนแล้ว", counts.get("scored", 0)),
                    ("ผ่านการตรวจสอบ", counts.get("validated", 0)), ("รอตรวจสอบ", counts.get("received", 0)),
                    ("ส่งกลับให้แก้ไข", counts.get("returned", 0)), ("ไม่ผ่านคุณสมบัติ", counts.get("rejected", 0))]
    if figures.get("expected") is not None:
        figure_cells.insert(0, ("เทศบาลในพื้นที่ (ทะเบียน)", figures["expected"]))
    average = figures.get("average_score")
    max_total = max((float(v["score"]["max_total"]) for v in area.submissions if v.get("score")), default=100)
    missing = ""
    if area.missing:
        items = "".join(f"<tr><td class='num'>{_n(i)}</td><td>{_e(lao['name'])}</td><td>{_e(lao.get('district_name'))}"
                        f"</td><td>{_e(lao.get('code'))}</td></tr>" for i, lao in enumerate(area.missing, start=1))
        missing = (f"<h3>เทศบาลที่ยังไม่ส่งข้อมูล ({_n(len(area.missing))} แห่ง)</h3><table class='grid'><thead><tr>"
                   f"<th>ลำดับ</th><th>ชื่อเทศบาล</th><th>อำเภอ</th><th>รหัส อปท.</th></tr></thead>"
                   f"<tbody>{items}</tbody></table>")
    decided = next((view.get("selection") for view in area.submissions
                    if (view.get("score") or {}).get("final") and view.get("selection")), None)
    tier_note = ("<p>ระดับ: ตามเกณฑ์คะแนน (ชั่วคราว จนกว่ากรมส่งเสริมการปกครองท้องถิ่นจะประกาศผลการคัดเลือก)</p>"
                 if decided is None else
                 f"<p>ระดับ: ผลการคัดเลือกที่กรมส่งเสริมการปกครองท้องถิ่นประกาศเมื่อ {thai_date(decided['published_at'])} "
                 f"(ประกาศโดย {_e(decided['published_by'])})</p>")
    return f"""
<section class="summary">
  <div class="attachment-mark">สิ่งที่ส่งมาด้วย ๑</div>
  <h2>สรุปผลการรวบรวมแบบรายงานผลของเทศบาลใน{_e(titles['area'])}</h2>
  <p class="center">{_e(campaign.title_th)}</p>
  <table class="figures"><tr>{''.join(f'<th>{_e(label)}</th>' for label, _ in figure_cells)}<th>คะแนนเฉลี่ย</th></tr>
  <tr>{''.join(f'<td class="num">{_n(value)}</td>' for _, value in figure_cells)}
  <td class="num">{_n(average, 2) if average is not None else '-'}</td></tr></table>
  <h3>รายชื่อเทศบาลที่ส่งข้อมูล</h3>
  {tier_note}
  <table class="grid list"><colgroup><col style="width:5%"><col style="width:23%"><col style="width:14%">
  <col style="width:16%"><col style="width:11%"><col style="width:17%"><col style="width:14%"></colgroup>
  <thead><tr><th>ที่</th><th>ชื่อเทศบาล</th><th>อำเภอ</th><th>สถานะ</th><th>คะแนน (เต็ม {_n(max_total)})</th>
  <th>ระดับ</th><th>กลุ่มขนาด</th></tr></thead><tbody>{''.join(rows)}</tbody></table>
  {missing}
</section>"""


def _yes_no(value: bool | None) -> str:
    return {True: "มี", False: "ไม่มี"}.get(value, "ไม่ได้ระบุ") if value is not None else "ไม่ได้ระบุ"


def form_html(view: Document, number: int, total: int) -> str:
    """One municipality's report form: its answers as submitted, then the check and the score."""
    form = _form(view) or {}
    lao = view.get("lao") or {}
    contact = form.get("contact") or {}
    readiness = form.get("readiness") or {}
    chosen = set(form.get("dimensions") or [])
    dimension_rows = "".join(
        f"<tr><td>{'[ / ]' if key in chosen else '[   ]'}</td><td>{_e(th)}</td><td>{_e(en)}</td></tr>"
        for key, (th, en) in DIMENSIONS.items())
    projects = []
    for index, project in enumerate(form.get("projects") or [], start=1):
        dims = ", ".join(DIMENSIONS[d][0] for d in project.get("dimensions") or [] if d in DIMENSIONS)
        budget = project.get("budget_thb")
        outcomes = project.get("outcomes") or "-"
        # A list of outcomes starts under its label, so its first item lines up with the others.
        after_label = "\n" if "\n" in outcomes else " "
        projects.append(
            f"<tr><td class='num'>{_n(index)}</td><td><b>{_e(project.get('name'))}</b>"
            f"<div class='long'>{_e(project.get('description'))}</div>"
            f"<div class='long'><i>ผลลัพธ์:</i>{after_label}{_e(outcomes)}</div></td>"
            f"<td>{_e(dims or '-')}</td>"
            f"<td class='num'>{_n(budget, 0) if budget is not None else '-'}</td>"
            f"<td>{_e(word(PROJECT_STATUS, project.get('status')) or '-')}</td>"
            f"<td class='num'>{_n(project.get('beneficiaries'))}</td></tr>")
    if not projects:
        projects.append("<tr><td colspan='6' class='none'>ไม่ได้ระบุโครงการ</td></tr>")
    revision = (view.get("revisions") or {}).get(str(view.get("current_revision"))) or {}
    issues = "".join(f"<li>{_e(issue.get('message_th'))} ({_e(issue.get('field'))})</li>"
                     for issue in revision.get("issues") or [])
    score = view.get("score")
    criteria = ""
    if score:
        criteria_rows = "".join(
            f"<tr><td>{_e(c.get('title_th'))}</td><td class='num'>{_n(c.get('points'), 1)}</td>"
            f"<td class='num'>{_n(c.get('max_points'), 0)}</td><td>{_e(c.get('reason_th'))}</td></tr>"
            for c in score.get("criteria") or [])
        criteria = (f"<p>คะแนนรวม <b>{_score(score)}</b> ระดับ {_e(word(TIER, score.get('tier')))} "
                    f"กลุ่ม{_e(size_group_name(score))} (เกณฑ์ {_e(score.get('rubric_version'))})</p>"
                    f"<table class='grid'><thead><tr><th>เกณฑ์</th><th>คะแนน</th><th>เต็ม</th><th>เหตุผล</th></tr>"
                    f"</thead><tbody>{criteria_rows}</tbody></table>")
    partners = ", ".join(form.get("partners") or []) or "-"
    submitted_at = form.get("submitted_at")
    return f"""
<section class="form">
  <div class="attachment-mark">สิ่งที่ส่งมาด้วย ๒ ({_n(number)}/{_n(total)})</div>
  <h2>{_e(FORM_TITLE)}</h2>
  <h3>ส่วนที่ ๑ ข้อมูลองค์กรปกครองส่วนท้องถิ่น</h3>
  <table class="pairs">
    <tr><th>ชื่อ อปท.</th><td>{_e(lao.get('name'))}</td><th>รหัส อปท.</th><td>{_e(lao.get('code') or '-')}</td></tr>
    <tr><th>ประเภท</th><td>{_e(lao.get('type') or '-')}</td><th>อำเภอ / จังหวัด</th>
        <td>{_e(lao.get('district_name') or '-')} / {_e(lao.get('province_name') or '-')}</td></tr>
    <tr><th>ผู้ประสานงาน</th><td>{_e(contact.get('name') or '-')} {_e(contact.get('position') or '')}</td>
        <th>โทรศัพท์ / อีเมล</th>
        <td class="url">{_e(contact.get('phone') or '-')} / {_e(contact.get('email') or '-')}</td></tr>
    <tr><th>ส่งข้อมูลครั้งที่</th><td>{_n(view.get('current_revision'))}</td><th>วันที่ส่ง</th>
        <td>{thai_date(_parse_date(submitted_at)) if submitted_at else '-'}</td></tr>
  </table>
  <h3>ส่วนที่ ๒ ความพร้อม</h3>
  <table class="pairs">
    <tr><th>แผนพัฒนาเมืองอัจฉริยะที่ผ่านความเห็นชอบ</th><td>{_yes_no(readiness.get('has_plan'))}</td>
        <th>แพลตฟอร์มข้อมูลเมือง (City Data Platform)</th><td>{_yes_no(readiness.get('data_platform'))}</td></tr>
    <tr><th>ตราสัญลักษณ์ Smart City Thailand</th><td>{_e(DEPA_MARK.get(readiness.get('depa_mark') or '', 'ไม่ได้ระบุ'))}</td>
        <th>ลิงก์แผน</th><td class="url">{_e(readiness.get('plan_url') or '-')}</td></tr>
  </table>
  <h3>ส่วนที่ ๓ ด้านของเมืองอัจฉริยะที่ดำเนินการ</h3>
  <table class="grid dims"><tbody>{dimension_rows}</tbody></table>
  <h3>ส่วนที่ ๔ โครงการ</h3>
  <table class="grid list"><colgroup><col style="width:5%"><col style="width:36%"><col style="width:16%">
  <col style="width:17%"><col style="width:13%"><col style="width:13%"></colgroup>
  <thead><tr><th>ที่</th><th>โครงการ</th><th>ด้าน</th><th>งบประมาณ (บาท)</th><th>สถานะ</th>
  <th>ผู้ได้รับประโยชน์</th></tr></thead><tbody>{''.join(projects)}</tbody></table>
  <h3>ส่วนที่ ๕ ภาคีเครือข่าย</h3>
  <p>{_e(partners)}</p>
  <h3>ส่วนที่ ๖ ผลการตรวจสอบและคะแนน (จากระบบ)</h3>
  <p>สถานะ: <b>{_e(word(STATUS, view.get('status')))}</b></p>
  {f'<ul>{issues}</ul>' if issues else ''}
  {criteria}
</section>"""


def _parse_date(value: str) -> date:
    from datetime import datetime

    return datetime.fromisoformat(value).date()


STYLE = """
@page { size: A4; margin: 1.2cm 2cm 1.3cm 3cm;
        @bottom-right { content: counter(page, thai) " / " counter(pages, thai); font-size: 12pt;
                        font-family: "Sarabun", "Laksaman", sans-serif; } }
/* Sarabun, else Laksaman (fonts-thai-tlwg), both metrically TH Sarabun. Never name "TH Sarabun New" first:
   fontconfig aliases it to Laksaman, and Pango then lays the text out with the wrong advances. */
body { font-family: "Sarabun", "Laksaman", "Garuda", sans-serif;
       font-size: 16pt; line-height: 1.05; color: #000; }
section { page-break-after: always; }
section:last-child { page-break-after: auto; }
.emblem { height: 1.2cm; }  /* the Garuda goes here when the office prints on its letterhead */
.head { display: flex; justify-content: space-between; }
.head .office { text-align: left; width: 6.5cm; }
.date { margin: 0.2cm 0 0.2cm 7.5cm; }
.line { display: flex; margin: 0.15cm 0; }
.line .label { flex: 0 0 auto; margin-right: 0.4cm; white-space: nowrap; }
.line .text { flex: 1 1 auto; }
.attachment { display: flex; justify-content: space-between; }
.attachment .count { white-space: nowrap; margin-left: 0.5cm; }
/* Thai has no spaces between words: justifying would only stretch the few spaces there are. */
p.body { text-indent: 2.5cm; margin: 0.15cm 0; }
.signature { margin: 0.3cm 0 0 6cm; text-align: center; }
.letter { page-break-inside: avoid; }
.signature .space { height: 1cm; }
.owner { margin-top: 0.4cm; font-size: 14pt; }
h2 { font-size: 18pt; text-align: center; margin: 0.2cm 0; }
/* A report form fits one page where its answers allow. */
section.form { font-size: 14pt; }
section.form h2 { font-size: 16pt; }
section.form h3 { font-size: 14pt; margin: 0.2cm 0 0.05cm; }
section.form table { font-size: 12pt; }
section.form p { margin: 0.1cm 0; }
h3 { font-size: 16pt; margin: 0.35cm 0 0.1cm; }
.center { text-align: center; }
.attachment-mark { text-align: right; font-size: 14pt; }
table { border-collapse: collapse; width: 100%; font-size: 12pt; line-height: 1.0; }
/* Fixed layouts keep the columns at their set widths, so a word wider than its column would be drawn over
   the next one (ที่มีประสิทธิภาพ over the size group): the widths fit the longest labels and figures, and a
   longer word or number (Thai has no spaces to break at) breaks inside its own cell. Only on fixed tables:
   on auto-layout ones `anywhere` would let the columns shrink to a letter. */
table.list { table-layout: fixed; }
table.list th, table.list td, table.pairs th, table.pairs td { overflow-wrap: anywhere; }
table.list td.num { white-space: normal; }
/* Descriptions and outcomes keep the applicant's line breaks (a numbered list, one item a line). */
.long { white-space: pre-line; }
/* A row split by a page break loses its cells' alignment (a criterion's title on one page, its points on the
   previous): rows move whole to the next page unless one is taller than a page. */
tr { break-inside: avoid; }
table.figures { font-size: 12pt; }
table.grid th, table.grid td, table.figures th, table.figures td, table.pairs th, table.pairs td
  { border: 0.5pt solid #444; padding: 1pt 4pt; vertical-align: top; }
table.pairs { table-layout: fixed; }
table.pairs th { text-align: left; font-weight: bold; width: 20%; }
table.pairs td { width: 30%; }
table.grid th, table.figures th { background: #eee; }
td.num { text-align: right; white-space: nowrap; }
td.none { text-align: center; color: #555; }
td.url { word-break: break-all; font-size: 12pt; }
"""


def package_html(area: Area, campaign: Campaign, sender: Sender, today: date) -> str:
    forms = [view for view in area.submissions if _form(view) is not None]
    sections = [letter_html(area, campaign, sender, today), summary_html(area, campaign)]
    sections += [form_html(view, i, len(forms)) for i, view in enumerate(forms, start=1)]
    titles = area_titles(area)
    return (f"<!doctype html><html lang='th'><head><meta charset='utf-8'>"
            f"<title>{_e(FORM_TITLE)} — {_e(titles['area'])}</title><style>{STYLE}</style></head>"
            f"<body>{''.join(sections)}</body></html>")


class ResourceRefused(ValueError):
    """The package fetches nothing: every resource it needs is inline."""


def refuse_every_url(url: str) -> None:
    """The package's rule for every URL WeasyPrint would fetch: no `file://`, no network — applicants' text
    cannot make the renderer read a server file or call out (an evidence link is printed as text, never fetched)."""
    raise ResourceRefused(f"the package fetches no resource ({url[:80]!r})")


def render_pdf(html: str) -> bytes:
    """The package as PDF (WeasyPrint is imported here: it needs Pango, which only this feature uses)."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    class NoFetching(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            refuse_every_url(url)

    pdf: bytes = HTML(string=html, url_fetcher=NoFetching()).write_pdf()
    return pdf


def sort_views(views: Sequence[Document]) -> list[Document]:
    """District, then name: the order an office files the forms in."""
    return sorted(views, key=lambda v: ((v.get("lao") or {}).get("district_code") or "9999",
                                        (v.get("lao") or {}).get("name") or "", v.get("submission_id") or ""))
