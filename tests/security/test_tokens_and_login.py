"""Bearer tokens that were tampered with, expired, signed with another key, meant
for another use or revoked are refused; failed sign-ins are rate limited."""
import base64
import json
import time

import pytest
import requests

from gateway.accounts import tokens

from conftest import PASSWORD, SECRET, confirm_token

pytestmark = pytest.mark.integration


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def me(platform, token):
    return requests.get(f"{platform.api}/me", headers={"Authorization": f"Bearer {token}"}, timeout=10)


def test_tampered_expired_foreign_and_misused_tokens_are_refused(platform, people):
    p = platform
    karen, ola = people["resident"], people["outsider"]
    assert me(p, karen.token).status_code == 200
    prefix, body, sig = karen.token.split(".")
    payload = json.loads(unb64(body))

    as_ola = b64(json.dumps({**payload, "sub": ola.id}, separators=(",", ":")).encode())
    longer = b64(json.dumps({**payload, "exp": payload["exp"] + 10**6}, separators=(",", ":")).encode())
    flipped = sig[:-1] + ("A" if sig[-1] != "A" else "B")
    bad = {
        "payload names another account, old signature": f"{prefix}.{as_ola}.{sig}",
        "expiry pushed out, old signature": f"{prefix}.{longer}.{sig}",
        "signature changed": f"{prefix}.{body}.{flipped}",
        "signature removed": f"{prefix}.{body}.",
        "another version prefix": f"v2.{body}.{sig}",
        "no signature part": f"{prefix}.{body}",
        "garbage": "not-a-token",
        "empty": "",
        "signed with another key": tokens.issue("another-secret", karen.id, 0, 3600),
        "expired a second ago": tokens.issue(SECRET, karen.id, 0, -1),
        "expired long ago": tokens.issue(SECRET, karen.id, 0, 3600, now=time.time() - 86400),
        "an e-mail confirmation token": confirm_token(karen),
        "a password reset token": tokens.issue(SECRET, karen.id, 0, 3600, use="reset"),
        "an old token version": tokens.issue(SECRET, karen.id, 7, 3600),
        "an account that does not exist": tokens.issue(SECRET, "00000000-0000-0000-0000-000000000000", 0, 3600),
        "alg none style": f"{b64(b'{}')}.{body}.",
    }
    for why, token in bad.items():
        r = me(p, token)
        assert r.status_code == 401, f"{why}: {r.status_code} {r.text[:200]}"
        assert r.headers["Content-Type"].startswith("application/problem+json"), why
        # and it cannot act either
        r = requests.post(f"{p.api}/municipalities/aalborg/proposals", json={}, timeout=10,
                          headers={"Authorization": f"Bearer {token}"})
        assert r.status_code in (401, 422), f"{why}: {r.status_code}"
        assert r.status_code != 201
    assert me(p, karen.token).status_code == 200, "the good token still works"


def test_a_password_reset_signs_out_every_earlier_token(platform, people):
    p = platform
    karen = people["resident"]
    old = karen.token
    reset = tokens.issue(SECRET, karen.id, 0, 3600, use="reset")
    r = requests.post(f"{p.api}/auth/password-reset/confirm", json={"token": reset, "password": "a brand new password 9"},
                      timeout=10)
    assert r.status_code == 200, r.text
    assert me(p, old).status_code == 401
    again = requests.post(f"{p.api}/auth/password-reset/confirm", json={"token": reset, "password": "yet another one 9"},
                          timeout=10)
    assert again.status_code == 401, "a reset link works once"
    assert me(p, p.token(karen.email, "a brand new password 9")).status_code == 200


def test_failed_sign_ins_are_rate_limited_per_address(platform, people):
    p = platform
    karen, ola = people["resident"], people["outsider"]
    statuses = [requests.post(f"{p.api}/auth/token", json={"email": karen.email, "password": "wrong password"},
                              timeout=10).status_code for _ in range(10)]
    assert statuses == [401] * 10
    blocked = requests.post(f"{p.api}/auth/token", json={"email": karen.email, "password": PASSWORD}, timeout=10)
    assert blocked.status_code == 429, "after 10 failures even the right password waits"
    assert blocked.headers["Content-Type"].startswith("application/problem+json")
    assert requests.post(f"{p.api}/auth/token", json={"email": ola.email, "password": PASSWORD},
                         timeout=10).status_code == 200, "another address is not blocked"
    unknown = requests.post(f"{p.api}/auth/token", json={"email": "nobody@example.org", "password": "x"}, timeout=10)
    assert unknown.status_code == 401
    assert "nobody@example.org" not in unknown.text
