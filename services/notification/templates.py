"""The e-mails themselves: subject and body built from an event, Thai first and English below (no I/O)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar

from pydantic import BaseModel, ConfigDict

from shared.campaign import Campaign
from shared.events import (
    SUBMISSION_RECEIVED,
    SUBMISSION_REJECTED,
    SUBMISSION_RETURNED,
    SUBMISSION_SCORED,
    ContactSummary,
    CriterionScore,
    Envelope,
    Issue,
    LaoSummary,
    SubmissionRef,
    SubmissionRejected,
    SubmissionReturned,
    SubmissionScored,
)
from shared.submission import THAI_TZ

RECEIVED = "received"
RETURNED = "returned"
REJECTED = "rejected"
SCORED = "scored"

TH_MONTHS = ("มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน", "กรกฎาคม", "สิงหาคม",
             "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม")
EN_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
             "November", "December")

TIERS: dict[str, tuple[str, str]] = {
    "outstanding": ("ผ่านเกณฑ์ระดับโดดเด่น", "meets the threshold of the outstanding tier"),
    "efficient": ("ผ่านเกณฑ์ระดับมีประสิทธิภาพ", "meets the threshold of the efficient tier"),
    "not_selected": ("ยังไม่ผ่านเกณฑ์", "does not yet meet the threshold of either tier"),
}
SIZE_GROUPS: dict[str, tuple[str, str]] = {
    "large": ("ขนาดใหญ่", "large"),
    "medium": ("ขนาดกลาง", "medium"),
    "small": ("ขนาดเล็ก", "small"),
    "unknown": ("ไม่ทราบขนาด", "size not known"),
}

# Where an issue points, in the words of the form (docs/form.md); unknown paths are shown as they are.
FIELD_LABELS: dict[str, tuple[str, str]] = {
    "campaign": ("รอบการคัดเลือก", "campaign"),
    "submitted_at": ("เวลาที่ส่งแบบฟอร์ม", "form timestamp"),
    "lao": ("องค์กรปกครองส่วนท้องถิ่น", "LAO"),
    "lao.name": ("ชื่อองค์กรปกครองส่วนท้องถิ่น", "LAO name"),
    "lao.code": ("รหัสองค์กรปกครองส่วนท้องถิ่น (7 หลัก)", "LAO code (7 digits)"),
    "lao.type": ("ประเภทองค์กรปกครองส่วนท้องถิ่น", "LAO type"),
    "lao.province": ("จังหวัด", "province"),
    "lao.district": ("อำเภอ", "district"),
    "contact": ("ผู้ประสานงาน", "contact person"),
    "contact.name": ("ชื่อ-นามสกุล ผู้ประสานงาน", "contact name"),
    "contact.position": ("ตำแหน่ง", "position"),
    "contact.phone": ("หมายเลขโทรศัพท์", "phone number"),
    "contact.email": ("อีเมล", "e-mail"),
    "readiness.has_plan": ("แผนพัฒนาเมืองอัจฉริยะที่ผ่านความเห็นชอบ", "approved smart city plan"),
    "readiness.plan_url": ("ลิงก์เอกสารแผนพัฒนาเมืองอัจฉริยะ", "link to the smart city plan"),
    "readiness.depa_mark": ("ตราสัญลักษณ์เมืองอัจฉริยะ (Smart City Thailand)", "Smart City Thailand mark"),
    "readiness.data_platform": ("แพลตฟอร์มข้อมูลเมือง (City Data Platform)", "City Data Platform"),
    "dimensions": ("ด้านของเมืองอัจฉริยะที่ดำเนินการ", "smart city dimensions"),
    "projects": ("โครงการ", "projects"),
    "partners": ("ความร่วมมือกับภาคีเครือข่าย", "partnerships"),
}
PROJECT_FIELD_LABELS: dict[str, tuple[str, str]] = {
    "name": ("ชื่อโครงการ", "name"),
    "dimensions": ("ด้าน", "dimensions"),
    "description": ("รายละเอียด", "description"),
    "budget_thb": ("งบประมาณ (บาท)", "budget (baht)"),
    "status": ("สถานะ", "status"),
    "beneficiaries": ("จำนวนผู้ได้รับประโยชน์", "beneficiaries"),
    "outcomes": ("ผลลัพธ์ที่วัดได้", "measured outcomes"),
    "evidence_urls": ("ลิงก์หลักฐาน", "evidence links"),
}
_PROJECT_FIELD = re.compile(r"^projects\[(?P<index>\d+)\](?:\.(?P<field>[a-z_]+))?")

SIGNATURE_TH = ("ระบบคัดเลือกองค์กรปกครองส่วนท้องถิ่นที่มีการพัฒนาศักยภาพเมืองน่าอยู่อัจฉริยะ (Smart City)\n"
                "กรมส่งเสริมการปกครองท้องถิ่น\n"
                "อีเมลฉบับนี้ส่งจากระบบอัตโนมัติ โปรดอย่าตอบกลับ")
SIGNATURE_EN = ("Smart City selection of local administrative organisations\n"
                "Department of Local Administration (DLA), Thailand\n"
                "This e-mail was sent automatically; please do not reply to it.")
DIVIDER = "-" * 60

_EMAIL = re.compile(r"[^\s@<>()\[\]\"',;:]+@[^\s@<>()\[\]\"',;:]+")
_VALID_EMAIL = re.compile(r"^[^\s@]+@[^\s@]+\.[^\s@]+$")


# -- readers: each template reads only the fields it uses, so an additive change upstream cannot break it --


class ReceivedNotice(SubmissionRef):
    """`submission.received` as notification reads it (the submission itself is not needed here)."""

    model_config = ConfigDict(extra="ignore")
    received_at: datetime
    lao: LaoSummary
    contact: ContactSummary


M = TypeVar("M", bound=BaseModel)
Notified = ReceivedNotice | SubmissionReturned | SubmissionRejected | SubmissionScored

READERS: dict[str, tuple[str, type[BaseModel]]] = {
    SUBMISSION_RECEIVED: (RECEIVED, ReceivedNotice),
    SUBMISSION_RETURNED: (RETURNED, SubmissionReturned),
    SUBMISSION_REJECTED: (REJECTED, SubmissionRejected),
    SUBMISSION_SCORED: (SCORED, SubmissionScored),
}


def read(envelope: Envelope) -> tuple[str, Notified]:
    """(template, event data) for an event notification handles; KeyError for any other event type."""
    template, model = READERS[envelope.event_type]
    event: Notified = model.model_validate(envelope.data)  # type: ignore[assignment]
    return template, event


@dataclass(frozen=True)
class Mail:
    template: str
    subject: str
    body: str


# -- addresses -----------------------------------------------------------------------------------------


def normalise_address(address: str | None) -> str | None:
    """The address as it will be used, or None when there is none or it cannot be an e-mail address."""
    if address is None:
        return None
    cleaned = address.strip()
    return cleaned if _VALID_EMAIL.match(cleaned) else None


def mask(address: str) -> str:
    """`smartcity@example.go.th` → `sm***@example.go.th`: enough for an operator to tell two apart."""
    local, at, domain = address.strip().rpartition("@")
    if not at or not local:
        return "***"
    keep = 2 if len(local) > 2 else 1
    return f"{local[:keep]}***@{domain}"


def scrub(text: str) -> str:
    """Text with every e-mail address in it masked (SMTP errors quote the refused recipient)."""
    return _EMAIL.sub(lambda match: mask(match.group(0)), text)


def recipient_hash(address: str) -> str:
    return hashlib.sha256(address.strip().lower().encode()).hexdigest()


# -- dates and numbers ---------------------------------------------------------------------------------


def _local(moment: datetime) -> datetime:
    # Event times are UTC by contract; a naive one is read as UTC rather than as server-local time.
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(THAI_TZ)


def thai_datetime(moment: datetime) -> str:
    """`24 พฤศจิกายน 2568 เวลา 10:15 น.`: Thai time, Buddhist-era year."""
    local = _local(moment)
    return f"{local.day} {TH_MONTHS[local.month - 1]} {local.year + 543} เวลา {local:%H:%M} น."


def english_datetime(moment: datetime) -> str:
    """`24 November 2025, 10:15 Thai time (UTC+7)`."""
    local = _local(moment)
    return f"{local.day} {EN_MONTHS[local.month - 1]} {local.year}, {local:%H:%M} Thai time (UTC+7)"


def points(value: float) -> str:
    """`8.0` → `8`, `7.5` → `7.5`: points as a committee writes them."""
    rounded = round(float(value), 2)
    return str(int(rounded)) if rounded.is_integer() else f"{rounded:g}"


def field_label(field: str) -> tuple[str, str]:
    """An issue's field as the applicant knows it from the form, with the path kept for reference."""
    if field in FIELD_LABELS:
        th, en = FIELD_LABELS[field]
        return f"{th} ({field})", f"{en} ({field})"
    match = _PROJECT_FIELD.match(field)
    if match:
        number = int(match["index"]) + 1
        th, en = PROJECT_FIELD_LABELS.get(match["field"] or "", ("", ""))
        th_label = f"โครงการที่ {number}" + (f": {th}" if th else "")
        en_label = f"project {number}" + (f": {en}" if en else "")
        return f"{th_label} ({field})", f"{en_label} ({field})"
    return field, field


