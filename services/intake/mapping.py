"""Form mappings: which question (a column of the Sheets export, an answer of the form connector) fills which
canonical field. A mapping is a data file per form (`mappings/<name>.toml`), because real forms differ and
Google renames a column whenever a question's title is edited; aliases keep old titles and the English-locale
headers (Timestamp, Email Address) working.

Pure: reads TOML text and turns rows of answers into canonical submissions or into errors a person can act
on (row, column, reason in Thai and English).
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import pairwise
from pathlib import Path
from typing import Any, Literal, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel

from services.intake.identity import derived_response_id
from services.intake.reading import Reading, problem, read_submission
from services.intake.submission import MAX_PROJECTS, AnswerProblem, Contact, Lao, Project, Readiness, Source
from shared import thai

BUILTIN_DIR = Path(__file__).with_name("mappings")
ConnectorValue = Literal["timestamp", "respondent_email"]
Answer = str | list[str] | None

# Every field a mapping may fill, derived from the canonical model so the two cannot drift apart.
_GROUPS: dict[str, type[BaseModel]] = {"lao": Lao, "contact": Contact, "readiness": Readiness}
FIELDS: frozenset[str] = frozenset(
    {"submitted_at", "dimensions", "partners"}
    | {f"{group}.{name}" for group, model in _GROUPS.items() for name in model.model_fields}
    | {f"projects[{i}].{name}" for i in range(MAX_PROJECTS) for name in Project.model_fields}
)
REQUIRED_FIELDS = ("lao.name", "lao.province")
_PATH_PART = re.compile(r"([a-z_]+)(?:\[([0-9]+)\])?")


class MappingError(ValueError):
    """A mapping file that cannot be used, with the reason."""


def title_key(title: str) -> str:
    """How titles are compared: Thai digits, white space, zero-width characters and a trailing `*` or `:` do
    not make a different question."""
    return re.sub(r"\s+", "", thai.to_arabic_digits(thai.clean_text(title))).casefold().rstrip("*:")


@dataclass(frozen=True)
class Column:
    field: str
    titles: tuple[str, ...]
    required: bool = False
    connector: ConnectorValue | None = None

    @property
    def title(self) -> str:
        return self.titles[0]


@dataclass(frozen=True)
class RowError:
    """One reason a row (or a response) was not taken, in the words of the form: which column, which field."""

    row: int | None
    column: str | None
    field: str
    code: str
    message_th: str
    message_en: str
    written: str | None = None


@dataclass(frozen=True)
class HeaderPlan:
    """The columns of one file (or the questions of one response) read against a mapping."""

    headers: tuple[str, ...]
    columns: tuple[Column | None, ...]  # per header: the column it fills, or None (unknown or ignored)
    unknown: tuple[str, ...]
    missing: tuple[Column, ...]

    def header_of(self, field_path: str) -> str | None:
        """The header a field came from; a list item's error (`projects[0].dimensions[2]`) names its column."""
        path = field_path
        while path:
            for header, column in zip(self.headers, self.columns, strict=True):
                if column is not None and column.field == path:
                    return header
            trimmed = re.sub(r"(\[[0-9]+\]|\.[a-z_]+)$", "", path)
            if trimmed == path:
                break
            path = trimmed
        return None


