"""Sign-in with OpenID Connect against a real provider (tools/oidc-provider: node-oidc-provider
with demo identities): the code flow with PKCE and nonce through the gateway, a verified
account, a municipality that asks for one before a support, and ID tokens that are not
to be trusted (tampered, another nonce, another issuer) refused."""
import base64
import hashlib
import json
import logging
import uuid
from dataclasses import replace
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests
import sqlalchemy as sa

from samskab.testing import unit_of_work

from gateway.accounts import oidc
from gateway.accounts.storage import accounts, identities
from gateway.tests.oidc_support import dev_provider
from gateway.tests.support import PASSWORD, make_account, start_platform

pytestmark = pytest.mark.integration

PROPOSAL = {"kind": "service", "title": "Lys på stien ved havnen", "problem": "Stien er mørk om vinteren.",
            "goal": "Stien er oplyst hele vinteren.", "language": "da"}


@pytest.fixture
def provider_and_gateway(runner_factory, make_config):
    with dev_provider() as (settings, base):
        got_base, config = start_platform(runner_factory, make_config, services=("proposals",),
                                          REQUIRE_CONFIRMED_EMAIL="1", **settings)
        assert got_base == base
        yield base, config


def sign_in_at_provider(http, start_response, login, stop_at=None):
    """Choose a demo identity on the provider's page; follow the redirects (up to ``stop_at``)."""
    page = start_response
    assert page.status_code == 200 and "/interaction/" in page.url, (page.status_code, page.url)
    response = http.post(page.url.rstrip("/") + "/login", data={"login": login}, allow_redirects=False)
    while response.status_code in (302, 303):
        location = urljoin(response.url, response.headers["Location"])
        if stop_at and location.startswith(stop_at):
            return location
        response = http.get(location, allow_redirects=False)
    return response


def test_a_resident_signs_in_with_the_provider_becomes_verified_and_may_support(provider_and_gateway, caplog):
    caplog.set_level(logging.DEBUG)
    base, config = provider_and_gateway
    api = f"{base}/api/v1"
    staff = make_account(config, "staff@aalborg.example", "employee")
    make_account(config, "plain@example.org", "resident")
    staff_h = {"Authorization": "Bearer " + requests.post(f"{api}/auth/token", json={
        "email": "staff@aalborg.example", "password": PASSWORD}).json()["access_token"]}
    plain_h = {"Authorization": "Bearer " + requests.post(f"{api}/auth/token", json={
        "email": "plain@example.org", "password": PASSWORD}).json()["access_token"]}
    assert staff

    # a published proposal, in a municipality whose staff ask for verified supports
    proposal = requests.post(f"{api}/municipalities/aalborg/proposals", json=PROPOSAL, headers=plain_h).json()
    moved = requests.post(f"{api}/municipalities/aalborg/proposals/{proposal['id']}/transitions",
                          json={"to": "published"}, headers=staff_h)
    assert moved.status_code == 200, moved.text
    make_account(config, "staff@hjorring.example", "employee", municipality="hjorring")
    other_staff = {"Authorization": "Bearer " + requests.post(f"{api}/auth/token", json={
        "email": "staff@hjorring.example", "password": PASSWORD}).json()["access_token"]}
    assert requests.put(f"{api}/municipalities/aalborg/verification", json={"supports": True, "panels": True},
                        headers=other_staff).status_code == 403  # another municipality's staff can do nothing here
    resident_tries = requests.put(f"{api}/municipalities/aalborg/verification",
                                  json={"supports": True, "panels": False}, headers=plain_h)
    assert resident_tries.status_code == 403
    rules = requests.put(f"{api}/municipalities/aalborg/verification", json={"supports": True, "panels": True},
                         headers=staff_h)
    assert rules.status_code == 200 and rules.json()["supports"] is True
    assert [p["name"] for p in rules.json()["providers"]] == ["devid"]

    support_url = f"{api}/municipalities/aalborg/proposals/{proposal['id']}/supports"
    refused = requests.post(support_url, headers=plain_h)
    assert refused.status_code == 403
    assert refused.headers["Content-Type"].startswith("application/problem+json")
    assert "verified identity" in refused.json()["detail"]

    # the browser's way: the gateway sends it to the provider with PKCE and a nonce
    browser = requests.Session()
    start = browser.get(f"{base}/auth/oidc/devid/start", params={"m": "aalborg"}, allow_redirects=False)
    assert start.status_code == 303
    query = parse_qs(urlsplit(start.headers["Location"]).query)
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"] and query["nonce"]
    assert query["response_type"] == ["code"] and query["client_id"] == [config["OIDC_DEVID_CLIENT_ID"]]
    done = sign_in_at_provider(browser, browser.get(start.headers["Location"]), "anna")
    assert done.status_code == 200 and "done=verified" in done.url, done.url
    me = browser.get(f"{api}/me").json()
    assert me["verified"] is True and me["residence_municipality"] == "aalborg"  # "0851" is Aalborg's code
    assert me["email"] == "anna.verified@example.org" and me["email_confirmed"] is True
    assert "Din konto er verificeret" in browser.get(f"{base}/me", headers={"Accept-Language": "da"}).text

    supported = browser.post(support_url)
    assert supported.status_code == 201 and supported.json()["supported_by_me"] is True

    # only the issuer and a salted hash are kept: the subject is nowhere in the gateway's tables
    with unit_of_work(config["DATABASE_URL"]) as uow:
        linked = uow.execute(sa.select(identities)).all()
        row = uow.execute(sa.select(accounts).where(accounts.c.id == linked[0].account_id)).first()
    assert len(linked) == 1 and linked[0].issuer == config["OIDC_DEVID_ISSUER"]
    assert row.password_hash == "!" and row.verified_at is not None
    # the provider's subject for the demo identity (tools/oidc-provider/server.js) is in no row and no log line
    subject = hashlib.sha256(b"samskab-dev-oidc:anna").hexdigest()[:32]
    assert subject not in repr(tuple(row)) + repr(tuple(linked[0]))
    assert caplog.records and subject not in caplog.text

    # signing in again finds the same account
    again = requests.Session()
    start = again.get(f"{base}/auth/oidc/devid/start", params={"m": "aalborg"}, allow_redirects=False)
    sign_in_at_provider(again, again.get(start.headers["Location"]), "anna")
    assert again.get(f"{api}/me").json()["id"] == me["id"]


