"""The page for one's private calendar feed (real gateway and meetings service)."""
import re
from html import unescape

import pytest

from gateway.tests.support import Visitor, make_account, start_platform

pytestmark = pytest.mark.integration


@pytest.fixture
def platform(runner_factory, make_config):
    return start_platform(runner_factory, make_config, services=("meetings",))


def test_a_resident_makes_a_calendar_address_which_works_until_a_new_one_is_made(platform):
    base, config = platform
    make_account(config, "ragnhild@example.org", "resident", municipality="volda", language="nn")
    nn = Visitor(base, accept_language="nn")
    nn.login("ragnhild@example.org")
    page = nn.get("/me/calendar")
    assert page.status_code == 200 and "Lag kalenderadressa mi" in page.text and "/api/v1/calendar/" not in page.text
    assert 'href="/me/calendar" aria-current="page"' in page.text

    made = nn.post("/me/calendar", {}, token_from="/me/calendar")
    assert made.status_code == 200 and made.headers["Cache-Control"] == "no-store"
    url = unescape(re.search(r'id="f-feed" type="text" readonly value="([^"]+)"', made.text).group(1))
    assert "/api/v1/calendar/" in url and url.endswith(".ics")
    assert 'href="webcal://' in made.text
    path = url[url.index("/api/v1/"):]
    feed = nn.http.get(base + path)
    assert feed.status_code == 200 and feed.headers["Content-Type"].startswith("text/calendar")
    assert "BEGIN:VCALENDAR" in feed.text

    nn.post("/me/calendar", {}, token_from="/me/calendar")
    assert nn.http.get(base + path).status_code == 404, "the old address stops"


def test_a_refused_page_says_so_in_the_reader_s_language_only(platform):
    base, config = platform
    make_account(config, "kari@example.org", "resident", municipality="hamar", language="nb")
    nb = Visitor(base, accept_language="nb")
    nb.login("kari@example.org")
    refused = nb.get("/operator")
    assert refused.status_code == 403 and '<html lang="nb">' in refused.text
    assert 'lang="en"' not in refused.text.split("<main", 1)[1], "no English on a Norwegian page"
    english = nb.get("/operator?lang=en")
    assert english.status_code == 403 and '<html lang="en">' in english.text
