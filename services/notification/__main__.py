"""Run notification: `python -m services.notification`."""

from services.notification.service import SPEC
from shared.runtime import serve

serve(SPEC)