def test_a_signed_in_account_links_its_identity_and_a_forged_answer_is_refused(provider_and_gateway):
    base, config = provider_and_gateway
    make_account(config, "karen@example.org", "resident")
    browser = requests.Session()
    csrf = browser.get(f"{base}/login")
    token = csrf.text.split('name="csrf_token" value="')[1].split('"')[0]
    assert "Demo-ID" in csrf.text  # the sign-in page offers the provider
    browser.post(f"{base}/login", data={"email": "karen@example.org", "password": PASSWORD, "csrf_token": token})
    assert browser.get(f"{base}/api/v1/me").json()["verified"] is False

    # a callback with a state of its own (a forged or replayed answer) signs nobody in
    start = browser.get(f"{base}/auth/oidc/devid/start", params={"m": "aalborg"}, allow_redirects=False)
    callback = sign_in_at_provider(browser, browser.get(start.headers["Location"]), "jens",
                                   stop_at=f"{base}/auth/oidc/devid/callback")
    forged = callback.replace("state=", "state=x")
    refused = browser.get(forged)
    assert refused.status_code == 400 and "verify-problem" in refused.text
    assert browser.get(f"{base}/api/v1/me").json()["verified"] is False

    # the provider remembers the person it just signed in (single sign-on): straight back to Samskab
    start = browser.get(f"{base}/auth/oidc/devid/start", params={"m": "hjorring"}, allow_redirects=False)
    done = browser.get(start.headers["Location"])
    assert done.status_code == 200 and "done=verified" in done.url
    me = browser.get(f"{base}/api/v1/me").json()
    assert me["email"] == "karen@example.org" and me["verified"] is True
    assert me["residence_municipality"] == "hjorring"


