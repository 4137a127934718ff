"""Rubrics as configuration, and the pure scoring of one submission under one rubric.

A rubric is one TOML file per version (``rubrics/fy2568-v1.toml``): sections of criteria, each with its
maximum points and a rule saying how points follow from the submission's data, or that a committee enters
them (``manual``); the tier thresholds and the size groups belong to the rubric too. Scoring is
deterministic and explains every criterion: the data it read, the points, and why, in Thai and English.
The only I/O here is reading rubric files (``load_rubric``, ``RubricBook``).
"""

from __future__ import annotations

import hashlib
import math
import tomllib
import types
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from services.scoring.committee import CommitteeJudgement, ReviewerMark, combine
from shared import thai
from shared.events import CriterionScore
from shared.submission import Project, Submission

Tier = Literal["outstanding", "efficient", "not_selected"]
UNKNOWN_SIZE_GROUP = "unknown"

# --------------------------------------------------------------------------------------------------------
# The submission fields a rule may read, found from the Submission model itself.
# --------------------------------------------------------------------------------------------------------

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


def _require_field(path: str, kinds: set[FieldKind], what: str) -> SubmissionField:
    allowed = ", ".join(sorted(p for p, f in SUBMISSION_FIELDS.items() if f.kind in kinds))
    known = SUBMISSION_FIELDS.get(path)
    if known is None:
        raise ValueError(f"unknown submission field {path!r}; {what} fields are: {allowed}")
    if known.kind not in kinds:
        raise ValueError(f"submission field {path!r} is not a {what} field (it is {known.kind}); "
                         f"{what} fields are: {allowed}")
    return known


def _read(submission: Submission, path: str) -> Any:
    value: Any = submission
    for part in path.split("."):
        value = getattr(value, part)
    return value


# --------------------------------------------------------------------------------------------------------
# The rubric file format.
# --------------------------------------------------------------------------------------------------------

Points = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Key = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,63}$")]
Title = Annotated[str, Field(min_length=1, max_length=300)]

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


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Band(_Strict):
    min: Points
    points: Points


def _ascending(bands: list[Band]) -> list[Band]:
    for index in range(1, len(bands)):
        before, band = bands[index - 1], bands[index]
        if band.min <= before.min:
            raise ValueError(f"bands must be in ascending order of min: bands[{index}] has min {_num(band.min)}, "
                             f"not above bands[{index - 1}]'s {_num(before.min)}")
        if band.points < before.points:
            raise ValueError(f"a higher band cannot give fewer points: bands[{index}] (min {_num(band.min)}) "
                             f"gives {_num(band.points)}, bands[{index - 1}] gives {_num(before.points)}")
    return bands


Bands = Annotated[list[Band], Field(min_length=1)]


class YesNoRule(_Strict):
    """Full points (or `points_if_yes`) when the field is true."""

    type: Literal["yes_no"]
    field: str
    points_if_yes: Points | None = None

    @field_validator("field")
    @classmethod
    def _known_field(cls, value: str) -> str:
        _require_field(value, {"bool"}, "yes/no")
        return value


class ChoiceRule(_Strict):
    """Points per answer of a fixed-choice field; answers not listed give 0."""

    type: Literal["choice"]
    field: str
    points: dict[str, Points] = Field(min_length=1)

    @field_validator("field")
    @classmethod
    def _known_field(cls, value: str) -> str:
        _require_field(value, {"choice"}, "choice")
        return value

    @model_validator(mode="after")
    def _known_answers(self) -> ChoiceRule:
        choices = SUBMISSION_FIELDS[self.field].choices
        unknown = [answer for answer in self.points if answer not in choices]
        if unknown:
            raise ValueError(f"points: {', '.join(map(repr, unknown))} is not an answer of {self.field}; "
                             f"its answers are: {', '.join(choices)}")
        return self


class PresenceRule(_Strict):
    """Full points when the field holds something (a non-empty text or list)."""

    type: Literal["presence"]
    field: str

    @field_validator("field")
    @classmethod
    def _known_field(cls, value: str) -> str:
        _require_field(value, {"text", "list"}, "text or list")
        return value


