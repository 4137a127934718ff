"""Scoring's refusals are the shared `Refused` (shared/errors.py), installed for every service by the runtime."""

from __future__ import annotations

from shared.errors import Refused

__all__ = ["Refused"]