def sign_in_with_password(base, email):
    browser = requests.Session()
    token = browser.get(f"{base}/login").text.split('name="csrf_token" value="')[1].split('"')[0]
    signed_in = browser.post(f"{base}/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
    assert signed_in.status_code == 200 and "done=signed_in" in signed_in.url, signed_in.url
    return browser


def link_at_provider(base, browser, login):
    start = browser.get(f"{base}/auth/oidc/devid/start", params={"m": "aalborg"}, allow_redirects=False)
    done = browser.get(start.headers["Location"])
    if "/interaction/" in done.url:  # else the provider remembers whom it signed in last (single sign-on)
        done = sign_in_at_provider(browser, done, login)
    assert done.status_code == 200 and "done=verified" in done.url, (done.status_code, done.url)
    return done


def identity_rows(config):
    with unit_of_work(config["DATABASE_URL"]) as uow:
        return uow.execute(sa.select(identities.c.account_id)).scalars().all()


def test_unlinking_an_identity_unverifies_the_account_and_the_identity_can_be_linked_again(provider_and_gateway):
    base, config = provider_and_gateway
    api = f"{base}/api/v1"
    karen_id = make_account(config, "karen@example.org", "resident")
    other_id = make_account(config, "other@example.org", "resident", municipality="hjorring")
    karen = sign_in_with_password(base, "karen@example.org")
    link_at_provider(base, karen, "anna")
    assert karen.get(f"{api}/me").json()["residence_municipality"] == "aalborg"

    listed = karen.get(f"{api}/me/identities").json()
    assert listed["has_password"] is True
    [identity] = listed["identities"]
    assert identity["provider"] == "devid" and identity["label"] == "Demo-ID" and identity["can_unlink"] is True
    assert identity["issuer"] == config["OIDC_DEVID_ISSUER"] and identity["linked_at"][:4].isdigit()
    exported = karen.get(f"{api}/me/export").json()["identities"]  # the person's own data lists the link
    assert [(i["provider"], i["issuer"]) for i in exported] == [("devid", config["OIDC_DEVID_ISSUER"])]

    # not signed in, or an identity the account does not have: nothing changes
    assert requests.delete(f"{api}/me/identities/devid").status_code == 401
    unknown = karen.delete(f"{api}/me/identities/nosuch")
    assert unknown.status_code == 404 and unknown.headers["Content-Type"].startswith("application/problem+json")
    assert identity_rows(config) == [uuid.UUID(karen_id)]

    unlinked = karen.delete(f"{api}/me/identities/devid")
    assert unlinked.status_code == 200, unlinked.text
    assert unlinked.json()["verified"] is False and unlinked.json()["residence_municipality"] is None
    me = karen.get(f"{api}/me").json()
    assert me["verified"] is False and me["residence_municipality"] is None
    assert karen.get(f"{api}/me/identities").json()["identities"] == []
    assert identity_rows(config) == []  # the issuer and subject hash are gone
    assert karen.get(f"{api}/me/export").json()["identities"] == []
    assert "Din konto er verificeret" not in karen.get(f"{base}/me", headers={"Accept-Language": "da"}).text
    assert karen.delete(f"{api}/me/identities/devid").status_code == 404  # already unlinked

    # the same identity links to another account now ...
    other = sign_in_with_password(base, "other@example.org")
    link_at_provider(base, other, "anna")
    assert other.get(f"{api}/me").json()["verified"] is True
    assert identity_rows(config) == [uuid.UUID(other_id)]
    # ... and, unlinked there, back to the first one
    assert other.delete(f"{api}/me/identities/devid").status_code == 200
    link_at_provider(base, karen, "anna")
    me = karen.get(f"{api}/me").json()
    assert me["verified"] is True and me["residence_municipality"] == "aalborg"
    assert identity_rows(config) == [uuid.UUID(karen_id)]


def test_an_account_made_by_the_provider_keeps_its_only_way_in_until_it_has_a_password(provider_and_gateway):
    from gateway.accounts import tokens

    base, config = provider_and_gateway
    api = f"{base}/api/v1"
    browser = requests.Session()
    start = browser.get(f"{base}/auth/oidc/devid/start", params={"m": "aalborg"}, allow_redirects=False)
    sign_in_at_provider(browser, browser.get(start.headers["Location"]), "jens")
    me = browser.get(f"{api}/me").json()
    assert me["email"] == "jens.verified@example.org" and me["verified"] is True
    listed = browser.get(f"{api}/me/identities").json()
    assert listed["has_password"] is False and listed["identities"][0]["can_unlink"] is False

    refused = browser.delete(f"{api}/me/identities/devid")
    assert refused.status_code == 409 and refused.headers["Content-Type"].startswith("application/problem+json")
    assert "only way to sign in" in refused.json()["detail"] and "set a password first" in refused.json()["detail"]
    assert "/api/v1/auth/password-reset" in refused.json()["detail"]
    assert browser.get(f"{api}/me").json()["verified"] is True and len(identity_rows(config)) == 1
    # the account page says so too, with the way to a password instead of the button
    page = browser.get(f"{base}/me").text  # in the account's language, Aalborg's
    assert "Vælg først en adgangskode" in page and 'href="/account/forgot"' in page and "/unlink" not in page
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    forced = browser.post(f"{base}/me/identities/devid/unlink", data={"confirm": "1", "csrf_token": token})
    assert forced.status_code == 409 and "Vælg først en adgangskode" in forced.text
    assert len(identity_rows(config)) == 1

    # the e-mailed link sets a password (the token is made here: no mail service in this test)
    reset_token = tokens.issue(config["SECRET_KEY"], me["id"], 0, 600, use="reset")
    chosen = requests.post(f"{api}/auth/password-reset/confirm",
                           json={"token": reset_token, "password": "a-new-password-0123"})
    assert chosen.status_code == 200, chosen.text
    bearer = {"Authorization": "Bearer " + requests.post(f"{api}/auth/token", json={
        "email": "jens.verified@example.org", "password": "a-new-password-0123"}).json()["access_token"]}
    assert requests.get(f"{api}/me/identities", headers=bearer).json()["identities"][0]["can_unlink"] is True
    unlinked = requests.delete(f"{api}/me/identities/devid", headers=bearer)
    assert unlinked.status_code == 200 and unlinked.json()["verified"] is False
    assert identity_rows(config) == []


def _b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def test_id_tokens_that_cannot_be_trusted_are_refused(provider_and_gateway, monkeypatch):
    base, config = provider_and_gateway
    p = oidc.provider(config, "devid")
    url, cookie = oidc.begin(config, p, "aalborg", "")
    flow = oidc.flow_of(config, cookie)
    http = requests.Session()
    callback = sign_in_at_provider(http, http.get(url), "kari", stop_at=f"{base}/auth/oidc/devid/callback")
    code = parse_qs(urlsplit(callback).query)["code"][0]
    token = oidc.exchange(config, p, code, flow["cv"])
    id_token = token["id_token"]
    claims = oidc.validate_id_token(p, id_token, flow["n"], token.get("access_token"))
    assert claims["municipality_code"] == "3403" and claims["iss"] == p.issuer
    assert claims["sub"] == hashlib.sha256(b"samskab-dev-oidc:kari").hexdigest()[:32]  # as the other test expects

    with pytest.raises(oidc.VerificationFailed):  # another sign-in's nonce
        oidc.validate_id_token(p, id_token, "another-nonce")
    header, payload, signature = id_token.split(".")
    changed = json.loads(_unb64(payload))
    changed["sub"] = "someone-else"
    with pytest.raises(oidc.VerificationFailed):  # a claim changed after signing
        oidc.validate_id_token(p, ".".join([header, _b64(json.dumps(changed).encode()), signature]), flow["n"])
    unsigned = _b64(json.dumps({"alg": "none"}).encode())
    with pytest.raises(oidc.VerificationFailed):  # no signature at all
        oidc.validate_id_token(p, f"{unsigned}.{payload}.", flow["n"])
    keys = oidc.key_set(p)
    monkeypatch.setattr(oidc, "key_set", lambda provider, fresh=False: keys)
    with pytest.raises(oidc.VerificationFailed):  # a token of another issuer, even with the same keys
        oidc.validate_id_token(replace(p, issuer="https://other.example"), id_token, flow["n"])
    with pytest.raises(oidc.VerificationFailed):  # a token for another client
        oidc.validate_id_token(replace(p, client_id="another-client"), id_token, flow["n"])
    # the code was used once: a second exchange is refused by the provider
    with pytest.raises(oidc.VerificationFailed):
        oidc.exchange(config, p, code, flow["cv"])


# -- the ID token checks themselves, with keys made here (no provider needed) -------------------------

LOCAL = oidc.Provider(name="local", issuer="https://id.example", client_id="samskab", client_secret="x" * 32,
                      municipalities="*", label="Local", scope="openid", residence_claim=None)


@pytest.fixture
def local_keys(monkeypatch):
    """A provider whose JWKS holds one RSA key made here; ``sign(claims, **header)`` makes its ID tokens."""
    from joserfc import jwt
    from joserfc.jwk import KeySet, RSAKey

    private = RSAKey.generate_key(2048, parameters={"kid": "k1", "use": "sig"})
    public = KeySet.import_key_set({"keys": [private.as_dict(private=False)]})
    fetched = []

    def key_set(provider, fresh=False):
        fetched.append(fresh)
        return public

    monkeypatch.setattr(oidc, "key_set", key_set)

    def sign(claims, alg="RS256", key=private, **header):
        return jwt.encode({"alg": alg, "kid": "k1", **header}, claims, key, algorithms=[alg])

    return sign, private, fetched


def _claims(**changes):
    import time

    now = int(time.time())
    claims = {"iss": LOCAL.issuer, "sub": "person-1", "aud": LOCAL.client_id, "exp": now + 300, "iat": now,
              "nonce": "the-nonce"}
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


def test_an_id_token_signed_with_the_providers_key_and_right_claims_is_accepted(local_keys):
    sign, _private, _fetched = local_keys
    access_token = "an-access-token"
    at_hash = _b64(hashlib.sha256(access_token.encode()).digest()[:16])
    claims = oidc.validate_id_token(LOCAL, sign(_claims(at_hash=at_hash)), "the-nonce", access_token)
    assert claims["sub"] == "person-1"
    # several audiences are fine when the token says it was issued to Samskab (azp)
    several = _claims(aud=[LOCAL.client_id, "other"], azp=LOCAL.client_id)
    assert oidc.validate_id_token(LOCAL, sign(several), "the-nonce")["sub"] == "person-1"


@pytest.mark.parametrize("changes, why, reason", [
    ({"iss": "https://other.example"}, "another issuer", "'iss'"),
    ({"aud": "another-client"}, "another audience", "'aud'"),
    ({"aud": [LOCAL.client_id, "other"]}, "several audiences and no azp", "azp"),
    ({"azp": "other"}, "issued to another party", "azp"),
    ({"exp": 1_000_000_000}, "expired", "expired"),
    ({"exp": None}, "no expiry", "'exp'"),
    ({"iat": None}, "no issued-at", "'iat'"),
    ({"iat": 4_000_000_000}, "issued in the future", "future"),
    ({"nbf": 4_000_000_000}, "not valid yet", "not yet valid"),
    ({"nonce": "another-nonce"}, "another sign-in's nonce", "nonce"),
    ({"nonce": None}, "no nonce", "nonce"),
    ({"sub": None}, "no subject", "'sub'"),
    ({"at_hash": "AAAAAAAAAAAAAAAAAAAAAA"}, "an access-token hash of another token", "at_hash"),
])
def test_an_id_token_with_a_wrong_claim_is_refused(local_keys, changes, why, reason):
    sign, _private, _fetched = local_keys
    with pytest.raises(oidc.VerificationFailed) as refused:
        oidc.validate_id_token(LOCAL, sign(_claims(**changes)), "the-nonce", "an-access-token")
    assert reason in refused.value.detail, (why, refused.value.detail)


def test_an_id_token_without_an_asymmetric_signature_of_the_providers_key_is_refused(local_keys):
    from joserfc.jwk import OctKey, RSAKey

    sign, private, fetched = local_keys
    payload = _b64(json.dumps(_claims()).encode())
    for header in ({"alg": "none"}, {"alg": "none", "kid": "k1"}):  # unsigned
        with pytest.raises(oidc.VerificationFailed):
            oidc.validate_id_token(LOCAL, f"{_b64(json.dumps(header).encode())}.{payload}.", "the-nonce")
    # HMAC with the provider's public key as the secret (the classic key confusion)
    import hmac

    signing_input = f"{_b64(json.dumps({'alg': 'HS256', 'kid': 'k1'}).encode())}.{payload}"
    mac = hmac.new(private.as_pem(private=False), signing_input.encode(), hashlib.sha256).digest()
    with pytest.raises(oidc.VerificationFailed):
        oidc.validate_id_token(LOCAL, f"{signing_input}.{_b64(mac)}", "the-nonce")
    with pytest.raises(oidc.VerificationFailed):  # nor with a symmetric key of any kind
        oidc.validate_id_token(LOCAL, sign(_claims(), alg="HS256", key=OctKey.generate_key(256)), "the-nonce")
    # another key with the provider's key id
    stranger = RSAKey.generate_key(2048, parameters={"kid": "k1"})
    with pytest.raises(oidc.VerificationFailed):
        oidc.validate_id_token(LOCAL, sign(_claims(), key=stranger), "the-nonce")
    # a key id the provider does not publish: its keys are read once more, then the token is refused
    fetched.clear()
    with pytest.raises(oidc.VerificationFailed):
        oidc.validate_id_token(LOCAL, sign(_claims(), kid="k2"), "the-nonce")
    assert fetched == [False, True]
    for broken in ("", "a.b", "not-a-token", "a.b.c.d.e"):
        with pytest.raises(oidc.VerificationFailed):
            oidc.validate_id_token(LOCAL, broken, "the-nonce")


def test_the_oidc_module_imports_without_a_deprecation_warning():
    """Authlib's ``authlib.jose`` is deprecated (AuthlibDeprecationWarning): the ID token checks use joserfc."""
    import os
    import subprocess
    import sys

    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    code = ("import warnings\n"
            "with warnings.catch_warnings(record=True) as caught:\n"
            "    warnings.simplefilter('always')\n"
            "    import gateway.accounts.oidc, gateway.api.account, gateway.web.views.accounts\n"
            "print([f'{w.category.__name__}: {w.message}' for w in caught\n"
            "       if 'authlib' in str(w.message).lower() or 'Authlib' in w.category.__name__])\n")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([os.path.join(root, "shared"), os.path.join(root, "services")]))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip().splitlines()[-1] == "[]"


