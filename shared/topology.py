"""Who consumes what: the one map of queues and bindings, declared whole by every service at start.

Declaring every consumer's queue before anything is published means no event is ever dropped by the
topic exchange for want of a bound queue, whichever service happens to start first. Bindings are exact event
types (no wildcards), derived from each consumer's `HANDLES` map.
"""

from __future__ import annotations

import functools
import importlib

# The consuming services; each one's bindings are the event types of its HANDLES map.
CONSUMERS = ("validation", "scoring", "notification", "reporting")


@functools.cache
def subscriptions() -> dict[str, tuple[str, ...]]:
    """Each consumer's bindings: the event types its `services/<name>/handlers.py` HANDLES map takes.

    Read from the services' own maps, so a binding and its handler cannot drift apart (a bound type without a
    handler would be refused at start by shared.bus anyway). Imported on first use: the handlers modules
    import shared.bus themselves."""
    bindings = {}
    for service in CONSUMERS:
        handles = importlib.import_module(f"services.{service}.handlers").HANDLES
        bindings[service] = tuple(sorted(model.EVENT_TYPE for model in handles))
    return bindings


class Names:
    """Exchange and queue names under one namespace."""

    def __init__(self, namespace: str) -> None:
        self.namespace = namespace
        self.events_exchange = f"{namespace}.events"
        self.dead_letter_exchange = f"{namespace}.dead-letter"

    def queue(self, service: str) -> str:
        return f"{self.namespace}.{service}"

    def dead_letter_queue(self, service: str) -> str:
        return f"{self.namespace}.{service}.dead-letter"

    def retry_queue(self, service: str, delay_ms: int) -> str:
        return f"{self.namespace}.{service}.retry.{delay_ms}ms"
