"""Who is told about what: the tables that turn events into notifications.

Adding an event type is one entry here.  Three tables:

* ``AUDIENCE``: events that change who belongs to something (a meeting's
  registrants and waitlist, a proposal's initiator, supporters, followers);
  notifications keeps its own copy of these memberships, fed by events, since
  it may not read the other services' tables.
* ``NOTIFY``: events people are told about, with the kind of notification
  (the unit of preferences), the message template, and the audience (one rule,
  or several tried in order; README "Who hears what" is this table in words).
* ``CONTACT``: the participant events that carry contact details.

Types not (yet) registered in the contracts are skipped, so the tables may
name events a colleague's service will emit later.  Everything here is pure.
"""
import re
from dataclasses import dataclass, replace

# Kinds of notification: what a participant chooses a frequency for.
KINDS = (
    "meeting_change",     # a meeting I registered for (or wait for) changed or was cancelled
    "registration",       # my own registration: confirmed, waitlisted, promoted
    "proposal_status",    # a proposal I started, support or follow moved on
    "proposal_activity",  # questions and answers, supports on proposals I am part of
    "proposal_triage",    # staff: a new proposal to look at
    "matches",            # a proposal where my skills are needed (opt-in at matching)
)

MEETING_PEOPLE = ("registrant", "waitlisted")
PROPOSAL_PEOPLE = ("initiator", "supporter", "follower", "partner")
# those who carry a proposal's work: asked about its agreement, told of each acceptance
PROPOSAL_PARTIES = ("initiator", "partner")
# questions and answers: those who follow the conversation (supporters get the news, not the talk)
PROPOSAL_DISCUSSION = ("initiator", "follower", "partner")


def first(data, *names):
    """The first of ``names`` present (and not empty) in ``data``."""
    for name in names:
        value = data.get(name)
        if value not in (None, ""):
            return value
    return None


@dataclass(frozen=True)
class Membership:
    """``add`` or ``remove`` a participant's ``relation`` to a subject."""

    op: str
    subject: str
    participant_id: str
    relation: str
    participant_ids: tuple = ()  # "replace": exactly these hold the relation from now on


@dataclass(frozen=True)
class AudienceRule:
    subject: str            # "meetings" or "proposals"
    subject_field: tuple    # where the subject's id is in the data
    participant_field: tuple
    add: tuple = ()
    remove: tuple = ()
    flag: str = ""  # a boolean field that, when false, turns add into remove (``following``)

    def memberships(self, data):
        sid = first(data, *self.subject_field)
        pid = first(data, *self.participant_field)
        if sid is None or pid is None:
            return []
        subject = f"{self.subject}/{sid}"
        add, remove = self.add, self.remove
        if self.flag and data.get(self.flag) is False:
            add, remove = (), tuple(self.add) + tuple(self.remove)
        return [Membership("remove", subject, str(pid), r) for r in remove] + [
            Membership("add", subject, str(pid), r) for r in add
        ]


@dataclass(frozen=True)
class PartnerRule:
    """An agreement's partners belong to its proposal: every version names them all,
    so the partners of the newest version replace those of the versions before."""

    def memberships(self, data):
        sid = first(data, "proposal_id")
        if sid is None:
            return []
        subject = f"proposals/{sid}"
        partners = [str(p["participant_id"]) for p in data.get("parties") or []
                    if isinstance(p, dict) and p.get("role") == "partner" and p.get("participant_id")]
        return [Membership("replace", subject, "", "partner", tuple(dict.fromkeys(partners)))]


def _registration(add=(), remove=()):
    return AudienceRule("meetings", ("meeting_id",), ("participant_id",), add, remove)


def _proposal_member(add=(), remove=(), participant=("participant_id",), flag=""):
    return AudienceRule("proposals", ("proposal_id", "id"), participant, add, remove, flag)


AUDIENCE = {
    "samskab.registration.confirmed": _registration(add=("registrant",), remove=("waitlisted",)),
    "samskab.registration.promoted": _registration(add=("registrant",), remove=("waitlisted",)),
    "samskab.registration.waitlisted": _registration(add=("waitlisted",)),
    "samskab.registration.cancelled": _registration(remove=MEETING_PEOPLE),
    "samskab.proposal.submitted": _proposal_member(add=("initiator",), participant=("initiator_id",)),
    "samskab.proposal.published": _proposal_member(add=("initiator",), participant=("initiator_id",)),
    "samskab.proposal.supported": _proposal_member(add=("supporter",)),
    "samskab.proposal.support_withdrawn": _proposal_member(remove=("supporter",)),
    "samskab.proposal.followed": _proposal_member(add=("follower",), flag="following"),
    "samskab.proposal.agreement_updated": PartnerRule(),
}


