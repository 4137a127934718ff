"""The rule types of the rubric file format, each with everything it means in one class: what it may read
(checked when the rubric is loaded), the points it gives a submission and why (`evaluate`), the points its
entries offer (checked against the criterion's maximum) and how it reads in the rubric's document (`explain`).

A rule type is added here and only here (plus its line in docs/scoring.md): a class with a `type` literal
and the three methods, put in the `Rule` union at the end of the module.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Annotated, Any, ClassVar, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from services.scoring.committee import CommitteeJudgement, plain
from services.scoring.rubric.fields import SUBMISSION_FIELDS, CountOf, SumOf, counted, read_field, require_field
from services.scoring.rubric.numbers import dec, figure, jsonable, num, plural
from services.scoring.rubric.wording import (
    COUNT_NAMES,
    COUNT_UNITS,
    NOT_ANSWERED,
    PROJECT_UNITS,
    SUM_UNITS,
    Units,
    band_words,
    choice_label,
    field_words,
)
from shared import thai
from shared.submission import Submission

Points = Annotated[float, Field(ge=0, allow_inf_nan=False)]


class Strict(BaseModel):
    """An entry of the rubric file: misspelt entries are errors, and a loaded rubric does not change."""

    model_config = ConfigDict(extra="forbid", frozen=True)


@dataclass(frozen=True)
class CommitteePoints:
    """What the committee gave one manual criterion, if anything: one figure entered directly, or every
    reviewer's mark combined."""

    entered: Decimal | None = None
    judgement: CommitteeJudgement | None = None


@dataclass
class Outcome:
    """A rule's points for one submission (before the cap at the criterion's maximum), what it observed in
    Thai and English, and the submission data it read."""

    points: Decimal
    observed_th: str
    observed_en: str
    inputs: dict[str, Any] = field(default_factory=dict)


class RuleBase(Strict):
    """What every rule type answers."""

    # A manual rule leaves the points to the committee: the criterion is scored by reviewers, not the data.
    manual: ClassVar[bool] = False

    @abstractmethod
    def evaluate(self, submission: Submission, most: Decimal, committee: CommitteePoints) -> Outcome:
        """The points the submission earns under this rule (`most` being the criterion's maximum), and why."""

    def offers(self) -> list[tuple[str, float]]:
        """Each entry of the rule that gives points, named as in the file, with the points it gives (none may
        give more than the criterion)."""
        return []

    @abstractmethod
    def explain(self, most: float) -> tuple[str, str]:
        """How the criterion's points are computed, in Thai and in English, for the rubric's document."""


class Band(Strict):
    min: Points
    points: Points


def _ascending(bands: list[Band]) -> list[Band]:
    for index in range(1, len(bands)):
        before, band = bands[index - 1], bands[index]
        if band.min <= before.min:
            raise ValueError(f"bands must be in ascending order of min: bands[{index}] has min {num(band.min)}, "
                             f"not above bands[{index - 1}]'s {num(before.min)}")
        if band.points < before.points:
            raise ValueError(f"a higher band cannot give fewer points: bands[{index}] (min {num(band.min)}) "
                             f"gives {num(band.points)}, bands[{index - 1}] gives {num(before.points)}")
    return bands


Bands = Annotated[list[Band], Field(min_length=1), AfterValidator(_ascending)]


def _band_outcome(bands: Sequence[Band], value: Decimal, amount_th: str, amount_en: str,
                  units: Units) -> tuple[Decimal, str, str]:
    """Points of the highest band whose min the value reaches, and the observation with that band."""
    unit_th, one, many = units
    chosen = None
    for band in bands:
        if dec(band.min) <= value:
            chosen = band
    if chosen is None:
        lowest = bands[0].min
        return (Decimal(0), f"{amount_th} (ต่ำกว่าเกณฑ์ขั้นต่ำ {num(lowest)} {unit_th})",
                f"{amount_en} (below the lowest band, {num(lowest)} {plural(lowest, one, many)})")
    return (dec(chosen.points), f"{amount_th} (เกณฑ์ตั้งแต่ {num(chosen.min)} {unit_th}ขึ้นไป)",
            f"{amount_en} (band: {num(chosen.min)} {plural(chosen.min, one, many)} or more)")


