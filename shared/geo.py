"""Provinces and districts as people write them, resolved to DOPA codes and names through `geothai`."""

from __future__ import annotations

import geothai

# Exported by the package but missing from its __all__, hence mypy's complaint; pinned <4 in pyproject.
from geothai import is_district, is_province, normalize  # type: ignore[attr-defined]
from geothai.types import District, Province

from shared import thai
from shared.events import LaoSummary
from shared.submission import Lao

# "กรุงเทพฯ": the abbreviation mark is not one of the marks geothai.normalize drops.
_EXTRA_MARKS = str.maketrans("", "", "ฯ,")


def _normalized(text: str, level_words: tuple[str, ...]) -> str:
    name = normalize(thai.clean_text(text).translate(_EXTRA_MARKS))
    for word in level_words:  # "Chaiyaphum Province", "Mueang Chaiyaphum District"
        if name.endswith(word) and len(name) > len(word):
            return name.removesuffix(word)
    return name


def _code(text: str) -> str | None:
    digits = thai.to_arabic_digits(thai.clean_text(text)).replace(" ", "")
    return digits if digits.isdigit() else None


def resolve_province(text: str | None) -> Province | None:
    """`ชัยภูมิ`, `จ.ชัยภูมิ`, `จังหวัดชัยภูมิ`, `Chaiyaphum`, `36`, `๓๖` → province 36; None when unknown."""
    if not text or not text.strip():
        return None
    code = _code(text)
    if code is not None:
        return geothai.province(code) if len(code) == 2 else None
    name = _normalized(text, ("province",))
    if not name:
        return None
    return next((p for p in geothai.provinces() if is_province(p, name)), None)


def find_districts(text: str | None, province_code: str | None = None) -> list[District]:
    """Every district the text can name (a 4-digit code, or a name), in the province or in the whole country."""
    if not text or not text.strip():
        return []
    code = _code(text)
    if code is not None:
        found = geothai.district(code) if len(code) == 4 else None
        return [found] if found and province_code in (None, found.province_code) else []
    name = _normalized(text, ("district",))
    if not name:
        return []
    codes = [province_code] if province_code is not None else [p.code for p in geothai.provinces()]
    return [d for code in codes for d in geothai.districts(code) if is_district(d, name)]


def resolve_district(text: str | None, province_code: str | None) -> District | None:
    """The district the text names, within the province when one is given.

    Accepts `เมืองชัยภูมิ`, `อ.เมืองชัยภูมิ`, `อำเภอเมือง` (the capital district XX01 of the province), Bangkok's
    `เขตบางรัก`, English names, and 4-digit codes (Thai digits too). Without a province a name must be unique in
    the country: `เมือง` alone names 76 districts and resolves to None.
    """
    candidates = find_districts(text, province_code)
    return candidates[0] if len(candidates) == 1 else None


UNNAMED_LAO_TH = "(ไม่ได้ระบุชื่อ อปท.)"


def lao_display_name(lao: Lao) -> str:
    """The name to show for an LAO: as written, else by its code, else a plain "not named"."""
    if lao.name:
        return lao.name
    return f"อปท. รหัส {lao.code}" if lao.code else UNNAMED_LAO_TH


def lao_summary(lao: Lao) -> LaoSummary:
    """The LAO with its province and district codes and Thai names where they resolve; the district only
    within the resolved province, so a summary never places an LAO in two provinces. A province left blank is
    placed by digits 2–3 of the LAO code, when one is given."""
    province = resolve_province(lao.province)
    if province is None and not lao.province and lao.code:
        province = resolve_province(lao.code[1:3])
    district = resolve_district(lao.district, province.code) if province else None
    return LaoSummary(
        name=lao_display_name(lao),
        code=lao.code,
        type=lao.type,
        province_code=province.code if province else None,
        province_name=province.name_th if province else None,
        district_code=district.code if district else None,
        district_name=district.name_th if district else None,
    )
