"""Sign-in with an identity provider in real headless Chromium, in Danish and Norwegian
bokmål: the municipality's staff ask for verified supports on their page; an unverified
resident who supports is refused with a clear message and a link to the provider; she
signs in through the local OpenID provider (node-oidc-provider), becomes verified and
supports.  On her account page she then unlinks the identity (a box to tick, a question to
answer): the account is no longer verified.  Signed out, the same identity signs in again and
makes an account of its own, without a password, whose page says to choose one before the
identity can be unlinked.  axe-core finds nothing on the new and changed pages."""
import json
import os
import shutil
import subprocess
import sys

import pytest
import requests

from gateway.tests.oidc_support import dev_provider
from gateway.tests.support import PASSWORD, make_account, start_platform

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HERE = os.path.dirname(os.path.abspath(__file__))

pytestmark = [
    pytest.mark.integration,
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"no Chromium at {CHROMIUM}"),
]

CASES = {
    "da": {"m": "aalborg", "identity": "anna", "title": "Bænke langs Limfjorden",
           "problem": "Der er ingen steder at hvile langs stien.", "goal": "En bænk for hver 300 meter."},
    "nb": {"m": "hamar", "identity": "kari", "title": "Benker langs Mjøsa",
           "problem": "Det er ingen steder å hvile langs stien.", "goal": "En benk for hver 300 meter."},
}


def token(base, email):
    r = requests.post(f"{base}/api/v1/auth/token", json={"email": email, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def run(journey, spec, name):
    artifacts = os.path.join(ROOT, "test-artifacts", "browser", name)
    shutil.rmtree(artifacts, ignore_errors=True)
    os.makedirs(artifacts, exist_ok=True)
    path = os.path.join(artifacts, "spec.json")
    with open(path, "w", encoding="utf-8") as fh:
        json.dump({**spec, "artifacts": artifacts}, fh)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run([sys.executable, os.path.join(HERE, "oidc_driver.py"), journey, path], capture_output=True,
                          text=True, env=env, timeout=400, cwd=HERE)
    assert done.returncode == 0, f"{done.stdout[-3000:]}\n{done.stderr[-5000:]}"
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("lang", ["da", "nb"])
def test_an_unverified_resident_is_refused_then_verifies_with_the_provider_and_supports(
        runner_factory, make_config, lang):
    case = CASES[lang]
    with dev_provider() as (settings, base):
        got_base, config = start_platform(runner_factory, make_config, services=("proposals",), **settings)
        assert got_base == base
        m = case["m"]
        make_account(config, f"staff@{m}.example", "employee", municipality=m, language=lang, name="Medarbejder")
        make_account(config, f"resident@{m}.example", "resident", municipality=m, language=lang, name="Beboer")
        make_account(config, f"initiator@{m}.example", "resident", municipality=m, language=lang, name="Initiativ")
        api = f"{base}/api/v1/municipalities/{m}"
        created = requests.post(f"{api}/proposals", headers=token(base, f"initiator@{m}.example"), json={
            "kind": "development", "title": case["title"], "problem": case["problem"], "goal": case["goal"],
            "language": lang})
        assert created.status_code == 201, created.text
        proposal = created.json()["id"]
        moved = requests.post(f"{api}/proposals/{proposal}/transitions", json={"to": "published"},
                              headers=token(base, f"staff@{m}.example"))
        assert moved.status_code == 200, moved.text

        result = run("verify", {"base": base, "lang": lang, "m": m, "staff": f"staff@{m}.example",
                                "resident": f"resident@{m}.example", "identity": case["identity"],
                                "proposal": f"/municipalities/{m}/proposals/{proposal}"}, f"oidc-{lang}")
        assert result["supported"] is True
        assert requests.get(f"{api}/verification").json()["supports"] is True
        count = requests.get(f"{api}/proposals/{proposal}/supports").json()["support_count"]
        assert count == 1
        assert result["unlinked"] is True and result["created_by_provider"] is True
        resident = requests.get(f"{base}/api/v1/me", headers=token(base, f"resident@{m}.example")).json()
        assert resident["verified"] is False and resident["residence_municipality"] is None
        assert requests.get(f"{base}/api/v1/me/identities",
                            headers=token(base, f"resident@{m}.example")).json()["identities"] == []
