"""The proposal endpoints as OpenAPI 3.1 describes them: every route there, every
schema a valid JSON Schema 2020-12, errors as problem+json.  (No services needed.)"""
import jsonschema
import pytest

from gateway.api import proposals as api, staff
from gateway.api.router import API_PREFIX, router

ROUTES = [r for r in router.routes if r.handler.__module__ in (api.__name__, staff.__name__)]


@pytest.fixture(scope="module")
def openapi():
    return router.openapi()


def test_the_document_is_openapi_3_1_and_every_schema_is_valid_json_schema(openapi):
    assert openapi["openapi"] == "3.1.0"
    for name, schema in openapi["components"]["schemas"].items():
        jsonschema.Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r.method} {r.template}")
def test_every_proposal_route_is_described_with_its_body_and_problems(openapi, route):
    operation = openapi["paths"][API_PREFIX + route.template][route.method.lower()]
    assert str(route.status) in operation["responses"]
    if route.body is not None:
        ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        assert ref.rsplit("/", 1)[1] in openapi["components"]["schemas"]
        assert "422" in operation["responses"] and "413" in operation["responses"]
    if route.auth:
        assert {"401", "403"} <= set(operation["responses"])
    problem = operation["responses"]["404"]["content"]["application/problem+json"]["schema"]
    assert problem == {"$ref": "#/components/schemas/Problem"}


def test_the_life_cycle_paths_of_the_design_are_all_there(openapi):
    one = f"{API_PREFIX}/municipalities/{{m}}/proposals/{{proposal_id}}"
    expected = {
        f"{API_PREFIX}/municipalities/{{m}}/proposals": {"get", "post"},
        one: {"get", "patch"},
        one + "/transitions": {"get", "post"},
        one + "/supports": {"get", "post", "delete"},
        one + "/follows": {"post", "delete"},
        one + "/questions": {"get", "post"},
        one + "/questions/{question_id}/answers": {"post"},
        one + "/agreement": {"get", "put"},
        one + "/agreement/acceptances": {"post"},
        one + "/experiments": {"get", "post"},
        one + "/experiments/{experiment_id}": {"patch"},
        one + "/updates": {"get", "post"},
        one + "/reports": {"post"},
        one + "/hidden": {"post"},
        f"{API_PREFIX}/municipalities/{{m}}/reports": {"get"},
        f"{API_PREFIX}/municipalities/{{m}}/reports/{{report_id}}/decision": {"post"},
        f"{API_PREFIX}/accounts/{{account_id}}/role": {"post"},
    }
    for path, methods in expected.items():
        assert methods <= set(openapi["paths"][path]), path


def test_the_transition_body_names_every_status_and_outcome(openapi):
    schema = openapi["components"]["schemas"]["TransitionRequestInput"]
    validator = jsonschema.Draft202012Validator({**schema, "components": openapi["components"]})
    assert validator.is_valid({"to": "concluded", "outcome": "implemented", "reason": "built"})
    assert not validator.is_valid({"to": "archived"})
    assert not validator.is_valid({"to": "concluded", "outcome": "finished"})