class CountBandsRule(_Strict):
    """Points of the highest band whose `min` the count reaches."""

    type: Literal["count_bands"]
    count: CountOf
    bands: Bands

    @field_validator("bands")
    @classmethod
    def _ascending_bands(cls, bands: list[Band]) -> list[Band]:
        return _ascending(bands)


class DimensionCoverageRule(_Strict):
    """`points_per_dimension` for each Smart City dimension covered, capped at the criterion's points."""

    type: Literal["dimension_coverage"]
    points_per_dimension: Annotated[float, Field(gt=0, allow_inf_nan=False)]
    source: Literal["declared", "projects"]


class SumBandsRule(_Strict):
    """Sum a number over the projects, then points of the highest band whose `min` the sum reaches."""

    type: Literal["sum_bands"]
    field: SumOf
    bands: Bands

    @field_validator("bands")
    @classmethod
    def _ascending_bands(cls, bands: list[Band]) -> list[Band]:
        return _ascending(bands)


class ManualRule(_Strict):
    """Committee judgement: 0 points until reviewers enter theirs."""

    type: Literal["manual"]


Rule = Annotated[
    YesNoRule | ChoiceRule | PresenceRule | CountBandsRule | DimensionCoverageRule | SumBandsRule | ManualRule,
    Field(discriminator="type"),
]


class Criterion(_Strict):
    key: Key
    title_th: Title
    title_en: Title
    points: Annotated[float, Field(gt=0, allow_inf_nan=False)]
    rule: Rule

    @property
    def manual(self) -> bool:
        return isinstance(self.rule, ManualRule)

    @model_validator(mode="after")
    def _within_points(self) -> Criterion:
        rule, most = self.rule, self.points
        too_much: list[str] = []
        if isinstance(rule, YesNoRule) and rule.points_if_yes is not None and rule.points_if_yes > most:
            too_much.append(f"rule.points_if_yes gives {_num(rule.points_if_yes)} points")
        if isinstance(rule, ChoiceRule):
            too_much += [f"rule.points[{answer!r}] gives {_num(p)} points"
                         for answer, p in rule.points.items() if p > most]
        if isinstance(rule, CountBandsRule | SumBandsRule):
            too_much += [f"rule.bands[{i}] (min {_num(band.min)}) gives {_num(band.points)} points"
                         for i, band in enumerate(rule.bands) if band.points > most]
        if isinstance(rule, DimensionCoverageRule) and rule.points_per_dimension > most:
            too_much.append(f"rule.points_per_dimension gives {_num(rule.points_per_dimension)} points")
        if too_much:
            raise ValueError(f"{'; '.join(too_much)}, more than the criterion's {_num(most)} points")
        return self


class Section(_Strict):
    key: Key
    title_th: Title
    title_en: Title
    criteria: list[Criterion] = Field(min_length=1)


class Tiers(_Strict):
    outstanding_min: Points
    efficient_min: Points

    @model_validator(mode="after")
    def _ordered(self) -> Tiers:
        if not self.outstanding_min > self.efficient_min:
            raise ValueError(f"outstanding_min ({_num(self.outstanding_min)}) must be above efficient_min "
                             f"({_num(self.efficient_min)})")
        return self


class GroupName(_Strict):
    th: Title
    en: Title


# The name of the group of LAOs whose size is not known (no rubric names it).
UNKNOWN_GROUP_NAME = GroupName(th="ไม่ทราบขนาด", en="size unknown")


class SizeGroups(_Strict):
    names: dict[Key, GroupName] = Field(min_length=1)
    fallback_by_lao_type: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _known_groups(self) -> SizeGroups:
        if UNKNOWN_SIZE_GROUP in self.names:
            raise ValueError(f"names: {UNKNOWN_SIZE_GROUP!r} is reserved for LAOs whose size is not known")
        for lao_type, group in self.fallback_by_lao_type.items():
            if group not in self.names:
                raise ValueError(f"fallback_by_lao_type[{lao_type!r}] = {group!r} is not one of the groups in "
                                 f"names: {', '.join(self.names)}")
        return self

    def parse(self, size_class: str) -> str | None:
        """The group a size class names: its key, Thai or English name (`large`, `ขนาดใหญ่`, `ใหญ่`)."""
        wanted = _squash(size_class)
        for key, name in self.names.items():
            spellings = {key, name.th, name.en, name.th.removeprefix("ขนาด")}
            if wanted in {_squash(spelling) for spelling in spellings}:
                return key
        return None

    def fallback(self, lao_type: str) -> str | None:
        wanted = _squash(_LAO_TYPE_ABBREVIATIONS.get(_squash(lao_type), lao_type))
        for known, group in self.fallback_by_lao_type.items():
            if _squash(known) == wanted:
                return group
        return None


