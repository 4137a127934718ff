"""The notification texts: editable template files, Thai first then English, B.E. dates in Thai time (Thai digits
as an option), every issue, masked addresses; reminders and digests from an area's progress."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from services.intake.submission import Submission
from services.notification.application.notices import Applicant, read, submission_context
from services.notification.area import build_report
from services.notification.channels import DeliveryError
from services.notification.mailer import EmailChannel, message_id
from services.notification.privacy import mask, normalise_address, recipient_hash, scrub
from services.notification.recipients import Recipient
from services.notification.templates import (
    BUILTIN_DIR,
    DIVIDER,
    TEMPLATES,
    Message,
    TemplateBook,
    TemplateProblem,
)
from services.notification.text import english_datetime, field_label, points, thai_date, thai_datetime
from shared.campaign import Campaign, load_campaigns
from shared.events import (
    ContactSummary,
    CriterionScore,
    Envelope,
    Issue,
    LaoSummary,
    SubmissionReceived,
    SubmissionRejected,
    SubmissionReturned,
    SubmissionScored,
)
from shared.settings import Settings

BOOK = TemplateBook()
CAMPAIGN = load_campaigns(None).get("fy2568")
LAO = LaoSummary(name="เทศบาลเมืองชัยภูมิ", code="4360101", type="เทศบาลเมือง", province_code="36",
                 province_name="ชัยภูมิ", district_code="3601", district_name="เมืองชัยภูมิ")
CONTACT = ContactSummary(name="สมชาย ใจดี", email="smartcity@example.go.th")
# 24 Nov 2568 10:15 Thai time.
MOMENT = datetime(2025, 11, 24, 3, 15, tzinfo=UTC)
REF = {"submission_id": "fy2568-4360101", "revision": 1, "campaign": "fy2568"}


def render(template: str, event: Any, *, occurred_at: datetime = MOMENT, campaign: Campaign | None = None,
           book: TemplateBook = BOOK, recipient: Any = None) -> Message:
    """As the handler renders a submission template for the applicant."""
    shown = recipient or Applicant(name=event.contact.name)
    return book.render(template, recipient=shown, **submission_context(event, campaign, occurred_at))


def render_envelope(envelope: Envelope, campaign: Campaign | None = None) -> Message:
    _, template, event = read(envelope)
    assert template is not None
    return render(template, event, occurred_at=envelope.occurred_at, campaign=campaign)


def _thai_and_english(mail: Message) -> tuple[str, str]:
    thai, _, english = mail.body.partition(DIVIDER)
    assert english, "the English part follows the Thai part"
    return thai, english.rpartition(DIVIDER)[2]


def _received(**changes: object) -> SubmissionReceived:
    submission = Submission.model_validate({
        "campaign": "fy2568", "source": "api", "source_response_id": "resp-0001",
        "lao": {"name": "เทศบาลเมืองชัยภูมิ", "province": "ชัยภูมิ"},
    })
    values = {**REF, "source": "api", "source_response_id": "resp-0001", "received_at": MOMENT, "lao": LAO,
              "contact": CONTACT, "submission": submission, **changes}
    return SubmissionReceived.model_validate(values)


def _issues() -> list[Issue]:
    return [
        Issue(code="LAO_TYPE_MISSING", field="lao.type", severity="return",
              message_th="ไม่ได้ระบุประเภทองค์กรปกครองส่วนท้องถิ่น", message_en="The LAO type is missing."),
        Issue(code="PLAN_URL_INVALID", field="readiness.plan_url", severity="return",
              message_th="ลิงก์แผนพัฒนาเปิดไม่ได้", message_en="The plan link does not open."),
        Issue(code="BUDGET_MISSING", field="projects[1].budget_thb", severity="return",
              message_th="โครงการที่ 2 ไม่ได้ระบุงบประมาณ", message_en="Project 2 has no budget."),
        Issue(code="SOMETHING_NEW", field="some.future_field", severity="warning",
              message_th="ข้อสังเกตใหม่", message_en="A new kind of note."),
    ]


def _criteria() -> list[CriterionScore]:
    return [
        CriterionScore(key="has_plan", section="readiness", title_th="มีแผนพัฒนาเมืองอัจฉริยะที่ผ่านความเห็นชอบ",
                       title_en="Approved smart city development plan", points=8, max_points=8,
                       reason_th="ตอบว่ามีแผน", reason_en="Answered yes"),
        CriterionScore(key="depa_mark", section="readiness", title_th="ตราสัญลักษณ์ Smart City Thailand (DEPA)",
                       title_en="Smart City Thailand mark (DEPA)", points=4, max_points=8,
                       reason_th="อยู่ระหว่างยื่นขอ", reason_en="Applying"),
        CriterionScore(key="committee_review", section="committee", title_th="ผลการพิจารณาของคณะกรรมการ",
                       title_en="Committee review", points=12.5, max_points=30, manual=True,
                       reason_th="คณะกรรมการให้คะแนน", reason_en="Scored by the committee"),
    ]


def _scored(tier: str, total: float) -> SubmissionScored:
    return SubmissionScored.model_validate({
        **REF, "lao": LAO, "contact": CONTACT, "rubric_version": "fy2568-v1", "total": total, "max_total": 100,
        "tier": tier, "size_group": "medium", "size_group_th": "ขนาดกลาง", "size_group_en": "medium",
        "criteria": _criteria(),
    })


# -- dates, numbers, labels --------------------------------------------------------------------------------


def test_dates_are_thai_time_with_the_buddhist_era_year() -> None:
    assert thai_datetime(MOMENT) == "24 พฤศจิกายน 2568 เวลา 10:15 น."
    assert english_datetime(MOMENT) == "24 November 2025, 10:15 Thai time (UTC+7)"
    # 23:00 UTC on 31 Dec 2025 is already New Year's Day 2569 in Thailand.
    assert thai_datetime(datetime(2025, 12, 31, 23, 0, tzinfo=UTC)) == "1 มกราคม 2569 เวลา 06:00 น."
    assert thai_datetime(CAMPAIGN.submission_deadline) == "25 พฤศจิกายน 2568 เวลา 23:00 น."


def test_points_read_as_a_committee_writes_them() -> None:
    assert [points(8.0), points(7.5), points(12.25), points(0)] == ["8", "7.5", "12.25", "0"]


def test_an_issue_field_is_named_as_on_the_form_with_its_path() -> None:
    assert field_label("lao.type") == ("ประเภทองค์กรปกครองส่วนท้องถิ่น (lao.type)", "LAO type (lao.type)")
    assert field_label("projects[1].budget_thb") == (
        "โครงการที่ 2: งบประมาณ (บาท) (projects[1].budget_thb)", "project 2: budget (baht) (projects[1].budget_thb)")
    assert field_label("some.future_field") == ("some.future_field", "some.future_field")


# -- addresses ---------------------------------------------------------------------------------------------


def test_an_address_is_masked_to_its_first_letters_and_its_domain() -> None:
    assert mask("smartcity@example.go.th") == "sm***@example.go.th"
    assert mask("ab@example.go.th") == "a***@example.go.th"
    assert mask("x@example.go.th") == "x***@example.go.th"
    assert mask("not-an-address") == "***"


def test_addresses_inside_error_text_are_masked() -> None:
    text = "(550, '5.1.1 <smartcity@example.go.th>: Recipient address rejected'); also a.b@c.go.th"
    assert scrub(text) == "(550, '5.1.1 <sm***@example.go.th>: Recipient address rejected'); also a.***@c.go.th"
    assert "smartcity@" not in str(DeliveryError(text, permanent=True))


def test_only_a_usable_address_is_used() -> None:
    assert normalise_address("  smartcity@example.go.th ") == "smartcity@example.go.th"
    assert normalise_address(None) is None
    assert normalise_address("") is None
    assert normalise_address("โทร 044-811-234") is None
    assert normalise_address("two@words@example.go.th") is None
    assert recipient_hash("SmartCity@Example.go.th ") == recipient_hash("smartcity@example.go.th")


# -- the four e-mails --------------------------------------------------------------------------------------


def test_received_says_when_in_thai_then_english() -> None:
    envelope = Envelope.build(_received(), producer="intake", correlation_id=REF["submission_id"])
    mail = render_envelope(envelope, CAMPAIGN)
    assert mail.template == "received"
    assert mail.subject.startswith("ได้รับข้อมูลการสมัครแล้ว: เทศบาลเมืองชัยภูมิ")
    assert mail.subject.endswith("/ Submission received")
    thai, english = _thai_and_english(mail)
    assert thai.startswith("เรียน คุณสมชาย ใจดี")
    assert "24 พฤศจิกายน 2568 เวลา 10:15 น." in thai
    assert "25 พฤศจิกายน 2568 เวลา 23:00 น." in thai  # until when it can still be changed
    assert "fy2568-4360101" in thai
    assert english.strip().startswith("Dear สมชาย ใจดี,")
    assert "24 November 2025, 10:15 Thai time (UTC+7)" in english
    assert "revision" not in english.split("Reference")[0]  # a first submission replaces nothing


def test_received_of_a_later_revision_says_it_replaces_the_earlier_one() -> None:
    thai, english = _thai_and_english(render("received", _received(revision=3), occurred_at=MOMENT))
    assert "ฉบับที่ 3 ซึ่งใช้แทนข้อมูลที่ส่งไว้ก่อนหน้า" in thai
    assert "This is revision 3; it replaces what was submitted before." in english


def test_received_reads_an_event_whose_submission_has_fields_it_does_not_know() -> None:
    """Tolerant reader: an additive change to the canonical submission must not stop the e-mail."""
    data = _received().model_dump(mode="json")
    data["submission"]["a_field_added_later"] = "x"
    data["something_new"] = 1
    envelope = Envelope(event_type="submission.received", producer="intake", correlation_id="c", data=data)
    status, template, event = read(envelope)
    assert (status, template) == ("received", "received") and event.contact.email == "smartcity@example.go.th"


def test_returned_lists_every_issue_with_its_field_in_thai_and_in_english() -> None:
    event = SubmissionReturned.model_validate({**REF, "revision": 2, "lao": LAO, "contact": CONTACT,
                                               "issues": _issues()})
    mail = render("returned", event, occurred_at=MOMENT, campaign=CAMPAIGN)
    assert mail.subject == "โปรดแก้ไขข้อมูลการสมัคร: เทศบาลเมืองชัยภูมิ / Please correct your submission"
    thai, english = _thai_and_english(mail)
    assert "พบประเด็นที่ต้องแก้ไข 4 รายการ" in thai
    assert "found 4 points to correct" in english
    for number, issue in enumerate(_issues(), start=1):
        th_label, en_label = field_label(issue.field)
        assert f"{number}. {th_label}" in thai and issue.message_th in thai
        assert f"{number}. {en_label}" in english and issue.message_en in english
        assert issue.message_en not in thai and issue.message_th not in english
    assert "(ข้อสังเกต ไม่ต้องแก้ไขก็ได้)" in thai and "(note only; no change required)" in english
    assert "ภายในวันที่ 25 พฤศจิกายน 2568 เวลา 23:00 น." in thai
    assert "(ฉบับที่ 2)" in thai and "(revision 2)" in english


EDIT_URL = "https://docs.google.com/forms/d/e/1FAIpQLSf-reference/viewform?edit2=2_ABaOnudTest1"


def _returned_with_edit_link(edit_url: str | None = EDIT_URL) -> SubmissionReturned:
    return SubmissionReturned.model_validate({**REF, "lao": LAO, "contact": CONTACT, "issues": _issues(),
                                              "edit_url": edit_url})


def test_returned_with_the_forms_edit_link_asks_to_correct_the_response_in_place_in_thai_and_english() -> None:
    mail = render("returned", _returned_with_edit_link(), campaign=CAMPAIGN)
    thai, english = _thai_and_english(mail)
    for part in (thai, english):
        assert EDIT_URL + "\n" in part, "the link stands on a line of its own, as mail programs make it clickable"
        assert part.index(_issues()[-1].field) < part.index(EDIT_URL), "the link follows the list of what to fix"
    assert "ผ่านลิงก์แก้ไขคำตอบนี้ แล้วกดส่งอีกครั้ง ภายในวันที่ 25 พฤศจิกายน 2568 เวลา 23:00 น." in thai
    assert "โปรดอย่าส่งต่อให้ผู้อื่น" in thai
    assert "with this edit link, then submit it again by 25 November 2025, 23:00 Thai time (UTC+7):" in english
    assert "ส่งแบบรายงานผลใหม่ผ่านแบบฟอร์มเดิม" not in thai and "submit the form again" not in english


def test_the_line_text_of_a_returned_response_carries_the_edit_link_with_the_fields_to_fix() -> None:
    short = render("returned", _returned_with_edit_link(), campaign=CAMPAIGN).short
    assert f"แก้ไขคำตอบเดิม / Correct your response: {EDIT_URL}" in short
    assert all(field_label(issue.field)[0] in short for issue in _issues())
    long_list = _returned_with_edit_link().model_copy(update={"issues": _issues() * 200})
    cut = render("returned", long_list, campaign=CAMPAIGN).short
    assert cut.endswith("…") and EDIT_URL in cut, "a list cut at LINE's limit keeps the link"


def test_without_an_edit_link_the_returned_message_says_to_submit_the_form_again() -> None:
    mail = render("returned", _returned_with_edit_link(None), campaign=CAMPAIGN)
    thai, english = _thai_and_english(mail)
    assert "แล้วส่งแบบรายงานผลใหม่ผ่านแบบฟอร์มเดิม ภายในวันที่ 25 พฤศจิกายน 2568 เวลา 23:00 น." in thai
    assert "Please correct them and submit the form again by 25 November 2025, 23:00 Thai time (UTC+7)." in english
    assert "https://" not in mail.body and "https://" not in mail.short


def test_an_offices_copy_of_a_returned_response_never_carries_the_applicants_edit_link() -> None:
    # Whoever holds the link can change the answers: it is the applicant's alone.
    office = Recipient(kind="province", channel="line", address="U0123456789abcdef0123456789abcdef",
                       office="สำนักงานส่งเสริมการปกครองท้องถิ่นจังหวัดชัยภูมิ", areas=("36",))
    mail = render("returned", _returned_with_edit_link(), campaign=CAMPAIGN, recipient=office)
    assert EDIT_URL not in mail.body and EDIT_URL not in mail.short
    thai, english = _thai_and_english(mail)
    assert "ส่งถึงผู้ประสานงานทางอีเมลเท่านั้น" in thai and "goes to the coordinator's e-mail only" in english


def test_rejected_gives_the_reasons_then_other_points_and_whom_to_contact() -> None:
    reason = Issue(code="SUBMITTED_LATE", field="submitted_at", severity="reject",
                   message_th="ส่งข้อมูลหลังกำหนด 25 พ.ย. 2568 23:00 น.",
                   message_en="Submitted after the deadline of 25 Nov 2025 23:00.")
    event = SubmissionRejected.model_validate({**REF, "lao": LAO, "contact": CONTACT,
                                               "issues": [_issues()[0], reason]})
    mail = render("rejected", event, occurred_at=MOMENT, campaign=CAMPAIGN)
    assert mail.subject == "ข้อมูลการสมัครไม่ผ่านเงื่อนไข: เทศบาลเมืองชัยภูมิ / Submission not accepted"
    thai, english = _thai_and_english(mail)
    assert thai.index(reason.message_th) < thai.index("ข้อสังเกตเพิ่มเติม") < thai.index(_issues()[0].message_th)
    assert english.index(reason.message_en) < english.index("Further points")
    assert "1. เวลาที่ส่งแบบฟอร์ม (submitted_at)" in thai
    assert "สำนักงานส่งเสริมการปกครองท้องถิ่นจังหวัดชัยภูมิ" in thai
    assert "Provincial Local Administration Office of ชัยภูมิ" in english
    assert CAMPAIGN.title_th in thai


@pytest.mark.parametrize(("tier", "total", "thai_tier"), [
    ("outstanding", 82, "ผ่านเกณฑ์ระดับโดดเด่น"),
    ("efficient", 62.5, "ผ่านเกณฑ์ระดับมีประสิทธิภาพ"),
    ("not_selected", 24.5, "ยังไม่ผ่านเกณฑ์"),
])
def test_scored_gives_the_total_the_tier_and_the_points_of_every_criterion(
        tier: str, total: float, thai_tier: str) -> None:
    mail = render("scored", _scored(tier, total), occurred_at=MOMENT, campaign=CAMPAIGN)
    assert mail.subject.startswith(f"ผลคะแนน เทศบาลเมืองชัยภูมิ: {points(total)} / 100 คะแนน, {thai_tier}")
    thai, english = _thai_and_english(mail)
    assert f"คะแนนรวม: {points(total)} / 100 คะแนน" in thai
    assert f"ผลการประเมิน: {thai_tier}" in thai
    assert "กลุ่มขนาด: ขนาดกลาง" in thai
    assert f"Total: {points(total)} / 100 points" in english
    assert "1. มีแผนพัฒนาเมืองอัจฉริยะที่ผ่านความเห็นชอบ | 8 / 8 คะแนน" in thai
    assert "2. ตราสัญลักษณ์ Smart City Thailand (DEPA) | 4 / 8 คะแนน" in thai
    assert "3. ผลการพิจารณาของคณะกรรมการ [คณะกรรมการพิจารณา] | 12.5 / 30 คะแนน" in thai
    assert "3. Committee review [committee] | 12.5 / 30 points" in english
    assert "ยังไม่ใช่ประกาศผลการคัดเลือก" in thai
    assert "24 พฤศจิกายน 2568 เวลา 10:15 น." in thai


def test_without_a_name_or_campaign_the_mail_still_reads_well() -> None:
    event = SubmissionReturned.model_validate({**REF, "campaign": "fy2599", "lao": LaoSummary(name="ทต.บ้านเขว้า"),
                                               "contact": ContactSummary(email="x@example.go.th"),
                                               "issues": _issues()[:1]})
    thai, english = _thai_and_english(render("returned", event, occurred_at=MOMENT))
    assert thai.startswith("เรียน ผู้ประสานงานทต.บ้านเขว้า")
    assert "Dear coordinator of ทต.บ้านเขว้า," in english
    assert "รอบการคัดเลือก fy2599" in thai and "found 1 point to correct" in english


def test_an_event_that_breaks_its_contract_is_refused() -> None:
    envelope = Envelope(event_type="submission.scored", producer="scoring", correlation_id="c",
                        data={**REF, "lao": {"name": "x"}, "contact": {}, "tier": "gold"})
    with pytest.raises(ValidationError):
        read(envelope)


# -- the message on the wire -------------------------------------------------------------------------------


def test_the_message_id_follows_from_the_idempotency_key() -> None:
    sender = "Smart City Selection <no-reply@smartcity.example.go.th>"
    first = message_id("event-1:received:abc", sender)
    assert first == message_id("event-1:received:abc", sender)
    assert first != message_id("event-2:received:abc", sender)
    assert first.startswith("<") and first.endswith("@smartcity.example.go.th>")


def test_the_message_carries_thai_subject_and_body_in_utf8_without_losing_a_space() -> None:
    settings = Settings(amqp_url="amqp://guest:guest@127.0.0.1:5672/", mongodb_url="mongodb://127.0.0.1:1")
    mail = render("scored", _scored("efficient", 62.5), occurred_at=MOMENT)
    assert " 100 คะแนน" in mail.subject  # long enough to be folded over several encoded words
    built = EmailChannel(settings).build(mail, to="smartcity@example.go.th", key="k")
    message = message_from_bytes(built.as_bytes(), policy=policy.default)
    assert message["Subject"] == mail.subject
    assert message["From"] == settings.mail_from
    assert message["Message-ID"] == message_id("k", settings.mail_from)
    assert message["Auto-Submitted"] == "auto-generated"
    assert message.get_content_charset() == "utf-8"
    assert message.get_content() == mail.body


# -- every template, the options, the operators' files ------------------------------------------------------


def test_every_builtin_template_has_a_subject_a_thai_text_and_an_english_version() -> None:
    BOOK.check()
    for name in TEMPLATES:
        assert (BUILTIN_DIR / f"{name}.j2").is_file()


def test_thai_digits_option_writes_dates_and_numbers_in_thai_digits() -> None:
    assert thai_datetime(MOMENT, thai_digits=True) == "๒๔ พฤศจิกายน ๒๕๖๘ เวลา ๑๐:๑๕ น."
    assert thai_date(CAMPAIGN.submission_deadline, thai_digits=True) == "๒๕ พฤศจิกายน ๒๕๖๘"
    event = SubmissionReturned.model_validate({**REF, "revision": 2, "lao": LAO, "contact": CONTACT,
                                               "issues": _issues()})
    thai, english = _thai_and_english(render("returned", event, campaign=CAMPAIGN,
                                             book=TemplateBook(thai_digits=True)))
    assert "เมื่อวันที่ ๒๔ พฤศจิกายน ๒๕๖๘ เวลา ๑๐:๑๕ น." in thai and "พบประเด็นที่ต้องแก้ไข ๔ รายการ" in thai
    assert "(ฉบับที่ ๒)" in thai and "  ๑. ประเภทองค์กรปกครองส่วนท้องถิ่น (lao.type)" in thai
    # The English version keeps Western digits.
    assert "24 November 2025, 10:15 Thai time (UTC+7)" in english and "found 4 points" in english


def test_an_operators_template_file_replaces_the_builtin_one_of_its_name(tmp_path: Path) -> None:
    (tmp_path / "received.j2").write_text(
        "{% block subject %}รับแล้ว {{ lao.name }}{% endblock %}\n"
        "{% block th %}ได้รับแล้ว {{ event.received_at|thai_date }}{% endblock %}\n"
        "{% block en %}Received.{% endblock %}\n", encoding="utf-8")
    book = TemplateBook(tmp_path)
    book.check()
    mail = render("received", _received(), book=book)
    assert mail.subject == "รับแล้ว เทศบาลเมืองชัยภูมิ"
    assert mail.body.startswith("ได้รับแล้ว 24 พฤศจิกายน 2568\n")
    assert mail.short == "รับแล้ว เทศบาลเมืองชัยภูมิ\n\nได้รับแล้ว 24 พฤศจิกายน 2568"  # no short block: subject + Thai
    # The others are still the built-in ones.
    assert render("returned", SubmissionReturned.model_validate(
        {**REF, "lao": LAO, "contact": CONTACT, "issues": _issues()}), book=book).subject.startswith("โปรดแก้ไข")


@pytest.mark.parametrize(("content", "problem"), [
    ("{% block subject %}x{% endblock %}{% block th %}{% if %}{% endblock %}", "received.j2"),
    ("{% block subject %}x{% endblock %}{% block th %}y{% endblock %}", "no block en"),
])
def test_a_broken_operator_template_is_refused_at_start(tmp_path: Path, content: str, problem: str) -> None:
    (tmp_path / "received.j2").write_text(content, encoding="utf-8")
    with pytest.raises(TemplateProblem, match=problem):
        TemplateBook(tmp_path).check()


def test_a_misspelt_name_in_a_template_fails_instead_of_sending_a_blank(tmp_path: Path) -> None:
    (tmp_path / "received.j2").write_text(
        "{% block subject %}{{ lao.nmae }}{% endblock %}{% block th %}x{% endblock %}{% block en %}y{% endblock %}",
        encoding="utf-8")
    with pytest.raises(TemplateProblem, match="nmae"):
        render("received", _received(), book=TemplateBook(tmp_path))


def test_templates_run_in_a_sandbox(tmp_path: Path) -> None:
    (tmp_path / "received.j2").write_text(
        "{% block subject %}{{ lao.__class__.__mro__ }}{% endblock %}{% block th %}x{% endblock %}"
        "{% block en %}y{% endblock %}", encoding="utf-8")
    with pytest.raises(TemplateProblem):
        render("received", _received(), book=TemplateBook(tmp_path))


def test_an_office_copy_greets_the_office_and_says_whose_submission_it_is() -> None:
    office = Recipient(kind="district", channel="email", address="office@example.go.th",
                       office="สำนักงานส่งเสริมการปกครองท้องถิ่นอำเภอเมืองชัยภูมิ", areas=("3601",))
    event = SubmissionReturned.model_validate({**REF, "lao": LAO, "contact": CONTACT, "issues": _issues()})
    thai, english = _thai_and_english(render("returned", event, recipient=office))
    assert thai.startswith("เรียน สำนักงานส่งเสริมการปกครองท้องถิ่นอำเภอเมืองชัยภูมิ")
    assert "สำเนาเพื่อทราบ: เรื่องของเทศบาลเมืองชัยภูมิ" in thai
    assert "For your information: เทศบาลเมืองชัยภูมิ, in your area." in english


def test_a_committee_review_update_says_the_committee_added_its_points() -> None:
    event = _scored("outstanding", 82).model_copy(update={"trigger": "review"})
    thai, english = _thai_and_english(render("scored", event, campaign=CAMPAIGN))
    assert "คณะกรรมการได้ให้คะแนน" in thai and "The committee has added its points" in english


def test_the_line_text_is_short_and_within_lines_limit() -> None:
    event = SubmissionReturned.model_validate({**REF, "lao": LAO, "contact": CONTACT,
                                               "issues": _issues() * 200})
    mail = render("returned", event, campaign=CAMPAIGN)
    assert len(mail.body) > 5000 and len(mail.short) == 5000 and mail.short.endswith("…")
    assert mail.short.startswith("โปรดแก้ไขข้อมูลของเทศบาลเมืองชัยภูมิ (ฉบับที่ 1) 800 รายการ")


# -- reminders and digests ---------------------------------------------------------------------------------

REGISTRY = [{"_id": "36", "laos": [
    {"code": "4360101", "name": "เทศบาลเมืองชัยภูมิ", "type": "เทศบาลเมือง", "district_code": "3601",
     "district_name": "เมืองชัยภูมิ"},
    {"code": "5360116", "name": "เทศบาลตำบลโนนสำราญ", "type": "เทศบาลตำบล", "district_code": "3601",
     "district_name": "เมืองชัยภูมิ"},
    {"code": "6360105", "name": "องค์การบริหารส่วนตำบลนาฝาย", "type": "องค์การบริหารส่วนตำบล", "district_code": "3601"},
    {"code": "5360201", "name": "เทศบาลตำบลบ้านเขว้า", "type": "เทศบาลตำบล", "district_code": "3602",
     "district_name": "บ้านเขว้า"},
]}]
RETURNED_ONE = {"submission_id": "fy2568-4360101", "revision": 2, "status": "returned",
                "lao": {"name": "เทศบาลเมืองชัยภูมิ", "code": "4360101", "province_code": "36", "district_code": "3601",
                        "district_name": "เมืองชัยภูมิ", "name_key": "เทศบาลเมืองชัยภูมิ"}}
DISTRICT_OFFICE = Recipient(kind="district", channel="email", address="amphoe@example.go.th",
                            office="สถ.อ.เมืองชัยภูมิ", areas=("3601",))
WEEK_BEFORE = CAMPAIGN.submission_deadline - timedelta(days=7)


def _area(template: str, report: Any, recipient: Recipient = DISTRICT_OFFICE,
          left: timedelta = timedelta(days=7)) -> Message:
    return BOOK.render(template, recipient=recipient, report=report, campaign=CAMPAIGN,
                       campaign_th=CAMPAIGN.title_th, campaign_en=CAMPAIGN.title_en,
                       deadline=CAMPAIGN.submission_deadline, time_left=left, as_of=WEEK_BEFORE)


def test_a_reminder_lists_who_has_not_submitted_and_who_was_returned_and_not_fixed() -> None:
    report = build_report(("3601",), REGISTRY, [RETURNED_ONE], CAMPAIGN.eligible_lao_types)
    mail = _area("reminder", report)
    assert mail.subject.startswith("เตือนกำหนดส่ง: เหลือ 7 วัน, ติดตาม 2 แห่ง (อำเภอเมืองชัยภูมิ จังหวัดชัยภูมิ)")
    thai, english = _thai_and_english(mail)
    assert thai.startswith("เรียน สถ.อ.เมืองชัยภูมิ")
    assert "เหลือเวลาอีก 7 วัน ก่อนกำหนดส่ง" in thai and "ภายในวันที่ 25 พฤศจิกายน 2568 เวลา 23:00 น." in thai
    assert "(ยังไม่ส่งข้อมูล 1 แห่ง, ส่งคืนให้แก้ไขแต่ยังไม่ได้แก้ไข 1 แห่ง)" in thai
    assert "  1. เทศบาลตำบลโนนสำราญ อำเภอเมืองชัยภูมิ | ยังไม่ส่งข้อมูล (5360116)" in thai
    assert "  2. เทศบาลเมืองชัยภูมิ อำเภอเมืองชัยภูมิ | ส่งคืนให้แก้ไข ยังไม่ได้แก้ไข (4360101)" in thai
    # Not eligible (an อบต. in an FY2568 campaign for municipalities) and outside the district: not listed.
    assert "นาฝาย" not in thai and "บ้านเขว้า" not in thai
    assert "7 days remain before the submission deadline" in english
    assert "2. เทศบาลเมืองชัยภูมิ, เมืองชัยภูมิ district | returned for correction, not yet corrected" in english


def test_without_the_registry_a_reminder_lists_the_returned_ones_and_says_why() -> None:
    report = build_report(("3601",), [], [RETURNED_ONE], CAMPAIGN.eligible_lao_types)
    thai, english = _thai_and_english(_area("reminder", report, left=timedelta(hours=3)))
    assert "ยังไม่มีทะเบียน อปท. ของอำเภอเมืองชัยภูมิ จังหวัดชัยภูมิ ในระบบ" in thai
    assert "เหลือเวลาอีก 3 ชั่วโมง" in thai
    assert "1. เทศบาลเมืองชัยภูมิ อำเภอเมืองชัยภูมิ | ส่งคืนให้แก้ไข ยังไม่ได้แก้ไข" in thai
    assert "The LAO registry of Mueang Chaiyaphum district, Chaiyaphum is not loaded" in english
    assert "3 hours remain" in english


def test_a_provincial_digest_gives_the_figures_district_by_district() -> None:
    report = build_report(("36",), REGISTRY, [RETURNED_ONE], CAMPAIGN.eligible_lao_types, with_parts=True)
    province = Recipient(kind="province", channel="email", address="changwat@example.go.th",
                         office="สถ.จ.ชัยภูมิ", areas=("36",))
    mail = _area("digest", report, province, left=timedelta(days=3, hours=2))
    assert mail.subject == ("สรุปความคืบหน้า 18 พฤศจิกายน 2568: จังหวัดชัยภูมิ ส่งแล้ว 1/3 แห่ง / "
                            "Daily progress: 1/3 submitted")
    thai, english = _thai_and_english(mail)
    assert "เทศบาลในทะเบียน: 3 แห่ง" in thai and "ยังไม่ส่งข้อมูล: 2 แห่ง" in thai
    assert "    - ส่งคืนให้แก้ไข ยังไม่ได้แก้ไข: 1" in thai
    assert "  อำเภอเมืองชัยภูมิ จังหวัดชัยภูมิ | 1 / 2 | 1 | 1" in thai
    assert "  อำเภอบ้านเขว้า จังหวัดชัยภูมิ | 0 / 1 | 0 | 1" in thai
    assert "  Ban Khwao district, Chaiyaphum | 0 / 1 | 0 | 1" in english


def test_a_national_digest_gives_the_figures_province_by_province() -> None:
    report = build_report((), REGISTRY, [RETURNED_ONE], CAMPAIGN.eligible_lao_types, with_parts=True)
    national = Recipient(kind="national", channel="email", address="dla@example.go.th",
                         office="กองพัฒนาและส่งเสริมการบริหารงานท้องถิ่น")
    thai, english = _thai_and_english(_area("digest", report, national))
    assert "ของทั้งประเทศ" in thai and "  จังหวัดชัยภูมิ | 1 | 1 | 3" not in thai
    # Other provinces have no registry yet: the country's total is not known, Chaiyaphum's part is.
    assert "ยังไม่มีทะเบียน อปท. ในระบบ" in thai
    assert "  จังหวัดชัยภูมิ | 1 | 1 | 2" in thai
    assert "in the whole country" in english
