"""What scoring's commands share: settings read like the service's own (MONGODB_URL, MONGODB_DB_PREFIX,
CAMPAIGNS_DIR, SCORING_RUBRICS_DIR), scoring's store, and refusals printed in Thai and English.

The commands write scoring's database only; the running scoring service's outbox relay publishes what they
leave in an outbox, so they never need the broker."""

from __future__ import annotations

import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from pydantic import ValidationError

from services.scoring.repository import ScoringStore, WorkspaceStore
from services.scoring.rubric import RubricBook, load_rubric_book
from shared.campaign import CampaignBook, load_campaigns
from shared.errors import Problem
from shared.localdefaults import use_local_defaults
from shared.secrets import digest_key
from shared.settings import Settings, settings_error_text
from shared.store import Store


def settings() -> Settings:
    use_local_defaults()  # against `make run` as written, when MONGODB_URL is not set
    environment = {"service_name": "scoring"}
    if "AMQP_URL" not in os.environ:
        environment["amqp_url"] = "amqp://unused@localhost/"
    return Settings(**environment)  # type: ignore[arg-type]


@dataclass
class Scoring:
    store: ScoringStore
    workspace: WorkspaceStore
    campaigns: CampaignBook
    rubrics: RubricBook


@asynccontextmanager
async def scoring() -> AsyncIterator[Scoring]:
    config = settings()
    store = Store(config)
    try:
        scoring_store = ScoringStore(store.db, digest_key(config))
        await scoring_store.create_indexes()
        yield Scoring(scoring_store, WorkspaceStore(scoring_store), load_campaigns(config.campaigns_dir),
                      load_rubric_book(config.scoring_rubrics_dir))
    finally:
        await store.close()


def print_refusal(refused: Problem) -> int:
    print(f"{refused.message_th}\n{refused.message_en}", file=sys.stderr)
    for error in refused.errors:
        print(f"  {error.field}: {error.message_th} / {error.message_en}", file=sys.stderr)
    return 2


def print_settings_error(error: ValidationError) -> int:
    """Which settings are wrong and why, without the values (which may hold secrets)."""
    print(settings_error_text(error), file=sys.stderr)
    return 2