# -- rendering -----------------------------------------------------------------------------------------


def render(template: str, event: BaseModel, *, occurred_at: datetime, campaign: Campaign | None = None) -> Mail:
    """The e-mail for one event; `campaign` (when known) adds its title and the submission deadline."""
    if template == RECEIVED:
        return _received(_as(ReceivedNotice, event), campaign)
    if template == RETURNED:
        return _returned(_as(SubmissionReturned, event), occurred_at, campaign)
    if template == REJECTED:
        return _rejected(_as(SubmissionRejected, event), occurred_at, campaign)
    if template == SCORED:
        return _scored(_as(SubmissionScored, event), occurred_at, campaign)
    raise ValueError(f"no template {template!r}")


def _as(model: type[M], event: BaseModel) -> M:
    return event if isinstance(event, model) else model.model_validate(event.model_dump())


def render_envelope(envelope: Envelope, campaign: Campaign | None = None) -> Mail:
    template, event = read(envelope)
    return render(template, event, occurred_at=envelope.occurred_at, campaign=campaign)


def _lao_th(lao: LaoSummary) -> str:
    return lao.name + (f" จังหวัด{lao.province_name}" if lao.province_name else "")


def _lao_en(lao: LaoSummary) -> str:
    return lao.name + (f" ({lao.province_name} province)" if lao.province_name else "")


