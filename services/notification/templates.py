"""The notification texts: Jinja2 files that operators can edit (`templates/*.j2`, overridable one by one from
NOTIFICATION_TEMPLATES_DIR), rendered into one message per template and recipient.

Each template file defines the blocks `subject`, `th` (the Thai text) and `en` (the English version), and
may define `short` (the chat text for LINE; by default the subject and the Thai text). `_layout.j2` puts an
e-mail together (Thai, then English, each with its signature); `_macros.j2` holds the pieces several
templates share, reachable as `m.<macro>`. Rendering runs in Jinja2's sandbox with undefined names refused,
so a mistyped name fails the check at start instead of sending a half-empty message.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, FileSystemLoader, StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from services.notification import text

BUILTIN_DIR = Path(__file__).parent / "templates"
RECEIVED = "received"
RETURNED = "returned"
REJECTED = "rejected"
SCORED = "scored"
REMINDER = "reminder"
DIGEST = "digest"
TEMPLATES = (RECEIVED, RETURNED, REJECTED, SCORED, REMINDER, DIGEST)
REQUIRED_BLOCKS = ("subject", "th", "en")
DIVIDER = "-" * 60
# LINE's limit for one text message.
SHORT_LIMIT = 5000
_SPACES = re.compile(r"\s+")


class TemplateProblem(ValueError):
    """A template file that cannot be used; the message names the file and what is wrong."""


@dataclass(frozen=True)
class Message:
    """One rendered notification, whatever channel carries it."""

    template: str
    subject: str
    body: str
    short: str
    data: dict[str, Any] = field(default_factory=dict)


def _tier(language: int) -> Callable[[str], str]:
    return lambda tier: text.TIERS.get(tier, (tier, tier))[language]


def _size(language: int) -> Callable[[str], str]:
    return lambda group: text.SIZE_GROUPS.get(group, (group, group))[language]


def _status(language: int) -> Callable[[str], str]:
    return lambda status: text.PROGRESS_STATUS.get(status, (status, status))[language]


class TemplateBook:
    def __init__(self, override_dir: str | Path | None = None, *, thai_digits: bool = False) -> None:
        self.thai_digits = thai_digits
        self.directories = [Path(override_dir)] if override_dir else []
        self.directories.append(BUILTIN_DIR)
        self.env = SandboxedEnvironment(
            loader=ChoiceLoader([FileSystemLoader(str(d)) for d in self.directories]),
            undefined=StrictUndefined, autoescape=False, trim_blocks=True, lstrip_blocks=True,
            keep_trailing_newline=False,
        )
        digits = thai_digits
        self.env.filters.update({
            "th": lambda value: text.digits(value, digits),
            "thai_date": lambda moment: text.thai_date(moment, thai_digits=digits),
            "thai_datetime": lambda moment: text.thai_datetime(moment, thai_digits=digits),
            "thai_duration": lambda span: text.thai_duration(span, thai_digits=digits),
            "english_date": text.english_date,
            "english_datetime": text.english_datetime,
            "english_duration": text.english_duration,
            "points": text.points,
            "field_th": lambda path: text.field_label(path)[0],
            "field_en": lambda path: text.field_label(path)[1],
            "tier_th": _tier(0), "tier_en": _tier(1),
            "size_th": _size(0), "size_en": _size(1),
            "status_th": _status(0), "status_en": _status(1),
        })
        self.env.globals["divider"] = DIVIDER
        try:
            self.env.globals["m"] = self.env.get_template("_macros.j2").module
        except TemplateError as error:
            raise TemplateProblem(f"_macros.j2: {error}") from error

    def check(self) -> None:
        """Every template loads and has its blocks: run at start, so an edit that breaks one stops the
        service before it sends anything."""
        for name in (*TEMPLATES, "_layout"):
            try:
                template = self.env.get_template(f"{name}.j2")
            except TemplateError as error:
                raise TemplateProblem(f"{name}.j2: {error}") from error
            missing = [b for b in REQUIRED_BLOCKS if b not in template.blocks] if name != "_layout" else []
            if missing:
                raise TemplateProblem(f"{name}.j2 has no block {', '.join(missing)}")

    def render(self, name: str, *, data: dict[str, Any] | None = None, **context: Any) -> Message:
        """The message of template `name` for this context; TemplateProblem when the template fails."""
        try:
            template = self.env.get_template(f"{name}.j2")
            values = {**context, "template": name}

            def block(block_name: str) -> str:
                return "".join(template.blocks[block_name](template.new_context(values))).strip()

            subject = _SPACES.sub(" ", block("subject"))
            thai, english = block("th"), block("en")
            body = self.env.get_template("_layout.j2").render(th=thai, en=english).strip() + "\n"
            short = block("short") if "short" in template.blocks else f"{subject}\n\n{thai}"
        except KeyError as error:
            raise TemplateProblem(f"{name}.j2 has no block {error}") from error
        except TemplateError as error:
            raise TemplateProblem(f"{name}.j2: {type(error).__name__}: {error}") from error
        if len(short) > SHORT_LIMIT:
            short = short[:SHORT_LIMIT - 1] + "…"
        return Message(template=name, subject=subject, body=body, short=short, data=data or {})

