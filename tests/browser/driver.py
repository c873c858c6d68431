"""Browser journeys in real headless Chromium, driven by Playwright.

Run by the tests in this folder as a separate process: the test process is
monkey-patched by eventlet (nameko), and Playwright's own event loop must not
be.  ``python driver.py <journey> <spec.json>`` prints a JSON result on the
last line; a failed expectation exits non-zero with the reason.
"""
import json
import os
import re
import sys
from contextlib import contextmanager

from playwright.sync_api import expect, sync_playwright

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
AXE = os.path.join(ROOT, "tools", "axe", "node_modules", "axe-core", "axe.min.js")
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PASSWORD = "correct horse battery"


class Journey:
    def __init__(self, spec, playwright):
        self.spec = spec
        self.base = spec["base"]
        self.shots = spec["artifacts"]
        os.makedirs(self.shots, exist_ok=True)
        self.browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        self.count = 0

    @contextmanager
    def person(self, language="da"):
        context = self.browser.new_context(locale={"da": "da-DK", "nb": "nb-NO", "nn": "nn-NO", "en": "en-GB"}[language],
                                           timezone_id="Europe/Copenhagen", viewport={"width": 1100, "height": 900})
        context.set_default_timeout(15000)
        page = context.new_page()
        try:
            yield page
        finally:
            context.close()

    def go(self, page, path):
        response = page.goto(self.base + path)
        assert response.status < 500, f"{path}: {response.status}"
        return response

    def shot(self, page, name):
        self.count += 1
        page.screenshot(path=os.path.join(self.shots, f"{self.count:02d}-{name}.png"), full_page=True)

    def login(self, page, email):
        self.go(page, "/login")
        page.get_by_label(re.compile("E-mail|E-post")).fill(email)
        page.locator("#f-password").fill(PASSWORD)
        page.locator("main form button[type=submit]").click()
        page.wait_for_url(re.compile(r"/me\?done=signed_in"))

    def logout(self, page):
        page.locator("header form[action='/logout'] button").click()
        page.wait_for_load_state()

    # -- accessibility ----------------------------------------------------------------

    def axe(self, page):
        self.axe_runs = getattr(self, "axe_runs", 0) + 1
        if not page.evaluate("typeof window.axe !== 'undefined'"):
            with open(AXE, encoding="utf-8") as fh:
                page.evaluate(fh.read())
        result = page.evaluate(
            "async (tags) => { const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}});"
            " return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
            " nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))})); }", WCAG)
        return result


# -- the main story ------------------------------------------------------------------------------


