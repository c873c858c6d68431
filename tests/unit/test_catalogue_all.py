"""Every gettext catalogue of the platform (the gateway's pages, notifications' e-mails
and inbox, meetings' calendars and formats): the same entries in da, nb, nn and en,
none missing, empty or fuzzy, none left in English in Danish or Norwegian, and the
same placeholders as English.  Fast: reads the .po files."""
import os
import re

import pytest

from samskab import i18n

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CATALOGUES = {
    "gateway": (os.path.join(ROOT, "services", "gateway", "web", "locales"), "messages"),
    "notifications": (os.path.join(ROOT, "services", "notifications", "locales"), "notifications"),
    "meetings": (os.path.join(ROOT, "services", "meetings", "locales"), "meetings"),
}
OTHERS = ("da", "nb", "nn")

# (catalogue, language, text) the same as in English, each checked by a reader of the language.
SAME_AS_ENGLISH = {
    ("gateway", "da", "Status"): "Danish uses the Latin word too",
    ("gateway", "nb", "Status"): "bokmål uses the Latin word too",
    ("gateway", "nn", "Status"): "nynorsk uses the Latin word too",
    ("gateway", "da", "Online"): "the Danish word for a meeting on the internet",
    ("gateway", "da", "E-mail"): "Danish writes e-mail (Norwegian has e-post)",
    ("gateway", "da", "Mission"): "Danish word (the council's mission)",
    ("gateway", "da", "Send link"): "Danish imperative 'send' and the Danish noun 'link'",
    ("gateway", "da", "Version {n}"): "Danish spells version as English does",
    # a line that is only the outcome's own text: no words of ours to translate
    ("notifications", "da", "{text}"): "the outcome as staff wrote it",
    ("notifications", "nb", "{text}"): "the outcome as staff wrote it",
    ("notifications", "nn", "{text}"): "the outcome as staff wrote it",
}


def _key(message):
    return message.id[0] if message.pluralizable else message.id


def _texts(message):
    return list(message.string) if message.pluralizable else [message.string]


@pytest.fixture(scope="module", params=sorted(CATALOGUES))
def catalogue(request):
    locales, domain = CATALOGUES[request.param]
    return request.param, {lang: i18n.read_catalogue(locales, domain, lang) for lang in i18n.LANGUAGES}


def test_every_language_has_the_same_entries_none_empty_or_fuzzy(catalogue):
    name, by_lang = catalogue
    ids = {lang: {_key(m) for m in cat if m.id} for lang, cat in by_lang.items()}
    assert ids["en"], name
    for lang in OTHERS:
        assert ids[lang] ^ ids["en"] == set(), (name, lang)
    bad = [(lang, m.id) for lang, cat in by_lang.items() for m in cat
           if m.id and (m.fuzzy or not all(t and t.strip() for t in _texts(m)))]
    assert bad == [], name


def test_no_danish_or_norwegian_entry_is_left_in_english(catalogue):
    name, by_lang = catalogue
    english = {_key(m): _texts(m) for m in by_lang["en"] if m.id}
    untranslated = [(name, lang, _key(m), text) for lang in OTHERS for m in by_lang[lang] if m.id
                    for text, theirs in zip(_texts(m), english[_key(m)])
                    if text == theirs and (name, lang, text) not in SAME_AS_ENGLISH]
    assert untranslated == []


def test_the_allow_list_names_only_entries_that_exist():
    used = set()
    for name, (locales, domain) in CATALOGUES.items():
        for lang in OTHERS:
            used |= {(name, lang, t) for m in i18n.read_catalogue(locales, domain, lang) if m.id for t in _texts(m)}
    assert set(SAME_AS_ENGLISH) <= used


def test_placeholders_and_plurals_agree_with_english(catalogue):
    name, by_lang = catalogue
    english = {_key(m): m for m in by_lang["en"] if m.id}
    for lang in OTHERS:
        for m in by_lang[lang]:
            if not m.id:
                continue
            theirs = english[_key(m)]
            assert m.pluralizable == theirs.pluralizable, (name, m.id)
            names = {frozenset(re.findall(r"\{(\w+)\}", t)) for t in _texts(m) + _texts(theirs)}
            assert len({n - {"n"} for n in names}) == 1, (name, lang, m.id)  # a singular may say "1"


def test_every_service_reads_its_catalogue_through_the_shared_loader():
    from gateway.web import messages as pages
    from meetings import formats
    from notifications import messages as mails
    for catalogue in (pages.CATALOGUE, formats.WORDS, mails.CATALOGUE):
        assert isinstance(catalogue, i18n.Catalogue)
        assert set(catalogue.translations) == set(i18n.LANGUAGES)


def test_a_word_two_services_show_is_the_same_in_both():
    """The status names in mails are the pages' names; a format's words in the API and
    the calendar are the planner page's."""
    from gateway.web import messages as pages
    from meetings import formats
    from notifications import messages as mails
    shown = pages.CATALOGUE.table()
    for lang_index, lang in enumerate(i18n.LANGUAGES):
        for status in mails.STATUSES:
            assert mails.STATUS_NAMES[lang][status] == shown[f"status.{status}"][lang_index], (lang, status)
        for fmt in formats.CATALOGUE:
            words = formats.texts(fmt, lang)
            for part in ("name", "description", "duration"):
                assert words[part] == shown[f"format.{fmt.id}.{part}"][lang_index], (lang, fmt.id, part)
            assert words["notes"] == [shown[f"format.{fmt.id}.note.{i}"][lang_index] for i in range(len(fmt.notes))]
            assert words["recruitment"] == shown[f"format.recruitment.{fmt.recruitment}"][lang_index]
