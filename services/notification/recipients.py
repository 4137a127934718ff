"""Who receives what: the recipient, the office directory read from CSV (which office covers which area, on
which channel), and the routing configuration (which audiences each template goes to). No I/O but reading
the routing file.

Directory CSV (UTF-8, a BOM allowed; Windows-874 too), one row per contact, English or Thai headers:

    level,areas,office,channel,address,name,templates
    district,3601,สถ.อ.เมืองชัยภูมิ,email,office@example.go.th,นายสมศักดิ์,
    province,36,สถ.จ.ชัยภูมิ,line,U0123456789abcdef0123456789abcdef,,reminder;digest
    national,,กองพัฒนาและส่งเสริมการบริหารงานท้องถิ่น,webhook,https://hooks.example.go.th/smartcity,,digest
"""

from __future__ import annotations

import csv
import io
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args

import geothai

from services.notification.privacy import LINE_ID, mask_recipient, normalise_address, recipient_hash
from services.notification.templates import SELECTION_AREA, SELECTION_NOT_SELECTED, SELECTION_WINNER, TEMPLATES
from shared.thai import clean_text, to_arabic_digits

Audience = Literal["applicant", "district", "province", "national"]
AUDIENCES: tuple[str, ...] = get_args(Audience)
OFFICE_LEVELS = ("district", "province", "national")
BUILTIN_ROUTING = Path(__file__).parent / "routing.toml"
NATIONAL_OFFICE = "กรมส่งเสริมการปกครองท้องถิ่น"

_HEADERS = {
    "level": ("level", "ระดับ"),
    "areas": ("areas", "area", "พื้นที่", "รหัสพื้นที่"),
    "office": ("office", "หน่วยงาน"),
    "channel": ("channel", "ช่องทาง"),
    "address": ("address", "ผู้รับ", "ที่อยู่"),
    "name": ("name", "ชื่อ", "ผู้ติดต่อ"),
    "templates": ("templates", "เรื่อง", "แจ้งเรื่อง"),
}
_LEVELS = {"district": "district", "อำเภอ": "district", "สถ.อ.": "district",
           "province": "province", "จังหวัด": "province", "สถ.จ.": "province",
           "national": "national", "ส่วนกลาง": "national", "สถ.": "national", "dla": "national"}
_CHANNELS = {"email": "email", "e-mail": "email", "อีเมล": "email", "line": "line", "ไลน์": "line",
             "webhook": "webhook"}


@dataclass(frozen=True)
class Recipient:
    kind: Audience
    channel: str
    address: str
    office: str | None = None
    name: str | None = None
    areas: tuple[str, ...] = ()
    templates: tuple[str, ...] = field(default=())  # empty: whatever routing sends to its level

    @property
    def hash(self) -> str:
        return recipient_hash(self.address, self.channel)

    @property
    def masked(self) -> str:
        return mask_recipient(self.channel, self.address)

    def wants(self, template: str) -> bool:
        return not self.templates or template in self.templates

    def as_document(self) -> dict[str, Any]:
        return {"level": self.kind, "channel": self.channel, "address": self.address, "office": self.office,
                "name": self.name, "areas": list(self.areas), "templates": list(self.templates),
                "recipient_hash": self.hash}

    @classmethod
    def from_document(cls, document: dict[str, Any]) -> Recipient:
        return cls(kind=document["level"], channel=document["channel"], address=document["address"],
                   office=document.get("office"), name=document.get("name"),
                   areas=tuple(document.get("areas", ())), templates=tuple(document.get("templates", ())))


@dataclass(frozen=True)
class RowProblem:
    line: int
    column: str
    message_th: str
    message_en: str


class DirectoryProblem(ValueError):
    """A directory file that cannot be imported: every problem with its line; never the addresses."""

    def __init__(self, problems: list[RowProblem]) -> None:
        super().__init__("; ".join(f"line {p.line}, {p.column}: {p.message_en}" for p in problems[:20]))
        self.problems = problems


