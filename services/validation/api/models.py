"""What validation's routes answer: a rule of the catalogue, and one revision's outcome."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel


class RuleEntry(BaseModel):
    code: str
    severity: str
    field: str
    message_th: str
    message_en: str


class OutcomeEntry(BaseModel):
    revision: int
    outcome: str
    late: bool
    issues: list[dict[str, Any]]
    judged_at: datetime | None = None
    validated_at: datetime | None = None
    lao: dict[str, Any] | None = None
    registry_match: dict[str, Any] | None = None
