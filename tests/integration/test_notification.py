"""Notification against the real broker, the real store and a real SMTP server on a socket: events are
published to the bus as the other services publish them, e-mails arrive (or do not) at the SMTP sink."""

from __future__ import annotations

import asyncio
from email.header import decode_header, make_header
from email.message import Message
from typing import Any

import aio_pika
import httpx
from prometheus_client import REGISTRY

from devtools.infra import free_port
from services.intake.submission import Submission
from services.notification.mailer import message_id
from services.notification.service import SPEC
from shared.bus import Bus
from shared.events import (
    ContactSummary,
    CriterionScore,
    Envelope,
    Issue,
    LaoSummary,
    SubmissionReceived,
    SubmissionRef,
    SubmissionRejected,
    SubmissionReturned,
    SubmissionScored,
)
from shared.topology import Names
from tests.support import InProcessService, Namespace, SmtpSink, canonical_submission, eventually

ADDRESS = "smartcity@example.go.th"
MASKED = "sm***@example.go.th"
SUBMISSION_ID = "fy2568-4360101"
LAO = LaoSummary(name="เทศบาลเมืองชัยภูมิ", code="4360101", type="เทศบาลเมือง", province_code="36",
                 province_name="ชัยภูมิ", district_code="3601", district_name="เมืองชัยภูมิ")


# -- events as the upstream services publish them ------------------------------------------------------------


def _contact(email: str | None = ADDRESS) -> ContactSummary:
    return ContactSummary(name="สมชาย ใจดี", email=email)


def received(*, email: str | None = ADDRESS, submission_id: str = SUBMISSION_ID, revision: int = 1) -> Envelope:
    submission = Submission.model_validate(canonical_submission())
    data = SubmissionReceived(
        submission_id=submission_id, revision=revision, campaign="fy2568", source="api",
        source_response_id="resp-0001", received_at=submission.submitted_at, lao=LAO, contact=_contact(email),
        submission=submission,
    )
    return _envelope(data, "intake")


EDIT_URL = "https://docs.google.com/forms/d/e/1FAIpQLSf-reference/viewform?edit2=2_ABaOnudTest1"


def returned(edit_url: str | None = None) -> Envelope:
    issues = [
        Issue(code="LAO_TYPE_MISSING", field="lao.type", severity="return",
              message_th="ไม่ได้ระบุประเภทองค์กรปกครองส่วนท้องถิ่น", message_en="The LAO type is missing."),
        Issue(code="PROJECT_BUDGET_MISSING", field="projects[0].budget_thb", severity="return",
              message_th="โครงการที่ 1 ไม่ได้ระบุงบประมาณ", message_en="Project 1 has no budget."),
    ]
    data = SubmissionReturned(submission_id=SUBMISSION_ID, revision=1, campaign="fy2568", lao=LAO,
                              contact=_contact(), issues=issues, edit_url=edit_url)
    return _envelope(data, "validation")


def rejected() -> Envelope:
    issues = [Issue(code="SUBMITTED_LATE", field="submitted_at", severity="reject",
                    message_th="ส่งข้อมูลหลังกำหนด", message_en="Submitted after the deadline.")]
    data = SubmissionRejected(submission_id=SUBMISSION_ID, revision=2, campaign="fy2568", lao=LAO,
                              contact=_contact(), issues=issues)
    return _envelope(data, "validation")


def scored() -> Envelope:
    criteria = [
        CriterionScore(key="has_plan", section="readiness", title_th="มีแผนพัฒนาเมืองอัจฉริยะที่ผ่านความเห็นชอบ",
                       title_en="Approved smart city development plan", points=8, max_points=8,
                       reason_th="ตอบว่ามีแผน", reason_en="Answered yes"),
        CriterionScore(key="city_data_platform", section="data_platform",
                       title_th="มีแพลตฟอร์มข้อมูลเมือง (City Data Platform)", title_en="Has a City Data Platform",
                       points=0, max_points=6, reason_th="ตอบว่าไม่มี", reason_en="Answered no"),
    ]
    data = SubmissionScored(submission_id=SUBMISSION_ID, revision=1, campaign="fy2568", lao=LAO,
                            contact=_contact(), rubric_version="fy2568-v1", total=71.5, max_total=100,
                            tier="outstanding", size_group="medium", criteria=criteria)
    return _envelope(data, "scoring")


def _envelope(data: SubmissionRef, producer: str) -> Envelope:
    return Envelope.build(data, producer=producer, correlation_id=data.submission_id)


