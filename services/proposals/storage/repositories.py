"""One repository per aggregate: the proposal (with its status history, supports,
follows and submission keys), its questions, agreement, experiments, updates and
reports, and a person's data across them.  Each wraps the unit of work it is
given; the use cases call these and never write SQL themselves."""
import uuid

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from samskab.db import outbox
from samskab.errors import NotFound
from samskab.values import parse_id

from .listing import list_page
from .tables import (
    ACTOR_COLUMNS, CONTENT_TABLES, ERASED, PROPOSAL_CHILDREN, agreement_acceptances, agreement_versions, answers,
    experiments, follows, proposals, questions, reports, status_history, submission_keys, supports, updates,
)


class _Repository:
    def __init__(self, uow):
        self.uow = uow

    def _all(self, query):
        return self.uow.execute(query).all()


class Proposals(_Repository):
    def get(self, municipality, proposal_id, lock=False, viewer=None):
        """The proposal row, locked ``FOR UPDATE`` for a change (two transitions or two
        supports of one proposal cannot interleave), or 404.  With a ``viewer`` (a
        participant's id) the row also says whether they support and follow it
        (``supported_by_me``, ``followed_by_me``), in the same round trip."""
        columns = [proposals]
        if viewer is not None:
            columns += [
                sa.exists().where(supports.c.proposal_id == proposals.c.id,
                                  supports.c.participant_id == viewer).label("supported_by_me"),
                sa.exists().where(follows.c.proposal_id == proposals.c.id,
                                  follows.c.participant_id == viewer).label("followed_by_me"),
            ]
        query = sa.select(*columns).where(proposals.c.id == parse_id(proposal_id, "proposal"),
                                          proposals.c.municipality == municipality)
        if lock:
            query = query.with_for_update()
        row = self.uow.execute(query).first()
        if row is None:
            raise NotFound("no such proposal")
        return row

    def own(self, municipality, participant_id):
        """The ids of the municipality's proposals the participant started, supports and
        follows (each a sorted list), in one round trip."""
        def ids(query):
            return sa.select(sa.func.coalesce(sa.func.array_agg(query.c.id.cast(sa.Text)), sa.literal([])))\
                .scalar_subquery()
        here = proposals.c.municipality == municipality
        started = sa.select(proposals.c.id).where(here, proposals.c.initiator_id == participant_id).subquery()
        supported = sa.select(proposals.c.id).join(supports, supports.c.proposal_id == proposals.c.id) \
            .where(here, supports.c.participant_id == participant_id).subquery()
        followed = sa.select(proposals.c.id).join(follows, follows.c.proposal_id == proposals.c.id) \
            .where(here, follows.c.participant_id == participant_id).subquery()
        row = self.uow.execute(sa.select(ids(started), ids(supported), ids(followed))).one()
        return [sorted(found) for found in row]

    def add(self, record):
        self.uow.execute(proposals.insert().values(**record))

    def touch(self, row, now, **values):
        """Record activity (for the 'recently active' sort) and return the row as it is now."""
        return self.uow.execute(proposals.update().where(proposals.c.id == row.id)
                                .values(last_activity_at=now, **values).returning(proposals)).first()

    def page(self, municipality, **filters):
        return list_page(self.uow.session, municipality, **filters)

    def discard(self, proposal_ids):
        """Delete proposals that never went public, with everything under them."""
        if proposal_ids:
            for table in PROPOSAL_CHILDREN:
                self.uow.execute(table.delete().where(table.c.proposal_id.in_(proposal_ids)))
            self.uow.execute(submission_keys.delete().where(submission_keys.c.proposal_id.in_(proposal_ids)))
            self.uow.execute(proposals.delete().where(proposals.c.id.in_(proposal_ids)))

    # -- submission keys ---------------------------------------------------------------

    def claim_key(self, initiator_id, key, fingerprint, municipality, proposal_id, now):
        """First come, first kept: a concurrent retry waits here for the first to commit.
        True if this request claimed the key."""
        return self.uow.execute(pg.insert(submission_keys).values(
            initiator_id=initiator_id, key=key, fingerprint=fingerprint, municipality=municipality,
            proposal_id=proposal_id, created_at=now,
        ).on_conflict_do_nothing().returning(submission_keys.c.proposal_id)).first() is not None

    def claimed_key(self, initiator_id, key):
        return self.uow.execute(sa.select(submission_keys).where(
            submission_keys.c.initiator_id == initiator_id, submission_keys.c.key == key)).one()

    # -- status history -----------------------------------------------------------------

    def add_status_change(self, proposal_id, change):
        self.uow.execute(status_history.insert().values(
            proposal_id=proposal_id, from_status=change.from_status, to_status=change.to_status,
            actor_id=uuid.UUID(change.actor_id), capacity=change.capacity, reason=change.reason,
            outcome=change.outcome, at=change.at,
        ))

    def history(self, proposal_id):
        return self._all(sa.select(status_history).where(status_history.c.proposal_id == proposal_id)
                         .order_by(status_history.c.id))

    # -- supports and follows -----------------------------------------------------------

    def supported_by(self, proposal_id, participant_id):
        return self.uow.execute(sa.select(sa.exists().where(
            supports.c.proposal_id == proposal_id, supports.c.participant_id == participant_id))).scalar()

    def add_support(self, proposal_id, participant_id, at):
        self.uow.execute(supports.insert().values(proposal_id=proposal_id, participant_id=participant_id, at=at))

    def remove_support(self, proposal_id, participant_id):
        return bool(self.uow.execute(supports.delete().where(
            supports.c.proposal_id == proposal_id, supports.c.participant_id == participant_id)).rowcount)

    def follow(self, proposal_id, participant_id, following):
        """True if that changed anything."""
        if following:
            statement = pg.insert(follows).values(proposal_id=proposal_id, participant_id=participant_id) \
                .on_conflict_do_nothing()
        else:
            statement = follows.delete().where(follows.c.proposal_id == proposal_id,
                                               follows.c.participant_id == participant_id)
        return bool(self.uow.execute(statement).rowcount)


