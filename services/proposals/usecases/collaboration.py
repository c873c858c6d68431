"""Working together: the collaboration agreement, experiments and progress updates."""
import uuid

from samskab.contracts import proposals as contracts
from samskab.errors import Invalid, NotFound
from samskab.values import now, parse

from .. import domain, storage, views
from .common import caller, emit, own_id, readable


def agreement(uow, municipality, actor, proposal_id):
    who = caller(actor)
    with uow:
        row = storage.Proposals(uow).get(municipality, proposal_id)
        readable(row, who)
        latest, accepted = storage.Agreements(uow).latest(row.id)
    if latest is None:
        raise NotFound("this proposal has no agreement yet")
    return views.agreement(row, latest, accepted, who)


def _agreement_updated(row, latest, accepted, change):
    return contracts.AgreementUpdated(**views.agreement_data(row, latest, accepted), change=change)


def draft_agreement(uow, municipality, actor, proposal_id, payload):
    """A new version of the agreement; every party accepts each version anew."""
    draft = parse(contracts.AgreementDraft, payload)
    who = caller(actor)
    with uow:
        repo, agreements = storage.Proposals(uow), storage.Agreements(uow)
        row = repo.get(municipality, proposal_id, lock=True)
        views.proposal_of(row).check_agreement_draft(who)
        content = draft.model_dump(mode="json")
        content["parties"] = domain.with_required_parties(content["parties"])
        latest, _ = agreements.latest(row.id)
        at = now()
        agreements.add_version(row.id, (latest.version if latest else 0) + 1, content, own_id(who), at)
        repo.touch(row, at)
        latest, accepted = agreements.latest(row.id)
        emit(uow, _agreement_updated(row, latest, accepted, "drafted"), f"proposals/{row.id}/agreement")
    return views.agreement(row, latest, accepted, who)


def accept_agreement(uow, municipality, actor, proposal_id, payload):
    """Accept the current version for every party the caller stands for."""
    request = parse(contracts.AgreementAcceptance, payload)
    who = caller(actor)
    with uow:
        repo, agreements = storage.Proposals(uow), storage.Agreements(uow)
        row = repo.get(municipality, proposal_id, lock=True)
        latest, accepted = agreements.latest(row.id)
        keys = domain.check_acceptance(who, views.proposal_of(row), latest.version if latest else None,
                                       request.version, latest.content["parties"] if latest else [])
        at = now()
        new_keys = set(keys) - set(accepted)
        for key in sorted(new_keys):
            agreements.accept(row.id, latest.version, key, own_id(who), at)
        if new_keys:
            repo.touch(row, at)
            latest, accepted = agreements.latest(row.id)
            emit(uow, _agreement_updated(row, latest, accepted, "accepted"), f"proposals/{row.id}/agreement")
    return views.agreement(row, latest, accepted, who)


def record_experiment(uow, municipality, actor, proposal_id, payload):
    new = parse(contracts.NewExperiment, payload)
    who = caller(actor)
    with uow:
        repo = storage.Proposals(uow)
        row = repo.get(municipality, proposal_id, lock=True)
        views.proposal_of(row).check_experiment(who)
        at = now()
        e = storage.Experiments(uow).add(row.id, own_id(who), at, new.model_dump())
        repo.touch(row, at)
        emit(uow, views.experiment_recorded(e, municipality), f"proposals/{row.id}/experiments/{e.id}")
    return views.experiment(e)


def update_experiment(uow, municipality, actor, proposal_id, experiment_id, payload):
    """Add an experiment's end, outcome and learnings."""
    patch = parse(contracts.ExperimentPatch, payload)
    who = caller(actor)
    with uow:
        repo, tried = storage.Proposals(uow), storage.Experiments(uow)
        row = repo.get(municipality, proposal_id, lock=True)
        views.proposal_of(row).check_experiment(who)
        e = tried.get(row.id, experiment_id)
        changes = patch.model_dump(exclude_unset=True)
        if changes.get("ends_on") and changes["ends_on"] < e.starts_on:
            raise Invalid("the experiment cannot end before it starts",
                          [{"field": "ends_on", "message": "before starts_on"}])
        at = now()
        e = tried.change(e.id, at, changes)
        repo.touch(row, at)
        emit(uow, views.experiment_recorded(e, municipality), f"proposals/{row.id}/experiments/{e.id}")
    return views.experiment(e)


def experiments(uow, municipality, actor, proposal_id):
    who = caller(actor)
    with uow:
        row = storage.Proposals(uow).get(municipality, proposal_id)
        readable(row, who)
        rows = storage.Experiments(uow).of(row.id)
    return [views.experiment(e) for e in rows]


def post_update(uow, municipality, actor, proposal_id, payload):
    new = parse(contracts.NewUpdate, payload)
    who = caller(actor)
    with uow:
        repo = storage.Proposals(uow)
        row = repo.get(municipality, proposal_id, lock=True)
        capacity = views.proposal_of(row).check_update(who)
        at, uid = now(), uuid.uuid4()
        storage.Updates(uow).add(uid, row.id, own_id(who), capacity, new.body, at)
        repo.touch(row, at)
        emit(uow, contracts.ProgressPosted(proposal_id=row.id, municipality=municipality, update_id=uid,
                                           body=new.body, posted_by=capacity, posted_at=at, author_id=who.id),
             f"proposals/{row.id}/updates/{uid}")
    return views.new_update(uid, new.body, capacity, at)


def updates(uow, municipality, actor, proposal_id):
    who = caller(actor)
    with uow:
        row = storage.Proposals(uow).get(municipality, proposal_id)
        rules = readable(row, who)
        rows = storage.Updates(uow).of(row.id)
    return [views.content(u, who, rules, posted_by=u.capacity) for u in rows]