# -- fixtures and helpers --------------------------------------------------------------------------------


def subject(message: Message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def body(message: Message) -> str:
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode(message.get_content_charset() or "utf-8")


def handled(event_type: str) -> float:
    """Messages of this type the notification consumer has finished (acked or dead-lettered)."""
    labels = {"service": "notification", "event_type": event_type}
    return sum(REGISTRY.get_sample_value(name, labels) or 0.0 for name in (
        "smartcity_messages_consumed_total", "smartcity_messages_dead_lettered_total"))


async def wait_handled(event_type: str, before: float, count: int) -> None:
    async def done() -> bool:
        return handled(event_type) >= before + count
    await eventually(done, what=f"{count} x {event_type} handled")


async def log_entries(service: InProcessService, submission_id: str = SUBMISSION_ID) -> list[dict[str, Any]]:
    collection = service.component.state.log.notifications
    return await collection.find({"submission_id": submission_id}).to_list(None)


async def outcome_events(namespace: Namespace) -> list[Envelope]:
    """Drain the reporting queue (no reporting service runs here) and keep the notification events."""
    connection = await aio_pika.connect(namespace.infra.amqp_url)
    found = []
    try:
        channel = await connection.channel()
        queue = await channel.get_queue(Names(namespace.name).queue("reporting"), ensure=False)
        while (message := await queue.get(fail=False, no_ack=True)) is not None:
            envelope = Envelope.from_bytes(message.body)
            if envelope.event_type.startswith("notification."):
                found.append(envelope)
    finally:
        await connection.close()
    return found


async def collect_outcomes(namespace: Namespace, count: int) -> list[Envelope]:
    seen: list[Envelope] = []

    async def enough() -> list[Envelope] | None:
        seen.extend(await outcome_events(namespace))
        return seen if len(seen) >= count else None
    return await eventually(enough, what=f"{count} notification events")


class FlakySink(SmtpSink):
    """A real SMTP server that answers the first DATA of each message with a temporary error (451)."""

    def __init__(self, refuse_first: int = 1) -> None:
        super().__init__()
        self.refuse_first = refuse_first
        self.refused = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refused < self.refuse_first:
            self.refused += 1
            return "451 4.3.0 Temporary failure, try again later"
        return await super().handle_DATA(server, session, envelope)


class SlowSink(SmtpSink):
    """A real SMTP server that takes its time to accept a message."""

    def __init__(self, seconds: float) -> None:
        super().__init__()
        self.seconds = seconds
        self.receiving = False

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.receiving = True
        await asyncio.sleep(self.seconds)
        return await super().handle_DATA(server, session, envelope)


class RefusingSink(SmtpSink):
    """A real SMTP server that has no such mailbox (550 on RCPT), quoting the address as servers do."""

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: list[str]) -> str:
        return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"


# -- the tests -------------------------------------------------------------------------------------------


async def test_a_received_event_sends_one_email_and_a_redelivery_sends_none(
        namespace: Namespace, smtp: SmtpSink, publisher: Bus) -> None:
    envelope = received()
    before = handled("submission.received")
    async with InProcessService(SPEC, namespace.settings("notification", smtp_port=smtp.port)) as service:
        await publisher.publish(envelope)
        await eventually(lambda: _value(len(smtp.messages) == 1), what="one e-mail")
        await wait_handled("submission.received", before, 1)

        # The same event again (same event_id), as after a lost ack: nothing is sent twice.
        await publisher.publish(envelope)
        await wait_handled("submission.received", before, 2)
        await asyncio.sleep(0.3)
        assert len(smtp.messages) == 1

        [mail] = smtp.to(ADDRESS)
        assert subject(mail) == "ได้รับข้อมูลการสมัครแล้ว: เทศบาลเมืองชัยภูมิ / Submission received"
        text = body(mail)
        assert text.startswith("เรียน คุณสมชาย ใจดี")
        assert "24 พฤศจิกายน 2568 เวลา 10:15 น." in text
        assert text.index("ระบบได้รับแบบรายงานผล") < text.index("We have received")

        [entry] = await log_entries(service)
        key = f"{envelope.event_id}:received:{entry['recipient_hash']}"
        assert entry["_id"] == key
        assert mail["Message-ID"] == message_id(key, service.settings.mail_from)
        assert (entry["status"], entry["attempts"], entry["recipient"]) == ("sent", 1, MASKED)
        assert (entry["event_type"], entry["template"], entry["channel"]) == ("submission.received", "received",
                                                                              "email")
        assert (entry["submission_id"], entry["revision"], entry["campaign"]) == (SUBMISSION_ID, 1, "fy2568")
        assert entry["sent_at"] is not None and entry["created_at"] is not None

        [outcome] = await collect_outcomes(namespace, 1)
        assert outcome.event_type == "notification.sent"
        assert outcome.causation_id == envelope.event_id and outcome.correlation_id == SUBMISSION_ID
        assert outcome.data["notification_id"] == key and outcome.data["recipient"] == MASKED
        assert ADDRESS not in outcome.to_bytes().decode()
        await eventually(lambda: _no_outbox(service), what="outbox drained")
        assert await outcome_events(namespace) == []  # the redelivery published nothing either


