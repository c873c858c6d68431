"""The OpenID provider settings and what is kept of an identity (fast, no I/O)."""
import hashlib

import pytest

from samskab import municipalities, secrets

from gateway.accounts import oidc
from gateway.accounts.verification import residence_of

GOOD = {
    "OIDC_PROVIDERS": "mitid", "OIDC_MITID_ISSUER": "https://broker.example/", "OIDC_MITID_CLIENT_ID": "samskab",
    "OIDC_MITID_CLIENT_SECRET": "a-real-looking-client-secret", "OIDC_MITID_MUNICIPALITIES": "aalborg,hjorring",
    "OIDC_MITID_LABEL": "MitID", "OIDC_MITID_RESIDENCE_CLAIM": "municipality_code",
    "OIDC_SUBJECT_SALT": "a-salt-of-sixteen-or-more",
}


def test_a_provider_is_offered_only_in_its_municipalities():
    found = oidc.providers(GOOD)["mitid"]
    assert found.issuer == "https://broker.example" and found.label == "MitID"
    assert [p.name for p in oidc.offered(GOOD, "aalborg")] == ["mitid"]
    assert oidc.offered(GOOD, "hamar") == []
    assert "a-real-looking-client-secret" not in repr(found)


@pytest.mark.parametrize("change, named", [
    ({"OIDC_MITID_CLIENT_SECRET": ""}, "OIDC_MITID_CLIENT_SECRET"),
    ({"OIDC_MITID_CLIENT_SECRET": "change-me"}, "OIDC_MITID_CLIENT_SECRET"),
    ({"OIDC_MITID_CLIENT_SECRET": secrets.generate(development=True)}, "OIDC_MITID_CLIENT_SECRET"),
    ({"OIDC_SUBJECT_SALT": ""}, "OIDC_SUBJECT_SALT"),
    ({"OIDC_MITID_ISSUER": ""}, "OIDC_MITID_ISSUER"),
    ({"OIDC_PROVIDERS": "Mit ID"}, "OIDC_PROVIDERS"),
])
def test_a_missing_or_unusable_setting_is_refused_by_name(change, named, monkeypatch):
    monkeypatch.delenv(secrets.DEV_FLAG, raising=False)
    for name in change:
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(secrets.SecretError, match=named):
        oidc.providers({**GOOD, **change})


def test_no_provider_configured_offers_none(monkeypatch):
    monkeypatch.delenv("OIDC_PROVIDERS", raising=False)
    assert oidc.providers({}) == {} and oidc.offered({}, "aalborg") == []


def test_the_stored_subject_is_a_salted_hash_that_names_nobody():
    stored = oidc.subject_hash(GOOD, "https://broker.example", "0101901234")
    assert "0101901234" not in stored
    assert stored != hashlib.sha256(b"https://broker.example\n0101901234").hexdigest()  # salted
    assert stored == oidc.subject_hash(GOOD, "https://broker.example", "0101901234")
    assert stored != oidc.subject_hash(GOOD, "https://other.example", "0101901234")


def test_the_residence_is_a_served_municipality_named_by_id_or_official_code():
    served = municipalities.catalogue()
    p = oidc.providers(GOOD)["mitid"]
    assert residence_of(served, p, {"municipality_code": "0851"}) == "aalborg"
    assert residence_of(served, p, {"municipality_code": "hamar"}) == "hamar"
    assert residence_of(served, p, {"municipality_code": "9999"}) is None
    assert residence_of(served, p, {}) is None
    assert residence_of(served, oidc.providers({**GOOD, "OIDC_MITID_RESIDENCE_CLAIM": ""})["mitid"],
                        {"municipality_code": "0851"}) is None