_LAO_TYPE_ABBREVIATIONS = {
    "ทน.": "เทศบาลนคร", "ทน": "เทศบาลนคร",
    "ทม.": "เทศบาลเมือง", "ทม": "เทศบาลเมือง",
    "ทต.": "เทศบาลตำบล", "ทต": "เทศบาลตำบล",
}


def _squash(text: str) -> str:
    return thai.clean_text(text).replace(" ", "").lower()


class Ranking(_Strict):
    """How equal totals are ordered: by the points of these sections, in this order (then the earlier
    submission, then the submission id). Left out, the sections count in the order of the file."""

    tie_break_sections: list[Key] = Field(default_factory=list)


class Rubric(_Strict):
    version: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9._-]{1,63}$")]
    campaign: Annotated[str, Field(pattern=r"^[a-z0-9_-]{2,32}$")]
    title_th: Title
    title_en: Title
    note: str = ""
    tiers: Tiers
    size_groups: SizeGroups
    ranking: Ranking = Field(default_factory=Ranking)
    sections: list[Section] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Rubric:
        problems: list[str] = []
        sections: dict[str, int] = {}
        criteria: dict[str, str] = {}
        for s, section in enumerate(self.sections):
            if section.key in sections:
                problems.append(f"sections[{s}]: duplicate section key {section.key!r} "
                                f"(first used at sections[{sections[section.key]}])")
            sections.setdefault(section.key, s)
            for c, criterion in enumerate(section.criteria):
                where = f"sections[{s}].criteria[{c}]"
                if criterion.key in criteria:
                    problems.append(f"{where}: duplicate criterion key {criterion.key!r} "
                                    f"(first used at {criteria[criterion.key]}); keys must be unique across "
                                    "the rubric")
                criteria.setdefault(criterion.key, where)
        if self.tiers.outstanding_min > self.max_total:
            problems.append(f"tiers.outstanding_min ({_num(self.tiers.outstanding_min)}) is more than the "
                            f"rubric's total points ({_num(self.max_total)})")
        listed: set[str] = set()
        for t, key in enumerate(self.ranking.tie_break_sections):
            if key not in sections:
                problems.append(f"ranking.tie_break_sections[{t}]: {key!r} is not a section of the rubric; its "
                                f"sections are: {', '.join(sections)}")
            elif key in listed:
                problems.append(f"ranking.tie_break_sections[{t}]: {key!r} is listed twice")
            listed.add(key)
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def iter_criteria(self) -> Iterator[tuple[Section, Criterion]]:
        for section in self.sections:
            for criterion in section.criteria:
                yield section, criterion

    def criterion(self, key: str) -> Criterion:
        for _, criterion in self.iter_criteria():
            if criterion.key == key:
                return criterion
        raise KeyError(key)

    @property
    def max_total(self) -> float:
        return float(sum((_dec(c.points) for _, c in self.iter_criteria()), Decimal(0)))

    @property
    def manual_keys(self) -> list[str]:
        return [criterion.key for _, criterion in self.iter_criteria() if criterion.manual]

    @property
    def tie_break_sections(self) -> list[str]:
        """The sections whose points order equal totals: the rubric's list, else every section in file order."""
        return list(self.ranking.tie_break_sections) or [section.key for section in self.sections]

    @property
    def digest(self) -> str:
        """A fingerprint of the rubric's content, stored with every score: an edited file under an unchanged
        version shows up as a different digest."""
        return hashlib.sha256(self.model_dump_json().encode()).hexdigest()[:16]


