"""Browser journey for pictures and files on the proposal page (issue 21), run as a child
process like driver.py: ``python attachments_driver.py upload <spec.json>`` prints a JSON
result last."""
import json
import re

from playwright.sync_api import expect

from driver import run

WORDS = {
    "da": {"section": "Billeder og filer", "add": "Tilføj et billede eller en fil",
           "no_alt": "Beskriv billedet for dem, der ikke kan se det.", "done": "Billedet eller filen er tilføjet."},
    "nb": {"section": "Bilder og filer", "add": "Legg til et bilde eller en fil",
           "no_alt": "Beskriv bildet for dem som ikke kan se det.", "done": "Bildet eller filen er lagt til."},
}


def upload(j):
    """The initiator adds a photo: first without a description (refused in their language,
    in the error summary), then with one; the thumbnail shows with its alt text."""
    result = {}
    for language, proposal_id in j.spec["proposals"].items():
        words, alt = WORDS[language], j.spec["alts"][language]
        with j.person(language) as page:
            j.login(page, j.spec["initiator"])
            path = f"/municipalities/aalborg/proposals/{proposal_id}"
            j.go(page, f"{path}?lang={language}")
            expect(page.locator("h2#attachments")).to_have_text(words["section"])
            page.locator("section.attachments summary", has_text=words["add"]).click()
            page.locator("#f-file").set_input_files(j.spec["photo"])
            page.locator("section.attachments form[enctype] button[type=submit]").click()
            page.wait_for_load_state()
            summary = page.locator(".error-summary")
            expect(summary).to_be_visible()
            expect(summary).to_contain_text(words["no_alt"])
            expect(page.locator("#e-alt")).to_have_text(words["no_alt"])
            j.shot(page, f"attachments-refused-{language}")
            refused_violations = j.axe(page)
            assert refused_violations == [], json.dumps(refused_violations, ensure_ascii=False)

            page.locator("#f-file").set_input_files(j.spec["photo"])
            page.locator("#f-alt").fill(alt)
            page.locator("#f-caption").fill(j.spec["captions"][language])
            if language == "nb":  # under the proposal's progress update, chosen in the form
                page.locator("#f-attach_to").select_option(index=1)
            page.locator("section.attachments form[enctype] button[type=submit]").click()
            page.wait_for_url(re.compile(r"done=attachment_added"))
            expect(page.get_by_text(words["done"])).to_be_visible()
            image = page.locator("section.attachments img")
            expect(image).to_have_attribute("alt", alt)
            expect(page.locator("section.attachments figcaption")).to_have_text(j.spec["captions"][language])
            if language == "nb":
                expect(page.locator("section.attachments")).to_contain_text("Hører til en oppdatering")
            image.scroll_into_view_if_needed()
            page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
            natural = image.evaluate("img => [img.naturalWidth, img.naturalHeight]")
            j.shot(page, f"attachments-{language}")
            violations = j.axe(page)
            assert violations == [], json.dumps(violations, ensure_ascii=False)
            result[language] = {"src": image.get_attribute("src"), "natural": natural,
                                "violations": len(violations) + len(refused_violations)}
    # The municipality's staff hide the Danish picture from the page's own form.
    with j.person("da") as page:
        j.login(page, j.spec["staff"])
        path = f"/municipalities/aalborg/proposals/{j.spec['proposals']['da']}"
        j.go(page, f"{path}?lang=da")
        page.locator("section.attachments summary", has_text="Skjul").click()
        page.locator("section.attachments textarea[name=reason]").fill("Viser en persons ansigt")
        page.locator("section.attachments form[action$='/hide'] button[type=submit]").click()
        page.wait_for_url(re.compile(r"done=attachment_hidden"))
        expect(page.get_by_text("Billedet eller filen er skjult.")).to_be_visible()
        expect(page.locator("section.attachments")).to_contain_text("Skjult af kommunen: Viser en persons ansigt")
        violations = j.axe(page)
        assert violations == [], json.dumps(violations, ensure_ascii=False)
        j.shot(page, "attachments-hidden-staff")
    with j.person("da") as page:
        j.go(page, f"{path}?lang=da")
        expect(page.locator("h2#attachments")).to_be_visible()
        expect(page.locator("section.attachments img")).to_have_count(0)
    result["hidden"] = True
    return result


JOURNEYS = {"upload": upload}


if __name__ == "__main__":
    run(JOURNEYS)
