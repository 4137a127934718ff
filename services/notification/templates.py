"""The notification texts: Jinja2 files that operators can edit (`templates/*.j2`, overridable one by one from
NOTIFICATION_TEMPLATES_DIR), rendered into one message per template and recipient.

Each template file defines the blocks `subject`, `th` (the Thai text) and `en` (the English version), and
may define `short` (the chat text for LINE; by default the subject and the Thai text). `_layout.j2` puts an
e-mail together (Thai, then English, each with its signature); `_macros.j2` holds the pieces several
templates share, reachable as `m.<macro>`. Rendering runs in Jinja2's sandbox with undefined names refused,
so a mistyped name fails the check at start instead of sending a half-empty message.

`templates/sections.toml` names the rubric's sections (key → Thai and English titles) for the final-selection
messages; like a template, a `sections.toml` in NOTIFICATION_TEMPLATES_DIR replaces it, and it is checked when
the book is made.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, FileSystemLoader, StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from services.notification import selection, text

BUILTIN_DIR = Path(__file__).parent / "templates"
RECEIVED = "received"
RETURNED = "returned"
REJECTED = "rejected"
SCORED = "scored"
REMINDER = "reminder"
DIGEST = "digest"
# The final selection (`selection.published`): to each municipality, and to each office about its area.
SELECTION_WINNER = "selection_winner"
SELECTION_NOT_SELECTED = "selection_not_selected"
SELECTION_AREA = "selection_area"
SELECTION_TEMPLATES = (SELECTION_WINNER, SELECTION_NOT_SELECTED, SELECTION_AREA)
TEMPLATES = (RECEIVED, RETURNED, REJECTED, SCORED, REMINDER, DIGEST, *SELECTION_TEMPLATES)
SECTIONS_FILE = "sections.toml"
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


def _status(language: int) -> Callable[[str], str]:
    return lambda status: text.PROGRESS_STATUS.get(status, (status, status))[language]


def _selection_tier(language: int) -> Callable[[str], str]:
    return lambda tier: text.SELECTION_TIERS.get(tier, (tier, tier))[language]


@dataclass(frozen=True)
class Section:
    """One rubric section of a municipality's points, as a message shows it."""

    key: str
    title_th: str
    title_en: str
    points: float


def read_sections(path: Path) -> dict[str, tuple[str, str]]:
    """The section titles of a `sections.toml` (key → Thai, English); TemplateProblem naming what is wrong."""
    try:
        with path.open("rb") as handle:
            document = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise TemplateProblem(f"{path.name}: {error}") from error
    table = document.get("sections")
    if not isinstance(table, dict) or set(document) - {"sections"}:
        raise TemplateProblem(f"{path.name}: expected only a [sections.<key>] table per rubric section")
    titles: dict[str, tuple[str, str]] = {}
    for key, value in table.items():
        if not isinstance(value, dict) or set(value) != {"th", "en"} or not all(
                isinstance(value[language], str) and value[language].strip() for language in ("th", "en")):
            raise TemplateProblem(f"{path.name}: [sections.{key}] needs exactly a non-empty th and en title")
        titles[key] = (value["th"].strip(), value["en"].strip())
    return titles


class TemplateBook:
    def __init__(self, override_dir: str | Path | None = None, *, thai_digits: bool = False) -> None:
        self.thai_digits = thai_digits
        self.sections: dict[str, tuple[str, str]] = {}
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
            "status_th": _status(0), "status_en": _status(1),
        })
        self.env.filters.update({
            "selection_tier_th": _selection_tier(0), "selection_tier_en": _selection_tier(1),
            "section_th": lambda key: self.sections.get(key, (key, key))[0],
            "section_en": lambda key: self.sections.get(key, (key, key))[1],
        })
        self.env.globals["divider"] = DIVIDER
        found = next((d / SECTIONS_FILE for d in self.directories if (d / SECTIONS_FILE).is_file()), None)
        if found is None:
            raise TemplateProblem(f"{SECTIONS_FILE}: not found")
        self.sections = read_sections(found)
        try:
            self.env.globals["m"] = self.env.get_template("_macros.j2").module
        except TemplateError as error:
            raise TemplateProblem(f"_macros.j2: {error}") from error

    def check(self) -> None:
        """Every template loads and has its blocks, and the selection templates render on sample data: run at
        start, so an edit that breaks one stops the service before it sends anything."""
        for name in (*TEMPLATES, "_layout"):
            try:
                template = self.env.get_template(f"{name}.j2")
            except TemplateError as error:
                raise TemplateProblem(f"{name}.j2: {error}") from error
            missing = [b for b in REQUIRED_BLOCKS if b not in template.blocks] if name != "_layout" else []
            if missing:
                raise TemplateProblem(f"{name}.j2 has no block {', '.join(missing)}")
        # The final selection goes out once, to everyone at the same moment: its templates are also rendered
        # here on sample data, so a misspelt name in an operator's edit stops the start instead of that send.
        for name, contexts in selection.samples(self.section_points).items():
            for context in contexts:
                self.render(name, **context)

    def section_points(self, points: Mapping[str, float]) -> list[Section]:
        """A municipality's points per section: the known sections in the file's order, then any other key as
        it came (a rubric section this file does not name yet)."""
        known = [key for key in self.sections if key in points]
        others = [key for key in points if key not in self.sections]
        return [Section(key, *self.sections.get(key, (key, key)), points=float(points[key]))
                for key in (*known, *others)]

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

