"""What a reader's scope lets them see (services/reporting/tokens.py `Scope`): the refusal of anything outside
it, and the area a list shows when none is asked for."""

from __future__ import annotations

from services.reporting.tokens import Scope
from shared.errors import Forbidden


def outside_scope(scope: Scope, what_th: str, what_en: str) -> Forbidden:
    return Forbidden("outside_scope", f"สิทธิ์ของโทเค็นนี้ ({scope}) ไม่ครอบคลุม{what_th}",
                     f"This token's scope ({scope}) does not cover {what_en}")


def scoped_filter(scope: Scope, province: str | None, district: str | None) -> tuple[str | None, str | None]:
    """The area a list may show: the reader's own when none is asked for; Forbidden when another one is."""
    if scope.level == "national":
        return province, district
    if scope.level == "province":
        if province not in (None, scope.code) or (district is not None and not scope.allows_district(district)):
            raise outside_scope(scope, "พื้นที่ที่ขอ", "the area asked for")
        return scope.code, district
    if district not in (None, scope.code) or province not in (None, scope.province_code):
        raise outside_scope(scope, "พื้นที่ที่ขอ", "the area asked for")
    return scope.province_code, scope.code
