"""The rule catalogue as a document: `python -m services.validation.catalogue docs/validation-rules.md`
writes it from `rules.CATALOGUE`, and a unit test fails when the committed document differs, so the two
cannot drift."""

from __future__ import annotations

import sys
from pathlib import Path

from services.validation.rules import CATALOGUE, Rule

_SEVERITIES = {
    "reject": ("ไม่รับเข้าการคัดเลือก", "rejected: ineligible, or late under a strict campaign"),
    "return": ("ส่งกลับให้แก้ไข", "returned: fixable; the applicant is told every issue"),
    "warning": ("แจ้งเตือน", "warning: validated, the finding goes along for officials"),
}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _row(rule: Rule) -> str:
    return (f"| `{rule.code}` | {rule.severity} | `{_cell(rule.field)}` | {_cell(rule.message_th)} | "
            f"{_cell(rule.message_en)} |")


def render() -> str:
    lines = [
        "# Validation rules — กฎการตรวจสอบข้อมูล",
        "",
        "<!-- Generated from services/validation/rules.py by `python -m services.validation.catalogue "
        "docs/validation-rules.md`; do not edit by hand. -->",
        "",
        "Every finding of validation has a stable code, a severity, the field it is about and a message in Thai",
        "and English; `{…}` are filled from the submission. The outcome of a submission adds its findings up:",
        "any **reject** → `submission.rejected`; else any **return** → `submission.returned` (the applicant is",
        "told every issue and may submit a corrected revision, which is validated again); else",
        "`submission.validated`, with the warnings. The same catalogue is served at `GET /v1/rules`.",
        "",
        "| severity | ไทย | meaning |",
        "| --- | --- | --- |",
        *(f"| {severity} | {th} | {en} |" for severity, (th, en) in _SEVERITIES.items()),
        "",
        f"{len(CATALOGUE)} rules:",
        "",
        "| code | severity | field | ข้อความ (ไทย) | message (English) |",
        "| --- | --- | --- | --- | --- |",
        *(_row(rule) for rule in CATALOGUE.values()),
        "",
    ]
    return "\n".join(lines)


def write(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(), encoding="utf-8")
    return path


if __name__ == "__main__":
    print(write(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/validation-rules.md")))
