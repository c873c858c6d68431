"""Browser journey for sign-in with an identity provider (issue 21) and unlinking the identity
again, run as a child process like driver.py: ``python oidc_driver.py verify <spec.json>``
prints a JSON result last."""
import json
import re

from playwright.sync_api import expect

from driver import run

WORDS = {
    "da": {"save": "Gem", "support": "Støt", "refused": "verificeret konto", "with": "Log ind med Demo-ID",
           "verified": "Din identitet er bekræftet", "thanks": "Tak for din støtte",
           "account_verified": "Din konto er verificeret", "identity": "Bekræftet identitet",
           "unlink": "Fjern forbindelsen til Demo-ID", "understand": "Jeg forstår, at min konto ikke længere",
           "tick": "Sæt kryds", "unlinked": "Forbindelsen til identiteten er fjernet",
           "only_way": "Du logger kun ind med Demo-ID", "set_password": "Vælg en adgangskode"},
    "nb": {"save": "Lagre", "support": "Støtt", "refused": "verifisert konto", "with": "Logg inn med Demo-ID",
           "verified": "Identiteten din er bekreftet", "thanks": "Takk for støtten",
           "account_verified": "Kontoen din er verifisert", "identity": "Bekreftet identitet",
           "unlink": "Fjern koblingen til Demo-ID", "understand": "Jeg forstår at kontoen min ikke lenger",
           "tick": "Kryss av", "unlinked": "Koblingen til identiteten er fjernet",
           "only_way": "Du logger bare inn med Demo-ID", "set_password": "Velg et passord"},
}


def clean(j, page, what):
    violations = j.axe(page)
    assert violations == [], f"{what}: " + json.dumps(violations, ensure_ascii=False)


def verify(j):
    s = j.spec
    lang, m = s["lang"], f"/municipalities/{s['m']}"
    words = WORDS[lang]
    # The municipality's staff ask for a verified account before a support, on their page.
    with j.person(lang) as page:
        j.login(page, s["staff"])
        j.go(page, f"{m}/staff/verification?lang={lang}")
        clean(j, page, "staff verification page")
        page.locator("#v-supports").check()
        j.shot(page, f"{lang}-staff-verification")
        page.get_by_role("button", name=words["save"], exact=True).click()
        page.wait_for_url(re.compile(r"done=saved"))
        expect(page.locator("#v-supports")).to_be_checked()

    with j.person(lang) as page:
        j.go(page, f"/login?lang={lang}&next={s['proposal']}")
        expect(page.get_by_role("link", name=words["with"])).to_be_visible()
        clean(j, page, "login page with the provider")
        j.login(page, s["resident"])
        j.go(page, s["proposal"])
        page.locator("form[action$='/support'] button[type=submit]").click()
        # An unverified account is refused, told why, and offered the provider.
        refused = page.locator("#verify-refused")
        expect(refused).to_contain_text(words["refused"])
        j.shot(page, f"{lang}-refused")
        clean(j, page, "refusal page")
        page.get_by_role("link", name=words["with"]).click()
        # The development provider (node-oidc-provider): choose the demo identity.
        page.wait_for_url(re.compile(r"/interaction/"))
        page.get_by_label(re.compile(s["identity"])).check()
        j.shot(page, f"{lang}-provider")
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(re.compile(re.escape(s["proposal"]) + r"\?done=verified"))
        expect(page.locator(".notice")).to_contain_text(words["verified"])
        clean(j, page, "proposal page after verification")
        page.locator("form[action$='/support'] button[type=submit]").click()
        page.wait_for_url(re.compile(r"done=supported"))
        expect(page.locator(".notice")).to_contain_text(words["thanks"])
        j.shot(page, f"{lang}-supported")
        j.go(page, f"{m}/verify?lang={lang}")
        expect(page.locator("#verify-status")).to_be_visible()
        clean(j, page, "verify page of a verified account")
        unlinked = unlink(j, page, words)
        created = sign_in_as_new_account(j, page, words)
    return {"lang": lang, "supported": True, "unlinked": unlinked, "created_by_provider": created}


def unlink(j, page, words):
    """On the account page: the linked identity, a box to tick and a question before unlinking."""
    lang = j.spec["lang"]
    page.on("dialog", lambda dialog: dialog.accept())  # the form's "are you sure?" (site.js)
    j.go(page, f"/me?lang={lang}")
    expect(page.locator(".notice")).to_contain_text(words["account_verified"])
    section = page.get_by_role("region", name=words["identity"])
    expect(section).to_contain_text("Demo-ID")
    clean(j, page, "account page with a linked identity")
    j.shot(page, f"{lang}-account-linked")
    # Without the box ticked nothing happens: the page says why, and the link stays.
    section.get_by_role("button", name=words["unlink"]).click()
    expect(page.locator(".error-summary")).to_contain_text(words["tick"])
    expect(page.get_by_role("checkbox", name=re.compile(words["understand"]))).to_have_attribute(
        "aria-invalid", "true")
    clean(j, page, "account page refusing an unticked unlink")
    j.shot(page, f"{lang}-unlink-unticked")
    page.get_by_role("checkbox", name=re.compile(words["understand"])).check()
    page.get_by_role("button", name=words["unlink"]).click()
    page.wait_for_url(re.compile(r"/me\?done=identity_unlinked"))
    expect(page.locator(".notice")).to_contain_text(words["unlinked"])
    expect(page.get_by_text(words["account_verified"])).to_have_count(0)
    expect(page.get_by_role("region", name=words["identity"])).to_have_count(0)
    clean(j, page, "account page after unlinking")
    j.shot(page, f"{lang}-unlinked")
    return True


def sign_in_as_new_account(j, page, words):
    """Signed out, the same identity (free again) signs in: a new account without a password,
    whose page says to choose a password before the identity can be unlinked."""
    lang = j.spec["lang"]
    j.logout(page)
    j.go(page, f"/login?lang={lang}")
    page.get_by_role("link", name=words["with"]).click()  # the provider remembers the person: straight back
    page.wait_for_url(re.compile(r"/me\?done=verified"))
    section = page.get_by_role("region", name=words["identity"])
    expect(section).to_contain_text(words["only_way"])
    expect(section.get_by_role("link", name=words["set_password"])).to_have_attribute("href", "/account/forgot")
    expect(section.get_by_role("button")).to_have_count(0)
    clean(j, page, "account page of an account that signs in only with the provider")
    j.shot(page, f"{lang}-only-way-in")
    return True


JOURNEYS = {"verify": verify}

if __name__ == "__main__":
    run(JOURNEYS)
