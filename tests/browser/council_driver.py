"""Browser journeys of political leadership (issue 22), in the language the spec
names: run as ``python council_driver.py <journey> <spec.json>`` like ``driver.py``
(whose :class:`Journey` it uses).  ``spec["t"]`` holds the page texts in that language.

* ``mission``: a politician registers their public office and publishes a mission;
  a resident attaches their proposal to it; a neighbour follows it; staff form a task
  committee with a mandate on the mission and draw its residents by lot.
  Before anyone is seated, staff change the committee's mandate (its deadline).
* ``proposal``: the politician answers a resident's question on the proposal page and
  is named with their party; the proposal (over its support threshold) is put on a
  council meeting and decided; its page shows the mission it works towards and the
  council's answer with reasons; the politician's page lists the answer; the
  politician changes the mission's horizon.
* ``answer``: the committee page shows its meetings held; staff deliver the
  recommendation; the council puts it on a meeting; the politician publishes the
  decision with reasons; the initiator, the follower and a member each find the
  notice naming it in their inbox, in their language.
* ``close``: the committee is closed with a note, then the mission (achieved).

Every journey runs axe-core on the council's pages in the states it brings them to
and returns what it found (``violations``: none expected).
"""
import re
import sys

from contextlib import contextmanager

from playwright.sync_api import expect

from driver import run


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


def scan(j, page, where, found):
    """axe-core on the page as it is now; each violation kept with where it was."""
    lang = page.evaluate("document.documentElement.lang")
    assert lang == j.spec["lang"], f"{where}: html lang {lang}"
    found.setdefault("violations", []).extend({"where": where, **v} for v in j.axe(page))


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
        scan(j, page, "mission (published, politician)", found)
        j.go(page, f"{m}/missions")
        scan(j, page, "missions", found)
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
        scan(j, page, "committee new", found)
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
        scan(j, page, "committee (recruiting, staff)", found)
        # Nobody is seated yet: the mandate may still change.
        page.get_by_role("link", name=t["committee.edit"]).click()
        page.wait_for_url(re.compile(r"/edit$"))
        scan(j, page, "committee edit", found)
        page.locator("#f-deadline").fill("2027-10-31")
        page.get_by_role("button", name=t["committee.edit.save"]).click()
        page.wait_for_url(re.compile(r"\?done=committee_updated"))
        expect(page.locator("#mandate").locator("..")).to_contain_text("2027-10-31")
    with person(j, s["lang"]) as page:  # anyone may read the mission and the committee
        j.go(page, mission_path)
        scan(j, page, "mission (anonymous)", found)
        j.go(page, f"{m}/committees/{found['committee']}")
        scan(j, page, "committee (recruiting, anonymous)", found)
    return found


