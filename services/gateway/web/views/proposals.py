"""Proposals: the list (search, filters, pages), one proposal with everything
around it, what people do with it, and the guided flow for a new one."""
import hashlib
import json
import re
import uuid

import sqlalchemy as sa
from pydantic import ValidationError

from samskab.contracts.proposals import AgreementDraft, NewProposal, ProposalPatch
from samskab.errors import Conflict, Forbidden, Invalid

from ...accounts.storage import accounts, live_account_by_email
from .. import forms, i18n
from ..app import page_route

STATUSES = ("submitted", "published", "forming", "active", "concluded", "withdrawn", "rejected")
KINDS = ("service", "development", "policy")
SORTS = ("newest", "supported", "active")
LEVELS = ("inform", "consult", "involve", "collaborate", "empower")
PAGE_SIZE = 20
# Who may move a proposal where, as the proposals service decides it; the page only offers these.
NEXT = {
    "draft": ["submitted", "withdrawn"],
    "submitted": ["published", "rejected", "withdrawn"],
    "published": ["forming", "active", "rejected", "withdrawn"],
    "forming": ["active", "rejected", "withdrawn"],
    "active": ["concluded", "rejected", "withdrawn"],
}
STAFF_ONLY = {"published", "rejected"}
INITIATOR_ONLY = {"submitted", "withdrawn"}
OUTCOMES = ("implemented", "adopted", "not_pursued")


def _base(m):
    return f"/municipalities/{m}/proposals"


@page_route("/municipalities/<m>/proposals")
def listing(page, m):
    municipality = page.in_municipality(m)
    args = page.request.args
    filters = {
        "q": (args.get("q") or "").strip()[:200],
        "status": [s for s in args.getlist("status") if s in STATUSES],
        "kind": args.get("kind") if args.get("kind") in KINDS else "",
        "topic": (args.get("topic") or "").strip()[:60],
        "area": (args.get("area") or "").strip()[:100],
        "sort": args.get("sort") if args.get("sort") in SORTS else "newest",
    }
    query = {k: v for k, v in filters.items() if v}
    query["limit"] = PAGE_SIZE
    cursor = args.get("cursor") or None
    if cursor:
        query["cursor"] = cursor[:500]
    try:
        found = page.call("proposals", "list_page", municipality.id, page.actor, query)
    except Invalid:
        query.pop("cursor", None)
        found = page.call("proposals", "list_page", municipality.id, page.actor, query)
        cursor = None
    next_url = None
    if found.get("next_cursor"):
        next_url = page.url(_base(m), **filters, cursor=found["next_cursor"])
    return page.render("proposals/list.html", title=page._("proposals.title"), items=found["items"],
                       filters=filters, next_url=next_url,
                       first_url=page.url(_base(m), **filters) if cursor else None,
                       statuses=STATUSES, kinds=KINDS, sorts=SORTS)


def _load(page, m, proposal_id):
    municipality = page.in_municipality(m)
    proposal = page.call("proposals", "get", municipality.id, proposal_id, page.actor)
    return municipality, proposal


def _capacity(page, proposal):
    caps = set()
    account = page.account
    if account is None:
        return caps
    caps.add("participant")
    if str(account.id) == proposal.get("initiator_id"):
        caps.add("initiator")
    if page.is_staff(proposal["municipality"]):
        caps.add("staff")
    return caps


def _transitions(proposal, caps):
    offered = []
    for target in NEXT.get(proposal["status"], []):
        if target in STAFF_ONLY and "staff" not in caps:
            continue
        if target in INITIATOR_ONLY and "initiator" not in caps:
            continue
        if target not in STAFF_ONLY | INITIATOR_ONLY and not caps & {"staff", "initiator"}:
            continue
        offered.append(target)
    return offered