@dataclass(frozen=True)
class FormMapping:
    name: str
    description: str
    campaign: str
    date_order: thai.DateOrder
    timezone: str
    columns: tuple[Column, ...]
    ignored: frozenset[str] = field(default_factory=frozenset)

    def summary(self) -> dict[str, Any]:
        return {
            "name": self.name, "description": self.description, "campaign": self.campaign,
            "date_order": self.date_order, "timezone": self.timezone,
            "columns": [{"field": c.field, "titles": list(c.titles), "required": c.required} for c in self.columns],
            "ignored": sorted(self.ignored),
        }

    def title_of(self, field_path: str) -> str | None:
        """The form's title for a field (or for the field a list item belongs to), when no column carried it."""
        by_field = {c.field: c.title for c in self.columns}
        path = field_path
        while path and path not in by_field:
            trimmed = re.sub(r"(\[[0-9]+\]|\.[a-z_]+)$", "", path)
            if trimmed == path:
                return None
            path = trimmed
        return by_field.get(path)

    def plan(self, headers: Sequence[str]) -> HeaderPlan:
        by_title = {title_key(t): c for c in self.columns for t in c.titles}
        columns: list[Column | None] = []
        unknown: list[str] = []
        for header in headers:
            key = title_key(header)
            column = by_title.get(key)
            columns.append(column)
            if column is None and key and key not in self.ignored:
                unknown.append(header)
        present = {c.field for c in columns if c is not None}
        missing = tuple(c for c in self.columns if c.required and c.field not in present)
        return HeaderPlan(tuple(headers), tuple(columns), tuple(unknown), missing)

    def missing_errors(self, plan: HeaderPlan, *, row: int | None = None) -> list[RowError]:
        return [RowError(
            row=row, column=column.title, field=column.field, code="column_missing",
            message_th=f"ไม่พบคอลัมน์/คำถามที่ต้องมี: {' หรือ '.join(repr(t) for t in column.titles)} "
                       f"(ถ้าเปลี่ยนชื่อคำถาม ให้เพิ่มชื่อใหม่ในไฟล์จับคู่ {self.name})",
            message_en=f"required column/question not found: {' or '.join(repr(t) for t in column.titles)} "
                       f"(if the question was renamed, add its new title to the mapping {self.name!r})",
        ) for column in plan.missing]

    def read(self, plan: HeaderPlan, values: Sequence[Answer], *, row: int | None, source: Source,
             response_id: str | None, campaign: str | None = None,
             date_order: thai.DateOrder | None = None) -> Reading:
        """One row's (or response's) answers as a canonical submission. Nothing refuses it: an answer that
        cannot be taken (an unreadable timestamp or number, an unknown choice, a required answer left blank) is
        left out of the canonical values and listed in `answer_problems` with the question and what was
        written, and validation returns the response for correction.

        A CSV row has no response id (`response_id=None`): one is derived from its timestamp and LAO, or from
        the whole row when either is missing."""
        data: dict[str, Any] = {}
        problems: list[AnswerProblem] = []
        submitted_at: datetime | None = None
        for header, column, value in zip(plan.headers, plan.columns, values, strict=False):
            if column is None or _blank(value):
                continue
            if column.field == "submitted_at":
                try:
                    submitted_at = thai.parse_timestamp(_joined(value), date_order=date_order or self.date_order,
                                                        tz=ZoneInfo(self.timezone))
                except thai.TimestampError as error:
                    problems.append(problem("submitted_at", "answer_unreadable", _joined(value), error.message_th,
                                            error.message_en, question=header, reason="timestamp"))
                continue
            if _get(data, column.field) is None:  # two columns for one field: the first answer wins
                _set(data, column.field, value)
        if submitted_at is not None:
            data["submitted_at"] = submitted_at
        for column in self.columns:
            if column.required and _get(data, column.field) is None and not any(
                    p.field == column.field for p in problems):
                problems.append(problem(column.field, "answer_missing", None, *_MISSING[column.field],
                                        question=plan.header_of(column.field) or column.title, reason="missing"))
        if response_id is None:
            response_id = _row_response_id(submitted_at, data.get("lao", {}), values)
        data.update(campaign=campaign or self.campaign, source=source, source_response_id=response_id)
        # Projects left blank on the form are no projects; the ones answered keep their numbers in problems.
        numbers = [i for i, project in enumerate(data.get("projects", [])) if project]
        if "projects" in data:
            data["projects"] = [data["projects"][i] for i in numbers]

        def on_form(path: str) -> str:
            return re.sub(r"^projects\[([0-9]+)\]", lambda m: f"projects[{numbers[int(m[1])]}]", path)

        return read_submission(data, problems=problems, field_of=on_form,
                               question_of=lambda path: plan.header_of(path) or self.title_of(path))

    def response_row(self, timestamp: str, respondent_email: str | None,
                     answers: Mapping[str, Answer]) -> tuple[list[str], list[Answer]]:
        """A form connector's response as a row: its answers, plus the timestamp and respondent's e-mail under
        the columns that take them (unless a question of that title was answered)."""
        headers, values = list(answers), list(answers.values())
        present = {title_key(h) for h in headers}
        extra = {"timestamp": timestamp, "respondent_email": respondent_email}
        for column in self.columns:
            if column.connector and extra[column.connector] and not present & {title_key(t) for t in column.titles}:
                headers.append(column.title)
                values.append(extra[column.connector])
        return headers, values


_MISSING: dict[str, tuple[str, str]] = {
    "submitted_at": ("ไม่มีวันเวลาที่ส่ง (ประทับเวลา)", "the response has no timestamp"),
    "lao.name": ("ไม่ได้ระบุชื่อองค์กรปกครองส่วนท้องถิ่น", "the LAO's name was left blank"),
    "lao.province": ("ไม่ได้ระบุจังหวัด", "the province was left blank"),
}


def _row_response_id(submitted_at: datetime | None, lao: dict[str, Any], values: Sequence[Answer]) -> str:
    """A CSV row's stable id: its timestamp and LAO (name, else code), so that a re-import finds it again;
    without a timestamp or any LAO, the whole row's answers."""
    name, code = lao.get("name"), lao.get("code")
    who = name if isinstance(name, str) and thai.clean_text(name) else None
    if who is None and isinstance(code, str) and thai.clean_text(code):
        who = "#" + thai.to_arabic_digits(thai.clean_text(code))
    if submitted_at is not None and who is not None:
        return derived_response_id(submitted_at, who)
    cells = json.dumps([_joined(v) for v in values], ensure_ascii=False)
    return "row-" + hashlib.sha256(cells.encode()).hexdigest()[:24]


def _blank(value: Answer) -> bool:
    if value is None:
        return True
    if isinstance(value, list):
        return not any(thai.clean_text(v) for v in value if isinstance(v, str))
    return not thai.clean_text(value)


def _joined(value: Answer) -> str:
    return ", ".join(value) if isinstance(value, list) else (value or "")


