"""One canonical submission whichever way a response came in (pure functions; geothai's data is in its wheel).

The input model (`services.intake.submission`) already reads the answers themselves: Thai digits, yes/no, money,
dimension names, lists, links, Google's timestamps. What is settled here is how the same answer written in
different ways becomes one value: the LAO's name with its type written out, the LAO type, the province and
district as DOPA's Thai names, one phone format, a lower-case e-mail address, and the form's timestamp in
Thai time to the second. The raw answers are stored beside the result, so nothing the applicant wrote is lost.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from services.intake.submission import Contact, Lao, Submission
from shared import thai
from shared.geo import resolve_district, resolve_province
from shared.thai import THAI_TZ


@lru_cache(maxsize=4096)
def canonical_province(text: str) -> tuple[str, str | None]:
    """(`ชัยภูมิ`, `36`) for `จ.ชัยภูมิ`, `จังหวัดชัยภูมิ`, `Chaiyaphum`, `36`, `๓๖`; the written name without its
    prefix and no code when geothai does not know it (validation reports it)."""
    province = resolve_province(text)
    if province is None:
        return thai.strip_place_prefix(text, "province"), None
    return province.name_th, province.code


@lru_cache(maxsize=4096)
def canonical_district(text: str, province_code: str | None) -> str:
    """`อ.เมือง` in ชัยภูมิ → `เมืองชัยภูมิ`; `3601` → `เมืองชัยภูมิ`; unknown → the name without its prefix."""
    district = resolve_district(text, province_code)
    return district.name_th if district is not None else thai.strip_place_prefix(text, "district")


def canonical_lao(lao: Lao) -> Lao:
    province, province_code = canonical_province(lao.province) if lao.province else (None, None)
    district = canonical_district(lao.district, province_code) if lao.district else None
    lao_type = (thai.lao_type_name(lao.type) or thai.clean_text(lao.type)) if lao.type else None
    return lao.model_copy(update={
        "name": thai.expand_lao_name(lao.name) if lao.name else None,
        "type": lao_type,
        "province": province,
        "district": district,
    })


def canonical_contact(contact: Contact) -> Contact:
    phone = (thai.normalise_phone(contact.phone) or contact.phone) if contact.phone else None
    email = thai.clean_text(contact.email).removeprefix("mailto:").lower() if contact.email else None
    return contact.model_copy(update={"phone": phone, "email": email})


def canonical_time(moment: datetime | None) -> datetime | None:
    """Thai time, whole seconds: a sheet shows seconds, the form connector sends milliseconds."""
    if moment is None:
        return None
    return moment.astimezone(THAI_TZ).replace(microsecond=0)


def canonical_submission(submission: Submission) -> Submission:
    return submission.model_copy(update={
        "lao": canonical_lao(submission.lao),
        "contact": canonical_contact(submission.contact),
        "submitted_at": canonical_time(submission.submitted_at),
    })


EARLIEST_YEAR, LATEST_YEAR = 2000, 2200
TIME_RANGE_TH = (f"วันเวลาที่ส่งต้องอยู่ระหว่างปี ค.ศ. {EARLIEST_YEAR}–{LATEST_YEAR} "
                 f"(พ.ศ. {thai.be_year(EARLIEST_YEAR)}–{thai.be_year(LATEST_YEAR)})")
TIME_RANGE_EN = f"the form's timestamp must fall between the years {EARLIEST_YEAR} and {LATEST_YEAR}"


def implausible_time(submission: Submission) -> bool:
    """A form timestamp outside 2000–2200 is a typo or a wrong era, and too far out to convert safely."""
    moment = submission.submitted_at
    return moment is not None and not EARLIEST_YEAR <= moment.year <= LATEST_YEAR


def has_answers(submission: Submission) -> bool:
    """Whether a response holds any answer at all (a value, or one kept as written that could not be taken):
    one without is no form response."""
    answers = submission.model_dump(exclude={"campaign", "source", "source_response_id", "submitted_at"},
                                    exclude_defaults=True)
    return bool(answers)