async def test_copies_of_one_event_delivered_while_it_is_being_sent_send_one_email(
        namespace: Namespace, publisher: Bus) -> None:
    """Competing deliveries of one event: the claim in the log lets exactly one of them send; the others wait
    for its outcome instead of sending, and nothing ends up as a dead letter."""
    sink = SlowSink(seconds=0.5)
    sink.start()
    envelope = received()
    before = handled("submission.received")
    try:
        async with InProcessService(SPEC, namespace.settings("notification", smtp_port=sink.port)) as service:
            await publisher.publish(envelope)
            await eventually(lambda: _value(sink.receiving), what="the first copy is being sent")
            await asyncio.gather(*(publisher.publish(envelope) for _ in range(2)))
            await wait_handled("submission.received", before, 3)
            assert len(sink.messages) == 1
            [entry] = await log_entries(service)
            assert (entry["status"], entry["attempts"]) == ("sent", 1)
            assert await publisher.dead_letters("notification") == []
            assert [o.event_type for o in await collect_outcomes(namespace, 1)] == ["notification.sent"]
    finally:
        sink.stop()


async def test_returned_rejected_and_scored_each_email_their_content(
        namespace: Namespace, smtp: SmtpSink, publisher: Bus) -> None:
    async with InProcessService(SPEC, namespace.settings("notification", smtp_port=smtp.port)) as service:
        for envelope in (returned(), rejected(), scored()):
            await publisher.publish(envelope)
        await eventually(lambda: _value(len(smtp.messages) == 3), what="three e-mails")
        mails = {subject(m).split(":")[0]: body(m) for m in smtp.to(ADDRESS)}

        returned_body = mails["โปรดแก้ไขข้อมูลการสมัคร"]
        for text in ("1. ประเภทองค์กรปกครองส่วนท้องถิ่น (lao.type)", "ไม่ได้ระบุประเภทองค์กรปกครองส่วนท้องถิ่น",
                     "2. โครงการที่ 1: งบประมาณ (บาท) (projects[0].budget_thb)", "โครงการที่ 1 ไม่ได้ระบุงบประมาณ",
                     "1. LAO type (lao.type)", "The LAO type is missing.", "Project 1 has no budget."):
            assert text in returned_body

        rejected_body = mails["ข้อมูลการสมัครไม่ผ่านเงื่อนไข"]
        assert "ส่งข้อมูลหลังกำหนด" in rejected_body and "Submitted after the deadline." in rejected_body

        [scored_subject] = [subject(m) for m in smtp.messages if subject(m).startswith("ผลคะแนน")]
        assert scored_subject.startswith("ผลคะแนน เทศบาลเมืองชัยภูมิ: 71.5 / 100 คะแนน, ผ่านเกณฑ์ระดับโดดเด่น")
        scored_body = mails[scored_subject.split(":")[0]]
        assert "1. มีแผนพัฒนาเมืองอัจฉริยะที่ผ่านความเห็นชอบ | 8 / 8 คะแนน" in scored_body
        assert "2. มีแพลตฟอร์มข้อมูลเมือง (City Data Platform) | 0 / 6 คะแนน" in scored_body

        entries = await log_entries(service)
        assert sorted(e["template"] for e in entries) == ["rejected", "returned", "scored"]
        assert {e["status"] for e in entries} == {"sent"}
        outcomes = await collect_outcomes(namespace, 3)
        assert sorted(o.data["template"] for o in outcomes) == ["rejected", "returned", "scored"]


