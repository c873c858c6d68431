"""The projection's rules on the real database: a hidden proposal stays blank whatever
comes after, a case never goes back a step, and a municipality sees only its own rows."""
import datetime as dt
import uuid

import pytest

from samskab import events
from samskab.testing import unit_of_work

from notifications.storage import open_data
from notifications.tests.open_data_events import proposal

pytestmark = pytest.mark.integration
START = dt.datetime(2026, 12, 1, 9, tzinfo=dt.timezone.utc)


def project(url, steps, municipality="aalborg"):
    with unit_of_work(url) as uow:
        for n, (type_name, subject, data) in enumerate(steps):
            time = (START + dt.timedelta(minutes=n)).isoformat()
            open_data.project(uow, events.public_envelope(events.make(
                type_name, municipality=municipality, service="proposals", subject=subject, data=data, time=time)))


def rows(url, dataset, municipality="aalborg"):
    with unit_of_work(url) as uow:
        return {str(r["id"]): r for r in open_data.records(uow, municipality, dataset)}


def test_a_hidden_proposal_stays_blank_when_it_changes_later(make_database):
    url = make_database("notifications")
    pid = str(uuid.uuid4())
    subject = f"proposals/{pid}"
    project(url, [
        ("samskab.proposal.published", subject, proposal(pid, "published", title="Slemme ord")),
        ("samskab.proposal.hidden", subject, {"proposal_id": pid, "municipality": "aalborg", "target_type": "proposal",
                                              "target_id": pid, "reason": "Krænkende", "author_id": str(uuid.uuid4()),
                                              "hidden_by": str(uuid.uuid4())}),
        ("samskab.proposal.status_changed", subject, proposal(
            pid, "withdrawn", title="Slemme ord", from_status="published", changed_by="initiator",
            actor_id=str(uuid.uuid4()))),
    ])
    row = rows(url, "proposals")[pid]
    assert (row["title"], row["problem"], row["goal"], row["status"]) == ("", "", "", "hidden")
    assert row["created_at"] == START and row["updated_at"] == START + dt.timedelta(minutes=2)


def test_a_case_never_goes_back_a_step_and_each_municipality_sees_its_own(make_database):
    url = make_database("notifications")
    case = str(uuid.uuid4())
    opened = {"case_id": case, "municipality": "aalborg", "kind": "proposal", "proposal_id": str(uuid.uuid4()),
              "title": "Spisevenner", "opened_at": START.isoformat()}
    decided = {**opened, "decision": "rejected", "reason": "Ingen penge", "decided_at": START.isoformat(),
               "decided_by": {"role": "politician", "name": "Anna", "party": "A"}, "actor_id": str(uuid.uuid4())}
    placed = {**opened, "body": "Byrådet", "meeting_date": "2027-01-20", "actor_id": str(uuid.uuid4())}
    project(url, [("samskab.case.opened", "proposals/x", opened), ("samskab.decision.made", "proposals/x", decided),
                  ("samskab.case.placed", "proposals/x", placed), ("samskab.case.opened", "proposals/x", opened)])
    [row] = rows(url, "decisions").values()
    assert (row["status"], row["decision"], row["body"]) == ("decided", "rejected", "Byrådet")
    assert rows(url, "decisions", "hjorring") == {}
