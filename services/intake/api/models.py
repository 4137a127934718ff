"""The request and response bodies of intake's routes, and the refusals every route documents."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from services.intake import examples
from services.intake.mapping import RowError
from services.intake.submission import AnswerProblem
from shared.errors import ErrorBody, FieldError

_RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait before trying again", "schema": {"type": "integer"}}}
AUTH_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "Who sent this? No, wrong, expired or replayed credentials",
          "content": {"application/json": {"example": examples.UNAUTHORISED}}},
    403: {"model": ErrorBody, "description": "Known sender, not allowed: revoked key, missing scope, source "
                                             "without a secret"},
    429: {"model": ErrorBody, "description": "Too many requests from this sender", "headers": _RETRY_AFTER,
          "content": {"application/json": {"example": examples.TOO_MANY}}},
}
WRITE_RESPONSES: dict[int | str, dict[str, Any]] = {
    **AUTH_RESPONSES,
    400: {"model": ErrorBody, "description": "The body cannot be read (not UTF-8 JSON)"},
    413: {"model": ErrorBody, "description": "The body is larger than the limit"},
    503: {"model": ErrorBody, "description": "Busy or the store is unavailable: try again", "headers": _RETRY_AFTER},
}


class ProblemDetail(FieldError):
    """One answer that could not be taken, or one reason a request was refused, in the form's own words."""

    column: str | None = Field(default=None, description="The question title / column header it came from")
    row: int | None = Field(default=None, description="The row of the sheet (the header is row 1)")
    written: str | None = Field(default=None, description="What was written, as written")

    @classmethod
    def of_answer(cls, problem: AnswerProblem) -> ProblemDetail:
        return cls(field=problem.field, code=problem.code, message_th=problem.message_th,
                   message_en=problem.message_en, column=problem.question, written=problem.written)

    @classmethod
    def of_row(cls, error: RowError) -> ProblemDetail:
        return cls(field=error.field, code=error.code, message_th=error.message_th, message_en=error.message_en,
                   column=error.column, row=error.row, written=error.written)


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
