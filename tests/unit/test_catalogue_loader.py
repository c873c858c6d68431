"""The one catalogue loader (samskab.i18n): a domain's .po files compiled by Babel in
memory, English behind the other languages, plurals by each language's rule, and
dates and times from Babel's locale data."""
import datetime as dt

import pytest

from samskab import i18n

PO = """msgid ""
msgstr ""
"Language: {lang}\\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\\n"
"Content-Type: text/plain; charset=utf-8\\n"

msgid "greeting"
msgstr "{greeting}"

msgid "supporters"
msgid_plural "supporters"
msgstr[0] "{one}"
msgstr[1] "{other}"
{extra}"""

WORDS = {
    "da": ("Hej {name}", "{n} støtter", "{n} støttere", ""),
    "nb": ("Hei {name}", "{n} støtte", "{n} støttere", ""),  # lacks "only_english"
    "nn": ("Hei {name}", "{n} støttar", "{n} støttarar", ""),
    "en": ("Hello {name}", "{n} supporter", "{n} supporters", 'msgid "only_english"\nmsgstr "Only in English"\n'),
}


@pytest.fixture
def catalogue(tmp_path):
    for lang, (greeting, one, other, extra) in WORDS.items():
        folder = tmp_path / lang / "LC_MESSAGES"
        folder.mkdir(parents=True)
        text = PO.replace("{lang}", lang).replace("{greeting}", greeting).replace("{one}", one)
        (folder / "test.po").write_text(text.replace("{other}", other).replace("{extra}", extra), encoding="utf-8")
    return i18n.Catalogue(str(tmp_path), "test")


def test_words_plurals_and_the_english_fallback(catalogue):
    assert catalogue.gettext("nn", "greeting", name="Sigrid") == "Hei Sigrid"
    assert catalogue.ngettext("da", "supporters", 0) == "0 støttere"
    assert catalogue.ngettext("da", "supporters", 1) == "1 støtter"
    assert catalogue.translate("nn", "supporters", n=2) == "2 støttarar"
    assert catalogue.gettext("nb", "only_english") == "Only in English", "a missing entry falls back to English"
    assert catalogue.gettext("fr", "greeting", name="Zoé") == "Hello Zoé", "an unknown language reads English"
    assert catalogue.translate("da", "no.such.key") == "no.such.key"
    assert catalogue.table()["supporters.one"] == ("{n} støtter", "{n} støtte", "{n} støttar", "{n} supporter")


def test_dates_and_times_the_way_each_language_writes_them():
    moment = dt.datetime(2026, 12, 3, 9, 34, tzinfo=dt.timezone.utc)
    assert i18n.format_datetime(moment, "nb", "Europe/Oslo") == "3. desember 2026 kl. 10.34"
    assert i18n.format_datetime(moment, "da", "Europe/Copenhagen", weekday=True) == "torsdag 3. december 2026 kl. 10.34"
    assert i18n.format_datetime(moment, "en", "Europe/London") == "3 December 2026 at 09:34"
    assert i18n.month_names("da")[11] == "december" and i18n.month_names("en")[11] == "December"
    assert i18n.weekday_names("nn")[0] == "måndag"
