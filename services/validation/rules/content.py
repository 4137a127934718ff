"""The rules about what a submission says: the required answers, the Smart City dimensions, the projects
(names, dimensions, evidence, budgets) and every answer intake kept as written because it could not take it."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from typing import Any

from services.validation.rules.case import Case, text_of
from services.validation.rules.catalogue import finding
from services.validation.rules.contact import is_web_url
from shared import thai
from shared.events import Issue

# --- (c) required answers --------------------------------------------------------------------------------


def check_required_answers(case: Case) -> Iterator[Issue]:
    submission = case.submission
    contact, readiness = submission.contact, submission.readiness
    if not text_of(submission.lao.district):
        yield finding("DISTRICT_MISSING")
    if contact is None or not text_of(contact.name):
        yield finding("CONTACT_NAME_MISSING")
    if contact is None or not (text_of(contact.email) or text_of(contact.phone)):
        yield finding("CONTACT_CHANNEL_MISSING")
    if readiness is None or readiness.has_plan is None:
        yield finding("HAS_PLAN_MISSING")
    if readiness is None or readiness.depa_mark is None:
        yield finding("DEPA_MARK_MISSING")
    if readiness is None or readiness.data_platform is None:
        yield finding("DATA_PLATFORM_MISSING")
    if not submission.dimensions:
        yield finding("DIMENSIONS_MISSING")
    if not submission.projects:
        yield finding("PROJECTS_MISSING")


# --- (h) projects ----------------------------------------------------------------------------------------


_SEVEN_TH = ", ".join(th for th, _ in thai.DIMENSIONS.values())
_SEVEN_EN = ", ".join(en for _, en in thai.DIMENSIONS.values())


def check_dimensions(case: Case) -> Iterator[Issue]:
    for index, dimension in enumerate(case.submission.dimensions or ()):
        if dimension not in thai.DIMENSIONS:
            yield finding("DIMENSION_UNKNOWN", index=index, value=dimension, dimensions_th=_SEVEN_TH,
                          dimensions_en=_SEVEN_EN)


def _baht(amount: Decimal) -> str:
    return f"{amount:,.2f}" if amount != amount.to_integral_value() else f"{amount:,.0f}"


def _budget(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def check_project_details(case: Case, project: Any, about: dict[str, Any]) -> Iterator[Issue]:
    dimensions = list(project.dimensions or ())
    if not dimensions:
        yield finding("PROJECT_DIMENSIONS_MISSING", **about)
    for dimension_index, dimension in enumerate(dimensions):
        if dimension not in thai.DIMENSIONS:
            yield finding("PROJECT_DIMENSION_UNKNOWN", **about, dimension_index=dimension_index, value=dimension,
                          dimensions_th=_SEVEN_TH, dimensions_en=_SEVEN_EN)
    budget = _budget(project.budget_thb)
    if budget is not None and budget < 0:
        yield finding("PROJECT_BUDGET_NEGATIVE", **about, value=_baht(budget))
    elif budget is not None and budget > case.campaign.max_project_budget_thb:
        yield finding("PROJECT_BUDGET_IMPLAUSIBLE", **about, value=_baht(budget),
                      limit=_baht(Decimal(case.campaign.max_project_budget_thb)))
    for url_index, url in enumerate(project.evidence_urls or ()):
        if not is_web_url(text_of(url)):
            yield finding("EVIDENCE_URL_INVALID", **about, url_index=url_index, value=url)


def check_projects(case: Case) -> Iterator[Issue]:
    declared = set(case.submission.dimensions or ())
    first_by_name: dict[str, int] = {}
    for index, project in enumerate(case.submission.projects or ()):
        name = text_of(project.name)
        about = {"index": index, "number": index + 1, "name": name}
        if not name:
            yield finding("PROJECT_NAME_MISSING", **about)
        undeclared = [d for d in dict.fromkeys(project.dimensions or ()) if d not in declared and d in thai.DIMENSIONS]
        if undeclared:
            yield finding("PROJECT_DIMENSION_NOT_DECLARED", **about,
                          dimensions_th=", ".join(thai.DIMENSIONS.get(d, (d, d))[0] for d in undeclared),
                          dimensions_en=", ".join(thai.DIMENSIONS.get(d, (d, d))[1] for d in undeclared))
        key = name.replace(" ", "").casefold()
        if not key:
            pass  # PROJECT_NAME_MISSING says it
        elif key in first_by_name:
            yield finding("PROJECT_NAME_DUPLICATE", **about, first_number=first_by_name[key] + 1)
        else:
            first_by_name[key] = index
        if not project.evidence_urls:
            yield finding("PROJECT_EVIDENCE_MISSING", **about)
        yield from check_project_details(case, project, about)


# --- (c2) answers intake kept as written -----------------------------------------------------------------


_ANSWER_RULES = {"answer_unreadable": "ANSWER_UNREADABLE", "answer_out_of_range": "ANSWER_OUT_OF_RANGE",
                 "choice_unknown": "ANSWER_CHOICE_UNKNOWN", "answer_missing": "ANSWER_MISSING",
                 "answer_too_long": "ANSWER_TOO_LONG", "answer_invalid": "ANSWER_INVALID"}
# Missing answers that have a rule of their own (with what the registry can fill in).
_MISSING_WITH_OWN_RULE = frozenset({"lao.name", "lao.province"})


def check_answers_kept_as_written(case: Case) -> Iterator[Issue]:
    """Every answer intake could not take (an unreadable number, an unknown choice, a required answer left
    blank): the response goes back for correction, quoting what was written."""
    for problem in getattr(case.submission, "answer_problems", None) or ():
        if problem.code == "answer_missing" and problem.field in _MISSING_WITH_OWN_RULE:
            continue
        question = problem.question or problem.field  # a JSON post has no question titles
        yield finding(_ANSWER_RULES.get(problem.code, "ANSWER_INVALID"), field=problem.field, question=question,
                      written=problem.written or "", reason_th=problem.message_th, reason_en=problem.message_en)
