"""Run scoring: `python -m services.scoring`."""

from services.scoring.service import SPEC
from shared.runtime import serve

serve(SPEC)
