"""Browser journeys of political leadership (issue 22), in the language the spec
names: run as ``python council_driver.py <journey> <spec.json>`` like ``driver.py``
(whose :class:`Journey` it uses).  ``spec["t"]`` holds the page texts in that language.

* ``mission``: a politician registers their public office and publishes a mission;
  a resident attaches their proposal to it; a neighbour follows it; staff form a task
  committee with a mandate on the mission and draw its residents by lot.
* ``answer``: the committee page shows its meetings held; staff deliver the
  recommendation; the council puts it on a meeting; the politician publishes the
  decision with reasons; the initiator, the follower and a member each find the
  notice naming it in their inbox, in their language.
"""
import json
import re
import sys

from contextlib import contextmanager

from playwright.sync_api import expect, sync_playwright

from driver import Journey


@contextmanager
def person(j, language):
    """``j.person``, and what the page showed if something went wrong there."""
    with j.person(language) as page:
        try:
            yield page
        except Exception:
            j.shot(page, "failure")
            invalid = page.evaluate("Array.from(document.querySelectorAll(':invalid')).map(e => e.name || e.tagName)")
            print("failed at", page.url, "invalid fields:", invalid, page.locator("main").inner_text()[:2000],
                  file=sys.stderr)
            raise


def mission(j):
    s, t, m = j.spec, j.spec["t"], j.spec["m"]
    found = {}
    with person(j, s["lang"]) as page:
        j.login(page, s["politician"])
        j.go(page, f"{m}/politicians/me")
        page.locator("#f-name").fill(s["politician_name"])
        page.locator("#f-party").fill(s["party"])
        page.get_by_role("button", name=t["office.save"]).click()
        page.wait_for_url(re.compile(r"/politicians/[0-9a-f-]{36}\?done=office_saved"))
        expect(page.locator("h1")).to_have_text(s["politician_name"])
        j.go(page, f"{m}/missions")
        page.locator("#f-title").fill(s["mission_title"])
        page.locator("#f-challenge").fill(s["challenge"])
        page.locator("#f-goal").fill(s["goal"])
        page.locator("#f-horizon").fill("2030")
        page.locator("#f-owner_committee").fill(s["owner_committee"])
        j.shot(page, f"{s['lang']}-mission-form")
        page.get_by_role("button", name=t["mission.publish"]).click()
        page.wait_for_url(re.compile(r"/missions/[0-9a-f-]{36}\?done=mission_published"))
        found["mission"] = page.url.split("?")[0].rsplit("/", 1)[1]
        expect(page.locator("h1")).to_have_text(s["mission_title"])
        expect(page.locator("main")).to_contain_text(f"{s['politician_name']} ({s['party']})")
        j.shot(page, f"{s['lang']}-mission-published")
    mission_path = f"{m}/missions/{found['mission']}"

    with person(j, s["lang"]) as page:  # the initiator attaches her proposal
        j.login(page, s["initiator"])
        j.go(page, mission_path)
        page.locator("#f-proposal_id").select_option(label=s["proposal_title"])
        page.get_by_role("button", name=t["mission.attach"]).click()
        page.wait_for_url(re.compile(r"\?done=attached"))
        expect(page.locator("#proposals").locator("..").locator("table")).to_contain_text(s["proposal_title"])
        j.shot(page, f"{s['lang']}-proposal-attached")

    with person(j, s["lang"]) as page:  # a neighbour follows the mission
        j.login(page, s["follower"])
        j.go(page, mission_path)
        page.get_by_role("button", name=t["mission.follow"]).click()
        page.wait_for_url(re.compile(r"\?done=mission_followed"))
        expect(page.get_by_role("button", name=t["mission.unfollow"])).to_be_visible()

    with person(j, s["lang"]) as page:  # staff form the committee on the mission
        j.login(page, s["employee"])
        j.go(page, f"{m}/committees/new")
        page.locator("#f-title").fill(s["committee_title"])
        page.locator("#f-mission_id").select_option(label=s["mission_title"])
        page.locator("#f-task").fill(s["task"])
        page.locator("#f-questions").fill("\n".join(s["questions"]))
        page.locator("#f-frame").fill(s["frame"])
        page.locator("#f-deadline").fill("2027-09-30")
        page.locator("#f-residents").fill("2")
        page.locator("#f-politicians").fill("1")
        # No full-page screenshot of this filled form right before the click: in headless Chromium
        # the resize it makes swallowed the click's submission (no request left).  The page is
        # shot once formed.
        page.get_by_role("button", name=t["committee.form"]).click()
        page.wait_for_url(re.compile(r"/committees/[0-9a-f-]{36}\?done=committee_formed"))
        found["committee"] = page.url.split("?")[0].rsplit("/", 1)[1]
        expect(page.locator("#mandate").locator("..")).to_contain_text(s["questions"][0])
        j.shot(page, f"{s['lang']}-committee-formed")
    return found


