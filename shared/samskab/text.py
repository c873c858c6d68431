"""Checks on text and times from outside, shared by the gateway and the contracts.

``VisibleText`` refuses a text with no visible character (only spaces, zero-width or
direction marks…), ``SaneDatetime`` a moment outside the years 1900–2200 (which
PostgreSQL and Python's arithmetic would otherwise meet as an overflow).
"""
import datetime as dt
import re
import unicodedata
from typing import Annotated

from pydantic import AfterValidator

YEARS = (1900, 2200)
# Categories that draw nothing: separators, controls, formats (ZWSP, RLO …), surrogates, unassigned.
_INVISIBLE_CATEGORIES = {"Zs", "Zl", "Zp", "Cc", "Cf", "Cs", "Co", "Cn", "Mn", "Me"}
# Letters that are blank by design (Hangul fillers, the blank Braille pattern).
_BLANK_LETTERS = {"\u115f", "\u1160", "\u3164", "\uffa0", "\u2800"}
# A whole value that is an ISO 8601 date or moment (not a text that begins with one).
_ISO_DATE = re.compile(r"^([+-]?\d{4,})-(\d{2})-(\d{2})"
                       r"(?:[Tt ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:[Zz]|[+-]\d{2}(?::?\d{2})?)?)?$")


def has_visible(text):
    """Whether ``text`` shows anything at all."""
    return any(ch not in _BLANK_LETTERS and unicodedata.category(ch) not in _INVISIBLE_CATEGORIES for ch in text)


def date_out_of_range(text):
    """For a string that looks like an ISO 8601 date or moment, whether its year is outside
    :data:`YEARS`; ``False`` for anything else."""
    found = _ISO_DATE.match(text)
    return bool(found) and not YEARS[0] <= int(found.group(1)) <= YEARS[1]


def _visible(text):
    if text and not has_visible(text):
        raise ValueError("must contain visible characters")
    return text


def _sane(moment):
    if moment is not None and not YEARS[0] <= moment.year <= YEARS[1]:
        raise ValueError(f"must be within the years {YEARS[0]}-{YEARS[1]}")
    return moment


# Validators to add to an existing Annotated type:
#   Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), Visible]
Visible = AfterValidator(_visible)
Sane = AfterValidator(_sane)

VisibleText = Annotated[str, Visible]
SaneDatetime = Annotated[dt.datetime, Sane]
SaneDate = Annotated[dt.date, Sane]