def proposal(j):
    s, t, m = j.spec, j.spec["t"], j.spec["m"]
    found = {}
    path = f"{m}/proposals/{s['proposal_id']}"
    with person(j, s["lang"]) as page:  # the politician answers the resident's question, as themselves
        j.login(page, s["politician"])
        j.go(page, path)
        page.locator("textarea[name=answer]").fill(s["answer"])
        page.get_by_role("button", name=t["proposal.answer.submit"]).click()
        page.wait_for_url(re.compile(r"\?done=answered"))
        answer = page.locator(".answer", has_text=s["answer"])
        expect(answer).to_contain_text(f"{s['politician_name']}, {s['party']} · {t['answer.politician']}")
        expect(answer).not_to_contain_text(t["capacity.staff"])
        council = page.locator("#council").locator("..")
        expect(council.get_by_role("link", name=s["mission_title"])).to_be_visible()
        expect(council).to_contain_text(t["case.status.awaiting"])
        j.shot(page, f"{s['lang']}-proposal-named-answer")
        scan(j, page, "proposal (case awaiting, politician)", found)
    with person(j, s["lang"]) as page:  # staff put the proposal on the council's meeting
        j.login(page, s["employee"])
        j.go(page, m + "/council")
        case = page.locator("li", has_text=s["proposal_title"])
        case.get_by_label(t["council.field.body"]).fill(s["council_body"])
        case.get_by_label(t["council.field.date"]).fill("2027-11-05")
        case.get_by_role("button", name=t["council.place"]).click()
        page.wait_for_url(re.compile(r"\?done=placed"))
        scan(j, page, "council (placed, staff)", found)
        j.go(page, path)
        expect(page.locator("#council").locator("..")).to_contain_text(s["council_body"])
        scan(j, page, "proposal (case placed, staff)", found)
    with person(j, s["lang"]) as page:  # the politician decides it with reasons
        j.login(page, s["politician"])
        j.go(page, m + "/council")
        case = page.locator("li", has_text=s["proposal_title"])
        case.get_by_label(t["decision.adopted"], exact=True).check()
        case.get_by_label(t["council.field.reasons"]).fill(s["proposal_reasons"])
        case.get_by_role("button", name=t["council.decide"]).click()
        page.wait_for_url(re.compile(r"\?done=council_decided"))
    with person(j, s["lang"]) as page:  # anyone sees the mission and the council's answer on the proposal
        j.go(page, path)
        council = page.locator("#council").locator("..")
        expect(council.get_by_role("link", name=s["mission_title"])).to_be_visible()
        for text in (t["decision.adopted"], s["proposal_reasons"], s["council_body"],
                     f"{s['politician_name']} ({s['party']})"):
            expect(council).to_contain_text(text)
        expect(page.locator(".answer", has_text=s["answer"])).to_contain_text(s["politician_name"])
        j.shot(page, f"{s['lang']}-proposal-decided")
        scan(j, page, "proposal (decided, anonymous)", found)
        page.locator(".answer", has_text=s["answer"]).get_by_role("link", name=s["politician_name"]).click()
        replies = page.locator("#preplies").locator("..")
        expect(replies).to_contain_text(s["answer"])
        expect(replies).to_contain_text(s["question"])
        j.shot(page, f"{s['lang']}-politician-page")
        scan(j, page, "politician (anonymous)", found)
    with person(j, s["lang"]) as page:  # the politician moves the mission's horizon
        j.login(page, s["politician"])
        j.go(page, f"{m}/missions/{s['mission_id']}")
        page.get_by_role("link", name=t["mission.edit"]).click()
        page.wait_for_url(re.compile(r"/edit$"))
        scan(j, page, "mission edit", found)
        page.locator("#f-title").fill("")
        # past the browser's own check (required), as a script-less client would send it: the server's answer
        page.locator("form[action$='/edit']").evaluate("form => { form.noValidate = true; }")
        page.get_by_role("button", name=t["mission.edit.save"]).click()
        expect(page.locator(".error-summary")).to_be_visible()
        scan(j, page, "mission edit (errors)", found)
        page.locator("#f-title").fill(s["mission_title"])
        page.locator("#f-horizon").fill("2032")
        page.get_by_role("button", name=t["mission.edit.save"]).click()
        page.wait_for_url(re.compile(r"\?done=mission_updated"))
        expect(page.locator("main")).to_contain_text(t["mission.horizon"].format(year=2032))
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
    found = {}
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
        scan(j, page, "committee (answered, politician)", found)
        j.go(page, s["m"] + "/what-became-of-it")
        expect(page.locator("dl.figures")).to_contain_text("1")
        j.shot(page, f"{s['lang']}-what-became-of-it")
        scan(j, page, "what became of it", found)
        j.go(page, s["m"] + "/council")
        scan(j, page, "council (decided, politician)", found)
    told = {}
    with person(j, s["lang"]) as page:
        j.go(page, s["committee_path"])
        scan(j, page, "committee (answered, anonymous)", found)
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
    return {"told": told, "violations": found.get("violations", [])}


def close(j):
    s, t = j.spec, j.spec["t"]
    found = {}
    with person(j, s["lang"]) as page:
        j.login(page, s["politician"])
        j.go(page, s["committee_path"])
        page.get_by_role("link", name=t["committee.close"]).click()
        page.wait_for_url(re.compile(r"/edit$"))
        scan(j, page, "committee close form", found)
        page.locator("#f-note").fill(s["closing_note"])
        page.get_by_role("button", name=t["committee.close"]).click()
        page.wait_for_url(re.compile(r"\?done=committee_closed"))
        expect(page.locator(".status").first).to_have_text(t["committee.status.closed"])
        expect(page.locator("main")).to_contain_text(s["closing_note"])
        scan(j, page, "committee (closed)", found)
        j.go(page, f"{s['m']}/missions/{s['mission_id']}/edit")
        page.locator("#f-closed_as").select_option("achieved")
        page.locator("#f-note").fill(s["mission_note"])
        page.get_by_role("button", name=t["mission.close"]).click()
        page.wait_for_url(re.compile(r"\?done=mission_closed"))
        expect(page.locator("main")).to_contain_text(t["mission.status.achieved"])
        expect(page.locator("main")).to_contain_text(s["mission_note"])
        expect(page.get_by_role("link", name=t["mission.edit"])).to_have_count(0)
        j.shot(page, f"{s['lang']}-mission-closed")
        scan(j, page, "mission (closed)", found)
        j.go(page, f"{s['m']}/missions")
        expect(page.locator("#missions").locator("..")).to_contain_text(t["mission.status.achieved"])
        scan(j, page, "missions (one closed)", found)
        j.go(page, f"{s['m']}/politicians/{s['politician_id']}")
        scan(j, page, "politician (missions, committee, decisions, answers)", found)
    return found


JOURNEYS = {"mission": mission, "proposal": proposal, "draw": draw, "answer": answer, "close": close}


if __name__ == "__main__":
    run(JOURNEYS)
