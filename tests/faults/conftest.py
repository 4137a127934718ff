"""The fault matrix's infrastructure: each module gets the whole system of tests/e2e/conftest.py (every service
its own process, a real SMTP server) on the real broker and on a SecantusDB server of its own, with its data in
files under the module's temporary directory, so a scenario may freeze, kill and restart the store (same port,
same files) without touching any other test.

The matrix is slow (minutes) and one scenario restarts RabbitMQ for the whole machine, so it runs only when the
marker expression selects it (`pytest -m faults`, `make test-faults`); a run without `-m` leaves it out.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from devtools import processes
from devtools.infra import DEFAULT_AMQP_URL, MongoServer, start_secantus
from tests.e2e.conftest import smtp_sink, system  # noqa: F401 - the whole system, as the end-to-end tests run it
from tests.faults.matrix import LINES
from tests.support import ARTIFACTS, Infra


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "faults: the fault matrix (tests/faults/, minutes; restarts RabbitMQ): "
                                       "runs only with -m faults (make test-faults)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("markexpr", ""):
        return  # `-m` decides, as everywhere (`-m faults` runs the matrix, `-m 'not faults'` leaves it out)
    matrix = [item for item in items if item.get_closest_marker("faults")]
    if matrix:
        config.hook.pytest_deselected(items=matrix)
        items[:] = [item for item in items if not item.get_closest_marker("faults")]


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if LINES:
        terminalreporter.section("fault matrix")
        for line in LINES:
            terminalreporter.write_line(line)
        summary = ARTIFACTS / "faults" / "summary.txt"
        summary.parent.mkdir(parents=True, exist_ok=True)
        summary.write_text("\n".join(LINES) + "\n")


@dataclass
class PrivateStore:
    """A SecantusDB server with file storage that a scenario may freeze, kill and start again."""

    storage: Path
    port: int
    log_path: Path
    server: MongoServer

    @property
    def url(self) -> str:
        return self.server.url

    def freeze(self) -> None:
        """SIGSTOP: the process keeps its sockets open and answers nothing, as a frozen disk or VM does."""
        processes.freeze(self.server.process)  # started in its own session: the group is the server

    def thaw(self) -> None:
        processes.thaw(self.server.process)

    def kill(self) -> None:
        """SIGKILL: no shutdown of any kind, as when the machine dies."""
        processes.kill(self.server.process)

    def start_again(self) -> None:
        """The same port and the same storage directory: what was durable before the kill must be there."""
        self.server = start_secantus(str(self.storage), port=self.port, log_path=self.log_path)

    def stop(self) -> None:
        self.thaw()
        self.server.stop()


@pytest.fixture(scope="module")
def private_store(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Iterator[PrivateStore]:
    module = request.module.__name__.rsplit(".", 1)[-1]
    storage = tmp_path_factory.mktemp(f"secantus-{module}")
    log_path = ARTIFACTS / "faults" / module / "secantusdb.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    server = start_secantus(str(storage), log_path=log_path)
    port = int(server.url.split("://", 1)[1].split("/", 1)[0].rsplit(":", 1)[1])
    store = PrivateStore(storage, port, log_path, server)
    yield store
    store.stop()


@pytest.fixture(scope="module")
def infra(private_store: PrivateStore) -> Infra:
    """The real broker (AMQP_URL, else the local one) and this module's own store."""
    return Infra(amqp_url=os.environ.get("AMQP_URL") or DEFAULT_AMQP_URL, mongodb_url=private_store.url)