def scenario(j):
    s = j.spec
    m = "/municipalities/aalborg"
    found = {}
    # A resident registers and fills the profile.
    with j.person("da") as page:
        j.go(page, "/register")
        page.get_by_label("Navn").fill("Rita Resident")
        page.get_by_label("E-mailadresse").fill(s["resident"])
        page.locator("#f-password").fill(PASSWORD)
        page.get_by_label("Kommune").select_option("aalborg")
        j.shot(page, "register")
        page.get_by_role("button", name="Opret konto").click()
        page.wait_for_url(re.compile(r"/me/profile\?done=registered"))
        page.get_by_label("Kompetencer").fill("projektledelse\nkommunikation")
        page.get_by_label("Interesser").fill("skole, trafik")
        page.get_by_label("Områder").fill("Hobrovej")
        page.get_by_label("Ja, foreslå mig").check()
        j.shot(page, "profile")
        page.get_by_role("button", name="Gem").click()
        page.wait_for_url(re.compile(r"/me\?done=profile_saved"))

        # She starts a proposal: the mission first, then who is affected, needs, expectations.
        j.go(page, f"{m}/proposals/new")
        page.get_by_label("Problemet").fill("Skolebørn krydser Hobrovej uden lys og uden cykelsti om morgenen.")
        page.get_by_label("Målet").fill("En tryg skolevej ved Hobrovej inden skolestart.")
        page.get_by_label("Titel").fill("Tryg skolevej ved Hobrovej")
        page.get_by_label("Service og myndighed").check()
        page.get_by_role("button", name="Næste").click()
        page.get_by_label("Hvem er berørt").fill("Skolebørn og forældre")
        page.get_by_label("Område eller postnummer").fill("Hobrovej")
        page.get_by_label("Emner").fill("trafik, skole")
        page.get_by_role("button", name="Næste").click()
        page.get_by_label("Hvad der er brug for").fill("trafikplanlægger\ncykelmekaniker")
        page.get_by_role("button", name="Næste").click()
        page.get_by_label("Inddrage").check()
        page.get_by_role("button", name="Næste").click()
        # Before submitting she sees the proposal about the same road that already exists.
        similar = page.locator("ul.similar")
        expect(similar).to_contain_text(s["existing_title"])
        j.shot(page, "new-proposal-similar")
        page.get_by_role("button", name="Send forslaget").click()
        page.wait_for_url(re.compile(r"/proposals/[0-9a-f-]{36}\?done=submitted"))
        found["proposal"] = page.url.split("?")[0].rsplit("/", 1)[1]
        expect(page.locator(".status").first).to_have_text("Indsendt")
        j.shot(page, "proposal-submitted")

    proposal = f"{m}/proposals/{found['proposal']}"
    # An employee publishes it from the triage page and schedules a meeting with one seat.
    with j.person("da") as page:
        j.login(page, s["employee"])
        j.go(page, f"{m}/staff")
        item = page.locator("li", has_text="Tryg skolevej ved Hobrovej")
        expect(item).to_be_visible()
        j.shot(page, "staff-triage")
        item.get_by_role("textbox", name="Begrundelse").fill("Et konkret problem med et klart mål.")
        item.get_by_role("button", name="Gem ændringen").click()
        page.wait_for_url(re.compile(r"/staff\?done=moved"))
        j.go(page, proposal)
        expect(page.locator(".status").first).to_have_text("Offentliggjort")
        j.go(page, f"{m}/meetings/new?proposal_id={found['proposal']}&expected=20")
        expect(page.locator("ol.suggestions li").first).to_be_visible()
        j.shot(page, "schedule-format-suggestion")
        page.get_by_label("Titel").fill("Vandring langs Hobrovej")
        page.get_by_label("Hvorfor vi mødes").fill("Hvor er skolevejen farligst, og hvad kunne vi prøve?")
        page.get_by_label("Det sker der med dit input").fill("Forvaltningen svarer alle forslag inden en måned.")
        page.get_by_label("Starter").fill("2027-03-04T16:30")
        page.get_by_label("Slutter").fill("2027-03-04T18:00")
        page.get_by_label("Link til onlinemøde").fill("https://meet.example.org/hobrovej")
        page.get_by_label("Antal pladser").fill("1")
        page.get_by_role("button", name="Planlæg mødet").click()
        page.wait_for_url(re.compile(r"/meetings/[0-9a-f-]{36}\?done=scheduled"))
        found["meeting"] = page.url.split("?")[0].rsplit("/", 1)[1]
        expect(page.get_by_text("torsdag 4. marts 2027 kl. 16.30")).to_be_visible()
        j.shot(page, "meeting-scheduled")

    meeting = f"{m}/meetings/{found['meeting']}"
    # The matched participant finds it in the inbox and takes the last seat.
    with j.person("da") as page:
        j.login(page, s["participant"])
        for _ in range(40):
            j.go(page, "/me/inbox")
            if page.locator(f"ul.inbox a[href*='{found['proposal']}']").count():
                break
            page.wait_for_timeout(500)
        link = page.locator(f"ul.inbox a[href*='{found['proposal']}']").first
        expect(link).to_be_visible()
        j.shot(page, "participant-inbox")
        link.click()
        page.wait_for_url(re.compile(found["proposal"]))
        page.get_by_role("link", name="Vandring langs Hobrovej").click()
        page.get_by_role("button", name="Tilmeld mig").click()
        page.wait_for_url(re.compile(r"done=registered_meeting"))
        expect(page.locator(".my-registration")).to_have_text("Du har en plads.")
        j.shot(page, "participant-registered")

        # The next person lands on the waitlist ...
        with j.person("da") as rita:
            j.login(rita, s["resident"])
            j.go(rita, meeting)
            expect(rita.get_by_text("Fuldt – venteliste")).to_be_visible()
            rita.get_by_role("button", name="Skriv mig på ventelisten").click()
            rita.wait_for_url(re.compile(r"done=waitlisted"))
            expect(rita.locator(".my-registration")).to_have_text("Du står på ventelisten som nr. 1.")
            j.shot(rita, "resident-waitlisted")
            # ... and is promoted when the participant cancels.
            j.go(page, meeting)
            page.get_by_role("button", name="Afmeld mig").click()
            page.wait_for_url(re.compile(r"done=registration_cancelled"))
            j.go(rita, meeting)
            expect(rita.locator(".my-registration")).to_have_text("Du har en plads.")
            j.shot(rita, "resident-promoted")

    # The politician draws a citizen panel and sees the quota table and the seed.
    with j.person("da") as page:
        j.login(page, s["politician"])
        j.go(page, f"{m}/panels")
        page.locator("#f-size").fill("4")
        page.locator("#f-seed").fill("2027")
        pool = "id,age,area\n" + "\n".join(
            f"p{i},{'18-39' if i % 2 else '40+'},{'nord' if i % 3 else 'syd'}" for i in range(20))
        page.locator("#f-pool").fill(pool)
        page.locator("#f-quotas").fill("age,18-39,2,2\nage,40+,2,2\narea,syd,1,4\narea,nord,0,3")
        page.get_by_role("button", name="Træk panelet").click()
        expect(page.locator(".seed")).to_have_text("2027")
        table = page.locator("table.quota-table")
        expect(table).to_contain_text("18-39")
        rows = table.locator("tbody tr")
        assert rows.count() == 4, rows.count()
        j.shot(page, "politician-panel")
    return found


