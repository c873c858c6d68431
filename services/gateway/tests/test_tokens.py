"""Bearer tokens (``gateway.accounts.tokens``): what a signed token says is checked once and
kept, but its expiry and its use on every request, and a refused token is never kept."""
import base64
import json
import uuid

import pytest

from samskab import secrets
from samskab.errors import Unauthorized

from gateway.accounts import tokens

KEY = "a-signing-key-for-the-token-tests-0123456789"


def test_a_valid_token_says_whose_it_is_every_time():
    account = uuid.uuid4()
    token = tokens.issue(KEY, account, 3, 60, now=1_000)
    for _ in range(2):
        payload = tokens.verify(KEY, token, now=1_030)
        assert payload["sub"] == str(account) and payload["ver"] == 3
    payload["sub"] = "changed by a caller"
    assert tokens.verify(KEY, token, now=1_030)["sub"] == str(account)  # each caller gets its own copy


def test_a_kept_token_still_expires_and_is_still_only_for_its_use():
    token = tokens.issue(KEY, uuid.uuid4(), 1, 60, now=1_000)
    assert tokens.verify(KEY, token, now=1_059)
    with pytest.raises(Unauthorized, match="expired"):
        tokens.verify(KEY, token, now=1_061)
    with pytest.raises(Unauthorized, match="purpose"):
        tokens.verify(KEY, token, now=1_030, use="reset")


def test_a_token_is_refused_when_tampered_with_or_signed_by_another_key():
    token = tokens.issue(KEY, uuid.uuid4(), 1, 60, now=1_000)
    prefix, body, sig = token.split(".")
    forged = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    forged["ver"] = 99
    other_body = base64.urlsafe_b64encode(json.dumps(forged).encode()).rstrip(b"=").decode()
    kept = tokens._signed_payload.cache_info().currsize
    for bad in (f"{prefix}.{other_body}.{sig}", tokens.issue("another-key-" + KEY, uuid.uuid4(), 1, 60, now=1_000),
                "v1.e30", "not a token"):
        with pytest.raises(Unauthorized):
            tokens.verify(KEY, bad, now=1_030)
    assert tokens._signed_payload.cache_info().currsize == kept  # a refused token is not kept
    not_an_object = "v1.WzFd." + secrets.sign(KEY, "WzFd")  # a signed list, not a payload
    with pytest.raises(Unauthorized, match="invalid"):
        tokens.verify(KEY, not_an_object, now=1_030)


def test_a_token_signed_by_an_older_key_verifies_while_that_key_is_listed():
    old = tokens.issue(KEY, uuid.uuid4(), 1, 60, now=1_000)
    assert tokens.verify(["a-newer-key-" + KEY, KEY], old, now=1_030)
    with pytest.raises(Unauthorized):
        tokens.verify(["a-newer-key-" + KEY], old, now=1_030)
