"""Prometheus metrics every service exposes at /metrics: messages, handler latency, outbox, HTTP."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

MESSAGES_CONSUMED = Counter(
    "smartcity_messages_consumed_total", "Messages handled successfully and acked", ["service", "event_type"]
)
MESSAGES_FAILED = Counter(
    "smartcity_messages_failed_total", "Handler failures (each attempt)", ["service", "event_type"]
)
MESSAGES_RETRIED = Counter(
    "smartcity_messages_retried_total", "Messages sent to a delayed retry", ["service", "event_type"]
)
MESSAGES_DEAD_LETTERED = Counter(
    "smartcity_messages_dead_lettered_total", "Messages sent to the dead-letter queue", ["service", "event_type"]
)
MESSAGES_HELD_BACK = Counter(
    "smartcity_messages_held_back_total", "Messages handed back unacked because the store or broker was away",
    ["service", "event_type"],
)
CONSUMER_PAUSED = Gauge(
    "smartcity_consumer_paused", "1 while consuming is paused because the store or broker is away", ["service"]
)
HANDLER_SECONDS = Histogram(
    "smartcity_handler_seconds", "Time spent in a message handler", ["service", "event_type"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
EVENTS_PUBLISHED = Counter(
    "smartcity_events_published_total", "Events published with a broker confirm", ["service", "event_type"]
)
OUTBOX_PENDING = Gauge("smartcity_outbox_pending", "Events written but not yet published", ["service"])
HTTP_REQUESTS = Counter(
    "smartcity_http_requests_total", "HTTP requests", ["service", "method", "route", "status"]
)
HTTP_SECONDS = Histogram(
    "smartcity_http_request_seconds", "HTTP request latency", ["service", "method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
