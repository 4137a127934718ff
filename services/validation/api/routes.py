"""Validation's own routes: the rule catalogue, and the history of outcomes of one application (every revision,
newest first: a returned revision stays readable after its correction is validated)."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from services.validation.api.deps import Results, internal_read
from services.validation.api.models import OutcomeEntry, RuleEntry
from services.validation.rules import CATALOGUE
from shared.errors import ErrorBody, NotFound

router = APIRouter(prefix="/v1", tags=["validation"])


@router.get("/rules", response_model=list[RuleEntry], summary="The rule catalogue (Thai and English)")
async def rules() -> list[RuleEntry]:
    return [RuleEntry(code=rule.code, severity=rule.severity, field=rule.field, message_th=rule.message_th,
                      message_en=rule.message_en) for rule in CATALOGUE.values()]


@router.get("/validations/{submission_id}", response_model=list[OutcomeEntry],
            summary="Every revision's outcome, newest first",
            responses={404: {"model": ErrorBody}, 401: {"model": ErrorBody, "description": "No or wrong token"},
                       403: {"model": ErrorBody, "description": "Reads are disabled"}},
            dependencies=[Depends(internal_read)])
async def outcomes(results: Results, submission_id: str) -> list[OutcomeEntry]:
    documents = await results.verdicts_of(submission_id)
    if not documents:
        raise NotFound("not_found", f"ไม่พบผลการตรวจสอบของ {submission_id}",
                       f"No validation outcome for {submission_id}")
    return [OutcomeEntry(revision=d["revision"], outcome=d["outcome"], late=d["late"], issues=d["issues"],
                         judged_at=d.get("judged_at"), validated_at=d.get("validated_at"), lao=d.get("lao"),
                         registry_match=d.get("registry_match"))
            for d in documents]
