"""The one settings class: every service reads its configuration from the environment through it, and
refuses to start on a missing or invalid value."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AmqpDsn, Field, MongoDsn, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=None, extra="ignore", frozen=True)

    service_name: str = Field(default="service", pattern=r"^[a-z][a-z0-9-]{1,30}$")
    environment: Literal["development", "production", "test"] = "development"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    # Required: there is no safe default for where the data lives.
    amqp_url: AmqpDsn
    mongodb_url: MongoDsn
    mongodb_db_prefix: str = Field(default="smartcity", pattern=r"^[A-Za-z0-9_]{1,40}$")

    # Every exchange and queue name starts with the namespace, so test runs and tenants never collide.
    bus_namespace: str = Field(default="smartcity", pattern=r"^[A-Za-z0-9_.-]{1,60}$")
    bus_prefetch: int = Field(default=16, ge=1, le=1000)
    # The broker's own guard against a message that crashes its consumer before any ack or nack.
    bus_delivery_limit: int = Field(default=5, ge=1, le=100)
    # A failed handler is retried after each of these delays, then dead-lettered with the reason.
    bus_retry_delays_ms: Annotated[tuple[int, ...], NoDecode] = (1_000, 5_000, 30_000)
    outbox_poll_seconds: float = Field(default=1.0, gt=0, le=60)
    # Fault injection for the fault matrix (tests/faults/): the outbox relay exits the process right after this many
    # confirmed publishes, before clearing them. Honoured only with ENVIRONMENT=test, refused anywhere else.
    outbox_crash_after_publish: int | None = Field(default=None, ge=1)
    # How long one store operation may wait for the server (its socket); past it the store counts as away: the
    # bus pauses, HTTP answers 503 (shared/availability.py). Also bounds intake's acceptance of one response.
    store_timeout_seconds: float = Field(default=15.0, gt=0, le=300)
    # While the store is away, how long the bus waits between probes at most (it starts at half a second).
    store_probe_max_seconds: float = Field(default=10.0, gt=0, le=300)
    shutdown_grace_seconds: float = Field(default=20.0, gt=0, le=300)

    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8000, ge=1, le=65535)

    # Every service's /docs, /redoc and /openapi.json: served unless this says otherwise; left unset, they are
    # off in production (an API's map is no business of the Internet's) and on elsewhere.
    api_docs_enabled: bool | None = None
    # /metrics: when set, a scrape must send `Authorization: Bearer <token>`. Without it production refuses
    # every scrape unless METRICS_PUBLIC=true (a scraper on an internal interface only); elsewhere it is open.
    metrics_token: SecretStr | None = None
    metrics_public: bool = False
    # The internal read APIs (scoring's scores and rankings, validation's outcomes, notification's delivery log,
    # directory, schedule and progress): in production, or anywhere once this is set, they need this bearer
    # token or the service's own admin token; production with neither refuses them all.
    internal_read_token: SecretStr | None = None
    # The key of the digests under which API keys, reporting and reviewer tokens and recipients are stored
    # (shared/secrets.py): at least 32 characters, required in production; elsewhere a fixed development key.
    token_digest_key: SecretStr | None = Field(default=None, validate_default=True)

    campaigns_dir: str | None = None

    # Intake's senders (docs/intake.md). Off only for local development and tests; never in production.
    intake_auth_required: bool = True
    # The form connector's shared secrets, "source=secret,source=secret" (source = the mapping's name, or the
    # X-Smartcity-Source a connector sends). One secret string, so no error message can ever echo it; intake
    # reads the pairs at start (services/intake/auth.py) and refuses to start on a malformed one.
    intake_form_secrets: SecretStr | None = None
    intake_signature_max_age_seconds: int = Field(default=300, ge=30, le=3600)
    # Per sender, per intake replica: a token bucket refilled at this rate, holding at most `burst` requests.
    intake_rate_per_second: float = Field(default=5.0, gt=0)
    intake_rate_burst: int = Field(default=100, ge=1)
    intake_max_body_bytes: int = Field(default=256 * 1024, ge=1024)
    intake_max_import_bytes: int = Field(default=50_000_000, ge=1024)
    intake_mappings_dir: str | None = None

    # Validation's admin API (LAO registry imports): a bearer token; the API refuses every import without it.
    registry_admin_token: SecretStr | None = None
    registry_max_upload_bytes: int = Field(default=50_000_000, ge=1_000)

    # Reporting's API: bearer tokens scoped to a district, a province or the nation (services/reporting/tokens.py).
    # Off only for local development and tests; never in production.
    reporting_auth_required: bool = True
    # How long reporting trusts a token it has looked up (a revoked token stops working within this time).
    reporting_token_cache_seconds: float = Field(default=30.0, ge=0, le=3600)
    # The announcement's emblem: an SVG file of the official Garuda artwork, inlined (never fetched); when
    # unset, the announcement carries its own line drawing (services/reporting/announcement.py).
    reporting_emblem_svg: str | None = None

    # Scoring: an extra directory of rubric files (<version>.toml) besides the built-in ones, and the admin
    # token for reviewers, assignments and re-scoring (docs/scoring.md); without it the admin API refuses all.
    scoring_rubrics_dir: str | None = None
    scoring_admin_token: SecretStr | None = None

    # Notification's e-mail channel.
    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(default=1025, ge=1, le=65535)
    smtp_starttls: bool = False
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_timeout_seconds: float = Field(default=15.0, gt=0)
    # Deliveries open at once (one connection each): notification holds more messages than this, so the
    # store's waits overlap while the relay never sees more connections than it allows.
    smtp_max_connections: int = Field(default=16, ge=1, le=500)
    mail_from: str = "Smart City Selection <no-reply@smartcity.example.go.th>"

    # Notification (docs/notification.md). STARTTLS to a server whose certificate a private CA signed: its bundle.
    smtp_tls_ca_file: str | None = None
    # Operators' template files (*.j2) laid over the built-in ones, and their routing file (routing.toml).
    notification_templates_dir: str | None = None
    notification_routing_file: str | None = None
    # Thai digits (๒๕ พฤศจิกายน ๒๕๖๘) in the Thai text's dates and numbers, as DLA's letters write them.
    notification_thai_digits: bool = False
    notification_http_timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    # Signs every outgoing webhook (X-Signature: hex HMAC-SHA256 of "<X-Timestamp>.<body>"); webhooks are not
    # sent without it.
    notification_webhook_secret: SecretStr | None = None
    # LINE Messaging API (push messages); LINE contacts are not sent to without the channel access token.
    line_api_base_url: str = Field(default="https://api.line.me", pattern=r"^https?://[^\s]+$")
    line_channel_access_token: SecretStr | None = None
    # Bearer token of notification's admin API (directory imports); without it the API refuses them.
    notification_admin_token: SecretStr | None = None
    # How often the scheduler looks for due reminders and digests, and how late a missed one may still go out.
    notification_schedule_interval_seconds: float = Field(default=60.0, gt=0, le=3600)
    notification_schedule_max_late_hours: float = Field(default=24.0, ge=0)

    @field_validator("bus_retry_delays_ms", mode="before")
    @classmethod
    def _parse_delays(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(int(part) for part in value.split(",") if part.strip())
        return value

    @field_validator("bus_retry_delays_ms")
    @classmethod
    def _delays_positive(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        if any(delay <= 0 for delay in value):
            raise ValueError("every retry delay must be a positive number of milliseconds")
        return value

    @field_validator("outbox_crash_after_publish")
    @classmethod
    def _fault_injection_only_in_tests(cls, value: int | None, info: ValidationInfo) -> int | None:
        if value is not None and info.data.get("environment") != "test":
            raise ValueError("OUTBOX_CRASH_AFTER_PUBLISH is fault injection for tests: only with ENVIRONMENT=test")
        return value

    @field_validator("intake_auth_required")
    @classmethod
    def _production_authenticates(cls, value: bool, info: ValidationInfo) -> bool:
        # A field validator (not a model one): its error shows this value only, never the secrets beside it.
        if info.data.get("environment") == "production" and not value:
            raise ValueError("INTAKE_AUTH_REQUIRED=false is refused in production: every sender must authenticate")
        return value

    @field_validator("reporting_auth_required")
    @classmethod
    def _production_reports_need_tokens(cls, value: bool, info: ValidationInfo) -> bool:
        if info.data.get("environment") == "production" and not value:
            raise ValueError("REPORTING_AUTH_REQUIRED=false is refused in production: every reader needs a token")
        return value

    @field_validator("registry_admin_token")
    @classmethod
    def _token_long_enough(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < 16:
            raise ValueError("REGISTRY_ADMIN_TOKEN must be at least 16 characters (e.g. `openssl rand -hex 24`)")
        return value

    @field_validator("scoring_admin_token")
    @classmethod
    def _scoring_token_long_enough(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < 16:
            raise ValueError("SCORING_ADMIN_TOKEN must be at least 16 characters (e.g. `openssl rand -hex 24`)")
        return value

    @field_validator("notification_admin_token", "notification_webhook_secret")
    @classmethod
    def _notification_secrets_long_enough(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < 16:
            raise ValueError("must be at least 16 characters (e.g. `openssl rand -hex 24`)")
        return value

    @field_validator("metrics_token", "internal_read_token")
    @classmethod
    def _read_tokens_long_enough(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < 16:
            raise ValueError("must be at least 16 characters (e.g. `openssl rand -hex 24`)")
        return value

    @field_validator("token_digest_key")
    @classmethod
    def _digest_key_set_and_long(cls, value: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        # A field validator (not a model one): its error names this setting only, never any value.
        if value is None:
            if info.data.get("environment") == "production":
                raise ValueError("TOKEN_DIGEST_KEY is required in production (e.g. `openssl rand -hex 32`)")
            return None
        if len(value.get_secret_value()) < 32:
            raise ValueError("TOKEN_DIGEST_KEY must be at least 32 characters (e.g. `openssl rand -hex 32`)")
        return value

    @property
    def serves_api_docs(self) -> bool:
        return self.api_docs_enabled if self.api_docs_enabled is not None else not self.is_production

    @property
    def database_name(self) -> str:
        return f"{self.mongodb_db_prefix}_{self.service_name.replace('-', '_')}"

    @property
    def is_production(self) -> bool:
        return self.environment == "production"


def settings_error_text(error: ValidationError) -> str:
    """Which settings are wrong and why, for a person at a terminal: the variables' names and the messages,
    never the values given (a URL may hold a password, a token is a secret)."""
    lines = ["การตั้งค่าไม่ถูกต้อง / invalid settings:"]
    for detail in error.errors(include_input=False, include_url=False, include_context=False):
        name = "_".join(str(part) for part in detail["loc"]).upper() or "SETTINGS"
        lines.append(f"  {name}: {detail['msg']} ({detail['type']})")
    return "\n".join(lines)
