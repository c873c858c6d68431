"""Proposals: the list (search, filters, pages), one proposal with everything
around it, and what people do with it there (support, follow, ask, answer, move
it on, experiments, updates, reports).  Editing, the agreement and the guided
flow for a new proposal are in ``proposal_forms`` and ``proposal_new``.

What the caller may do is the proposals service's answer (``proposal.allowed``):
the pages offer exactly that and keep no copy of the rules.
"""

from samskab.contracts.proposals import (
    Allowed, Iap2, Kind, Outcome, ProposalsRpc, Sort, Status, TargetType, values,
)
from samskab.errors import Conflict, Invalid

from ... import council as council_steps
from ...accounts import directory
from ...readmodel import own as own_reads
from .. import forms
from ..app import page_route, parts
from .accounts import refuse_unverified
from .tried_elsewhere import tried_elsewhere
from . import maps
from .attachments import parts_for as attachment_parts  # pictures and files (issue 21)

STATUSES = tuple(s for s in values(Status) if s != Status.DRAFT)  # drafts are never listed
KINDS = values(Kind)
SORTS = values(Sort)
LEVELS = values(Iap2)
OUTCOMES = values(Outcome)
PAGE_SIZE = 20
MANAGERS = {"staff", "initiator"}
# A part of a page that may be missing: not found, not allowed, a backend away.
def base(m):
    return f"/municipalities/{m}/proposals"


def load(page, m, proposal_id):
    """The municipality and the proposal as the caller may see it, with ``allowed``."""
    municipality = page.in_municipality(m)
    proposal = own_reads.proposal(page.ctx, municipality.id, proposal_id)  # what is the reader's own from memory
    return municipality, proposal


def allowed(proposal):
    return proposal.allowed or Allowed()


def editable(proposal):
    """The fields the caller may change now: all of the content, the IAP2 level alone, or none."""
    actions = allowed(proposal).actions
    if "edit" in actions:
        return CONTENT
    return ("iap2_level",) if "set_iap2_level" in actions else ()


# What the initiator may change; the municipality's staff set only the IAP2 level.
CONTENT = ("title", "kind", "problem", "goal", "description", "area", "topics", "needs", "language", "iap2_level")


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
        found = page.ctx.proposals.list_page(municipality.id, page.actor, query)
    except Invalid:
        query.pop("cursor", None)
        found = page.ctx.proposals.list_page(municipality.id, page.actor, query)
        cursor = None
    next_url = None
    if found.next_cursor:
        next_url = page.url(base(m), **filters, cursor=found.next_cursor)
    return page.render("proposals/list.html", title=page._("proposals.title"), items=found.items,
                       filters=filters, next_url=next_url,
                       first_url=page.url(base(m), **filters) if cursor else None,
                       statuses=STATUSES, kinds=KINDS, sorts=SORTS)


def partners(agreement):
    """The agreement's named partners, as the forms carry them."""
    return [{"participant_id": str(p.participant_id), "responsibilities": p.responsibilities}
            for p in (agreement.parties if agreement else []) if p.role == "partner"]


def _fetches(page, mid, proposal_id, manage):
    """The parts of a proposal's page, ``name=(fetch, default)`` as ``parts`` takes them."""
    rpc, actor = page.ctx.proposals, page.actor
    # What only managers see differently is read as anybody reads it (from the read model) by
    # everyone else: the one personal read of a resident's page is the proposal itself.
    reader = actor if manage else None
    fetches = dict(
        history=(lambda: rpc.history(mid, actor, proposal_id), []),
        questions=(lambda: rpc.questions(mid, actor, proposal_id, False), []),
        agreement=(lambda: rpc.agreement(mid, reader, proposal_id), None),
        experiments=(lambda: rpc.experiments(mid, actor, proposal_id), []),
        updates=(lambda: rpc.updates(mid, actor, proposal_id), []),
        meetings=(lambda: page.ctx.meetings.list(mid, actor, proposal_id=proposal_id, upcoming=False, limit=50), []),
        similar=(lambda: page.ctx.matching.similar(mid, actor, proposal_id), None),
        tried_elsewhere=(lambda: tried_elsewhere(page, mid, proposal_id), []),
        # citizen panels drawn for it: seed and chances for all, the people drawn for staff
        panels=(lambda: page.ctx.matching.panels_of(mid, actor, proposal_id), []),
        # the council's missions it works towards, and its case: placed on a meeting, then decided
        missions=(lambda: council_steps.council(page.ctx).missions_of_proposal(mid, reader, proposal_id), []),
        council_case=(lambda: council_steps.council(page.ctx).case_of_proposal(mid, actor, proposal_id), None),
    )
    if manage:
        fetches["stakeholders"] = (lambda: page.ctx.matching.stakeholders(mid, actor, proposal_id), None)
        fetches["matches"] = (lambda: page.ctx.matching.matches(mid, actor, proposal_id), None)
    fetches.update(attachment_parts(page, mid, proposal_id))
    return fetches


