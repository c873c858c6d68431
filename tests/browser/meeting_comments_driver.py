"""Browser journey of a meeting's comment thread (issue 21), in the language the spec
names: run as ``python meeting_comments_driver.py thread <spec.json>`` like
``driver.py`` (whose :class:`Journey` it uses).  ``spec["t"]`` holds the page texts.

A resident opens the thread from the meeting's page and comments (against); a
neighbour replies under it; the municipality's staff hide the reply with the page's
own form; the first commenter finds the notice of the reply in the inbox.  axe-core
scans the thread page as an anonymous reader, as the commenter, as the replier and as
staff (with the hide forms)."""
import re

from playwright.sync_api import expect

from driver import run


def thread(j):
    s, t = j.spec, j.spec["t"]
    path = s["meeting_path"]
    found = {"violations": {}}

    with j.person(s["lang"]) as page:
        j.go(page, path + "/comments")
        expect(page.locator("main")).to_contain_text(t["comments.sign_in"])
        expect(page.locator("main")).to_contain_text(t["comments.none"])
        found["violations"]["anonymous"] = j.axe(page)
        j.shot(page, f"{s['lang']}-meeting-thread-anonymous")

    with j.person(s["lang"]) as page:
        j.login(page, s["first"])
        j.go(page, path)
        page.get_by_role("link", name=t["meeting_comments.link"]).click()
        page.wait_for_url(re.compile(r"/comments$"))
        page.get_by_label(t["comments.new.label"]).fill(s["comment"])
        page.get_by_label(t["comments.alignment.against"], exact=True).check()
        page.get_by_role("button", name=t["comments.submit"]).click()
        page.wait_for_url(re.compile(r"done=commented"))
        expect(page.locator("main")).to_contain_text(t["done.commented"])
        expect(page.locator("main .comment-body")).to_have_text(s["comment"])
        expect(page.locator("main")).to_contain_text(t["comments.alignment.against"])
        found["violations"]["commenter"] = j.axe(page)
        j.shot(page, f"{s['lang']}-meeting-thread-commented")

    with j.person(s["lang"]) as page:
        j.login(page, s["second"])
        j.go(page, path + "/comments")
        page.get_by_label(t["comments.reply.label"]).first.fill(s["reply"])
        page.get_by_role("button", name=t["comments.reply.submit"]).first.click()
        page.wait_for_url(re.compile(r"done=replied"))
        expect(page.locator("main .replies .comment-body")).to_have_text(s["reply"])
        found["violations"]["replier"] = j.axe(page)
        j.shot(page, f"{s['lang']}-meeting-thread-replied")

    with j.person(s["lang"]) as page:
        j.login(page, s["first"])
        for _ in range(40):  # the notice travels through the broker to notifications
            j.go(page, "/me/inbox")
            if s["notice"] in page.locator("main").inner_text():
                break
            page.wait_for_timeout(500)
        expect(page.locator("main")).to_contain_text(s["notice"])
        j.shot(page, f"{s['lang']}-meeting-inbox")
        found["told"] = True

    with j.person(s["lang"]) as page:
        j.login(page, s["staff"])
        j.go(page, path + "/comments")
        reply = page.locator("main .replies .comment").first
        reply.get_by_text(t["meeting_comments.hide"]).click()
        reply.get_by_label(t["meeting_comments.hide.label"]).fill(s["reason"])
        reply.get_by_role("button", name=t["meeting_comments.hide.submit"]).click()
        page.wait_for_url(re.compile(r"done=comment_hidden"))
        expect(page.locator("main")).to_contain_text(t["done.comment_hidden"])
        expect(page.locator("main")).not_to_contain_text(s["reply"])
        expect(page.locator("main .replies")).to_contain_text(s["reason"])
        found["violations"]["staff"] = j.axe(page)
        j.shot(page, f"{s['lang']}-meeting-thread-hidden")

    with j.person(s["lang"]) as page:
        j.go(page, path + "/comments")
        expect(page.locator("main .comment-body")).to_have_text(s["comment"])
        found["hidden_for_anyone"] = s["reply"] not in page.locator("main").inner_text()
    return found


JOURNEYS = {"thread": thread}


if __name__ == "__main__":
    run(JOURNEYS)