# --------------------------------------------------------------------------------------------------------
# Loading, with errors that name the file and the entry.
# --------------------------------------------------------------------------------------------------------


class RubricError(ValueError):
    """A rubric file that cannot be used: which file, and what is wrong where."""

    def __init__(self, source: str | Path, problems: Sequence[str]) -> None:
        self.source = str(source)
        self.problems = list(problems)
        super().__init__(f"invalid rubric {self.source}:\n  - " + "\n  - ".join(self.problems))


class UnknownRubric(LookupError):
    pass


_MESSAGES = {
    "extra_forbidden": "unknown entry (not part of the rubric format; check its spelling)",
    "missing": "required entry is missing",
}


def _location(loc: tuple[int | str, ...], data: Any) -> str:
    """`("sections", 0, "criteria", 2, "rule", "count_bands", "bands")` → `sections[0].criteria[2].rule.bands
    (section "readiness", criterion "completed_projects")`: the path in the file, with the keys it passes."""
    path, names = "", []
    node, previous = data, None
    for item in loc:
        if isinstance(item, int):
            path += f"[{item}]"
            node = node[item] if isinstance(node, list) and 0 <= item < len(node) else None
            if isinstance(node, dict) and isinstance(node.get("key"), str) and previous in ("sections", "criteria"):
                names.append(f'{"section" if previous == "sections" else "criterion"} "{node["key"]}"')
        elif previous == "rule" and isinstance(node, dict) and node.get("type") == item:
            continue  # the discriminator's tag, which pydantic puts in the path
        else:
            path += f".{item}" if path else item
            node = node.get(item) if isinstance(node, dict) else None
        previous = item
    return f"{path} ({', '.join(names)})" if names else path


def _problems(error: ValidationError, data: Any) -> list[str]:
    problems = []
    for detail in error.errors():
        message = _MESSAGES.get(detail["type"], detail["msg"]).removeprefix("Value error, ")
        where = _location(tuple(detail["loc"]), data)
        problems.append(f"{where}: {message}" if where else message)
    return problems


def parse_rubric(data: Mapping[str, Any], *, source: str | Path = "<rubric>") -> Rubric:
    try:
        return Rubric.model_validate(data)
    except ValidationError as error:
        raise RubricError(source, _problems(error, data)) from None


def load_rubric(path: str | Path) -> Rubric:
    path = Path(path)
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except OSError as error:
        raise RubricError(path, [f"cannot read the file: {error.strerror or error}"]) from error
    except tomllib.TOMLDecodeError as error:
        raise RubricError(path, [f"not valid TOML: {error}"]) from error
    return parse_rubric(data, source=path)


def default_rubric_dir() -> Path:
    return Path(__file__).parent / "rubrics"


class RubricBook:
    """Every rubric file (`*.toml`) of the directories, keyed by version; a file is named after its version.

    A version is defined once: the same version in two directories is an error, so that the rubric behind
    a score already given can never be swapped silently.
    """

    def __init__(self, directory: str | Path | None = None, *more: str | Path) -> None:
        self.directory = Path(directory) if directory is not None else default_rubric_dir()
        self.directories = [self.directory, *(Path(extra) for extra in more)]
        self._rubrics: dict[str, Rubric] = {}
        self._paths: dict[str, Path] = {}
        for folder in self.directories:
            for path in sorted(folder.glob("*.toml")):
                rubric = load_rubric(path)
                if rubric.version != path.stem:
                    raise RubricError(path, [f"version: the file declares version {rubric.version!r}; "
                                             f"name it {rubric.version}.toml"])
                if rubric.version in self._rubrics:
                    raise RubricError(path, [f"version: {rubric.version!r} is already defined by "
                                             f"{self._paths[rubric.version]}; give a new rubric a new version"])
                self._rubrics[rubric.version] = rubric
                self._paths[rubric.version] = path

    def get(self, version: str) -> Rubric:
        try:
            return self._rubrics[version]
        except KeyError:
            folders = ", ".join(str(folder) for folder in self.directories)
            raise UnknownRubric(f"no rubric {version!r} in {folders}; "
                                f"known versions: {', '.join(self.versions()) or 'none'}") from None

    def __contains__(self, version: object) -> bool:
        return version in self._rubrics

    def versions(self) -> list[str]:
        return sorted(self._rubrics)

    def path(self, version: str) -> Path:
        self.get(version)
        return self._paths[version]