def _greeting(contact: ContactSummary, lao: LaoSummary) -> tuple[str, str]:
    if contact.name:
        return f"เรียน คุณ{contact.name}", f"Dear {contact.name},"
    return f"เรียน ผู้ประสานงาน{lao.name}", f"Dear coordinator of {lao.name},"


def _campaign_th(event: SubmissionRef, campaign: Campaign | None) -> str:
    return campaign.title_th if campaign else f"รอบการคัดเลือก {event.campaign}"


def _campaign_en(event: SubmissionRef, campaign: Campaign | None) -> str:
    return campaign.title_en if campaign else f"campaign {event.campaign}"


def _reference_th(event: SubmissionRef, lao: LaoSummary, campaign: Campaign | None) -> list[str]:
    return [
        "ข้อมูลอ้างอิง",
        f"  หน่วยงาน: {_lao_th(lao)}",
        f"  รหัสการสมัคร: {event.submission_id}",
        f"  ฉบับที่: {event.revision}",
        f"  โครงการคัดเลือก: {_campaign_th(event, campaign)}",
    ]


def _reference_en(event: SubmissionRef, lao: LaoSummary, campaign: Campaign | None) -> list[str]:
    return [
        "Reference",
        f"  LAO: {_lao_en(lao)}",
        f"  Submission id: {event.submission_id}",
        f"  Revision: {event.revision}",
        f"  Selection: {_campaign_en(event, campaign)}",
    ]


def _compose(thai: list[str], english: list[str]) -> str:
    return "\n".join([*thai, "", SIGNATURE_TH, "", DIVIDER, "(English below / ภาษาอังกฤษ)", DIVIDER, "",
                      *english, "", SIGNATURE_EN, ""])


def _issue_lines(issues: list[Issue], language: str) -> list[str]:
    lines = []
    for number, issue in enumerate(issues, start=1):
        th_label, en_label = field_label(issue.field)
        if language == "th":
            note = " (ข้อสังเกต ไม่ต้องแก้ไขก็ได้)" if issue.severity == "warning" else ""
            lines.append(f"  {number}. {th_label}{note}")
            lines.append(f"     {issue.message_th}")
        else:
            note = " (note only; no change required)" if issue.severity == "warning" else ""
            lines.append(f"  {number}. {en_label}{note}")
            lines.append(f"     {issue.message_en}")
    return lines