@page_route("/municipalities/<m>/proposals/<uuid:proposal_id>")
def detail(page, m, proposal_id, errors=None, values=None, status=200):
    proposal_id = str(proposal_id)
    municipality, proposal = _load(page, m, proposal_id)
    caps = _capacity(page, proposal)
    actor = page.actor
    calls = dict(
        history=("proposals", "history", (municipality.id, proposal_id, actor), []),
        questions=("proposals", "questions", (municipality.id, proposal_id, actor, False), []),
        agreement=("proposals", "agreement", (municipality.id, proposal_id, actor), None),
        experiments=("proposals", "experiments", (municipality.id, proposal_id, actor), []),
        updates=("proposals", "updates", (municipality.id, proposal_id, actor), []),
        meetings=("meetings", "list", (municipality.id, actor, proposal_id, False, 50), []),
        similar=("matching", "similar", (municipality.id, proposal_id, actor), None),
    )
    if caps & {"staff", "initiator"}:
        calls["stakeholders"] = ("matching", "stakeholders", (municipality.id, proposal_id, actor), None)
        calls["matches"] = ("matching", "matches", (municipality.id, proposal_id, actor), None)
    found = page.gather(**calls)
    found.setdefault("stakeholders", None)
    found.setdefault("matches", None)
    partner_ids = [p["participant_id"] for p in _partners(found["agreement"])]
    me = str(page.account.id) if page.account is not None else None
    # Partners' names only to those who drafted the agreement and to the partners themselves.
    names = partner_names(page, partner_ids) if partner_ids and (caps & {"staff", "initiator"} or me in partner_ids) \
        else {}
    agreement_now = found["agreement"]
    to_accept = sorted(set(agreement_now.get("my_parties", [])) - set(agreement_now.get("accepted_parties", []))) \
        if agreement_now else []
    return page.render(
        "proposals/detail.html", status=status, title=proposal.get("title") or page._("proposal.hidden"),
        proposal=proposal, caps=caps, manage=bool(caps & {"staff", "initiator"}),
        can_edit=_editable_by(proposal, caps), can_draft_agreement=_agreement_by(proposal, caps),
        transitions=_transitions(proposal, caps), outcomes=OUTCOMES, partner_names=names, me=me,
        to_accept=to_accept, errors=errors or {}, values=values or {}, **found,
    )


def _act(page, m, proposal_id, method, *extra, done="saved"):
    municipality = page.in_municipality(m)
    page.require_account()
    page.call("proposals", method, municipality.id, str(proposal_id), page.actor, *extra)
    return page.redirect(f"{_base(m)}/{proposal_id}", done)


@page_route("/municipalities/<m>/proposals/<uuid:proposal_id>/support", methods=("POST",))
def support(page, m, proposal_id):
    if page.field("withdraw"):
        return _act(page, m, proposal_id, "unsupport", done="unsupported")
    return _act(page, m, proposal_id, "support", done="supported")


@page_route("/municipalities/<m>/proposals/<uuid:proposal_id>/follow", methods=("POST",))
def follow(page, m, proposal_id):
    following = not page.field("stop")
    return _act(page, m, proposal_id, "follow", following, done="followed" if following else "unfollowed")


@page_route("/municipalities/<m>/proposals/<uuid:proposal_id>/questions", methods=("POST",))
def ask(page, m, proposal_id):
    page.in_municipality(m)
    page.require_account()
    body = page.field("question")
    if not body:
        return detail(page, m, proposal_id, errors={"question": page._("form.required")}, status=422)
    try:
        return _act(page, m, proposal_id, "ask", {"body": body}, done="asked")
    except Invalid as exc:
        return detail(page, m, proposal_id, errors={"question": forms.from_invalid(page, exc).popitem()[1]},
                      values={"question": body}, status=422)


@page_route("/municipalities/<m>/proposals/<uuid:proposal_id>/questions/<uuid:question_id>/answers", methods=("POST",))
def answer(page, m, proposal_id, question_id):
    municipality = page.in_municipality(m)
    page.require_account()
    body = page.field("answer")
    name = f"answer-{question_id}"
    if not body:
        return detail(page, m, proposal_id, errors={name: page._("form.required")}, status=422)
    try:
        page.call("proposals", "answer", municipality.id, str(proposal_id), str(question_id), page.actor,
                  {"body": body})
    except Invalid as exc:
        return detail(page, m, proposal_id, errors={name: forms.from_invalid(page, exc).popitem()[1]}, status=422)
    return page.redirect(f"{_base(m)}/{proposal_id}", "answered")


@page_route("/municipalities/<m>/proposals/<uuid:proposal_id>/transitions", methods=("POST",))
def transition(page, m, proposal_id):
    municipality = page.in_municipality(m)
    page.require_account()
    payload = {"to": page.field("to")}
    if page.field("reason"):
        payload["reason"] = page.field("reason")
    if page.field("outcome"):
        payload["outcome"] = page.field("outcome")
    try:
        page.call("proposals", "transition", municipality.id, str(proposal_id), page.actor, payload)
    except (Invalid, Conflict) as exc:
        errors = forms.from_invalid(page, exc) if isinstance(exc, Invalid) else {"form": exc.detail}
        return detail(page, m, proposal_id, errors={"transition": next(iter(errors.values()))},
                      values={"reason": page.field("reason")}, status=exc.status)
    back = page.field("back")
    if back.startswith(f"/municipalities/{m}/staff"):
        return page.redirect(back, "moved")
    return page.redirect(f"{_base(m)}/{proposal_id}", "moved")