def _parts(path: str) -> list[str | int]:
    parts: list[str | int] = []
    for name, index in _PATH_PART.findall(path):
        parts.append(name)
        if index:
            parts.append(int(index))
    return parts


def _get(data: dict[str, Any], path: str) -> Any:
    node: Any = data
    for part in _parts(path):
        if isinstance(part, int):
            node = node[part] if isinstance(node, list) and part < len(node) else None
        else:
            node = node.get(part) if isinstance(node, dict) else None
        if node is None:
            return None
    return node


def _set(data: dict[str, Any], path: str, value: Any) -> None:
    parts = _parts(path)
    node: Any = data
    for part, following in pairwise(parts):
        empty: Any = [] if isinstance(following, int) else {}
        if isinstance(part, int):
            while len(node) <= part:
                node.append({})
            node = node[part]
        else:
            node = node.setdefault(part, empty)
    node[parts[-1]] = value


def dedupe_headers(headers: Iterable[str]) -> list[str]:
    """Google writes one column per question, with the question's title; two questions with one title get
    ` [2]`, ` [3]`... here, as the form connector does, so a mapping can tell them apart."""
    seen: dict[str, int] = {}
    result = []
    for header in headers:
        key = title_key(header)
        seen[key] = seen.get(key, 0) + 1
        result.append(header if seen[key] == 1 or not key else f"{header} [{seen[key]}]")
    return result


# ---------------------------------------------------------------------------------------------------------
# Loading

def parse_mapping(text: str, *, name: str) -> FormMapping:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise MappingError(f"mapping {name}: not valid TOML: {error}") from error
    if data.get("name", name) != name:
        raise MappingError(f"mapping {name}: its file says name = {data['name']!r}")
    date_order = data.get("date_order", "DMY")
    if date_order not in get_args(thai.DateOrder):
        raise MappingError(f"mapping {name}: date_order must be DMY or MDY, not {date_order!r}")
    timezone = data.get("timezone", "Asia/Bangkok")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise MappingError(f"mapping {name}: unknown timezone {timezone!r}") from error
    columns: list[Column] = []
    for entry in data.get("columns", []):
        columns.extend(_columns(name, entry))
    fields = [c.field for c in columns]
    duplicated = sorted({f for f in fields if fields.count(f) > 1})
    if duplicated:
        raise MappingError(f"mapping {name}: fields mapped twice: {', '.join(duplicated)} (use aliases)")
    titles = [title_key(t) for c in columns for t in c.titles]
    clashing = sorted({t for t in titles if titles.count(t) > 1})
    if clashing:
        raise MappingError(f"mapping {name}: one title for two fields: {', '.join(clashing)}")
    for required in (*REQUIRED_FIELDS, "submitted_at"):
        if required not in fields:
            raise MappingError(f"mapping {name}: no column for {required}")
    columns = [c if c.field not in (*REQUIRED_FIELDS, "submitted_at") else
               Column(c.field, c.titles, True, c.connector) for c in columns]
    return FormMapping(
        name=name, description=str(data.get("description", "")), campaign=str(data.get("campaign", "")),
        date_order=date_order, timezone=timezone, columns=tuple(columns),
        ignored=frozenset(title_key(t) for t in data.get("ignore", [])),
    )


def _columns(name: str, entry: dict[str, Any]) -> list[Column]:
    field_path, titles = entry.get("field"), entry.get("titles")
    if not isinstance(field_path, str) or not isinstance(titles, list) or not titles:
        raise MappingError(f"mapping {name}: every column needs a field and a list of titles: {entry!r}")
    connector = entry.get("connector")
    if connector not in (None, *get_args(ConnectorValue)):
        raise MappingError(f"mapping {name}: connector must be timestamp or respondent_email, not {connector!r}")
    repeat = int(entry.get("repeat", 1))
    result = []
    for i in range(repeat):
        concrete = field_path.replace("{i}", str(i))
        if concrete not in FIELDS:
            raise MappingError(f"mapping {name}: unknown field {concrete!r}")
        result.append(Column(
            field=concrete,
            titles=tuple(str(t).replace("{n}", str(i + 1)) for t in titles),
            required=bool(entry.get("required", False)),
            connector=connector,
        ))
    return result


class MappingBook:
    """The mappings the intake knows: the ones shipped with the project, and an operator's directory."""

    def __init__(self, mappings: Mapping[str, FormMapping]) -> None:
        self._mappings = dict(mappings)

    def get(self, name: str) -> FormMapping | None:
        return self._mappings.get(name)

    def names(self) -> list[str]:
        return sorted(self._mappings)

    def all(self) -> list[FormMapping]:
        return [self._mappings[name] for name in self.names()]


def load_mappings(extra_dir: str | None = None) -> MappingBook:
    mappings: dict[str, FormMapping] = {}
    for directory in [BUILTIN_DIR, *([Path(extra_dir)] if extra_dir else [])]:
        for path in sorted(directory.glob("*.toml")):
            mappings[path.stem] = parse_mapping(path.read_text(encoding="utf-8"), name=path.stem)
    return MappingBook(mappings)
