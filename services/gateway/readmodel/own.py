"""What is a signed-in reader's own on proposal pages, kept per account between their
writes, so that a resident's proposal page needs no call of its own per view.

A resident's page of a proposal differs from an anonymous reader's in three things:
whether they support it, whether they follow it, and what they may do next (their
buttons).  The proposals service answers the first two for a whole municipality at
once (``mine``: the ids of the proposals the caller started, supports and follows, and
their capacities there), and its public answer of a proposal carries what any
participant may do next (``participant_allowed``).  So the page is the public read
model's answer with those three set from this memory: one call when a resident first
reads a proposal of the municipality, none for the next pages they read.

This memory is not the public read model: it holds ids per account, in this instance's
memory only, and is never shared or rendered into a kept page.

* Kept per (account, municipality, role, the account's own municipality): a new role is
  a new key.
* Valid while the account's ``own_version`` (accounts table) is the one it was fetched
  at.  Supports, follows and proposals change only by the account's own writes, each of
  which passes a gateway; every such write a signed-in caller makes raises the version
  (:func:`wrote`), and every signed-in request reads the account row anyway, so any
  instance sees the change on the caller's next request.  At most ``READMODEL_OWN_SECONDS``
  (60) in any case: a write whose instance stopped before raising the version.
* Not used where the page shows more than the public answer: to the proposal's
  initiator and to the municipality's staff (drafts, hidden content, who started it),
  whose page asks the service live as before.
"""
import collections
import re
import time

from samskab.contracts.proposals import ProposalOut

# A participant of the municipality: no proposal's initiator there, nobody's staff.
PARTICIPANT_ONLY = ["participant"]
ACCOUNT = "samskab.account"  # the signed-in caller's account row, once a request has read it
Own = collections.namedtuple("Own", "version at capacities initiated supported followed")


class OwnReads:
    def __init__(self, max_entries=10_000, max_age=60.0):
        self.max_entries, self.max_age = max_entries, max_age
        self.entries = collections.OrderedDict()  # key -> Own, least recently used first
        self.stats = collections.Counter()

    def of(self, ctx, municipality):
        """The caller's own ids and capacities in ``municipality``: kept, or asked once."""
        account = ctx.account
        key = (account.id, municipality, account.role, account.municipality)
        found = self.entries.get(key)
        now = time.monotonic()
        if found is not None and found.version == account.own_version and now - found.at < self.max_age:
            self.entries.move_to_end(key)
            self.stats["own hits"] += 1
            return found
        self.stats["own fetches"] += 1
        answer = ctx.proposals.mine(municipality, ctx.actor)
        own = Own(account.own_version, now, list(answer.capacities), frozenset(answer.initiated),
                  frozenset(answer.supported), frozenset(answer.followed))
        self.entries[key] = own
        self.entries.move_to_end(key)
        while len(self.entries) > self.max_entries:
            self.entries.popitem(last=False)
        return own


def proposal(ctx, municipality, proposal_id) -> ProposalOut:
    """One proposal as the caller may see it, with ``allowed``, ``supported_by_me`` and
    ``followed_by_me`` (what ``ctx.proposals.get`` answers), from memory where it can."""
    proposal_id = str(proposal_id)
    actor = ctx.actor
    store = getattr(ctx.gateway, "readmodel", None)
    if actor is None or store is None:
        return ctx.proposals.get(municipality, actor, proposal_id)
    own = store.own.of(ctx, municipality)
    if own.capacities != PARTICIPANT_ONLY or proposal_id in own.initiated:
        store.stats["live proposals.get (initiator or staff)"] += 1
        return ctx.proposals.get(municipality, actor, proposal_id)
    public = ctx.proposals.get(municipality, None, proposal_id)  # from the read model
    if public.participant_allowed is None:
        return ctx.proposals.get(municipality, actor, proposal_id)  # a proposals service that does not say
    # The public answer was made for this call (the model keeps JSON), so it may become theirs.
    theirs = public.model_copy(update={"allowed": public.participant_allowed, "participant_allowed": None,
                                       "supported_by_me": proposal_id in own.supported,
                                       "followed_by_me": proposal_id in own.followed})
    theirs.__pydantic_fields_set__.discard("participant_allowed")  # as the live answer: not there at all
    return theirs


# The writes that may change what is one's own here: anything on proposals (submit, support,
# follow …, through the API or a page) and on one's own account (erasure, the /me pages).
OWN_WRITES = re.compile(r"/proposals(/|$)|^(/api/v1)?/me(/|$)")


def wrote(request, raise_version):
    """After a write (any method but GET, HEAD and OPTIONS) by a signed-in caller that may
    change what is theirs (``OWN_WRITES``), whatever its outcome (a timed-out call may still
    have committed): their ``own_version`` goes up, so every instance asks again."""
    account = request.environ.get(ACCOUNT)
    if account is None or request.method in ("GET", "HEAD", "OPTIONS") or not OWN_WRITES.search(request.path):
        return
    raise_version(account.id)
