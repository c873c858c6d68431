"""People as notifications knows them: contact details (from the participant
events), erasure tombstones, what they belong to, and their preferences."""
import uuid

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from .tables import (
    api_keys, digest_items, digest_runs, email_deliveries, erased_participants, memberships, notifications,
    participants, preferences,
)

# Erased ids are kept only as this digest: enough to recognise a late event about the
# person, without a row that names them (participant ids are random UUIDs, so the
# digest cannot be turned back into one by trying candidates).
TOMBSTONE_NAMESPACE = uuid.UUID("6f1f7b1e-3c55-4f4e-9d0a-5a6d2f0c9e11")


def tombstone(pid):
    return uuid.uuid5(TOMBSTONE_NAMESPACE, str(pid))


# -- contact details and erasure ---------------------------------------------------------

def erased(uow, ids):
    """Which of these participant ids (as strings) were erased."""
    if not ids:
        return set()
    # Tombstones are a one-way digest of the id (older rows may hold the plain id).
    keys = {}
    for i in ids:
        pid = uuid.UUID(str(i))
        keys[pid] = keys[tombstone(pid)] = str(pid)
    return {keys[r.id] for r in uow.execute(
        sa.select(erased_participants.c.id).where(erased_participants.c.id.in_(list(keys))))}


def erase(uow, pid):
    """Everything personal about them goes: contact, choices, memberships, inbox, e-mails,
    digests; API keys they issued as an operator stay, without who issued them."""
    uow.execute(pg.insert(erased_participants).values(id=tombstone(pid)).on_conflict_do_nothing())
    uow.execute(erased_participants.delete().where(erased_participants.c.id == pid))
    for table, column in ((participants, participants.c.id),
                          (preferences, preferences.c.participant_id),
                          (memberships, memberships.c.participant_id),
                          (digest_items, digest_items.c.participant_id),
                          (notifications, notifications.c.participant_id),
                          (email_deliveries, email_deliveries.c.participant_id),
                          (digest_runs, digest_runs.c.participant_id)):
        uow.execute(table.delete().where(column == pid))
    uow.execute(api_keys.update().where(api_keys.c.created_by == pid).values(created_by=None))


def save_contact(uow, pid, values):
    stmt = pg.insert(participants).values(id=pid, **values)
    uow.execute(stmt.on_conflict_do_update(index_elements=[participants.c.id], set_=values))


def contact(uow, pid):
    return uow.execute(sa.select(participants).where(participants.c.id == pid)).first()


def contacts(uow, ids):
    """``{id: row}`` of the contact details held for these ids (UUIDs)."""
    return {r.id: r for r in uow.execute(sa.select(participants).where(participants.c.id.in_(list(ids))))}


def staff_of(uow, municipality, roles):
    return [str(r.id) for r in uow.execute(sa.select(participants.c.id).where(
        participants.c.municipality == municipality, participants.c.role.in_(roles)))]


# -- memberships ----------------------------------------------------------------------------

def add_membership(uow, municipality, subject, pid, relation):
    uow.execute(pg.insert(memberships).values(
        subject=subject, participant_id=pid, relation=relation, municipality=municipality,
    ).on_conflict_do_nothing())


def remove_membership(uow, subject, pid, relation):
    uow.execute(memberships.delete().where(
        memberships.c.subject == subject, memberships.c.participant_id == pid, memberships.c.relation == relation))


def replace_members(uow, municipality, subject, relation, pids):
    """Exactly ``pids`` hold ``relation`` to ``subject`` from now on."""
    query = memberships.delete().where(memberships.c.subject == subject, memberships.c.relation == relation)
    if pids:
        query = query.where(memberships.c.participant_id.notin_(pids))
    uow.execute(query)
    for pid in pids:
        add_membership(uow, municipality, subject, pid, relation)


def members_of(uow, subject):
    """``[(participant id, relation)]`` of everyone who belongs to ``subject``."""
    return [(str(r.participant_id), r.relation) for r in uow.execute(
        sa.select(memberships.c.participant_id, memberships.c.relation).where(memberships.c.subject == subject))]


# -- preferences -----------------------------------------------------------------------------

def preferences_of(uow, pid):
    """``{(kind, channel): frequency}`` of what the person chose (defaults not included)."""
    return {(r.kind, r.channel): r.frequency for r in uow.execute(
        sa.select(preferences).where(preferences.c.participant_id == pid))}


def chosen_for_kind(uow, ids, kind):
    """``{participant id: {(kind, channel): frequency}}`` for one kind, for many people."""
    chosen = {}
    for r in uow.execute(sa.select(preferences).where(
            preferences.c.participant_id.in_(list(ids)), preferences.c.kind == kind)):
        chosen.setdefault(str(r.participant_id), {})[(r.kind, r.channel)] = r.frequency
    return chosen


def store_preferences(uow, pid, pairs):
    for (kind, channel), frequency in pairs.items():
        stmt = pg.insert(preferences).values(participant_id=pid, kind=kind, channel=channel, frequency=frequency)
        uow.execute(stmt.on_conflict_do_update(index_elements=["participant_id", "kind", "channel"],
                                               set_={"frequency": frequency}))


# -- everything about one person (the export) ---------------------------------------------------

def everything_about(uow, pid):
    """The rows linked to one person, table by table, in a stable order."""
    return {
        "contact": contact(uow, pid),
        "preferences": uow.execute(sa.select(preferences).where(preferences.c.participant_id == pid)
                                   .order_by(preferences.c.kind, preferences.c.channel)).all(),
        "notifications": uow.execute(sa.select(notifications).where(notifications.c.participant_id == pid)
                                     .order_by(notifications.c.created_at, notifications.c.id)).all(),
        "digest_items": uow.execute(sa.select(digest_items).where(digest_items.c.participant_id == pid)
                                    .order_by(digest_items.c.id)).all(),
        "digest_runs": uow.execute(sa.select(digest_runs).where(digest_runs.c.participant_id == pid)
                                   .order_by(digest_runs.c.period_start, digest_runs.c.id)).all(),
        "email_deliveries": uow.execute(sa.select(email_deliveries).where(email_deliveries.c.participant_id == pid)
                                        .order_by(email_deliveries.c.id)).all(),
        "memberships": uow.execute(sa.select(memberships).where(memberships.c.participant_id == pid)
                                   .order_by(memberships.c.subject, memberships.c.relation)).all(),
        "api_keys": uow.execute(sa.select(api_keys).where(api_keys.c.created_by == pid)
                                .order_by(api_keys.c.created_at)).all(),
    }
