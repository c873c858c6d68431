"""Changing a proposal: its content (the initiator; staff set the IAP2 level) and
the collaboration agreement (drafted by the initiator or staff, accepted by each
party).  What the caller may change is the proposals service's answer."""
import re
import uuid

from pydantic import ValidationError

from samskab.contracts.proposals import AgreementDraft, ProposalPatch, ProposalsRpc
from samskab.errors import Conflict, Forbidden, Invalid

from ...accounts import directory
from .. import forms, i18n
from ..app import optional, page_route
from . import maps
from .proposals import CONTENT, KINDS, LEVELS, MANAGERS, act, allowed, base, editable, load, partners

CONTENT_REQUIRED = ("title", "kind", "problem", "goal", "language")
# Where it is, changed with the content: the point and the area, as the new-proposal form takes them.
PLACE = ("latitude", "longitude", "boundary")


def _content_values(proposal):
    return {
        "title": proposal.title or "", "kind": proposal.kind or "", "problem": proposal.problem or "",
        "goal": proposal.goal or "", "description": proposal.description or "", "area": proposal.area or "",
        "topics": ", ".join(proposal.topics or []), "needs": "\n".join(proposal.needs or []),
        "language": proposal.language or "", "iap2_level": proposal.iap2_level or "",
        "latitude": "" if proposal.latitude is None else f"{proposal.latitude:.6f}",
        "longitude": "" if proposal.longitude is None else f"{proposal.longitude:.6f}",
        "boundary": maps.area_text(proposal.boundary),
    }


def _place_changes(page, proposal, errors):
    """The point and the area as the form sends them, where they differ from the stored ones
    (empty fields remove them; the service keeps an area's centre as its point)."""
    changes = {}
    point = maps.point_fields(page, errors)
    shown = lambda value: "" if value is None else f"{value:.6f}"  # noqa: E731  (as the form showed it)
    if "latitude" not in errors and "longitude" not in errors:
        sent = (point.get("latitude"), point.get("longitude"))
        if tuple(map(shown, sent)) != (shown(proposal.latitude), shown(proposal.longitude)):
            changes.update(latitude=sent[0], longitude=sent[1])
    area = maps.area_field(page, page.form.get("boundary"), errors)
    if "boundary" not in errors and maps.area_text(area) != maps.area_text(proposal.boundary):
        changes["boundary"] = area
    return changes


def _changes(page, fields, before):
    """The fields that differ from the stored proposal, in the shape the API's PATCH takes."""
    changes = {}
    for name in fields:
        if name in ("topics", "needs"):
            value = page.lines(name, limit=40)
            if value != [line.strip() for chunk in before[name].splitlines() for line in chunk.split(",")
                         if line.strip()]:
                changes[name] = value
        elif name == "description":
            value = (page.form.get(name) or "").strip()
            if value != before[name].strip():
                changes[name] = value
        else:
            value = page.field(name)
            if value != before[name]:
                changes[name] = value or None  # an empty area or level is removed
    return changes


