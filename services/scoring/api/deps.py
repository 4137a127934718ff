"""What scoring's setup keeps for its routes (`Parts`, the typed `Component.state`), and the route parameters
that hand them over: the store, the workspace's store, the rubrics and the outbox relay. The admin API, the
reviewer API, the workspace's pages and the token checks (auth.py) all read them from here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from services.scoring.repository import ScoringStore, WorkspaceStore
from services.scoring.rubric import RubricBook
from shared.outbox import OutboxRelay
from shared.runtime import context_of, parts_of


@dataclass(frozen=True)
class Parts:
    """Scoring's own parts, built once by service.py's setup."""

    store: ScoringStore
    workspace: WorkspaceStore
    rubrics: RubricBook


def _parts(request: Request) -> Parts:
    parts: Parts = parts_of(request)
    return parts


def store_of(request: Request) -> ScoringStore:
    return _parts(request).store


def workspace_of(request: Request) -> WorkspaceStore:
    return _parts(request).workspace


def rubrics_of(request: Request) -> RubricBook:
    return _parts(request).rubrics


def relay_of(request: Request) -> OutboxRelay | None:
    return context_of(request).relay


Store = Annotated[ScoringStore, Depends(store_of)]
Workspace = Annotated[WorkspaceStore, Depends(workspace_of)]
Rubrics = Annotated[RubricBook, Depends(rubrics_of)]
Relay = Annotated[OutboxRelay | None, Depends(relay_of)]
