"""The rubric file format: a rubric of sections of criteria (each with its maximum points and one rule of
`rules.py`), its tiers, its size groups and how equal totals are ranked, checked as a whole when it is
loaded (duplicate keys, bands above the criterion, a tier no submission can reach...)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from decimal import Decimal
from typing import Annotated

from pydantic import Field, model_validator

from services.scoring.rubric.numbers import dec, num, squash
from services.scoring.rubric.rules import Points, Rule, Strict
from shared import thai

Key = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,63}$")]
Title = Annotated[str, Field(min_length=1, max_length=300)]

UNKNOWN_SIZE_GROUP = "unknown"


class Criterion(Strict):
    key: Key
    title_th: Title
    title_en: Title
    points: Annotated[float, Field(gt=0, allow_inf_nan=False)]
    rule: Rule

    @property
    def manual(self) -> bool:
        return self.rule.manual

    @model_validator(mode="after")
    def _within_points(self) -> Criterion:
        too_much = [f"{what} gives {num(points)} points" for what, points in self.rule.offers()
                    if points > self.points]
        if too_much:
            raise ValueError(f"{'; '.join(too_much)}, more than the criterion's {num(self.points)} points")
        return self


class Section(Strict):
    key: Key
    title_th: Title
    title_en: Title
    criteria: list[Criterion] = Field(min_length=1)


class Tiers(Strict):
    outstanding_min: Points
    efficient_min: Points

    @model_validator(mode="after")
    def _ordered(self) -> Tiers:
        if not self.outstanding_min > self.efficient_min:
            raise ValueError(f"outstanding_min ({num(self.outstanding_min)}) must be above efficient_min "
                             f"({num(self.efficient_min)})")
        return self


class GroupName(Strict):
    th: Title
    en: Title


# The name of the group of LAOs whose size is not known (no rubric names it).
UNKNOWN_GROUP_NAME = GroupName(th="ไม่ทราบขนาด", en="size unknown")

# The municipal types written short (ทน./ทม./ทต.) are read as the types they stand for. The other
# abbreviations (อบต., อบจ., กทม.) are left as written, so a fallback that names them so still matches.
_MUNICIPAL_ABBREVIATIONS = {short: name for short, name in thai.LAO_TYPE_ABBREVIATIONS.items()
                            if name in thai.MUNICIPALITY_TYPES}


def _written_out(lao_type: str) -> str:
    """`ทม.`, `ทม` → `เทศบาลเมือง`; any other LAO type as it is."""
    return _MUNICIPAL_ABBREVIATIONS.get(squash(lao_type).removesuffix("."), lao_type)


class SizeGroups(Strict):
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
        wanted = squash(size_class)
        for key, name in self.names.items():
            spellings = {key, name.th, name.en, name.th.removeprefix("ขนาด")}
            if wanted in {squash(spelling) for spelling in spellings}:
                return key
        return None

    def fallback(self, lao_type: str) -> str | None:
        """The group the rubric gives an LAO type (`เทศบาลเมือง`, `เทศบาล เมือง`, `ทม.`) when the size is not known."""
        wanted = squash(_written_out(lao_type))
        for known, group in self.fallback_by_lao_type.items():
            if squash(known) == wanted:
                return group
        return None


class Ranking(Strict):
    """How equal totals are ordered: by the points of these sections, in this order (then the earlier
    submission, then the submission id). Left out, the sections count in the order of the file."""

    tie_break_sections: list[Key] = Field(default_factory=list)


class Rubric(Strict):
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
            problems.append(f"tiers.outstanding_min ({num(self.tiers.outstanding_min)}) is more than the "
                            f"rubric's total points ({num(self.max_total)})")
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
        return float(sum((dec(c.points) for _, c in self.iter_criteria()), Decimal(0)))

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
