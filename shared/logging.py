"""The one logging setup: structlog, JSON in production, readable in development, with the submission's
correlation id bound into every line written while a message or request is handled."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import structlog

# Keys whose values are personal data; they never reach a log line.
_PERSONAL_KEYS = frozenset({"email", "phone", "recipient_email", "contact", "password", "secret"})


def _drop_personal_data(_: Any, __: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    for key in _PERSONAL_KEYS & event_dict.keys():
        event_dict[key] = "***"
    return event_dict


def configure_logging(service: str, *, json_logs: bool, level: str = "INFO") -> None:
    shared_processors: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _drop_personal_data,
    ]
    renderer: Any = (
        structlog.processors.JSONRenderer(ensure_ascii=False)
        if json_logs
        else structlog.dev.ConsoleRenderer(colors=sys.stdout.isatty())
    )
    structlog.configure(
        processors=[*shared_processors, structlog.processors.format_exc_info, renderer]
        if json_logs
        else [*shared_processors, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level)),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stdout),
        cache_logger_on_first_use=True,
    )
    # Libraries log through the standard library; send their warnings to the same stream.
    logging.basicConfig(level=logging.WARNING, stream=sys.stdout, format="%(levelname)s %(name)s %(message)s")
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(service=service)


@contextmanager
def bound(**values: Any) -> Iterator[None]:
    """Bind values (correlation_id, event_id, ...) for everything logged inside the block."""
    tokens = structlog.contextvars.bind_contextvars(**values)
    try:
        yield
    finally:
        structlog.contextvars.reset_contextvars(**tokens)


def get_logger(name: str | None = None) -> Any:
    return structlog.get_logger(name)
