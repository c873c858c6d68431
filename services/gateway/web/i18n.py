"""Which language a page is shown in, its words, and dates in the municipality's time zone.

Pure: no I/O.  The words live in :mod:`gateway.web.messages`.
"""
import datetime as dt
from zoneinfo import ZoneInfo

from .messages import MESSAGES

LANGUAGES = ("da", "nb", "nn", "en")
NAMES = {"da": "Dansk", "nb": "Norsk bokmål", "nn": "Norsk nynorsk", "en": "English"}
_INDEX = {code: i for i, code in enumerate(LANGUAGES)}
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
    if values.get("n") == 1 and f"{key}.one" in MESSAGES:
        key = f"{key}.one"  # the singular, where the languages have one
    entry = MESSAGES.get(key)
    if entry is None:
        text = key
    else:
        text = entry[_INDEX.get(lang, 3)] or entry[3]
    return text.format(**values) if values else text


MONTHS = {
    "da": ("januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september", "oktober",
           "november", "december"),
    "nb": ("januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september", "oktober",
           "november", "desember"),
    "nn": ("januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september", "oktober",
           "november", "desember"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
}
WEEKDAYS = {
    "da": ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag"),
    "nb": ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag"),
    "nn": ("måndag", "tysdag", "onsdag", "torsdag", "fredag", "laurdag", "søndag"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}


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
    month = MONTHS[lang][moment.month - 1]
    day = WEEKDAYS[lang][moment.weekday()] if weekday else ""
    if lang == "en":
        text = f"{moment.day} {month} {moment.year}"
        return f"{day} {text}" if day else text
    text = f"{moment.day}. {month} {moment.year}"
    return f"{day} {text}" if day else text


def format_time(value, lang, time_zone="UTC"):
    moment = local(value, time_zone)
    if not isinstance(moment, dt.datetime):
        return ""
    separator = "." if lang == "da" else ":"
    return f"{moment.hour:02d}{separator}{moment.minute:02d}"


def format_datetime(value, lang, time_zone="UTC", weekday=False):
    moment = local(value, time_zone)
    if not isinstance(moment, dt.datetime):
        return format_date(moment, lang, time_zone, weekday)
    word = {"da": "kl.", "nb": "kl.", "nn": "kl.", "en": "at"}[lang]
    return f"{format_date(moment, lang, time_zone, weekday)} {word} {format_time(moment, lang, time_zone)}"


def format_decimal(value, lang, digits=1):
    """A number with the decimal comma of Danish and Norwegian."""
    text = f"{float(value):.{digits}f}"
    return text if lang == "en" else text.replace(".", ",")
