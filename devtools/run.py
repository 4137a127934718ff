"""`make run`: the whole system on this machine — every service as its own process.

Uses AMQP_URL and MONGODB_URL when they are set; otherwise the local RabbitMQ and a SecantusDB server
started here with its data under .data/mongo (kept between runs). Ctrl-C stops everything cleanly.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO

import httpx

from devtools.infra import DEFAULT_AMQP_URL, MongoServer, free_port, start_secantus, wait_for_port

ROOT = Path(__file__).resolve().parent.parent
SERVICES = [("intake", 8001), ("validation", 8002), ("scoring", 8003), ("notification", 8004),
            ("reporting", 8005)]
COLOURS = ["\033[36m", "\033[33m", "\033[35m", "\033[32m", "\033[34m"]
RESET = "\033[0m"


def _pipe(name: str, colour: str, stream: IO[bytes]) -> None:
    prefix = f"{colour}{name:<12}{RESET}| " if sys.stdout.isatty() else f"{name:<12}| "
    for line in iter(stream.readline, b""):
        sys.stdout.write(prefix + line.decode(errors="replace"))
        sys.stdout.flush()


def _port_free(port: int) -> bool:
    try:
        wait_for_port("127.0.0.1", port, timeout=0.2)
    except TimeoutError:
        return True
    return False


def main() -> int:
    env = dict(os.environ)
    env.setdefault("AMQP_URL", DEFAULT_AMQP_URL)
    env.setdefault("ENVIRONMENT", "development")
    # Local development: intake takes requests without credentials, so the README's curl works as written.
    env.setdefault("INTAKE_AUTH_REQUIRED", "false")
    if env["INTAKE_AUTH_REQUIRED"].lower() in ("0", "false", "no", "off"):
        print("WARNING: intake authentication is OFF (INTAKE_AUTH_REQUIRED=false) for local development: any client "
              "may submit. Production refuses to start this way; see docs/intake.md.", file=sys.stderr)
    # Likewise the reporting API answers without an access token, so the dashboard and curl work at once.
    env.setdefault("REPORTING_AUTH_REQUIRED", "false")
    if env["REPORTING_AUTH_REQUIRED"].lower() in ("0", "false", "no", "off"):
        print("WARNING: reporting access tokens are OFF (REPORTING_AUTH_REQUIRED=false) for local development: "
              "every view is open. Production refuses to start this way; see docs/reporting.md.", file=sys.stderr)
    mongo: MongoServer | None = None
    if "MONGODB_URL" not in env:
        data = ROOT / ".data" / "mongo"
        port = 27017 if _port_free(27017) else free_port()
        print(f"starting SecantusDB (local MongoDB wire server) on 127.0.0.1:{port}, data in {data}")
        mongo = start_secantus(str(data), port=port, log_path=ROOT / ".data" / "secantusd.log")
        env["MONGODB_URL"] = mongo.url
    mail_sink: subprocess.Popen[bytes] | None = None
    if "SMTP_HOST" not in env:
        # No mail server configured: keep every e-mail the system sends in a local Maildir to read.
        maildir = ROOT / ".data" / "mail"
        maildir.parent.mkdir(parents=True, exist_ok=True)
        port = int(env.get("SMTP_PORT", "1025"))
        mail_sink = subprocess.Popen(
            [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}", "-c",
             "aiosmtpd.handlers.Mailbox", str(maildir)], cwd=ROOT, start_new_session=True,
        )
        wait_for_port("127.0.0.1", port, timeout=30)
        env.update({"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(port)})
        print(f"e-mails are kept in {maildir} (a local SMTP server on 127.0.0.1:{port})")
    processes: dict[str, subprocess.Popen[bytes]] = {}
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    exit_code = 0
    try:
        for (name, port), colour in zip(SERVICES, COLOURS, strict=True):
            if not _port_free(port):
                print(f"port {port} for {name} is taken: stop what uses it first", file=sys.stderr)
                return 1
            child = subprocess.Popen(
                [sys.executable, "-m", f"services.{name}"], cwd=ROOT, stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT, env={**env, "HTTP_PORT": str(port)}, start_new_session=True,
            )
            processes[name] = child
            assert child.stdout is not None
            threading.Thread(target=_pipe, args=(name, colour, child.stdout), daemon=True).start()
        for name, port in SERVICES:
            deadline = time.monotonic() + 90
            while not stopping:
                if processes[name].poll() is not None:
                    raise RuntimeError(f"{name} exited with {processes[name].returncode} while starting")
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/health/ready", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{name} not ready after 90s")
                time.sleep(0.2)
        if not stopping:
            print("\nSmart City selection is running:")
            print("  intake API      http://127.0.0.1:8001/docs   (POST /v1/submissions)")
            print("  validation      http://127.0.0.1:8002/health/ready")
            print("  scoring         http://127.0.0.1:8003/health/ready")
            print("  notification    http://127.0.0.1:8004/health/ready")
            print("  reporting API   http://127.0.0.1:8005/docs   (GET /v1/campaigns/fy2568/national)")
            print(f"  RabbitMQ        {env['AMQP_URL']}")
            print(f"  MongoDB         {env['MONGODB_URL']}")
            print(f"  SMTP            {env['SMTP_HOST']}:{env['SMTP_PORT']}")
            print("Press Ctrl-C to stop.\n")
        while not stopping:
            for name, child in processes.items():
                if child.poll() is not None:
                    print(f"{name} exited unexpectedly with {child.returncode}; stopping", file=sys.stderr)
                    stopping, exit_code = True, 1
            time.sleep(0.5)
    except RuntimeError as error:
        print(f"error: {error}", file=sys.stderr)
        exit_code = 1
    finally:
        print("stopping services...")
        for child in processes.values():
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        for name, child in processes.items():
            try:
                child.wait(timeout=30)
            except subprocess.TimeoutExpired:
                print(f"{name} did not stop in 30s; killing", file=sys.stderr)
                child.kill()
        if mongo is not None:
            mongo.stop()
        if mail_sink is not None:
            mail_sink.terminate()
            mail_sink.wait(timeout=10)
        print("stopped")
    return exit_code


if __name__ == "__main__":
    raise SystemExit(main())
