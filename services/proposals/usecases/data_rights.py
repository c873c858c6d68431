"""A person's rights over their data: erasure (account deleted) and export."""
import uuid

from samskab.errors import NotFound
from samskab.values import parse_id

from .. import domain, storage, views


def erase_participant(uow, participant_id):
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
    pid = uuid.UUID(str(participant_id))
    if pid == storage.ERASED:
        return
    with uow:
        people = storage.Participants(uow)
        storage.Proposals(uow).discard(people.never_public(pid))
        people.unlink(pid)
        renamed = {}
        for version in people.agreements_naming(pid):
            replacement = renamed.setdefault(version.proposal_id, str(uuid.uuid4()))
            content, changed = domain.replace_partner(version.content, str(pid), replacement)
            if changed:
                people.replace_content(version.proposal_id, version.version, content)
        for proposal_id, replacement in renamed.items():
            people.rename_acceptances(proposal_id, pid, replacement)
        people.forget_published_events(pid)


def export_participant(uow, participant_id):
    """Everything held here that is linked to the person (GDPR art. 15 and 20), as JSON.

    What others did about their contributions (answers to their questions, moderation
    of their content by someone else) is not theirs and is left out, except the
    decision on a report they made and a moderation reason on their own content."""
    pid = parse_id(participant_id, "participant")
    if pid == storage.ERASED:
        raise NotFound("no such participant")
    with uow:
        data = storage.Participants(uow).export(pid)
    return views.jsonable(data)
