"""Browser journey of the co-creation loop (issue 15), in the language the spec
names: run as ``python loop_driver.py loop <spec.json>`` like ``driver.py`` (whose
:class:`Journey` it uses).  ``spec["t"]`` holds the page texts, ``spec["people"]``
who signs in and the notice each must find: ``{role: {"email", "subject", "lines",
"link"}}``.

Each person signs in and opens the inbox page (``/me/inbox``): the notice is there,
in their language, naming the proposal or the meeting, its heading linking to the
page it is about; axe-core scans the inbox page.  The partner follows the notice's
link to the proposal and accepts the agreement there."""
import re

from playwright.sync_api import expect

from driver import run


def _open_inbox(j, page, subject):
    """The inbox page once ``subject`` is on it (the notice travels through the broker)."""
    for _ in range(40):
        j.go(page, "/me/inbox")
        if subject in page.locator("main").inner_text():
            break
        page.wait_for_timeout(500)
    return page.locator("main ul.inbox > li").filter(has=page.get_by_role("heading", name=subject))


def loop(j):
    s, t = j.spec, j.spec["t"]
    found = {"violations": {}, "seen": {}, "links": {}}
    for role, who in s["people"].items():
        with j.person(s["lang"]) as page:
            j.login(page, who["email"])
            item = _open_inbox(j, page, who["subject"])
            expect(page.locator("html")).to_have_attribute("lang", s["lang"])
            expect(page.get_by_role("heading", level=1)).to_have_text(t["me.inbox"])
            expect(item).to_have_count(1)
            for line in who["lines"]:  # the whole notice, as rendered in their language
                expect(item).to_contain_text(line)
            link = item.get_by_role("link", name=who["subject"])
            found["links"][role] = link.get_attribute("href")
            found["seen"][role] = item.inner_text()
            found["violations"][role] = j.axe(page)
            j.shot(page, f"{s['lang']}-inbox-{role}")
            if role == "partner":  # the link to accept: the proposal page, with its button
                link.click()
                page.wait_for_url(re.compile(re.escape(who["link"]) + "#agreement$"))  # at the part to accept
                expect(page.get_by_role("button", name=t["agreement.accept"])).to_be_visible()
                j.shot(page, f"{s['lang']}-agreement-to-accept")
                page.get_by_role("button", name=t["agreement.accept"]).click()
                page.wait_for_url(re.compile(r"done=agreement_accepted"))
                expect(page.locator("main")).to_contain_text(t["done.agreement_accepted"])
                expect(page.get_by_role("button", name=t["agreement.accept"])).to_have_count(0)
                j.shot(page, f"{s['lang']}-agreement-accepted")
                found["accepted"] = True
    return found


JOURNEYS = {"loop": loop}


if __name__ == "__main__":
    run(JOURNEYS)