def _band_offers(bands: Sequence[Band]) -> list[tuple[str, float]]:
    return [(f"rule.bands[{i}] (min {num(band.min)})", band.points) for i, band in enumerate(bands)]


class YesNoRule(RuleBase):
    """Full points (or `points_if_yes`) when the field is true."""

    type: Literal["yes_no"]
    field: str
    points_if_yes: Points | None = None

    @field_validator("field")
    @classmethod
    def _known_field(cls, value: str) -> str:
        require_field(value, {"bool"}, "yes/no")
        return value

    def evaluate(self, submission: Submission, most: Decimal, committee: CommitteePoints) -> Outcome:
        value = read_field(submission, self.field)
        inputs = {self.field: jsonable(value)}
        if value is None:
            return Outcome(Decimal(0), *NOT_ANSWERED, inputs)
        if value:
            return Outcome(dec(self.points_if_yes) if self.points_if_yes is not None else most, "ใช่", "yes", inputs)
        return Outcome(Decimal(0), "ไม่ใช่", "no", inputs)

    def offers(self) -> list[tuple[str, float]]:
        return [] if self.points_if_yes is None else [("rule.points_if_yes", self.points_if_yes)]

    def explain(self, most: float) -> tuple[str, str]:
        th, en = field_words(self.field)
        points = figure(self.points_if_yes if self.points_if_yes is not None else most)
        return (f"ตอบ “ใช่” ในช่อง {th} ได้ {points} คะแนน; ตอบ “ไม่ใช่” หรือไม่ตอบ 0",
                f"“yes” to {en}: {points} points; “no” or no answer: 0")


class ChoiceRule(RuleBase):
    """Points per answer of a fixed-choice field; answers not listed give 0."""

    type: Literal["choice"]
    field: str
    points: dict[str, Points] = Field(min_length=1)

    @field_validator("field")
    @classmethod
    def _known_field(cls, value: str) -> str:
        require_field(value, {"choice"}, "choice")
        return value

    @model_validator(mode="after")
    def _known_answers(self) -> ChoiceRule:
        choices = SUBMISSION_FIELDS[self.field].choices
        unknown = [answer for answer in self.points if answer not in choices]
        if unknown:
            raise ValueError(f"points: {', '.join(map(repr, unknown))} is not an answer of {self.field}; "
                             f"its answers are: {', '.join(choices)}")
        return self

    def evaluate(self, submission: Submission, most: Decimal, committee: CommitteePoints) -> Outcome:
        value = read_field(submission, self.field)
        inputs = {self.field: jsonable(value)}
        if value is None:
            return Outcome(Decimal(0), *NOT_ANSWERED, inputs)
        return Outcome(dec(self.points.get(value, 0)), *choice_label(self.field, value), inputs)

    def offers(self) -> list[tuple[str, float]]:
        return [(f"rule.points[{answer!r}]", points) for answer, points in self.points.items()]

    def explain(self, most: float) -> tuple[str, str]:
        th, en = field_words(self.field)
        pairs_th = ", ".join(f"{choice_label(self.field, a)[0]} → {figure(p)}" for a, p in self.points.items())
        pairs_en = ", ".join(f"{choice_label(self.field, a)[1]} → {figure(p)}" for a, p in self.points.items())
        return (f"ตามคำตอบในช่อง {th}: {pairs_th}; คำตอบอื่นหรือไม่ตอบ 0",
                f"by the answer to {en}: {pairs_en}; any other answer or none: 0")


class PresenceRule(RuleBase):
    """Full points when the field holds something (a non-empty text or list)."""

    type: Literal["presence"]
    field: str

    @field_validator("field")
    @classmethod
    def _known_field(cls, value: str) -> str:
        require_field(value, {"text", "list"}, "text or list")
        return value

    def evaluate(self, submission: Submission, most: Decimal, committee: CommitteePoints) -> Outcome:
        value = read_field(submission, self.field)
        present = bool(value.strip()) if isinstance(value, str) else bool(value)
        return Outcome(most if present else Decimal(0), "มี" if present else "ไม่มี",
                       "provided" if present else "not provided", {self.field: jsonable(value)})

    def explain(self, most: float) -> tuple[str, str]:
        th, en = field_words(self.field)
        return (f"มีข้อมูลในช่อง {th} ได้ {figure(most)} คะแนน; ไม่มี 0",
                f"{en} given: {figure(most)} points; not given: 0")


