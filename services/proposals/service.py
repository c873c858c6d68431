"""The proposals service's nameko entrypoints: translate RPC to the domain and back.

Each method loads what the rules need, asks ``domain`` whether the caller may
do it, and stores the change with the events it causes in one transaction
(``with self.db``).  The proposal row is locked (``FOR UPDATE``) for changes, so
two transitions or two supports of the same proposal cannot interleave.

RPC arguments: ``municipality`` (slug), ``actor`` (dict or ``None``), ids, payload.
"""
import datetime as dt
import hashlib
import json
import uuid

import sqlalchemy as sa
from nameko.dependency_providers import Config
from pydantic import ValidationError
from sqlalchemy.dialects import postgresql as pg

from samskab.consumer import consume
from samskab.contracts import proposals as contracts
from samskab.contracts.participants import ParticipantErased
from samskab.db import Database, outbox
from samskab.errors import Conflict, Forbidden, Invalid, NotFound
from samskab.health import Health
from samskab.service import ServiceBase, rpc

from . import domain
from .domain import Actor
from .storage import (
    ACTOR_COLUMNS, CONTENT_TABLES, ERASED, MAX_LIMIT, PROPOSAL_CHILDREN, agreement_acceptances, agreement_versions,
    answers, experiments, follows, jsonable, list_page, proposals, questions, replace_partner, reports, status_history,
    submission_keys, supports, updates,
)

# Publication and submission have their own event types; every other move is status_changed.
TRANSITION_EVENTS = {"submitted": contracts.ProposalSubmitted, "published": contracts.ProposalPublished}
SNAPSHOT_FIELDS = set(contracts.ProposalSnapshot.model_fields)


def _now():
    return dt.datetime.now(dt.timezone.utc)


def _parse(model, payload):
    try:
        return model.model_validate(payload if payload is not None else {})
    except ValidationError as exc:
        errors = [{"field": ".".join(str(p) for p in e["loc"]) or "body", "message": e["msg"]} for e in exc.errors()]
        raise Invalid("the request is not valid", errors)


def _uuid(value, what="proposal"):
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise NotFound(f"no such {what}")


def _iso(value):
    return value.isoformat() if value is not None else None


def _snapshot(row):
    return {k: v for k, v in row._mapping.items() if k in SNAPSHOT_FIELDS}


def _proposal_view(row, actor):
    """The proposal as ``actor`` may see it: hidden ones are a tombstone with the reason
    for everyone but their initiator and the municipality's staff."""
    d = {k: v for k, v in row._mapping.items() if k not in ("search", "threshold_reached_at", "hidden_at")}
    d["hidden"] = row.hidden_at is not None
    proposal = _domain(row)
    if d["hidden"] and not proposal.shows_content_to(actor):
        d = {k: d[k] for k in ("id", "municipality", "status", "created_at", "hidden", "hidden_reason")}
    elif not proposal.capacities(actor) & {domain.INITIATOR, domain.STAFF}:
        # Who started it is for the initiator and the municipality: others see the role only.
        d["initiator_id"] = None
    for key in ("id", "initiator_id"):
        if d.get(key) is not None:
            d[key] = str(d[key])
    for key in ("created_at", "updated_at", "last_activity_at"):
        if key in d:
            d[key] = _iso(d[key])
    return d


def _domain(row):
    """The parts of a stored proposal the rules look at (its history is in status_history)."""
    return domain.Proposal(str(row.id), row.municipality, str(row.initiator_id), row.status,
                           hidden=row.hidden_at is not None)


def _readable(row, who):
    """The proposal as a domain object, if ``who`` may read what hangs under it: a hidden
    proposal's questions, agreement, experiments and updates leave public view with it."""
    proposal = _domain(row)
    proposal.require_visible(who)
    if not proposal.shows_content_to(who):
        raise NotFound(f"the municipality hid this proposal: {row.hidden_reason}")
    return proposal


def _content_view(row, actor, proposal, **extra):
    """A question, answer or update: hidden ones keep their id and the reason, lose the body."""
    d = {"id": str(row.id), "created_at": _iso(row.created_at), "hidden": row.hidden_at is not None,
         "hidden_reason": row.hidden_reason, **extra}
    shown = row.hidden_at is None or proposal.capacities(actor) & {domain.STAFF} or str(row.author_id) == actor.id
    d["body"] = row.body if shown else None
    return d


def _discard(uow, proposal_ids):
    """Delete proposals that never went public, with everything under them."""
    if proposal_ids:
        for table in PROPOSAL_CHILDREN:
            uow.execute(table.delete().where(table.c.proposal_id.in_(proposal_ids)))
        uow.execute(submission_keys.delete().where(submission_keys.c.proposal_id.in_(proposal_ids)))
        uow.execute(proposals.delete().where(proposals.c.id.in_(proposal_ids)))