class Questions(_Repository):
    def get(self, proposal_id, question_id):
        return self.uow.execute(sa.select(questions).where(
            questions.c.id == parse_id(question_id, "question"), questions.c.proposal_id == proposal_id)).first()

    def add(self, question_id, proposal_id, author_id, body, now):
        self.uow.execute(questions.insert().values(id=question_id, proposal_id=proposal_id, author_id=author_id,
                                                   body=body, created_at=now))

    def add_answer(self, answer_id, question_id, proposal_id, author_id, capacity, body, now, office=None):
        self.uow.execute(answers.insert().values(id=answer_id, question_id=question_id, proposal_id=proposal_id,
                                                 author_id=author_id, capacity=capacity, body=body, created_at=now,
                                                 office=office))

    def of(self, proposal_id):
        """The proposal's questions and answers, each oldest first."""
        return (
            self._all(sa.select(questions).where(questions.c.proposal_id == proposal_id)
                      .order_by(questions.c.created_at, questions.c.id)),
            self._all(sa.select(answers).where(answers.c.proposal_id == proposal_id)
                      .order_by(answers.c.created_at, answers.c.id)),
        )


class Agreements(_Repository):
    def latest(self, proposal_id):
        """The current version (or ``None``) and the party keys that accepted it, sorted."""
        latest = self.uow.execute(sa.select(agreement_versions).where(agreement_versions.c.proposal_id == proposal_id)
                                  .order_by(agreement_versions.c.version.desc()).limit(1)).first()
        if latest is None:
            return None, []
        accepted = self.uow.execute(sa.select(agreement_acceptances.c.party).where(
            agreement_acceptances.c.proposal_id == proposal_id,
            agreement_acceptances.c.version == latest.version)).scalars().all()
        return latest, sorted(accepted)

    def add_version(self, proposal_id, version, content, drafted_by, now):
        self.uow.execute(agreement_versions.insert().values(proposal_id=proposal_id, version=version, content=content,
                                                            drafted_by=drafted_by, created_at=now))

    def accept(self, proposal_id, version, party, accepted_by, now):
        self.uow.execute(agreement_acceptances.insert().values(proposal_id=proposal_id, version=version, party=party,
                                                               accepted_by=accepted_by, at=now))


class Experiments(_Repository):
    def add(self, proposal_id, recorded_by, now, fields):
        return self.uow.execute(experiments.insert().values(
            id=uuid.uuid4(), proposal_id=proposal_id, recorded_by=recorded_by, created_at=now, updated_at=now,
            **fields).returning(experiments)).first()

    def get(self, proposal_id, experiment_id):
        found = self.uow.execute(sa.select(experiments).where(
            experiments.c.id == parse_id(experiment_id, "experiment"),
            experiments.c.proposal_id == proposal_id)).first()
        if found is None:
            raise NotFound("no such experiment")
        return found

    def change(self, experiment_id, now, changes):
        return self.uow.execute(experiments.update().where(experiments.c.id == experiment_id)
                                .values(updated_at=now, **changes).returning(experiments)).first()

    def of(self, proposal_id):
        return self._all(sa.select(experiments).where(experiments.c.proposal_id == proposal_id)
                         .order_by(experiments.c.starts_on, experiments.c.created_at))


