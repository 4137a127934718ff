"""What a reader's scope lets them see (services/reporting/tokens.py `Scope`): one province or district asked
for by code (known, and within the scope), the refusal of anything outside it, and the area a list shows when
none is asked for."""

from __future__ import annotations

from services.reporting.places import is_district, is_province, is_province_key
from services.reporting.tokens import Scope
from shared.errors import Forbidden, NotFound


def outside_scope(scope: Scope, what_th: str, what_en: str) -> Forbidden:
    return Forbidden("outside_scope", f"สิทธิ์ของโทเค็นนี้ ({scope}) ไม่ครอบคลุม{what_th}",
                     f"This token's scope ({scope}) does not cover {what_en}")


def require_province(scope: Scope, code: str, *, unknown_allowed: bool) -> None:
    """A province's code that names one (or `unknown`, the submissions not yet placed, where `unknown_allowed`)
    and that the scope covers: NotFound or Forbidden otherwise."""
    if not (is_province_key(code) if unknown_allowed else is_province(code)):
        raise NotFound("not_found", f"ไม่พบจังหวัดรหัส {code}", f"No province with code {code}")
    if not scope.allows_province(code):
        raise outside_scope(scope, f"จังหวัดรหัส {code}", f"province {code}")


def require_district(scope: Scope, code: str) -> None:
    """A district's code that names one and that the scope covers: NotFound or Forbidden otherwise."""
    if not is_district(code):
        raise NotFound("not_found", f"ไม่พบอำเภอรหัส {code}", f"No district with code {code}")
    if not scope.allows_district(code):
        raise outside_scope(scope, f"อำเภอรหัส {code}", f"district {code}")


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
