"""Run reporting: `python -m services.reporting`."""

from services.reporting.service import SPEC
from shared.runtime import serve

serve(SPEC)
