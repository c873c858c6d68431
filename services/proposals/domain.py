"""The rules of a proposal's life: states, who may move it where, and who may
do what with it.  Plain Python, no I/O: the service loads a proposal, asks this
module, stores what it says.

The caller's *capacity* towards a proposal decides what they may do:
``initiator`` (the person who started it), ``staff`` (an employee or politician
of the proposal's own municipality; staff of another municipality are plain
participants there) and ``participant`` (anyone else signed in).
"""
import datetime as dt
from dataclasses import dataclass, field

from samskab.contracts.proposals import Action, Capacity, Outcome, Status, values
from samskab.errors import Conflict, Forbidden, Invalid, NotFound

# The words come from the contracts (one definition); here they are plain strings.
STATUSES = values(Status)
OPEN = ("draft", "submitted", "published", "forming", "active")
CLOSED = ("concluded", "withdrawn", "rejected")
OUTCOMES = values(Outcome)

INITIATOR, STAFF, PARTICIPANT = values(Capacity)
CAPACITIES = (INITIATOR, STAFF, PARTICIPANT)

# Where people may join in: ask, support, agree, experiment.
DIALOGUE = ("submitted", "published", "forming", "active")
SUPPORTABLE = ("published", "forming", "active")
COLLABORATING = ("published", "forming", "active")


@dataclass(frozen=True)
class Rule:
    sources: tuple
    by: frozenset
    needs_reason: bool = False
    needs_outcome: bool = False


# One rule per target status: from where, and by whom.
TRANSITIONS = {
    "submitted": Rule(("draft",), frozenset({INITIATOR})),
    "published": Rule(("submitted",), frozenset({STAFF})),
    "forming": Rule(("published",), frozenset({INITIATOR, STAFF})),
    "active": Rule(("published", "forming"), frozenset({INITIATOR, STAFF})),
    "concluded": Rule(("active",), frozenset({INITIATOR, STAFF}), needs_reason=True, needs_outcome=True),
    "rejected": Rule(("submitted", "published", "forming", "active"), frozenset({STAFF}), needs_reason=True),
    "withdrawn": Rule(OPEN, frozenset({INITIATOR})),
}


@dataclass(frozen=True)
class Actor:
    id: str | None
    role: str | None = None
    municipality: str | None = None
    staff: bool = False

    @classmethod
    def of(cls, actor):
        """From the RPC ``actor`` dict (``None`` for anonymous)."""
        if not actor:
            return cls(None)
        return cls(str(actor["id"]), actor.get("role"), actor.get("municipality"), bool(actor.get("staff")))


# Someone signed in, but no proposal's initiator and nobody's staff (no account has this id).
SOME_PARTICIPANT = Actor("(any participant)")


@dataclass(frozen=True)
class StatusChange:
    from_status: str
    to_status: str
    actor_id: str
    capacity: str
    reason: str | None
    outcome: str | None
    at: dt.datetime


