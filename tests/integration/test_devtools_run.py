"""`make run` (`python -m devtools.run`) on a machine that lacks something it needs: it stops within seconds
with the exact command that fixes it, before starting anything — never a long wait ending in "intake exited".

Each case runs the real `python -m devtools.run` as its own process, with an environment that lacks one thing:
RabbitMQ (AMQP_URL at a closed port, no rabbitmq-server on PATH), a rabbitmq-server that fails to start,
a service's port already taken, secantusd-py not installed. The real RabbitMQ is never stopped or started."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import sysconfig
import time
from collections.abc import Iterator
from pathlib import Path

from devtools.infra import free_port, port_answers
from tests.support import ROOT, Infra

FAST = 15.0  # seconds: checking is a few socket connects; anything near the old 60 s wait fails


def _run(env: dict[str, str], python: str = sys.executable) -> tuple[int, str, float]:
    started = time.monotonic()
    result = subprocess.run([python, "-m", "devtools.run"], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=90, check=False)
    return result.returncode, result.stdout + result.stderr, time.monotonic() - started


def _base_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """A minimal environment: an empty PATH (no rabbitmq-server, no secantusd-py on it) plus `extra`."""
    empty_bin = tmp_path / "bin"
    empty_bin.mkdir(exist_ok=True)
    env = {"PATH": str(empty_bin), "HOME": str(tmp_path), "LANG": "C.UTF-8", "PYTHONPATH": str(ROOT)}
    env.update(extra)
    return env


def _closed_port() -> int:
    port = free_port()
    assert not port_answers("127.0.0.1", port)
    return port


def test_without_rabbitmq_installed_it_stops_at_once_with_the_commands_to_install_and_start_it(
        tmp_path: Path) -> None:
    port = _closed_port()
    env = _base_env(tmp_path, AMQP_URL=f"amqp://guest:guest@127.0.0.1:{port}/")

    code, output, elapsed = _run(env)

    assert code != 0, output
    assert elapsed < FAST, (elapsed, output)
    assert f"127.0.0.1:{port}" in output, output
    assert "apt-get install rabbitmq-server" in output, output
    assert f"RABBITMQ_NODE_PORT={port} rabbitmq-server -detached" in output, output
    assert "RabbitMQ ไม่ตอบที่" in output, output  # Thai beside the English
    # Nothing was started: no SecantusDB, no service.
    assert "starting SecantusDB" not in output and "intake" not in output, output


def test_a_rabbitmq_server_that_fails_to_start_is_reported_at_once_with_its_own_words(tmp_path: Path) -> None:
    """rabbitmq-server is on PATH (a stand-in that fails like a real one without permission): `make run` starts
    it detached, on the AMQP_URL's port, and reports its failure instead of waiting."""
    port = _closed_port()
    env = _base_env(tmp_path, AMQP_URL=f"amqp://guest:guest@127.0.0.1:{port}/")
    calls = tmp_path / "calls"
    server = Path(env["PATH"]) / "rabbitmq-server"
    server.write_text("#!/bin/sh\n"
                      f'echo "$RABBITMQ_NODE_PORT $*" >> {calls}\n'
                      'echo "Only root or rabbitmq should run rabbitmq-server" >&2\n'
                      "exit 1\n")
    server.chmod(0o755)

    code, output, elapsed = _run(env)

    assert code != 0, output
    assert elapsed < FAST, (elapsed, output)
    assert calls.read_text().split() == [str(port), "-detached"]
    assert "Only root or rabbitmq should run rabbitmq-server" in output, output
    assert "rabbitmq-server -detached" in output, output
    assert "starting SecantusDB" not in output, output


@contextlib.contextmanager
def _listening(port: int) -> Iterator[None]:
    """Hold a listening socket on 127.0.0.1:port (when something else holds it already, that does as well)."""
    sock = socket.socket()
    try:
        with contextlib.suppress(OSError):
            sock.bind(("127.0.0.1", port))
            sock.listen()
        assert port_answers("127.0.0.1", port)
        yield
    finally:
        sock.close()


def test_a_services_port_already_in_use_is_named_before_anything_starts(tmp_path: Path, infra: Infra) -> None:
    env = _base_env(tmp_path, AMQP_URL=infra.amqp_url, MONGODB_URL=infra.mongodb_url,
                    SMTP_HOST="127.0.0.1", SMTP_PORT=str(_closed_port()))
    with _listening(8004):
        code, output, elapsed = _run(env)

    assert code != 0, output
    assert elapsed < FAST, (elapsed, output)
    assert "8004  notification" in output, output
    assert "ss -ltnp" in output and "พอร์ต" in output, output
    assert "intake API" not in output, output


def test_without_secantusd_it_says_to_install_the_development_extras(tmp_path: Path, infra: Infra) -> None:
    """A Python whose environment has no secantusd-py (a bare venv reading this one's packages from PYTHONPATH),
    MONGODB_URL not set: `make run` cannot start its local MongoDB wire server and says how to install it."""
    bare = tmp_path / "bare"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(bare)], check=True, timeout=60)
    python = bare / "bin" / "python"
    assert not (bare / "bin" / "secantusd-py").exists()
    site_packages = sysconfig.get_paths()["purelib"]
    env = _base_env(tmp_path, AMQP_URL=infra.amqp_url, PYTHONPATH=os.pathsep.join([str(ROOT), site_packages]))

    code, output, elapsed = _run(env, python=str(python))

    assert code != 0, output
    assert elapsed < FAST, (elapsed, output)
    assert "secantusd-py" in output and "make install" in output, output
    assert "ไม่พบ secantusd-py" in output, output
    assert "starting SecantusDB" not in output, output


def test_a_mongodb_url_that_does_not_answer_is_named(tmp_path: Path, infra: Infra) -> None:
    port = _closed_port()
    env = _base_env(tmp_path, AMQP_URL=infra.amqp_url, MONGODB_URL=f"mongodb://127.0.0.1:{port}/?directConnection=true")

    code, output, elapsed = _run(env)

    assert code != 0, output
    assert elapsed < FAST, (elapsed, output)
    assert f"MongoDB is not answering at 127.0.0.1:{port} (MONGODB_URL)" in output, output
    assert "unset MONGODB_URL" in output, output
