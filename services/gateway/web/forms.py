"""Form errors in the reader's language, keyed by form field.

The backends name fields in English (pydantic, ``Invalid.errors``); a page
shows its own translated sentence for the field and keeps the backend's detail
marked as English (``lang="en"``) so screen readers pronounce it right.
"""
import re

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


_SUMMARY = re.compile(r'(<div class="error-summary".*?</div>)', re.S)
_SUMMARY_LINK = re.compile(r'<a href="#f-([\w.-]+)">(.*?)</a>', re.S)
_TAGS = re.compile(r"<[^>]+>")


def name_fields_in_summary(html):
    """Each link of a rendered page's error summary says which field it is about
    ("E-mail: Fill in this field"), taken from the field's own label further down, so
    the summary is not a column of identical messages (WCAG 3.3.1)."""
    found = _SUMMARY.search(html)
    if not found:
        return html

    def named(link):
        name, message = link.group(1), link.group(2)
        label = re.search(rf'<label for="f-{re.escape(name)}"[^>]*>(.*?)</label>', html, re.S) or re.search(
            rf'<fieldset[^>]*id="f-{re.escape(name)}"[^>]*>\s*<legend[^>]*>(.*?)</legend>', html, re.S)
        if not label:
            return link.group(0)
        text = " ".join(_TAGS.sub("", label.group(1)).replace("*", "").split())
        return f'<a href="#f-{name}">{text}: {message}</a>' if text else link.group(0)

    summary = _SUMMARY_LINK.sub(named, found.group(1))
    return html[:found.start()] + summary + html[found.end():]