@dataclass
class Proposal:
    """The parts of a proposal the rules look at."""

    id: str
    municipality: str
    initiator_id: str
    status: str = "draft"
    hidden: bool = False
    history: list = field(default_factory=list)

    # -- who is asking --------------------------------------------------------

    def capacities(self, actor: Actor) -> frozenset:
        if actor.id is None:
            return frozenset()
        found = {PARTICIPANT}
        if actor.id == str(self.initiator_id):
            found.add(INITIATOR)
        if actor.staff and actor.municipality == self.municipality:
            found.add(STAFF)
        return frozenset(found)

    def capacity(self, actor: Actor) -> str:
        """The strongest capacity, as shown next to what someone did."""
        caps = self.capacities(actor)
        for cap in (STAFF, INITIATOR, PARTICIPANT):
            if cap in caps:
                return cap
        raise Forbidden("sign in first")

    def _require(self, actor, allowed, what):
        caps = self.capacities(actor) & allowed
        if not caps:
            raise Forbidden(f"only {' or '.join(sorted(allowed))} may {what}")
        return STAFF if STAFF in caps else sorted(caps)[0]

    def _require_status(self, allowed, what):
        if self.status not in allowed:
            raise Conflict(f"a {self.status} proposal cannot {what}")

    def _require_visible_and_shown(self, what):
        if self.hidden:
            raise Conflict(f"a hidden proposal cannot {what}")

    # -- reading ----------------------------------------------------------------

    def visible_to(self, actor: Actor) -> bool:
        """Drafts only to their initiator; everything else to everyone (hidden
        proposals show as a tombstone with the reason, see ``shows_content_to``)."""
        if self.status == "draft":
            return INITIATOR in self.capacities(actor)
        return True

    def require_visible(self, actor: Actor):
        if not self.visible_to(actor):
            raise NotFound("no such proposal")

    def shows_content_to(self, actor: Actor) -> bool:
        if not self.hidden:
            return True
        return bool(self.capacities(actor) & {INITIATOR, STAFF})

    # -- the status machine ---------------------------------------------------------

    def transition(self, to, actor: Actor, reason=None, outcome=None, now=None) -> StatusChange:
        """Move to ``to`` or raise: 422 unknown status or missing reason/outcome,
        403 the caller's capacity may never make this transition, 409 not from here."""
        if to not in STATUSES:
            raise Invalid("unknown status", [{"field": "to", "message": f"one of {', '.join(STATUSES)}"}])
        self.require_visible(actor)
        rule, capacity = self._check_move(to, actor)
        errors = []
        if rule.needs_reason and not (reason or "").strip():
            errors.append({"field": "reason", "message": f"say why the proposal is {to}"})
        if rule.needs_outcome and outcome not in OUTCOMES:
            errors.append({"field": "outcome", "message": f"one of {', '.join(OUTCOMES)}"})
        if not rule.needs_outcome and outcome is not None:
            errors.append({"field": "outcome", "message": "only a concluded proposal has an outcome"})
        if errors:
            raise Invalid("the transition lacks what it needs", errors)
        change = StatusChange(self.status, to, actor.id, capacity, reason, outcome,
                              now or dt.datetime.now(dt.timezone.utc))
        self.status = to
        self.history.append(change)
        return change

    def _check_move(self, to, actor):
        """The rule for moving to ``to`` and the caller's capacity for it, or 403/409."""
        rule = TRANSITIONS.get(to)
        if rule is None:
            raise Conflict(f"no proposal goes back to {to}")
        capacity = self._require(actor, rule.by, f"move a proposal to {to}")
        if self.status not in rule.sources:
            raise Conflict(f"a {self.status} proposal cannot move to {to}")
        self._require_visible_and_shown(f"move to {to}")
        return rule, capacity

    # -- what the caller may do next ---------------------------------------------------

    def allowed(self, actor: Actor) -> dict:
        """The caller's capacities, the statuses they may move the proposal to now and
        the actions they may take, by asking the same checks the changes ask (a page
        offers exactly what would succeed; a reason or outcome may still be missing)."""
        if not self.visible_to(actor):
            return {"capacities": [], "transitions": [], "actions": []}
        transitions = [to for to in TRANSITIONS if _passes(self._check_move, to, actor)]
        checks = {
            Action.EDIT: lambda: self.check_edit(actor, {"title"}),
            Action.SET_IAP2_LEVEL: lambda: self.check_edit(actor, {"iap2_level"}),
            Action.SUPPORT: lambda: self.check_support(actor, already=False),
            Action.FOLLOW: lambda: self.check_follow(actor),
            Action.ASK: lambda: self.check_ask(actor),
            Action.ANSWER: lambda: self.check_answer(actor, question_hidden=False),
            Action.DRAFT_AGREEMENT: lambda: self.check_agreement_draft(actor),
            Action.RECORD_EXPERIMENT: lambda: self.check_experiment(actor),
            Action.POST_UPDATE: lambda: self.check_update(actor),
            Action.REPORT: lambda: self.check_report(actor),
            Action.MODERATE: lambda: self.check_moderate(actor),
        }
        actions = [action.value for action, check in checks.items() if _passes(check)]
        return {"capacities": [c for c in CAPACITIES if c in self.capacities(actor)], "transitions": transitions,
                "actions": actions}

    def allowed_to_participants(self) -> dict:
        """What anyone signed in who neither started the proposal nor works for its
        municipality may do next: the same for each of them, so it goes with the public
        answer and a resident's page needs no call of its own to know its buttons."""
        return self.allowed(SOME_PARTICIPANT)

    # -- content -------------------------------------------------------------------

    def check_edit(self, actor: Actor, fields):
        """The initiator edits the content while the proposal is open; the
        municipality's staff set only what the municipality promises (IAP2)."""
        self.require_visible(actor)
        caps = self.capacities(actor)
        content = set(fields) - {"iap2_level"}
        if content and INITIATOR not in caps:
            raise Forbidden("only the initiator may change the proposal's content")
        if "iap2_level" in fields and not caps & {INITIATOR, STAFF}:
            raise Forbidden("only the initiator or the municipality's staff may set the IAP2 level")
        if not caps & {INITIATOR, STAFF}:
            raise Forbidden("only the initiator may change the proposal")
        self._require_status(OPEN, "be changed")
        self._require_visible_and_shown("be changed")

    # -- joining in -------------------------------------------------------------------

    def check_support(self, actor: Actor, already: bool):
        self.require_visible(actor)
        if actor.id is None:
            raise Forbidden("sign in to support a proposal")
        self._require_status(SUPPORTABLE, "be supported")
        self._require_visible_and_shown("be supported")
        if already:
            raise Conflict("you already support this proposal")

    def check_unsupport(self, actor: Actor, already: bool):
        self.require_visible(actor)
        if not already:
            raise Conflict("you do not support this proposal")
        self._require_status(SUPPORTABLE, "change its supports")

    def check_follow(self, actor: Actor):
        self.require_visible(actor)
        if actor.id is None:
            raise Forbidden("sign in to follow a proposal")

    def check_ask(self, actor: Actor):
        self.require_visible(actor)
        if actor.id is None:
            raise Forbidden("sign in to ask a question")
        self._require_status(DIALOGUE, "take questions")
        self._require_visible_and_shown("take questions")

    def check_answer(self, actor: Actor, question_hidden: bool) -> str:
        self.require_visible(actor)
        capacity = self._require(actor, {INITIATOR, STAFF}, "answer questions")
        self._require_status(DIALOGUE + ("concluded",), "take answers")
        self._require_visible_and_shown("take answers")
        if question_hidden:
            raise Conflict("a hidden question cannot be answered")
        return capacity

    def check_agreement_draft(self, actor: Actor) -> str:
        self.require_visible(actor)
        capacity = self._require(actor, {INITIATOR, STAFF}, "draft the collaboration agreement")
        self._require_status(COLLABORATING, "change its agreement")
        self._require_visible_and_shown("change its agreement")
        return capacity

    def check_experiment(self, actor: Actor) -> str:
        self.require_visible(actor)
        capacity = self._require(actor, {INITIATOR, STAFF}, "record experiments")
        self._require_status(COLLABORATING, "record experiments")
        self._require_visible_and_shown("record experiments")
        return capacity

    def check_update(self, actor: Actor) -> str:
        self.require_visible(actor)
        capacity = self._require(actor, {INITIATOR, STAFF}, "post progress updates")
        self._require_status(DIALOGUE + ("concluded",), "take progress updates")
        self._require_visible_and_shown("take progress updates")
        return capacity

    def check_report(self, actor: Actor):
        self.require_visible(actor)
        if actor.id is None:
            raise Forbidden("sign in to report content")
        if self.status == "draft":
            raise Conflict("a draft cannot be reported")

    def check_moderate(self, actor: Actor):
        self.require_visible(actor)
        self._require(actor, {STAFF}, "moderate this municipality's proposals")


