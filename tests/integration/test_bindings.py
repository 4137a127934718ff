"""Queue bindings come from each consumer's HANDLES map, and a consumer bound to an event type it has no handler
for refuses to start instead of acking those events unread."""

from __future__ import annotations

import pytest

from shared.bus import UnhandledBinding, check_bindings
from shared.events import Envelope
from shared.runtime import Component, Context, ServiceSpec, create_app
from shared.topology import CONSUMERS, subscriptions
from tests.support import Namespace


async def _nothing(envelope: Envelope) -> None:
    return None


def test_each_consumers_bindings_are_exactly_the_event_types_of_its_handles_map() -> None:
    for service in CONSUMERS:
        handles = __import__(f"services.{service}.handlers", fromlist=["HANDLES"]).HANDLES
        assert subscriptions()[service] == tuple(sorted(model.EVENT_TYPE for model in handles))
        assert all("*" not in key and "#" not in key for key in subscriptions()[service])


def test_a_bound_event_type_without_a_handler_is_named_in_the_refusal() -> None:
    check_bindings("validation", dict.fromkeys(subscriptions()["validation"], _nothing))
    with pytest.raises(UnhandledBinding, match=r"validation\.lao_attach_requested.*services/validation/handlers\.py"):
        check_bindings("validation", {"submission.received": _nothing})


async def test_a_service_missing_a_handler_for_its_bindings_does_not_start(namespace: Namespace) -> None:
    async def setup(context: Context) -> Component:
        return Component(handlers={"submission.received": _nothing})

    spec = ServiceSpec(name="validation", default_port=0, title="validation missing a handler", description="",
                       setup=setup)
    app = create_app(spec, namespace.settings("validation"))
    with pytest.raises(UnhandledBinding, match=r"validation\.lao_attach_requested"):
        async with app.router.lifespan_context(app):
            pass