class Service(ServiceBase):
    name = "proposals"
    environment = {
        "PROPOSALS_SUPPORT_THRESHOLD": "25",
        "PROPOSALS_SUPPORT_THRESHOLDS": "",  # e.g. "aalborg=50,hamar=30"
    }

    db = Database()
    health = Health()
    config = Config()

    # -- helpers ---------------------------------------------------------------

    def _load(self, uow, municipality, proposal_id, lock=False):
        query = sa.select(proposals).where(proposals.c.id == _uuid(proposal_id), proposals.c.municipality == municipality)
        if lock:
            query = query.with_for_update()
        row = uow.execute(query).first()
        if row is None:
            raise NotFound("no such proposal")
        return row

    def _touch(self, uow, row, now, **values):
        """Record activity (for the 'recently active' sort) and return the row as it is now."""
        return uow.execute(
            proposals.update().where(proposals.c.id == row.id).values(last_activity_at=now, **values).returning(proposals)
        ).first()

    def _threshold(self, municipality):
        of = domain.parse_thresholds(self.config.get("PROPOSALS_SUPPORT_THRESHOLD", "25"),
                                     self.config.get("PROPOSALS_SUPPORT_THRESHOLDS", ""))
        return of(municipality)

    # -- proposals ---------------------------------------------------------------

    @rpc
    def submit(self, municipality, actor, payload, idempotency_key=None):
        """Save a draft or submit a proposal.  With ``idempotency_key`` (the
        client's Idempotency-Key), a retry of the same request returns the
        proposal the first one made, marked ``"replayed": true``, instead of
        making a second; the same key with a different request is refused."""
        new = _parse(contracts.NewProposal, payload)
        who = Actor.of(actor)
        if who.id is None:
            raise Invalid("a proposal needs an initiator", [{"field": "actor", "message": "sign in first"}])
        now = _now()
        if idempotency_key is not None:
            key = str(idempotency_key)
            if not 1 <= len(key) <= 255 or not key.isprintable() or not key.isascii():
                raise Invalid("the Idempotency-Key must be 1 to 255 printable ASCII characters",
                              [{"field": "Idempotency-Key", "message": "1 to 255 printable ASCII characters"}])
            fingerprint = hashlib.sha256(json.dumps([municipality, new.model_dump(mode="json")],
                                                    sort_keys=True).encode()).hexdigest()
        record = {
            "id": uuid.uuid4(),
            "municipality": municipality,
            **new.model_dump(exclude={"submit"}),
            "status": "draft",
            "initiator_id": uuid.UUID(who.id),
            "initiator_role": actor["role"] if actor["role"] in contracts.Role.__args__ else "resident",
            "created_at": now,
            "updated_at": now,
            "last_activity_at": now,
        }
        with self.db as uow:
            if idempotency_key is not None:
                # First come, first kept: a concurrent retry waits here for the first to commit.
                claimed = uow.execute(pg.insert(submission_keys).values(
                    initiator_id=record["initiator_id"], key=key, fingerprint=fingerprint, municipality=municipality,
                    proposal_id=record["id"], created_at=now,
                ).on_conflict_do_nothing().returning(submission_keys.c.proposal_id)).first()
                if claimed is None:
                    return self._replay(uow, who, record["initiator_id"], key, fingerprint)
            uow.execute(proposals.insert().values(**record))
            row = self._load(uow, municipality, record["id"], lock=True)
            if new.submit:
                row = self._apply_transition(uow, row, who, "submitted", None, None, now)
        view = _proposal_view(row, who)
        if idempotency_key is not None:
            view["replayed"] = False
        return view

    def _replay(self, uow, who, initiator_id, key, fingerprint):
        first = uow.execute(sa.select(submission_keys).where(
            submission_keys.c.initiator_id == initiator_id, submission_keys.c.key == key)).one()
        if first.fingerprint != fingerprint:
            raise Invalid("this Idempotency-Key was used for a different proposal; use a new key for a new one",
                          [{"field": "Idempotency-Key", "message": "already used for a different request"}])
        row = self._load(uow, first.municipality, first.proposal_id)
        return {**_proposal_view(row, who), "replayed": True}

    @rpc
    def get(self, municipality, proposal_id, actor=None):
        who = Actor.of(actor)
        with self.db as uow:
            row = self._load(uow, municipality, proposal_id)
            _domain(row).require_visible(who)
            view = _proposal_view(row, who)
            if who.id is not None:
                me = uuid.UUID(who.id)
                view["supported_by_me"] = uow.execute(sa.select(sa.exists().where(
                    supports.c.proposal_id == row.id, supports.c.participant_id == me))).scalar()
                view["followed_by_me"] = uow.execute(sa.select(sa.exists().where(
                    follows.c.proposal_id == row.id, follows.c.participant_id == me))).scalar()
        return view

    @rpc
    def list(self, municipality, actor=None, limit=20):
        """The newest public proposals (kept for callers of the first version)."""
        return self.list_page(municipality, actor, {"limit": limit})["items"]

    @rpc
    def list_page(self, municipality, actor=None, query=None):
        """One page: ``query`` may hold status (list), kind, topic, area, q, sort, cursor, limit, mine."""
        query = dict(query or {})
        who = Actor.of(actor)
        errors = []
        statuses = query.get("status") or []
        if isinstance(statuses, str):
            statuses = [statuses]
        for s in statuses:
            if s not in domain.STATUSES:
                errors.append({"field": "status", "message": f"unknown status {s!r}; one of {', '.join(domain.STATUSES)}"})
        kind = query.get("kind")
        if kind is not None and kind not in contracts.Kind.__args__:
            errors.append({"field": "kind", "message": f"one of {', '.join(contracts.Kind.__args__)}"})
        sort = query.get("sort") or "newest"
        if sort not in contracts.Sort.__args__:
            errors.append({"field": "sort", "message": f"one of {', '.join(contracts.Sort.__args__)}"})
        try:
            limit = int(query.get("limit") or 20)
            if not 1 <= limit <= MAX_LIMIT:
                raise ValueError
        except (TypeError, ValueError):
            errors.append({"field": "limit", "message": f"a whole number from 1 to {MAX_LIMIT}"})
            limit = 20
        text = (query.get("q") or "").strip() or None
        for name, value, most in (("q", text, 200), ("topic", query.get("topic"), 60), ("area", query.get("area"), 100)):
            if value is not None and len(value) > most:
                errors.append({"field": name, "message": f"at most {most} characters"})
        mine = bool(query.get("mine"))
        if mine and who.id is None:
            errors.append({"field": "mine", "message": "sign in to list your own proposals"})
        if errors:
            raise Invalid("the list query is not valid", errors)
        with self.db as uow:
            rows, next_cursor = list_page(
                uow.session, municipality, status=statuses or None, kind=kind, topic=query.get("topic"),
                area=query.get("area"), text=text, sort=sort, cursor=query.get("cursor"), limit=limit,
                initiator_id=uuid.UUID(who.id) if mine else None,
            )
        return {"items": [_proposal_view(r, who) for r in rows], "next_cursor": next_cursor}

    @rpc
    def update(self, municipality, proposal_id, actor, payload):
        patch = _parse(contracts.ProposalPatch, payload)
        who = Actor.of(actor)
        changes = patch.model_dump(exclude_unset=True)
        with self.db as uow:
            row = self._load(uow, municipality, proposal_id, lock=True)
            _domain(row).check_edit(who, set(changes))
            now = _now()
            row = self._touch(uow, row, now, updated_at=now, **changes)
            if row.status != "draft":
                uow.emit(contracts.ProposalUpdated.event_type, municipality=municipality,
                         subject=f"proposals/{row.id}", data=_snapshot(row))
        return _proposal_view(row, who)

    # -- the status machine ------------------------------------------------------------

    def _apply_transition(self, uow, row, who, to, reason, outcome, now):
        change = _domain(row).transition(to, who, reason=reason, outcome=outcome, now=now)
        uow.execute(status_history.insert().values(
            proposal_id=row.id, from_status=change.from_status, to_status=change.to_status,
            actor_id=uuid.UUID(change.actor_id), capacity=change.capacity, reason=change.reason,
            outcome=change.outcome, at=change.at,
        ))
        values = {"status": to, "updated_at": now}
        if to == "concluded":
            values.update(outcome=outcome, outcome_reason=reason)
        row = self._touch(uow, row, now, **values)
        subject = f"proposals/{row.id}"
        if change.from_status == "draft" and to == "withdrawn":
            return row  # a draft nobody else has seen: nothing to tell anyone
        if to in TRANSITION_EVENTS:
            uow.emit(TRANSITION_EVENTS[to].event_type, municipality=row.municipality, subject=subject, data=_snapshot(row))
        else:
            uow.emit(contracts.ProposalStatusChanged.event_type, municipality=row.municipality, subject=subject, data={
                **_snapshot(row), "from_status": change.from_status, "reason": reason,
                "changed_by": change.capacity, "actor_id": change.actor_id,
            })
        return row

    @rpc
    def transition(self, municipality, proposal_id, actor, payload):
        request = _parse(contracts.TransitionRequest, payload)
        who = Actor.of(actor)
        with self.db as uow:
            row = self._load(uow, municipality, proposal_id, lock=True)
            was_draft = row.status == "draft"
            row = self._apply_transition(uow, row, who, request.to, request.reason, request.outcome, _now())
            if was_draft and row.status == "withdrawn":
                # A draft was never public: withdrawing it discards it rather than
                # leaving a withdrawn proposal that anyone could read.
                _discard(uow, [row.id])
        return _proposal_view(row, who)

    @rpc
    def history(self, municipality, proposal_id, actor=None):
        """Who (in which capacity), when and why, for every move of the proposal."""
        who = Actor.of(actor)
        with self.db as uow:
            row = self._load(uow, municipality, proposal_id)
            proposal = _domain(row)
            proposal.require_visible(who)
            staff = domain.STAFF in proposal.capacities(who)
            rows = uow.execute(sa.select(status_history).where(status_history.c.proposal_id == row.id)
                               .order_by(status_history.c.id)).all()
        return [{
            "from_status": h.from_status, "to_status": h.to_status, "capacity": h.capacity, "reason": h.reason,
            "outcome": h.outcome, "at": _iso(h.at), **({"actor_id": str(h.actor_id)} if staff else {}),
        } for h in rows]

    # -- supports and follows -------------------------------------------------------------

    @rpc
    def support(self, municipality, proposal_id, actor):
        who = Actor.of(actor)
        with self.db as uow:
            row = self._load(uow, municipality, proposal_id, lock=True)
            proposal = _domain(row)
            proposal.require_visible(who)
            already = who.id is not None and uow.execute(sa.select(sa.exists().where(
                supports.c.proposal_id == row.id, supports.c.participant_id == uuid.UUID(who.id)))).scalar()
            proposal.check_support(who, already)
            now = _now()
            uow.execute(supports.insert().values(proposal_id=row.id, participant_id=uuid.UUID(who.id), at=now))
            before = row.support_count
            threshold = self._threshold(municipality)
            crossed = domain.threshold_crossed(before, before + 1, threshold, row.threshold_reached_at is not None)
            values = {"support_count": proposals.c.support_count + 1}
            if crossed:
                values["threshold_reached_at"] = now
            row = self._touch(uow, row, now, **values)
            subject = f"proposals/{row.id}"
            uow.emit(contracts.ProposalSupported.event_type, municipality=municipality, subject=subject, data={
                "proposal_id": row.id, "municipality": municipality, "participant_id": who.id,
                "support_count": row.support_count})
            if crossed:
                uow.emit(contracts.SupportThresholdReached.event_type, municipality=municipality, subject=subject, data={
                    "proposal_id": row.id, "municipality": municipality, "support_count": row.support_count,
                    "threshold": threshold, "initiator_id": row.initiator_id})
        return {"support_count": row.support_count, "supported_by_me": True}

    @rpc
    def unsupport(self, municipality, proposal_id, actor):
        who = Actor.of(actor)
        with self.db as uow:
            row = self._load(uow, municipality, proposal_id, lock=True)
            proposal = _domain(row)
            deleted = who.id is not None and uow.execute(supports.delete().where(
                supports.c.proposal_id == row.id, supports.c.participant_id == uuid.UUID(who.id))).rowcount
            proposal.check_unsupport(who, bool(deleted))
            row = self._touch(uow, row, _now(), support_count=proposals.c.support_count - 1)
            uow.emit(contracts.SupportWithdrawn.event_type, municipality=municipality, subject=f"proposals/{row.id}",
                     data={"proposal_id": row.id, "municipality": municipality, "participant_id": who.id,
                           "support_count": row.support_count})
        return {"support_count": row.support_count, "supported_by_me": False}

    @rpc
    def follow(self, municipality, proposal_id, actor, following=True):
        who = Actor.of(actor)
        with self.db as uow:
            row = self._load(uow, municipality, proposal_id)
            _domain(row).check_follow(who)
            me = uuid.UUID(who.id)
            if following:
                changed = uow.execute(pg.insert(follows).values(proposal_id=row.id, participant_id=me)
                                      .on_conflict_do_nothing()).rowcount
            else:
                changed = uow.execute(follows.delete().where(follows.c.proposal_id == row.id,
                                                             follows.c.participant_id == me)).rowcount
            if changed:
                uow.emit(contracts.ProposalFollowed.event_type, municipality=municipality, subject=f"proposals/{row.id}",
                         data={"proposal_id": row.id, "municipality": municipality, "participant_id": me,
                               "following": following})
        return {"followed_by_me": following}

    # -- questions and answers -------------------------------------------------------------

    @rpc
    def ask(self, municipality, proposal_id, actor, payload):
        new = _parse(contracts.NewQuestion, payload)
        who = Actor.of(actor)
        with self.db as uow:
            row = self._load(uow, municipality, proposal_id, lock=True)
            proposal = _domain(row)
            proposal.check_ask(who)
            now = _now()
            qid = uuid.uuid4()
            uow.execute(questions.insert().values(id=qid, proposal_id=row.id, author_id=uuid.UUID(who.id),
                                                  body=new.body, created_at=now))
            self._touch(uow, row, now)
            uow.emit(contracts.QuestionAsked.event_type, municipality=municipality, subject=f"proposals/{row.id}/questions/{qid}",
                     data={"proposal_id": row.id, "municipality": municipality, "question_id": qid, "body": new.body,
                           "asked_at": now, "author_id": who.id, "initiator_id": row.initiator_id})
        return {"id": str(qid), "body": new.body, "created_at": _iso(now), "hidden": False, "hidden_reason": None,
                "answers": [], "answered": False}

    @rpc
    def answer(self, municipality, proposal_id, question_id, actor, payload):
        new = _parse(contracts.NewAnswer, payload)
        who = Actor.of(actor)
        with self.db as uow:
            row = self._load(uow, municipality, proposal_id, lock=True)
            question = uow.execute(sa.select(questions).where(
                questions.c.id == _uuid(question_id, "question"), questions.c.proposal_id == row.id)).first()
            proposal = _domain(row)
            proposal.require_visible(who)
            if question is None:
                raise NotFound("no such question")
            capacity = proposal.check_answer(who, question.hidden_at is not None)
            now = _now()
            aid = uuid.uuid4()
            uow.execute(answers.insert().values(id=aid, question_id=question.id, proposal_id=row.id,
                                                author_id=uuid.UUID(who.id), capacity=capacity, body=new.body,
                                                created_at=now))
            self._touch(uow, row, now)
            uow.emit(contracts.QuestionAnswered.event_type, municipality=municipality,
                     subject=f"proposals/{row.id}/questions/{question.id}", data={
                         "proposal_id": row.id, "municipality": municipality, "question_id": question.id,
                         "answer_id": aid, "body": new.body, "answered_by": capacity, "answered_at": now,
                         "author_id": who.id, "question_author_id": question.author_id})
        return {"id": str(aid), "question_id": str(question.id), "body": new.body, "answered_by": capacity,
                "created_at": _iso(now), "hidden": False, "hidden_reason": None}

    @rpc
    def questions(self, municipality, proposal_id, actor=None, unanswered=False):
        """Questions, oldest first, with their answers; unanswered ones say so."""
        who = Actor.of(actor)
        with self.db as uow:
            row = self._load(uow, municipality, proposal_id)
            proposal = _readable(row, who)
            qs = uow.execute(sa.select(questions).where(questions.c.proposal_id == row.id)
                             .order_by(questions.c.created_at, questions.c.id)).all()
            ans = uow.execute(sa.select(answers).where(answers.c.proposal_id == row.id)
                              .order_by(answers.c.created_at, answers.c.id)).all()
        by_question = {}
        for a in ans:
            by_question.setdefault(a.question_id, []).append(
                _content_view(a, who, proposal, question_id=str(a.question_id), answered_by=a.capacity))
        result = []
        for q in qs:
            its = by_question.get(q.id, [])
            view = _content_view(q, who, proposal, answers=its, answered=any(not a["hidden"] for a in its))
            if not (unanswered and view["answered"]):
                result.append(view)
        return result

    # -- the collaboration agreement ---------------------------------------------------------

    def _agreement(self, uow, proposal_id):
        latest = uow.execute(sa.select(agreement_versions).where(agreement_versions.c.proposal_id == proposal_id)
                             .order_by(agreement_versions.c.version.desc()).limit(1)).first()
        if latest is None:
            return None, []
        accepted = uow.execute(sa.select(agreement_acceptances.c.party).where(
            agreement_acceptances.c.proposal_id == proposal_id,
            agreement_acceptances.c.version == latest.version)).scalars().all()
        return latest, sorted(accepted)

    def _agreement_data(self, row, latest, accepted, change):
        content = latest.content
        return {"proposal_id": row.id, "municipality": row.municipality, "version": latest.version, **content,
                "accepted_by": [k.split(":")[0] for k in accepted],
                "accepted": domain.agreement_accepted(content["parties"], accepted), "change": change}

    def _agreement_view(self, row, latest, accepted, who):
        if latest is None:
            return None
        data = self._agreement_data(row, latest, accepted, "drafted")
        data.pop("change")
        data["proposal_id"] = str(row.id)
        data["accepted_parties"] = accepted
        data["my_parties"] = sorted(domain.parties_of(who, _domain(row), latest.content["parties"]))
        data["created_at"] = _iso(latest.created_at)
        return data

    @rpc
    def agreement(self, municipality, proposal_id, actor=None):
        who = Actor.of(actor)
        with self.db as uow:
            row = self._load(uow, municipality, proposal_id)
            _readable(row, who)
            latest, accepted = self._agreement(uow, row.id)
        if latest is None:
            raise NotFound("this proposal has no agreement yet")
        return self._agreement_view(row, latest, accepted, who)

    @rpc
    def draft_agreement(self, municipality, proposal_id, actor, payload):
        draft = _parse(contracts.AgreementDraft, payload)
        who = Actor.of(actor)
        with self.db as uow:
            row = self._load(uow, municipality, proposal_id, lock=True)
            _domain(row).check_agreement_draft(who)
            content = draft.model_dump(mode="json")
            content["parties"] = domain.with_required_parties(content["parties"])
            latest, _ = self._agreement(uow, row.id)
            version = (latest.version if latest else 0) + 1
            now = _now()
            uow.execute(agreement_versions.insert().values(proposal_id=row.id, version=version, content=content,
                                                           drafted_by=uuid.UUID(who.id), created_at=now))
            self._touch(uow, row, now)
            latest, accepted = self._agreement(uow, row.id)
            uow.emit(contracts.AgreementUpdated.event_type, municipality=municipality, subject=f"proposals/{row.id}/agreement",
                     data=self._agreement_data(row, latest, accepted, "drafted"))
        return self._agreement_view(row, latest, accepted, who)

    @rpc
    def accept_agreement(self, municipality, proposal_id, actor, payload):
        request = _parse(contracts.AgreementAcceptance, payload)
        who = Actor.of(actor)
        with self.db as uow:
            row = self._load(uow, municipality, proposal_id, lock=True)
            latest, accepted = self._agreement(uow, row.id)
            keys = domain.check_acceptance(who, _domain(row), latest.version if latest else None, request.version,
                                           latest.content["parties"] if latest else [])
            now = _now()
            new_keys = set(keys) - set(accepted)
            for key in sorted(new_keys):
                uow.execute(agreement_acceptances.insert().values(
                    proposal_id=row.id, version=latest.version, party=key, accepted_by=uuid.UUID(who.id), at=now))
            if new_keys:
                self._touch(uow, row, now)
                latest, accepted = self._agreement(uow, row.id)
                uow.emit(contracts.AgreementUpdated.event_type, municipality=municipality,
                         subject=f"proposals/{row.id}/agreement", data=self._agreement_data(row, latest, accepted, "accepted"))
        return self._agreement_view(row, latest, accepted, who)

    # -- experiments and progress updates -----------------------------------------------------

    def _experiment_data(self, e, municipality):
        return {"proposal_id": e.proposal_id, "municipality": municipality, "experiment_id": e.id,
                "hypothesis": e.hypothesis, "intervention": e.intervention, "starts_on": e.starts_on,
                "ends_on": e.ends_on, "outcome": e.outcome, "learnings": e.learnings, "recorded_by": e.recorded_by}

    def _experiment_view(self, e):
        return {"id": str(e.id), "hypothesis": e.hypothesis, "intervention": e.intervention,
                "starts_on": e.starts_on.isoformat(), "ends_on": e.ends_on.isoformat() if e.ends_on else None,
                "outcome": e.outcome, "learnings": e.learnings, "created_at": _iso(e.created_at),
                "updated_at": _iso(e.updated_at)}

    @rpc
    def record_experiment(self, municipality, proposal_id, actor, payload):
        new = _parse(contracts.NewExperiment, payload)
        who = Actor.of(actor)
        with self.db as uow:
            row = self._load(uow, municipality, proposal_id, lock=True)
            _domain(row).check_experiment(who)
            now = _now()
            e = uow.execute(experiments.insert().values(
                id=uuid.uuid4(), proposal_id=row.id, recorded_by=uuid.UUID(who.id), created_at=now, updated_at=now,
                **new.model_dump()).returning(experiments)).first()
            self._touch(uow, row, now)
            uow.emit(contracts.ExperimentRecorded.event_type, municipality=municipality,
                     subject=f"proposals/{row.id}/experiments/{e.id}", data=self._experiment_data(e, municipality))
        return self._experiment_view(e)

    @rpc
    def update_experiment(self, municipality, proposal_id, experiment_id, actor, payload):
        patch = _parse(contracts.ExperimentPatch, payload)
        who = Actor.of(actor)
        with self.db as uow:
            row = self._load(uow, municipality, proposal_id, lock=True)
            _domain(row).check_experiment(who)
            e = uow.execute(sa.select(experiments).where(experiments.c.id == _uuid(experiment_id, "experiment"),
                                                         experiments.c.proposal_id == row.id)).first()
            if e is None:
                raise NotFound("no such experiment")
            changes = patch.model_dump(exclude_unset=True)
            if changes.get("ends_on") and changes["ends_on"] < e.starts_on:
                raise Invalid("the experiment cannot end before it starts",
                              [{"field": "ends_on", "message": "before starts_on"}])
            now = _now()
            e = uow.execute(experiments.update().where(experiments.c.id == e.id)
                            .values(updated_at=now, **changes).returning(experiments)).first()
            self._touch(uow, row, now)
            uow.emit(contracts.ExperimentRecorded.event_type, municipality=municipality,
                     subject=f"proposals/{row.id}/experiments/{e.id}", data=self._experiment_data(e, municipality))
        return self._experiment_view(e)

    @rpc
    def experiments(self, municipality, proposal_id, actor=None):
        who = Actor.of(actor)
        with self.db as uow:
            row = self._load(uow, municipality, proposal_id)
            _readable(row, who)
            rows = uow.execute(sa.select(experiments).where(experiments.c.proposal_id == row.id)
                               .order_by(experiments.c.starts_on, experiments.c.created_at)).all()
        return [self._experiment_view(e) for e in rows]

    @rpc
    def post_update(self, municipality, proposal_id, actor, payload):
        new = _parse(contracts.NewUpdate, payload)
        who = Actor.of(actor)
        with self.db as uow:
            row = self._load(uow, municipality, proposal_id, lock=True)
            capacity = _domain(row).check_update(who)
            now = _now()
            uid = uuid.uuid4()
            uow.execute(updates.insert().values(id=uid, proposal_id=row.id, author_id=uuid.UUID(who.id),
                                                capacity=capacity, body=new.body, created_at=now))
            self._touch(uow, row, now)
            uow.emit(contracts.ProgressPosted.event_type, municipality=municipality, subject=f"proposals/{row.id}/updates/{uid}",
                     data={"proposal_id": row.id, "municipality": municipality, "update_id": uid, "body": new.body,
                           "posted_by": capacity, "posted_at": now, "author_id": who.id})
        return {"id": str(uid), "body": new.body, "posted_by": capacity, "created_at": _iso(now), "hidden": False,
                "hidden_reason": None}

    @rpc
    def updates(self, municipality, proposal_id, actor=None):
        who = Actor.of(actor)
        with self.db as uow:
            row = self._load(uow, municipality, proposal_id)
            proposal = _readable(row, who)
            rows = uow.execute(sa.select(updates).where(updates.c.proposal_id == row.id)
                               .order_by(updates.c.created_at.desc(), updates.c.id.desc())).all()
        return [_content_view(u, who, proposal, posted_by=u.capacity) for u in rows]

    # -- moderation --------------------------------------------------------------------------

    def _target(self, uow, row, target_type, target_id):
        table = CONTENT_TABLES[target_type]
        if target_type == "proposal":
            if target_id != row.id:
                raise NotFound("the proposal reported is not this one")
            return row, row.initiator_id
        target = uow.execute(sa.select(table).where(table.c.id == target_id, table.c.proposal_id == row.id)).first()
        if target is None:
            raise NotFound(f"no such {target_type} on this proposal")
        return target, target.author_id

    @rpc
    def report(self, municipality, proposal_id, actor, payload):
        new = _parse(contracts.NewReport, payload)
        who = Actor.of(actor)
        with self.db as uow:
            row = self._load(uow, municipality, proposal_id)
            _domain(row).check_report(who)
            self._target(uow, row, new.target_type, new.target_id)
            rid = uuid.uuid4()
            uow.execute(reports.insert().values(id=rid, municipality=municipality, proposal_id=row.id,
                                                target_type=new.target_type, target_id=new.target_id,
                                                reporter_id=uuid.UUID(who.id), reason=new.reason, created_at=_now()))
            uow.emit(contracts.ContentReported.event_type, municipality=municipality, subject=f"proposals/{row.id}",
                     data={"proposal_id": row.id, "municipality": municipality, "report_id": rid,
                           "target_type": new.target_type, "target_id": new.target_id})
        return {"id": str(rid), "status": "open"}

    @rpc
    def reports(self, municipality, actor):
        """Open reports of the municipality, oldest first: its staff only."""
        who = Actor.of(actor)
        if not (who.staff and who.municipality == municipality):
            raise Forbidden("only the municipality's staff see its reports")
        with self.db as uow:
            rows = uow.execute(sa.select(reports).where(reports.c.municipality == municipality,
                                                        reports.c.decision.is_(None))
                               .order_by(reports.c.created_at).limit(200)).all()
        return [{"id": str(r.id), "proposal_id": str(r.proposal_id), "target_type": r.target_type,
                 "target_id": str(r.target_id), "reason": r.reason, "created_at": _iso(r.created_at)} for r in rows]

    def _hide(self, uow, row, who, target_type, target_id, reason, now):
        target, author_id = self._target(uow, row, target_type, target_id)
        if target.hidden_at is not None:
            return False
        table = CONTENT_TABLES[target_type]
        uow.execute(table.update().where(table.c.id == target.id).values(hidden_at=now, hidden_reason=reason))
        uow.execute(reports.update().where(reports.c.target_id == target.id, reports.c.decision.is_(None))
                    .values(decision="hidden", decision_reason=reason, decided_by=uuid.UUID(who.id), decided_at=now))
        uow.emit(contracts.ContentHidden.event_type, municipality=row.municipality, subject=f"proposals/{row.id}",
                 data={"proposal_id": row.id, "municipality": row.municipality, "target_type": target_type,
                       "target_id": target.id, "reason": reason, "author_id": author_id, "hidden_by": who.id})
        return True

    @rpc
    def hide(self, municipality, proposal_id, actor, payload):
        request = _parse(contracts.HideRequest, payload)
        who = Actor.of(actor)
        with self.db as uow:
            row = self._load(uow, municipality, proposal_id, lock=True)
            _domain(row).check_moderate(who)
            hidden = self._hide(uow, row, who, request.target_type, request.target_id, request.reason, _now())
        return {"hidden": True, "changed": hidden}

    @rpc
    def decide_report(self, municipality, report_id, actor, payload):
        decision = _parse(contracts.ModerationDecision, payload)
        who = Actor.of(actor)
        with self.db as uow:
            find = sa.select(reports).where(reports.c.id == _uuid(report_id, "report"),
                                            reports.c.municipality == municipality)
            report = uow.execute(find).first()
            if report is None:
                raise NotFound("no such report")
            # Proposal first, then its reports: the same lock order as ``hide``.
            row = self._load(uow, municipality, report.proposal_id, lock=True)
            report = uow.execute(find.with_for_update()).first()
            _domain(row).check_moderate(who)
            if report.decision is not None:
                raise Conflict(f"this report was already decided ({report.decision})")
            now = _now()
            if decision.action == "hide":
                self._hide(uow, row, who, report.target_type, report.target_id, decision.reason, now)
            uow.execute(reports.update().where(reports.c.id == report.id, reports.c.decision.is_(None)).values(
                decision="hidden" if decision.action == "hide" else "dismissed", decision_reason=decision.reason,
                decided_by=uuid.UUID(who.id), decided_at=now))
        return {"id": str(report.id), "status": "hidden" if decision.action == "hide" else "dismissed"}

    # -- a person's rights over their data ---------------------------------------------------

    @consume(ParticipantErased.event_type, every_municipality=True)
    def on_participant_erased(self, event):
        """Forget a person (the account was deleted), keeping what the public co-created.

        * proposals they started that never went public (drafts, and ones withdrawn before
          submission) go, with everything under them;
        * follows go; supports stay as anonymous counts (a fresh random id per row, so the
          count and the one-per-participant key stay right);
        * everything else they did keeps its content, but its author/actor/initiator becomes
          ``ERASED`` (the nil UUID); as a named partner of an agreement they become one random
          id per agreement, in every version and in the acceptances' party keys;
        * events already published that name them leave the outbox.

        All across municipalities (one may ask in another municipality than one's own).  A
        second erased event for the same person finds nothing to do.  Nothing is emitted:
        no count changes, and an event about the erasure would itself name the person.
        """
        pid = uuid.UUID(str(event["data"]["id"]))
        if pid == ERASED:
            return
        db = self.db
        never_public = sa.and_(
            proposals.c.initiator_id == pid,
            sa.or_(proposals.c.status == "draft", sa.and_(
                proposals.c.status == "withdrawn",
                ~sa.exists().where(status_history.c.proposal_id == proposals.c.id,
                                   status_history.c.to_status == "submitted"))),
        )
        gone = db.execute(sa.select(proposals.c.id).where(never_public).with_for_update()).scalars().all()
        _discard(db, gone)
        db.execute(proposals.update().where(proposals.c.initiator_id == pid).values(initiator_id=ERASED))
        db.execute(follows.delete().where(follows.c.participant_id == pid))
        db.execute(submission_keys.delete().where(submission_keys.c.initiator_id == pid))
        db.execute(supports.update().where(supports.c.participant_id == pid)
                   .values(participant_id=sa.func.gen_random_uuid()))
        for table, column in ACTOR_COLUMNS:
            db.execute(table.update().where(table.c[column] == pid).values({column: ERASED}))

        mentions = f'%"{pid}"%'
        named = db.execute(sa.select(agreement_versions).where(
            sa.cast(agreement_versions.c.content, sa.Text).like(mentions))).all()
        renamed = {}
        for version in named:
            replacement = renamed.setdefault(version.proposal_id, str(uuid.uuid4()))
            content, changed = replace_partner(version.content, str(pid), replacement)
            if changed:
                db.execute(agreement_versions.update().where(
                    agreement_versions.c.proposal_id == version.proposal_id,
                    agreement_versions.c.version == version.version).values(content=content))
        for proposal_id, replacement in renamed.items():
            db.execute(agreement_acceptances.update().where(
                agreement_acceptances.c.proposal_id == proposal_id,
                agreement_acceptances.c.party == f"partner:{pid}").values(party=f"partner:{replacement}"))
        # Published events have done their work; those still waiting are left to the relay.
        db.execute(outbox.delete().where(outbox.c.published_at.is_not(None),
                                         sa.cast(outbox.c.envelope, sa.Text).like(mentions)))

    @rpc
    def export_participant(self, participant_id):
        """Everything held here that is linked to the person (GDPR art. 15 and 20), as JSON.

        What others did about their contributions (answers to their questions, moderation
        of their content by someone else) is not theirs and is left out, except the
        decision on a report they made and a moderation reason on their own content."""
        pid = _uuid(participant_id, "participant")
        if pid == ERASED:
            raise NotFound("no such participant")

        def rows(uow, query):
            return [dict(r._mapping) for r in uow.execute(query).all()]

        def about(table):
            return [proposals.c.municipality, proposals.c.title, table.c.proposal_id]

        with self.db as uow:
            data = {
                "participant_id": pid,
                "proposals": rows(uow, sa.select(*[c for c in proposals.c if c.name != "search"])
                                  .where(proposals.c.initiator_id == pid).order_by(proposals.c.created_at)),
                "supports": rows(uow, sa.select(*about(supports), supports.c.at)
                                 .join(proposals, proposals.c.id == supports.c.proposal_id)
                                 .where(supports.c.participant_id == pid).order_by(supports.c.at)),
                "follows": rows(uow, sa.select(*about(follows), follows.c.at)
                                .join(proposals, proposals.c.id == follows.c.proposal_id)
                                .where(follows.c.participant_id == pid).order_by(follows.c.at)),
            }
            for name, table in (("questions", questions), ("answers", answers), ("updates", updates)):
                columns = [c for c in table.c if c.name != "author_id"]
                data[name] = rows(uow, sa.select(*columns).where(table.c.author_id == pid)
                                  .order_by(table.c.created_at, table.c.id))
            data["experiments"] = rows(uow, sa.select(*[c for c in experiments.c if c.name != "recorded_by"])
                                       .where(experiments.c.recorded_by == pid).order_by(experiments.c.created_at))
            data["agreement_versions_drafted"] = rows(uow, sa.select(
                agreement_versions.c.proposal_id, agreement_versions.c.version, agreement_versions.c.content,
                agreement_versions.c.created_at).where(agreement_versions.c.drafted_by == pid)
                .order_by(agreement_versions.c.created_at))
            data["agreement_partner_of"] = [
                {"proposal_id": v["proposal_id"], "version": v["version"],
                 "party": next(p for p in v["content"]["parties"] if str(p.get("participant_id")) == str(pid))}
                for v in rows(uow, sa.select(agreement_versions.c.proposal_id, agreement_versions.c.version,
                                             agreement_versions.c.content)
                              .where(sa.cast(agreement_versions.c.content, sa.Text).like(f'%"{pid}"%'))
                              .order_by(agreement_versions.c.proposal_id, agreement_versions.c.version))
                if any(str(p.get("participant_id")) == str(pid) for p in v["content"].get("parties", []))
            ]
            data["agreement_acceptances"] = rows(uow, sa.select(
                agreement_acceptances.c.proposal_id, agreement_acceptances.c.version, agreement_acceptances.c.party,
                agreement_acceptances.c.at).where(agreement_acceptances.c.accepted_by == pid)
                .order_by(agreement_acceptances.c.at))
            data["status_changes"] = rows(uow, sa.select(*[c for c in status_history.c if c.name not in ("id", "actor_id")])
                                          .where(status_history.c.actor_id == pid).order_by(status_history.c.id))
            data["reports"] = rows(uow, sa.select(*[c for c in reports.c if c.name not in ("reporter_id", "decided_by")])
                                   .where(reports.c.reporter_id == pid).order_by(reports.c.created_at))
            data["report_decisions"] = rows(uow, sa.select(
                reports.c.id, reports.c.municipality, reports.c.proposal_id, reports.c.target_type, reports.c.target_id,
                reports.c.decision, reports.c.decision_reason, reports.c.decided_at)
                .where(reports.c.decided_by == pid).order_by(reports.c.decided_at))
        return jsonable(data)
