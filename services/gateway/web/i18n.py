"""Which language a page is shown in, its words, and dates in the municipality's time zone.

Pure: no I/O.  The words live in the gateway's catalogue (:mod:`gateway.web.messages`),
read by the loader every service shares (:mod:`samskab.i18n`), which also gives the
month and weekday names, plural rules and date formats from Babel's locale data.
"""
from samskab import i18n as shared
from samskab.i18n import (  # noqa: F401 (the pages' helpers import them from here)
    DATE_PATTERNS, TIME_PATTERNS, format_date, format_decimal, format_time, local, parse_instant,
)

from .messages import CATALOGUE, LANGUAGES, MESSAGES, PLURALS, TRANSLATIONS  # noqa: F401

NAMES = {"da": "Dansk", "nb": "Norsk bokmål", "nn": "Norsk nynorsk", "en": "English"}
# Browsers send "no" (Norwegian) as well as nb and nn.
_ALIASES = {"no": "nb", "nb": "nb", "nn": "nn", "da": "da", "en": "en"}


def supported(code):
    return code if code in LANGUAGES else None


def from_accept_language(header):
    """The best of our languages in an ``Accept-Language`` header, or ``None``."""
    best, best_q = None, 0.0
    for position, part in enumerate((header or "").split(",")):
        fields = part.strip().split(";")
        tag = fields[0].strip().lower()
        q = 1.0
        for param in fields[1:]:
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        code = _ALIASES.get(tag.split("-")[0])
        if tag.startswith("no-nn") or tag.startswith("nn"):
            code = "nn"
        # Earlier entries win ties, as browsers list them in order of preference.
        if code and q > best_q:
            best, best_q = code, q
    return best


def choose(switch=None, cookie=None, account=None, accept_language=None, municipality=None):
    """The page's language: an explicit switch, then the remembered choice, the
    account's language, the browser's wishes, the municipality's language."""
    for candidate in (switch, cookie, account):
        if supported(candidate):
            return candidate
    return from_accept_language(accept_language) or supported(municipality) or "da"


def translate(lang, key, **values):
    """The message ``key`` in ``lang`` with its ``{placeholders}`` filled; a count
    ``n`` picks the plural form by the language's rule (gettext, from Babel)."""
    return CATALOGUE.translate(lang, key, **values)


MONTHS = {lang: shared.month_names(lang) for lang in LANGUAGES}
WEEKDAYS = {lang: shared.weekday_names(lang) for lang in LANGUAGES}


def format_datetime(value, lang, time_zone="UTC", weekday=False):
    return shared.format_datetime(value, lang, time_zone, weekday, at=CATALOGUE.gettext(lang, "time.at"))
