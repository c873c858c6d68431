"""The meeting planner's format suggestions in the page's language (fast, no I/O):
the meetings service's catalogue is English, the page is not."""
import re

import pytest

from gateway.web import i18n
from gateway.web.views import meetings as views
from meetings.formats import CATALOGUE, suggest


class FakePage:
    def __init__(self, lang):
        self.lang = lang

    def _(self, key, **values):
        return i18n.translate(self.lang, key, **values)


ENGLISH = re.compile(r"\b(serves|people|expected|hours|months|the|panel|POST)\b")


@pytest.mark.parametrize("lang", ["da", "nb", "nn"])
def test_every_format_is_named_described_and_explained_without_english(lang):
    page = FakePage(lang)
    for found in suggest("collaborate", 30, "development"):
        fmt = found["details"]
        text = views._format_text(page, fmt)
        assert text is not None, fmt["id"]
        lines = [views._format_name(page, fmt), text["description"]] + views._why(page, fmt, "collaborate", "30",
                                                                                  "development")
        assert len(lines) >= 5
        for line in lines:
            assert not ENGLISH.search(line), (lang, fmt["id"], line)
    assert len(suggest()) == len(CATALOGUE)


def test_the_reasons_follow_the_facts_of_the_format():
    page = FakePage("nb")
    workshop = next(f["details"] for f in suggest() if f["format"] == "theme_workshop")
    why = views._why(page, workshop, "collaborate", "12", "policy")
    assert why[0] == "Nivået «Samarbeide» er kjerneformålet"
    assert why[1] == "Passer for 12 deltakere (typisk 8–30)"
    assert why[2] == "Brukes til forslag av typen «Politikk»"
    assert why[3] == "Deltakere: invitert av arrangøren eller en vert; 3–4 timer"
    panel = next(f["details"] for f in suggest() if f["format"] == "citizen_panel")
    assert "/municipalities/" not in " ".join(views._why(FakePage("da"), panel, None, None, None))