def draw(j):
    s, t = j.spec, j.spec["t"]
    with person(j, s["lang"]) as page:  # the applicants are in: staff draw the residents' seats
        j.login(page, s["employee"])
        j.go(page, s["committee_path"])
        page.locator("#f-seed").fill("2027")
        page.get_by_role("button", name=t["committee.draw"]).click()
        page.wait_for_url(re.compile(r"\?done=drawn"))
        expect(page.locator("main")).to_contain_text(t["committee.drawn"].format(seed=2027))
        j.shot(page, f"{s['lang']}-committee-drawn")
    return {}


def answer(j):
    s, t = j.spec, j.spec["t"]
    with person(j, s["lang"]) as page:
        j.login(page, s["employee"])
        j.go(page, s["committee_path"])
        meetings = page.locator("#cmeetings").locator("..").locator("ol li")
        expect(meetings).to_have_count(s["meetings"])
        expect(meetings.first).to_contain_text(t["committee.meeting.held"])
        page.locator("#f-recommendation").fill(s["recommendation"])
        page.get_by_role("button", name=t["committee.deliver"]).click()
        page.wait_for_url(re.compile(r"\?done=delivered"))
        expect(page.locator("main")).to_contain_text(s["recommendation"])
        j.go(page, s["m"] + "/council")
        case = page.locator("li", has_text=s["committee_title"])
        case.get_by_label(t["council.field.body"]).fill(s["council_body"])
        case.get_by_label(t["council.field.date"]).fill("2027-10-20")
        case.get_by_role("button", name=t["council.place"]).click()
        page.wait_for_url(re.compile(r"\?done=placed"))
        j.shot(page, f"{s['lang']}-council-placed")
    with person(j, s["lang"]) as page:
        j.login(page, s["politician"])
        j.go(page, s["m"] + "/council")
        case = page.locator("li", has_text=s["committee_title"])
        case.get_by_label(t["decision.adopted_in_part"]).check()
        case.get_by_label(t["council.field.reasons"]).fill(s["reasons"])
        case.get_by_role("button", name=t["council.decide"]).click()
        page.wait_for_url(re.compile(r"\?done=council_decided"))
        j.go(page, s["committee_path"])
        answer_part = page.locator("#answer").locator("..")
        expect(answer_part).to_contain_text(t["decision.adopted_in_part"])
        expect(answer_part).to_contain_text(s["reasons"])
        expect(answer_part).to_contain_text(f"{s['politician_name']} ({s['party']})")
        j.shot(page, f"{s['lang']}-decision-published")
        j.go(page, s["m"] + "/what-became-of-it")
        expect(page.locator("dl.figures")).to_contain_text("1")
        j.shot(page, f"{s['lang']}-what-became-of-it")
    told = {}
    for who, email, naming in s["told"]:
        with person(j, s["lang"]) as page:
            j.login(page, email)
            for _ in range(20):  # notifications follow the event within moments
                j.go(page, "/me/inbox")
                if page.locator("main", has_text=naming).count():
                    break
                page.wait_for_timeout(500)
            expect(page.locator("main")).to_contain_text(naming)
            j.shot(page, f"{s['lang']}-inbox-{who}")
            told[who] = True
    return told


JOURNEYS = {"mission": mission, "draw": draw, "answer": answer}


def main():
    name, spec_path = sys.argv[1], sys.argv[2]
    with open(spec_path, encoding="utf-8") as fh:
        spec = json.load(fh)
    with sync_playwright() as playwright:
        journey = Journey(spec, playwright)
        try:
            result = JOURNEYS[name](journey)
        finally:
            journey.browser.close()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
