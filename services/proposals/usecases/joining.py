"""Joining in: supports, follows, questions and answers."""
import uuid

from samskab.contracts import proposals as contracts
from samskab.errors import NotFound
from samskab.values import now, parse

from .. import domain, leadership, storage, views
from .common import caller, emit, own_id, readable


def support(uow, municipality, actor, proposal_id, threshold):
    """Support once per participant; the support that brings the count to the
    municipality's ``threshold`` also says so (once per proposal)."""
    who = caller(actor)
    with uow:
        repo = storage.Proposals(uow)
        row = repo.get(municipality, proposal_id, lock=True)
        rules = views.proposal_of(row)
        rules.require_visible(who)
        rules.check_support(who, already=who.id is not None and repo.supported_by(row.id, own_id(who)))
        at = now()
        repo.add_support(row.id, own_id(who), at)
        before = row.support_count
        crossed = domain.threshold_crossed(before, before + 1, threshold, row.threshold_reached_at is not None)
        values = {"support_count": storage.proposals.c.support_count + 1}
        if crossed:
            values["threshold_reached_at"] = at
        row = repo.touch(row, at, **values)
        subject = f"proposals/{row.id}"
        emit(uow, contracts.ProposalSupported(proposal_id=row.id, municipality=municipality, participant_id=who.id,
                                              support_count=row.support_count), subject)
        if crossed:
            emit(uow, contracts.SupportThresholdReached(
                proposal_id=row.id, municipality=municipality, support_count=row.support_count, threshold=threshold,
                initiator_id=row.initiator_id), subject)
    return {"support_count": row.support_count, "supported_by_me": True}


def unsupport(uow, municipality, actor, proposal_id):
    who = caller(actor)
    with uow:
        repo = storage.Proposals(uow)
        row = repo.get(municipality, proposal_id, lock=True)
        removed = who.id is not None and repo.remove_support(row.id, own_id(who))
        views.proposal_of(row).check_unsupport(who, bool(removed))
        row = repo.touch(row, now(), support_count=storage.proposals.c.support_count - 1)
        emit(uow, contracts.SupportWithdrawn(proposal_id=row.id, municipality=municipality, participant_id=who.id,
                                             support_count=row.support_count), f"proposals/{row.id}")
    return {"support_count": row.support_count, "supported_by_me": False}


def follow(uow, municipality, actor, proposal_id, following=True):
    who = caller(actor)
    with uow:
        repo = storage.Proposals(uow)
        row = repo.get(municipality, proposal_id)
        views.proposal_of(row).check_follow(who)
        if repo.follow(row.id, own_id(who), following):
            emit(uow, contracts.ProposalFollowed(proposal_id=row.id, municipality=municipality,
                                                 participant_id=who.id, following=following), f"proposals/{row.id}")
    return {"followed_by_me": following}


def ask(uow, municipality, actor, proposal_id, payload):
    new = parse(contracts.NewQuestion, payload)
    who = caller(actor)
    with uow:
        repo = storage.Proposals(uow)
        row = repo.get(municipality, proposal_id, lock=True)
        views.proposal_of(row).check_ask(who)
        at, qid = now(), uuid.uuid4()
        storage.Questions(uow).add(qid, row.id, own_id(who), new.body, at)
        repo.touch(row, at)
        emit(uow, contracts.QuestionAsked(proposal_id=row.id, municipality=municipality, question_id=qid,
                                          body=new.body, asked_at=at, author_id=who.id,
                                          initiator_id=row.initiator_id), f"proposals/{row.id}/questions/{qid}")
    return views.new_question(qid, new.body, at)


def answer(uow, municipality, actor, proposal_id, question_id, payload):
    new = parse(contracts.NewAnswer, payload)
    who = caller(actor)
    with uow:
        repo, asked = storage.Proposals(uow), storage.Questions(uow)
        row = repo.get(municipality, proposal_id, lock=True)
        question = asked.get(row.id, question_id)
        rules = views.proposal_of(row)
        rules.require_visible(who)
        if question is None:
            raise NotFound("no such question")
        capacity = rules.check_answer(who, question.hidden_at is not None)
        # a politician answers as themselves (their public office), staff as employees
        held = storage.Offices(uow).get(municipality, who.id) if who.role == leadership.POLITICIAN else None
        office = leadership.answering_office(who, capacity, held)
        at, aid = now(), uuid.uuid4()
        asked.add_answer(aid, question.id, row.id, own_id(who), capacity, new.body, at, office)
        repo.touch(row, at)
        emit(uow, contracts.QuestionAnswered(
            proposal_id=row.id, municipality=municipality, question_id=question.id, answer_id=aid, body=new.body,
            answered_by=capacity, answered_at=at, author_id=who.id, question_author_id=question.author_id,
            office=office), f"proposals/{row.id}/questions/{question.id}")
    return views.new_answer(aid, question.id, new.body, capacity, at, office)


def questions(uow, municipality, actor, proposal_id, unanswered=False):
    """Questions, oldest first, with their answers; unanswered ones say so."""
    who = caller(actor)
    with uow:
        row = storage.Proposals(uow).get(municipality, proposal_id)
        rules = readable(row, who)
        question_rows, answer_rows = storage.Questions(uow).of(row.id)
    return views.questions(question_rows, answer_rows, who, rules, unanswered)

