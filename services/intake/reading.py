"""A response read whatever it holds: every answer that can be taken becomes a canonical value, and every one
that cannot is kept as written and named as an `AnswerProblem`, which validation turns into a reason to return
the response for correction. Only what makes a request a response at all (its campaign, source and response id)
can refuse it (pure functions).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from services.intake.normalise import TIME_RANGE_EN, TIME_RANGE_TH, implausible_time
from services.intake.submission import AnswerProblem, Submission
from shared import thai, thai_numbers
from shared.errors import FieldError, field_errors, field_path, thai_message

# What identifies the request itself: without these it is no response of any form, so intake answers 422.
ENVELOPE_FIELDS = frozenset({"campaign", "source", "source_response_id"})
# One problem is taken out per pass; a response has a few hundred answers at the most.
_MAX_PASSES = 400
_QUOTED = 2000
# How much of it a message quotes.
_IN_MESSAGE = 80

# pydantic's error types → the stable codes of AnswerProblem.
_PROBLEM_CODES: dict[str, str] = {
    "missing": "answer_missing",
    "greater_than_equal": "answer_out_of_range", "less_than_equal": "answer_out_of_range",
    "greater_than": "answer_out_of_range", "less_than": "answer_out_of_range",
    "decimal_max_digits": "answer_out_of_range", "decimal_max_places": "answer_out_of_range",
    "datetime_range": "answer_out_of_range",
    "string_too_long": "answer_too_long", "too_long": "answer_too_long",
    "dimension": "choice_unknown", "depa_mark": "choice_unknown", "project_status": "choice_unknown",
    "literal_error": "choice_unknown", "enum": "choice_unknown",
    "yes_no": "choice_unknown",
    "money": "answer_unreadable", "count": "answer_unreadable",
    "url": "answer_unreadable", "timestamp": "answer_unreadable", "datetime_parsing": "answer_unreadable",
    "datetime_from_date_parsing": "answer_unreadable", "datetime_type": "answer_unreadable",
    "decimal_parsing": "answer_unreadable", "int_parsing": "answer_unreadable", "int_from_float": "answer_unreadable",
    "bool_parsing": "answer_unreadable", "string_pattern_mismatch": "answer_unreadable",
}
_NUMBER_READERS: dict[str, Callable[[str], thai_numbers.NumberReading]] = {
    "money": thai_numbers.read_amount, "count": thai_numbers.read_count}
# Lists that people write in one cell: split the same way the canonical model splits them.
_SPLITTERS: dict[str, Callable[[str], list[str]]] = {
    "dimensions": thai.split_list, "partners": thai.split_list, "evidence_urls": thai.split_urls,
}


class NotAResponse(ValueError):
    """The request lacks what makes it a form response (campaign, source, response id): refused as a whole."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(f"{e.field}: {e.message_en}" for e in errors))
        self.errors = errors


@dataclass(frozen=True)
class Reading:
    """One response as read: the canonical submission (problems inside it) and the fields nobody asked for."""

    submission: Submission
    unknown_fields: tuple[str, ...] = ()

    @property
    def problems(self) -> list[AnswerProblem]:
        return self.submission.answer_problems


def problem(field: str, code: str, written: Any, message_th: str, message_en: str,
            question: str | None = None, reason: str | None = None) -> AnswerProblem:
    """One answer that cannot be taken; its messages quote what was written, so a clerk finds it."""
    text = _written(written)
    if text:
        quoted = text if len(text) <= _IN_MESSAGE else text[:_IN_MESSAGE] + "…"
        if quoted not in message_th:
            message_th = f"{message_th} — เขียนไว้ว่า “{quoted}”"
        if quoted not in message_en:
            message_en = f"{message_en} — written: “{quoted}”"
    return AnswerProblem.model_validate({
        "field": field, "question": question, "code": code, "reason": reason, "written": text,
        "message_th": message_th, "message_en": message_en})


