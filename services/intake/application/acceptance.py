"""Accepting one response: read it whatever it holds, normalise it into the canonical submission, store it with
its raw answers and its `submission.received` event before answering, and say where it went (a new
application, a new revision, a repeat, or history only) and which answers cannot be taken as written.

Only what makes a request no form response at all refuses it: no campaign, source or response id
(`not_a_response`), a campaign intake does not know, no answer at all, an unknown mapping."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from services.intake.application.queries import find_mapping
from services.intake.auth import Sender
from services.intake.mapping import Answer, MappingBook
from services.intake.normalise import canonical_submission, has_answers
from services.intake.reading import NotAResponse, read_submission
from services.intake.repository import Accepted, RevisionRaceLost, SubmissionStore
from services.intake.submission import AnswerProblem, Submission
from shared.campaign import CampaignBook
from shared.errors import FieldError, Invalid
from shared.logging import bound, get_logger

log = get_logger(__name__)


class Busy(Exception):
    """Many revisions of one LAO arrived at once and this one found no free revision number: send it again."""


@dataclass(frozen=True)
class FormAnswers:
    """One form response as a connector sends it: the answers keyed by question title."""

    response_id: str
    timestamp: str
    respondent_email: str | None
    answers: Mapping[str, Answer]
    campaign: str | None = None
    edit_url: str | None = None  # the applicant's own link to edit the response: personal, never logged


@dataclass(frozen=True)
class Receipt:
    """What intake answers for a response it took."""

    submission_id: str
    revision: int
    received_at: datetime
    duplicate: bool  # the same response (or the same answers) was already held: nothing new was stored
    current: bool  # False: a response this LAO sent later (by the form's time) is held; this one is history
    supersedes: int | None
    problems: tuple[AnswerProblem, ...]  # answers kept as written that cannot be taken: returned for correction
    unknown_questions: tuple[str, ...]  # answered questions (or JSON fields) the mapping does not know
    message_th: str
    message_en: str

    @property
    def status_url(self) -> str:
        return f"/v1/submissions/{self.submission_id}"


def now_ms() -> datetime:
    """The time of receipt. MongoDB keeps milliseconds: the time answered now is the time answered for a repeat
    later."""
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


class Acceptance:
    def __init__(self, store: SubmissionStore, mappings: MappingBook, campaigns: CampaignBook, *,
                 wake: Callable[[], None], store_timeout_seconds: float) -> None:
        self.store = store
        self.mappings = mappings
        self.campaigns = campaigns
        self.wake = wake  # the outbox relay: publish what was just stored
        self.store_timeout_seconds = store_timeout_seconds

    async def submit(self, body: dict[str, Any], sender: Sender) -> Receipt:
        """A response as canonical JSON, or the same fields with the raw Thai answers; `body` is kept as its raw
        answers."""
        try:
            reading = read_submission(body)
        except NotAResponse as refused:
            raise Invalid("not_a_response",
                          "คำขอนี้ไม่ใช่คำตอบแบบฟอร์ม: ต้องมี campaign, source และ source_response_id ที่ถูกต้อง",
                          "This request is not a form response: campaign, source and source_response_id "
                          "are required and must be valid.", errors=refused.errors) from None
        self._admit(reading.submission)
        if reading.unknown_fields:
            log.warning("submission has fields the canonical form does not know", unknown_fields=reading.unknown_fields)
        return await self._accept(canonical_submission(reading.submission), body, sender,
                                  unknown=reading.unknown_fields)

    async def form_response(self, mapping_name: str, response: FormAnswers, sender: Sender) -> Receipt:
        """A form connector's response, its answers read through the form's mapping
        (`source=google_form`, `source_response_id=response_id`)."""
        form = find_mapping(self.mappings, mapping_name)
        headers, values = form.response_row(response.timestamp, response.respondent_email, response.answers)
        plan = form.plan(headers)
        reading = form.read(plan, values, row=None, source="google_form", response_id=response.response_id,
                            campaign=response.campaign)
        self._admit(reading.submission)
        if plan.unknown:
            log.warning("form response has questions the mapping does not know", mapping=mapping_name,
                        unknown_questions=list(plan.unknown))
        raw = {"mapping": mapping_name, "response_id": response.response_id, "timestamp": response.timestamp,
               "respondent_email": response.respondent_email,
               "answers": [{"title": title, "value": value} for title, value in response.answers.items()]}
        return await self._accept(canonical_submission(reading.submission), raw, sender,
                                  unknown=plan.unknown, edit_url=response.edit_url)

    def _admit(self, submission: Submission) -> None:
        """What still refuses a response at the door: a campaign intake does not know, or no answer at all."""
        if submission.campaign not in self.campaigns:
            raise Invalid("campaign_unknown", "ไม่พบรอบการคัดเลือกนี้", "Unknown campaign.", errors=[
                FieldError(field="campaign", code="campaign_unknown", message_th="ไม่พบรอบการคัดเลือกนี้",
                           message_en=f"unknown campaign {submission.campaign!r}; known: "
                                      f"{', '.join(self.campaigns.keys())}")
            ])
        if not has_answers(submission):
            raise Invalid("no_answers", "คำตอบนี้ไม่มีข้อมูลใดเลย", "This response holds no answer at all.")

    async def _accept(self, submission: Submission, raw: dict[str, Any], sender: Sender, *,
                      unknown: Sequence[str] = (), edit_url: str | None = None) -> Receipt:
        try:
            # One response's acceptance as a whole is bounded: a store that is away is answered as unavailable
            # (shared/availability.py) well before a connector's own request timeout, never a hang.
            accepted = await self.store.accept(submission, raw, now_ms(), edit_url=edit_url,
                                               within_seconds=self.store_timeout_seconds)
        except RevisionRaceLost:
            raise Busy(submission.source_response_id) from None
        self.wake()
        problems = submission.answer_problems
        with bound(correlation_id=accepted.submission_id):
            log.info("submission accepted", revision=accepted.revision, duplicate=accepted.duplicate,
                     current=accepted.current, problems=[p.code for p in problems], source=submission.source,
                     sender=sender.rate_key)
        message_th, message_en = _messages(accepted, len(problems))
        return Receipt(
            submission_id=accepted.submission_id, revision=accepted.revision, received_at=accepted.received_at,
            duplicate=accepted.duplicate, current=accepted.current, supersedes=accepted.supersedes,
            problems=tuple(problems), unknown_questions=tuple(unknown),
            message_th=message_th, message_en=message_en,
        )


def _messages(accepted: Accepted, problems: int) -> tuple[str, str]:
    th, en = "ได้รับข้อมูลแล้ว", "Received"
    if accepted.duplicate:
        th, en = th + " (เคยส่งข้อมูลนี้แล้ว)", en + " (this response was already received)"
    elif not accepted.current:
        th += " (เก็บไว้เป็นประวัติ: มีคำตอบที่ส่งภายหลังของหน่วยงานนี้อยู่แล้ว จึงไม่แทนที่คำตอบนั้น)"
        en += (" (kept in the history: a response this LAO sent later is already held, and this older one does "
               "not replace it)")
    if problems and not accepted.duplicate:
        th += f" มีคำตอบ {problems} ข้อที่อ่านไม่ได้หรือไม่ครบ จะแจ้งให้แก้ไข"
        en += f"; {problems} answer(s) cannot be taken as written: the response will be returned for correction"
    return th, en
