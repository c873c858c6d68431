"""The pages' words in Danish, Norwegian bokmål, Norwegian nynorsk and English.

One gettext catalogue per language, ``locales/<lang>/LC_MESSAGES/messages.po``,
keyed by message id (``nav.skip``, ``proposal.supporters`` …): English is a
translation like the others, not the source text.  Counts are gettext plurals
(``msgid_plural``) chosen by the language's own rule from Babel's locale data.

The ``.po`` files are what people edit; the shared loader (:mod:`samskab.i18n`)
compiles them with Babel to ``.mo`` in memory when this module is imported (a few
milliseconds), so no compiled file is kept in the repository or can fall out of
step with its source.
``tests/test_catalogue.py`` walks the catalogues for missing, empty and
untranslated (identical to English) entries.
"""
import os

from samskab import i18n
from samskab.i18n import LANGUAGES, Catalogue

LOCALES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "locales")
DOMAIN = "messages"


def po_path(lang, locales=LOCALES):
    return i18n.po_path(locales, DOMAIN, lang)


def read_catalogue(lang, locales=LOCALES):
    return i18n.read_catalogue(locales, DOMAIN, lang)


def load(locales=LOCALES):
    """(translations by language, the keyed table ``key -> (da, nb, nn, en)``), through
    the one loader every service uses (:mod:`samskab.i18n`)."""
    catalogue = Catalogue(locales, DOMAIN)
    return catalogue.translations, catalogue.table()


CATALOGUE = Catalogue(LOCALES, DOMAIN)
TRANSLATIONS, MESSAGES = CATALOGUE.translations, CATALOGUE.table()
PLURALS = CATALOGUE.plurals
