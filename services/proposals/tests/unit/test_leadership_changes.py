"""The rules for answering in office and for changing and closing missions and
committees (issue 22), pure and fast."""
import types

import pytest

from samskab.errors import Conflict

from proposals import leadership
from proposals.domain import Actor

POLITICIAN = Actor("p1", "politician", "aalborg", True)
EMPLOYEE = Actor("e1", "employee", "aalborg", True)
OTHER = Actor("h1", "politician", "hjorring", True)
OFFICE = types.SimpleNamespace(name="Anna", party="S")


def test_a_politician_answers_in_office_and_staff_as_employees():
    assert leadership.answering_office(POLITICIAN, "staff", OFFICE) == {
        "role": "politician", "name": "Anna", "party": "S", "participant_id": "p1"}
    assert leadership.answering_office(POLITICIAN, "staff", None) == {"role": "politician"}
    assert leadership.answering_office(EMPLOYEE, "staff", None) == {"role": "employee"}
    assert leadership.answering_office(POLITICIAN, "initiator", OFFICE) is None


def committee(closed=False, delivered=False):
    return types.SimpleNamespace(municipality="aalborg", closed_at="x" if closed else None,
                                 delivered_at="x" if delivered else None)


@pytest.mark.parametrize("row, members, expected", [
    (committee(), [], "recruiting"), (committee(), ["m"], "working"), (committee(delivered=True), ["m"], "delivered"),
    (committee(closed=True, delivered=True), ["m"], "closed")])
def test_a_committee_is_closed_once_closed(row, members, expected):
    assert leadership.committee_status(row, members, None) == expected


def test_the_mandate_changes_while_recruiting_and_the_committee_closes_after_delivering():
    row = committee()
    assert "edit" in leadership.committee_allowed(EMPLOYEE, row, "recruiting", False, False)
    assert "edit" not in leadership.committee_allowed(OTHER, row, "recruiting", False, False)
    assert "close" not in leadership.committee_allowed(EMPLOYEE, row, "working", False, False)
    assert "close" in leadership.committee_allowed(EMPLOYEE, row, "delivered", False, False)
    leadership.check_edit_committee("recruiting", [])
    with pytest.raises(Conflict):
        leadership.check_edit_committee("recruiting", ["seated"])
    with pytest.raises(Conflict):
        leadership.check_close_committee("working")
    with pytest.raises(Conflict):
        leadership.check_close_committee("closed")
    leadership.check_close_committee("answered")


def test_a_closed_mission_cannot_change():
    open_ = types.SimpleNamespace(closed_at=None, closed_as=None)
    closed = types.SimpleNamespace(closed_at="x", closed_as="achieved")
    assert leadership.mission_status(open_) == "open" and leadership.mission_status(closed) == "achieved"
    leadership.check_mission_open(open_, "change")
    with pytest.raises(Conflict, match="achieved"):
        leadership.check_mission_open(closed, "change")
