"""The Apps Script connector (deploy/google-forms/Code.gs) run by its own Node.js tests against the real intake:
this test starts intake on a socket (connector authentication on, as in production), runs
`node --test deploy/google-forms/test/` with the intake's address and secret in the environment, fails when a
Node test fails, and then checks intake's store: every response the scenarios submitted is held exactly once
per version (one revision each, however often it was sent)."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import time
from collections import Counter
from pathlib import Path

import pytest
from pydantic import SecretStr

from services.intake.service import SPEC
from tests.support import ROOT, InProcessService, Namespace

TESTS = ROOT / "deploy" / "google-forms" / "test"
SECRET = "connector-secret-for-reference-form"
NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(NODE is None, reason="Node.js (node) is not installed: the Apps Script tests run in it")


def _intake(namespace: Namespace, *, rate: float, burst: int) -> InProcessService:
    return InProcessService(SPEC, namespace.settings(
        "intake", intake_auth_required=True, intake_form_secrets=SecretStr(f"reference-form={SECRET}"),
        # The scenarios' virtual clock runs up to an hour either side of the real one.
        intake_signature_max_age_seconds=3600,
        intake_rate_per_second=rate, intake_rate_burst=burst))


async def test_the_connectors_own_tests_pass_against_the_real_intake_and_it_holds_each_response_once(
        namespace: Namespace, tmp_path: Path) -> None:
    assert NODE is not None
    report = tmp_path / "submitted.jsonl"
    # Two replicas on one store: one for every scenario, one that throttles (429 with Retry-After).
    async with _intake(namespace, rate=100_000, burst=100_000) as intake, \
            _intake(namespace, rate=0.25, burst=2) as throttled:
        key = await intake.component.state.api_keys.create("connector-tests", ("read",))
        env = {**os.environ, "INTAKE_BASE_URL": intake.url, "INTAKE_THROTTLED_URL": throttled.url,
               "INTAKE_SECRET": SECRET, "INTAKE_READ_KEY": key, "GOOGLE_FORMS_REPORT": str(report)}
        started = time.monotonic()
        node = await asyncio.create_subprocess_exec(
            NODE, "--test", "--test-concurrency=1", str(TESTS), cwd=ROOT, env=env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
        output, _ = await asyncio.wait_for(node.communicate(), timeout=170)
        text = output.decode("utf-8", "replace")
        assert node.returncode == 0, text[-12000:]
        assert "# fail 0" in text and "# skipped 0" in text, text[-4000:]
        elapsed = time.monotonic() - started

        submitted = [json.loads(line) for line in report.read_text(encoding="utf-8").splitlines()]
        held = await intake.component.state.store.revisions.find(
            {}, {"source_response_id": 1, "submitted_at": 1}).to_list(None)
        versions = Counter((d["source_response_id"], d["submitted_at"].isoformat()[:23]) for d in held)
        assert not [v for v, n in versions.items() if n > 1], "a response version is held twice"
        per_scenario = Counter(d["source_response_id"].rsplit("-", 1)[0] for d in held)
        for scenario in submitted:
            assert per_scenario[scenario["prefix"]] == scenario["versions"], scenario
        assert sum(s["versions"] for s in submitted) >= 3000
        print(f"connector tests: {elapsed:.1f} s")