@pytest.fixture
def provider_and_meetings(runner_factory, make_config):
    with dev_provider() as (settings, base):
        got_base, config = start_platform(runner_factory, make_config, services=("meetings",), **settings)
        assert got_base == base
        yield base, config


def test_volunteering_for_a_citizen_panel_needs_a_verified_account_where_staff_ask_for_it(provider_and_meetings):
    import datetime as dt

    base, config = provider_and_meetings
    api = f"{base}/api/v1/municipalities/aalborg"
    make_account(config, "staff@aalborg.example", "employee")
    make_account(config, "plain@example.org", "resident")
    staff_h = {"Authorization": "Bearer " + requests.post(f"{base}/api/v1/auth/token", json={
        "email": "staff@aalborg.example", "password": PASSWORD}).json()["access_token"]}
    plain_h = {"Authorization": "Bearer " + requests.post(f"{base}/api/v1/auth/token", json={
        "email": "plain@example.org", "password": PASSWORD}).json()["access_token"]}
    starts = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=10)).replace(microsecond=0)
    meetings = {}
    for fmt in ("citizen_panel", "debate_salon"):
        r = requests.post(f"{api}/meetings", headers=staff_h, json={
            "title": f"Møde {fmt}", "format": fmt, "purpose": "Hvad skal der ske med havnen?",
            "promise": "Forslagene indgår i planen.", "starts_at": starts.isoformat(),
            "ends_at": (starts + dt.timedelta(hours=2)).isoformat(), "online_url": "https://meet.example.org/x",
            "capacity": 30})
        assert r.status_code == 201, r.text
        meetings[fmt] = r.json()["id"]
    assert requests.put(f"{api}/verification", json={"supports": False, "panels": True},
                        headers=staff_h).status_code == 200

    refused = requests.post(f"{api}/meetings/{meetings['citizen_panel']}/registrations", headers=plain_h)
    assert refused.status_code == 403 and "citizen panel" in refused.json()["detail"]
    # another kind of meeting is open to everyone
    assert requests.post(f"{api}/meetings/{meetings['debate_salon']}/registrations",
                         headers=plain_h).status_code == 201

    browser = requests.Session()
    start = browser.get(f"{base}/auth/oidc/devid/start", params={"m": "aalborg"}, allow_redirects=False)
    sign_in_at_provider(browser, browser.get(start.headers["Location"]), "anna")
    assert browser.post(f"{api}/meetings/{meetings['citizen_panel']}/registrations").status_code == 201
