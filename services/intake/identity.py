"""Which LAO a response belongs to, and whether it is a response already taken (pure functions)."""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from datetime import datetime
from typing import Any

from shared import thai
from shared.events import LaoSummary
from shared.submission import Submission
from shared.thai import THAI_TZ

_NAMESPACE = uuid.UUID("5b0f5e7e-8d43-4b53-9a4e-3c1f0e6a2568")


def normalised_lao_name(name: str) -> str:
    """The name as one LAO is known however it was written: its type written out (`ทม.ชัยภูมิ` and
    `เทศบาลเมืองชัยภูมิ` are one LAO, shared.thai.expand_lao_name), without spaces or full stops."""
    return re.sub(r"[\s.]", "", thai.expand_lao_name(name))


def lao_key(submission: Submission, lao: LaoSummary) -> str:
    """One LAO in one province: its normalised name within the resolved (or written) province.

    The 7-digit code is optional on the form and often mistyped, so it decides identity only when the name was
    left blank (`36:#4360101`); a response with neither name nor code is an application of its own, until an
    office attaches it to its LAO.
    """
    written = submission.lao
    code = written.code
    province = lao.province_code or (thai.clean_text(written.province) if written.province else "")
    if not province and code:
        province = code[1:3]
    if written.name:
        return f"{province or '?'}:{normalised_lao_name(written.name)}"
    if code:
        return f"{province or '?'}:#{code}"
    return f"?:{submission.source}:{submission.source_response_id}"


def code_only(key: str) -> bool:
    """Whether an application is known by its LAO code alone (the name was left blank)."""
    return ":#" in key


def submission_id(campaign: str, key: str) -> str:
    """Stable per LAO and campaign, so every revision of one application shares it."""
    return "sub_" + uuid.uuid5(_NAMESPACE, f"{campaign}|{key}").hex[:24]


# Where a response came from and under which id is not what it says: the same response arriving by the form
# connector and by a CSV import must be one submission. The form's timestamp is compared separately (to the
# second and a little more), because a sheet shows seconds while the connector sends milliseconds.
_NOT_CONTENT = ("source", "source_response_id", "submitted_at")


def content_hash(canonical: dict[str, Any]) -> str:
    """Identical answers give the same hash whichever way they came in; an edited response does not."""
    content = {key: value for key, value in canonical.items() if key not in _NOT_CONTENT}
    return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def derived_response_id(submitted_at: datetime, lao_name: str) -> str:
    """A CSV row has no response id: its timestamp (Thai time, to the second) and the LAO make a stable one,
    so importing the same file twice finds the same ids."""
    moment = submitted_at.astimezone(THAI_TZ).replace(microsecond=0).isoformat()
    digest = hashlib.sha256(f"{moment}|{normalised_lao_name(lao_name)}".encode()).hexdigest()
    return "row-" + digest[:24]