# -- accessibility sweep ---------------------------------------------------------------------------


def accessibility(j):
    """axe-core on every page, in every language, signed out and in each role."""
    s = j.spec
    m = "/municipalities/aalborg"
    pages = {
        None: ["/", m, f"{m}/proposals", f"{m}/proposals?q=skole&status=published", s["proposal"], f"{m}/meetings",
               f"{m}/meetings?month=2027-03", f"{m}/meetings?view=list", s["meeting"], "/login", "/register",
               "/account/forgot", "/no-such-page",
               # the council's pages without a mission or case yet (issue 22); with them, in each
               # state, council_driver.py scans them in its journeys
               f"{m}/missions", f"{m}/council", f"{m}/what-became-of-it"],
        s["resident"]: [m, s["proposal"], s["meeting"], "/me", "/me/profile", "/me/inbox", "/me/preferences",
                        "/me/data", "/me/calendar", f"{m}/proposals/new"],
        s["initiator"]: [s["proposal"] + "/edit"],
        s["employee"]: [s["proposal"], s["proposal"] + "/agreement", s["proposal"] + "/edit", s["meeting"],
                        f"{m}/staff", f"{m}/panels",
                        f"{m}/meetings/new?expected=30&level=involve", f"{m}/meeting-places",
                        s["started_meeting"], f"{m}/committees/new"],
        s["operator"]: ["/operator"],
    }
    report = []
    shots = {f"{m}/meetings?month=2027-03": "meetings-month", s["proposal"] + "/edit": "proposal-edit",
             s["proposal"] + "/agreement": "agreement-partners"}
    # The scan itself works: an image without a text alternative is caught.
    with j.person("da") as page:
        j.go(page, m)
        page.evaluate("document.querySelector('main').insertAdjacentHTML('beforeend', '<img src=\"/x.png\">')")
        assert "image-alt" in [v["id"] for v in j.axe(page)], "axe did not catch a missing alt text"
    j.axe_runs = 0
    for language in ("da", "nb", "nn", "en"):
        for who, paths in pages.items():
            with j.person(language) as page:
                j.go(page, f"/?lang={language}")
                if who:
                    j.login(page, who)
                for path in paths:
                    j.go(page, path)
                    if path == s.get("started_meeting"):
                        assert page.locator("form[action$='/minutes']").count() == 1, "no minutes form on a started meeting"
                    if language == "da" and path in shots:
                        j.shot(page, shots[path])
                    lang = page.evaluate("document.documentElement.lang")
                    assert lang == language, f"{path}: html lang {lang} while {language} was chosen"
                    for v in j.axe(page):
                        report.append({"language": language, "who": who or "anonymous", "path": path, **v})
                if who == s["employee"]:
                    # A drawn panel: the quota table and the seed.
                    j.go(page, f"{m}/panels")
                    page.locator("#f-size").fill("2")
                    page.locator("#f-pool").fill("id,age\na1,young\na2,old\na3,young\na4,old")
                    page.locator("#f-quotas").fill("age,young,1,1\nage,old,1,1")
                    page.locator("main form button[type=submit]").click()
                    page.wait_for_selector("table.quota-table")
                    for v in j.axe(page):
                        report.append({"language": language, "who": who, "path": "panel (result)", **v})
                # The edit form sent without a title: the error beside the field.
                if who == s["initiator"]:
                    page.locator("#f-title").fill("")
                    page.locator("main form button[type=submit]").click()
                    page.wait_for_load_state()
                    assert page.locator(".error-summary").count() == 1
                    for v in j.axe(page):
                        report.append({"language": language, "who": who, "path": "edit (errors)", **v})
                # Pages with errors shown: a form sent empty.
                if who == s["resident"]:
                    j.go(page, f"{m}/proposals/new")
                    page.locator("button[name=go][value=next]").click()
                    page.wait_for_load_state()
                    assert page.locator(".error-summary").count() == 1
                    for v in j.axe(page):
                        report.append({"language": language, "who": who, "path": "new (errors)", **v})
            if language == "da" and who is None:
                with j.person(language) as page:
                    j.go(page, "/login")
                    page.locator("main form button[type=submit]").click()
                    page.wait_for_load_state()
                    for v in j.axe(page):
                        report.append({"language": language, "who": "anonymous", "path": "login (error)", **v})
    # The pages an e-mail links to (no session), each language by its ?lang= switch, and a
    # too-short new password refused; the private calendar address once made.
    for language in ("da", "nb", "nn", "en"):
        with j.person(language) as page:
            for name, path in s.get("link_pages", {}).items():
                j.go(page, f"{path}&lang={language}")
                assert page.evaluate("document.documentElement.lang") == language, name
                for v in j.axe(page):
                    report.append({"language": language, "who": "e-mail link", "path": name, **v})
                if name == "reset":
                    page.locator("#f-password").fill("short")
                    page.locator("main form button[type=submit]").click()
                    page.wait_for_load_state()
                    assert page.locator(".error-summary").count() == 1, "a short password is explained"
                    for v in j.axe(page):
                        report.append({"language": language, "who": "e-mail link", "path": "reset (errors)", **v})
            j.login(page, s["resident"])
            j.go(page, f"/me/calendar?lang={language}")
            page.locator("main form button[type=submit]").click()
            page.wait_for_selector("#f-feed")
            for v in j.axe(page):
                report.append({"language": language, "who": s["resident"], "path": "/me/calendar (made)", **v})
            # The month calendar on a phone: reflowed, nothing sideways (WCAG 1.4.10).
            page.set_viewport_size({"width": 390, "height": 844})
            for width in (390, 320):
                page.set_viewport_size({"width": width, "height": 844})
                j.go(page, f"{m}/meetings?month=2027-03")
                scroll = page.evaluate("document.documentElement.scrollWidth")
                table = page.evaluate("document.querySelector('table.month').scrollWidth")
                assert scroll <= width and table <= width, f"the month scrolls sideways at {width}px ({table}px)"
                if language == "da":
                    j.shot(page, f"meetings-month-{width}")
                for v in j.axe(page):
                    report.append({"language": language, "who": s["resident"], "path": f"month at {width}px", **v})
    with j.person("en") as page:
        j.go(page, m)
        page.set_viewport_size({"width": 360, "height": 740})
        j.shot(page, "home-phone")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"the home page scrolls sideways on a phone ({width}px)"
    return {"violations": report, "scans": j.axe_runs}


