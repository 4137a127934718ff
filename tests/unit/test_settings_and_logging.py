"""The one settings class fails fast; the one logging setup writes JSON with the correlation id."""

from __future__ import annotations

import json

import pytest
import structlog
from pydantic import ValidationError

from shared.logging import bound, configure_logging, get_logger
from shared.settings import Settings

URLS = {"AMQP_URL": "amqp://guest:guest@127.0.0.1:5672/", "MONGODB_URL": "mongodb://127.0.0.1:27017"}


def test_settings_refuse_to_start_without_the_broker_and_store_urls(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in URLS:
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ValidationError) as error:
        Settings()
    assert {e["loc"][0] for e in error.value.errors()} == {"amqp_url", "mongodb_url"}


@pytest.mark.parametrize(("name", "value"), [
    ("MONGODB_URL", "postgres://nope"),
    ("AMQP_URL", "http://127.0.0.1"),
    ("BUS_PREFETCH", "0"),
    ("BUS_RETRY_DELAYS_MS", "100,-5"),
    ("ENVIRONMENT", "staging-ish"),
    ("HTTP_PORT", "70000"),
])
def test_settings_refuse_an_invalid_value(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    for key, url in URLS.items():
        monkeypatch.setenv(key, url)
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError):
        Settings()


def test_settings_read_retry_delays_and_name_each_services_database(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, url in URLS.items():
        monkeypatch.setenv(key, url)
    monkeypatch.setenv("BUS_RETRY_DELAYS_MS", "250, 1000")
    settings = Settings(service_name="validation")
    assert settings.bus_retry_delays_ms == (250, 1000)
    assert settings.database_name == "smartcity_validation"


def test_production_logs_are_json_lines_carrying_the_correlation_id_and_no_contact_data(
        capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("validation", json_logs=True)
    try:
        with bound(correlation_id="sub_123", event_id="e1"):
            get_logger("test").info("revision validated", revision=2, email="somchai@example.go.th")
        line = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    finally:
        structlog.reset_defaults()
    assert line["event"] == "revision validated"
    assert (line["correlation_id"], line["event_id"], line["service"]) == ("sub_123", "e1", "validation")
    assert line["email"] == "***"
    assert line["level"] == "info" and "timestamp" in line


def test_a_service_may_hold_more_messages_at_once_unless_bus_prefetch_says_otherwise(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from services.reporting.service import SPEC as REPORTING
    from services.validation.service import SPEC as VALIDATION
    from shared.runtime import load_settings

    for key, url in URLS.items():
        monkeypatch.setenv(key, url)
    monkeypatch.delenv("BUS_PREFETCH", raising=False)
    assert load_settings(REPORTING).bus_prefetch == 256  # its handlers share area recomputations
    assert load_settings(VALIDATION).bus_prefetch == Settings.model_fields["bus_prefetch"].default
    monkeypatch.setenv("BUS_PREFETCH", "32")
    assert load_settings(REPORTING).bus_prefetch == 32
