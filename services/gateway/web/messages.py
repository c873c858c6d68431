"""The pages' words in Danish, Norwegian bokmål, Norwegian nynorsk and English.

One gettext catalogue per language, ``locales/<lang>/LC_MESSAGES/messages.po``,
keyed by message id (``nav.skip``, ``proposal.supporters`` …): English is a
translation like the others, not the source text.  Counts are gettext plurals
(``msgid_plural``) chosen by the language's own rule from Babel's locale data.

The ``.po`` files are what people edit; Babel compiles them to ``.mo`` in
memory when this module is imported (a few milliseconds), so no compiled file
is kept in the repository or can fall out of step with its source.
``tests/test_catalogue.py`` walks the catalogues for missing, empty and
untranslated (identical to English) entries.
"""
import io
import os

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LANGUAGES = ("da", "nb", "nn", "en")
LOCALES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "locales")
DOMAIN = "messages"


def po_path(lang, locales=LOCALES):
    return os.path.join(locales, lang, "LC_MESSAGES", f"{DOMAIN}.po")


def read_catalogue(lang, locales=LOCALES):
    with open(po_path(lang, locales), "rb") as fh:
        return read_po(fh, locale=lang, domain=DOMAIN)


def compile_catalogue(catalogue):
    """The catalogue as gettext translations (compiled to ``.mo`` by Babel, in memory)."""
    buffer = io.BytesIO()
    write_mo(buffer, catalogue)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


def load(locales=LOCALES):
    """(translations by language, the keyed table ``key -> (da, nb, nn, en)``).

    The table keeps the shape the templates' tests use: a plural's other form
    under its key and its singular under ``key.one``."""
    catalogues = {lang: read_catalogue(lang, locales) for lang in LANGUAGES}
    table = {}
    for index, lang in enumerate(LANGUAGES):
        for message in catalogues[lang]:
            if not message.id:
                continue  # the header
            if message.pluralizable:
                forms = {message.id[0]: message.string[-1], message.id[0] + ".one": message.string[0]}
            else:
                forms = {message.id: message.string}
            for key, text in forms.items():
                table.setdefault(key, [""] * len(LANGUAGES))[index] = text or ""
    translations = {lang: compile_catalogue(catalogues[lang]) for lang in LANGUAGES}
    return translations, {key: tuple(texts) for key, texts in table.items()}


TRANSLATIONS, MESSAGES = load()
PLURALS = {m.id[0] for m in read_catalogue("en") if m.pluralizable}