def decode_csv(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp874")


def _split(value: str) -> list[str]:
    return [part for part in to_arabic_digits(value).replace(";", " ").replace(",", " ").split() if part]


def _check_address(channel: str, address: str) -> str | None:
    """What is wrong with the address for its channel (in English), or None."""
    if channel == "email":
        return None if normalise_address(address) else "not an e-mail address"
    if channel == "line":
        return None if LINE_ID.match(address) else "not a LINE user, group or room id (U/C/R and 32 hex digits)"
    if not address.startswith(("https://", "http://")):
        return "a webhook address must start with https:// (or http:// inside the network)"
    return None


def _check_areas(level: str, areas: list[str]) -> str | None:
    if level == "national":
        return "a national contact covers the whole country: leave the areas empty" if areas else None
    if not areas:
        return f"a {level} office needs the codes of the area it covers"
    width = 4 if level == "district" else 2
    for code in areas:
        if len(code) != width or not code.isdigit():
            return f"{code!r} is not a {width}-digit DOPA {level} code"
        if (geothai.district(code) if width == 4 else geothai.province(code)) is None:
            return f"there is no {level} with the code {code}"
    return None


def read_directory(text: str) -> list[Recipient]:
    """Every contact of a directory file; DirectoryProblem listing every bad row when any row is bad (an
    import is all or nothing, so a typo never silently drops an office)."""
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None:
        raise DirectoryProblem([RowProblem(1, "-", "ไฟล์ว่าง", "the file is empty")])
    columns: dict[str, int] = {}
    for index, title in enumerate(header):
        key = clean_text(title).lower()
        for name, aliases in _HEADERS.items():
            if key in aliases:
                columns[name] = index
    missing = [name for name in ("level", "channel", "address") if name not in columns]
    if missing:
        raise DirectoryProblem([RowProblem(1, name, "ไม่มีคอลัมน์นี้", "this column is missing") for name in missing])

    contacts: dict[tuple[str, str, str, tuple[str, ...]], Recipient] = {}
    problems: list[RowProblem] = []
    for line, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue

        def cell(name: str, row: list[str] = row) -> str:
            index = columns.get(name)
            return clean_text(row[index]) if index is not None and index < len(row) else ""

        def problem(column: str, th: str, en: str, line: int = line) -> None:
            problems.append(RowProblem(line, column, th, en))

        level = _LEVELS.get(cell("level").lower())
        channel = _CHANNELS.get(cell("channel").lower())
        address, areas = cell("address"), _split(cell("areas"))
        templates = tuple(t.lower() for t in _split(cell("templates")))
        if level is None:
            problem("level", "ต้องเป็น district / province / national", "must be district, province or national")
        if channel is None:
            problem("channel", "ต้องเป็น email / line / webhook", "must be email, line or webhook")
        elif (wrong := _check_address(channel, address)) is not None:
            problem("address", "ที่อยู่ผู้รับไม่ถูกต้องสำหรับช่องทางนี้", wrong)
        if level is not None and (wrong := _check_areas(level, areas)) is not None:
            problem("areas", "รหัสพื้นที่ไม่ถูกต้อง", wrong)
        if unknown := [t for t in templates if t not in TEMPLATES]:
            problem("templates", "ไม่รู้จักเรื่องที่แจ้ง", f"unknown templates {unknown}; known: {list(TEMPLATES)}")
        office = cell("office") or (NATIONAL_OFFICE if level == "national" else "")
        if level in ("district", "province") and not office:
            problem("office", "ต้องระบุชื่อหน่วยงาน", "the office's name is required")
        if level is None or channel is None or (problems and problems[-1].line == line):
            continue
        recipient = Recipient(kind=level, channel=channel, address=address, office=office,  # type: ignore[arg-type]
                              name=cell("name") or None, areas=tuple(sorted(set(areas))), templates=templates)
        contacts[(recipient.kind, recipient.channel, recipient.hash, recipient.areas)] = recipient
    if problems:
        raise DirectoryProblem(problems)
    return list(contacts.values())


# -- routing -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    to: tuple[str, ...]
    # scored only: committee-review updates (trigger "review") go out; re-scores ("rescore") never do.
    on_review: bool = True
    # reminder only: an office whose area has nobody left to chase (registry loaded) gets no reminder.
    skip_when_nothing_to_chase: bool = True


class RoutingProblem(ValueError):
    pass


@dataclass(frozen=True)
class Routing:
    routes: dict[str, Route]

    def route(self, template: str) -> Route:
        return self.routes.get(template, Route(to=()))

    def audiences(self, template: str) -> tuple[str, ...]:
        return self.route(template).to

    def office_levels(self, template: str) -> tuple[str, ...]:
        return tuple(a for a in self.audiences(template) if a in OFFICE_LEVELS)

    @classmethod
    def parse(cls, document: dict[str, Any], base: Routing | None = None) -> Routing:
        routes = dict(base.routes) if base else {}
        for template, values in document.items():
            if template not in TEMPLATES:
                raise RoutingProblem(f"unknown template [{template}]; known: {', '.join(TEMPLATES)}")
            if not isinstance(values, dict):
                raise RoutingProblem(f"[{template}] must be a table")
            unknown_keys = set(values) - {"to", "on_review", "skip_when_nothing_to_chase"}
            if unknown_keys:
                raise RoutingProblem(f"[{template}] has unknown settings {sorted(unknown_keys)}")
            audiences = tuple(values.get("to", routes.get(template, Route(to=())).to))
            if bad := [a for a in audiences if a not in AUDIENCES]:
                raise RoutingProblem(f"[{template}] to: unknown audiences {bad}; known: {list(AUDIENCES)}")
            if template in ("reminder", "digest", SELECTION_AREA) and "applicant" in audiences:
                raise RoutingProblem(f"[{template}] is about an area: it goes to offices, not to an applicant")
            if template in (SELECTION_WINNER, SELECTION_NOT_SELECTED) and set(audiences) - {"applicant"}:
                raise RoutingProblem(f"[{template}] is one municipality's own result: it goes to the municipality "
                                     "only (offices get selection_area)")
            previous = routes.get(template, Route(to=()))
            routes[template] = Route(
                to=audiences,
                on_review=bool(values.get("on_review", previous.on_review)),
                skip_when_nothing_to_chase=bool(values.get("skip_when_nothing_to_chase",
                                                           previous.skip_when_nothing_to_chase)),
            )
        return cls(routes)

    @classmethod
    def load(cls, override: str | Path | None = None) -> Routing:
        """The built-in routing, with the operator's file (NOTIFICATION_ROUTING_FILE) laid over it."""
        routing = cls.parse(_read_toml(BUILTIN_ROUTING))
        return cls.parse(_read_toml(Path(override)), routing) if override else routing


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise RoutingProblem(f"{path}: {error}") from error

