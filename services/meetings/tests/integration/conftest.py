"""Fixtures for the meetings service's integration tests: the real service on
the real broker and database, called over RPC as the gateway calls it."""
import datetime as dt
import uuid

import pytest
from nameko.standalone.rpc import ClusterRpcProxy

from samskab.testing import wait_for  # noqa: F401  (the meetings tests import it from here)

from meetings.service import Service as Meetings

UTC = dt.timezone.utc


def staff(municipality="aalborg"):
    return {"id": str(uuid.uuid4()), "role": "employee", "municipality": municipality, "staff": True,
            "operator": False, "confirmed": True}


def person(role="resident", municipality="aalborg"):
    return {"id": str(uuid.uuid4()), "role": role, "municipality": municipality, "staff": role in ("employee", "politician"),
            "operator": False, "confirmed": True}


def meeting_payload(**overrides):
    starts = dt.datetime.now(UTC) + dt.timedelta(days=7)
    payload = {
        "title": "Arbejdende borgermøde om Aalborg Øst", "format": "working_citizens_meeting",
        "purpose": "Hvordan kan flere cykle til arbejde i Aalborg Øst?",
        "promise": "Forslagene indgår i mobilitetsplanen, og I hører fra os inden sommer.",
        "iap2_level": "involve", "starts_at": starts.isoformat(),
        "ends_at": (starts + dt.timedelta(hours=2)).isoformat(),
        "online_url": "https://meet.example.org/aalborg-oest", "capacity": 10,
    }
    payload.update(overrides)
    return payload


@pytest.fixture
def meetings_config(make_config):
    return make_config("meetings")


@pytest.fixture
def meetings_service(container_factory, meetings_config):
    container = container_factory(Meetings, meetings_config)
    container.start()
    return container


@pytest.fixture
def rpc(meetings_service, meetings_config):
    with ClusterRpcProxy({"AMQP_URI": meetings_config["AMQP_URI"]}, timeout=30) as proxy:
        yield proxy.meetings
