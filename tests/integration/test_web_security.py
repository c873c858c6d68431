"""The web pages' defences, server side, against the real gateway: CSRF on every
form, the Content-Security-Policy and cookie flags, the login rate limit shared
with the API, and <html lang> in each language."""
import re

import pytest

from gateway.tests.support import PASSWORD, Visitor, start_platform

pytestmark = pytest.mark.integration

PAGES = ["/", "/municipalities/aalborg", "/municipalities/aalborg/proposals", "/municipalities/aalborg/meetings",
         "/login", "/register", "/account/forgot", "/no-such-page"]


@pytest.fixture
def gateway_only(runner_factory, make_config):
    base, config = start_platform(runner_factory, make_config, services=())
    return base, config


def test_every_page_sends_a_strict_content_security_policy_and_no_inline_script(gateway_only):
    base, _ = gateway_only
    visitor = Visitor(base)
    for path in PAGES:
        r = visitor.get(path)
        csp = r.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp
        assert r.headers["X-Frame-Options"] == "DENY"
        assert r.headers["Content-Type"] == "text/html; charset=utf-8"
        # Scripts only from files; no inline handlers or style attributes the policy would block.
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", r.text), path
        assert not re.search(r"\son[a-z]+=", r.text), path
        assert " style=" not in r.text, path
    assert visitor.get("/no-such-page").status_code == 404


def test_a_form_without_its_csrf_token_or_with_another_browsers_token_is_refused_and_changes_nothing(gateway_only):
    base, _ = gateway_only
    mallory, alice = Visitor(base), Visitor(base)
    form = {"display_name": "Alice", "email": "alice@example.org", "password": PASSWORD,
            "municipality": "aalborg", "role": "resident", "language": "da"}
    alice.get("/register")
    r = alice.http.post(base + "/register", data=form, allow_redirects=False)
    assert r.status_code == 403
    assert "samskab_session" not in r.headers.get("Set-Cookie", "")
    # A token minted for another browser (an attacker's page cannot read Alice's cookie).
    stolen = mallory.csrf("/register")
    r = alice.http.post(base + "/register", data={**form, "csrf_token": stolen}, allow_redirects=False)
    assert r.status_code == 403
    # Nothing was stored: the account does not exist, so signing in fails.
    assert alice.login("alice@example.org").status_code == 401
    # With her own token it works, and the session token does not authorise a token-less form afterwards.
    alice.register("alice@example.org", name="Alice")
    r = alice.http.post(base + "/logout", data={}, allow_redirects=False)
    assert r.status_code == 403
    assert alice.get("/me").url.endswith("/me"), "still signed in: the forged sign-out was refused"


def test_session_and_csrf_cookies_are_httponly_lax_and_secure_behind_https(gateway_only):
    base, _ = gateway_only
    visitor = Visitor(base)
    visitor.register("cookie@example.org")
    token = visitor.csrf("/login")
    r = visitor.http.post(base + "/login", data={"email": "cookie@example.org", "password": PASSWORD,
                                                 "csrf_token": token}, allow_redirects=False)
    cookie = r.headers["Set-Cookie"]
    assert "samskab_session=" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie
    secure = Visitor(base)
    secure.http.headers["X-Forwarded-Proto"] = "https"
    r = secure.get("/login")
    assert "Secure" in r.headers["Set-Cookie"] and "HttpOnly" in r.headers["Set-Cookie"]


def test_failed_sign_ins_are_rate_limited_together_with_the_api(gateway_only):
    base, _ = gateway_only
    visitor = Visitor(base)
    visitor.register("target@example.org")
    visitor.post("/logout", token_from="/me")
    import requests

    # Five failures through the API and five through the form count as one series.
    for _ in range(5):
        assert requests.post(base + "/api/v1/auth/token",
                             json={"email": "target@example.org", "password": "wrong password"}).status_code == 401
    for _ in range(5):
        r = visitor.login("target@example.org", password="wrong password")
        assert r.status_code == 401
        assert "Forkert e-mailadresse eller adgangskode" in r.text
    r = visitor.login("target@example.org")
    assert r.status_code == 429
    assert "For mange mislykkede forsøg" in r.text
    assert "samskab_session" not in visitor.http.cookies


