"""The guided flow for a new proposal: the mission first (problem and goal), who
is affected, what is needed, what is expected of the municipality, then a review
that shows similar proposals before anything is sent."""
import hashlib
import json
import re
import uuid

from pydantic import ValidationError

from samskab.contracts.proposals import Language, NewProposal, values as values_of
from samskab.errors import Invalid

from .. import forms
from ..app import optional, page_route, parts
from . import maps
from .proposals import KINDS, LEVELS, base

STEPS = ("mission", "affected", "needs", "expectations", "review")
FIELDS = ("title", "kind", "problem", "goal", "affected", "area", "topics", "needs", "iap2_level", "expectations",
          "language", "latitude", "longitude", "boundary")
STEP_REQUIRED = {"mission": ("title", "kind", "problem", "goal"), "expectations": ("iap2_level",)}
STEP_FIELDS = {"mission": ("title", "kind", "problem", "goal"),
               "affected": ("affected", "area", "topics", "latitude", "longitude", "boundary"),
               "needs": ("needs",), "expectations": ("iap2_level", "expectations", "language")}
# Not worth pointing to from a new proposal: what nobody else sees or what ended without anything.
NOT_SIMILAR = ("draft", "withdrawn", "rejected")


def _payload(page, values, submit):
    sections = []
    if values.get("affected"):
        sections.append(f"{page._('new.affected.heading')}\n{values['affected']}")
    if values.get("expectations"):
        sections.append(f"{page._('new.expectations.heading')}\n{values['expectations']}")
    split = lambda text: [p.strip() for line in (text or "").splitlines() for p in line.split(",") if p.strip()]  # noqa: E731
    return {
        "kind": values.get("kind"), "title": values.get("title"), "problem": values.get("problem"),
        "goal": values.get("goal"), "description": "\n\n".join(sections),
        "area": values.get("area") or None, "topics": split(values.get("topics"))[:20],
        "needs": split(values.get("needs"))[:30], "language": values.get("language") or page.lang,
        "iap2_level": values.get("iap2_level") or None, "submit": submit,
        # the point picked on the map (or typed): as sent, so a wrong value is named at its field
        "latitude": values.get("latitude") or None, "longitude": values.get("longitude") or None,
        # the area drawn on the map (or typed, a corner a line), checked at its step
        "boundary": maps.area_field(page, values.get("boundary"), {}),
    }


def _similar_to_draft(page, municipality_id, values):
    """Proposals like the draft, as the matching service compares them (the one
    place that knows what "similar" means), each shown only if the proposals
    service shows it to this person.  ``None`` when matching cannot answer now."""
    language = values.get("language")
    draft = {"title": values.get("title", ""), "problem": values.get("problem", ""), "goal": values.get("goal", ""),
             "description": _payload(page, values, True)["description"],
             "language": language if language in values_of(Language) else "da"}
    matched = optional(lambda: page.ctx.matching.similar_to_draft(municipality_id, page.actor, draft))
    if matched is None:
        return None
    ids = [item.id for item in matched][:5]
    rpc = page.ctx.proposals
    shown = parts(**{f"p{i}": ((lambda pid=pid: rpc.get(municipality_id, page.actor, pid)), None)
                     for i, pid in enumerate(ids)}) if ids else {}
    result = [shown[f"p{i}"] for i in range(len(ids)) if shown.get(f"p{i}")]
    return [p for p in result if p.status not in NOT_SIMILAR and not p.hidden]


def _step_of(errors):
    for step in STEPS:
        if any(name in errors for name in STEP_FIELDS.get(step, ())):
            return step
    return "review"


@page_route("/municipalities/<m>/proposals/new", methods=("GET", "POST"))
def new(page, m):
    municipality = page.in_municipality(m)
    page.require_account()
    values = {"language": page.lang}
    step, errors, similar, status = "mission", {}, [], 200
    # One id per filling-in of the form, carried through its steps: submitting the same
    # content twice (a double click, a resend after a timeout) makes one proposal.
    attempt = page.field("attempt")
    if not re.fullmatch(r"[0-9a-f]{32}", attempt):
        attempt = uuid.uuid4().hex
    if page.request.method == "POST":
        values = {name: page.form.get(name, "").strip() for name in FIELDS}
        current = page.field("step") if page.field("step") in STEPS else "mission"
        go = page.field("go")
        index = STEPS.index(current)
        if go == "back":
            step = STEPS[max(0, index - 1)]
        else:
            errors = forms.required(page, values, STEP_REQUIRED.get(current, ()))
            if values.get("kind") and values["kind"] not in KINDS:
                errors["kind"] = page._("form.choose")
            if values.get("iap2_level") and values["iap2_level"] not in LEVELS:
                errors["iap2_level"] = page._("form.choose")
            if current in ("affected", "review"):
                maps.area_field(page, values.get("boundary"), errors)  # named at its field, on its step
            if errors:
                step, status = (_step_of(errors) if current == "review" else current), 422
            elif current != "review":
                step = STEPS[index + 1]
            else:
                payload = _payload(page, values, submit=(go != "draft"))
                try:
                    NewProposal.model_validate(payload)
                    content = hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:32]
                    created = page.ctx.proposals.submit(municipality.id, page.actor, payload,
                                                        f"web-{attempt}-{content}")
                except ValidationError as exc:
                    errors = forms.from_validation(page, exc, known=FIELDS)
                except Invalid as exc:
                    errors = forms.from_invalid(page, exc, known=FIELDS)
                else:
                    return page.redirect(f"{base(m)}/{created.id}", "submitted" if go != "draft" else "drafted")
                step, status = _step_of(errors), 422
    if step == "review":
        similar = _similar_to_draft(page, municipality.id, values)
    response = page.render("proposals/new.html", status=status, title=page._("new.title"), values=values,
                           errors=errors, step=step, steps=STEPS, similar=similar, kinds=KINDS, levels=LEVELS,
                           attempt=attempt, preview=_payload(page, values, True) if step == "review" else None,
                           tiles=maps.tiles(page.config))
    response.csp = maps.policy(page.config)  # the picker's map tiles
    return response