def _received(event: ReceivedNotice, campaign: Campaign | None) -> Mail:
    lao = event.lao
    hello_th, hello_en = _greeting(event.contact, lao)
    thai = [hello_th, "",
            f"ระบบได้รับแบบรายงานผลการพัฒนาเมืองน่าอยู่อัจฉริยะ (Smart City) ของ{lao.name}แล้ว "
            f"เมื่อวันที่ {thai_datetime(event.received_at)}"]
    english = [hello_en, "",
               f"We have received the Smart City report form of {lao.name} on {english_datetime(event.received_at)}."]
    if event.revision > 1:
        thai.append(f"ข้อมูลฉบับนี้เป็นฉบับที่ {event.revision} ซึ่งใช้แทนข้อมูลที่ส่งไว้ก่อนหน้า")
        english.append(f"This is revision {event.revision}; it replaces what was submitted before.")
    thai.append("ขั้นต่อไป ระบบจะตรวจสอบความครบถ้วนและความถูกต้องของข้อมูล และแจ้งผลให้ทราบทางอีเมลนี้")
    english.append("Next, the system checks that the data is complete and correct, and tells you the result by "
                   "e-mail.")
    if campaign is not None:
        thai.append("หากต้องการแก้ไขข้อมูล สามารถส่งแบบรายงานผลใหม่ได้ภายในวันที่ "
                    f"{thai_datetime(campaign.submission_deadline)}")
        english.append("To change your data, submit the form again by "
                       f"{english_datetime(campaign.submission_deadline)}.")
    return Mail(
        template=RECEIVED,
        subject=f"ได้รับข้อมูลการสมัครแล้ว: {lao.name} / Submission received",
        body=_compose([*thai, "", *_reference_th(event, lao, campaign)],
                      [*english, "", *_reference_en(event, lao, campaign)]),
    )


def _returned(event: SubmissionReturned, occurred_at: datetime, campaign: Campaign | None) -> Mail:
    lao = event.lao
    hello_th, hello_en = _greeting(event.contact, lao)
    count = len(event.issues)
    thai = [hello_th, "",
            f"จากการตรวจสอบแบบรายงานผลของ{lao.name} (ฉบับที่ {event.revision}) "
            f"เมื่อวันที่ {thai_datetime(occurred_at)} พบประเด็นที่ต้องแก้ไข {count} รายการ ดังนี้", "",
            *_issue_lines(event.issues, "th"), "",
            "โปรดแก้ไขข้อมูลตามรายการข้างต้น แล้วส่งแบบรายงานผลใหม่ผ่านแบบฟอร์มเดิม"
            + (f" ภายในวันที่ {thai_datetime(campaign.submission_deadline)}" if campaign else ""),
            "ข้อมูลฉบับนี้จะยังไม่นำเข้าสู่การให้คะแนนจนกว่าจะได้รับข้อมูลที่แก้ไขแล้ว"]
    english = [hello_en, "",
               f"Checking the Smart City report form of {lao.name} (revision {event.revision}) on "
               f"{english_datetime(occurred_at)} found {count} point{'s' if count != 1 else ''} to correct:", "",
               *_issue_lines(event.issues, "en"), "",
               "Please correct them and submit the form again"
               + (f" by {english_datetime(campaign.submission_deadline)}" if campaign else "") + ".",
               "This revision is not scored until the corrected data is received."]
    return Mail(
        template=RETURNED,
        subject=f"โปรดแก้ไขข้อมูลการสมัคร: {lao.name} / Please correct your submission",
        body=_compose([*thai, "", *_reference_th(event, lao, campaign)],
                      [*english, "", *_reference_en(event, lao, campaign)]),
    )


def _rejected(event: SubmissionRejected, occurred_at: datetime, campaign: Campaign | None) -> Mail:
    lao = event.lao
    hello_th, hello_en = _greeting(event.contact, lao)
    reasons = [issue for issue in event.issues if issue.severity == "reject"] or list(event.issues)
    others = [issue for issue in event.issues if issue not in reasons]
    office_th = (f"สำนักงานส่งเสริมการปกครองท้องถิ่นจังหวัด{lao.province_name}" if lao.province_name
                 else "สำนักงานส่งเสริมการปกครองท้องถิ่นจังหวัดของท่าน")
    office_en = (f"the Provincial Local Administration Office of {lao.province_name}" if lao.province_name
                 else "your Provincial Local Administration Office")
    thai = [hello_th, "",
            f"ขอแจ้งว่าแบบรายงานผลของ{lao.name} (ฉบับที่ {event.revision}) ไม่สามารถเข้าร่วม"
            f"{_campaign_th(event, campaign)}ได้ ตามผลการตรวจสอบเมื่อวันที่ {thai_datetime(occurred_at)} "
            "ด้วยเหตุผลดังนี้", "",
            *_issue_lines(reasons, "th")]
    english = [hello_en, "",
               f"We regret that the Smart City report form of {lao.name} (revision {event.revision}) cannot take "
               f"part in the {_campaign_en(event, campaign)}, as checked on {english_datetime(occurred_at)}, "
               "for the following reason(s):", "",
               *_issue_lines(reasons, "en")]
    if others:
        thai += ["", "ข้อสังเกตเพิ่มเติม", *_issue_lines(others, "th")]
        english += ["", "Further points", *_issue_lines(others, "en")]
    thai += ["", f"หากเห็นว่าผลนี้ไม่ถูกต้อง โปรดติดต่อ{office_th}"]
    english += ["", f"If you believe this is wrong, please contact {office_en}."]
    return Mail(
        template=REJECTED,
        subject=f"ข้อมูลการสมัครไม่ผ่านเงื่อนไข: {lao.name} / Submission not accepted",
        body=_compose([*thai, "", *_reference_th(event, lao, campaign)],
                      [*english, "", *_reference_en(event, lao, campaign)]),
    )


