"""``GET …/proposals/{id}`` says what the caller may do next, as the proposals service
decides it (the web pages offer exactly this): the initiator, the municipality's
staff, another resident and an anonymous reader each get their own answer, and it
follows the proposal through its life.  Real gateway and proposals services."""
import pytest
import requests

from .test_data_rights import ok, proposal, site  # noqa: F401  (the fixture)

pytestmark = pytest.mark.integration


def test_each_caller_is_told_what_they_may_do_next(site):  # noqa: F811
    s = site
    _, anna = s.register("anna@example.org")
    _, bo = s.register("bo@example.org")
    _, staff = s.register("jens.kommune@example.org", role="employee")
    pid = ok(requests.post(f"{s.api}/municipalities/aalborg/proposals", json=proposal("Bænke"), headers=anna), 201)["id"]

    def allowed(headers=None):
        return ok(requests.get(s.p(pid), headers=headers or {}))["allowed"]

    assert allowed(anna)["transitions"] == ["withdrawn"]
    assert "edit" in allowed(anna)["actions"] and "support" not in allowed(anna)["actions"]
    assert allowed(staff)["transitions"] == ["published", "rejected"]
    assert allowed(staff)["capacities"] == ["staff", "participant"] and "moderate" in allowed(staff)["actions"]
    assert allowed(bo) == {"capacities": ["participant"], "transitions": [], "actions": ["follow", "ask", "report"]}
    assert allowed() == {"capacities": [], "transitions": [], "actions": []}

    ok(requests.post(s.p(pid, "/transitions"), json={"to": "published"}, headers=staff))
    assert allowed(anna)["transitions"] == ["forming", "active", "withdrawn"]
    assert allowed(staff)["transitions"] == ["forming", "active", "rejected"]
    assert {"support", "ask", "follow", "report"} <= set(allowed(bo)["actions"]) and allowed(bo)["transitions"] == []