# -- editing a proposal's content -------------------------------------------------------------------

OPEN = ("draft", "submitted", "published", "forming", "active")
COLLABORATING = ("published", "forming", "active")
# What the initiator may change; the municipality's staff set only the IAP2 level (the proposals service decides).
CONTENT = ("title", "kind", "problem", "goal", "description", "area", "topics", "needs", "language", "iap2_level")
CONTENT_REQUIRED = ("title", "kind", "problem", "goal", "language")


def _editable_by(proposal, caps):
    """Which fields this person may change now: all of the content for the initiator,
    the IAP2 level alone for staff, nothing once the proposal is closed or hidden."""
    if proposal.get("status") not in OPEN or proposal.get("hidden"):
        return ()
    if "initiator" in caps:
        return CONTENT
    if "staff" in caps:
        return ("iap2_level",)
    return ()


def _agreement_by(proposal, caps):
    return (proposal.get("status") in COLLABORATING and not proposal.get("hidden")
            and bool(caps & {"staff", "initiator"}))


def _content_values(proposal):
    return {
        "title": proposal.get("title") or "", "kind": proposal.get("kind") or "",
        "problem": proposal.get("problem") or "", "goal": proposal.get("goal") or "",
        "description": proposal.get("description") or "", "area": proposal.get("area") or "",
        "topics": ", ".join(proposal.get("topics") or []), "needs": "\n".join(proposal.get("needs") or []),
        "language": proposal.get("language") or "", "iap2_level": proposal.get("iap2_level") or "",
    }


def _changes(page, allowed, before):
    """The fields that differ from the stored proposal, in the shape the API's PATCH takes."""
    changes = {}
    for name in allowed:
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
    municipality, proposal = _load(page, m, proposal_id)
    allowed = _editable_by(proposal, _capacity(page, proposal))
    if not allowed:
        if proposal.get("status") not in OPEN or proposal.get("hidden"):
            raise Conflict(f"a {proposal.get('status')} proposal cannot be changed")
        raise Forbidden("only the initiator may change the proposal (staff set the level of participation)")
    before = _content_values(proposal)
    values, errors, status = dict(before), {}, 200
    if page.request.method == "POST":
        values.update({name: (page.form.get(name) or "").strip() for name in allowed})
        errors = forms.required(page, values, [n for n in CONTENT_REQUIRED if n in allowed])
        if "kind" in allowed and values["kind"] and values["kind"] not in KINDS:
            errors["kind"] = page._("form.choose")
        if values.get("iap2_level") and values["iap2_level"] not in LEVELS:
            errors["iap2_level"] = page._("form.choose")
        if "language" in allowed and values["language"] and values["language"] not in i18n.LANGUAGES:
            errors["language"] = page._("form.choose")
        if not errors:
            changes = _changes(page, allowed, before)
            if not changes:
                return page.redirect(f"{_base(m)}/{proposal_id}", "unchanged")
            try:
                ProposalPatch.model_validate(changes)
                page.call("proposals", "update", municipality.id, proposal_id, page.actor, changes)
            except ValidationError as exc:
                errors = forms.from_validation(page, exc, known=CONTENT)
            except Invalid as exc:
                errors = forms.from_invalid(page, exc, known=CONTENT)
            except Conflict as exc:
                errors = {"form": forms.from_invalid(page, Invalid(exc.detail)).popitem()[1]}
            else:
                return page.redirect(f"{_base(m)}/{proposal_id}", "proposal_saved")
        status = 422
    return page.render("proposals/edit.html", status=status, title=page._("edit.title"), proposal=proposal,
                       values=values, errors=errors, allowed=allowed,
                       kind_options=[("", "–")] + [(k, page._("kind." + k)) for k in KINDS],
                       level_options=[("", "–")] + [(level, page._("level." + level)) for level in LEVELS])


# -- the agreement ---------------------------------------------------------------------------

