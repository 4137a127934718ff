"""Starting, watching and stopping this system's processes on one machine, for `make run` (devtools/run.py),
the benchmark (bench/system.py) and the tests (tests/support.py): each service as `python -m services.<name>`
with its whole environment and its output appended to a log file (or sent to a pipe), ready once its
`/health/ready` answers 200, stopped with SIGTERM and, past its grace period, SIGKILL; and the signals a fault
scenario sends (SIGKILL as when a machine dies, SIGSTOP and SIGCONT as a disk that stalls and comes back).

A process started in a session of its own (`new_session=True`) is signalled as its whole process group."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import IO

import httpx

ROOT = Path(__file__).resolve().parent.parent
SERVICES = ("intake", "validation", "scoring", "notification", "reporting")
LOG_TAIL = 6000  # characters of a log quoted when a service does not start


class NotReady(RuntimeError):
    """A service exited while starting, or its /health/ready did not answer 200 in time."""


def start(command: Sequence[str], *, env: Mapping[str, str] | None = None, output: Path | int | None = None,
          new_session: bool = False, cwd: Path | None = ROOT) -> subprocess.Popen[bytes]:
    """Start `command` with `env` as its whole environment (this process's when None). `output` is a log file
    that stdout and stderr are appended to, `subprocess.PIPE` or `subprocess.DEVNULL`, or None for this
    terminal. It runs in `cwd`: the repository's root unless told otherwise (None: this process's own)."""
    if isinstance(output, Path):
        output.parent.mkdir(parents=True, exist_ok=True)
        with open(output, "ab") as log:
            return subprocess.Popen(list(command), env=None if env is None else dict(env), cwd=cwd, stdout=log,
                                    stderr=subprocess.STDOUT, start_new_session=new_session)
    return subprocess.Popen(list(command), env=None if env is None else dict(env), cwd=cwd, stdout=output,
                            stderr=None if output is None else subprocess.STDOUT, start_new_session=new_session)


def send(process: subprocess.Popen[bytes], signum: int) -> None:
    """Send a signal to a running process (to its group when it leads one); nothing once it has exited."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        if os.getpgid(process.pid) == process.pid:
            os.killpg(process.pid, signum)
        else:
            process.send_signal(signum)


def kill(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL and wait: no shutdown hook runs, as when the machine dies."""
    if process.poll() is None:
        send(process, signal.SIGKILL)
        process.wait()


def freeze(process: subprocess.Popen[bytes]) -> None:
    """SIGSTOP: the process keeps its sockets open and answers nothing, as a frozen disk or VM does."""
    send(process, signal.SIGSTOP)


def thaw(process: subprocess.Popen[bytes]) -> None:
    send(process, signal.SIGCONT)


def wait_or_kill(process: subprocess.Popen[bytes], timeout: float) -> bool:
    """Wait up to `timeout` seconds for the process to exit, then SIGKILL it; whether it exited by itself."""
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        kill(process)
        return False
    return True


def stop(process: subprocess.Popen[bytes], timeout: float) -> int | None:
    """SIGTERM, up to `timeout` seconds for a graceful exit, then SIGKILL; the exit status."""
    send(process, signal.SIGTERM)
    wait_or_kill(process, timeout)
    return process.returncode


class ServiceProcess:
    """One service as its own process, as in production: `python -m services.<service>` serving HTTP on
    127.0.0.1:`port`, with `env` as its whole environment; its output appended to `log_path`, or sent to a pipe
    (`pipe=True`, read from `stdout`), or to this terminal. It may be started again after it stopped (same port,
    environment and log)."""

    def __init__(self, service: str, port: int, env: Mapping[str, str], *, log_path: Path | None = None,
                 pipe: bool = False, new_session: bool = False) -> None:
        self.service = service
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.env = {**env, "HTTP_PORT": str(port)}
        self.log_path = log_path
        self.pipe = pipe
        self.new_session = new_session
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        output = self.log_path if self.log_path is not None else (subprocess.PIPE if self.pipe else None)
        self.process = start([sys.executable, "-m", f"services.{self.service}"], env=self.env, output=output,
                             new_session=self.new_session)

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    @property
    def returncode(self) -> int | None:
        return None if self.process is None else self.process.poll()

    @property
    def stdout(self) -> IO[bytes]:
        assert self.process is not None and self.process.stdout is not None, "started without pipe=True"
        return self.process.stdout

    def ready(self) -> bool:
        """Whether /health/ready answers 200 now."""
        try:
            return httpx.get(f"{self.url}/health/ready", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def wait_ready(self, timeout: float = 90, *, interval: float = 0.2,
                   cancelled: Callable[[], bool] = lambda: False) -> bool:
        """Poll /health/ready until it answers 200 (True), or until `cancelled()` says to give up (False);
        NotReady when the process exits first or `timeout` seconds pass."""
        deadline = time.monotonic() + timeout
        while not cancelled():
            if not self.running:
                raise NotReady(f"{self.service} exited with {self.returncode} while starting{self._see_log()}")
            if self.ready():
                return True
            if time.monotonic() > deadline:
                raise NotReady(f"{self.service} not ready after {timeout:g}s{self._see_log()}")
            time.sleep(interval)
        return False

    def terminate(self) -> None:
        """SIGTERM: the service finishes the work in hand and exits."""
        if self.process is not None:
            send(self.process, signal.SIGTERM)

    def kill(self) -> None:
        """SIGKILL: no shutdown hook runs, as when a machine dies."""
        if self.process is not None:
            kill(self.process)

    def stop(self, timeout: float = 30) -> int | None:
        """SIGTERM, up to `timeout` seconds for a graceful exit, then SIGKILL; the exit status (None if never
        started)."""
        return None if self.process is None else stop(self.process, timeout)

    def logs(self) -> str:
        """The end of its log file."""
        if self.log_path is None or not self.log_path.exists():
            return ""
        return self.log_path.read_text(errors="replace")[-LOG_TAIL:]

    def _see_log(self) -> str:
        return "" if self.log_path is None else f"; see {self.log_path}:\n{self.logs()}"


def stop_all(services: Iterable[ServiceProcess], timeout: float = 30,
             on_kill: Callable[[ServiceProcess], None] | None = None) -> None:
    """SIGTERM to every service at once, then up to `timeout` seconds for each to exit before it is killed
    (`on_kill` is told which were)."""
    services = list(services)
    for service in services:
        service.terminate()
    for service in services:
        if service.process is not None and not wait_or_kill(service.process, timeout) and on_kill is not None:
            on_kill(service)
