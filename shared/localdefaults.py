"""Where the operators' commands (`python -m services.intake.apikeys`, `...reporting.tokens`,
`...validation.registry`, scoring's commands, `shared.deadletters`, ...) look when AMQP_URL or MONGODB_URL is
not set: the local RabbitMQ and the MongoDB wire server `make run` starts, so they work as the README writes them
against a running `make run`.

Only for local development (ENVIRONMENT unset or `development`): in production and in tests a missing URL stays
an error, as it is for the services themselves (shared/settings.py)."""

from __future__ import annotations

import os
from collections.abc import MutableMapping

LOCAL_AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/"
LOCAL_MONGODB_PORT = 27017
LOCAL_MONGODB_URL = f"mongodb://127.0.0.1:{LOCAL_MONGODB_PORT}/?directConnection=true"


def use_local_defaults(environ: MutableMapping[str, str] | None = None) -> None:
    """Fill in AMQP_URL and MONGODB_URL with the local development defaults where they are missing."""
    environ = os.environ if environ is None else environ
    if environ.get("ENVIRONMENT", "development").strip().lower() != "development":
        return
    environ.setdefault("AMQP_URL", LOCAL_AMQP_URL)
    environ.setdefault("MONGODB_URL", LOCAL_MONGODB_URL)
