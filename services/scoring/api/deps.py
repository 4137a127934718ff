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
from shared.runtime import context_of, part


@dataclass(frozen=True)
class Parts:
    """Scoring's own parts, built once by service.py's setup."""

    store: ScoringStore
    workspace: WorkspaceStore
    rubrics: RubricBook


def relay_of(request: Request) -> OutboxRelay | None:
    return context_of(request).relay


Store = Annotated[ScoringStore, Depends(part(Parts, lambda parts: parts.store))]
Workspace = Annotated[WorkspaceStore, Depends(part(Parts, lambda parts: parts.workspace))]
Rubrics = Annotated[RubricBook, Depends(part(Parts, lambda parts: parts.rubrics))]
Relay = Annotated[OutboxRelay | None, Depends(relay_of)]
