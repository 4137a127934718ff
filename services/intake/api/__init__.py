"""Intake's HTTP API: the routes (`routes.py`) with their models (`models.py`) and parameters (`deps.py`),
and the request size limits (`limits.py`)."""

from services.intake.api.routes import router

routers = [router]
