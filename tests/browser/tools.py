"""Tools the PDF and browser tests need from the machine (Debian's chromium, poppler-utils, fonts-thai-tlwg,
and WeasyPrint's Pango): missing on a developer's machine, such a test is skipped with the reason; on CI
(CI=true), where .ci/run installs them, it fails instead, so CI never skips it silently."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
INSTALL_HINT = "apt-get install chromium fonts-thai-tlwg poppler-utils libpango-1.0-0 libpangoft2-1.0-0"


def missing(reason: str) -> None:
    message = f"{reason} (install: {INSTALL_HINT})"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI must run this test: {message}")
    pytest.skip(message)


def need_executable(name: str) -> str:
    path = shutil.which(name) or (name if os.path.isabs(name) and os.access(name, os.X_OK) else None)
    if path is None:
        missing(f"{name} is not installed")
    assert path is not None
    return path


def need_thai_font() -> None:
    """A TH Sarabun-compatible Thai font that fontconfig finds (Laksaman from fonts-thai-tlwg, or Sarabun)."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        missing("fontconfig (fc-list) is not installed")
        return
    fonts = subprocess.run([fc_list, ":lang=th", "family"], capture_output=True, text=True, check=False).stdout
    if not any(name in fonts for name in ("Laksaman", "Sarabun", "TH Sarabun")):
        missing("no TH Sarabun-compatible Thai font (Laksaman or Sarabun) is installed")


def need_weasyprint() -> None:
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError) as error:
        missing(f"WeasyPrint cannot load ({error})")
