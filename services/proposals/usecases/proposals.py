"""Proposals themselves: submit, read, list, change, move through their life."""
import hashlib
import json
import uuid

from samskab import geo
from samskab.contracts import proposals as contracts
from samskab.errors import Invalid
from samskab.values import now, parse

from .. import domain, storage, views
from .common import caller, emit, own_id, require_signed_in

# Publication and submission have their own event types; every other move is status_changed.
TRANSITION_EVENTS = {"submitted": contracts.ProposalSubmitted, "published": contracts.ProposalPublished}


def _idempotency(key, municipality, new):
    """The key as stored and the request's fingerprint (the same key with another request is refused)."""
    key = str(key)
    if not 1 <= len(key) <= 255 or not key.isprintable() or not key.isascii():
        raise Invalid("the Idempotency-Key must be 1 to 255 printable ASCII characters",
                      [{"field": "Idempotency-Key", "message": "1 to 255 printable ASCII characters"}])
    fingerprint = hashlib.sha256(json.dumps([municipality, new.model_dump(mode="json")],
                                            sort_keys=True).encode()).hexdigest()
    return key, fingerprint


def _point_of_area(values, row):
    """An area always has a point (the map's marker, and what points-only readers use): the
    area's centre when the proposal would otherwise have none."""
    area = values.get("boundary", row.boundary if row is not None else None)
    latitude = values.get("latitude", row.latitude if row is not None else None)
    if not area or latitude is not None:
        return {}
    latitude, longitude = geo.centre(area)
    return {"latitude": latitude, "longitude": longitude}


def submit(uow, municipality, actor, payload, idempotency_key=None):
    """Save a draft or submit a proposal.  With ``idempotency_key`` (the client's
    Idempotency-Key), a retry of the same request returns the proposal the first one
    made, marked ``"replayed": true``, instead of making a second; the same key with a
    different request is refused."""
    new = parse(contracts.NewProposal, payload)
    who = caller(actor)
    require_signed_in(who, "a proposal")
    at = now()
    if idempotency_key is not None:
        key, fingerprint = _idempotency(idempotency_key, municipality, new)
    record = {
        "id": uuid.uuid4(),
        "municipality": municipality,
        **new.model_dump(exclude={"submit"}),
        **_point_of_area(new.model_dump(), None),
        "status": contracts.Status.DRAFT.value,
        "initiator_id": own_id(who),
        "initiator_role": actor["role"] if actor["role"] in contracts.values(contracts.Role) else "resident",
        "created_at": at,
        "updated_at": at,
        "last_activity_at": at,
    }
    with uow:
        repo = storage.Proposals(uow)
        if idempotency_key is not None and not repo.claim_key(
                record["initiator_id"], key, fingerprint, municipality, record["id"], at):
            return _replay(repo, who, record["initiator_id"], key, fingerprint)
        repo.add(record)
        row = repo.get(municipality, record["id"], lock=True)
        if new.submit:
            row = move(uow, row, who, "submitted", None, None, at)
    view = views.proposal(row, who)
    if idempotency_key is not None:
        view["replayed"] = False
    return view


def _replay(repo, who, initiator_id, key, fingerprint):
    first = repo.claimed_key(initiator_id, key)
    if first.fingerprint != fingerprint:
        raise Invalid("this Idempotency-Key was used for a different proposal; use a new key for a new one",
                      [{"field": "Idempotency-Key", "message": "already used for a different request"}])
    return {**views.proposal(repo.get(first.municipality, first.proposal_id), who), "replayed": True}


def get(uow, municipality, actor, proposal_id):
    """One proposal, with what the caller may do next (``allowed``) and whether they
    support and follow it."""
    who = caller(actor)
    with uow:
        viewer = own_id(who) if who.id is not None else None
        row = storage.Proposals(uow).get(municipality, proposal_id, viewer=viewer)
        rules = views.proposal_of(row)
        rules.require_visible(who)
        view = views.proposal(row, who)
        if viewer is not None:
            view["supported_by_me"], view["followed_by_me"] = row.supported_by_me, row.followed_by_me
    view["allowed"] = rules.allowed(who)
    if who.id is None:
        view["participant_allowed"] = rules.allowed_to_participants()
    return view


def mine(uow, municipality, actor):
    """What is the caller's own among the municipality's proposals: those they started,
    support and follow, and their capacities towards any other proposal there.  With the
    public answer's ``participant_allowed``, a page knows what they may do without asking
    for each proposal (the gateway keeps this until the caller writes something)."""
    who = caller(actor)
    require_signed_in(who, "what is one's own")
    capacities = domain.Proposal("", municipality, "").capacities(who)
    with uow:
        initiated, supported, followed = storage.Proposals(uow).own(municipality, own_id(who))
    return {"capacities": [c for c in domain.CAPACITIES if c in capacities],
            "initiated": initiated, "supported": supported, "followed": followed}


