"""How the rubric writes figures and compares words: points as Decimals (two decimals, halves rounded up, as
the committee's points are kept), numbers written for people in explanations (`1,500,000`, `2.5`) and in the
rubric's document, submission data as JSON-native values, and text folded for comparison."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from services.scoring.committee import plain, to_points
from shared import thai


def dec(value: float | int | Decimal) -> Decimal:
    """A figure of the rubric or the submission as an exact Decimal (a float by its shortest spelling)."""
    return value if isinstance(value, Decimal) else Decimal(str(value))


def num(value: float | int | Decimal) -> str:
    """1500000 → `1,500,000`; 2.5 → `2.5`; 2.0 → `2` (rounded to points first: two decimals, halves up)."""
    text = f"{to_points(value):,}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def figure(value: float) -> str:
    """A figure as the rubric's document writes it: 8 → `8`, 500000 → `500,000`, 2.5 → `2.5` (at most two
    decimals)."""
    return f"{int(value):,}" if float(value).is_integer() else f"{value:,.2f}".rstrip("0").rstrip(".")


def plural(count: float | int | Decimal, one: str, many: str) -> str:
    return one if count == 1 else many


def jsonable(value: Any) -> Any:
    """Submission data as JSON-native values, so that an explanation travels in an event unchanged."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, Decimal):
        return plain(value)
    if isinstance(value, list | tuple):
        return [jsonable(item) for item in value]
    return value


def squash(text: str) -> str:
    """Text folded for comparison: cleaned, without spaces, in lower case (`" ขนาด เล็ก "` → `ขนาดเล็ก`)."""
    return thai.clean_text(text).replace(" ", "").lower()