def read_submission(data: dict[str, Any], *, problems: Sequence[AnswerProblem] = (),
                    question_of: Callable[[str], str | None] | None = None,
                    field_of: Callable[[str], str] | None = None) -> Reading:
    """The canonical submission of `data`, with every answer that cannot be taken left out of it and listed in
    its `answer_problems` (beside `problems` found before, e.g. an unreadable timestamp).

    `question_of` names the form's question a field came from; `field_of` maps a path of `data` to the path
    the applicant knows (a mapping drops blank projects, so the third project on the form may be `projects[1]`
    in `data`). Raises NotAResponse when campaign, source or response id is missing or malformed."""
    data = copy.deepcopy(data)
    found = list(problems)
    unknown: list[str] = []
    for _ in range(_MAX_PASSES):
        try:
            submission = Submission.model_validate({**data, "answer_problems": [p.model_dump() for p in found]})
        except ValidationError as error:
            first = next((e for e in error.errors() if e["loc"][:1] != ("answer_problems",)), None)
            if first is None:  # cannot happen: the problems are built by this module
                raise
            loc = tuple(first["loc"])
            if not loc or loc[0] in ENVELOPE_FIELDS:
                raise NotAResponse([e for e in field_errors(error.errors())
                                    if e.field.split(".")[0].split("[")[0] in ENVELOPE_FIELDS]) from None
            path = _present(data, loc)
            if first["type"] == "extra_forbidden":
                unknown.append(field_path(loc))
                _remove(data, path or loc)
                continue
            if not path:
                raise  # a missing field deeper than the envelope: every other field is optional
            # An item of a list is named by its list: items after it move up once it is left out.
            written_at = field_path(path[:-1] if isinstance(path[-1], int) else path)
            shown = field_of(written_at) if field_of else written_at
            message = field_errors([first])[0]
            code = _PROBLEM_CODES.get(first["type"], "answer_invalid")
            written = _get(data, path)
            message_th = thai_message(first["type"], first.get("ctx"))
            message_en = message.message_en
            if first["type"] in _NUMBER_READERS and isinstance(written, str):
                # The reader knows why (a comma out of place, a fraction of a person): say it.
                reading = _NUMBER_READERS[first["type"]](written)
                if reading.note_th and reading.note_en:
                    message_th, message_en = f"{message_th}: {reading.note_th}", f"{message_en}: {reading.note_en}"
            found.append(problem(shown, code, written, message_th, message_en,
                                 question=question_of(shown) if question_of else None, reason=first["type"]))
            limit = (first.get("ctx") or {}).get("max_length")
            if first["type"] == "too_long" and isinstance(written, list) and isinstance(limit, int):
                _set(data, path, written[:limit])  # six projects where five fit: the first five are kept
            else:
                _remove(data, path)
            continue
        if implausible_time(submission):
            found.append(problem("submitted_at", "answer_out_of_range", data.get("submitted_at"),
                                 TIME_RANGE_TH, TIME_RANGE_EN,
                                 question=question_of("submitted_at") if question_of else None,
                                 reason="datetime_range"))
            data.pop("submitted_at", None)
            continue
        return Reading(submission, tuple(unknown))
    raise RuntimeError("a response with more problems than answers")  # pragma: no cover


def _present(data: Any, loc: tuple[int | str, ...]) -> tuple[int | str, ...]:
    """The part of an error's location that exists in the data: pydantic adds its own validator names, and a
    list written in one cell (`"สิ่งแวดล้อม, สุขภาพ"`) is split here as the model splits it, so that its one bad
    item can be left out."""
    node: Any = data
    path: list[int | str] = []
    for part in loc:
        if isinstance(node, dict) and isinstance(part, str) and part in node:
            node = node[part]
        elif isinstance(part, int) and isinstance(node, str) and path and str(path[-1]) in _SPLITTERS:
            items = _SPLITTERS[str(path[-1])](node)
            _set(data, tuple(path), items)
            if part >= len(items):
                break
            node = items[part]
        elif isinstance(part, int) and isinstance(node, list) and part < len(node):
            node = node[part]
        else:
            break
        path.append(part)
    return tuple(path)


def _get(data: Any, path: tuple[int | str, ...]) -> Any:
    for part in path:
        data = data[part]
    return data


def _set(data: Any, path: tuple[int | str, ...], value: Any) -> None:
    _get(data, path[:-1])[path[-1]] = value


def _remove(data: Any, path: tuple[int | str, ...]) -> None:
    if not path:
        return
    parent = _get(data, path[:-1])
    last = path[-1]
    if isinstance(parent, list) and isinstance(last, int):
        del parent[last]
    elif isinstance(parent, dict):
        parent.pop(last, None)


def _written(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        text = value
    elif isinstance(value, list) and all(isinstance(v, str) for v in value):
        text = ", ".join(value)
    else:
        text = json.dumps(value, ensure_ascii=False, default=str)
    # The whole answer stays in the raw answers; the problem quotes enough of it to find it.
    return text if len(text) <= _QUOTED else text[:_QUOTED] + "…"
