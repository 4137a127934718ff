"""What every fault scenario shares: a sender that behaves like the form connector (it resends a response intake
did not take, after Retry-After), waiting for every submission to settle in reporting, and the audit that counts
what was lost, doubled and dead-lettered — each scenario prints

    FAULT <name>: sent=N lost=0 doubled=0 dead-lettered=0 recovered_in=12.3s

and fails unless all three counts are 0."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import aio_pika
import httpx
from pymongo import AsyncMongoClient

from shared.topology import CONSUMERS, Names
from tests.e2e.conftest import SERVICES, System
from tests.support import eventually, municipality_submission

FINAL = frozenset({"scored", "returned", "rejected"})
VERDICTS = ("submission.validated", "submission.returned", "submission.rejected")
CAMPAIGN = "fy2568"
EMAIL = "e-mail "  # how a doubled e-mail is listed

# Every service of the matrix: a store operation that hangs is given up after 5 s (the store counts as away),
# and a paused consumer probes the store at least every 4 s, so recovery is measured in seconds, not minutes.
MATRIX_ENV = {"STORE_TIMEOUT_SECONDS": "5", "STORE_PROBE_MAX_SECONDS": "4"}


def service_env(**per_service: dict[str, str]) -> dict[str, dict[str, str]]:
    """SERVICE_ENV for a scenario module: MATRIX_ENV for every service, plus each service's own."""
    return {name: {**MATRIX_ENV, **per_service.get(name, {})} for name in SERVICES}


@dataclass
class Connector:
    """Sends responses to intake until each is taken, as the Google Forms connector does: a 503 or 429 is sent
    again after its Retry-After, a refused connection or a timeout after a second."""

    client: httpx.AsyncClient
    intake_url: str
    accepted: dict[str, dict[str, Any]] = field(default_factory=dict)  # response id → intake's answer
    refusals: Counter[str] = field(default_factory=Counter)

    @property
    def submission_ids(self) -> set[str]:
        return {answer["submission_id"] for answer in self.accepted.values()}

    async def send(self, body: dict[str, Any], *, give_up_after: float = 400) -> dict[str, Any]:
        deadline = time.monotonic() + give_up_after
        while time.monotonic() < deadline:
            try:
                response = await self.client.post(f"{self.intake_url}/v1/submissions", json=body, timeout=30)
            except httpx.TransportError as error:
                self.refusals[type(error).__name__] += 1
                await asyncio.sleep(1)
                continue
            if response.status_code in (200, 201, 202):
                answer: dict[str, Any] = response.json()
                self.accepted[body["source_response_id"]] = answer
                return answer
            if response.status_code in (429, 503):
                self.refusals[str(response.status_code)] += 1
                await asyncio.sleep(float(response.headers.get("Retry-After", "5")))
                continue
            raise AssertionError(f"intake refused {body['source_response_id']}: {response.status_code} {response.text}")
        raise AssertionError(f"intake never took {body['source_response_id']} ({dict(self.refusals)})")

    async def stream(self, bodies: Sequence[dict[str, Any]], *, interval: float) -> None:
        """One response every `interval` seconds, each resent independently until taken."""
        tasks = []
        for body in bodies:
            tasks.append(asyncio.create_task(self.send(body)))
            await asyncio.sleep(interval)
        await asyncio.gather(*tasks)


