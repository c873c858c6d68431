"""CSV cells that a spreadsheet would not run as a formula (OWASP "CSV injection").

A cell beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is
prefixed with a single quote, which spreadsheets show as text; other values pass
unchanged.
"""
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def row(values):
    return [cell(v) for v in values]