class Updates(_Repository):
    def add(self, update_id, proposal_id, author_id, capacity, body, now):
        self.uow.execute(updates.insert().values(id=update_id, proposal_id=proposal_id, author_id=author_id,
                                                 capacity=capacity, body=body, created_at=now))

    def of(self, proposal_id):
        return self._all(sa.select(updates).where(updates.c.proposal_id == proposal_id)
                         .order_by(updates.c.created_at.desc(), updates.c.id.desc()))


class Reports(_Repository):
    def add(self, report_id, municipality, proposal_id, target_type, target_id, reporter_id, reason, now):
        self.uow.execute(reports.insert().values(id=report_id, municipality=municipality, proposal_id=proposal_id,
                                                 target_type=target_type, target_id=target_id,
                                                 reporter_id=reporter_id, reason=reason, created_at=now))

    def open(self, municipality):
        """Open reports of the municipality, oldest first."""
        return self._all(sa.select(reports).where(reports.c.municipality == municipality, reports.c.decision.is_(None))
                         .order_by(reports.c.created_at).limit(200))

    def get(self, municipality, report_id, lock=False):
        query = sa.select(reports).where(reports.c.id == parse_id(report_id, "report"),
                                         reports.c.municipality == municipality)
        found = self.uow.execute(query.with_for_update() if lock else query).first()
        if found is None:
            raise NotFound("no such report")
        return found

    def target(self, row, target_type, target_id):
        """The reported proposal, question, answer or update of proposal ``row``, and its author."""
        if target_type == "proposal":
            if target_id != row.id:
                raise NotFound("the proposal reported is not this one")
            return row, row.initiator_id
        table = CONTENT_TABLES[target_type]
        target = self.uow.execute(sa.select(table).where(table.c.id == target_id,
                                                         table.c.proposal_id == row.id)).first()
        if target is None:
            raise NotFound(f"no such {target_type} on this proposal")
        return target, target.author_id

    def hide(self, target_type, target_id, reason, hidden_by, now):
        """Hide the content and decide every open report of it as hidden."""
        table = CONTENT_TABLES[target_type]
        self.uow.execute(table.update().where(table.c.id == target_id).values(hidden_at=now, hidden_reason=reason))
        self.uow.execute(reports.update().where(reports.c.target_id == target_id, reports.c.decision.is_(None))
                         .values(decision="hidden", decision_reason=reason, decided_by=hidden_by, decided_at=now))

    def decide(self, report_id, decision, reason, decided_by, now):
        self.uow.execute(reports.update().where(reports.c.id == report_id, reports.c.decision.is_(None)).values(
            decision=decision, decision_reason=reason, decided_by=decided_by, decided_at=now))