def list_page(uow, municipality, actor, query):
    """One page: ``query`` may hold status (list), kind, topic, area, q, sort, cursor, limit, mine."""
    query = dict(query or {})
    who = caller(actor)
    errors = []
    statuses = query.get("status") or []
    if isinstance(statuses, str):
        statuses = [statuses]
    for s in statuses:
        if s not in domain.STATUSES:
            errors.append({"field": "status", "message": f"unknown status {s!r}; one of {', '.join(domain.STATUSES)}"})
    kind = query.get("kind")
    kinds, sorts = contracts.values(contracts.Kind), contracts.values(contracts.Sort)
    if kind is not None and kind not in kinds:
        errors.append({"field": "kind", "message": f"one of {', '.join(kinds)}"})
    sort = query.get("sort") or "newest"
    if sort not in sorts:
        errors.append({"field": "sort", "message": f"one of {', '.join(sorts)}"})
    try:
        limit = int(query.get("limit") or 20)
        if not 1 <= limit <= storage.MAX_LIMIT:
            raise ValueError
    except (TypeError, ValueError):
        errors.append({"field": "limit", "message": f"a whole number from 1 to {storage.MAX_LIMIT}"})
        limit = 20
    text = (query.get("q") or "").strip() or None
    for name, value, most in (("q", text, 200), ("topic", query.get("topic"), 60), ("area", query.get("area"), 100)):
        if value is not None and len(value) > most:
            errors.append({"field": name, "message": f"at most {most} characters"})
    mine = bool(query.get("mine"))
    if mine and who.id is None:
        errors.append({"field": "mine", "message": "sign in to list your own proposals"})
    try:
        bbox = geo.parse_bbox(query.get("bbox"))
    except Invalid as bad:
        errors += bad.errors
    if errors:
        raise Invalid("the list query is not valid", errors)
    with uow:
        rows, next_cursor = storage.Proposals(uow).page(
            municipality, status=statuses or None, kind=kind, topic=query.get("topic"), area=query.get("area"),
            text=text, sort=sort, cursor=query.get("cursor"), limit=limit,
            initiator_id=own_id(who) if mine else None, bbox=bbox,
        )
    return {"items": [views.proposal(r, who) for r in rows], "next_cursor": next_cursor}


def update(uow, municipality, actor, proposal_id, payload):
    patch = parse(contracts.ProposalPatch, payload)
    who = caller(actor)
    changes = patch.model_dump(exclude_unset=True)
    with uow:
        repo = storage.Proposals(uow)
        row = repo.get(municipality, proposal_id, lock=True)
        views.proposal_of(row).check_edit(who, set(changes))
        at = now()
        row = repo.touch(row, at, updated_at=at, **{**changes, **_point_of_area(changes, row)})
        if row.status != "draft":
            emit(uow, contracts.ProposalUpdated(**views.snapshot(row)), f"proposals/{row.id}")
    return views.proposal(row, who)


def move(uow, row, who, to, reason, outcome, at):
    """Apply a transition the rules allow to the locked ``row``: history, row and event."""
    change = views.proposal_of(row).transition(to, who, reason=reason, outcome=outcome, now=at)
    repo = storage.Proposals(uow)
    repo.add_status_change(row.id, change)
    values = {"status": to, "updated_at": at}
    if to == "concluded":
        values.update(outcome=outcome, outcome_reason=reason)
    row = repo.touch(row, at, **values)
    if change.from_status == "draft" and to == "withdrawn":
        return row  # a draft nobody else has seen: nothing to tell anyone
    if to in TRANSITION_EVENTS:
        event = TRANSITION_EVENTS[to](**views.snapshot(row))
    else:
        event = contracts.ProposalStatusChanged(**views.snapshot(row), from_status=change.from_status, reason=reason,
                                                changed_by=change.capacity, actor_id=change.actor_id)
    emit(uow, event, f"proposals/{row.id}")
    return row


def transition(uow, municipality, actor, proposal_id, payload):
    request = parse(contracts.TransitionRequest, payload)
    who = caller(actor)
    with uow:
        repo = storage.Proposals(uow)
        row = repo.get(municipality, proposal_id, lock=True)
        was_draft = row.status == "draft"
        row = move(uow, row, who, request.to, request.reason, request.outcome, now())
        if was_draft and row.status == "withdrawn":
            # A draft was never public: withdrawing it discards it rather than
            # leaving a withdrawn proposal that anyone could read.
            repo.discard([row.id])
    return views.proposal(row, who)


def history(uow, municipality, actor, proposal_id):
    """Who (in which capacity), when and why, for every move of the proposal."""
    who = caller(actor)
    with uow:
        repo = storage.Proposals(uow)
        row = repo.get(municipality, proposal_id)
        rules = views.proposal_of(row)
        rules.require_visible(who)
        rows = repo.history(row.id)
    return views.history(rows, show_actor=domain.STAFF in rules.capacities(who))
