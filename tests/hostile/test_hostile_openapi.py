"""Schemathesis against the running gateway and services: every operation of
``/api/v1/openapi.json`` (GET, POST, PUT, PATCH, DELETE) fed generated (valid and
invalid) input, signed in as a confirmed resident and again as the municipality's
employee (so staff-only answers are checked too).  No 5xx, and every response
matches its schema.

    .venv/bin/pytest tests/hostile/test_hostile_openapi.py -q -p no:warnings
"""
import os

import pytest
import requests
import schemathesis
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from gateway.tests.support import PASSWORD, make_account
from samskab.testing import http_port, unit_of_work

pytestmark = pytest.mark.integration

SERVICES = {}
for _name in ("proposals", "matching", "meetings", "notifications", "gateway"):
    try:
        SERVICES[_name] = __import__(f"{_name}.service", fromlist=["Service"]).Service
    except ImportError:
        pass

# Failures already reported, by a signature in schemathesis' message; anything else fails the test.
KNOWN = {
    # (empty: the one found first, problem+json "errors": "None" after RPC, was fixed in fe83c69)
}
EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "8"))
_platform = {}


@pytest.fixture
def api_schema(make_config, runner_factory):
    configs = {name: make_config(name) for name in SERVICES}
    containers = {}
    for name, cls in SERVICES.items():
        runner = runner_factory(configs[name], cls)
        runner.start()
        containers[name] = runner.service_map[name]
    base = f"http://127.0.0.1:{http_port(containers['gateway'])}"
    r = requests.post(f"{base}/api/v1/auth/register", json={
        "email": "schemathesis@example.org", "password": "a long password 123", "display_name": "Schema Thesis",
        "municipality": "aalborg"}, timeout=10)
    assert r.status_code == 201, r.text
    with unit_of_work(configs["gateway"]["DATABASE_URL"]) as uow:  # as if the e-mail link was followed
        uow.execute(sa.text("UPDATE accounts SET email_confirmed_at = now() WHERE email = 'schemathesis@example.org'"))
    token = requests.post(f"{base}/api/v1/auth/token", json={"email": "schemathesis@example.org",
                                                             "password": "a long password 123"}, timeout=10)
    assert token.status_code == 200, token.text
    make_account(configs["gateway"], "employee@example.org", "employee", municipality="aalborg")
    staff = requests.post(f"{base}/api/v1/auth/token", json={"email": "employee@example.org", "password": PASSWORD},
                          timeout=10)
    assert staff.status_code == 200, staff.text
    _platform.update(base=base, callers={
        "resident": {"Authorization": f"Bearer {token.json()['access_token']}"},
        "employee": {"Authorization": f"Bearer {staff.json()['access_token']}"}})
    loaded = schemathesis.openapi.from_url(f"{base}/api/v1/openapi.json")
    # NUL characters in text give a 500 today; test_hostile_http.py pins that case down on its own
    loaded.config.generation.update(allow_x00=False)
    # Erasing the account would sign the rest of the run out; erasure has its own test.
    return loaded.exclude(method="DELETE", path="/api/v1/me")


def fuzz(operation, mode, failures, caller):
    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case):
        case.call_and_validate(base_url=_platform["base"], headers=_platform["callers"][caller], timeout=30,
                               checks=[not_a_server_error, response_schema_conformance])

    try:
        run()
    except (KeyboardInterrupt, SystemExit):
        raise
    except Unsatisfiable:  # no invalid input exists for it (e.g. only free-text path parameters)
        return
    except BaseException as exc:  # schemathesis raises an exception group; one entry per failing operation
        failures.append(f"{operation.label} ({mode.value}, {caller}): {str(exc).strip()}")


@pytest.mark.parametrize("caller", ["resident", "employee"])
def test_no_server_error_and_every_response_matches_its_schema(api_schema, caller):
    failures = []
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) > 20, "the OpenAPI document lists too few operations"
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            fuzz(operation, mode, failures, caller)
    known = [f for f in failures if any(sig in f for sig in KNOWN.values())]
    new = [f for f in failures if f not in known]
    assert not new, f"{len(new)} operation(s) failed:\n" + "\n\n".join(f[:1500] for f in new)
    if known:
        pytest.xfail(f"only known failures remain ({len(known)}): " + "; ".join(
            name for name, sig in KNOWN.items() if any(sig in f for f in known)))
