"""Intake's routes: take a response (canonical JSON, a form connector's answers, or a whole Sheets export) from
an authenticated sender, and read back what was received and the form mappings. Each route reads the request,
calls its use case (services/intake/application) and answers with its model; refusals are `shared.errors`
Problems, answered by the shared runtime."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Request, Response
from fastapi.responses import JSONResponse
from starlette.datastructures import UploadFile

from services.intake import examples
from services.intake.api.deps import (
    AcceptanceDep,
    FormSender,
    ImportsDep,
    ImportSender,
    QueriesDep,
    Reader,
    SubmitSender,
)
from services.intake.api.models import (
    AUTH_RESPONSES,
    WRITE_RESPONSES,
    FormResponse,
    FormResponseAccepted,
    ImportSummary,
    MappingSummary,
    ProblemBody,
    ProblemDetail,
    RevisionSummary,
    SubmissionAccepted,
    SubmissionHistory,
)
from services.intake.application.acceptance import Busy, FormAnswers, Receipt
from services.intake.application.imports import ImportInterrupted, ImportRefused, ImportRequest
from services.intake.mapping import FormMapping
from shared.errors import ErrorBody, Invalid, Refused, status_of

router = APIRouter(prefix="/v1")


# ---------------------------------------------------------------------------------------------------------
# Submissions (canonical JSON)

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
        **WRITE_RESPONSES,
    },
)
async def submit(
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
    sender: SubmitSender,
    acceptance: AcceptanceDep,
) -> Any:
    try:
        receipt = await acceptance.submit(body, sender)
    except Busy:
        raise _busy() from None
    return _accepted(response, receipt, SubmissionAccepted)


# ---------------------------------------------------------------------------------------------------------
# The Google Forms connector

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
        **WRITE_RESPONSES,
    },
)
async def form_response(
    response: Response,
    mapping: Annotated[str, Path(max_length=64, description="The form's mapping, e.g. `reference-form`")],
    body: FormResponse,
    sender: FormSender,
    acceptance: AcceptanceDep,
) -> Any:
    answers = FormAnswers(response_id=body.response_id, timestamp=body.timestamp,
                          respondent_email=body.respondent_email, answers=body.answers, campaign=body.campaign,
                          edit_url=body.edit_url)
    try:
        receipt = await acceptance.form_response(mapping, answers, sender)
    except Busy:
        raise _busy() from None
    return _accepted(response, receipt, FormResponseAccepted)


def _accepted(response: Response, receipt: Receipt, model: type[SubmissionAccepted]) -> SubmissionAccepted:
    if receipt.duplicate:
        response.status_code = 200
    return model(
        submission_id=receipt.submission_id,
        revision=receipt.revision,
        duplicate=receipt.duplicate,
        current=receipt.current,
        supersedes=receipt.supersedes,
        received_at=receipt.received_at,
        status_url=receipt.status_url,
        problems=[ProblemDetail.of_answer(p) for p in receipt.problems],
        unknown_questions=list(receipt.unknown_questions),
        message_th=receipt.message_th,
        message_en=receipt.message_en,
    )


def _busy() -> Refused:
    return Refused(503, "busy", "มีการส่งข้อมูลของหน่วยงานนี้พร้อมกันหลายครั้ง โปรดลองใหม่",
                   "Many revisions of this LAO arrived at once; please retry.", headers={"Retry-After": "1"})


# ---------------------------------------------------------------------------------------------------------
# CSV import

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
        **WRITE_RESPONSES,
    },
)
async def import_csv(request: Request, sender: ImportSender, imports: ImportsDep) -> Any:
    try:
        form = await request.form(max_files=1, max_fields=10)
    except Exception as error:  # a body that is not multipart, or a malformed one
        raise Invalid("invalid_import", "ต้องส่งแบบ multipart/form-data มีช่อง file และ mapping",
                      f"Send multipart/form-data with the fields file and mapping ({type(error).__name__}).") from None
    try:
        upload = form.get("file")
        asked = ImportRequest(
            file=upload.file if isinstance(upload, UploadFile) else None,
            file_name=upload.filename if isinstance(upload, UploadFile) else None,
            mapping=_text(form.get("mapping")), campaign=_text(form.get("campaign")),
            date_order=_text(form.get("date_order")), first_row=_text(form.get("first_row")),
        )
        try:
            imported = await imports.run(asked, sender)
        except ImportRefused as refused:
            body = ProblemBody(error=refused.code, message_th=refused.message_th, message_en=refused.message_en,
                               errors=[ProblemDetail.of_row(e) for e in refused.rows])
            return JSONResponse(body.model_dump(), status_code=status_of(refused))
        except ImportInterrupted:
            raise Refused(503, "store_unavailable",
                          "ระบบจัดเก็บข้อมูลไม่พร้อม แถวที่นำเข้าแล้วยังอยู่ นำเข้าไฟล์เดิมซ้ำได้อย่างปลอดภัย",
                          "The store is unavailable; rows already imported stay. Importing the same file "
                          "again is safe.", headers={"Retry-After": "30"}) from None
    finally:
        await form.close()
    result = imported.result
    return ImportSummary(
        mapping=imported.mapping, campaign=imported.campaign, rows=result.rows, imported=result.imported,
        new_revisions=result.new_revisions, duplicates=result.duplicates, older=result.older,
        to_correct=result.to_correct, rejected=result.rejected,
        unknown_columns=result.unknown_columns, errors=[ProblemDetail.of_row(e) for e in result.errors],
        errors_truncated=result.errors_truncated,
        stopped=ProblemDetail.of_row(result.stopped) if result.stopped else None,
        message_th=imported.message_th, message_en=imported.message_en,
    )


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


# ---------------------------------------------------------------------------------------------------------
# Reading back

@router.get(
    "/submissions/{submission_id}",
    response_model=SubmissionHistory,
    tags=["submissions"],
    summary="Every revision intake holds for one application",
    responses={404: {"model": ErrorBody}, **AUTH_RESPONSES},
)
async def history(submission_id: Annotated[str, Path(max_length=100)], _: Reader, queries: QueriesDep) -> Any:
    found = await queries.history(submission_id)
    return SubmissionHistory(
        submission_id=found.submission_id,
        campaign=found.campaign,
        current_revision=found.current_revision,
        revisions=[RevisionSummary(
            revision=r.revision, source=r.source, source_response_id=r.source_response_id,
            received_at=r.received_at, published=r.published,
        ) for r in found.revisions],
    )


@router.get(
    "/submissions/{submission_id}/revisions/{revision}",
    tags=["submissions"],
    summary="One revision as received: the raw answers beside the canonical submission",
    responses={200: {"description": "The stored revision: `raw` as sent, `canonical` as normalised",
                     "content": {"application/json": {"schema": {"type": "object"}}}},
               404: {"model": ErrorBody}, 422: {"model": ProblemBody}, **AUTH_RESPONSES},
)
async def revision(submission_id: Annotated[str, Path(max_length=100)],
                   revision: Annotated[int, Path(ge=1, le=100_000)], _: Reader, queries: QueriesDep) -> Any:
    return JSONResponse(_jsonable(await queries.revision(submission_id, revision)))


@router.get("/mappings", response_model=list[MappingSummary], tags=["form connector"],
            summary="The form mappings intake knows (question title → canonical field)")
async def mappings(queries: QueriesDep) -> Any:
    return [_mapping_summary(found) for found in queries.all_mappings()]


@router.get("/mappings/{name}", response_model=MappingSummary, tags=["form connector"],
            summary="One form mapping: each field, its current title and its aliases",
            responses={404: {"model": ErrorBody}})
async def mapping(name: Annotated[str, Path(max_length=64)], queries: QueriesDep) -> Any:
    return _mapping_summary(queries.mapping(name))


def _mapping_summary(found: FormMapping) -> MappingSummary:
    return MappingSummary.model_validate(found.summary())


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return value
