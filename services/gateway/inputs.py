"""Limits on what a request may carry, checked before (or while) it is parsed, each
refusal a problem+json 4xx naming the field:

- a JSON body: at most ``max_body`` bytes, nested at most ``MAX_DEPTH`` deep (checked on
  the bytes, before ``json.loads`` could recurse), no NUL character, no text without a
  visible character, no ISO date outside the years 1900–2200;
- a form: at most ``MAX_FORM_PARTS`` parts and ``max_body`` bytes of fields (werkzeug's
  ``max_form_parts`` and ``max_form_memory_size``).
"""
import json
import re

from pydantic import ValidationError

from samskab.text import date_out_of_range, has_visible

from .api.problems import Problem, validation_errors

MAX_DEPTH = 20
MAX_FORM_PARTS = 200
_STRINGS = re.compile(rb'"(?:[^"\\]|\\.)*"')
_BRACKETS = re.compile(rb"[\[\]{}]")


def json_depth(raw):
    """How deep the arrays and objects of a JSON text nest (brackets inside strings aside)."""
    depth = deepest = 0
    for bracket in _BRACKETS.findall(_STRINGS.sub(b'""', raw)):
        if bracket in b"[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def _walk(value, path=""):
    """(field, value) for every text in a JSON value."""
    if isinstance(value, str):
        yield path or "body", value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _walk(v, f"{path}.{k}" if path else str(k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _walk(v, f"{path}.{i}" if path else str(i))


def text_errors(data):
    """The fields whose text PostgreSQL could not store or a reader could not see."""
    errors = {}
    for field, text in _walk(data):
        if "\x00" in text:
            errors.setdefault(field, "contains the NUL character")
        elif text and not has_visible(text):
            errors.setdefault(field, "contains no visible character")
        elif date_out_of_range(text):
            errors.setdefault(field, "must be a date within the years 1900-2200")
    return [{"field": f, "message": m} for f, m in errors.items()]


def body(request, model, max_body):
    """The request's JSON body validated as ``model``, or a 4xx."""
    length = request.content_length
    if length is not None and length > max_body:
        raise Problem(413, f"the body is larger than {max_body} bytes")
    raw = request.stream.read(max_body + 1)
    if len(raw) > max_body:
        raise Problem(413, f"the body is larger than {max_body} bytes")
    ctype = (request.mimetype or "").lower()
    if ctype and ctype != "application/json" and not ctype.endswith("+json"):
        raise Problem(415, "send the body as application/json")
    if json_depth(raw) > MAX_DEPTH:
        raise Problem(400, f"the body is nested deeper than {MAX_DEPTH} levels",
                      [{"field": "body", "message": f"nested deeper than {MAX_DEPTH} levels"}])
    try:
        data = json.loads(raw or b"null")
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise Problem(400, f"the body is not valid JSON: {exc}")
    if not isinstance(data, dict):
        raise Problem(400, "the body must be a JSON object")
    errors = text_errors(data)
    if errors:
        raise Problem(422, "; ".join(sorted({e["message"] for e in errors})), errors)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise Problem(422, "the body does not match what this endpoint takes", validation_errors(exc))
    except (OverflowError, RecursionError) as exc:  # a value pydantic could not hold: still the caller's input
        raise Problem(422, f"a value is out of range: {exc}")


def limit_forms(request, max_body):
    """Bound form parsing before anything reads ``request.form`` (werkzeug raises 413)."""
    request.max_form_parts = MAX_FORM_PARTS
    request.max_form_memory_size = max_body
    if request.max_content_length is None:
        request.max_content_length = max(max_body * 4, 1 << 20)  # form bodies may carry a few files' worth
    return request