@dataclass(frozen=True)
class NotifyRule:
    kind: str
    template: str
    subject: str = ""            # audience: members of "<subject>/<id>" ...
    subject_field: tuple = ("id",)
    relations: tuple = ()        # ... with one of these relations
    participant_field: tuple = ()  # or the one participant the event is about
    list_field: str = ""         # or a list of {participant_id} in the data (matches)
    staff: bool = False          # or the municipality's staff
    exclude_field: tuple = ()    # who caused it is not told about it
    when: tuple = ()             # ((field, value), ...): the rule applies only to such events
    also: tuple = ()             # ((subject, subject_field, relations), ...): more audiences
    anchor: str = ""             # a part of the subject's page the link opens ("#agreement"; "{comment_id}": an id
    #                              of the event's data, filled by ``rules_for``)
    new_list_field: str = ""     # ids newly on the list: when the event has it, only they are told

    def applies(self, data):
        return all(data.get(name) == value for name, value in self.when)

    def audiences(self, data):
        """``[(subject, relations)]`` whose members this rule tells."""
        found = []
        if self.subject and self.relations:
            subject = self.subject_of(data)
            if subject:
                found.append((subject, self.relations))
        for subject, fields, relations in self.also:
            sid = first(data, *fields)
            if sid is not None:
                found.append((f"{subject}/{sid}", relations))
        return found

    def subject_of(self, data):
        sid = first(data, *self.subject_field)
        return f"{self.subject}/{sid}" if self.subject and sid is not None else None

    def direct_recipients(self, data):
        """Participants named by the event itself."""
        found = []
        if self.participant_field:
            pid = first(data, *self.participant_field)
            if pid is not None:
                found.append(str(pid))
        if self.list_field:
            listed = data.get(self.list_field) or []
            if self.new_list_field and data.get(self.new_list_field) is not None:
                listed = data[self.new_list_field]  # the others were told when they were listed
            for item in listed:
                pid = item.get("participant_id") if isinstance(item, dict) else item
                if pid is not None:
                    found.append(str(pid))
        return found

    def excluded(self, data):
        pid = first(data, *self.exclude_field) if self.exclude_field else None
        return {str(pid)} if pid is not None else set()


_OF_PROPOSAL = ("proposals", ("proposal_id",), PROPOSAL_PEOPLE)
_OF_MEETING = ("meetings", ("meeting_id",), MEETING_PEOPLE)

