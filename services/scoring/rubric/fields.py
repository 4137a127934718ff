"""What a rule may read from a submission: its fields, found from the Submission model itself, and how a field
path (`readiness.has_plan`) is checked when a rubric is loaded and resolved when a submission is scored; the
counts and the sums over projects a rule may name, and what a count counts."""

from __future__ import annotations

import types
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel

from services.scoring.rubric.numbers import squash
from shared.submission import Project, Submission

# What a `count_bands` rule may count, and what a `sum_bands` rule may sum over the projects.
CountOf = Literal[
    "projects",
    "projects_with_status:completed",
    "projects_with_status:in_progress",
    "projects_with_status:planned",
    "projects_with_outcomes",
    "partners",
    "evidence_urls",
    "dimensions",
]
SumOf = Literal["projects.budget_thb", "projects.beneficiaries"]

FieldKind = Literal["bool", "choice", "text", "list", "number", "datetime", "other"]


@dataclass(frozen=True)
class SubmissionField:
    path: str
    kind: FieldKind
    choices: tuple[str, ...] = ()


def _unwrap(annotation: Any) -> Any:
    """`Annotated[X, ...]` → X and `X | None` → X, repeatedly."""
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (Union, types.UnionType):
            args = [arg for arg in get_args(annotation) if arg is not type(None)]
            if len(args) != 1:
                return annotation
            annotation = args[0]
        else:
            return annotation


def _catalog(model: type[BaseModel], prefix: str = "") -> dict[str, SubmissionField]:
    fields: dict[str, SubmissionField] = {}
    for name, info in model.model_fields.items():
        path = prefix + name
        annotation = _unwrap(info.annotation)
        origin = get_origin(annotation)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            fields.update(_catalog(annotation, path + "."))
        elif origin is Literal:
            fields[path] = SubmissionField(path, "choice", tuple(str(value) for value in get_args(annotation)))
        elif origin is list:
            fields[path] = SubmissionField(path, "list")
        elif annotation is bool:
            fields[path] = SubmissionField(path, "bool")
        elif annotation is str:
            fields[path] = SubmissionField(path, "text")
        elif annotation in (int, float, Decimal):
            fields[path] = SubmissionField(path, "number")
        elif annotation is datetime:
            fields[path] = SubmissionField(path, "datetime")
        else:
            fields[path] = SubmissionField(path, "other")
    return fields


SUBMISSION_FIELDS: dict[str, SubmissionField] = _catalog(Submission)


def require_field(path: str, kinds: set[FieldKind], what: str) -> SubmissionField:
    """The field at `path` when it is of one of `kinds`; else a ValueError listing the `what` fields there are."""
    allowed = ", ".join(sorted(p for p, f in SUBMISSION_FIELDS.items() if f.kind in kinds))
    known = SUBMISSION_FIELDS.get(path)
    if known is None:
        raise ValueError(f"unknown submission field {path!r}; {what} fields are: {allowed}")
    if known.kind not in kinds:
        raise ValueError(f"submission field {path!r} is not a {what} field (it is {known.kind}); "
                         f"{what} fields are: {allowed}")
    return known


def read_field(submission: Submission, path: str) -> Any:
    """The submission's value at a field path."""
    value: Any = submission
    for part in path.split("."):
        value = getattr(value, part)
    return value


def _project_name(index: int, project: Project) -> str:
    return project.name or f"#{index + 1}"


def _distinct(items: list[str]) -> list[str]:
    seen: set[str] = set()
    kept = []
    for item in items:
        folded = squash(item)
        if folded and folded not in seen:
            seen.add(folded)
            kept.append(item)
    return kept


def counted(submission: Submission, count: str) -> list[str]:
    """What a count names, listed: the projects by name (`#2` for one without), the distinct partners, links
    or dimensions (a name written twice counts once)."""
    projects = list(enumerate(submission.projects))
    if count == "projects":
        return [_project_name(i, project) for i, project in projects]
    if count.startswith("projects_with_status:"):
        status = count.split(":", 1)[1]
        return [_project_name(i, project) for i, project in projects if project.status == status]
    if count == "projects_with_outcomes":
        return [_project_name(i, project) for i, project in projects if project.outcomes and project.outcomes.strip()]
    if count == "partners":
        return _distinct(submission.partners)
    if count == "evidence_urls":
        return _distinct([url for _, project in projects for url in project.evidence_urls])
    if count == "dimensions":
        return _distinct(list(submission.dimensions))
    raise AssertionError(f"unhandled count {count!r}")  # CountOf is closed; the model rejects others
