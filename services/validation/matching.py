"""Which registry LAO a submission is: by its DLA code when given, otherwise by its normalised name within
the given province and district, with a confidence. Pure: the caller fetches the candidates.

The name is compared without its type (`ทต.`, `เทศบาลตำบล`, ...) because one tambon often has both a
เทศบาลตำบล and an อบต. of the same name: the declared type decides between those, never the code's first
digit (an upgraded อบต. may keep its leading 6).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Literal

from services.validation.lao_types import canonical_lao_type, core_name, type_in_name
from shared import thai

# Name similarity (0..1, difflib's ratio on the names without their type) needed to call it a match; a
# one-letter typo in a typical 6-10 letter Thai name scores about 0.9.
MATCH_THRESHOLD = 0.85
# Two candidates closer than this to the best one make the match ambiguous.
AMBIGUITY_MARGIN = 0.05
# Below this a code's registry name and the submitted name are two different LAOs.
CODE_NAME_THRESHOLD = 0.6
# Closest candidates named to the applicant when there is no match.
SUGGESTION_THRESHOLD = 0.4
MAX_SUGGESTIONS = 3

Status = Literal["matched", "ambiguous", "not_found", "code_not_found", "not_covered", "no_registry"]


@dataclass(frozen=True)
class RegistryLao:
    """One LAO of DLA's registry, collapsed from its sub-district rows."""

    code: str
    name: str
    type: str | None
    province_code: str
    district_code: str | None
    province_name: str | None = None
    district_name: str | None = None
    size_class: str | None = None  # large / medium / small
    subdistricts: tuple[str, ...] = ()


@dataclass(frozen=True)
class RegistryLookup:
    """What the registry holds for one submission: the LAO with the given code and the LAOs of the given
    province. `loaded` is False when no registry has been imported at all."""

    loaded: bool
    by_code: RegistryLao | None = None
    in_province: tuple[RegistryLao, ...] = ()

    @classmethod
    def empty(cls) -> RegistryLookup:
        return cls(loaded=False)


@dataclass(frozen=True)
class Candidate:
    lao: RegistryLao
    similarity: float


@dataclass(frozen=True)
class RegistryMatch:
    status: Status
    method: Literal["code", "name"] | None = None
    lao: RegistryLao | None = None
    confidence: float = 0.0
    candidates: tuple[Candidate, ...] = field(default_factory=tuple)
    # The name given and the registry's name of the code differ too much to be one LAO.
    name_similarity: float | None = None


def similarity(a: str, b: str) -> float:
    """How alike two LAO names are, their types and punctuation aside: 1.0 for the same name."""
    left, right = core_name(a), core_name(b)
    if not left or not right:
        return 0.0
    if left == right:
        return 1.0
    return round(SequenceMatcher(None, left, right, autojunk=False).ratio(), 3)


def lookup_code(code: object) -> str | None:
    """The 7-digit code to look up, when the answer is one (Thai digits accepted)."""
    if not isinstance(code, str | int):
        return None
    digits = thai.to_arabic_digits(str(code)).strip()
    return digits if len(digits) == 7 and digits.isdigit() else None


def _ranked(name: str, laos: tuple[RegistryLao, ...] | list[RegistryLao]) -> list[Candidate]:
    scored = [Candidate(lao, similarity(name, lao.name)) for lao in laos]
    return sorted(scored, key=lambda c: (-c.similarity, c.lao.code))


def _suggestions(ranked: list[Candidate]) -> tuple[Candidate, ...]:
    return tuple(c for c in ranked if c.similarity >= SUGGESTION_THRESHOLD)[:MAX_SUGGESTIONS]


def _by_name(name: str, lao_type: str | None, pool: list[RegistryLao]) -> RegistryMatch:
    ranked = _ranked(name, pool)
    near = [c for c in ranked if c.similarity >= MATCH_THRESHOLD]
    if not near:
        return RegistryMatch(status="not_found", method="name", candidates=_suggestions(ranked))
    # The declared type tells a เทศบาลตำบล from the อบต. of the same name; if none has it, any type goes.
    typed = [c for c in near if lao_type and c.lao.type == lao_type]
    contenders_pool = typed or near
    best = contenders_pool[0].similarity
    contenders = [c for c in contenders_pool if c.similarity >= best - AMBIGUITY_MARGIN]
    if len(contenders) > 1:
        return RegistryMatch(status="ambiguous", method="name", candidates=tuple(contenders[:MAX_SUGGESTIONS + 2]))
    chosen = contenders[0]
    return RegistryMatch(status="matched", method="name", lao=chosen.lao, confidence=chosen.similarity,
                         candidates=(chosen,))


def match_lao(*, name: str, lao_type: str | None, code: object, province_code: str | None,
              district_code: str | None, lookup: RegistryLookup) -> RegistryMatch:
    """The registry LAO the submission names.

    - a code in the registry decides (confidence 1.0); `name_similarity` says how well the name agrees;
    - a code not in the registry: `code_not_found`, with the LAOs whose names come closest;
    - otherwise the name, within the district when it is known, else the province; a name found only in
      another district of the province still matches (the caller reports the district);
    - `not_covered` when the registry has nothing for the province (a partial import), `no_registry` when
      nothing was ever imported.
    """
    if not lookup.loaded:
        return RegistryMatch(status="no_registry")
    declared_type = canonical_lao_type(lao_type) or type_in_name(name)
    wanted = lookup_code(code)
    if wanted is not None and lookup.by_code is not None and lookup.by_code.code == wanted:
        found = lookup.by_code
        # A name left blank neither confirms nor contradicts the code: name_similarity None.
        return RegistryMatch(status="matched", method="code", lao=found, confidence=1.0,
                             candidates=(Candidate(found, 1.0),),
                             name_similarity=similarity(name, found.name) if name.strip() else None)
    in_province = [lao for lao in lookup.in_province if province_code is None or lao.province_code == province_code]
    if wanted is not None:
        closest = _suggestions(_ranked(name, in_province))
        return RegistryMatch(status="code_not_found", method="code", candidates=closest)
    if not in_province:
        return RegistryMatch(status="not_covered")
    if district_code is not None:
        in_district = [lao for lao in in_province if lao.district_code == district_code]
        found_here = _by_name(name, declared_type, in_district)
        if found_here.status != "not_found":
            return found_here
        elsewhere = _by_name(name, declared_type, in_province)
        if elsewhere.status == "matched":
            return elsewhere
        # Suggest what is closest in the district first, then in the rest of the province.
        elsewhere_laos = [lao for lao in in_province if lao.district_code != district_code]
        ranked = sorted(_ranked(name, in_district) + _ranked(name, elsewhere_laos), key=lambda c: -c.similarity)
        return RegistryMatch(status="not_found", method="name", candidates=_suggestions(ranked))
    return _by_name(name, declared_type, in_province)
