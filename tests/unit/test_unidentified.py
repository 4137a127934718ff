"""Which responses are the offices' work list (their LAO could not be identified), and that a municipality
that submitted under its own name is never listed as not having submitted (pure functions)."""

from __future__ import annotations

from typing import Any

from services.reporting.figures import coverage
from services.reporting.projection import unidentified_reason


def _entry(status: str, *codes: str, lao_code: str | None = None) -> dict[str, Any]:
    return {"status": status, "issues": [{"code": code} for code in codes], "lao": {"code": lao_code}, "form": {}}


def test_a_judged_revision_without_its_lao_gives_the_most_specific_reason() -> None:
    assert unidentified_reason(_entry("returned", "LAO_MATCH_AMBIGUOUS", "DISTRICT_MISSING")) == "ambiguous"
    assert unidentified_reason(_entry("returned", "LAO_NOT_IN_REGISTRY")) == "not_in_registry"
    assert unidentified_reason(_entry("returned", "LAO_CODE_NOT_IN_REGISTRY")) == "not_in_registry"
    assert unidentified_reason(_entry("rejected", "SUBMITTED_LATE", "LAO_CODE_NAME_MISMATCH")) == \
        "code_and_name_disagree"
    assert unidentified_reason(_entry("returned", "LAO_NAME_MISSING")) == "no_name_no_code"


def test_a_revision_found_by_its_code_or_not_judged_yet_is_not_on_the_list() -> None:
    assert unidentified_reason(_entry("returned", "LAO_NAME_MISSING", lao_code="4360101")) is None
    assert unidentified_reason(_entry("received", "LAO_NOT_IN_REGISTRY")) is None
    assert unidentified_reason(_entry("scored", "LAO_NAME_FROM_REGISTRY")) is None


def test_a_municipality_that_submitted_under_its_name_is_not_missing_while_its_response_has_no_code() -> None:
    expected = [{"code": "4360101", "name": "เทศบาลเมืองชัยภูมิ"}, {"code": "5360116", "name": "เทศบาลตำบลโนนสำราญ"},
                {"code": "5360117", "name": "เทศบาลตำบลบ้านค่าย"}]
    views = [{"status": "received", "lao": {"name": "ทม. ชัยภูมิ", "code": None}},
             {"status": "returned", "lao": {"name": "เทศบาลตำบลโนนสำราญ", "code": "5360116"}},
             {"status": None, "lao": {"name": "เทศบาลตำบลบ้านค่าย"}}]  # only a notification seen: not a response
    figures = coverage(expected, views)
    assert [lao["code"] for lao in figures["missing"]] == ["5360117"]
    assert (figures["expected"], figures["expected_submitted"]) == (3, 2)
