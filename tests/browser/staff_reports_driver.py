"""Browser journey of the staff's one list of open reports (issues 15 and 21), in the
language the spec names: run as ``python staff_reports_driver.py reports <spec.json>``
like ``driver.py`` (whose :class:`Journey` it uses).  ``spec["t"]`` holds the page texts.

A staff member finds the notice of a reported comment under a meeting in the inbox and
its link opens that very comment; the staff page lists what waits (a question, a comment
under the proposal, the comment under the meeting) with an excerpt and the reporters'
reasons; they dismiss the meeting comment's reports and hide the proposal comment from
the list's own forms, each leaving the list; the hidden text is gone for everyone.
axe-core scans the inbox, the thread at the comment and the staff page before and after."""
import re

from playwright.sync_api import expect

from driver import run


def reports(j):
    s, t = j.spec, j.spec["t"]
    m = f"/municipalities/{s['m']}"
    found = {"violations": {}}

    with j.person(s["lang"]) as page:
        j.login(page, s["staff"])
        for _ in range(60):  # the notice travels through the broker to notifications
            j.go(page, "/me/inbox")
            if s["notice"] in page.locator("main").inner_text():
                break
            page.wait_for_timeout(500)
        found["violations"]["inbox"] = j.axe(page)
        j.shot(page, f"{s['lang']}-staff-inbox")
        page.get_by_role("link", name=s["notice"]).first.click()
        page.wait_for_url(re.compile(re.escape(f"/comments#c-{s['meeting_comment']}") + "$"))
        expect(page.locator(f"#c-{s['meeting_comment']}")).to_contain_text(s["meeting_text"])
        found["violations"]["thread"] = j.axe(page)
        j.shot(page, f"{s['lang']}-staff-at-the-comment")

        j.go(page, m + "/staff")
        section = page.locator("section[aria-labelledby=reports]")
        items = section.locator("ul.reports > li")
        expect(items).to_have_count(3)
        comment = page.locator(f"#r-comment-{s['comment']}")
        expect(comment).to_contain_text(t["moderation.kind.comment"])
        expect(comment).to_contain_text(s["comment_text"])
        expect(comment).to_contain_text(s["reasons"][0])
        expect(comment).to_contain_text(s["reasons"][1])
        meeting = page.locator(f"#r-meeting_comment-{s['meeting_comment']}")
        expect(meeting).to_contain_text(t["moderation.kind.meeting_comment"])
        expect(meeting).to_contain_text(s["meeting_title"])
        expect(page.locator(f"#r-question-{s['question']}")).to_contain_text(s["question_text"])
        found["listed"] = items.count()
        found["violations"]["list"] = j.axe(page)
        j.shot(page, f"{s['lang']}-staff-reports")

        # nothing to hide under the meeting: dismiss (the default choice)
        meeting.get_by_label(t["moderation.dismiss"]).check()
        meeting.get_by_role("button", name=t["report.decide"]).click()
        page.wait_for_url(re.compile(r"done=decided"))
        expect(page.locator("main")).to_contain_text(t["done.decided"])
        expect(page.locator(f"#r-meeting_comment-{s['meeting_comment']}")).to_have_count(0)

        # the comment under the proposal: hide it, with the reason everyone sees
        comment = page.locator(f"#r-comment-{s['comment']}")
        comment.get_by_label(t["report.hide"]).check()
        comment.get_by_label(t["proposal.reason"]).fill(s["hide_reason"])
        comment.get_by_role("button", name=t["report.decide"]).click()
        page.wait_for_url(re.compile(r"done=decided"))
        expect(page.locator(f"#r-comment-{s['comment']}")).to_have_count(0)
        expect(page.locator("section[aria-labelledby=reports] ul.reports > li")).to_have_count(1)
        found["violations"]["after"] = j.axe(page)
        j.shot(page, f"{s['lang']}-staff-reports-settled")

    with j.person(s["lang"]) as page:
        j.go(page, f"{m}/proposals/{s['proposal']}/comments")
        expect(page.locator("main")).to_contain_text(s["hide_reason"])
        found["hidden_for_anyone"] = s["comment_text"] not in page.locator("main").inner_text()
        j.go(page, f"{m}/meetings/{s['meeting']}/comments")
        found["dismissed_stays"] = s["meeting_text"] in page.locator("main").inner_text()
    return found


JOURNEYS = {"reports": reports}


if __name__ == "__main__":
    run(JOURNEYS)