async def wait_until(check: Callable[[], bool], *, timeout: float, what: str) -> None:
    """Poll a synchronous condition (a process gone, a count reached) without blocking the event loop."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not reached within {timeout}s")
        await asyncio.sleep(0.05)


def restart_with(system: System, service: str, *, ready: bool = True, **env: str | None) -> None:
    """Start `service` again on its port with its settings changed: a value sets one, None removes it."""
    process = system.processes[service]
    for key, value in env.items():
        if value is None:
            process.env.pop(key, None)
        else:
            process.env[key] = value
    process.stop()
    system.restart(service, ready=ready)


async def final_statuses(client: httpx.AsyncClient, system: System) -> dict[str, str | None]:
    """Every submission reporting lists, with its current status."""
    items: list[dict[str, Any]] = []
    while True:
        answer = await client.get(f"{system.url('reporting')}/v1/campaigns/{CAMPAIGN}/submissions",
                                  params={"limit": 500, "offset": len(items)}, timeout=30)
        assert answer.status_code == 200, f"reporting's list: {answer.status_code} {answer.text[:300]}"
        page = answer.json()
        items.extend(page["items"])
        if len(items) >= page["total"] or not page["items"]:
            return {item["submission_id"]: item.get("status") for item in items}


async def settle(client: httpx.AsyncClient, system: System, submission_ids: Iterable[str], *, since: float,
                 timeout: float = 240) -> float:
    """Wait until every submission is final in reporting; the seconds from `since` (the fault's end) to then."""
    wanted = set(submission_ids)

    async def all_final() -> bool:
        shown = await final_statuses(client, system)
        if not all(shown.get(submission_id) in FINAL for submission_id in wanted):
            return False
        # The campaign's figures (recomputed behind the views) must agree: nothing left received or validated.
        national = (await client.get(f"{system.url('reporting')}/v1/campaigns/{CAMPAIGN}/national",
                                     timeout=30)).json()
        return bool(national["submissions"] == len(shown) and national["counts"]["received"] == 0
                    and national["counts"]["validated"] == 0)

    try:
        await eventually(all_final, timeout=timeout, interval=0.5, what=f"{len(wanted)} submissions final")
    except AssertionError:
        pass  # the audit counts what is missing as lost and says which
    return time.monotonic() - since


async def dead_letters(system: System) -> dict[str, int]:
    """Messages waiting in each service's dead-letter queue (read without taking them)."""
    names = Names(system.namespace.name)
    connection = await aio_pika.connect(system.namespace.infra.amqp_url)
    counts: dict[str, int] = {}
    try:
        for service in CONSUMERS:
            channel = await connection.channel()
            queue = await channel.declare_queue(names.dead_letter_queue(service), passive=True)
            counts[service] = queue.declaration_result.message_count or 0
            await channel.close()
    finally:
        await connection.close()
    return counts


async def intake_revisions(system: System) -> Counter[str]:
    """How many revisions intake holds per submission, read from its own database."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(system.namespace.infra.mongodb_url)
    try:
        collection = client[f"{system.namespace.name}_intake"]["revisions"]
        return Counter([d["submission_id"] async for d in collection.find({}, {"submission_id": 1})])
    finally:
        await client.close()


@dataclass
class Audit:
    sent: int
    lost: list[str]
    doubled: list[str]
    dead_lettered: dict[str, int]

    def line(self, name: str, recovered_in: float) -> str:
        return (f"FAULT {name}: sent={self.sent} lost={len(self.lost)} doubled={len(self.doubled)} "
                f"dead-lettered={sum(self.dead_lettered.values())} recovered_in={recovered_in:.1f}s")


async def audit(client: httpx.AsyncClient, system: System, submission_ids: Iterable[str], *, sent: int,
                recipients: set[str] | None = None) -> Audit:
    """Lost: accepted by intake, not final in reporting. Doubled: a revision, history step, verdict, score or
    e-mail recorded twice. Dead-lettered: anything in any service's dead-letter queue."""
    wanted = sorted(set(submission_ids))
    held = await intake_revisions(system)
    lost: list[str] = []
    doubled: list[str] = []
    limit = asyncio.Semaphore(8)

    async def records(url: str) -> list[dict[str, Any]]:
        """A service's records of one submission; none is a 404 (a submission returned is never scored)."""
        answer = await client.get(url, timeout=30)
        if answer.status_code == 404:
            return []
        assert answer.status_code == 200, f"{url}: {answer.status_code} {answer.text[:300]}"
        found: list[dict[str, Any]] = answer.json()
        return found

    async def one(submission_id: str) -> None:
        async with limit:
            answer = await client.get(f"{system.url('reporting')}/v1/submissions/{submission_id}", timeout=30)
            view = answer.json() if answer.status_code == 200 else {}
            if view.get("status") not in FINAL:
                lost.append(f"{submission_id}: {view.get('status') or answer.status_code}")
            revisions = view.get("revisions", [])
            numbers = Counter(r["revision"] for r in revisions)
            doubled.extend(f"{submission_id}: reporting revision r{n} x{c}" for n, c in numbers.items() if c > 1)
            if len(numbers) > held[submission_id]:
                doubled.append(f"{submission_id}: reporting holds {len(numbers)} revisions, intake "
                               f"{held[submission_id]}")
            for revision in revisions:
                steps = Counter(step["event_type"] for step in revision["history"])
                ids = Counter(step["event_id"] for step in revision["history"])
                verdicts = sum(steps[t] for t in VERDICTS)
                if steps["submission.received"] > 1 or verdicts > 1 or steps["submission.scored"] > 1 \
                        or any(c > 1 for c in ids.values()):
                    doubled.append(f"{submission_id}: r{revision['revision']} history {dict(steps)}")
            verdicts_held = await records(f"{system.url('validation')}/v1/validations/{submission_id}")
            by_revision = Counter(v["revision"] for v in verdicts_held)
            doubled.extend(f"{submission_id}: verdict r{n} x{c}" for n, c in by_revision.items() if c > 1)
            scores = await records(f"{system.url('scoring')}/v1/scores/{submission_id}")
            by_key = Counter((s["revision"], s["rubric_version"], s.get("score_version", 1)) for s in scores)
            doubled.extend(f"{submission_id}: score {key} x{c}" for key, c in by_key.items() if c > 1)

    await asyncio.gather(*(one(submission_id) for submission_id in wanted))
    messages = [m for m in system.smtp.messages
                if recipients is None or any(r in m["X-Envelope-To"] for r in recipients)]
    for message_id, count in Counter(m["Message-ID"] for m in messages).items():
        if count > 1:
            doubled.append(f"{EMAIL}{message_id} x{count}")
    return Audit(sent, sorted(lost), sorted(doubled), await dead_letters(system))


Fault = Callable[[System], Awaitable[float]]


async def run_scenario(system: System, name: str, fault: Fault, *, base: int, count: int = 40,
                       fault_after: int | None = None, interval: float = 0.25, settle_timeout: float = 240) -> Audit:
    """The shape every mid-stream scenario shares: `count` submissions sent as the connector sends them, one
    every `interval` seconds, the fault applied once `fault_after` of them were taken (a third by default) while
    the stream goes on, then waiting for all of them to be final in reporting, the audit and the FAULT line.
    `fault` breaks something, repairs it and returns the monotonic time of the repair, from which the recovery
    is counted. `base` keeps each scenario's municipalities (response ids, e-mail addresses) apart."""
    bodies = [municipality_submission(base + i) for i in range(count)]
    threshold = count // 3 if fault_after is None else fault_after
    async with httpx.AsyncClient(timeout=10) as client:
        connector = Connector(client, system.url("intake"))
        stream = asyncio.create_task(connector.stream(bodies, interval=interval))
        try:
            while len(connector.accepted) < threshold:
                if stream.done():
                    break
                await asyncio.sleep(0.05)
            repaired = await fault(system)
            await stream
        finally:
            if not stream.done():
                stream.cancel()
        assert len(connector.accepted) == count
        submission_ids = connector.submission_ids
        assert len(submission_ids) == count, "two responses were given one submission"
        recovered_in = await settle(client, system, submission_ids, since=repaired, timeout=settle_timeout)
        result = await audit(client, system, submission_ids, sent=count,
                             recipients={body["contact"]["email"] for body in bodies})
    report(name, result, recovered_in)
    return result


LINES: list[str] = []  # every FAULT line of the run, repeated in the terminal summary (conftest.py)


def report(name: str, result: Audit, recovered_in: float) -> None:
    line = result.line(name, recovered_in)
    LINES.append(line)
    print("\n" + line, flush=True)
    assert not result.lost, f"lost: {result.lost[:20]}"
    records = [d for d in result.doubled if not d.startswith(EMAIL)]
    assert not records, f"doubled: {result.doubled[:20]}"
    assert not any(result.dead_lettered.values()), f"dead-lettered: {result.dead_lettered}"
    if result.doubled:
        raise DoubledEmail(f"doubled: {result.doubled[:20]}")


class DoubledEmail(AssertionError):
    """Only e-mails were doubled (the same Message-ID twice): what an xfail may name as known, leaving every other
    count to fail the test."""