class Participants(_Repository):
    """A person's data across the aggregates: erasure and export (GDPR)."""

    def never_public(self, participant_id):
        """Proposals they started that never went public (drafts, and ones withdrawn before
        submission), locked."""
        condition = sa.and_(
            proposals.c.initiator_id == participant_id,
            sa.or_(proposals.c.status == "draft", sa.and_(
                proposals.c.status == "withdrawn",
                ~sa.exists().where(status_history.c.proposal_id == proposals.c.id,
                                   status_history.c.to_status == "submitted"))),
        )
        return self.uow.execute(sa.select(proposals.c.id).where(condition).with_for_update()).scalars().all()

    def unlink(self, participant_id):
        """Follows and submission keys go; supports become anonymous (a fresh random id per
        row keeps the count and the key right); every other mention becomes ``ERASED``."""
        execute = self.uow.execute
        execute(follows.delete().where(follows.c.participant_id == participant_id))
        execute(submission_keys.delete().where(submission_keys.c.initiator_id == participant_id))
        execute(supports.update().where(supports.c.participant_id == participant_id)
                .values(participant_id=sa.func.gen_random_uuid()))
        for table, column in ACTOR_COLUMNS:
            execute(table.update().where(table.c[column] == participant_id).values({column: ERASED}))

    def agreements_naming(self, participant_id):
        return self._all(sa.select(agreement_versions).where(
            sa.cast(agreement_versions.c.content, sa.Text).like(f'%"{participant_id}"%')))

    def replace_content(self, proposal_id, version, content):
        self.uow.execute(agreement_versions.update().where(
            agreement_versions.c.proposal_id == proposal_id, agreement_versions.c.version == version)
            .values(content=content))

    def rename_acceptances(self, proposal_id, participant_id, replacement):
        self.uow.execute(agreement_acceptances.update().where(
            agreement_acceptances.c.proposal_id == proposal_id,
            agreement_acceptances.c.party == f"partner:{participant_id}").values(party=f"partner:{replacement}"))

    def forget_published_events(self, participant_id):
        """Published events have done their work; those still waiting are left to the relay."""
        self.uow.execute(outbox.delete().where(outbox.c.published_at.is_not(None),
                                               sa.cast(outbox.c.envelope, sa.Text).like(f'%"{participant_id}"%')))

    def export(self, pid):
        """Everything held here linked to the person, as rows (dicts) per kind."""
        def rows(query):
            return [dict(r._mapping) for r in self.uow.execute(query).all()]

        def about(table):
            return [proposals.c.municipality, proposals.c.title, table.c.proposal_id]

        data = {
            "participant_id": pid,
            "proposals": rows(sa.select(*[c for c in proposals.c if c.name != "search"])
                              .where(proposals.c.initiator_id == pid).order_by(proposals.c.created_at)),
            "supports": rows(sa.select(*about(supports), supports.c.at)
                             .join(proposals, proposals.c.id == supports.c.proposal_id)
                             .where(supports.c.participant_id == pid).order_by(supports.c.at)),
            "follows": rows(sa.select(*about(follows), follows.c.at)
                            .join(proposals, proposals.c.id == follows.c.proposal_id)
                            .where(follows.c.participant_id == pid).order_by(follows.c.at)),
        }
        for name, table in (("questions", questions), ("answers", answers), ("updates", updates)):
            columns = [c for c in table.c if c.name != "author_id"]
            data[name] = rows(sa.select(*columns).where(table.c.author_id == pid)
                              .order_by(table.c.created_at, table.c.id))
        data["experiments"] = rows(sa.select(*[c for c in experiments.c if c.name != "recorded_by"])
                                   .where(experiments.c.recorded_by == pid).order_by(experiments.c.created_at))
        data["agreement_versions_drafted"] = rows(sa.select(
            agreement_versions.c.proposal_id, agreement_versions.c.version, agreement_versions.c.content,
            agreement_versions.c.created_at).where(agreement_versions.c.drafted_by == pid)
            .order_by(agreement_versions.c.created_at))
        data["agreement_partner_of"] = [
            {"proposal_id": v["proposal_id"], "version": v["version"],
             "party": next(p for p in v["content"]["parties"] if str(p.get("participant_id")) == str(pid))}
            for v in rows(sa.select(agreement_versions.c.proposal_id, agreement_versions.c.version,
                                    agreement_versions.c.content)
                          .where(sa.cast(agreement_versions.c.content, sa.Text).like(f'%"{pid}"%'))
                          .order_by(agreement_versions.c.proposal_id, agreement_versions.c.version))
            if any(str(p.get("participant_id")) == str(pid) for p in v["content"].get("parties", []))
        ]
        data["agreement_acceptances"] = rows(sa.select(
            agreement_acceptances.c.proposal_id, agreement_acceptances.c.version, agreement_acceptances.c.party,
            agreement_acceptances.c.at).where(agreement_acceptances.c.accepted_by == pid)
            .order_by(agreement_acceptances.c.at))
        data["status_changes"] = rows(sa.select(*[c for c in status_history.c if c.name not in ("id", "actor_id")])
                                      .where(status_history.c.actor_id == pid).order_by(status_history.c.id))
        data["reports"] = rows(sa.select(*[c for c in reports.c if c.name not in ("reporter_id", "decided_by")])
                               .where(reports.c.reporter_id == pid).order_by(reports.c.created_at))
        data["report_decisions"] = rows(sa.select(
            reports.c.id, reports.c.municipality, reports.c.proposal_id, reports.c.target_type, reports.c.target_id,
            reports.c.decision, reports.c.decision_reason, reports.c.decided_at)
            .where(reports.c.decided_by == pid).order_by(reports.c.decided_at))
        return data