def load_rubric_book(extra_dir: str | None = None) -> RubricBook:
    """The built-in rubrics and, when configured (SCORING_RUBRICS_DIR), those of an extra directory."""
    return RubricBook(default_rubric_dir(), *([extra_dir] if extra_dir else []))


# --------------------------------------------------------------------------------------------------------
# Scoring.
# --------------------------------------------------------------------------------------------------------

_CENT = Decimal("0.01")


class ScoringError(ValueError):
    """Scoring was asked for something the rubric does not allow (e.g. reviewers' points out of range)."""


class ScoreResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    rubric_version: str
    criteria: list[CriterionScore]
    total: float
    max_total: float
    auto_total: float = Field(description="Points of the criteria computed from the submission")
    tier: Tier
    size_group: str
    size_group_flagged: bool = Field(description="True when the size group is a fallback from the LAO type "
                                                 "or unknown")
    size_group_th: str = Field(default="", description="The group's Thai name, from the rubric")
    size_group_en: str = Field(default="", description="The group's English name, from the rubric")
    manual_pending: list[str] = Field(default_factory=list,
                                      description="Manual criteria the committee has not scored yet")
    sections: dict[str, float] = Field(default_factory=dict,
                                       description="Points per section (automatic and committee), for tie-breaks")

    @property
    def provisional(self) -> bool:
        """The tier can still change: some committee criteria are not scored yet."""
        return bool(self.manual_pending)

    def points(self) -> dict[str, float]:
        return {criterion.key: criterion.points for criterion in self.criteria}


def _dec(value: float | int | Decimal) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _round(value: float | int | Decimal) -> Decimal:
    return _dec(value).quantize(_CENT, rounding=ROUND_HALF_UP)


