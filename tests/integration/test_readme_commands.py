"""Every shell command README.md shows in a ```bash block works as written, in a clean clone of this repository.

The test clones the repository this file lives in (only committed files: what a newcomer gets), gives the clone
this environment's `.venv/` (a symlink, and the clone's pyproject.toml dated before the venv's install stamp, so
`make` does not reinstall), starts `make run` there exactly as the README writes it, waits until every service's
`/health/ready` answers 200, runs every other command of every bash block in the README, in order, from the
clone, then stops `make run` with Ctrl-C's SIGINT and checks that it stops cleanly. A command fails the test
when its exit status is not 0; curl is given `fail-with-body` through its own configuration file (CURL_HOME), so
an HTTP error status fails as well. Reads are retried for a few seconds while the pipeline catches up.

The run uses a fresh bus namespace (BUS_NAMESPACE) on the broker, and the clone's own SecantusDB (a fresh
`.data/mongo`) on 127.0.0.1:27017, which the operators' commands find without any setting; when 27017 is taken
it uses the suite's MongoDB with a fresh MONGODB_DB_PREFIX, exported to every command.

READMETEST_FROM_WORKTREE=1 copies the working tree (tracked and untracked files, not the ignored ones) instead of
cloning, to try uncommitted changes."""

from __future__ import annotations

import asyncio
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from devtools.infra import DEFAULT_AMQP_URL, drop_namespace, free_port, port_answers
from shared.localdefaults import LOCAL_MONGODB_PORT
from shared.settings import Settings
from tests.support import ROOT, Infra

SERVICE_PORTS = (8001, 8002, 8003, 8004, 8005)

# Commands shown in the README that this test deliberately does not run as a step (matched by their start):
NOT_RUN = {
    "make run": "started first and kept running for every other command, then stopped with SIGINT",
    "make test": "the whole suite, of which this test is a part (tens of minutes)",
    "sudo apt-get install": "installs Debian packages (root, network); .ci/run installs the same when missing",
}
# Commands that change the shell for the commands after them in the same block.
SHELL_STATE = (". ", "source ", "export ", "cd ")
# What the README writes in angle brackets, and where the test takes it from (earlier commands' output).
PLACEHOLDERS = {"<submission_id>": "submission_id"}
READ_RETRY_SECONDS = 20.0


@dataclass
class Command:
    text: str
    block: int
    line: int


def readme_commands(readme: Path) -> list[Command]:
    """The commands of every ```bash block: continuation lines joined, blank and comment-only lines dropped."""
    commands: list[Command] = []
    block, inside, pending, start = 0, False, "", 0
    for number, line in enumerate(readme.read_text().splitlines(), start=1):
        stripped = line.strip()
        if not inside:
            if stripped in ("```bash", "```sh", "```shell"):
                inside, block = True, block + 1
            continue
        if stripped == "```":
            inside = False
            continue
        if not pending:
            start = number
            if not stripped or stripped.startswith("#"):
                continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        commands.append(Command(pending + stripped, block, start))
        pending = ""
    assert not inside, f"{readme}: a ``` block is not closed"
    return commands


def _bare(command: str) -> str:
    """The command without its trailing comment (`make run    # the whole system` is `make run`)."""
    return " ".join(shlex.split(command, comments=True))


def _not_run(command: str) -> bool:
    bare = _bare(command)
    return any(bare == start or bare.startswith(start + " ") for start in NOT_RUN)


def test_the_readme_lists_make_run_and_make_test() -> None:
    """The README's two newcomer commands stay, exactly, in its first bash block."""
    commands = readme_commands(ROOT / "README.md")
    first = [shlex.split(command.text, comments=True) for command in commands if command.block == 1]
    assert first == [["make", "run"], ["make", "test"]], first


@pytest.fixture
def clone(tmp_path: Path) -> Iterator[Path]:
    target = tmp_path / "clone"
    if os.environ.get("READMETEST_FROM_WORKTREE") == "1":
        listed = subprocess.run(["git", "ls-files", "-z", "-co", "--exclude-standard"], cwd=ROOT, check=True,
                                capture_output=True).stdout.decode().split("\0")
        for name in filter(None, listed):
            source = ROOT / name
            if source.is_file():
                (target / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target / name)
    else:
        subprocess.run(["git", "clone", "--quiet", str(ROOT), str(target)], check=True, timeout=120)
    venv = Path(sys.prefix)
    stamp = venv / ".installed-stamp"
    if sys.prefix == sys.base_prefix or not stamp.exists():
        pytest.skip("needs the project's .venv made by `make install` (its .installed-stamp), to lend the clone")
    (target / ".venv").symlink_to(venv, target_is_directory=True)
    # Older than the stamp: the clone's `make` sees the environment as installed and never reinstalls into it.
    os.utime(target / "pyproject.toml", (0, 0))
    yield target


def _ports_free_or_skip() -> None:
    taken = [port for port in SERVICE_PORTS if port_answers("127.0.0.1", port)]
    if taken:
        message = f"ports {taken} are in use (another `make run`?): the README's `make run` needs 8001–8005"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)