class CountBandsRule(RuleBase):
    """Points of the highest band whose `min` the count reaches."""

    type: Literal["count_bands"]
    count: CountOf
    bands: Bands

    def evaluate(self, submission: Submission, most: Decimal, committee: CommitteePoints) -> Outcome:
        items = counted(submission, self.count)
        n = len(items)
        units = COUNT_UNITS.get(self.count, PROJECT_UNITS)
        points, observed_th, observed_en = _band_outcome(
            self.bands, Decimal(n), f"{n} {units[0]}", f"{n} {plural(n, units[1], units[2])}", units)
        return Outcome(points, observed_th, observed_en, {"count": self.count, "value": n, "items": items})

    def offers(self) -> list[tuple[str, float]]:
        return _band_offers(self.bands)

    def explain(self, most: float) -> tuple[str, str]:
        what_th, what_en = COUNT_NAMES[self.count]
        bands_th, bands_en = band_words([(b.min, b.points) for b in self.bands], "", "")
        return f"นับ{what_th}: {bands_th}", f"count of {what_en}: {bands_en}"


class DimensionCoverageRule(RuleBase):
    """`points_per_dimension` for each Smart City dimension covered, capped at the criterion's points."""

    type: Literal["dimension_coverage"]
    points_per_dimension: Annotated[float, Field(gt=0, allow_inf_nan=False)]
    source: Literal["declared", "projects"]

    def evaluate(self, submission: Submission, most: Decimal, committee: CommitteePoints) -> Outcome:
        if self.source == "declared":
            found = set(submission.dimensions)
        else:
            found = {dimension for project in submission.projects for dimension in project.dimensions}
        covered = [key for key in thai.DIMENSIONS if key in found]
        n, per = len(covered), dec(self.points_per_dimension)
        total = len(thai.DIMENSIONS)
        names_th = ", ".join(thai.DIMENSIONS[key][0] for key in covered)
        names_en = ", ".join(thai.DIMENSIONS[key][1] for key in covered)
        observed_th = f"{n} จาก {total} ด้าน" + (f" ({names_th})" if covered else "")
        observed_en = f"{n} of {total} dimensions" + (f" ({names_en})" if covered else "")
        if covered:
            observed_th += f" × {num(per)} คะแนน"
            observed_en += f" × {num(per)} {plural(per, 'point', 'points')}"
        if n * per > most:
            observed_th += f" (สูงสุด {num(most)} คะแนน)"
            observed_en += f" (capped at {num(most)} points)"
        return Outcome(min(n * per, most), observed_th, observed_en,
                       {"source": self.source, "dimensions": covered, "value": n})

    def offers(self) -> list[tuple[str, float]]:
        return [("rule.points_per_dimension", self.points_per_dimension)]

    def explain(self, most: float) -> tuple[str, str]:
        where_th = "ที่โครงการครอบคลุม" if self.source == "projects" else "ที่ระบุในแบบรายงาน"
        where_en = "covered by the projects" if self.source == "projects" else "declared in the form"
        per, total = figure(self.points_per_dimension), len(thai.DIMENSIONS)
        return (f"{per} คะแนนต่อด้านของเมืองอัจฉริยะ{where_th} (จาก {total} ด้าน) สูงสุด {figure(most)} คะแนน",
                f"{per} points for each smart city dimension {where_en} (of {total}), at most {figure(most)}")


