"""Intake's public HTTP API: take a response (canonical JSON, a form connector's raw answers, or a whole
Sheets export), authenticate its sender, normalise it, store it with its event, answer where to follow it."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

import pymongo
from fastapi import APIRouter, Body, Depends, FastAPI, Path, Request, Response
from fastapi.responses import JSONResponse
from fastapi.security import APIKeyHeader
from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from pymongo.errors import PyMongoError
from starlette.datastructures import UploadFile

from services.intake import examples
from services.intake.auth import API_KEY_HEADER, SIGNATURE_HEADER, Authenticator, AuthError, Scope, Sender
from services.intake.imports import ImportRefused, csv_rows, import_rows
from services.intake.mapping import FormMapping, MappingBook, RowError
from services.intake.normalise import canonical_submission, has_answers
from services.intake.ratelimit import RateLimiter
from services.intake.reading import NotAResponse, read_submission
from services.intake.repository import Accepted, RevisionRaceLost, SubmissionStore
from services.intake.submission import AnswerProblem, Submission
from shared.campaign import CampaignBook
from shared.errors import ErrorBody, FieldError, error_response
from shared.logging import bound, get_logger
from shared.outbox import OutboxRelay

log = get_logger(__name__)
router = APIRouter(prefix="/v1")

# Documented as security schemes; read by the authenticator from the request itself.
_api_key = APIKeyHeader(
    name=API_KEY_HEADER, scheme_name="ApiKey", auto_error=False,
    description="An API key from `python -m services.intake.apikeys create --name ...` (also accepted as "
                "`Authorization: Bearer <key>`).",
)
_signature = APIKeyHeader(
    name=SIGNATURE_HEADER, scheme_name="FormSignature", auto_error=False,
    description="Form connectors: `sha256=` + hex HMAC-SHA256 over `X-Smartcity-Timestamp + \".\" + body`, with "
                "the source's shared secret. Send `X-Smartcity-Timestamp` (Unix seconds, within 5 minutes of "
                "the server's clock) and, when the source is not the mapping's name, `X-Smartcity-Source`. "
                "Each signature is accepted once.",
)

_RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait before trying again", "schema": {"type": "integer"}}}
_AUTH_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "Who sent this? No, wrong, expired or replayed credentials",
          "content": {"application/json": {"example": examples.UNAUTHORISED}}},
    403: {"model": ErrorBody, "description": "Known sender, not allowed: revoked key, missing scope, source "
                                             "without a secret"},
    429: {"model": ErrorBody, "description": "Too many requests from this sender", "headers": _RETRY_AFTER,
          "content": {"application/json": {"example": examples.TOO_MANY}}},
}
_WRITE_RESPONSES: dict[int | str, dict[str, Any]] = {
    **_AUTH_RESPONSES,
    400: {"model": ErrorBody, "description": "The body cannot be read (not UTF-8 JSON)"},
    413: {"model": ErrorBody, "description": "The body is larger than the limit"},
    503: {"model": ErrorBody, "description": "Busy or the store is unavailable: try again", "headers": _RETRY_AFTER},
}


# ---------------------------------------------------------------------------------------------------------
# Models

class ProblemDetail(FieldError):
    """One answer that could not be taken, or one reason a request was refused, in the form's own words."""

    column: str | None = Field(default=None, description="The question title / column header it came from")
    row: int | None = Field(default=None, description="The row of the sheet (the header is row 1)")
    written: str | None = Field(default=None, description="What was written, as written")


class SubmissionAccepted(BaseModel):
    submission_id: str = Field(description="Stable id of this LAO's application in this campaign")
    revision: int = Field(description="1 for the first response; each resubmission adds one")
    status: Literal["received"] = "received"
    duplicate: bool = Field(description="True when this response (or the same answers) had already been received")
    current: bool = Field(default=True, description="False when a response this LAO sent later (by the form's own "
                                                     "time) is already held: this one is kept in the history only")
    supersedes: int | None = Field(default=None, description="The revision this one replaces, if any")
    received_at: datetime
    status_url: str
    problems: list[ProblemDetail] = Field(
        default_factory=list,
        description="Answers kept as written that cannot be taken (unreadable, out of range, unknown choice, "
                    "missing): the response is accepted and will be returned for correction with them")
    unknown_questions: list[str] = Field(
        default_factory=list,
        description="Answered questions (or JSON fields) the mapping does not know: stored with the raw answers, "
                    "not mapped",
    )
    message_th: str
    message_en: str


