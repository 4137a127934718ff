"""The verdict on one submission: every check of the catalogue run in a fixed order (`CHECKS`, the order of the
issues in the verdict), their findings added up to an outcome, and the LAO as the verdict reports it."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Literal

from services.validation.matching import RegistryLookup, RegistryMatch
from services.validation.rules.case import Case, Check, read_case, text_of
from services.validation.rules.catalogue import finding
from services.validation.rules.contact import check_contact_formats, check_plan_link
from services.validation.rules.content import (
    check_answers_kept_as_written,
    check_dimensions,
    check_projects,
    check_required_answers,
)
from services.validation.rules.identity import (
    check_district,
    check_lao_code,
    check_lao_name,
    check_lao_type,
    check_name_matches_type,
    check_province,
    check_registry,
    identified,
    match_registry,
)
from services.validation.rules.timing import check_submission_period, check_timestamp
from shared import geo
from shared.campaign import Campaign
from shared.events import Issue, LaoSummary
from shared.submission import Submission

Outcome = Literal["validated", "returned", "rejected"]

# Every check, in the order their findings appear in a verdict.
CHECKS: tuple[Check, ...] = (
    check_answers_kept_as_written,
    check_lao_name,
    check_lao_type,
    check_name_matches_type,
    check_timestamp,
    check_submission_period,
    check_required_answers,
    check_province,
    check_district,
    check_lao_code,
    check_registry,
    check_contact_formats,
    check_plan_link,
    check_dimensions,
    check_projects,
)


# --- the verdict -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    """What validation concludes about one submission, with every finding behind it."""

    outcome: Outcome
    issues: list[Issue]
    lao: LaoSummary
    judged_at: datetime  # the moment the deadline was judged on
    late: bool  # after the deadline, whatever the campaign does with late submissions
    registry: RegistryMatch | None = None  # how the LAO was matched to DLA's registry, if it was consulted

    @property
    def registry_record(self) -> dict[str, Any] | None:
        """The registry match as the verdict's record keeps it: status, method, confidence, code, candidates."""
        match = self.registry
        if match is None:
            return None
        return {"status": match.status, "method": match.method, "confidence": match.confidence,
                "code": match.lao.code if match.lao else None,
                "candidates": [{"code": c.lao.code, "name": c.lao.name, "similarity": c.similarity}
                               for c in match.candidates]}

    @property
    def warnings(self) -> list[Issue]:
        return [issue for issue in self.issues if issue.severity == "warning"]

    @property
    def codes(self) -> list[str]:
        return [issue.code for issue in self.issues]


def _outcome(issues: list[Issue]) -> Outcome:
    severities = {issue.severity for issue in issues}
    if "reject" in severities:
        return "rejected"
    if "return" in severities:
        return "returned"
    return "validated"


def _summary(submission: Submission, case: Case) -> LaoSummary:
    try:
        summary = geo.lao_summary(submission.lao)
    except Exception:  # odd data: the verdict still names what it can
        summary = LaoSummary(name=text_of(getattr(getattr(submission, "lao", None), "name", None)) or "?")
    if case.lao_type:
        summary = summary.model_copy(update={"type": case.lao_type})
    match = case.registry
    if match is None:
        return summary
    if not identified(match) or match.lao is None:
        return summary.model_copy(update={"registry_verified": False})
    # The registry is DLA's own record: its code, name, place and size class are the ones reported.
    lao = match.lao
    return summary.model_copy(update={
        "name": lao.name, "code": lao.code, "type": lao.type or summary.type,
        "province_code": lao.province_code, "province_name": lao.province_name or summary.province_name,
        "district_code": lao.district_code or summary.district_code,
        "district_name": lao.district_name or summary.district_name,
        "size_class": lao.size_class, "registry_verified": True,
    })


@dataclass(frozen=True)
class OfficeAttachment:
    """An office's word on which registry LAO an unidentified response belongs to (reporting audits it)."""

    lao_code: str
    office: str
    written: str  # the LAO as the response names it
    reason: str
    attachment_id: str | None = None  # reporting's audit record


def validate(submission: Submission, campaign: Campaign, received_at: datetime,
             registry: RegistryLookup | None = None, attachment: OfficeAttachment | None = None) -> Verdict:
    """Runs every check and adds their findings up: any reject → rejected, else any return → returned,
    else validated (warnings go along).

    `registry` is what DLA's LAO registry holds for this submission (the application fetches it); with it the
    LAO is matched by code or name and the summary carries the registry's code and size class. Without it
    (None) the registry is not consulted at all; `RegistryLookup.empty()` means no registry was imported,
    which is a warning (LAO_NOT_VERIFIED), never a reason to stop. `attachment` is an office's word on the
    LAO (the caller has put its code in `submission`): the verdict carries it as a warning.

    Never raises on odd submission data: a check that fails anyway becomes a RULE_FAILED finding and the
    other checks still run. `received_at` is the service's own clock (naive means UTC).
    """
    case = read_case(submission, campaign, received_at)
    issues: list[Issue] = []
    if registry is not None:
        try:
            case = replace(case, registry=match_registry(case, registry))
        except Exception as error:
            issues.append(finding("RULE_FAILED", check="match_lao", error=type(error).__name__))
    for check in CHECKS:
        try:
            issues.extend(check(case))
        except Exception as error:
            issues.append(finding("RULE_FAILED", check=check.__name__, error=type(error).__name__))
    if attachment is not None:
        issues.append(finding("LAO_ATTACHED_BY_OFFICE", lao_code=attachment.lao_code, office=attachment.office,
                              written=attachment.written or "-", reason=attachment.reason))
    return Verdict(
        outcome=_outcome(issues),
        issues=issues,
        lao=_summary(submission, case),
        judged_at=case.judged_at,
        late=not case.timestamp_to_correct and campaign.is_late(case.judged_at),
        registry=case.registry,
    )