@page_route("/municipalities/<m>/proposals/<uuid:proposal_id>")
def detail(page, m, proposal_id, errors=None, values=None, status=200):
    proposal_id = str(proposal_id)
    found = None
    if page.actor is None or not (page.actor.get("staff") or page.actor.get("operator")):
        # Most readers see what anybody sees: the proposal as anybody reads it and every part
        # at once, from the read model (what it misses of the proposals service in one call).
        mid = page.in_municipality(m).id
        fetches = _fetches(page, mid, proposal_id, manage=False)
        attachment_fetches = {"may_attach": fetches.pop("may_attach")}  # only a partner's, below
        found = parts(anybodys=(lambda: page.ctx.proposals.get(mid, None, proposal_id), None), **fetches)
        del found["anybodys"]  # kept now: the reader's own answer below is made of it
    municipality, proposal = load(page, m, proposal_id)
    may = allowed(proposal)
    caps = set(may.capacities)
    manage = bool(caps & MANAGERS)
    if found is None or manage:  # staff, and the proposal's initiator: the parts as they see them
        fetches = _fetches(page, municipality.id, proposal_id, manage)
        attachment_fetches = {"may_attach": fetches["may_attach"]}
        if not manage:
            fetches.pop("may_attach")  # asked below, only of a partner named in the agreement
        found = parts(**fetches)
    found.setdefault("stakeholders", None)
    found.setdefault("matches", None)
    rpc, mid, actor = page.ctx.proposals, municipality.id, page.actor
    agreement = found["agreement"]
    partner_ids = [p["participant_id"] for p in partners(agreement)]
    me = str(page.account.id) if page.account is not None else None
    if not manage:
        # A resident named as a partner has their own parties to accept, and may attach.
        if me is not None and me in partner_ids:
            found.update(parts(agreement=(lambda: rpc.agreement(mid, actor, proposal_id), agreement),
                               may_attach=attachment_fetches["may_attach"]))
            agreement = found["agreement"]
        else:
            found["may_attach"] = False
    # Partners' names only to those who drafted the agreement and to the partners themselves.
    names = directory.display_names(page.ctx.db, partner_ids) if partner_ids and (manage or me in partner_ids) \
        else {}
    to_accept = sorted(set(agreement.my_parties) - set(agreement.accepted_parties)) if agreement else []
    response = page.render(
        "proposals/detail.html", status=status, title=proposal.title or page._("proposal.hidden"),
        proposal=proposal, caps=caps, manage=manage, can_edit=editable(proposal),
        can_draft_agreement="draft_agreement" in may.actions, actions=may.actions, transitions=may.transitions,
        outcomes=OUTCOMES,
        partner_names=names, me=me, to_accept=to_accept, errors=errors or {}, values=values or {}, **found,
        map_tiles=maps.tiles(page.config),
    )
    response.csp = maps.policy(page.config)  # its map's tiles (maps/_proposal_map.html)
    return response


def act(page, m, proposal_id, action, *extra, done="saved"):
    """Do ``action`` (a method of the typed client) on the proposal and go back to it."""
    municipality = page.in_municipality(m)
    page.require_account()
    action(page.ctx.proposals, municipality.id, page.actor, str(proposal_id), *extra)
    return page.redirect(f"{base(m)}/{proposal_id}", done)