class FormResponseAccepted(SubmissionAccepted):
    """The connector's answer (the same fields as for a JSON submission)."""


class RevisionSummary(BaseModel):
    revision: int
    source: str
    source_response_id: str
    received_at: datetime
    published: bool = Field(description="Whether submission.received has been handed to the bus")


class SubmissionHistory(BaseModel):
    submission_id: str
    campaign: str
    current_revision: int
    revisions: list[RevisionSummary]


class ProblemBody(BaseModel):
    error: str
    message_th: str
    message_en: str
    errors: list[ProblemDetail] = []


Title = Annotated[str, StringConstraints(min_length=1, max_length=500)]
AnswerText = Annotated[str, StringConstraints(max_length=10_000)]
AnswerValue = AnswerText | Annotated[list[Annotated[str, StringConstraints(max_length=2_000)]], Field(max_length=100)]


class FormResponse(BaseModel):
    """One Google Form response as the Apps Script connector sends it: the answers keyed by question title."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [examples.FORM_RESPONSE]})

    response_id: str = Field(min_length=1, max_length=200, description="The form's responseId (FormResponse.getId)")
    timestamp: str = Field(min_length=1, max_length=64,
                           description="The response's timestamp, ISO 8601 (`2025-11-25T15:41:07.123Z`)")
    respondent_email: str | None = Field(default=None, max_length=320,
                                         description="The address the form collected, if it collects addresses")
    answers: dict[Title, AnswerValue | None] = Field(
        max_length=300, description="Question title → answer: text, or a list (checkboxes, file uploads)")
    campaign: str | None = Field(default=None, pattern=r"^[a-z0-9_-]{2,32}$",
                                 description="Overrides the mapping's campaign")
    edit_url: str | None = Field(
        default=None, max_length=2_000, pattern=r"^https://",
        description="The response's own edit link (FormResponse.getEditResponseUrl): a returned response's "
                    "notice carries it so the municipality corrects its answers in place. Personal: never logged")


class ImportSummary(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.IMPORT_SUMMARY]})

    mapping: str
    campaign: str
    rows: int = Field(description="Data rows read (empty lines are skipped)")
    imported: int = Field(description="Rows that became a new application (revision 1)")
    new_revisions: int = Field(description="Rows that became a new revision of an application already held")
    duplicates: int = Field(description="Rows already held (this file imported before, or sent by the connector)")
    older: int = Field(default=0, description="Rows older (by the form's timestamp) than a response already held for "
                                              "the same LAO: kept in its history, they replace nothing")
    to_correct: int = Field(default=0, description="Rows accepted with answers that cannot be taken as written: "
                                                   "they will be returned for correction (see errors)")
    rejected: int = Field(description="Rows not taken at all: always 0 for rows that hold answers (kept for "
                                      "clients of earlier versions)")
    unknown_columns: list[str] = Field(description="Columns the mapping does not know: kept in the raw answers")
    errors: list[ProblemDetail] = Field(
        description="Every answer that cannot be taken, per row and column (Thai and English, what was written): "
                    "the row was accepted and will be returned for correction")
    errors_truncated: bool = Field(description="More problems than listed (the first 1,000 are)")
    stopped: ProblemDetail | None = Field(default=None, description="Set when the file could not be read to its end")
    message_th: str
    message_en: str


class MappingColumn(BaseModel):
    field: str
    titles: list[str]
    required: bool


class MappingSummary(BaseModel):
    name: str
    description: str
    campaign: str
    date_order: str
    timezone: str
    columns: list[MappingColumn]
    ignored: list[str]


# ---------------------------------------------------------------------------------------------------------
# Dependencies

class RateLimited(Exception):
    def __init__(self, retry_after: float) -> None:
        super().__init__(f"retry after {retry_after:.1f}s")
        self.retry_after = retry_after


def _state(request: Request, name: str) -> Any:
    return request.app.state.component.state[name]


async def _admit(request: Request, *, scope: Scope, body: bytes | None = None,
                 default_source: str | None = None) -> Sender:
    authenticator: Authenticator = _state(request, "auth")
    sender = await authenticator.sender(request, scope=scope, body=body, default_source=default_source)
    limiter: RateLimiter = _state(request, "limiter")
    wait = limiter.take(sender.rate_key)
    if wait > 0:
        raise RateLimited(wait)
    return sender


async def submit_sender(request: Request, _key: Annotated[str | None, Depends(_api_key)],
                        _sig: Annotated[str | None, Depends(_signature)]) -> Sender:
    return await _admit(request, scope="submit", body=await request.body())


async def form_sender(request: Request, mapping: str, _key: Annotated[str | None, Depends(_api_key)],
                      _sig: Annotated[str | None, Depends(_signature)]) -> Sender:
    return await _admit(request, scope="submit", body=await request.body(), default_source=mapping)


async def import_sender(request: Request, _key: Annotated[str | None, Depends(_api_key)]) -> Sender:
    # Before the upload is read: an unknown sender never gets a file spooled.
    return await _admit(request, scope="import")


async def reader(request: Request, _key: Annotated[str | None, Depends(_api_key)]) -> Sender:
    return await _admit(request, scope="read")


def install_auth_errors(app: FastAPI) -> None:
    @app.exception_handler(AuthError)
    async def refused(_: Request, exc: AuthError) -> JSONResponse:
        headers = {"WWW-Authenticate": f'ApiKey header="{API_KEY_HEADER}"'} if exc.status == 401 else None
        return error_response(exc.status, exc.code, exc.message_th, exc.message_en, headers=headers)

    @app.exception_handler(RateLimited)
    async def too_many(_: Request, exc: RateLimited) -> JSONResponse:
        seconds = max(1, math.ceil(exc.retry_after))
        return error_response(429, "rate_limited",
                              f"ส่งคำขอถี่เกินไป โปรดรอ {seconds} วินาทีแล้วลองใหม่",
                              f"Too many requests from this sender: retry after {seconds} s.",
                              headers={"Retry-After": str(seconds)})


# ---------------------------------------------------------------------------------------------------------
# Routes: submissions (canonical JSON)

@router.post(
    "/submissions",
    status_code=202,
    response_model=SubmissionAccepted,
    tags=["submissions"],
    summary="Submit one municipality's response (ส่งแบบรายงานผลของเทศบาล)",
    description="Canonical JSON (docs/intake.md), or the same fields with the raw Thai answers, which intake "
                "normalises. A repeat of a response already held answers 200 with `duplicate: true`.",
    responses={
        200: {"model": SubmissionAccepted, "description": "This response (or the same answers) was already received"},
        422: {"model": ProblemBody, "description": "Malformed input: each field, in Thai and English"},
        **_WRITE_RESPONSES,
    },
)
async def submit(
    request: Request,
    response: Response,
    body: Annotated[dict[str, Any], Body(
        description="The canonical submission (schema `Submission` in docs/events/submission.received.schema.json "
                    "and docs/intake.md); raw Thai answers are read too. Only `campaign`, `source` and "
                    "`source_response_id` are required: an answer that cannot be taken is kept as written and "
                    "the response is returned for correction.",
        openapi_examples={
            "canonical": {"summary": "Canonical values", "value": examples.SUBMISSION},
            "thai_answers": {"summary": "Raw Thai answers, normalised by intake", "value": examples.THAI_ANSWERS},
        })],
    sender: Annotated[Sender, Depends(submit_sender)],
) -> Any:
    try:
        reading = read_submission(body)
    except NotAResponse as refused:
        return error_response(422, "not_a_response",
                              "คำขอนี้ไม่ใช่คำตอบแบบฟอร์ม: ต้องมี campaign, source และ source_response_id ที่ถูกต้อง",
                              "This request is not a form response: campaign, source and source_response_id "
                              "are required and must be valid.", refused.errors)
    refusal = _refuse_campaign_or_empty(request, reading.submission)
    if refusal is not None:
        return refusal
    if reading.unknown_fields:
        log.warning("submission has fields the canonical form does not know", unknown_fields=reading.unknown_fields)
    return await _accept(request, response, canonical_submission(reading.submission), body, sender,
                         unknown=reading.unknown_fields)


# ---------------------------------------------------------------------------------------------------------
# Routes: the Google Forms connector

@router.post(
    "/forms/{mapping}/responses",
    status_code=202,
    response_model=FormResponseAccepted,
    tags=["form connector"],
    summary="One Google Form response, answers keyed by question title (จาก Google Apps Script)",
    description="What the Apps Script connector in `deploy/google-forms/` posts on every form submission and "
                "on a backfill. The mapping turns the answers into the canonical submission "
                "(`source=google_form`, `source_response_id=response_id`). Signed with the source's shared "
                "secret; repeats are safe (same response → `duplicate: true`).",
    responses={
        200: {"model": FormResponseAccepted, "description": "This response was already received"},
        404: {"model": ErrorBody, "description": "No mapping of this name"},
        422: {"model": ProblemBody, "description": "Answers that cannot be read, each with its question title",
              "content": {"application/json": {"example": examples.FORM_RESPONSE_INVALID}}},
        **_WRITE_RESPONSES,
    },
)
async def form_response(
    request: Request,
    response: Response,
    mapping: Annotated[str, Path(max_length=64, description="The form's mapping, e.g. `reference-form`")],
    body: FormResponse,
    sender: Annotated[Sender, Depends(form_sender)],
) -> Any:
    form = _mappings(request).get(mapping)
    if form is None:
        return _unknown_mapping(request, mapping)
    headers, values = form.response_row(body.timestamp, body.respondent_email, body.answers)
    plan = form.plan(headers)
    reading = form.read(plan, values, row=None, source="google_form", response_id=body.response_id,
                        campaign=body.campaign)
    refusal = _refuse_campaign_or_empty(request, reading.submission)
    if refusal is not None:
        return refusal
    if plan.unknown:
        log.warning("form response has questions the mapping does not know", mapping=mapping,
                    unknown_questions=list(plan.unknown))
    raw = {"mapping": mapping, "response_id": body.response_id, "timestamp": body.timestamp,
           "respondent_email": body.respondent_email,
           "answers": [{"title": title, "value": value} for title, value in body.answers.items()]}
    return await _accept(request, response, canonical_submission(reading.submission), raw, sender,
                         unknown=plan.unknown, edit_url=body.edit_url)


# ---------------------------------------------------------------------------------------------------------
# Routes: CSV import

_IMPORT_BODY = {
    "required": True,
    "content": {"multipart/form-data": {
        "schema": {
            "type": "object",
            "required": ["file", "mapping"],
            "properties": {
                "file": {"type": "string", "format": "binary",
                         "description": "The Sheets export (File > Download > CSV): UTF-8, with or without BOM"},
                "mapping": {"type": "string", "maxLength": 64, "example": "reference-form",
                            "description": "The form's mapping"},
                "campaign": {"type": "string", "pattern": "^[a-z0-9_-]{2,32}$",
                             "description": "Overrides the mapping's campaign"},
                "date_order": {"type": "string", "enum": ["DMY", "MDY"],
                               "description": "How the sheet writes dates: DMY (Thai, British) or MDY (US English); "
                                              "default: the mapping's"},
                "first_row": {"type": "integer", "minimum": 2, "maximum": 10_000_000,
                              "description": "The sheet row of the first data row sent (default 2; the "
                                             "importer tool sends large files in parts)"},
            },
        },
    }},
}


@router.post(
    "/imports",
    response_model=ImportSummary,
    tags=["CSV import"],
    summary="Import a Google Sheets export (นำเข้าไฟล์ CSV จาก Google Sheets)",
    description="Reads the file row by row (never whole into memory): every required column must be present or "
                "nothing is imported; then good rows go through while each bad row is reported (row, column, "
                "reason in Thai and English). Importing the same file twice creates nothing new. "
                "Command-line tool with a progress bar: `python -m services.intake.importer FILE --mapping NAME`.",
    openapi_extra={"requestBody": _IMPORT_BODY},
    responses={
        422: {"model": ProblemBody, "description": "Nothing imported: a required column is missing, the file is "
                                                  "not UTF-8 CSV, or a form field is wrong",
              "content": {"application/json": {"example": examples.IMPORT_REFUSED}}},
        **_WRITE_RESPONSES,
    },
)
async def import_csv(request: Request, sender: Annotated[Sender, Depends(import_sender)]) -> Any:
    try:
        form = await request.form(max_files=1, max_fields=10)
    except Exception as error:  # a body that is not multipart, or a malformed one
        return _problems(422, "invalid_import", "ต้องส่งแบบ multipart/form-data มีช่อง file และ mapping",
                         f"Send multipart/form-data with the fields file and mapping ({type(error).__name__}).", [])
    try:
        problems: list[RowError] = []
        upload, mapping_name = form.get("file"), form.get("mapping")
        if not isinstance(upload, UploadFile):
            problems.append(_form_problem("file", "ต้องแนบไฟล์ CSV ในช่อง file", "attach the CSV file as `file`"))
        mapping = _mappings(request).get(mapping_name) if isinstance(mapping_name, str) else None
        if mapping is None:
            known = ", ".join(_mappings(request).names())
            problems.append(_form_problem("mapping", f"ไม่รู้จักไฟล์จับคู่นี้ (มี: {known})",
                                          f"unknown mapping {mapping_name!r}; known: {known}"))
        options = _import_options(form, problems)
        if problems or mapping is None or not isinstance(upload, UploadFile):
            return _problems(422, "invalid_import", "คำขอนำเข้าไม่ถูกต้อง", "The import request is not valid.",
                             problems)
        campaign = options.get("campaign") or mapping.campaign
        if campaign not in _campaigns(request):
            return _problems(422, "invalid_import", "คำขอนำเข้าไม่ถูกต้อง", "The import request is not valid.",
                             [_form_problem("campaign", "ไม่พบรอบการคัดเลือกนี้", f"unknown campaign {campaign!r}")])
        return await _run_import(request, upload, mapping, campaign, options, sender)
    finally:
        await form.close()


async def _run_import(request: Request, upload: UploadFile, mapping: FormMapping, campaign: str,
                      options: dict[str, Any], sender: Sender) -> Any:
    store: SubmissionStore = _state(request, "store")
    relay: OutboxRelay = request.app.state.context.relay

    async def accept(batch: Any) -> list[Accepted]:
        accepted = await store.accept_many(batch, _now_ms())
        relay.notify()
        return accepted

    try:
        result = await import_rows(csv_rows(upload.file), mapping, accept, campaign=campaign,
                                   date_order=options.get("date_order"), first_row=options.get("first_row", 2),
                                   file_name=upload.filename)
    except ImportRefused as refused:
        return _problems(422, refused.code, refused.message_th, refused.message_en, refused.errors)
    except PyMongoError as error:
        log.error("import interrupted: store unavailable", error=type(error).__name__)
        return error_response(503, "store_unavailable",
                              "ระบบจัดเก็บข้อมูลไม่พร้อม แถวที่นำเข้าแล้วยังอยู่ นำเข้าไฟล์เดิมซ้ำได้อย่างปลอดภัย",
                              "The store is unavailable; rows already imported stay. Importing the same file "
                              "again is safe.", headers={"Retry-After": "30"})
    log.info("csv imported", mapping=mapping.name, sender=sender.rate_key, rows=result.rows,
             imported=result.imported, new_revisions=result.new_revisions, duplicates=result.duplicates,
             rejected=result.rejected)
    return ImportSummary(
        mapping=mapping.name, campaign=campaign, rows=result.rows, imported=result.imported,
        new_revisions=result.new_revisions, duplicates=result.duplicates, older=result.older,
        to_correct=result.to_correct, rejected=result.rejected,
        unknown_columns=result.unknown_columns, errors=[_detail(e) for e in result.errors],
        errors_truncated=result.errors_truncated, stopped=_detail(result.stopped) if result.stopped else None,
        message_th=f"รับไว้ทุกแถว: ใหม่ {result.imported} รายการ, ฉบับแก้ไข {result.new_revisions}, "
                   f"ซ้ำ {result.duplicates}, เก่ากว่าที่มีอยู่ (เก็บเป็นประวัติ) {result.older}; "
                   f"ในจำนวนนี้ {result.to_correct} แถวมีคำตอบที่ต้องแก้ไข จะส่งกลับให้แก้ไข",
        message_en=f"Every row accepted: {result.imported} new, {result.new_revisions} new revisions, "
                   f"{result.duplicates} duplicates, {result.older} older than what is held (kept as history); "
                   f"{result.to_correct} of them have answers to correct and will be returned for correction",
    )


def _import_options(form: Any, problems: list[RowError]) -> dict[str, Any]:
    options: dict[str, Any] = {}
    campaign = form.get("campaign")
    if isinstance(campaign, str) and campaign:
        options["campaign"] = campaign
    date_order = form.get("date_order")
    if isinstance(date_order, str) and date_order:
        if date_order.upper() in ("DMY", "MDY"):
            options["date_order"] = date_order.upper()
        else:
            problems.append(_form_problem("date_order", "ต้องเป็น DMY หรือ MDY", "must be DMY or MDY"))
    first_row = form.get("first_row")
    if isinstance(first_row, str) and first_row:
        if first_row.isdigit() and 2 <= int(first_row) <= 10_000_000:
            options["first_row"] = int(first_row)
        else:
            problems.append(_form_problem("first_row", "ต้องเป็นเลขแถว 2 ขึ้นไป", "must be a row number, 2 or more"))
    return options


# ---------------------------------------------------------------------------------------------------------
# Routes: reading back

@router.get(
    "/submissions/{submission_id}",
    response_model=SubmissionHistory,
    tags=["submissions"],
    summary="Every revision intake holds for one application",
    responses={404: {"model": ErrorBody}, **_AUTH_RESPONSES},
)
async def history(request: Request, submission_id: Annotated[str, Path(max_length=100)],
                  _: Annotated[Sender, Depends(reader)]) -> Any:
    documents = await _store(request).history(submission_id)
    if not documents:
        return _not_found(submission_id)
    return SubmissionHistory(
        submission_id=submission_id,
        campaign=documents[0]["campaign"],
        current_revision=documents[0]["revision"],
        revisions=[RevisionSummary(
            revision=d["revision"], source=d["source"], source_response_id=d["source_response_id"],
            received_at=d["received_at"], published=not d.get("outbox"),
        ) for d in documents],
    )


@router.get(
    "/submissions/{submission_id}/revisions/{revision}",
    tags=["submissions"],
    summary="One revision as received: the raw answers beside the canonical submission",
    responses={200: {"description": "The stored revision: `raw` as sent, `canonical` as normalised",
                     "content": {"application/json": {"schema": {"type": "object"}}}},
               404: {"model": ErrorBody}, 422: {"model": ProblemBody}, **_AUTH_RESPONSES},
)
async def revision(request: Request, submission_id: Annotated[str, Path(max_length=100)],
                   revision: Annotated[int, Path(ge=1, le=100_000)], _: Annotated[Sender, Depends(reader)]) -> Any:
    document = await _store(request).revision(submission_id, revision)
    if document is None:
        return _not_found(submission_id)
    document.pop("_id", None)
    return JSONResponse(_jsonable(document))


@router.get("/mappings", response_model=list[MappingSummary], tags=["form connector"],
            summary="The form mappings intake knows (question title → canonical field)")
async def mappings(request: Request) -> Any:
    book = _mappings(request)
    return [_mapping_summary(book.get(name)) for name in book.names()]


@router.get("/mappings/{name}", response_model=MappingSummary, tags=["form connector"],
            summary="One form mapping: each field, its current title and its aliases",
            responses={404: {"model": ErrorBody}})
async def mapping(request: Request, name: Annotated[str, Path(max_length=64)]) -> Any:
    found = _mappings(request).get(name)
    if found is None:
        return _unknown_mapping(request, name)
    return _mapping_summary(found)


# ---------------------------------------------------------------------------------------------------------
# Helpers

async def _accept(request: Request, response: Response, submission: Submission, raw: dict[str, Any],
                  sender: Sender, *, unknown: Sequence[str] = (), edit_url: str | None = None) -> Any:
    try:
        # One response's acceptance as a whole is bounded: a store that is away answers 503 with Retry-After
        # (shared/availability.py) well before a connector's own request timeout, never a hang.
        with pymongo.timeout(request.app.state.context.settings.store_timeout_seconds):
            accepted = await _store(request).accept(submission, raw, _now_ms(), edit_url=edit_url)
    except RevisionRaceLost:
        return error_response(503, "busy", "มีการส่งข้อมูลของหน่วยงานนี้พร้อมกันหลายครั้ง โปรดลองใหม่",
                              "Many revisions of this LAO arrived at once; please retry.",
                              headers={"Retry-After": "1"})
    relay: OutboxRelay = request.app.state.context.relay
    relay.notify()
    problems = submission.answer_problems
    with bound(correlation_id=accepted.submission_id):
        log.info("submission accepted", revision=accepted.revision, duplicate=accepted.duplicate,
                 current=accepted.current, problems=[p.code for p in problems], source=submission.source,
                 sender=sender.rate_key)
    if accepted.duplicate:
        response.status_code = 200
    message_th, message_en = _accepted_messages(accepted, len(problems))
    return SubmissionAccepted(
        submission_id=accepted.submission_id,
        revision=accepted.revision,
        duplicate=accepted.duplicate,
        current=accepted.current,
        supersedes=accepted.supersedes,
        received_at=accepted.received_at,
        status_url=f"/v1/submissions/{accepted.submission_id}",
        problems=[_answer_detail(p) for p in problems],
        unknown_questions=list(unknown),
        message_th=message_th,
        message_en=message_en,
    )


def _accepted_messages(accepted: Accepted, problems: int) -> tuple[str, str]:
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


def _answer_detail(problem: AnswerProblem) -> ProblemDetail:
    return ProblemDetail(field=problem.field, code=problem.code, message_th=problem.message_th,
                         message_en=problem.message_en, column=problem.question, written=problem.written)


def _refuse_campaign_or_empty(request: Request, submission: Submission) -> JSONResponse | None:
    """What still refuses a response at the door: a campaign intake does not know, or no answer at all."""
    campaigns = _campaigns(request)
    if submission.campaign not in campaigns:
        return error_response(422, "campaign_unknown", "ไม่พบรอบการคัดเลือกนี้", "Unknown campaign.", [
            FieldError(field="campaign", code="campaign_unknown", message_th="ไม่พบรอบการคัดเลือกนี้",
                       message_en=f"unknown campaign {submission.campaign!r}; known: {', '.join(campaigns.keys())}")
        ])
    if not has_answers(submission):
        return error_response(422, "no_answers", "คำตอบนี้ไม่มีข้อมูลใดเลย",
                              "This response holds no answer at all.")
    return None


def _problems(status: int, code: str, message_th: str, message_en: str, errors: list[RowError]) -> JSONResponse:
    body = ProblemBody(error=code, message_th=message_th, message_en=message_en,
                       errors=[_detail(e) for e in errors])
    return JSONResponse(body.model_dump(), status_code=status)


def _detail(error: RowError) -> ProblemDetail:
    return ProblemDetail(field=error.field, code=error.code, message_th=error.message_th,
                         message_en=error.message_en, column=error.column, row=error.row, written=error.written)


def _form_problem(name: str, message_th: str, message_en: str) -> RowError:
    return RowError(row=None, column=None, field=name, code="invalid", message_th=message_th, message_en=message_en)


def _mapping_summary(mapping: FormMapping | None) -> MappingSummary:
    assert mapping is not None
    return MappingSummary.model_validate(mapping.summary())


def _unknown_mapping(request: Request, name: str) -> JSONResponse:
    known = ", ".join(_mappings(request).names())
    return error_response(404, "mapping_unknown", f"ไม่พบไฟล์จับคู่แบบฟอร์ม '{name}' (มี: {known})",
                          f"No form mapping {name!r}; known: {known}.")


def _store(request: Request) -> SubmissionStore:
    store: SubmissionStore = _state(request, "store")
    return store


def _mappings(request: Request) -> MappingBook:
    book: MappingBook = _state(request, "mappings")
    return book


def _campaigns(request: Request) -> CampaignBook:
    campaigns: CampaignBook = request.app.state.context.campaigns
    return campaigns


def _now_ms() -> datetime:
    # MongoDB keeps milliseconds: the time answered now is the time answered for a repeat later.
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def _not_found(submission_id: str) -> JSONResponse:
    return error_response(404, "not_found", f"ไม่พบข้อมูลการส่ง {submission_id}",
                          f"No submission {submission_id}")


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return value
