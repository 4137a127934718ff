"""Validation's HTTP API: the rule catalogue and each application's outcomes (`routes`), and DLA's LAO registry
(`registry`: imports for administrators, the LAOs for anyone)."""

from services.validation.api.registry import router as registry_router
from services.validation.api.routes import router

routers = [router, registry_router]