def _agreement_values(agreement):
    if not agreement:
        return {}
    parties = {p["role"]: p.get("responsibilities", "") for p in agreement.get("parties", []) if p["role"] != "partner"}
    return {
        "municipality_commitment": agreement.get("municipality_commitment", ""),
        "iap2_level": agreement.get("iap2_level", ""),
        "decision_maker": agreement.get("decision_maker", ""),
        "resources": "\n".join(agreement.get("resources", [])),
        "timeline": "\n".join(f"{t['date']} {t['what']}" for t in agreement.get("timeline", [])),
        "initiator_responsibilities": parties.get("initiator", ""),
        "municipality_responsibilities": parties.get("municipality", ""),
    }


def _partners(agreement):
    return [{"participant_id": str(p["participant_id"]), "responsibilities": p.get("responsibilities", "")}
            for p in (agreement or {}).get("parties", []) if p["role"] == "partner"]


def partner_names(page, ids):
    """Partners' display names from the gateway's own accounts (an erased partner has none).
    Shown only to the initiator, staff and the partner: names stay out of public pages."""
    wanted = []
    for pid in ids:
        try:
            wanted.append(uuid.UUID(str(pid)))
        except ValueError:
            continue
    if not wanted:
        return {}
    with page.ctx.db as uow:
        rows = uow.execute(sa.select(accounts.c.id, accounts.c.display_name).where(
            accounts.c.id.in_(wanted), accounts.c.erased_at.is_(None))).all()
    return {str(r.id): r.display_name for r in rows}


def _account_by_email(page, email):
    with page.ctx.db as uow:
        found = uow.execute(live_account_by_email(email, accounts.c.id)).first()
    return str(found.id) if found else None


TIMELINE_LINE = re.compile(r"^(\d{4}-\d{2}-\d{2})\s+(.+)$")
AGREEMENT_FIELDS = ("municipality_commitment", "iap2_level", "decision_maker", "resources", "timeline",
                    "initiator_responsibilities", "municipality_responsibilities", "partner_email",
                    "partner_responsibilities")
MAX_PARTIES = 30


def _posted_partners(page, errors):
    """The partners as the form sends them back: kept, changed or ticked for removal."""
    partners = []
    for i in range(MAX_PARTIES):
        pid = page.form.get(f"partner_id_{i}")
        if pid is None:
            break
        try:
            pid = str(uuid.UUID(pid))
        except ValueError:
            errors["form"] = page._("agreement.partner.bad")
            continue
        partners.append({"participant_id": pid, "responsibilities": page.field(f"partner_resp_{i}"),
                         "remove": bool(page.field(f"partner_remove_{i}"))})
    return partners


@page_route("/municipalities/<m>/proposals/<uuid:proposal_id>/agreement", methods=("GET", "POST"))
def agreement(page, m, proposal_id):
    proposal_id = str(proposal_id)
    page.require_account()
    municipality, proposal = _load(page, m, proposal_id)
    caps = _capacity(page, proposal)
    if not caps & {"staff", "initiator"}:
        raise Forbidden("only the initiator and the municipality's staff draft the agreement")
    current = page.maybe("proposals", "agreement", municipality.id, proposal_id, page.actor)
    values, errors, status = _agreement_values(current), {}, 200
    partners = _partners(current)
    if page.request.method == "POST":
        values = {k: page.form.get(k, "").strip() for k in AGREEMENT_FIELDS}
        errors = forms.required(page, values, ("municipality_commitment", "iap2_level", "decision_maker"))
        partners = _posted_partners(page, errors)
        timeline = []
        for line in values["timeline"].splitlines():
            if not line.strip():
                continue
            match = TIMELINE_LINE.match(line.strip())
            if not match:
                errors["timeline"] = page._("agreement.timeline.bad")
                break
            timeline.append({"date": match.group(1), "what": match.group(2)})
        kept = [p for p in partners if not p["remove"]]
        if values["partner_email"]:
            found = _account_by_email(page, values["partner_email"])
            if found is None:
                errors["partner_email"] = page._("agreement.partner.no_account")
            elif found in {p["participant_id"] for p in kept}:
                errors["partner_email"] = page._("agreement.partner.twice")
            else:
                kept.append({"participant_id": found, "responsibilities": values["partner_responsibilities"]})
        elif values["partner_responsibilities"]:
            errors["partner_email"] = page._("agreement.partner.email_missing")
        if len(kept) + 2 > MAX_PARTIES:
            errors["partner_email"] = page._("agreement.partner.too_many", n=MAX_PARTIES - 2)
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
                page.call("proposals", "draft_agreement", municipality.id, proposal_id, page.actor, draft)
            except ValidationError as exc:
                errors = forms.from_validation(page, exc, known=values.keys())
            except (Invalid, Conflict) as exc:
                errors = forms.from_invalid(page, exc, known=values.keys()) if isinstance(exc, Invalid) \
                    else {"form": exc.detail}
            else:
                return page.redirect(f"{_base(m)}/{proposal_id}", "agreement_saved")
        status = 422
    names = partner_names(page, [p["participant_id"] for p in partners])
    for i, p in enumerate(partners):
        values[f"partner_resp_{i}"] = p["responsibilities"]
    return page.render("proposals/agreement.html", status=status, title=page._("agreement.edit"),
                       proposal=proposal, current=current, values=values, errors=errors, partners=partners,
                       names=names, levels_options=[(level, page._("level." + level)) for level in LEVELS])


