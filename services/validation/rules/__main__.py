"""Write the rule catalogue as a document: `python -m services.validation.rules docs/validation-rules.md`
(`make docs` does)."""

from __future__ import annotations

import sys
from pathlib import Path

from services.validation.rules.catalogue import render


def write(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(), encoding="utf-8")
    return path


if __name__ == "__main__":
    print(write(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/validation-rules.md")))
