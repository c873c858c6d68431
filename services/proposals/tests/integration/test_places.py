"""Proposals on the map: a point chosen while proposing is stored, listed "in this area",
changed or removed by its initiator, and carried by the public events."""
import pytest
import sqlalchemy as sa

from samskab.db import outbox
from samskab.errors import Invalid
from samskab.events import public_envelope
from samskab.testing import unit_of_work

from .test_service import EMPLOYEE, PROPOSAL, RESIDENT, service  # noqa: F401  (fixture)

pytestmark = pytest.mark.integration

CROSSING = {**PROPOSAL, "title": "Farligt kryds ved Vestbyen", "latitude": 57.0500, "longitude": 9.9100}
HARBOUR = {**PROPOSAL, "title": "Havnefronten", "latitude": 57.0530, "longitude": 9.9300}


def test_a_point_is_kept_listed_in_a_box_and_published_without_a_name(service):  # noqa: F811
    call, url = service
    crossing = call("submit", "aalborg", RESIDENT, CROSSING)
    assert (crossing["latitude"], crossing["longitude"]) == (57.05, 9.91)
    harbour = call("submit", "aalborg", RESIDENT, HARBOUR)
    call("submit", "aalborg", RESIDENT, PROPOSAL)  # no point: never in a box
    for p in (crossing, harbour):
        call("transition", "aalborg", EMPLOYEE, p["id"], {"to": "published"})

    def titles(bbox):
        return sorted(p["title"] for p in call("list_page", "aalborg", None, {"bbox": bbox})["items"])

    assert titles("9.90,57.04,9.92,57.06") == ["Farligt kryds ved Vestbyen"]
    assert titles("9.80,57.00,10.00,57.10") == ["Farligt kryds ved Vestbyen", "Havnefronten"]
    assert titles("10.5,57.0,11.0,57.1") == []
    with pytest.raises(Invalid) as refused:
        call("list_page", "aalborg", None, {"bbox": "9.9,57"})
    assert refused.value.errors[0]["field"] == "bbox"

    with pytest.raises(Invalid):
        call("submit", "aalborg", RESIDENT, {**PROPOSAL, "latitude": 57.0})
    with pytest.raises(Invalid):
        call("update", "aalborg", RESIDENT, crossing["id"], {"longitude": 9.0})
    moved = call("update", "aalborg", RESIDENT, crossing["id"], {"latitude": 57.0480, "longitude": 9.9120})
    assert (moved["latitude"], moved["longitude"]) == (57.048, 9.912)

    with unit_of_work(url) as uow:
        updated = uow.execute(sa.select(outbox.c.envelope).where(outbox.c.type == "samskab.proposal.updated")
                              .order_by(outbox.c.id.desc())).scalars().first()
    assert (updated["data"]["latitude"], updated["data"]["longitude"]) == (57.048, 9.912)
    public = public_envelope(updated)
    assert public["data"]["latitude"] == 57.048 and "initiator_id" not in public["data"]

    cleared = call("update", "aalborg", RESIDENT, crossing["id"], {"latitude": None, "longitude": None})
    assert cleared["latitude"] is None and titles("9.90,57.04,9.92,57.06") == []