def _criterion_rows(criteria: list[CriterionScore], language: str) -> list[str]:
    rows = []
    for number, criterion in enumerate(criteria, start=1):
        title = criterion.title_th if language == "th" else criterion.title_en
        committee = (" [คณะกรรมการพิจารณา]" if language == "th" else " [committee]") if criterion.manual else ""
        unit = "คะแนน" if language == "th" else "points"
        rows.append(f"  {number:>2}. {title}{committee} | {points(criterion.points)} / "
                    f"{points(criterion.max_points)} {unit}")
        reason = criterion.reason_th if language == "th" else criterion.reason_en
        if reason:
            rows.append(f"      {reason}")
    return rows


def _scored(event: SubmissionScored, occurred_at: datetime, campaign: Campaign | None) -> Mail:
    lao = event.lao
    hello_th, hello_en = _greeting(event.contact, lao)
    tier_th, tier_en = TIERS.get(event.tier, (event.tier, event.tier))
    size_th, size_en = SIZE_GROUPS.get(event.size_group, (event.size_group, event.size_group))
    total = f"{points(event.total)} / {points(event.max_total)}"
    has_manual = any(criterion.manual for criterion in event.criteria)
    thai = [hello_th, "",
            f"แบบรายงานผลของ{lao.name} (ฉบับที่ {event.revision}) ได้รับการประเมินตามเกณฑ์ฉบับ "
            f"{event.rubric_version} แล้ว เมื่อวันที่ {thai_datetime(occurred_at)}", "",
            f"  คะแนนรวม: {total} คะแนน",
            f"  ผลการประเมิน: {tier_th}",
            f"  กลุ่มขนาด: {size_th}" + (" (กำหนดจากประเภท อปท. เนื่องจากยังไม่มีข้อมูลขนาด)"
                                        if event.size_group_flagged else ""),
            "", "คะแนนรายเกณฑ์ (เกณฑ์ | คะแนนที่ได้ / คะแนนเต็ม)", *_criterion_rows(event.criteria, "th"), ""]
    english = [hello_en, "",
               f"The Smart City report form of {lao.name} (revision {event.revision}) was scored under rubric "
               f"{event.rubric_version} on {english_datetime(occurred_at)}.", "",
               f"  Total: {total} points",
               f"  Result: {tier_en}",
               f"  Size group: {size_en}" + (" (from the LAO type, as its size class is not known)"
                                            if event.size_group_flagged else ""),
               "", "Points per criterion (criterion | points / maximum)", *_criterion_rows(event.criteria, "en"),
               ""]
    if has_manual:
        thai.append("คะแนนของเกณฑ์ที่คณะกรรมการพิจารณาอาจเปลี่ยนแปลงเมื่อคณะกรรมการให้คะแนนแล้ว")
        english.append("Points of the criteria judged by the committee may change once the committee has scored.")
    thai.append("ผลคะแนนนี้ยังไม่ใช่ประกาศผลการคัดเลือก กรมส่งเสริมการปกครองท้องถิ่นจะประกาศรายชื่อ อปท. "
                "ที่ได้รับการคัดเลือกต่อไป")
    english.append("This score is not the selection itself: DLA announces the selected LAOs later.")
    return Mail(
        template=SCORED,
        subject=f"ผลคะแนน {lao.name}: {total} คะแนน, {tier_th} / Score: {total} points",
        body=_compose([*thai, "", *_reference_th(event, lao, campaign)],
                      [*english, "", *_reference_en(event, lao, campaign)]),
    )