def _passes(check, *args):
    try:
        check(*args)
    except (Forbidden, Conflict, NotFound):
        return False
    return True


# -- the collaboration agreement ----------------------------------------------------------


def with_required_parties(parties):
    """Every agreement binds at least the initiator and the municipality."""
    parties = [dict(p) for p in parties]
    roles = {p["role"] for p in parties}
    for role in ("initiator", "municipality"):
        if role not in roles:
            parties.insert(0 if role == "initiator" else 1, {"role": role, "participant_id": None, "responsibilities": ""})
    seen, unique = set(), []
    for p in parties:
        key = party_key(p)
        if key in seen:
            raise Invalid("a party is named twice", [{"field": "parties", "message": f"{key} appears twice"}])
        seen.add(key)
        unique.append(p)
    return unique


def party_key(party):
    if party["role"] == "partner":
        return f"partner:{party['participant_id']}"
    return party["role"]


def parties_of(actor: Actor, proposal: Proposal, parties) -> set:
    """Which parties of the agreement the caller may accept for."""
    caps = proposal.capacities(actor)
    keys = set()
    for p in parties:
        key = party_key(p)
        if p["role"] == "initiator" and INITIATOR in caps:
            keys.add(key)
        elif p["role"] == "municipality" and STAFF in caps:
            keys.add(key)
        elif p["role"] == "partner" and actor.id is not None and str(p["participant_id"]) == actor.id:
            keys.add(key)
    return keys


def check_acceptance(actor: Actor, proposal: Proposal, latest_version, version, parties) -> set:
    proposal.require_visible(actor)
    if latest_version is None:
        raise NotFound("this proposal has no agreement yet")
    keys = parties_of(actor, proposal, parties)
    if not keys:
        raise Forbidden("only a party to the agreement may accept it")
    if version != latest_version:
        raise Conflict(f"version {version} is not the current one ({latest_version}); read it again")
    proposal._require_status(COLLABORATING, "change its agreement")
    return keys


def agreement_accepted(parties, accepted_keys) -> bool:
    return {party_key(p) for p in parties} <= set(accepted_keys)


def replace_partner(content, participant_id, replacement):
    """The agreement ``content`` with the partner ``participant_id`` renamed ``replacement``
    (both strings), and whether anything changed.  Pure: the erasure renames a partner in
    every version of one agreement with the same random id, so the party keys of its
    acceptances (``partner:<id>``) still match their party."""
    changed = False
    parties = []
    for party in content.get("parties", []):
        if party.get("participant_id") is not None and str(party["participant_id"]) == participant_id:
            party = {**party, "participant_id": replacement}
            changed = True
        parties.append(party)
    return ({**content, "parties": parties} if changed else content), changed


# -- supports ------------------------------------------------------------------------


def threshold_crossed(count_before, count_after, threshold, already_reached) -> bool:
    """True once: the support that brings the count to the threshold."""
    return not already_reached and threshold > 0 and count_before < threshold <= count_after


def parse_thresholds(default, per_municipality):
    """``"25"`` and ``"aalborg=50,hamar=30"`` → a function municipality → threshold."""
    base = int(default)
    table = {}
    for part in (per_municipality or "").split(","):
        if part.strip():
            name, _, value = part.partition("=")
            table[name.strip()] = int(value)
    return lambda municipality: table.get(municipality, base)