def _environment(clone: Path, home: Path, infra: Infra, name: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("AMQP_", "MONGODB_", "BUS_", "SMTP_", "INTAKE_", "REPORTING_", "VIRTUAL_ENV"))
           and key not in ("ENVIRONMENT", "HTTP_PORT", "CURL_HOME", "PYTHONHOME")}
    env.update({"PYTHONPATH": str(clone), "BUS_NAMESPACE": name, "CURL_HOME": str(home), "HOME": str(home)})
    if infra.amqp_url != DEFAULT_AMQP_URL:
        env["AMQP_URL"] = infra.amqp_url  # the suite's broker is not the local default: name it
    if port_answers("127.0.0.1", LOCAL_MONGODB_PORT):
        env.update({"MONGODB_URL": infra.mongodb_url, "MONGODB_DB_PREFIX": name})
    if port_answers("127.0.0.1", 1025):
        env["SMTP_PORT"] = str(free_port())
    (home / ".curlrc").write_text("fail-with-body\nmax-time = 30\n")
    return env


def _wait_ready(process: subprocess.Popen[bytes], log: Path, timeout: float = 75) -> None:
    deadline = time.monotonic() + timeout
    waiting = list(SERVICE_PORTS)
    while waiting:
        assert process.poll() is None, f"`make run` exited with {process.returncode}:\n{log.read_text()[-6000:]}"
        assert time.monotonic() < deadline, f"not ready within {timeout}s: {waiting}\n{log.read_text()[-6000:]}"
        try:
            if httpx.get(f"http://127.0.0.1:{waiting[0]}/health/ready", timeout=2).status_code == 200:
                waiting.pop(0)
                continue
        except httpx.HTTPError:
            pass
        time.sleep(0.2)


def _run(command: Command, state: list[str], env: dict[str, str], cwd: Path,
         values: dict[str, str]) -> subprocess.CompletedProcess[str]:
    text = command.text
    for placeholder, key in PLACEHOLDERS.items():
        if placeholder in text:
            assert key in values, f"README line {command.line}: {placeholder} before any command gave {key}"
            text = text.replace(placeholder, shlex.quote(values[key]))
    assert not re.search(r"<[a-z_]+>", text), f"README line {command.line}: a placeholder the test cannot fill"
    script = "set -e\n" + "\n".join([*state, text]) + "\n"
    reads = text.startswith("curl ") and "-XPOST" not in text and "-X POST" not in text
    deadline = time.monotonic() + (READ_RETRY_SECONDS if reads else 0)
    while True:
        result = subprocess.run(["bash", "-c", script], cwd=cwd, env=env, capture_output=True, text=True,
                                timeout=60, check=False)
        if result.returncode == 0 or time.monotonic() >= deadline:
            return result
        time.sleep(0.5)


def test_every_readme_command_works_as_written_in_a_clean_clone(clone: Path, tmp_path: Path,
                                                                 infra: Infra) -> None:
    commands = readme_commands(clone / "README.md")
    assert any(_bare(command.text) == "make run" for command in commands)
    steps = [command for command in commands if not _not_run(command.text)]
    assert len(steps) >= 8, [command.text for command in steps]
    _ports_free_or_skip()
    name = "t" + uuid.uuid4().hex[:10]
    home = tmp_path / "home"
    home.mkdir()
    env = _environment(clone, home, infra, name)
    log = tmp_path / "make-run.log"
    with open(log, "wb") as out:
        make_run = subprocess.Popen(["bash", "-c", "make run"], cwd=clone, env=env, stdout=out,
                                    stderr=subprocess.STDOUT, start_new_session=True)
    try:
        _wait_ready(make_run, log)
        values: dict[str, str] = {}
        state: dict[int, list[str]] = {}
        for command in steps:
            block_state = state.setdefault(command.block, [])
            result = _run(command, block_state, env, clone, values)
            assert result.returncode == 0, (
                f"README.md line {command.line}: `{command.text}` exited with {result.returncode}\n"
                f"stdout:\n{result.stdout[-3000:]}\nstderr:\n{result.stderr[-3000:]}")
            if command.text.startswith(SHELL_STATE):
                block_state.append(command.text)
            if result.stdout.lstrip().startswith("{"):
                answer = json.loads(result.stdout)
                values.update({key: str(answer[key]) for key in PLACEHOLDERS.values() if key in answer})
        # Ctrl-C in the terminal: SIGINT to make and everything it started.
        os.killpg(make_run.pid, signal.SIGINT)
        make_run.wait(timeout=45)
        output = log.read_text()
        assert "Smart City selection is running" in output, output[-6000:]
        assert output.rstrip().endswith("stopped") or "\nstopped\n" in output, output[-6000:]
        assert "killing" not in output and "exited unexpectedly" not in output, output[-6000:]
        assert not [port for port in SERVICE_PORTS if port_answers("127.0.0.1", port)], output[-6000:]
    finally:
        if make_run.poll() is None:
            os.killpg(make_run.pid, signal.SIGKILL)
            make_run.wait()
        asyncio.run(drop_namespace(env.get("AMQP_URL", DEFAULT_AMQP_URL), env.get("MONGODB_URL", infra.mongodb_url),
                                   name, Settings.model_fields["bus_retry_delays_ms"].default))
