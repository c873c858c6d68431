"""Browser journey for sign-in with an identity provider (issue 21), run as a child process
like driver.py: ``python oidc_driver.py verify <spec.json>`` prints a JSON result last."""
import json
import re
import sys

from playwright.sync_api import expect, sync_playwright

from driver import Journey

WORDS = {
    "da": {"save": "Gem", "support": "Støt", "refused": "verificeret konto", "with": "Log ind med Demo-ID",
           "verified": "Din identitet er bekræftet", "thanks": "Tak for din støtte"},
    "nb": {"save": "Lagre", "support": "Støtt", "refused": "verifisert konto", "with": "Logg inn med Demo-ID",
           "verified": "Identiteten din er bekreftet", "thanks": "Takk for støtten"},
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
    return {"lang": lang, "supported": True}


JOURNEYS = {"verify": verify}

if __name__ == "__main__":
    with open(sys.argv[2], encoding="utf-8") as fh:
        spec = json.load(fh)
    with sync_playwright() as playwright:
        journey = Journey(spec, playwright)
        try:
            print(json.dumps(JOURNEYS[sys.argv[1]](journey)))
        finally:
            journey.browser.close()
