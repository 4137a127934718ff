"""Run validation: `python -m services.validation`."""

from services.validation.service import SPEC
from shared.runtime import serve

serve(SPEC)
