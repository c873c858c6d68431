"""One way for every service to speak the person's language (da, nb, nn, en).

Each service keeps its words in a gettext catalogue, ``locales/<lang>/LC_MESSAGES/
<domain>.po``, keyed by message id (``status.forming``, ``mail.registration_confirmed.subject``
…): English is a translation like the others, not the source text.  :class:`Catalogue`
reads the ``.po`` files once (at import of the service's module), compiles them with
Babel to ``.mo`` in memory and keeps a Babel ``Translations`` per language, English
behind every other language as its fallback.  So a fresh clone works without a build
step and no compiled file can fall out of step with its source.

Counts are gettext plurals (``msgid_plural``) picked by the language's own rule;
dates, times, month and weekday names come from Babel's locale data (CLDR).
"""
import datetime as dt
import io
import os
from zoneinfo import ZoneInfo

from babel import dates as babel_dates
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LANGUAGES = ("da", "nb", "nn", "en")
FALLBACK = "en"


def language_of(value, default=FALLBACK):
    """``value`` when it is one of ours, else ``default``."""
    return value if value in LANGUAGES else default


def po_path(locales, domain, lang):
    return os.path.join(locales, lang, "LC_MESSAGES", f"{domain}.po")


def read_catalogue(locales, domain, lang):
    """One ``.po`` file as a Babel ``Catalog`` (for tests and tools)."""
    with open(po_path(locales, domain, lang), "rb") as fh:
        return read_po(fh, locale=lang, domain=domain)


class Catalogue:
    """The compiled catalogues of one domain, one ``Translations`` per language."""

    def __init__(self, locales, domain="messages", languages=LANGUAGES):
        self.locales, self.domain, self.languages = locales, domain, tuple(languages)
        self.sources = {lang: self.read(lang) for lang in self.languages}
        self.translations = {lang: self._compile(self.sources[lang]) for lang in self.languages}
        fallback = self.translations.get(FALLBACK)
        for lang, translations in self.translations.items():
            if lang != FALLBACK and fallback is not None:
                translations.add_fallback(fallback)
        self.plurals = {m.id[0] for m in self.sources[self.languages[-1]] if m.id and m.pluralizable}
        self.keys = {m.id for m in self.sources[self.languages[-1]] if m.id and not m.pluralizable}

    def po_path(self, lang):
        return po_path(self.locales, self.domain, lang)

    def read(self, lang):
        return read_catalogue(self.locales, self.domain, lang)

    def _compile(self, catalogue):
        buffer = io.BytesIO()
        write_mo(buffer, catalogue)
        buffer.seek(0)
        return Translations(buffer, domain=self.domain)

    def _for(self, lang):
        return self.translations.get(lang) or self.translations[FALLBACK]

    def has(self, key):
        return key in self.keys or key in self.plurals

    def gettext(self, lang, key, **values):
        """The message ``key`` in ``lang`` with its ``{placeholders}`` filled."""
        text = self._for(lang).ugettext(key)
        return text.format(**values) if values else text

    def ngettext(self, lang, key, n, **values):
        """The plural message ``key`` for the count ``n`` (also given as ``{n}``)."""
        text = self._for(lang).ungettext(key, key, int(n))
        return text.format(n=n, **values)

    def translate(self, lang, key, **values):
        """``ngettext`` for a plural key given ``n``, else ``gettext``; an unknown key as is."""
        if key in self.plurals and "n" in values:
            n = values.pop("n")
            return self.ngettext(lang, key, n, **values)
        if key in self.keys:
            return self.gettext(lang, key, **values)
        return key.format(**values) if values else key

    def table(self):
        """``key -> (text per language)``; a plural's other form under its key and
        its singular under ``key.one``."""
        table = {}
        for index, lang in enumerate(self.languages):
            for message in self.sources[lang]:
                if not message.id:
                    continue  # the header
                if message.pluralizable:
                    forms = {message.id[0]: message.string[-1], message.id[0] + ".one": message.string[0]}
                else:
                    forms = {message.id: message.string}
                for key, text in forms.items():
                    table.setdefault(key, [""] * len(self.languages))[index] = text or ""
        return {key: tuple(texts) for key, texts in table.items()}


# -- dates and times, from Babel's locale data ------------------------------------------------

# Language councils write the time with a full stop in Danish and Norwegian ("kl. 10.34");
# CLDR's nb/nn patterns have a colon, so the pattern is ours, the digits Babel's.
TIME_PATTERNS = {"da": "HH.mm", "nb": "HH.mm", "nn": "HH.mm", "en": "HH:mm"}
DATE_PATTERNS = {"da": "d. MMMM y", "nb": "d. MMMM y", "nn": "d. MMMM y", "en": "d MMMM y"}
# "<date> at <time>": the one phrase every date-with-time needs, kept here so no service lacks it
AT = {"da": "{date} kl. {time}", "nb": "{date} kl. {time}", "nn": "{date} kl. {time}", "en": "{date} at {time}"}


def month_names(lang):
    """The twelve month names as used mid-sentence (lower case in Danish and Norwegian)."""
    names = babel_dates.get_month_names("wide", locale=language_of(lang))
    return tuple(names[i] for i in range(1, 13))


def weekday_names(lang):
    """The weekday names, Monday first."""
    names = babel_dates.get_day_names("wide", locale=language_of(lang))
    return tuple(names[i] for i in range(7))


def parse_instant(value):
    """A ``datetime`` (UTC when naive) or ``date`` from an ISO text or either; ``None`` if unreadable."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        return value
    else:
        text = str(value).replace("Z", "+00:00")
        try:
            moment = dt.datetime.fromisoformat(text)
        except ValueError:
            try:
                return dt.date.fromisoformat(text[:10])
            except ValueError:
                return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment


def local(value, time_zone):
    moment = parse_instant(value)
    if isinstance(moment, dt.datetime):
        return moment.astimezone(ZoneInfo(time_zone or "UTC"))
    return moment


def format_date(value, lang, time_zone="UTC", weekday=False):
    moment = local(value, time_zone)
    if moment is None:
        return ""
    day = moment.date() if isinstance(moment, dt.datetime) else moment
    pattern = ("EEEE " if weekday else "") + DATE_PATTERNS.get(lang, DATE_PATTERNS["en"])
    return babel_dates.format_date(day, pattern, locale=language_of(lang))


def format_time(value, lang, time_zone="UTC"):
    moment = local(value, time_zone)
    if not isinstance(moment, dt.datetime):
        return ""
    return babel_dates.format_time(moment.time(), TIME_PATTERNS.get(lang, "HH:mm"), locale=language_of(lang))


def format_datetime(value, lang, time_zone="UTC", weekday=False, at=None):
    """Date and time in the zone, joined by ``at`` (a ``{date}``/``{time}`` text; the
    language's "kl."/"at" when not given)."""
    moment = local(value, time_zone)
    if not isinstance(moment, dt.datetime):
        return format_date(moment, lang, time_zone, weekday)
    joined = at or AT[language_of(lang)]
    return joined.format(date=format_date(moment, lang, time_zone, weekday),
                         time=format_time(moment, lang, time_zone))


def format_decimal(value, lang, digits=1):
    """A number with the decimal comma of Danish and Norwegian."""
    text = f"{float(value):.{digits}f}"
    return text if lang == "en" else text.replace(".", ",")