def _num(value: float | int | Decimal) -> str:
    """1500000 → `1,500,000`; 2.5 → `2.5`; 2.0 → `2`."""
    text = f"{_round(value):,}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _plain(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def _jsonable(value: Any) -> Any:
    """Submission data as JSON-native values, so that an explanation travels in an event unchanged."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, Decimal):
        return _plain(value)
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    return value


def _plural(count: float | int | Decimal, one: str, many: str) -> str:
    return one if count == 1 else many


@dataclass
class _Outcome:
    points: Decimal
    observed_th: str
    observed_en: str
    inputs: dict[str, Any] = field(default_factory=dict)


_CHOICE_LABELS: dict[str, dict[str, tuple[str, str]]] = {
    "readiness.depa_mark": {
        "yes": ("ได้รับแล้ว", "awarded"),
        "applying": ("อยู่ระหว่างยื่นขอ", "applying"),
        "no": ("ไม่ได้รับ", "not awarded"),
    },
}
_COUNT_UNITS: dict[str, tuple[str, str, str]] = {  # count → Thai unit, English singular, English plural
    "partners": ("ภาคี", "partner", "partners"),
    "evidence_urls": ("ลิงก์", "evidence link", "evidence links"),
    "dimensions": ("ด้าน", "dimension", "dimensions"),
}
_SUM_UNITS: dict[str, tuple[str, str, str]] = {
    "projects.budget_thb": ("บาท", "baht", "baht"),
    "projects.beneficiaries": ("คน", "person", "people"),
}
_NOT_ANSWERED = ("ไม่ได้ตอบ", "not answered")


def _band_outcome(bands: list[Band], value: Decimal, amount_th: str, amount_en: str,
                  units: tuple[str, str, str]) -> tuple[Decimal, str, str]:
    """Points of the highest band whose min the value reaches, and the observation with that band."""
    unit_th, one, many = units
    chosen = None
    for band in bands:
        if _dec(band.min) <= value:
            chosen = band
    if chosen is None:
        lowest = bands[0].min
        return (Decimal(0), f"{amount_th} (ต่ำกว่าเกณฑ์ขั้นต่ำ {_num(lowest)} {unit_th})",
                f"{amount_en} (below the lowest band, {_num(lowest)} {_plural(lowest, one, many)})")
    return (_dec(chosen.points), f"{amount_th} (เกณฑ์ตั้งแต่ {_num(chosen.min)} {unit_th}ขึ้นไป)",
            f"{amount_en} (band: {_num(chosen.min)} {_plural(chosen.min, one, many)} or more)")


def _project_name(index: int, project: Project) -> str:
    return project.name or f"#{index + 1}"


def _counted(submission: Submission, count: str) -> list[str]:
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


def _distinct(items: list[str]) -> list[str]:
    seen: set[str] = set()
    kept = []
    for item in items:
        folded = _squash(item)
        if folded and folded not in seen:
            seen.add(folded)
            kept.append(item)
    return kept


def _committee_outcome(criterion: Criterion, judgement: CommitteeJudgement) -> _Outcome:
    n, per = judgement.reviewers, judgement.marks
    listed = ", ".join(_num(mark.points) for mark in per)
    if n == 1:
        observed_th = f"คะแนนจากกรรมการ 1 คน ({listed})"
        observed_en = f"points of 1 reviewer ({listed})"
    else:
        observed_th = (f"ค่าเฉลี่ยของกรรมการ {n} คน ({listed}; ต่ำสุด {_num(judgement.lowest)} "
                       f"สูงสุด {_num(judgement.highest)} ต่างกัน {_num(judgement.spread)} คะแนน)")
        observed_en = (f"mean of {n} reviewers ({listed}; lowest {_num(judgement.lowest)}, highest "
                       f"{_num(judgement.highest)}, spread {_num(judgement.spread)})")
    if judgement.capped:
        observed_th += f" (เกินคะแนนเต็มของเกณฑ์รุ่นนี้ ให้ได้ไม่เกิน {_num(criterion.points)} คะแนน)"
        observed_en += f" (capped at this rubric's {_num(criterion.points)} points)"
    return _Outcome(judgement.points, observed_th, observed_en, judgement.inputs())


def _apply(criterion: Criterion, submission: Submission, entered: Mapping[str, Decimal],
           judgements: Mapping[str, CommitteeJudgement]) -> _Outcome:
    rule, most = criterion.rule, _dec(criterion.points)

    if isinstance(rule, YesNoRule):
        value = _read(submission, rule.field)
        inputs = {rule.field: _jsonable(value)}
        if value is None:
            return _Outcome(Decimal(0), *_NOT_ANSWERED, inputs)
        if value:
            return _Outcome(_dec(rule.points_if_yes) if rule.points_if_yes is not None else most,
                            "ใช่", "yes", inputs)
        return _Outcome(Decimal(0), "ไม่ใช่", "no", inputs)

    if isinstance(rule, ChoiceRule):
        value = _read(submission, rule.field)
        inputs = {rule.field: _jsonable(value)}
        if value is None:
            return _Outcome(Decimal(0), *_NOT_ANSWERED, inputs)
        label_th, label_en = _CHOICE_LABELS.get(rule.field, {}).get(value, (value, value))
        return _Outcome(_dec(rule.points.get(value, 0)), label_th, label_en, inputs)

    if isinstance(rule, PresenceRule):
        value = _read(submission, rule.field)
        present = bool(value.strip()) if isinstance(value, str) else bool(value)
        return _Outcome(most if present else Decimal(0), "มี" if present else "ไม่มี",
                        "provided" if present else "not provided", {rule.field: _jsonable(value)})

    if isinstance(rule, CountBandsRule):
        items = _counted(submission, rule.count)
        n = len(items)
        units = _COUNT_UNITS.get(rule.count, ("โครงการ", "project", "projects"))
        points, observed_th, observed_en = _band_outcome(
            rule.bands, Decimal(n), f"{n} {units[0]}", f"{n} {_plural(n, units[1], units[2])}", units)
        return _Outcome(points, observed_th, observed_en, {"count": rule.count, "value": n, "items": items})

    if isinstance(rule, DimensionCoverageRule):
        if rule.source == "declared":
            found = set(submission.dimensions)
        else:
            found = {dimension for project in submission.projects for dimension in project.dimensions}
        covered = [key for key in thai.DIMENSIONS if key in found]
        n, per = len(covered), _dec(rule.points_per_dimension)
        points = min(n * per, most)
        total = len(thai.DIMENSIONS)
        names_th = ", ".join(thai.DIMENSIONS[key][0] for key in covered)
        names_en = ", ".join(thai.DIMENSIONS[key][1] for key in covered)
        observed_th = f"{n} จาก {total} ด้าน" + (f" ({names_th})" if covered else "")
        observed_en = f"{n} of {total} dimensions" + (f" ({names_en})" if covered else "")
        if covered:
            observed_th += f" × {_num(per)} คะแนน"
            observed_en += f" × {_num(per)} {_plural(per, 'point', 'points')}"
        if n * per > most:
            observed_th += f" (สูงสุด {_num(most)} คะแนน)"
            observed_en += f" (capped at {_num(most)} points)"
        return _Outcome(points, observed_th, observed_en,
                        {"source": rule.source, "dimensions": covered, "value": n})

    if isinstance(rule, SumBandsRule):
        attribute = rule.field.split(".", 1)[1]
        values = [getattr(project, attribute) for project in submission.projects]
        given = [_dec(value) for value in values if value is not None]
        missing = len(values) - len(given)
        total_value = sum(given, Decimal(0))
        units = _SUM_UNITS[rule.field]
        amount_th = f"รวม {_num(total_value)} {units[0]} จาก {len(given)} โครงการ"
        amount_en = (f"{_num(total_value)} {_plural(total_value, units[1], units[2])} in total over "
                     f"{len(given)} {_plural(len(given), 'project', 'projects')}")
        points, observed_th, observed_en = _band_outcome(rule.bands, total_value, amount_th, amount_en, units)
        if missing:
            observed_th += f"; ไม่ระบุ {missing} โครงการ"
            observed_en += f"; not given for {missing} {_plural(missing, 'project', 'projects')}"
        return _Outcome(points, observed_th, observed_en,
                        {"field": rule.field, "value": _plain(total_value),
                         "values": [_plain(value) for value in given], "missing": missing})

    assert isinstance(rule, ManualRule)
    if criterion.key in judgements:
        return _committee_outcome(criterion, judgements[criterion.key])
    if criterion.key in entered:
        points = entered[criterion.key]
        return _Outcome(points, "คะแนนที่คณะกรรมการบันทึก", "points entered by the committee",
                        {"committee_points": _plain(points)})
    return _Outcome(Decimal(0), "รอคณะกรรมการพิจารณา", "awaiting the committee's judgement")


def _entered_points(rubric: Rubric, manual_points: Mapping[str, float] | None) -> dict[str, Decimal]:
    entered: dict[str, Decimal] = {}
    manual = rubric.manual_keys
    for key, value in (manual_points or {}).items():
        try:
            criterion = rubric.criterion(key)
        except KeyError:
            raise ScoringError(f"manual points for {key!r}: rubric {rubric.version} has no such criterion; "
                               f"its manual criteria are: {', '.join(manual) or 'none'}") from None
        if not criterion.manual:
            raise ScoringError(f"manual points for {key!r}: the criterion is scored from the submission "
                               f"({criterion.rule.type}); manual criteria are: {', '.join(manual) or 'none'}")
        if isinstance(value, bool) or not isinstance(value, int | float | Decimal) or not math.isfinite(value):
            raise ScoringError(f"manual points for {key!r} must be a number, got {value!r}")
        if not 0 <= value <= criterion.points:
            raise ScoringError(f"manual points for {key!r} must be between 0 and {_num(criterion.points)}, "
                               f"got {_num(value)}")
        entered[key] = _round(value)
    return entered


def group_name(rubric: Rubric, group: str) -> GroupName:
    """A size group's Thai and English names as the rubric gives them (the unknown group's own otherwise)."""
    return rubric.size_groups.names.get(group, UNKNOWN_GROUP_NAME)


def size_group_of(rubric: Rubric, *, lao_type: str | None, size_class: str | None = None) -> tuple[str, bool]:
    """(group, flagged): DLA's size class when given and understood, else the rubric's fallback from the LAO
    type (flagged), else `unknown` (flagged)."""
    if size_class and size_class.strip():
        group = rubric.size_groups.parse(size_class)
        if group is not None:
            return group, False
    if lao_type and lao_type.strip():
        group = rubric.size_groups.fallback(lao_type)
        if group is not None:
            return group, True
    return UNKNOWN_SIZE_GROUP, True


def tier_of(rubric: Rubric, total: float | Decimal) -> Tier:
    if _dec(total) >= _dec(rubric.tiers.outstanding_min):
        return "outstanding"
    if _dec(total) >= _dec(rubric.tiers.efficient_min):
        return "efficient"
    return "not_selected"


def _judgements(rubric: Rubric, committee: Mapping[str, Sequence[ReviewerMark]] | None,
                entered: Mapping[str, Decimal]) -> dict[str, CommitteeJudgement]:
    """Reviewers' marks per manual criterion, combined. Marks for a criterion this rubric does not have, or
    scores from the submission, are not this rubric's concern and are left out (they may belong to another
    version of the rubric)."""
    judgements: dict[str, CommitteeJudgement] = {}
    manual = set(rubric.manual_keys)
    for key, marks in (committee or {}).items():
        if key in entered:
            raise ScoringError(f"manual points for {key!r} are given both directly and as reviewers' marks")
        if key in manual and marks:
            judgements[key] = combine(marks, rubric.criterion(key).points)
    return judgements


def score(submission: Submission, rubric: Rubric, *, lao_type: str | None, size_class: str | None = None,
          manual_points: Mapping[str, float] | None = None,
          committee: Mapping[str, Sequence[ReviewerMark]] | None = None) -> ScoreResult:
    """Score one submission under one rubric: every criterion with its points and why, the totals, the tier
    from the rubric's thresholds, and the size group it is ranked in.

    Manual criteria take `manual_points` (one figure each) or `committee` (every reviewer's mark, combined
    into their mean); a manual criterion with neither is pending and gives 0 until the committee scores it.
    """
    entered = _entered_points(rubric, manual_points)
    judgements = _judgements(rubric, committee, entered)
    criteria: list[CriterionScore] = []
    auto_total = manual_total = Decimal(0)
    section_points: dict[str, Decimal] = {section.key: Decimal(0) for section in rubric.sections}
    for section, criterion in rubric.iter_criteria():
        outcome = _apply(criterion, submission, entered, judgements)
        points = _round(min(outcome.points, _dec(criterion.points)))
        section_points[section.key] += points
        if criterion.manual:
            manual_total += points
            title_th = f"{criterion.title_th} (คณะกรรมการให้คะแนน)"
            title_en = f"{criterion.title_en} (scored by the committee)"
        else:
            auto_total += points
            title_th, title_en = criterion.title_th, criterion.title_en
        criteria.append(CriterionScore(
            key=criterion.key,
            section=section.key,
            title_th=criterion.title_th,
            title_en=criterion.title_en,
            points=float(points),
            max_points=float(_round(criterion.points)),
            manual=criterion.manual,
            inputs=outcome.inputs,
            reason_th=f"{title_th}: {outcome.observed_th} → {_num(points)} คะแนน",
            reason_en=f"{title_en}: {outcome.observed_en} → {_num(points)} {_plural(points, 'point', 'points')}",
        ))
    total = auto_total + manual_total
    size_group, flagged = size_group_of(rubric, lao_type=lao_type, size_class=size_class)
    return ScoreResult(
        rubric_version=rubric.version,
        criteria=criteria,
        total=float(_round(total)),
        max_total=float(_round(rubric.max_total)),
        auto_total=float(_round(auto_total)),
        tier=tier_of(rubric, total),
        size_group=size_group,
        size_group_flagged=flagged,
        size_group_th=group_name(rubric, size_group).th,
        size_group_en=group_name(rubric, size_group).en,
        manual_pending=[key for key in rubric.manual_keys if key not in entered and key not in judgements],
        sections={key: float(value) for key, value in section_points.items()},
    )
