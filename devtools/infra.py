"""Local infrastructure for development and tests: a SecantusDB server (the MongoDB wire-compatible
store used here when no mongod or Docker is available), a local SMTP server, free ports, and waiting for a
socket."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from devtools import processes
from shared.localdefaults import LOCAL_AMQP_URL

DEFAULT_AMQP_URL = LOCAL_AMQP_URL
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(host: str, port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"nothing listening on {host}:{port} after {timeout:.0f}s")


def port_answers(host: str, port: int, timeout: float = 0.5) -> bool:
    """Whether something accepts a TCP connection at host:port right now."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def url_address(url: str, default_port: int) -> tuple[str, int] | None:
    """The host and port of a single-host URL (amqp://, mongodb://); None when it names several or none."""
    try:
        parts = urlsplit(url)
        if "," in parts.netloc:
            return None
        host, port = parts.hostname, parts.port
    except ValueError:
        return None
    if not host:
        return None
    return host, port or default_port


def secantusd_command() -> list[str]:
    exe = shutil.which("secantusd-py") or str(Path(sys.executable).parent / "secantusd-py")
    if not Path(exe).exists():
        raise RuntimeError("secantusd-py not found: install the development extras (pip install -e '.[dev]')")
    return [exe]


@dataclass
class MongoServer:
    url: str
    process: subprocess.Popen[bytes]
    log_path: Path | None

    def stop(self) -> None:
        processes.stop(self.process, timeout=15)


def start_secantus(storage: str, *, port: int | None = None, log_path: Path | None = None) -> MongoServer:
    """Start a SecantusDB server; `storage` is a directory or ':memory:'."""
    port = port or free_port()
    if storage != ":memory:":
        Path(storage).mkdir(parents=True, exist_ok=True)
    process = processes.start(
        [*secantusd_command(), "--host", "127.0.0.1", "--port", str(port), "--storage-path", storage,
         "--log-level", "WARNING"],
        output=log_path or subprocess.DEVNULL, new_session=True, cwd=None,
    )
    try:
        wait_for_port("127.0.0.1", port, timeout=60)
    except TimeoutError:
        processes.kill(process)
        raise
    # retryWrites=false: SecantusDB keeps a record of every retryable write for 30 minutes and scans all of
    # them (up to 10,000, sorting them once full) on each new write, which made that bookkeeping the largest
    # single cost of its CPU under load (docs/performance.md). Against mongod the services keep the
    # driver's default, retryable writes on; every handler is idempotent and retried by the bus either way.
    return MongoServer(f"mongodb://127.0.0.1:{port}/?directConnection=true&retryWrites=false", process, log_path)


def start_mail_server(port: int, *handler: str, new_session: bool = False) -> subprocess.Popen[bytes]:
    """A local SMTP server (aiosmtpd) on 127.0.0.1:`port`, once it listens; `handler` is its handler class and
    arguments: `aiosmtpd.handlers.Sink` drops every message, `aiosmtpd.handlers.Mailbox DIR` keeps them in a
    Maildir. Stop it with `processes.stop`."""
    process = processes.start([sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}", "-c", *handler],
                              new_session=new_session)
    try:
        wait_for_port("127.0.0.1", port, timeout=30)
    except TimeoutError:
        processes.kill(process)
        raise
    return process


def docker_available() -> bool:
    if not shutil.which("docker"):
        return False
    try:
        return subprocess.run(["docker", "info"], capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


async def drop_namespace(amqp_url: str, mongodb_url: str, namespace: str, retry_delays_ms: tuple[int, ...]) -> None:
    """Delete one namespace's exchanges and queues and its services' databases (a test or benchmark run)."""
    import aio_pika
    from pymongo import AsyncMongoClient

    from shared.topology import CONSUMERS, Names

    names = Names(namespace)
    connection = await aio_pika.connect(amqp_url)
    try:
        channel = await connection.channel()
        for service in CONSUMERS:
            for queue in [names.queue(service), names.dead_letter_queue(service),
                          *(names.retry_queue(service, delay) for delay in retry_delays_ms)]:
                await channel.queue_delete(queue)
        await channel.exchange_delete(names.events_exchange)
        await channel.exchange_delete(names.dead_letter_exchange)
    finally:
        await connection.close()
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(mongodb_url)
    try:
        for database in await client.list_database_names():
            if database.startswith(namespace + "_"):
                await client.drop_database(database)
    finally:
        await client.close()
