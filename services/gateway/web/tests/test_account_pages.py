"""The pages an e-mail links to (confirm, new password, unsubscribe): styled like the
site, in the account's language whatever the browser says, with <html lang>, and a
refused password explained next to its field (real gateway and notifications)."""
import hashlib
import re

import pytest
import requests

from samskab.testing import http_port

from gateway.accounts import tokens
from gateway.tests.support import make_account

pytestmark = pytest.mark.integration
SECRET = "test-notifications-secret-0123456789abcdef"


@pytest.fixture
def platform(runner_factory, make_config):
    from gateway.service import Service as Gateway
    from notifications.service import Service as Notifications

    gateway_config = make_config("gateway")
    for config, cls in ((gateway_config, Gateway), (make_config("notifications", NOTIFICATIONS_SECRET=SECRET),
                                                      Notifications)):
        runner = runner_factory(config, cls)
        runner.start()
        if cls is Gateway:
            base = f"http://127.0.0.1:{http_port(runner.service_map['gateway'])}"
    return base, gateway_config


def link_token(config, account_id, use):
    return tokens.issue(config["SECRET_KEY"], account_id, 0, 3600, use=use)


def test_confirm_and_reset_pages_speak_the_account_language_and_explain_a_short_password(platform):
    base, config = platform
    nils = make_account(config, "nils@example.org", "resident", municipality="volda", language="nn")
    danish_browser = {"Accept-Language": "da-DK,da;q=0.9"}

    page = requests.get(f"{base}/account/reset", params={"token": link_token(config, nils, "reset")},
                        headers=danish_browser)
    assert page.status_code == 200 and '<html lang="nn">' in page.text
    assert '<link rel="stylesheet" href="/static/site.css">' in page.text
    assert "Vel eit nytt passord" in page.text and page.headers["Content-Language"] == "nn"
    assert page.headers["Referrer-Policy"] == "no-referrer"

    token = link_token(config, nils, "reset")
    short = requests.post(f"{base}/account/reset", data={"token": token, "password": "kort"}, headers=danish_browser)
    assert short.status_code == 422 and '<html lang="nn">' in short.text
    assert "Passordet er for kort: minst 10 teikn." in short.text
    assert 'href="#f-password"' in short.text and 'aria-invalid="true"' in short.text
    saved = requests.post(f"{base}/account/reset", data={"token": token, "password": "ein lang og god frase"},
                          headers=danish_browser)
    assert saved.status_code == 200 and "Passordet ditt er endra." in saved.text
    used = requests.post(f"{base}/account/reset", data={"token": token, "password": "ein lang og god frase"},
                         headers=danish_browser)
    assert used.status_code == 400 and "Lenkja er ikkje lenger gyldig" in used.text

    confirmed = requests.get(f"{base}/account/confirm", headers={"Accept-Language": "en"}, params={
        "token": tokens.issue(config["SECRET_KEY"], nils, 1, 3600, use="confirm",
                              em=hashlib.sha256(b"nils@example.org").hexdigest()[:16])})
    assert confirmed.status_code == 200 and '<html lang="nn">' in confirmed.text
    assert "E-postadressa di er stadfesta." in confirmed.text and 'href="/municipalities/volda"' in confirmed.text
    bad = requests.get(f"{base}/account/confirm", params={"token": "nonsense"}, headers=danish_browser)
    assert bad.status_code == 400 and '<html lang="da">' in bad.text and "Linket er ikke længere gyldigt" in bad.text


def test_the_unsubscribe_page_is_in_the_account_language_and_names_what_was_stopped(platform):
    from notifications.messages import unsubscribe_token

    base, config = platform
    kari = make_account(config, "kari@example.org", "resident", municipality="hamar", language="nb")
    token = unsubscribe_token(SECRET, kari, "proposal_status")
    page = requests.get(f"{base}/api/v1/unsubscribe", params={"token": token}, headers={"Accept-Language": "da"})
    assert page.status_code == 200 and '<html lang="nb">' in page.text
    assert ">Meld av</button>" in page.text and ">Unsubscribe" not in page.text
    action = re.search(r'<form method="post" action="([^"]+)"', page.text).group(1).replace("&amp;", "&")
    done = requests.post(base + action, data={"List-Unsubscribe": "One-Click"},
                         headers={"Accept": "text/html", "Accept-Language": "da"})
    assert done.status_code == 200 and '<html lang="nb">' in done.text
    assert "Du er meldt av:" in done.text and "proposal_status" not in done.text
    # the one-click POST of a mail program still gets JSON
    again = requests.post(f"{base}/api/v1/unsubscribe", params={"token": token})
    assert again.json() == {"unsubscribed": "proposal_status"}


def test_volda_s_create_an_account_pre_selects_volda_and_the_summary_names_the_fields(platform):
    base, _ = platform
    visitor = requests.Session()
    home = visitor.get(f"{base}/municipalities/volda", headers={"Accept-Language": "nn"})
    assert 'href="/register?m=volda"' in home.text
    assert 'href="/login?next=/municipalities/volda"' in home.text
    form = visitor.get(f"{base}/register?m=volda", headers={"Accept-Language": "nn"})
    assert re.search(r'<option value="volda"\s+selected', form.text), "Volda is chosen"
    login = visitor.get(f"{base}/login?next=/municipalities/volda")
    assert 'href="/register?m=volda"' in login.text, "from sign-in to registering, still Volda"

    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
    refused = visitor.post(f"{base}/register", headers={"Accept-Language": "nn"}, data={
        "csrf_token": token, "display_name": "", "email": "", "password": "kort", "municipality": "volda",
        "role": "resident", "language": "nn"})
    assert refused.status_code == 422
    summary = re.search(r'<div class="error-summary".*?</div>', refused.text, re.S).group(0)
    links = re.findall(r'<a href="#f-(\w+)">([^<]+)</a>', summary)
    assert {name for name, _ in links} >= {"display_name", "email", "password"}
    assert len({text for _, text in links}) == len(links), "every line names its field"
    assert re.search(r'<option value="volda"\s+selected', refused.text), "still Volda after a refusal"