def _message(page, exc):
    """A refused change (422 or 409) as the one message shown next to its form."""
    return forms.from_invalid(page, exc if isinstance(exc, Invalid) else Invalid(exc.detail)).popitem()[1]


@page_route("/municipalities/<m>/proposals/<uuid:proposal_id>/support", methods=("POST",))
def support(page, m, proposal_id):
    if page.field("withdraw"):
        return act(page, m, proposal_id, ProposalsRpc.unsupport, done="unsupported")
    page.require_account()
    refused = refuse_unverified(page, m, "supports")  # the municipality asks for a verified account
    if refused is not None:
        return refused
    return act(page, m, proposal_id, ProposalsRpc.support, done="supported")


@page_route("/municipalities/<m>/proposals/<uuid:proposal_id>/follow", methods=("POST",))
def follow(page, m, proposal_id):
    following = not page.field("stop")
    return act(page, m, proposal_id, ProposalsRpc.follow, following, done="followed" if following else "unfollowed")


@page_route("/municipalities/<m>/proposals/<uuid:proposal_id>/questions", methods=("POST",))
def ask(page, m, proposal_id):
    page.in_municipality(m)
    page.require_account()
    body = page.field("question")
    if not body:
        return detail(page, m, proposal_id, errors={"question": page._("form.required")}, status=422)
    try:
        return act(page, m, proposal_id, ProposalsRpc.ask, {"body": body}, done="asked")
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
        page.ctx.proposals.answer(municipality.id, page.actor, proposal_id, question_id, {"body": body})
    except Invalid as exc:
        return detail(page, m, proposal_id, errors={name: forms.from_invalid(page, exc).popitem()[1]}, status=422)
    return page.redirect(f"{base(m)}/{proposal_id}", "answered")


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
        page.ctx.proposals.transition(municipality.id, page.actor, proposal_id, payload)
    except (Invalid, Conflict) as exc:
        errors = forms.from_invalid(page, exc) if isinstance(exc, Invalid) else {"form": exc.detail}
        return detail(page, m, proposal_id, errors={"transition": next(iter(errors.values()))},
                      values={"reason": page.field("reason")}, status=exc.status)
    back = page.field("back")
    if back.startswith(f"/municipalities/{m}/staff"):
        return page.redirect(back, "moved")
    return page.redirect(f"{base(m)}/{proposal_id}", "moved")


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
            return act(page, m, proposal_id, ProposalsRpc.record_experiment, payload, done="experiment_saved")
        except Invalid as exc:
            errors = forms.from_invalid(page, exc, known=values.keys())
        except Conflict as exc:
            errors = {"form": _message(page, exc)}
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
        page.ctx.proposals.update_experiment(municipality.id, page.actor, proposal_id, experiment_id, payload)
    except (Invalid, Conflict) as exc:
        return detail(page, m, proposal_id, errors={prefix + "outcome": _message(page, exc)}, status=422)
    return page.redirect(f"{base(m)}/{proposal_id}", "experiment_saved")


@page_route("/municipalities/<m>/proposals/<uuid:proposal_id>/updates", methods=("POST",))
def post_update(page, m, proposal_id):
    page.in_municipality(m)
    page.require_account()
    body = page.field("update")
    if not body:
        return detail(page, m, proposal_id, errors={"update": page._("form.required")}, status=422)
    try:
        return act(page, m, proposal_id, ProposalsRpc.post_update, {"body": body}, done="update_posted")
    except (Invalid, Conflict) as exc:
        return detail(page, m, proposal_id, errors={"update": _message(page, exc)}, values={"update": body},
                      status=422)


# -- reports and moderation -----------------------------------------------------------------------------

REPORTABLE = values(TargetType)


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
            return act(page, m, proposal_id, ProposalsRpc.report,
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
    page.ctx.proposals.decide_report(municipality.id, page.actor, report_id, {"action": action, "reason": reason})
    return page.redirect(f"/municipalities/{m}/staff", "decided")


# The other proposal pages register themselves when imported.
from . import proposal_forms, proposal_new  # noqa: E402,F401