async def test_a_returned_email_carries_the_forms_edit_link_which_stays_out_of_the_log_and_events(
        namespace: Namespace, smtp: SmtpSink, publisher: Bus) -> None:
    async with InProcessService(SPEC, namespace.settings("notification", smtp_port=smtp.port)) as service:
        await publisher.publish(returned(EDIT_URL))
        await eventually(lambda: _value(len(smtp.messages) == 1), what="the returned e-mail")
        [mail] = smtp.to(ADDRESS)
        text = body(mail)
        thai, _, english = text.partition("(English below / ภาษาอังกฤษ)")
        for part in (thai, english):
            assert part.index("(projects[0].budget_thb)") < part.index(EDIT_URL + "\n")
        assert "ผ่านลิงก์แก้ไขคำตอบนี้" in thai and "with this edit link" in english

        # The link lets its holder change the answers: it is in the applicant's e-mail and nowhere else.
        [entry] = await log_entries(service)
        assert entry["status"] == "sent" and EDIT_URL not in repr(entry)
        [outcome] = await collect_outcomes(namespace, 1)
        assert EDIT_URL not in outcome.to_bytes().decode()


async def test_a_rescore_emails_nobody_and_a_committee_review_update_is_emailed_as_configured(
        namespace: Namespace, smtp: SmtpSink, publisher: Bus, tmp_path: Any) -> None:
    rescore, review = scored(), scored()
    rescore.data["trigger"], review.data["trigger"] = "rescore", "review"
    before = handled("submission.scored")
    async with InProcessService(SPEC, namespace.settings("notification", smtp_port=smtp.port)) as service:
        await publisher.publish(rescore)
        await publisher.publish(review)
        await wait_handled("submission.scored", before, 2)
        await eventually(lambda: _value(len(smtp.messages) == 1), what="the review update's e-mail")
        assert "คณะกรรมการได้ให้คะแนน" in body(smtp.messages[0])
        [entry] = await log_entries(service)
        assert entry["event_id"] == review.event_id  # the re-score left no trace in the log either

    # An operator who wants no e-mail for committee reviews says so in the routing file.
    routing = tmp_path / "routing.toml"
    routing.write_text("[scored]\non_review = false\n", encoding="utf-8")
    quiet = scored()
    quiet.data["trigger"] = "review"
    before = handled("submission.scored")
    async with InProcessService(SPEC, namespace.settings("notification", smtp_port=smtp.port,
                                                         notification_routing_file=str(routing))):
        await publisher.publish(quiet)
        await wait_handled("submission.scored", before, 1)
        await asyncio.sleep(0.2)
        assert len(smtp.messages) == 1


async def test_a_temporary_smtp_error_is_retried_and_sent_once(namespace: Namespace, publisher: Bus) -> None:
    sink = FlakySink()
    sink.start()
    try:
        async with InProcessService(SPEC, namespace.settings("notification", smtp_port=sink.port)) as service:
            await publisher.publish(received())
            await eventually(lambda: _value(len(sink.messages) == 1), what="the e-mail, on the second attempt")
            [entry] = await eventually(lambda: _sent(service), what="sent in the log")
            assert entry["attempts"] == 2 and entry["last_error"] is None
            assert sink.refused == 1
    finally:
        sink.stop()


async def test_an_unreachable_smtp_server_is_retried_then_recorded_as_failed(
        namespace: Namespace, publisher: Bus) -> None:
    nowhere = free_port()  # nothing listens here
    envelope = received()
    async with InProcessService(SPEC, namespace.settings("notification", smtp_port=nowhere)) as service:
        await publisher.publish(envelope)

        async def failed() -> dict[str, Any] | None:
            entries = await log_entries(service)
            return entries[0] if entries and entries[0]["status"] == "failed" else None

        entry = await eventually(failed, what="failed in the log")
        retries = len(service.settings.bus_retry_delays_ms)
        assert entry["attempts"] == retries + 1  # every delivery the bus gives, then it is recorded
        assert "Connect" in entry["last_error"] and entry["sent_at"] is None

        [outcome] = await collect_outcomes(namespace, 1)
        assert outcome.event_type == "notification.failed"
        assert outcome.data["attempts"] == retries + 1 and outcome.data["error"] == entry["last_error"]
        # Giving up was handled (recorded, announced): the message is done, not a dead letter.
        assert await publisher.dead_letters("notification") == []

        # A redelivery after giving up sends nothing and changes nothing.
        before = handled("submission.received")
        await publisher.publish(envelope)
        await wait_handled("submission.received", before, 1)
        [again] = await log_entries(service)
        assert (again["status"], again["attempts"]) == ("failed", retries + 1)


