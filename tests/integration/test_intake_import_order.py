"""Revisions follow the form's own time, not the order rows arrive in (property test against the real store):
a realistic export imported shuffled, with rows repeated and split into several imports, always ends in the same
state — per application, the same responses held and the same one counting — and importing it again creates
nothing."""

from __future__ import annotations

import asyncio
import csv
import io
import uuid
from datetime import UTC, datetime
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pymongo import AsyncMongoClient

from services.intake.application.imports import import_rows
from services.intake.mapping import load_mappings
from services.intake.repository import SubmissionStore
from tests.acceptance.sheets_export import export, registry
from tests.support import Infra

MAPPING = load_mappings().get("reference-form")
_LAOS = registry()[0]
_EXPORT = export(seed=7, laos=_LAOS)
_SHEET = list(csv.reader(io.StringIO(_EXPORT.content.decode(), newline="")))
HEADER = _SHEET[0]
# Every row of the municipalities that sent more than one response, and of a few that sent one: edits,
# corrections of returned responses, faulty edits, exact duplicates, the block pasted twice, late rows.
_SEVERAL = {key for key, truth in _EXPORT.truths.items() if truth.responses > 1}
_CHOSEN = _SEVERAL | set(list(_EXPORT.truths)[40:52])
ROWS = [row for row in _SHEET[1:] if row[HEADER.index("อีเมล")].removeprefix("smartcity.").split("@")[0] in _CHOSEN
        or row[HEADER.index("อีเมล")].startswith("smartcity.x@")]
State = dict[str, tuple[frozenset[tuple[str, str]], tuple[str, str] | None]]


async def _import(store: SubmissionStore, rows: list[list[str]]) -> Any:
    assert MAPPING is not None
    return await import_rows(iter([HEADER, *rows]), MAPPING, lambda batch: store.accept_many(
        batch, datetime(2025, 11, 26, 9, 0, tzinfo=UTC)), batch_rows=7)


async def _state(store: SubmissionStore) -> State:
    """Per application: the responses held (source id, content) and the one counting now."""
    documents = await store.revisions.find({}, {"submission_id": 1, "revision": 1, "source_response_id": 1,
                                                "content_hash": 1, "in_order": 1}).to_list(None)
    state: dict[str, tuple[set[tuple[str, str]], tuple[int, tuple[str, str]] | None]] = {}
    for document in documents:
        held, counting = state.setdefault(document["submission_id"], (set(), None))
        response = (document["source_response_id"], document["content_hash"])
        held.add(response)
        if document.get("in_order", True) and (counting is None or document["revision"] > counting[0]):
            state[document["submission_id"]] = (held, (document["revision"], response))
    return {sub_id: (frozenset(held), counting[1] if counting else None) for sub_id, (held, counting) in state.items()}


async def _run(infra: Infra, parts: list[list[list[str]]]) -> tuple[State, int]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(infra.mongodb_url)
    name = "order_" + uuid.uuid4().hex[:12]
    try:
        store = SubmissionStore(client[name]["revisions"])
        await store.create_indexes()
        for part in parts:
            result = await _import(store, part)
            assert result.rejected == 0
        state = await _state(store)
        again = await _import(store, ROWS)  # the whole file once more: nothing new
        assert (again.imported, again.new_revisions, again.older) == (0, 0, 0)
        return state, await store.revisions.count_documents({})
    finally:
        await client.drop_database(name)
        await client.close()


_REFERENCE: dict[str, tuple[State, int]] = {}


def _reference(infra: Infra) -> tuple[State, int]:
    if "state" not in _REFERENCE:
        _REFERENCE["state"] = asyncio.run(_run(infra, [ROWS]))
    return _REFERENCE["state"]


@st.composite
def _arrivals(draw: st.DrawFn) -> list[list[list[str]]]:
    """The rows shuffled, some repeated, cut into one to four imports."""
    order = draw(st.permutations(range(len(ROWS))))
    repeats = draw(st.lists(st.sampled_from(range(len(ROWS))), max_size=15))
    rows = [ROWS[i] for i in order]
    for i in repeats:
        rows.insert(draw(st.integers(0, len(rows))), ROWS[i])
    cuts = sorted(draw(st.lists(st.integers(1, len(rows) - 1), max_size=3, unique=True)))
    return [rows[a:b] for a, b in zip([0, *cuts], [*cuts, len(rows)], strict=True)]


def test_the_reference_export_holds_what_makes_order_matter() -> None:
    stamps = [row[0] for row in ROWS]
    assert 40 <= len(ROWS) <= 90
    assert len(set(map(tuple, ROWS))) < len(ROWS)  # exact duplicates
    assert stamps != sorted(stamps, key=lambda s: datetime.strptime(s, "%d/%m/%Y, %H:%M:%S"))  # out of time order


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(parts=_arrivals())
def test_any_order_repetition_and_split_of_an_export_ends_in_the_same_state(infra: Infra,
                                                                          parts: list[list[list[str]]]) -> None:
    expected_state, expected_count = _reference(infra)
    state, count = asyncio.run(_run(infra, parts))
    assert count == expected_count
    assert state == expected_state