@page_route("/municipalities/<m>/proposals/<uuid:proposal_id>/edit", methods=("GET", "POST"))
def edit(page, m, proposal_id):
    proposal_id = str(proposal_id)
    page.require_account()
    municipality, proposal = load(page, m, proposal_id)
    fields = editable(proposal)
    if not fields:
        if set(allowed(proposal).capacities) & MANAGERS or proposal.hidden:
            raise Conflict(f"a {proposal.status} proposal cannot be changed")
        raise Forbidden("only the initiator may change the proposal (staff set the level of participation)")
    before = _content_values(proposal)
    values, errors, status = dict(before), {}, 200
    place = "title" in fields  # who changes the content changes where it is
    if page.request.method == "POST":
        values.update({name: (page.form.get(name) or "").strip() for name in fields + (PLACE if place else ())})
        errors = forms.required(page, values, [n for n in CONTENT_REQUIRED if n in fields])
        if "kind" in fields and values["kind"] and values["kind"] not in KINDS:
            errors["kind"] = page._("form.choose")
        if values.get("iap2_level") and values["iap2_level"] not in LEVELS:
            errors["iap2_level"] = page._("form.choose")
        if "language" in fields and values["language"] and values["language"] not in i18n.LANGUAGES:
            errors["language"] = page._("form.choose")
        places = _place_changes(page, proposal, errors) if place else {}
        if not errors:
            changes = {**_changes(page, fields, before), **places}
            if not changes:
                return page.redirect(f"{base(m)}/{proposal_id}", "unchanged")
            try:
                ProposalPatch.model_validate(changes)
                page.ctx.proposals.update(municipality.id, page.actor, proposal_id, changes)
            except ValidationError as exc:
                errors = forms.from_validation(page, exc, known=CONTENT + PLACE)
            except Invalid as exc:
                errors = forms.from_invalid(page, exc, known=CONTENT + PLACE)
            except Conflict as exc:
                errors = {"form": forms.from_invalid(page, Invalid(exc.detail)).popitem()[1]}
            else:
                return page.redirect(f"{base(m)}/{proposal_id}", "proposal_saved")
        status = 422
    response = page.render("proposals/edit.html", status=status, title=page._("edit.title"), proposal=proposal,
                           values=values, errors=errors, allowed=fields, tiles=maps.tiles(page.config),
                           kind_options=[("", "–")] + [(k, page._("kind." + k)) for k in KINDS],
                           level_options=[("", "–")] + [(level, page._("level." + level)) for level in LEVELS])
    response.csp = maps.policy(page.config)  # the picker's map tiles
    return response


# -- the agreement ---------------------------------------------------------------------------

TIMELINE_LINE = re.compile(r"^(\d{4}-\d{2}-\d{2})\s+(.+)$")
AGREEMENT_FIELDS = ("municipality_commitment", "iap2_level", "decision_maker", "resources", "timeline",
                    "initiator_responsibilities", "municipality_responsibilities", "partner_email",
                    "partner_responsibilities")
MAX_PARTIES = 30


def _agreement_values(agreement):
    if not agreement:
        return {}
    parties = {p.role: p.responsibilities for p in agreement.parties if p.role != "partner"}
    return {
        "municipality_commitment": agreement.municipality_commitment,
        "iap2_level": agreement.iap2_level,
        "decision_maker": agreement.decision_maker,
        "resources": "\n".join(agreement.resources),
        "timeline": "\n".join(f"{t['date']} {t['what']}" for t in agreement.timeline),
        "initiator_responsibilities": parties.get("initiator", ""),
        "municipality_responsibilities": parties.get("municipality", ""),
    }


def _posted_partners(page, errors):
    """The partners as the form sends them back: kept, changed or ticked for removal."""
    posted = []
    for i in range(MAX_PARTIES):
        pid = page.form.get(f"partner_id_{i}")
        if pid is None:
            break
        try:
            pid = str(uuid.UUID(pid))
        except ValueError:
            errors["form"] = page._("agreement.partner.bad")
            continue
        posted.append({"participant_id": pid, "responsibilities": page.field(f"partner_resp_{i}"),
                       "remove": bool(page.field(f"partner_remove_{i}"))})
    return posted


def _timeline(page, text, errors):
    timeline = []
    for line in text.splitlines():
        if not line.strip():
            continue
        match = TIMELINE_LINE.match(line.strip())
        if not match:
            errors["timeline"] = page._("agreement.timeline.bad")
            break
        timeline.append({"date": match.group(1), "what": match.group(2)})
    return timeline


def _partner_found(page, municipality_id, query, choices):
    """The account a partner field names: an e-mail address, or a name among the
    municipality's accounts (several alike: the one picked from ``choices``)."""
    if "@" in query:
        found = directory.account_id_by_email(page.ctx.db, query)
        return found, None if found else page._("agreement.partner.no_account")
    named = directory.accounts_named(page.ctx.db, municipality_id, query)
    picked = page.field("partner_pick")
    if picked and picked in {pid for pid, _ in named}:
        return picked, None
    if len(named) == 1:
        return named[0][0], None
    if not named:
        return None, page._("agreement.partner.no_one_named")
    choices.extend(named)
    return None, page._("agreement.partner.choose")