class SumBandsRule(RuleBase):
    """Sum a number over the projects, then points of the highest band whose `min` the sum reaches."""

    type: Literal["sum_bands"]
    field: SumOf
    bands: Bands

    def evaluate(self, submission: Submission, most: Decimal, committee: CommitteePoints) -> Outcome:
        attribute = self.field.split(".", 1)[1]
        values = [getattr(project, attribute) for project in submission.projects]
        given = [dec(value) for value in values if value is not None]
        missing = len(values) - len(given)
        total = sum(given, Decimal(0))
        units = SUM_UNITS[self.field]
        amount_th = f"รวม {num(total)} {units[0]} จาก {len(given)} โครงการ"
        amount_en = (f"{num(total)} {plural(total, units[1], units[2])} in total over "
                     f"{len(given)} {plural(len(given), 'project', 'projects')}")
        points, observed_th, observed_en = _band_outcome(self.bands, total, amount_th, amount_en, units)
        if missing:
            observed_th += f"; ไม่ระบุ {missing} โครงการ"
            observed_en += f"; not given for {missing} {plural(missing, 'project', 'projects')}"
        return Outcome(points, observed_th, observed_en,
                       {"field": self.field, "value": plain(total),
                        "values": [plain(value) for value in given], "missing": missing})

    def offers(self) -> list[tuple[str, float]]:
        return _band_offers(self.bands)

    def explain(self, most: float) -> tuple[str, str]:
        th, en = field_words(self.field)
        unit_th, _, unit_en = SUM_UNITS[self.field]
        bands_th, bands_en = band_words([(b.min, b.points) for b in self.bands], f" {unit_th}", f" {unit_en}")
        return (f"รวม{th} ทุกโครงการ: {bands_th} (โครงการที่ไม่ระบุไม่นับรวม)",
                f"sum of {en} over all projects: {bands_en} (projects without a figure add nothing)")


class ManualRule(RuleBase):
    """Committee judgement: 0 points until reviewers enter theirs."""

    type: Literal["manual"]
    manual: ClassVar[bool] = True

    def evaluate(self, submission: Submission, most: Decimal, committee: CommitteePoints) -> Outcome:
        if committee.judgement is not None:
            return _committee_outcome(most, committee.judgement)
        if committee.entered is not None:
            return Outcome(committee.entered, "คะแนนที่คณะกรรมการบันทึก", "points entered by the committee",
                           {"committee_points": plain(committee.entered)})
        return Outcome(Decimal(0), "รอคณะกรรมการพิจารณา", "awaiting the committee's judgement")

    def explain(self, most: float) -> tuple[str, str]:
        return (f"คณะกรรมการให้คะแนน 0–{figure(most)} (ค่าเฉลี่ยของกรรมการที่ได้รับมอบหมาย พร้อมเหตุผล); "
                "0 จนกว่าจะให้คะแนน",
                f"scored 0–{figure(most)} by the committee (the mean of the assigned reviewers, each with a "
                "comment); 0 until scored")


def _committee_outcome(most: Decimal, judgement: CommitteeJudgement) -> Outcome:
    n, per = judgement.reviewers, judgement.marks
    listed = ", ".join(num(mark.points) for mark in per)
    if n == 1:
        observed_th = f"คะแนนจากกรรมการ 1 คน ({listed})"
        observed_en = f"points of 1 reviewer ({listed})"
    else:
        observed_th = (f"ค่าเฉลี่ยของกรรมการ {n} คน ({listed}; ต่ำสุด {num(judgement.lowest)} "
                       f"สูงสุด {num(judgement.highest)} ต่างกัน {num(judgement.spread)} คะแนน)")
        observed_en = (f"mean of {n} reviewers ({listed}; lowest {num(judgement.lowest)}, highest "
                       f"{num(judgement.highest)}, spread {num(judgement.spread)})")
    if judgement.capped:
        observed_th += f" (เกินคะแนนเต็มของเกณฑ์รุ่นนี้ ให้ได้ไม่เกิน {num(most)} คะแนน)"
        observed_en += f" (capped at this rubric's {num(most)} points)"
    return Outcome(judgement.points, observed_th, observed_en, judgement.inputs())


Rule = Annotated[
    YesNoRule | ChoiceRule | PresenceRule | CountBandsRule | DimensionCoverageRule | SumBandsRule | ManualRule,
    Field(discriminator="type"),
]
