"""The message catalogue: every entry translated in every language, none left in
English on a Danish or Norwegian page (fast, reads the .po files)."""
import os
import re

import pytest

from gateway.web import messages

# Words that are the same in English and the language, checked by a native reader.
SAME_AS_ENGLISH = {
    ("da", "Status"): "Danish uses the Latin word too",
    ("nb", "Status"): "bokmål uses the Latin word too",
    ("nn", "Status"): "nynorsk uses the Latin word too",
    ("da", "Online"): "the Danish word for a meeting on the internet",
    ("da", "E-mail"): "Danish writes e-mail (Norwegian has e-post)",
    ("da", "Mission"): "Danish word (the council's mission)",
    ("da", "Send link"): "Danish imperative 'send' and the Danish noun 'link'",
    ("da", "Version {n}"): "Danish spells version as English does",
}


@pytest.fixture(scope="module")
def catalogues():
    return {lang: messages.read_catalogue(lang) for lang in messages.LANGUAGES}


def _texts(message):
    return list(message.string) if message.pluralizable else [message.string]


def test_every_language_has_exactly_the_same_entries(catalogues):
    ids = {lang: {m.id if not m.pluralizable else m.id[0] for m in cat if m.id}
           for lang, cat in catalogues.items()}
    for lang in messages.LANGUAGES:
        assert ids[lang] - ids["en"] == set(), f"{lang} has entries English lacks"
        assert ids["en"] - ids[lang] == set(), f"{lang} lacks entries"


def test_no_entry_is_missing_empty_or_fuzzy(catalogues):
    bad = [(lang, m.id) for lang, cat in catalogues.items() for m in cat
           if m.id and (m.fuzzy or not all(t and t.strip() for t in _texts(m)))]
    assert bad == []


def test_no_danish_or_norwegian_entry_is_left_in_english(catalogues):
    english = {(m.id if not m.pluralizable else m.id[0]): _texts(m) for m in catalogues["en"] if m.id}
    untranslated = []
    for lang in ("da", "nb", "nn"):
        for m in catalogues[lang]:
            if not m.id:
                continue
            key = m.id if not m.pluralizable else m.id[0]
            for text, theirs in zip(_texts(m), english[key]):
                if text == theirs and (lang, text) not in SAME_AS_ENGLISH:
                    untranslated.append((lang, key, text))
    assert untranslated == []
    # An allow-list entry that no longer matches anything is dropped, not kept "just in case".
    used = {(lang, t) for lang in ("da", "nb", "nn") for m in catalogues[lang] if m.id for t in _texts(m)}
    assert set(SAME_AS_ENGLISH) <= used


def test_placeholders_and_plurals_agree_with_english(catalogues):
    english = {(m.id if not m.pluralizable else m.id[0]): m for m in catalogues["en"] if m.id}
    for lang in ("da", "nb", "nn"):
        for m in catalogues[lang]:
            if not m.id:
                continue
            theirs = english[m.id if not m.pluralizable else m.id[0]]
            assert m.pluralizable == theirs.pluralizable, m.id
            names = {frozenset(re.findall(r"\{(\w+)\}", t)) for t in _texts(m) + _texts(theirs)}
            # a singular may say "1" where the plural says "{n}"
            assert len({n - {"n"} for n in names}) == 1, (lang, m.id)


def test_the_catalogue_compiles_with_babel_and_counts_follow_each_language():
    translations, table = messages.load()
    assert translations["nn"].ungettext("proposal.supporters", "proposal.supporters", 0) == "{n} støttarar"
    assert translations["da"].ungettext("proposal.supporters", "proposal.supporters", 1) == "1 støtter"
    assert table["nav.login"] == ("Log ind", "Logg inn", "Logg inn", "Sign in")


def test_there_is_one_store_of_page_words():
    # The old pipe-separated table is gone; a second store would drift from the catalogue.
    assert not os.path.exists(os.path.join(messages.LOCALES, "messages.txt"))
