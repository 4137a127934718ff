"""Validation's HTTP API: the rule catalogue and the history of outcomes of one submission (every revision,
newest first: a returned revision stays readable after its correction is validated)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel

from services.validation.rules import CATALOGUE
from shared.errors import ErrorBody, error_response
from shared.runtime import internal_reader

router = APIRouter(prefix="/v1", tags=["validation"])


class RuleEntry(BaseModel):
    code: str
    severity: str
    field: str
    message_th: str
    message_en: str


class OutcomeEntry(BaseModel):
    revision: int
    outcome: str
    late: bool
    issues: list[dict[str, Any]]
    judged_at: datetime | None = None
    validated_at: datetime | None = None
    lao: dict[str, Any] | None = None
    registry_match: dict[str, Any] | None = None


@router.get("/rules", response_model=list[RuleEntry], summary="The rule catalogue (Thai and English)")
async def rules() -> list[RuleEntry]:
    return [RuleEntry(code=rule.code, severity=rule.severity, field=rule.field, message_th=rule.message_th,
                      message_en=rule.message_en) for rule in CATALOGUE.values()]


@router.get("/validations/{submission_id}", response_model=list[OutcomeEntry],
            summary="Every revision's outcome, newest first",
            responses={404: {"model": ErrorBody}, 401: {"model": ErrorBody, "description": "No or wrong token"},
                       403: {"model": ErrorBody, "description": "Reads are disabled"}},
            # Outcomes name the LAO and what its response lacks: in production they need INTERNAL_READ_TOKEN
            # or REGISTRY_ADMIN_TOKEN.
            dependencies=[Depends(internal_reader(lambda settings: settings.registry_admin_token))])
async def outcomes(request: Request, submission_id: str) -> Any:
    results = request.app.state.component.state["results"]
    documents = await results.find({"submission_id": submission_id}, sort=[("revision", -1)]).to_list(None)
    if not documents:
        return error_response(404, "not_found", f"ไม่พบผลการตรวจสอบของ {submission_id}",
                              f"No validation outcome for {submission_id}")
    return [OutcomeEntry(revision=d["revision"], outcome=d["outcome"], late=d["late"], issues=d["issues"],
                         judged_at=d.get("judged_at"), validated_at=d.get("validated_at"), lao=d.get("lao"),
                         registry_match=d.get("registry_match"))
            for d in documents]
