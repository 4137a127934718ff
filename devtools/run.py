"""`make run`: the whole system on this machine — every service as its own process.

Uses AMQP_URL and MONGODB_URL when they are set; otherwise the local RabbitMQ and a SecantusDB server
started here with its data under .data/mongo (kept between runs). Ctrl-C stops everything cleanly.

Before starting anything it checks what it needs, and stops at once with the command to run when something is
missing: RabbitMQ answering at AMQP_URL (started here with `rabbitmq-server -detached` when it is installed
but not running), secantusd-py (when MONGODB_URL is not set), MongoDB answering at MONGODB_URL (when it is), and
the services' ports (and the local SMTP server's) free.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from typing import IO

from devtools import processes
from devtools.infra import (
    DEFAULT_AMQP_URL,
    LOCAL_HOSTS,
    MongoServer,
    free_port,
    port_answers,
    secantusd_command,
    start_mail_server,
    start_secantus,
    url_address,
    wait_for_port,
)
from devtools.processes import ROOT, ServiceProcess
from shared.localdefaults import LOCAL_MONGODB_PORT

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
    return not port_answers("127.0.0.1", port, timeout=0.2)


# How long a RabbitMQ started here may take to open its port (it usually needs 5–15 s).
RABBITMQ_START_SECONDS = 60


class PreflightFailed(Exception):
    """Something `make run` needs is missing; the message says what and the exact command that fixes it."""


def _as_root(command: str) -> str:
    return command if os.geteuid() == 0 else f"sudo {command}"


def _check_rabbitmq(amqp_url: str, env: Mapping[str, str]) -> None:
    address = url_address(amqp_url, 5671 if amqp_url.startswith("amqps:") else 5672)
    if address is None or port_answers(*address):
        return
    host, port = address
    where = f"{host}:{port}" + ("" if amqp_url == DEFAULT_AMQP_URL else " (AMQP_URL)")
    if host not in LOCAL_HOSTS:
        raise PreflightFailed(
            f"RabbitMQ is not answering at {where}.\nRabbitMQ ไม่ตอบที่ {where}\n"
            "Start RabbitMQ on that host, or unset AMQP_URL to use the local one "
            "/ เริ่ม RabbitMQ ที่เครื่องนั้น หรือยกเลิก AMQP_URL เพื่อใช้ RabbitMQ ในเครื่องนี้:\n"
            "    unset AMQP_URL")
    start = ("" if port == 5672 else f"RABBITMQ_NODE_PORT={port} ") + "rabbitmq-server -detached"
    executable = shutil.which("rabbitmq-server", path=env.get("PATH", os.defpath))
    if executable is None:
        raise PreflightFailed(
            f"RabbitMQ is not answering at {where} and rabbitmq-server is not installed.\n"
            f"RabbitMQ ไม่ตอบที่ {where} และเครื่องนี้ยังไม่ได้ติดตั้ง rabbitmq-server\n"
            "Install and start it, then run `make run` again / ติดตั้งและเริ่ม RabbitMQ แล้วสั่ง `make run` อีกครั้ง:\n"
            f"    {_as_root('apt-get install rabbitmq-server')}\n"
            f"    {_as_root(start)}" + _default_hint(amqp_url))
    print(f"RabbitMQ is not answering at {where}; starting it: {start} "
          f"/ RabbitMQ ยังไม่ทำงาน กำลังเริ่ม (up to {RABBITMQ_START_SECONDS} s)", file=sys.stderr)
    node_env = {**env, **({} if port == 5672 else {"RABBITMQ_NODE_PORT": str(port)})}
    try:
        result = subprocess.run([executable, "-detached"], env=node_env, capture_output=True, text=True,
                                timeout=RABBITMQ_START_SECONDS, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise PreflightFailed(_rabbitmq_did_not_start(where, start, str(error))) from error
    if result.returncode != 0:
        output = (result.stdout + result.stderr).strip()
        raise PreflightFailed(_rabbitmq_did_not_start(where, start, f"exit status {result.returncode}: {output}"))
    try:
        wait_for_port(host, port, timeout=RABBITMQ_START_SECONDS)
    except TimeoutError as error:
        raise PreflightFailed(_rabbitmq_did_not_start(
            where, start, f"its port did not open within {RABBITMQ_START_SECONDS} s")) from error


def _default_hint(amqp_url: str) -> str:
    if amqp_url == DEFAULT_AMQP_URL:
        return ""
    return ("\nor unset AMQP_URL to use the local default, " + DEFAULT_AMQP_URL
            + " / หรือยกเลิก AMQP_URL เพื่อใช้ค่าเริ่มต้นในเครื่อง:\n    unset AMQP_URL")


def _rabbitmq_did_not_start(where: str, start: str, reason: str) -> str:
    return (f"RabbitMQ did not start at {where}: {reason}\n"
            f"เริ่ม RabbitMQ ที่ {where} ไม่สำเร็จ\n"
            "Start it yourself and look at what it says, then run `make run` again "
            "/ เริ่ม RabbitMQ เองแล้วดูข้อความที่แสดง จากนั้นสั่ง `make run` อีกครั้ง:\n"
            f"    {_as_root(start)}\n"
            f"    {_as_root('rabbitmq-diagnostics status')}")


def _check_mongodb(env: Mapping[str, str]) -> None:
    if "MONGODB_URL" not in env:
        try:
            secantusd_command()
        except RuntimeError as error:
            raise PreflightFailed(
                "secantusd-py (the local MongoDB wire server) is not installed in this environment.\n"
                "ไม่พบ secantusd-py (เซิร์ฟเวอร์ MongoDB สำหรับเครื่องนักพัฒนา) ในสภาพแวดล้อมนี้\n"
                "Install the development extras / ติดตั้งส่วนเสริมสำหรับการพัฒนา:\n"
                "    make install        (or: .venv/bin/pip install -e '.[dev]')\n"
                "or set MONGODB_URL to a running MongoDB / หรือกำหนด MONGODB_URL ให้ชี้ไปยัง MongoDB ที่ทำงานอยู่") \
                from error
        return
    url = env["MONGODB_URL"]
    address = None if url.startswith("mongodb+srv:") else url_address(url, 27017)
    if address is not None and not port_answers(*address):
        where = f"{address[0]}:{address[1]}"
        raise PreflightFailed(
            f"MongoDB is not answering at {where} (MONGODB_URL).\nMongoDB ไม่ตอบที่ {where} (MONGODB_URL)\n"
            "Start it, or unset MONGODB_URL so that `make run` starts its own local server "
            "/ เริ่ม MongoDB หรือยกเลิก MONGODB_URL เพื่อให้ `make run` เริ่มเซิร์ฟเวอร์ในเครื่องเอง:\n"
            "    unset MONGODB_URL")


def _check_ports(env: Mapping[str, str]) -> None:
    wanted = [(name, port) for name, port in SERVICES]
    if "SMTP_HOST" not in env:
        wanted.append(("the local SMTP server / เซิร์ฟเวอร์ SMTP ในเครื่อง", int(env.get("SMTP_PORT", "1025"))))
    taken = [(name, port) for name, port in wanted if not _port_free(port)]
    if taken:
        lines = "\n".join(f"    {port}  {name}" for name, port in taken)
        ports = "|".join(str(port) for _, port in taken)
        raise PreflightFailed(
            "These ports are already in use (another `make run`?) / พอร์ตเหล่านี้ถูกใช้อยู่แล้ว "
            "(มี `make run` อีกชุดทำงานอยู่หรือไม่):\n"
            f"{lines}\n"
            "Stop what listens there first (Ctrl-C in the other `make run`); to see what it is "
            "/ หยุดโปรแกรมที่ใช้พอร์ตก่อน ดูได้ด้วย:\n"
            f"    ss -ltnp | grep -E ':({ports})\\b'")


def preflight(env: Mapping[str, str]) -> None:
    """Everything `make run` needs, checked before anything starts (quiet when all is there)."""
    _check_rabbitmq(env["AMQP_URL"], env)
    _check_mongodb(env)
    _check_ports(env)


def main() -> int:
    env = dict(os.environ)
    env.setdefault("AMQP_URL", DEFAULT_AMQP_URL)
    env.setdefault("ENVIRONMENT", "development")
    try:
        preflight(env)
    except PreflightFailed as failure:
        print(f"make run cannot start / เริ่มระบบไม่ได้:\n{failure}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
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
        port = LOCAL_MONGODB_PORT if _port_free(LOCAL_MONGODB_PORT) else free_port()
        print(f"starting SecantusDB (local MongoDB wire server) on 127.0.0.1:{port}, data in {data}")
        try:
            mongo = start_secantus(str(data), port=port, log_path=ROOT / ".data" / "secantusd.log")
        except (RuntimeError, TimeoutError) as error:
            log = ROOT / ".data" / "secantusd.log"
            print(f"SecantusDB did not start / เริ่ม SecantusDB ไม่สำเร็จ: {error} (see {log})", file=sys.stderr)
            return 1
        env["MONGODB_URL"] = mongo.url
        if port != LOCAL_MONGODB_PORT:
            # The operators' commands look at 127.0.0.1:27017 unless told otherwise (shared/localdefaults.py).
            print(f"127.0.0.1:{LOCAL_MONGODB_PORT} is taken, so the commands in the README need this in their "
                  f"shell / พอร์ต {LOCAL_MONGODB_PORT} ถูกใช้อยู่ คำสั่งใน README ต้องกำหนดค่านี้ก่อน:\n"
                  f"    export MONGODB_URL='{mongo.url}'", file=sys.stderr)
    mail_sink: subprocess.Popen[bytes] | None = None
    if "SMTP_HOST" not in env:
        # No mail server configured: keep every e-mail the system sends in a local Maildir to read.
        maildir = ROOT / ".data" / "mail"
        maildir.parent.mkdir(parents=True, exist_ok=True)
        port = int(env.get("SMTP_PORT", "1025"))
        mail_sink = start_mail_server(port, "aiosmtpd.handlers.Mailbox", str(maildir), new_session=True)
        env.update({"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(port)})
        print(f"e-mails are kept in {maildir} (a local SMTP server on 127.0.0.1:{port})")
    services: dict[str, ServiceProcess] = {}
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    def killed(service: ServiceProcess) -> None:
        print(f"{service.service} did not stop in 30s; killing", file=sys.stderr)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    exit_code = 0
    try:
        for (name, port), colour in zip(SERVICES, COLOURS, strict=True):
            if not _port_free(port):
                print(f"port {port} for {name} is taken: stop what uses it first", file=sys.stderr)
                return 1
            service = ServiceProcess(name, port, env, pipe=True, new_session=True)
            service.start()
            services[name] = service
            threading.Thread(target=_pipe, args=(name, colour, service.stdout), daemon=True).start()
        for service in services.values():
            if not service.wait_ready(timeout=90, cancelled=lambda: stopping):
                break
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
            for name, service in services.items():
                if not service.running:
                    print(f"{name} exited unexpectedly with {service.returncode}; stopping", file=sys.stderr)
                    stopping, exit_code = True, 1
            time.sleep(0.5)
    except RuntimeError as error:
        print(f"error: {error}", file=sys.stderr)
        exit_code = 1
    finally:
        print("stopping services...")
        processes.stop_all(services.values(), timeout=30, on_kill=killed)
        if mongo is not None:
            mongo.stop()
        if mail_sink is not None:
            processes.stop(mail_sink, timeout=10)
        print("stopped")
    return exit_code


if __name__ == "__main__":
    raise SystemExit(main())
