"""Signing keys: none is built in; a start without one, or with a published or a
development key, is refused and names the variable; ``make run`` makes its own once
per checkout; keys rotate (the newest signs, every listed one verifies), so a token
signed with a retired key works while that key is listed and not after."""
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from samskab import secrets
from samskab.config import ConfigError, check_secrets
from samskab.testing import http_port

from gateway.accounts import tokens
from gateway.service import Service as Gateway

ROOT = Path(__file__).resolve().parents[2]
OLD = "old-key-" + "o" * 32
NEW = "new-key-" + "n" * 32


def start(service, **env):
    """``python -m samskab.run <service>`` as an image runs it, with only ``env`` set."""
    base = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": f"{ROOT / 'shared'}{os.pathsep}{ROOT / 'services'}",
            "POSTGRES_URL": "postgresql://nobody@127.0.0.1:1", "PYTHONWARNINGS": "ignore"}
    return subprocess.run([sys.executable, "-m", "samskab.run", service], env={**base, **env}, cwd=ROOT,
                          capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("service, variable, value, why", [
    ("gateway", "SECRET_KEY", None, "is not set"),
    ("gateway", "SECRET_KEY", "dev-only-secret-change-me", "published development value"),
    ("gateway", "SECRET_KEY", secrets.generate(development=True), "development key"),
    ("gateway", "SECRET_KEY", f"{NEW},dev-only-secret-change-me", "published development value"),
    ("notifications", "NOTIFICATIONS_SECRET", None, "is not set"),
    ("notifications", "NOTIFICATIONS_SECRET", "dev-only-notifications-secret", "published development value"),
    ("notifications", "NOTIFICATIONS_SECRET", secrets.generate(development=True), "development key"),
])
def test_a_start_outside_make_run_refuses_a_missing_or_development_key_and_names_it(service, variable, value, why):
    result = start(service, **({variable: value} if value is not None else {}))
    assert result.returncode == 2, result.stderr
    assert variable in result.stderr and why in result.stderr, result.stderr


@pytest.mark.parametrize("env, named", [
    ({"OIDC_PROVIDERS": "mitid"}, "OIDC_MITID_ISSUER"),
    ({"OIDC_PROVIDERS": "mitid", "OIDC_MITID_ISSUER": "https://broker.example", "OIDC_MITID_CLIENT_ID": "samskab"},
     "OIDC_MITID_CLIENT_SECRET"),
    ({"OIDC_PROVIDERS": "mitid", "OIDC_MITID_ISSUER": "https://broker.example", "OIDC_MITID_CLIENT_ID": "samskab",
      "OIDC_MITID_CLIENT_SECRET": NEW}, "OIDC_SUBJECT_SALT"),
])
def test_the_gateway_does_not_start_with_an_identity_provider_half_configured(env, named):
    result = start("gateway", SECRET_KEY=NEW, **env)
    assert result.returncode == 2, result.stderr
    assert named in result.stderr, result.stderr


def test_no_key_is_in_the_code_or_the_compose_file():
    places = [ROOT / "docker-compose.yml", *(ROOT / "services").rglob("*.py"), *(ROOT / "shared").rglob("*.py"),
              *(ROOT / "deploy").rglob("*.yaml"), *(ROOT / "deploy").rglob("*.yml")]
    places = [p for p in places if "tests" not in p.relative_to(ROOT).parts]
    for path in places:
        text = path.read_text(encoding="utf-8")
        for published in ("dev-only-secret-change-me", "dev-only-notifications-secret"):
            if published in text and path != ROOT / "shared" / "samskab" / "secrets.py":
                pytest.fail(f"{path.relative_to(ROOT)} still holds {published}")


def test_make_run_makes_its_development_keys_once_per_checkout_and_only_it_accepts_them(tmp_path, monkeypatch):
    sys.path.insert(0, str(ROOT / "scripts"))
    import run_local

    monkeypatch.setattr(run_local, "ROOT", str(tmp_path))
    first, again = {}, {}
    run_local.development_secrets(first)
    path = tmp_path / "var" / "secrets.env"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    run_local.development_secrets(again)
    for name in ("SECRET_KEY", "NOTIFICATIONS_SECRET"):
        assert first[name].startswith(secrets.DEV_PREFIX) and first[name] == again[name]
    assert first[secrets.DEV_FLAG] == "1"
    check_secrets("gateway", first, first)  # make run's services accept them ...
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        check_secrets("gateway", first, {})  # ... nothing else does


def test_a_deployment_key_file_is_made_once_and_rotated_in_front(tmp_path):
    sys.path.insert(0, str(ROOT / "scripts"))
    import make_secrets

    env = tmp_path / ".env"
    env.write_text("OTHER=kept\n", encoding="utf-8")
    make_secrets.write(str(env), make_secrets.NAMES)
    made = make_secrets.read(str(env))
    assert made["OTHER"] == "kept" and stat.S_IMODE(env.stat().st_mode) == 0o600
    check_secrets("gateway", made, {})
    make_secrets.write(str(env), make_secrets.NAMES)
    assert make_secrets.read(str(env)) == made  # nothing changes by accident
    make_secrets.write(str(env), make_secrets.NAMES, rotate=True)
    rotated = make_secrets.read(str(env))
    assert rotated["SECRET_KEY"].split(",")[1] == made["SECRET_KEY"]


def test_a_link_signed_with_a_retired_key_verifies_while_the_key_is_listed():
    signature = secrets.sign(OLD, "participant:all", length=18)
    assert secrets.verify(f"{NEW},{OLD}", "participant:all", signature, length=18)
    assert not secrets.verify(NEW, "participant:all", signature, length=18)
    assert secrets.sign(f"{NEW},{OLD}", "x") == secrets.sign(NEW, "x")  # the newest signs


@pytest.mark.integration
def test_a_token_signed_with_a_retired_key_works_during_its_window_and_not_after(runner_factory, make_config):
    """Three starts of the gateway on one database: the old key, then new+old, then new only."""
    person = {"email": "rotation@example.org", "password": "correct horse battery", "display_name": "Rotation",
              "municipality": "aalborg"}

    def gateway(keys):
        runner = runner_factory(make_config("gateway", SECRET_KEY=keys), Gateway)
        runner.start()
        return runner, f"http://127.0.0.1:{http_port(runner.service_map['gateway'])}/api/v1"

    def me(base, token):
        return requests.get(f"{base}/me", headers={"Authorization": f"Bearer {token}"}, timeout=10).status_code

    login = {"email": person["email"], "password": person["password"]}
    runner, base = gateway(OLD)
    assert requests.post(f"{base}/auth/register", json=person, timeout=10).status_code == 201
    old_token = requests.post(f"{base}/auth/token", json=login, timeout=10).json()["access_token"]
    assert me(base, old_token) == 200
    runner.stop()

    runner, base = gateway(f"{NEW},{OLD}")  # rotated: nobody is signed out
    assert me(base, old_token) == 200
    new_token = requests.post(f"{base}/auth/token", json=login, timeout=10).json()["access_token"]
    assert me(base, new_token) == 200
    tokens.verify(NEW, new_token)  # signed with the newest key
    runner.stop()

    runner, base = gateway(NEW)  # the old key retired
    assert me(base, old_token) == 401
    assert me(base, new_token) == 200
    runner.stop()


def test_an_unsubscribe_link_already_sent_keeps_working_while_its_key_is_listed():
    from notifications import messages

    pid = "5b0f4c2e-8d4e-4a8e-9d4e-0f4c2e8d4e4a"
    sent = messages.unsubscribe_token(OLD, pid, "proposal_status")
    assert messages.read_unsubscribe_token(f"{NEW},{OLD}", sent) == (pid, "proposal_status")
    assert messages.read_unsubscribe_token(NEW, sent) is None
    assert messages.unsubscribe_token(f"{NEW},{OLD}", pid) == messages.unsubscribe_token(NEW, pid)
