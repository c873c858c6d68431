"""Which language a page is shown in, its words, and dates in the municipality's time zone.

Pure: no I/O.  The words live in :mod:`gateway.web.messages`; month and weekday
names, plural rules and number formats come from Babel's locale data.
"""
import datetime as dt
from zoneinfo import ZoneInfo

from babel import dates as babel_dates

from .messages import LANGUAGES, MESSAGES, PLURALS, TRANSLATIONS

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
    translations = TRANSLATIONS.get(lang) or TRANSLATIONS["en"]
    if key in PLURALS and "n" in values:
        text = translations.ungettext(key, key, int(values["n"]))
    elif key in MESSAGES:
        text = translations.ugettext(key)
    else:
        text = key
    return text.format(**values) if values else text


def _names(kind, lang):
    """Month or weekday names from Babel's locale data (CLDR), as used mid-sentence:
    lower case in Danish and Norwegian."""
    if kind == "months":
        names = babel_dates.get_month_names("wide", locale=lang)
        return tuple(names[i] for i in range(1, 13))
    names = babel_dates.get_day_names("wide", locale=lang)
    return tuple(names[i] for i in range(7))  # Monday first


MONTHS = {lang: _names("months", lang) for lang in LANGUAGES}
WEEKDAYS = {lang: _names("days", lang) for lang in LANGUAGES}
# Language councils write the time with a full stop in Danish and Norwegian ("kl. 10.34");
# CLDR's nb/nn patterns have a colon, so the pattern is ours, the digits Babel's.
TIME_PATTERNS = {"da": "HH.mm", "nb": "HH.mm", "nn": "HH.mm", "en": "HH:mm"}
DATE_PATTERNS = {"da": "d. MMMM y", "nb": "d. MMMM y", "nn": "d. MMMM y", "en": "d MMMM y"}


def parse_instant(value):
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
        return moment.astimezone(ZoneInfo(time_zone))
    return moment


def format_date(value, lang, time_zone="UTC", weekday=False):
    moment = local(value, time_zone)
    if moment is None:
        return ""
    day = moment.date() if isinstance(moment, dt.datetime) else moment
    pattern = ("EEEE " if weekday else "") + DATE_PATTERNS.get(lang, DATE_PATTERNS["en"])
    return babel_dates.format_date(day, pattern, locale=lang if lang in LANGUAGES else "en")


def format_time(value, lang, time_zone="UTC"):
    moment = local(value, time_zone)
    if not isinstance(moment, dt.datetime):
        return ""
    return babel_dates.format_time(moment.time(), TIME_PATTERNS.get(lang, "HH:mm"),
                                   locale=lang if lang in LANGUAGES else "en")


def format_datetime(value, lang, time_zone="UTC", weekday=False):
    moment = local(value, time_zone)
    if not isinstance(moment, dt.datetime):
        return format_date(moment, lang, time_zone, weekday)
    return translate(lang, "time.at", date=format_date(moment, lang, time_zone, weekday),
                     time=format_time(moment, lang, time_zone))


def format_decimal(value, lang, digits=1):
    """A number with the decimal comma of Danish and Norwegian."""
    text = f"{float(value):.{digits}f}"
    return text if lang == "en" else text.replace(".", ",")
