"""Form errors in the reader's language, keyed by form field.

The backends name fields in English (pydantic, ``Invalid.errors``); a page
shows its own translated sentence for the field and keeps the backend's detail
marked as English (``lang="en"``) so screen readers pronounce it right.
"""
from markupsafe import Markup


def required(page, values, names):
    return {name: page._("form.required") for name in names if not (values.get(name) or "").strip()}


def _field_of(loc, known=None):
    parts = [str(p) for p in loc if str(p) not in ("body", "payload")]
    if not parts:
        return "form"
    name = parts[0]
    if known and name not in known:
        return "form"
    return name


def _message(page, detail):
    return Markup('{} <span lang="en">({})</span>').format(page._("form.check"), detail) \
        if page.lang != "en" else Markup("{}").format(detail)


def from_validation(page, exc, known=None):
    errors = {}
    for err in exc.errors():
        errors.setdefault(_field_of(err.get("loc", ()), known), _message(page, err.get("msg", "")))
    return errors


def from_invalid(page, exc, known=None):
    errors = {}
    for err in exc.errors or []:
        field = _field_of(str(err.get("field", "")).split("."), known)
        errors.setdefault(field, _message(page, err.get("message", "")))
    if not errors:
        errors["form"] = _message(page, exc.detail)
    return errors