@page_route("/municipalities/<m>/proposals/<uuid:proposal_id>/agreement/accept", methods=("POST",))
def accept_agreement(page, m, proposal_id):
    try:
        version = int(page.field("version"))
    except ValueError:
        raise Invalid("version", [{"field": "version", "message": "a number"}])
    return _act(page, m, proposal_id, "accept_agreement", {"version": version}, done="agreement_accepted")


# -- the guided new-proposal flow -----------------------------------------------------------------

STEPS = ("mission", "affected", "needs", "expectations", "review")
FIELDS = ("title", "kind", "problem", "goal", "affected", "area", "topics", "needs", "iap2_level", "expectations",
          "language")
STEP_REQUIRED = {"mission": ("title", "kind", "problem", "goal"), "expectations": ("iap2_level",)}


def _payload(page, values, submit):
    sections = []
    if values.get("affected"):
        sections.append(f"{page._('new.affected.heading')}\n{values['affected']}")
    if values.get("expectations"):
        sections.append(f"{page._('new.expectations.heading')}\n{values['expectations']}")
    split = lambda text: [p.strip() for line in (text or "").splitlines() for p in line.split(",") if p.strip()]  # noqa: E731
    payload = {
        "kind": values.get("kind"), "title": values.get("title"), "problem": values.get("problem"),
        "goal": values.get("goal"), "description": "\n\n".join(sections),
        "area": values.get("area") or None, "topics": split(values.get("topics"))[:20],
        "needs": split(values.get("needs"))[:30], "language": values.get("language") or page.lang,
        "iap2_level": values.get("iap2_level") or None, "submit": submit,
    }
    return payload


def _similar_to_draft(page, municipality_id, values):
    """Proposals like the draft, as the matching service compares them (the one
    place that knows what "similar" means), each shown only if the proposals
    service shows it to this person.  ``None`` when matching cannot answer now."""
    draft = {"title": values.get("title", ""), "problem": values.get("problem", ""), "goal": values.get("goal", ""),
             "description": _payload(page, values, True)["description"],
             "language": values.get("language") if values.get("language") in ("da", "nb", "nn", "en") else "da"}
    matched = page.maybe("matching", "similar_to_draft", municipality_id, draft)
    if matched is None:
        return None
    ids = [item["id"] for item in matched][:5]
    shown = page.gather(**{f"p{i}": ("proposals", "get", (municipality_id, pid, page.actor), None)
                           for i, pid in enumerate(ids)}) if ids else {}
    result = [shown[f"p{i}"] for i in range(len(ids)) if shown.get(f"p{i}")]
    return [p for p in result if p.get("status") not in ("draft", "withdrawn", "rejected") and not p.get("hidden")]


def _step_of(errors):
    for step in STEPS:
        names = {"mission": ("title", "kind", "problem", "goal"), "affected": ("affected", "area", "topics"),
                 "needs": ("needs",), "expectations": ("iap2_level", "expectations", "language")}.get(step, ())
        if any(name in errors for name in names):
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
            if errors:
                step, status = current, 422
            elif current != "review":
                step = STEPS[index + 1]
            else:
                payload = _payload(page, values, submit=(go != "draft"))
                try:
                    NewProposal.model_validate(payload)
                    content = hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:32]
                    created = page.call("proposals", "submit", municipality.id, page.actor, payload,
                                        f"web-{attempt}-{content}")
                except ValidationError as exc:
                    errors = forms.from_validation(page, exc, known=FIELDS)
                except Invalid as exc:
                    errors = forms.from_invalid(page, exc, known=FIELDS)
                else:
                    return page.redirect(f"{_base(m)}/{created['id']}", "submitted" if go != "draft" else "drafted")
                step, status = _step_of(errors), 422
    if step == "review":
        similar = _similar_to_draft(page, municipality.id, values)
    return page.render("proposals/new.html", status=status, title=page._("new.title"), values=values,
                       errors=errors, step=step, steps=STEPS, similar=similar, kinds=KINDS, levels=LEVELS, attempt=attempt,
                       preview=_payload(page, values, True) if step == "review" else None)


