"""Browser journey for the municipality's map (issue 21), run as a child process like
driver.py: ``python maps_driver.py map <spec.json>`` prints a JSON result last."""
import json
import re
import sys

from playwright.sync_api import expect, sync_playwright

from driver import Journey


def municipality_map(j):
    result = {}
    for language in ("da", "nb"):
        with j.person(language) as page:
            j.go(page, f"/municipalities/aalborg/map?lang={language}")
            heading = {"da": "Kort over", "nb": "Kart over"}[language]
            expect(page.locator("h1")).to_contain_text(heading)
            # the list alternative: every proposal and place, as links and text
            expect(page.locator("#map-list-proposals a", has_text=j.spec["title"])).to_be_visible()
            expect(page.locator("#map-list-places")).to_contain_text(j.spec["place"])
            # Leaflet came from the gateway itself and put both points on the map, tiles or not
            expect(page.locator("#map")).to_be_visible()
            assert page.evaluate("typeof window.L") == "object"
            expect(page.locator("#map")).to_have_attribute("data-markers", "2")
            sources = page.evaluate("Array.from(document.scripts).map(s => s.src).filter(Boolean)")
            assert all(s.startswith(j.base) for s in sources), sources
            # keyboard: the map region and a marker are reached with Tab; Enter opens its link
            page.locator("h1").click()
            reached = []
            for _ in range(60):
                page.keyboard.press("Tab")
                focused = page.evaluate("document.activeElement.id || document.activeElement.getAttribute('title') || ''")
                reached.append(focused)
                if focused == j.spec["title"]:
                    break
            assert "map" in reached and j.spec["title"] in reached, reached
            page.keyboard.press("Enter")
            expect(page.locator(".leaflet-popup-content a", has_text=j.spec["title"])).to_be_visible()
            j.shot(page, f"map-{language}")
            violations = j.axe(page)
            assert violations == [], json.dumps(violations, ensure_ascii=False)
            result[language] = {"reached": len(reached), "violations": len(violations)}
            page.locator(".leaflet-popup-content a").click()
            page.wait_for_url(re.compile(r"/proposals/"))
    return result


def propose_with_a_point(j):
    """A resident proposes, picking the place on the map in the second step."""
    result = {}
    for language in ("da", "nb"):
        with j.person(language) as page:
            j.login(page, j.spec["resident"])
            j.go(page, f"/municipalities/aalborg/proposals/new?lang={language}")
            title = j.spec["titles"][language]
            page.locator("#f-problem").fill("Børn krydser en bred vej uden lys om morgenen.")
            page.locator("#f-goal").fill("En sikker overgang for alle.")
            page.locator("#f-title").fill(title)
            page.locator("#f-kind-development").check()
            page.locator("button[name=go][value=next]").click()
            picker = page.locator("#picker")
            expect(picker).to_be_visible()
            violations = j.axe(page)
            assert violations == [], json.dumps(violations, ensure_ascii=False)
            # with the keyboard: Tab to the map, an arrow moves it, Enter picks its centre
            picker.focus()
            page.keyboard.press("ArrowRight")
            page.keyboard.press("Enter")
            expect(picker).to_have_attribute("data-picked", re.compile(r"^-?\d+\.\d{6},-?\d+\.\d{6}$"))
            # then a click on the map moves the point where the click was
            box = picker.bounding_box()
            page.mouse.click(box["x"] + box["width"] * 0.4, box["y"] + box["height"] * 0.6)
            latitude, longitude = page.locator("#f-latitude").input_value(), page.locator("#f-longitude").input_value()
            assert picker.get_attribute("data-picked") == f"{latitude},{longitude}"
            j.shot(page, f"picker-{language}")
            page.locator("button[name=go][value=next]").click()
            page.locator("button[name=go][value=next]").click()
            page.locator("#f-level-involve").check()
            page.locator("button[name=go][value=next]").click()
            page.locator("button[name=go][value=submit]").click()
            page.wait_for_url(re.compile(r"/proposals/[0-9a-f-]{36}"))
            proposal_id = re.search(r"/proposals/([0-9a-f-]{36})", page.url).group(1)
            result[language] = {"id": proposal_id, "latitude": float(latitude), "longitude": float(longitude),
                                "violations": len(violations)}
    return result


def place_with_a_point(j):
    """Staff add a meeting place, picking its point on the map with the keyboard."""
    with j.person("da") as page:
        j.login(page, j.spec["staff"])
        j.go(page, "/municipalities/aalborg/meeting-places?lang=da")
        page.locator("#f-name").fill(j.spec["place"])
        page.locator("#f-address").fill("Rendsburggade 2, 9000 Aalborg")
        page.locator("#f-capacity").fill("80")
        picker = page.locator("#picker")
        expect(picker).to_be_visible()
        picker.focus()
        page.keyboard.press("Enter")
        latitude, longitude = page.locator("#f-latitude").input_value(), page.locator("#f-longitude").input_value()
        assert latitude and longitude
        violations = j.axe(page)
        assert violations == [], json.dumps(violations, ensure_ascii=False)
        picker.locator("xpath=ancestor::form").locator("button[type=submit]").click()
        page.wait_for_url(re.compile(r"done=saved"))
        return {"latitude": float(latitude), "longitude": float(longitude), "violations": len(violations)}


JOURNEYS = {"map": municipality_map, "propose": propose_with_a_point, "place": place_with_a_point}

if __name__ == "__main__":
    with open(sys.argv[2], encoding="utf-8") as fh:
        spec = json.load(fh)
    with sync_playwright() as playwright:
        journey = Journey(spec, playwright)
        try:
            print(json.dumps(JOURNEYS[sys.argv[1]](journey)))
        finally:
            journey.browser.close()