LANGUAGE_CASES = [
    ({"query": "?lang=da"}, "da", "Forslag"),
    ({"query": "?lang=nb"}, "nb", "Kommende møter"),
    ({"query": "?lang=nn"}, "nn", "Komande møte"),
    ({"query": "?lang=en"}, "en", "Upcoming meetings"),
    ({"accept": "nn-NO,nn;q=0.9"}, "nn", "Samskaping i Aalborg Kommune"),
    ({"accept": "en-GB"}, "en", "Co-creation in Aalborg Kommune"),
    ({"accept": "fr-FR"}, "da", "Samskabelse i Aalborg Kommune"),
]


def test_html_lang_matches_the_language_shown_chosen_by_switch_or_browser(gateway_only):
    base, _ = gateway_only
    for how, expected, word in LANGUAGE_CASES:
        visitor = Visitor(base, accept_language=how.get("accept", "da"))
        r = visitor.get("/municipalities/aalborg" + how.get("query", ""))
        assert f'<html lang="{expected}">' in r.text, how
        assert r.headers["Content-Language"] == expected
        assert word in r.text, how
        if "query" in how:
            # The switch is remembered by a cookie on the next page.
            assert f'<html lang="{expected}">' in visitor.get("/municipalities/aalborg/proposals").text


def test_the_accounts_language_is_used_when_nothing_else_was_chosen(gateway_only):
    base, _ = gateway_only
    visitor = Visitor(base, accept_language="da")
    visitor.register("nynorsk@example.org", municipality="volda", language="nn")
    visitor.http.cookies.pop("samskab_lang", None)
    r = visitor.get("/me")
    assert '<html lang="nn">' in r.text and "Mi side" in r.text


def test_a_forgotten_password_request_answers_the_same_for_any_address(gateway_only):
    base, config = gateway_only
    from gateway.tests.support import make_account

    make_account(config, "known@example.org", "resident")
    for email in ("known@example.org", "unknown@example.org"):
        visitor = Visitor(base)
        r = visitor.post("/account/forgot", {"email": email}, token_from="/account/forgot")
        assert r.url.endswith("/login?done=reset_sent")
        assert "Hvis adressen har en konto, er der sendt et link." in r.text


def test_acting_publicly_needs_a_confirmed_address_as_in_the_api(runner_factory, make_config):
    import sqlalchemy as sa

    from gateway.accounts.storage import accounts
    from samskab.testing import unit_of_work

    base, config = start_platform(runner_factory, make_config, services=(), REQUIRE_CONFIRMED_EMAIL="1")
    visitor = Visitor(base)
    visitor.register("new@example.org")
    page = "/municipalities/aalborg/proposals/new"
    assert "Bekræft din e-mailadresse for at deltage" in visitor.get(page).text
    r = visitor.post(page, {"step": "mission", "go": "next", "title": "T", "kind": "service", "problem": "P",
                            "goal": "G"}, token_from=page)
    assert r.status_code == 403 and "Bekræft din e-mailadresse først" in r.text
    # Managing one's own account does not need it.
    r = visitor.post("/me/confirm", {}, token_from="/me")
    assert r.url.endswith("/me?done=confirmation_sent")
    with unit_of_work(config["DATABASE_URL"]) as uow:
        uow.execute(accounts.update().where(accounts.c.email == "new@example.org")
                    .values(email_confirmed_at=sa.func.now()))
    r = visitor.post(page, {"step": "mission", "go": "next", "title": "T", "kind": "service", "problem": "P",
                            "goal": "G"}, token_from=page)
    assert r.status_code == 200 and "Bekræft din e-mailadresse" not in r.text
