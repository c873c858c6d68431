"""A person's rights over what notifications holds: the export (GDPR art. 15 and
20) and the erasure (art. 17, on ``samskab.participant.erased``)."""
from samskab.values import parse_id

from .. import views
from ..storage import people


def export_participant(uow, participant_id):
    """Everything held here that is linked to the person, as JSON.

    Contact details, the notification choices they made, their notifications (inbox
    or held for a digest), the e-mails to them (subject line, status and times, not
    the body, which holds nothing the notification does not), the digests made for
    them, what they are known to belong to or follow, and the API keys they issued as
    an operator (never the key; webhooks belong to an API key, not to a person).
    After an erasure every collection is empty."""
    pid = parse_id(participant_id, "participant")
    with uow:
        held = people.everything_about(uow, pid)
    return views.export(pid, held)


def erase(uow, pid):
    """Remove everything personal about them, keeping only a one-way digest of the id
    so that late or replayed events about them bring nothing back."""
    people.erase(uow, pid)
