"""Reading rubric files: one TOML file per version, a directory of them as a RubricBook keyed by version, and
errors that name the file, the entry (with the keys of the section and criterion it is in) and what is wrong.
The only I/O scoring does through this package."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from services.scoring.rubric.format import Rubric


class RubricError(ValueError):
    """A rubric file that cannot be used: which file, and what is wrong where."""

    def __init__(self, source: str | Path, problems: Sequence[str]) -> None:
        self.source = str(source)
        self.problems = list(problems)
        super().__init__(f"invalid rubric {self.source}:\n  - " + "\n  - ".join(self.problems))


class UnknownRubric(LookupError):
    pass


_MESSAGES = {
    "extra_forbidden": "unknown entry (not part of the rubric format; check its spelling)",
    "missing": "required entry is missing",
}


def _location(loc: tuple[int | str, ...], data: Any) -> str:
    """`("sections", 0, "criteria", 2, "rule", "count_bands", "bands")` → `sections[0].criteria[2].rule.bands
    (section "readiness", criterion "completed_projects")`: the path in the file, with the keys it passes."""
    path, names = "", []
    node, previous = data, None
    for item in loc:
        if isinstance(item, int):
            path += f"[{item}]"
            node = node[item] if isinstance(node, list) and 0 <= item < len(node) else None
            if isinstance(node, dict) and isinstance(node.get("key"), str) and previous in ("sections", "criteria"):
                names.append(f'{"section" if previous == "sections" else "criterion"} "{node["key"]}"')
        elif previous == "rule" and isinstance(node, dict) and node.get("type") == item:
            continue  # the discriminator's tag, which pydantic puts in the path
        else:
            path += f".{item}" if path else item
            node = node.get(item) if isinstance(node, dict) else None
        previous = item
    return f"{path} ({', '.join(names)})" if names else path


def _problems(error: ValidationError, data: Any) -> list[str]:
    problems = []
    for detail in error.errors():
        message = _MESSAGES.get(detail["type"], detail["msg"]).removeprefix("Value error, ")
        where = _location(tuple(detail["loc"]), data)
        problems.append(f"{where}: {message}" if where else message)
    return problems


def parse_rubric(data: Mapping[str, Any], *, source: str | Path = "<rubric>") -> Rubric:
    try:
        return Rubric.model_validate(data)
    except ValidationError as error:
        raise RubricError(source, _problems(error, data)) from None


def load_rubric(path: str | Path) -> Rubric:
    path = Path(path)
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except OSError as error:
        raise RubricError(path, [f"cannot read the file: {error.strerror or error}"]) from error
    except tomllib.TOMLDecodeError as error:
        raise RubricError(path, [f"not valid TOML: {error}"]) from error
    return parse_rubric(data, source=path)


def default_rubric_dir() -> Path:
    return Path(__file__).parent.parent / "rubrics"


class RubricBook:
    """Every rubric file (`*.toml`) of the directories, keyed by version; a file is named after its version.

    A version is defined once: the same version in two directories is an error, so that the rubric behind
    a score already given can never be swapped silently.
    """

    def __init__(self, directory: str | Path, *more: str | Path) -> None:
        self.directories = [Path(folder) for folder in (directory, *more)]
        self._rubrics: dict[str, Rubric] = {}
        self._paths: dict[str, Path] = {}
        for folder in self.directories:
            for path in sorted(folder.glob("*.toml")):
                rubric = load_rubric(path)
                if rubric.version != path.stem:
                    raise RubricError(path, [f"version: the file declares version {rubric.version!r}; "
                                             f"name it {rubric.version}.toml"])
                if rubric.version in self._rubrics:
                    raise RubricError(path, [f"version: {rubric.version!r} is already defined by "
                                             f"{self._paths[rubric.version]}; give a new rubric a new version"])
                self._rubrics[rubric.version] = rubric
                self._paths[rubric.version] = path

    def get(self, version: str) -> Rubric:
        try:
            return self._rubrics[version]
        except KeyError:
            folders = ", ".join(str(folder) for folder in self.directories)
            raise UnknownRubric(f"no rubric {version!r} in {folders}; "
                                f"known versions: {', '.join(self.versions()) or 'none'}") from None

    def versions(self) -> list[str]:
        return sorted(self._rubrics)

    def path(self, version: str) -> Path:
        self.get(version)
        return self._paths[version]


def load_rubric_book(extra_dir: str | None = None) -> RubricBook:
    """The built-in rubrics and, when configured (SCORING_RUBRICS_DIR), those of an extra directory."""
    return RubricBook(default_rubric_dir(), *([extra_dir] if extra_dir else []))