# An event type maps to a rule, or to a tuple of rules tried in order: each person is
# told once per event (the first rule naming them decides the words), so a partner
# asked to accept an agreement is not also told the plain news of it.
NOTIFY = {
    # meeting events name who holds a seat or waits; memberships cover older producers
    "samskab.meeting.updated": NotifyRule("meeting_change", "meeting_updated", "meetings", relations=MEETING_PEOPLE,
                                          list_field="participant_ids"),
    "samskab.meeting.cancelled": NotifyRule("meeting_change", "meeting_cancelled", "meetings", relations=MEETING_PEOPLE,
                                            list_field="participant_ids"),
    # a meeting about a proposal: its people hear of it (and of its minutes and outcomes)
    "samskab.meeting.scheduled": (
        NotifyRule("proposal_status", "meeting_scheduled", also=(_OF_PROPOSAL,), exclude_field=("organiser_id",)),
        # a meeting of the municipality, about no proposal: its staff hear of it
        NotifyRule("meeting_change", "meeting_scheduled_staff", staff=True, exclude_field=("organiser_id",),
                   when=(("proposal_id", None),)),
    ),
    # held: those who had a seat, linked to what it came to
    "samskab.meeting.concluded": NotifyRule("meeting_change", "meeting_concluded", "meetings",
                                            relations=("registrant",), exclude_field=("organiser_id",),
                                            anchor="#outcomes"),
    "samskab.meeting.minutes_recorded": (
        NotifyRule("meeting_change", "minutes_recorded", also=(_OF_MEETING,), exclude_field=("author_id",)),
        NotifyRule("proposal_status", "minutes_recorded", also=(_OF_PROPOSAL,), exclude_field=("author_id",)),
    ),
    "samskab.meeting.outcome_recorded": (
        NotifyRule("meeting_change", "outcome_recorded", "proposals", ("proposal_id",), also=(_OF_MEETING,)),
        NotifyRule("proposal_status", "outcome_recorded", "proposals", ("proposal_id",), PROPOSAL_PEOPLE),
    ),
    "samskab.registration.confirmed": NotifyRule("registration", "registration_confirmed", participant_field=("participant_id",)),
    "samskab.registration.waitlisted": NotifyRule("registration", "registration_waitlisted", participant_field=("participant_id",)),
    "samskab.registration.promoted": NotifyRule("registration", "registration_promoted", participant_field=("participant_id",)),
    "samskab.proposal.submitted": NotifyRule("proposal_triage", "proposal_submitted", staff=True),
    "samskab.proposal.reported": NotifyRule("proposal_triage", "content_reported", "proposals", ("proposal_id",),
                                            staff=True),
    # issue 21: a reported picture or file, for staff to look at (and hide) in the proposal's section
    "samskab.proposal.attachment_reported": NotifyRule("proposal_triage", "attachment_reported", "proposals",
                                                       ("proposal_id",), staff=True, anchor="#attachments"),
    # issues 15 and 21: a reported comment (linked to the comment itself) or file, under a proposal or a meeting: staff
    "samskab.comment.reported": NotifyRule("proposal_triage", "comment_reported", "proposals", ("proposal_id",),
                                           staff=True, anchor="/comments#c-{comment_id}"),
    "samskab.meeting.comment_reported": NotifyRule("proposal_triage", "meeting_comment_reported", "meetings",
                                                   ("meeting_id",), staff=True, anchor="/comments#c-{comment_id}"),
    "samskab.meeting.attachment_reported": NotifyRule("proposal_triage", "meeting_attachment_reported", "meetings",
                                                      ("meeting_id",), staff=True, anchor="#attachments"),
    "samskab.proposal.published": NotifyRule("proposal_status", "proposal_published", "proposals", relations=PROPOSAL_PEOPLE),
    "samskab.proposal.status_changed": NotifyRule(
        "proposal_status", "proposal_status_changed", "proposals", ("proposal_id", "id"), PROPOSAL_PEOPLE,
        exclude_field=("actor_id",)),
    "samskab.proposal.question_asked": NotifyRule(
        "proposal_activity", "question_asked", "proposals", ("proposal_id",), PROPOSAL_DISCUSSION,
        participant_field=("initiator_id",), staff=True, exclude_field=("author_id",)),
    "samskab.comment.posted": NotifyRule(  # issue 21: a reply tells the author of the comment replied to
        "proposal_activity", "comment_replied", "proposals", ("proposal_id",),
        participant_field=("parent_author_id",), exclude_field=("author_id",), anchor="#comments"),
    # issue 21: a reply under a meeting tells the author of the comment replied to (at once by
    # e-mail too, as news of a meeting they take part in), linked to the meeting's thread
    "samskab.meeting.comment_posted": NotifyRule(
        "meeting_change", "meeting_comment_replied", "meetings", ("meeting_id",),
        participant_field=("parent_author_id",), exclude_field=("author_id",), anchor="/comments"),
    "samskab.proposal.question_answered": (
        NotifyRule("proposal_activity", "question_answered", "proposals", ("proposal_id",),
                   participant_field=("question_author_id",), exclude_field=("author_id",)),
        NotifyRule("proposal_activity", "answer_posted", "proposals", ("proposal_id",), PROPOSAL_DISCUSSION,
                   exclude_field=("author_id",)),
    ),
    "samskab.proposal.progress_posted": NotifyRule(
        "proposal_status", "progress_posted", "proposals", ("proposal_id",), PROPOSAL_PEOPLE,
        exclude_field=("author_id",)),
    "samskab.proposal.experiment_recorded": NotifyRule(
        "proposal_status", "experiment_recorded", "proposals", ("proposal_id",), PROPOSAL_PEOPLE,
        exclude_field=("recorded_by",)),
    "samskab.proposal.agreement_updated": (
        # a new version: the partners are asked to accept it, the others hear of it
        NotifyRule("proposal_status", "agreement_to_accept", "proposals", ("proposal_id",), ("partner",),
                   when=(("change", "drafted"),), anchor="#agreement"),
        NotifyRule("proposal_status", "agreement_drafted", "proposals", ("proposal_id",), PROPOSAL_PEOPLE,
                   when=(("change", "drafted"),), anchor="#agreement"),
        # each acceptance: the parties; the last one (accepted by all): everyone
        NotifyRule("proposal_status", "agreement_accepted", "proposals", ("proposal_id",), PROPOSAL_PEOPLE,
                   when=(("change", "accepted"), ("accepted", True)), anchor="#agreement"),
        NotifyRule("proposal_status", "agreement_acceptance", "proposals", ("proposal_id",), PROPOSAL_PARTIES,
                   when=(("change", "accepted"), ("accepted", False)), anchor="#agreement"),
    ),
    "samskab.proposal.support_threshold_reached": NotifyRule(
        "proposal_status", "support_threshold_reached", "proposals", ("proposal_id",),
        participant_field=("initiator_id",)),
    # the council's answer (issue 22): the proposal's people, and (told_ids) the committee's
    # members and the followers of the case's missions; the words say what was decided
    "samskab.decision.made": tuple(
        NotifyRule("proposal_status", f"decision_{d}", "proposals", ("proposal_id",), PROPOSAL_PEOPLE,
                   list_field="told_ids", exclude_field=("actor_id",), when=(("decision", d),))
        for d in ("adopted", "adopted_in_part", "rejected", "sent_on")),
    # a council case on a meeting's agenda: the proposal's people, and (told_ids) the committee's
    # members and the followers of the case's missions
    "samskab.case.placed": NotifyRule("proposal_status", "case_placed", "proposals", ("proposal_id",), PROPOSAL_PEOPLE,
                                      list_field="told_ids", exclude_field=("actor_id",)),
    # members seated on a committee (drawn or accepted): each new member, linked to the committee
    "samskab.committee.members_seated": NotifyRule("registration", "members_seated", "committees", ("committee_id",),
                                                   list_field="new_member_ids", exclude_field=("actor_id",)),
    # the council closes a mission: its followers hear how it ended, with the council's note
    "samskab.mission.closed": tuple(
        NotifyRule("proposal_status", f"mission_closed_{end}", "missions", ("mission_id",),
                   list_field="follower_ids", exclude_field=("actor_id",), when=(("closed_as", end),))
        for end in ("achieved", "ended")),
    # a committee's mandate changed before seating: those who applied hear of it
    "samskab.committee.updated": NotifyRule("proposal_status", "mandate_changed", "committees", ("committee_id",),
                                            list_field="applicant_ids", exclude_field=("actor_id",)),
    # a committee's work is over: its members hear so, with the note
    "samskab.committee.closed": NotifyRule("registration", "committee_closed", "committees", ("committee_id",),
                                           list_field="member_ids", exclude_field=("actor_id",)),
    "samskab.proposal.matches_suggested": NotifyRule(
        "matches", "matches_suggested", "proposals", ("proposal_id",), list_field="participants",
        new_list_field="newly_matched"),
}


