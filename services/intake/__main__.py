"""Run intake: `python -m services.intake`."""

from services.intake.service import SPEC
from shared.runtime import serve

serve(SPEC)