async def test_a_refused_recipient_fails_at_once_and_the_log_masks_the_address(
        namespace: Namespace, publisher: Bus) -> None:
    sink = RefusingSink()
    sink.start()
    try:
        async with InProcessService(SPEC, namespace.settings("notification", smtp_port=sink.port)) as service:
            await publisher.publish(received())

            async def failed() -> dict[str, Any] | None:
                entries = await log_entries(service)
                return entries[0] if entries and entries[0]["status"] == "failed" else None

            entry = await eventually(failed, what="failed in the log")
            assert entry["attempts"] == 1  # a 550 will not change: no retry
            assert "550" in entry["last_error"] and MASKED in entry["last_error"]
            assert ADDRESS not in entry["last_error"]
            [outcome] = await collect_outcomes(namespace, 1)
            assert outcome.event_type == "notification.failed" and ADDRESS not in outcome.to_bytes().decode()
    finally:
        sink.stop()


async def test_an_event_without_an_email_address_is_skipped(
        namespace: Namespace, smtp: SmtpSink, publisher: Bus) -> None:
    envelope = received(email=None)
    invalid = received(email="โทร 044-811-234", submission_id="fy2568-5360201")
    before = handled("submission.received")
    async with InProcessService(SPEC, namespace.settings("notification", smtp_port=smtp.port)) as service:
        for event in (envelope, invalid, envelope):
            await publisher.publish(event)
        await wait_handled("submission.received", before, 3)
        [entry] = await log_entries(service)
        assert (entry["status"], entry["skip_reason"], entry["recipient"]) == ("skipped", "no_contact_email", None)
        assert entry["_id"] == f"{envelope.event_id}:received:-"
        [other] = await log_entries(service, "fy2568-5360201")
        assert (other["status"], other["skip_reason"]) == ("skipped", "invalid_contact_email")
        assert smtp.messages == []
        assert await publisher.dead_letters("notification") == []


async def test_the_log_api_lists_a_submissions_notifications_with_masked_recipients(
        namespace: Namespace, smtp: SmtpSink, publisher: Bus) -> None:
    async with InProcessService(SPEC, namespace.settings("notification", smtp_port=smtp.port)) as service, \
            httpx.AsyncClient(base_url=service.url) as client:
        await publisher.publish(received())
        await publisher.publish(returned())
        await eventually(lambda: _value(len(smtp.messages) == 2), what="two e-mails")
        await eventually(lambda: _no_outbox(service), what="outbox drained")

        response = await client.get("/v1/notifications", params={"submission_id": SUBMISSION_ID})
        assert response.status_code == 200, response.text
        assert ADDRESS not in response.text and "recipient_hash" not in response.text
        listing = response.json()
        assert listing["submission_id"] == SUBMISSION_ID
        assert sorted(n["template"] for n in listing["notifications"]) == ["received", "returned"]
        for notification in listing["notifications"]:
            assert notification["recipient"] == MASKED
            assert notification["status"] == "sent" and notification["attempts"] == 1
            assert notification["notification_id"].startswith(notification["event_id"] + ":")
            assert "outbox" not in notification and "recipient_address" not in notification

        empty = await client.get("/v1/notifications", params={"submission_id": "fy2568-nothing"})
        assert empty.status_code == 200 and empty.json()["notifications"] == []
        everything = (await client.get("/v1/notifications")).json()["notifications"]
        assert [n["template"] for n in everything] == ["returned", "received"]  # newest first, any submission
        sent = await client.get("/v1/notifications", params={"status": "sent", "template": "received"})
        assert [n["template"] for n in sent.json()["notifications"]] == ["received"]
        assert (await client.get("/v1/notifications", params={"status": "lost"})).status_code == 422


async def test_the_notification_service_runs_as_its_own_process(namespace: Namespace) -> None:
    """`python -m services.notification` serves its health checks (the entry point the deployment runs)."""
    from tests.support import ARTIFACTS, ServiceProcess

    process = ServiceProcess("notification", namespace, ARTIFACTS / namespace.name)
    process.start()
    try:
        await asyncio.to_thread(process.wait_ready, 60)
        async with httpx.AsyncClient(base_url=process.url) as client:
            assert (await client.get("/health/live")).json()["service"] == "notification"
    finally:
        process.stop()


# -- small helpers ---------------------------------------------------------------------------------------


async def _value(result: bool) -> bool:
    return result


async def _sent(service: InProcessService) -> list[dict[str, Any]] | None:
    entries = await log_entries(service)
    return entries if entries and all(e["status"] == "sent" for e in entries) else None


async def _no_outbox(service: InProcessService) -> bool:
    collection = service.component.state.log.notifications
    return await collection.count_documents({"outbox_pending": True}) == 0

