"""Browser journey for pictures and files on the meeting page (issue 21), run as a child
process through ``driver.run``: ``python meeting_attachments_driver.py upload <spec.json>``
prints a JSON result last."""
import json
import re

from playwright.sync_api import expect

from driver import run

WORDS = {
    "da": {"section": "Billeder og filer", "add": "Tilføj et billede eller en fil", "report": "Anmeld",
           "no_alt": "Beskriv billedet for dem, der ikke kan se det.", "done": "Billedet eller filen er tilføjet.",
           "reported": "Tak. Kommunen ser på det."},
    "nb": {"section": "Bilder og filer", "add": "Legg til et bilde eller en fil", "report": "Rapporter",
           "no_alt": "Beskriv bildet for dem som ikke kan se det.", "done": "Bildet eller filen er lagt til.",
           "reported": "Takk. Kommunen ser på det."},
}


def _clean(j, page):
    violations = j.axe(page)
    assert violations == [], json.dumps(violations, ensure_ascii=False)
    return len(violations)


def upload(j):
    """The meeting's organiser adds a photo (refused without a description, in the error
    summary, then shown with its alt text); a resident sees no upload form and reports
    it; staff hide the Danish one.  axe-core on every page seen."""
    result = {}
    for language, meeting_id in j.spec["meetings"].items():
        words, alt = WORDS[language], j.spec["alts"][language]
        path = f"/municipalities/aalborg/meetings/{meeting_id}?lang={language}"
        seen = 0
        with j.person(language) as page:
            j.login(page, j.spec["organiser"])
            j.go(page, path)
            expect(page.locator("h2#attachments")).to_have_text(words["section"])
            page.locator("section.attachments summary", has_text=words["add"]).click()
            page.locator("#f-file").set_input_files(j.spec["photo"])
            page.locator("section.attachments form[enctype] button[type=submit]").click()
            page.wait_for_load_state()
            expect(page.locator(".error-summary")).to_contain_text(words["no_alt"])
            expect(page.locator("#e-alt")).to_have_text(words["no_alt"])
            seen += _clean(j, page)
            j.shot(page, f"meeting-attachments-refused-{language}")
            page.locator("#f-file").set_input_files(j.spec["photo"])
            page.locator("#f-alt").fill(alt)
            page.locator("#f-caption").fill(j.spec["captions"][language])
            page.locator("section.attachments form[enctype] button[type=submit]").click()
            page.wait_for_url(re.compile(r"done=attachment_added"))
            expect(page.get_by_text(words["done"])).to_be_visible()
            image = page.locator("section.attachments img")
            expect(image).to_have_attribute("alt", alt)
            image.scroll_into_view_if_needed()
            page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
            natural = image.evaluate("img => [img.naturalWidth, img.naturalHeight]")
            src = image.get_attribute("src")
            seen += _clean(j, page)
            j.shot(page, f"meeting-attachments-{language}")
        with j.person(language) as page:  # a resident: no form to attach, a form to report
            j.login(page, j.spec["resident"])
            j.go(page, path)
            expect(page.locator("section.attachments img")).to_have_attribute("alt", alt)
            expect(page.locator("section.attachments form[enctype]")).to_have_count(0)
            page.locator("section.attachments summary", has_text=words["report"]).click()
            page.locator("section.attachments textarea[name=reason]").fill(j.spec["reasons"][language])
            page.locator("section.attachments form[action$='/report'] button[type=submit]").click()
            page.wait_for_url(re.compile(r"done=reported"))
            expect(page.get_by_text(words["reported"])).to_be_visible()
            seen += _clean(j, page)
        with j.person(language) as page:  # anyone
            j.go(page, path)
            expect(page.locator("section.attachments figcaption")).to_have_text(j.spec["captions"][language])
            seen += _clean(j, page)
        result[language] = {"src": src, "natural": natural, "violations": seen}
    # The municipality's staff hide the Danish picture from the page's own form.
    with j.person("da") as page:
        j.login(page, j.spec["staff"])
        j.go(page, f"/municipalities/aalborg/meetings/{j.spec['meetings']['da']}?lang=da")
        page.locator("section.attachments summary", has_text="Skjul").click()
        page.locator("section.attachments textarea[name=reason]").fill("Et barn kan genkendes")
        page.locator("section.attachments form[action$='/hide'] button[type=submit]").click()
        page.wait_for_url(re.compile(r"done=attachment_hidden"))
        expect(page.locator("section.attachments")).to_contain_text("Et barn kan genkendes")
        _clean(j, page)
        j.shot(page, "meeting-attachments-hidden-staff")
    result["hidden"] = True
    return result


JOURNEYS = {"upload": upload}


if __name__ == "__main__":
    run(JOURNEYS)