# -- keyboard only --------------------------------------------------------------------------------


def _tab_to(page, selector, limit=80):
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(sel) => document.activeElement && document.activeElement.matches(sel)", selector):
            outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
            assert outline != "none", f"{selector} has no visible focus"
            return
    raise AssertionError(f"could not reach {selector} with the Tab key")


def _enter_and_wait(page):
    with page.expect_navigation():
        page.keyboard.press("Enter")


def keyboard(j):
    s = j.spec
    m = "/municipalities/aalborg"
    with j.person("da") as page:
        # Signing in with the keyboard, too.
        j.go(page, "/login")
        _tab_to(page, "#f-email")
        page.keyboard.type(s["resident"])
        _tab_to(page, "#f-password")
        page.keyboard.type(PASSWORD)
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"/me"))
        j.go(page, f"{m}/proposals/new")
        # The skip link is the first stop and leads to the content.
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.classList.contains('skip')")
        _tab_to(page, "#f-problem")
        page.keyboard.type("Der mangler bænke langs stien ved Østre Anlæg.")
        _tab_to(page, "#f-goal")
        page.keyboard.type("Ældre kan gå hele turen med pauser.")
        _tab_to(page, "#f-title")
        page.keyboard.type("Bænke ved Østre Anlæg")
        _tab_to(page, "input[name=kind]")
        page.keyboard.press("ArrowDown")  # service → development
        assert page.evaluate("document.querySelector('input[name=kind]:checked').value") == "development"
        _tab_to(page, "button[value=next]")
        _enter_and_wait(page)
        _tab_to(page, "#f-affected")
        page.keyboard.type("Ældre og gangbesværede")
        _tab_to(page, "#f-area")
        page.keyboard.type("Østre Anlæg")
        _tab_to(page, "button[value=next]")
        _enter_and_wait(page)
        _tab_to(page, "#f-needs")
        page.keyboard.type("bænke\nfrivillige")
        _tab_to(page, "button[value=next]")
        _enter_and_wait(page)
        _tab_to(page, "input[name=iap2_level]")
        page.keyboard.press("Space")
        page.keyboard.press("ArrowDown")
        page.keyboard.press("ArrowDown")
        assert page.evaluate("document.querySelector('input[name=iap2_level]:checked').value") == "involve"
        _tab_to(page, "button[value=next]")
        _enter_and_wait(page)
        j.shot(page, "keyboard-review")
        _tab_to(page, "button[value=submit]")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"/proposals/[0-9a-f-]{36}\?done=submitted"))
        expect(page.locator("h1")).to_have_text("Bænke ved Østre Anlæg")
        j.shot(page, "keyboard-submitted")
        return {"proposal": page.url.split("?")[0].rsplit("/", 1)[1]}


JOURNEYS = {"scenario": scenario, "accessibility": accessibility, "keyboard": keyboard}


def run(journeys):
    """``python <driver>.py <journey> <spec.json>``: run one of ``journeys`` in a fresh browser
    and print its result as JSON on the last line (every driver's entry point)."""
    name, spec_path = sys.argv[1], sys.argv[2]
    with open(spec_path, encoding="utf-8") as fh:
        spec = json.load(fh)
    with sync_playwright() as playwright:
        journey = Journey(spec, playwright)
        try:
            result = journeys[name](journey)
        finally:
            journey.browser.close()
    print(json.dumps(result))


if __name__ == "__main__":
    run(JOURNEYS)
