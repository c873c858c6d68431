"""The hostile-input rules that are pure functions: redirect targets, CSV cells,
webhook addresses, visible text and sane dates."""
import datetime as dt

import pytest
from pydantic import BaseModel, ValidationError

from gateway.inputs import json_depth, text_errors
from gateway.web.security import safe_next
from samskab import addresses, csvsafe
from samskab.text import SaneDatetime, VisibleText, has_visible


@pytest.mark.parametrize("target", [
    "//evil.example/phish", "/\t/evil.example/phish", "/\\evil.example", "\\\\evil.example", "/%2F/evil.example",
    "/%2f%2fevil.example", "%2F%2Fevil.example", "/%5Cevil.example", "/%09/evil.example", "/%252F%252Fevil.example",
    "https://evil.example/", "javascript:alert(1)", "/\r\n/evil.example", "/%0d%0a/evil.example",
    "/\u200b/evil.example", " //evil.example", "evil.example", "/..//evil.example/..",
])
def test_a_sign_in_never_redirects_off_site(target):
    result = safe_next(target, "")
    assert result == "" or (result.startswith("/") and not result.startswith("//") and "\\" not in result
                            and "evil.example" not in result.split("?")[0].split("/")[1:2]), result


def test_local_paths_are_kept_and_normalised():
    assert safe_next("/municipalities/aalborg/proposals?q=x") == "/municipalities/aalborg/proposals?q=x"
    assert safe_next("/me/../municipalities") == "/municipalities"
    assert safe_next("/me/") == "/me/"


@pytest.mark.parametrize("value", ["=HYPERLINK(\"http://evil\",\"x\")", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)",
                                   "\tx", "\rx"])
def test_csv_cells_that_a_spreadsheet_would_run_are_escaped(value):
    assert csvsafe.cell(value) == "'" + value


def test_other_csv_cells_are_unchanged():
    assert csvsafe.row(["Grøn pendling", 12, None, "a=b"]) == ["Grøn pendling", 12, None, "a=b"]


@pytest.mark.parametrize("address", [
    "100.64.0.1", "100.127.255.254", "2002:c000:0204::1", "64:ff9b::1.2.3.4", "64:ff9b:1::1", "10.0.0.1",
    "127.0.0.1", "169.254.169.254", "192.0.0.8", "192.88.99.1", "198.18.0.1", "224.0.0.1", "240.0.0.1",
    "::1", "::ffff:127.0.0.1", "::ffff:100.64.0.1", "fc00::1", "fe80::1", "2001:db8::1", "2001::1", "100::1",
    "0.0.0.0", "255.255.255.255", "not an address",
])
def test_special_purpose_addresses_are_not_webhook_targets(address):
    assert not addresses.is_public(address)


@pytest.mark.parametrize("address", ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946", "1.1.1.1"])
def test_public_addresses_are(address):
    assert addresses.is_public(address)


def test_text_without_visible_characters_and_insane_dates_are_refused():
    assert not has_visible("\u200b\u200e\u202e\u2060\ufeff \u3164")
    assert has_visible("\u200bA")

    class Model(BaseModel):
        title: VisibleText
        at: SaneDatetime

    with pytest.raises(ValidationError) as found:
        Model(title="\u200b\u202e", at=dt.datetime(1, 1, 1))
    assert {e["loc"][0] for e in found.value.errors()} == {"title", "at"}
    assert Model(title="Grøn", at=dt.datetime(2027, 1, 1)).title == "Grøn"
    assert [e["field"] for e in text_errors({"title": "\u200b\u200f", "ends_at": "0001-01-01T00:00:00",
                                             "starts_at": "2027-01-01T10:00:00", "body": "ok"})] == ["title", "ends_at"]


def test_json_depth_is_counted_on_the_bytes():
    assert json_depth(b'{"a": [1, {"b": "[[[[["}]}') == 3
    assert json_depth(b"[" * 1000 + b"]" * 1000) == 1000


def test_the_throttled_address_is_the_peer_or_what_the_trusted_proxy_saw():
    from types import SimpleNamespace

    from gateway.accounts.throttle import client_ip

    def ctx(hops, forwarded=None):
        headers = {"X-Forwarded-For": forwarded} if forwarded else {}
        return SimpleNamespace(config={"TRUSTED_PROXY_HOPS": hops},
                               request=SimpleNamespace(headers=headers, remote_addr="10.0.0.5"))

    assert client_ip(ctx("0", "1.2.3.4")) == "10.0.0.5", "without a trusted proxy the header is the client's to forge"
    assert client_ip(ctx("1", "6.6.6.6, 1.2.3.4")) == "1.2.3.4", "the forged left part is ignored"
    assert client_ip(ctx("2", "6.6.6.6, 1.2.3.4, 10.1.1.1")) == "1.2.3.4"
    assert client_ip(ctx("1")) == "10.0.0.5"
