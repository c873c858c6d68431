"""Browser journeys for the municipality's map (issue 21), run as a child process like
driver.py: ``python maps_driver.py map|propose|place|area|area_map <spec.json>`` prints a
JSON result last."""
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


def draw_area(page, picker, draw):
    """Press "Draw the area", add the map's centre with Enter, three corners with clicks, then "Close"."""
    draw.click()
    expect(draw).to_have_attribute("aria-pressed", "true")
    picker.focus()
    page.keyboard.press("Enter")  # the map's centre is the first corner
    box = picker.bounding_box()
    for x, y in ((0.8, 0.5), (0.8, 0.8), (0.5, 0.8)):
        page.mouse.click(box["x"] + box["width"] * x, box["y"] + box["height"] * y)
    expect(picker).to_have_attribute("data-corners", "4")
    expect(page.locator("#area-status")).to_contain_text("4")
    page.locator("#area-close").click()
    expect(picker).to_have_attribute("data-closed", "yes")
    expect(draw).to_have_attribute("aria-pressed", "false")


def propose_with_an_area(j):
    """A resident proposes, drawing the area on the map in the second step: one corner with the
    keyboard (Enter on the focused map takes its centre), three with clicks, then "Close"; in
    Norwegian she then changes it on the edit page by typing in the area's field."""
    result = {}
    for language in ("da", "nb"):
        with j.person(language) as page:
            j.login(page, j.spec["resident"])
            j.go(page, f"/municipalities/aalborg/proposals/new?lang={language}")
            title = j.spec["titles"][language]
            page.locator("#f-problem").fill("Parken er mørk og utryg om aftenen.")
            page.locator("#f-goal").fill("En park, folk bruger hele dagen.")
            page.locator("#f-title").fill(title)
            page.locator("#f-kind-development").check()
            page.locator("button[name=go][value=next]").click()
            picker, draw = page.locator("#picker"), page.locator("#area-draw")
            expect(draw).to_be_visible()
            expect(draw).to_have_attribute("aria-pressed", "false")
            # Drawn on the whole country, the area is too large: the step says so at the field
            draw_area(page, picker, draw)
            page.locator("button[name=go][value=next]").click()
            expect(page.locator("#e-boundary")).to_contain_text("100 km")
            expect(page.locator("#f-boundary")).to_have_attribute("aria-invalid", "true")
            expect(picker).to_have_attribute("data-corners", "4")  # the corners are kept and drawn again
            page.locator("#area-clear").click()
            expect(page.locator("#f-boundary")).to_have_value("")
            picker.focus()
            for _ in range(6):  # zoom in with the keyboard, as Leaflet's own keys do
                page.keyboard.press("Equal")
                page.wait_for_timeout(300)
            draw_area(page, picker, draw)
            corners = [line for line in page.locator("#f-boundary").input_value().splitlines() if line.strip()]
            assert len(corners) == 4 and all(re.fullmatch(r"-?\d+\.\d{6}, -?\d+\.\d{6}", c) for c in corners), corners
            # the outline is on the map, and no point was picked: the area's centre will be the point
            assert page.locator("#picker path.leaflet-interactive").count() == 1
            assert page.locator("#f-latitude").input_value() == ""
            j.shot(page, f"area-{language}")
            violations = j.axe(page)
            assert violations == [], json.dumps(violations, ensure_ascii=False)
            page.locator("button[name=go][value=next]").click()
            page.locator("button[name=go][value=next]").click()
            page.locator("#f-level-involve").check()
            page.locator("button[name=go][value=next]").click()
            expect(page.locator("dl")).to_contain_text({"da": "Område med 4 hjørner", "nb": "Område med 4 hjørner"}[language])
            page.locator("button[name=go][value=submit]").click()
            page.wait_for_url(re.compile(r"/proposals/[0-9a-f-]{36}"))
            proposal_id = re.search(r"/proposals/([0-9a-f-]{36})", page.url).group(1)
            # the proposal's own page draws the area, and says it in words
            expect(page.locator("#map")).to_have_attribute("data-areas", "1")
            expect(page.locator(".map-area")).to_contain_text("4")
            page_violations = j.axe(page)
            assert page_violations == [], json.dumps(page_violations, ensure_ascii=False)
            if language == "nb":
                # its initiator changes it on the edit page without the mouse: one corner less, typed
                j.go(page, f"/municipalities/aalborg/proposals/{proposal_id}/edit?lang=nb")
                expect(page.locator("#picker")).to_have_attribute("data-corners", "4")
                field = page.locator("#f-boundary")
                corners = [line for line in field.input_value().splitlines() if line.strip()][:3]
                field.fill("\n".join(corners))
                edit_violations = j.axe(page)
                assert edit_violations == [], json.dumps(edit_violations, ensure_ascii=False)
                page.locator("form[action$='/edit'] button[type=submit]").click()
                page.wait_for_url(re.compile(r"done=proposal_saved"))
                expect(page.locator(".map-area")).to_contain_text("3")
                expect(page.locator("#map")).to_have_attribute("data-areas", "1")
            result[language] = {"id": proposal_id, "corners": [[float(v) for v in c.split(", ")] for c in corners],
                                "violations": len(violations) + len(page_violations)}
    return result


def map_with_areas(j):
    """The map page draws each proposal's area as its outline; the list says it has one."""
    result = {}
    for language in ("da", "nb"):
        with j.person(language) as page:
            j.go(page, f"/municipalities/aalborg/map?lang={language}")
            expect(page.locator("#map")).to_be_visible()
            expect(page.locator("#map")).to_have_attribute("data-areas", str(len(j.spec["titles"])))
            assert page.locator("#map .leaflet-overlay-pane path").count() == len(j.spec["titles"])
            for title in j.spec["titles"].values():
                item = page.locator("#map-list-proposals li", has_text=title)
                expect(item.locator(".map-area")).to_be_visible()
            j.shot(page, f"map-areas-{language}")
            violations = j.axe(page)
            assert violations == [], json.dumps(violations, ensure_ascii=False)
            result[language] = {"violations": len(violations)}
    return result


JOURNEYS = {"map": municipality_map, "propose": propose_with_a_point, "place": place_with_a_point,
            "area": propose_with_an_area, "area_map": map_with_areas}

if __name__ == "__main__":
    with open(sys.argv[2], encoding="utf-8") as fh:
        spec = json.load(fh)
    with sync_playwright() as playwright:
        journey = Journey(spec, playwright)
        try:
            print(json.dumps(JOURNEYS[sys.argv[1]](journey)))
        finally:
            journey.browser.close()