# -- experiments and progress updates ------------------------------------------------------------------

@page_route("/municipalities/<m>/proposals/<uuid:proposal_id>/experiments", methods=("POST",))
def record_experiment(page, m, proposal_id):
    page.in_municipality(m)
    page.require_account()
    values = {name: page.field(name) for name in ("hypothesis", "intervention", "starts_on", "ends_on")}
    errors = forms.required(page, values, ("hypothesis", "intervention", "starts_on"))
    if not errors:
        payload = {k: v for k, v in values.items() if v}
        try:
            return _act(page, m, proposal_id, "record_experiment", payload, done="experiment_saved")
        except Invalid as exc:
            errors = forms.from_invalid(page, exc, known=values.keys())
        except Conflict as exc:
            errors = {"form": forms.from_invalid(page, Invalid(exc.detail)).popitem()[1]}
    return detail(page, m, proposal_id, errors=errors, values=values, status=422)


@page_route("/municipalities/<m>/proposals/<uuid:proposal_id>/experiments/<uuid:experiment_id>", methods=("POST",))
def finish_experiment(page, m, proposal_id, experiment_id):
    municipality = page.in_municipality(m)
    page.require_account()
    values = {name: page.field(name) for name in ("ends_on", "outcome", "learnings")}
    payload = {k: v for k, v in values.items() if v}
    prefix = f"exp-{experiment_id}-"
    if not payload:
        return detail(page, m, proposal_id, errors={prefix + "outcome": page._("form.required")}, status=422)
    try:
        page.call("proposals", "update_experiment", municipality.id, str(proposal_id), str(experiment_id),
                  page.actor, payload)
    except (Invalid, Conflict) as exc:
        message = forms.from_invalid(page, exc if isinstance(exc, Invalid) else Invalid(exc.detail)).popitem()[1]
        return detail(page, m, proposal_id, errors={prefix + "outcome": message}, status=422)
    return page.redirect(f"{_base(m)}/{proposal_id}", "experiment_saved")


@page_route("/municipalities/<m>/proposals/<uuid:proposal_id>/updates", methods=("POST",))
def post_update(page, m, proposal_id):
    page.in_municipality(m)
    page.require_account()
    body = page.field("update")
    if not body:
        return detail(page, m, proposal_id, errors={"update": page._("form.required")}, status=422)
    try:
        return _act(page, m, proposal_id, "post_update", {"body": body}, done="update_posted")
    except (Invalid, Conflict) as exc:
        message = forms.from_invalid(page, exc if isinstance(exc, Invalid) else Invalid(exc.detail)).popitem()[1]
        return detail(page, m, proposal_id, errors={"update": message}, values={"update": body}, status=422)


# -- reports and moderation -----------------------------------------------------------------------------

REPORTABLE = ("proposal", "question", "answer", "update")


@page_route("/municipalities/<m>/proposals/<uuid:proposal_id>/reports", methods=("POST",))
def report(page, m, proposal_id):
    page.in_municipality(m)
    page.require_account()
    target, _, target_id = page.field("target").partition(":")
    reason = page.field("report_reason")
    errors = {}
    if target not in REPORTABLE or not target_id:
        errors["target"] = page._("form.choose")
    if not reason:
        errors["report_reason"] = page._("form.required")
    if not errors:
        try:
            return _act(page, m, proposal_id, "report",
                        {"target_type": target, "target_id": target_id, "reason": reason}, done="reported")
        except Invalid as exc:
            errors = {"report_reason": forms.from_invalid(page, exc).popitem()[1]}
    return detail(page, m, proposal_id, errors=errors, values={"report_reason": reason}, status=422)


@page_route("/municipalities/<m>/reports/<uuid:report_id>/decision", methods=("POST",))
def decide_report(page, m, report_id):
    municipality = page.in_municipality(m)
    page.require_staff(municipality.id)
    action, reason = page.field("action"), page.field("reason")
    if action not in ("hide", "dismiss") or not reason:
        return page.redirect(f"/municipalities/{m}/staff", "decision_incomplete")
    page.call("proposals", "decide_report", municipality.id, str(report_id), page.actor,
              {"action": action, "reason": reason})
    return page.redirect(f"/municipalities/{m}/staff", "decided")