_PLAIN = re.compile(r"[A-Za-z0-9-]{1,80}")


class _Ids(dict):
    """An event's data as an anchor may name it: ids and other plain words only."""

    def __missing__(self, key):
        raise KeyError(key)

    def __getitem__(self, key):
        value = str(dict.__getitem__(self, key))
        if not _PLAIN.fullmatch(value):
            raise KeyError(key)
        return value


def _anchored(rule, data):
    """The rule with its anchor's ``{field}`` filled from the event (``#c-<comment id>``);
    without the field the link opens the page part before the fragment."""
    if "{" not in rule.anchor:
        return rule
    try:
        anchor = rule.anchor.format_map(_Ids({k: v for k, v in data.items() if v is not None}))
    except (KeyError, ValueError, IndexError):
        anchor = rule.anchor.split("#")[0] if "{" not in rule.anchor.split("#")[0] else ""
    return replace(rule, anchor=anchor)


def rules_for(type_name, data):
    """The rules of ``NOTIFY`` that apply to an event of this type with this data."""
    found = NOTIFY.get(type_name, ())
    return [_anchored(r, data) for r in (found if isinstance(found, tuple) else (found,)) if r.applies(data)]

CONTACT = ("samskab.participant.registered", "samskab.participant.updated", "samskab.participant.erased")


@dataclass(frozen=True)
class Transactional:
    """An e-mail about the account itself: sent at once, whatever the preferences,
    without an unsubscribe link.  Address and language come from the event when
    it names them (confirming a new address), else from the stored contact."""

    template: str
    link_field: str
    email_field: str = ""
    language_field: str = ""


TRANSACTIONAL = {
    "samskab.participant.confirmation_requested": Transactional("confirm_address", "confirm_url", "email", "language"),
    "samskab.participant.password_reset_requested": Transactional("password_reset", "reset_url", "email", "language"),
}


def consumed_types(registered):
    """Every type the notifications service handles, among those registered."""
    wanted = set(AUDIENCE) | set(NOTIFY) | set(CONTACT) | set(TRANSACTIONAL)
    wanted |= {name for name, etype in registered.items() if etype.public is not None}
    return sorted(name for name in wanted if name in registered)


def resolve_recipients(rule, data, members, staff):
    """The participants ``rule`` notifies, each once, in a stable order.

    ``members`` is the audience of the rule's subjects as ``[(participant_id, relation)]``
    (or ``{subject: [(participant_id, relation)]}``) and ``staff`` the municipality's
    staff ids; both come from storage.
    """
    chosen = list(rule.direct_recipients(data))
    if isinstance(members, dict):
        for subject, relations in rule.audiences(data):
            chosen += [pid for pid, relation in members.get(subject, ()) if relation in relations]
    else:
        chosen += [pid for pid, relation in members if relation in rule.relations]
    if rule.staff:
        chosen += list(staff)
    excluded = rule.excluded(data)
    seen, result = set(), []
    for pid in chosen:
        pid = str(pid)
        if pid not in seen and pid not in excluded:
            seen.add(pid)
            result.append(pid)
    return result