def _kept_partners(page, values, listed, errors, choices):
    """The partners that stay, and one added by name or by the address of their account."""
    kept = [p for p in listed if not p["remove"]]
    if values["partner_email"]:
        found, problem = _partner_found(page, page.municipality.id, values["partner_email"], choices)
        if found is None:
            errors["partner_email"] = problem
        elif found in {p["participant_id"] for p in kept}:
            errors["partner_email"] = page._("agreement.partner.twice")
        else:
            kept.append({"participant_id": found, "responsibilities": values["partner_responsibilities"]})
    elif values["partner_responsibilities"]:
        errors["partner_email"] = page._("agreement.partner.email_missing")
    if len(kept) + 2 > MAX_PARTIES:
        errors["partner_email"] = page._("agreement.partner.too_many", n=MAX_PARTIES - 2)
    return kept


@page_route("/municipalities/<m>/proposals/<uuid:proposal_id>/agreement", methods=("GET", "POST"))
def agreement(page, m, proposal_id):
    proposal_id = str(proposal_id)
    page.require_account()
    municipality, proposal = load(page, m, proposal_id)
    if not set(allowed(proposal).capacities) & MANAGERS:
        raise Forbidden("only the initiator and the municipality's staff draft the agreement")
    current = optional(lambda: page.ctx.proposals.agreement(municipality.id, page.actor, proposal_id))
    values, errors, status = _agreement_values(current), {}, 200
    listed, choices = partners(current), []
    if page.request.method == "POST":
        values = {k: page.form.get(k, "").strip() for k in AGREEMENT_FIELDS}
        errors = forms.required(page, values, ("municipality_commitment", "iap2_level", "decision_maker"))
        listed = _posted_partners(page, errors)
        timeline = _timeline(page, values["timeline"], errors)
        kept = _kept_partners(page, values, listed, errors, choices)
        if not errors:
            draft = {
                "parties": [{"role": "initiator", "responsibilities": values["initiator_responsibilities"]},
                            {"role": "municipality", "responsibilities": values["municipality_responsibilities"]}]
                + [{"role": "partner", "participant_id": p["participant_id"],
                    "responsibilities": p["responsibilities"]} for p in kept],
                "municipality_commitment": values["municipality_commitment"],
                "iap2_level": values["iap2_level"],
                "decision_maker": values["decision_maker"],
                "resources": page.lines("resources"),
                "timeline": timeline,
            }
            try:
                AgreementDraft.model_validate(draft)
                page.ctx.proposals.draft_agreement(municipality.id, page.actor, proposal_id, draft)
            except ValidationError as exc:
                errors = forms.from_validation(page, exc, known=values.keys())
            except (Invalid, Conflict) as exc:
                errors = forms.from_invalid(page, exc, known=values.keys()) if isinstance(exc, Invalid) \
                    else {"form": exc.detail}
            else:
                return page.redirect(f"{base(m)}/{proposal_id}", "agreement_saved")
        status = 422
    names = directory.display_names(page.ctx.db, [p["participant_id"] for p in listed])
    for i, p in enumerate(listed):
        values[f"partner_resp_{i}"] = p["responsibilities"]
    return page.render("proposals/agreement.html", status=status, title=page._("agreement.edit"),
                       proposal=proposal, current=current, values=values, errors=errors, partners=listed,
                       names=names, partner_choices=choices, levels_options=[(level, page._("level." + level)) for level in LEVELS])


@page_route("/municipalities/<m>/proposals/<uuid:proposal_id>/agreement/accept", methods=("POST",))
def accept_agreement(page, m, proposal_id):
    try:
        version = int(page.field("version"))
    except ValueError:
        raise Invalid("version", [{"field": "version", "message": "a number"}])
    return act(page, m, proposal_id, ProposalsRpc.accept_agreement, {"version": version}, done="agreement_accepted")
