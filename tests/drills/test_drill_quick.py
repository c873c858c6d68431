"""CI runs the fault drills in their short form: ``bench/drill.py --quick``.

The drills start their own RabbitMQ node (port 5673) and an embedded
PostgreSQL, so the machine's broker and database are never stopped.  Each
drill must end with every accepted request's effects present exactly once.
"""
import json
import os
import shutil
import subprocess
import sys

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.timeout(420)]

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DRILLS = ("broker", "kill", "postgres", "slow", "webhook", "paused", "poison")


@pytest.fixture(scope="module")
def outcome(tmp_path_factory):
    if not shutil.which("rabbitmq-server"):
        pytest.skip("the drills start their own RabbitMQ node: rabbitmq-server is not installed")
    out = tmp_path_factory.mktemp("drill") / "drill.json"
    env = dict(os.environ, PYTHONWARNINGS="ignore")
    proc = subprocess.run([sys.executable, os.path.join(ROOT, "bench", "drill.py"), "--quick", "--json", str(out)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=400)
    print(proc.stdout[-6000:])
    assert out.exists(), f"the drill wrote no results:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    results = {r["drill"]: r for r in json.loads(out.read_text())}
    return proc, results


@pytest.mark.parametrize("drill", [d for d in DRILLS if d != "poison"])
def test_after_the_fault_every_accepted_request_has_exactly_its_effects(outcome, drill):
    proc, results = outcome
    assert drill in results, f"drill {drill} did not run:\n{proc.stdout[-3000:]}"
    r = results[drill]
    assert r["accepted"] > 0, f"{drill}: no request was accepted under load"
    assert r["problems"] == [], f"{drill}: {r['problems']}"


def test_poison_messages_end_as_dead_letters_and_the_services_go_on(outcome):
    proc, results = outcome
    r = results["poison"]
    assert r["accepted"] > 0
    assert r["problems"] == [], r["problems"]
