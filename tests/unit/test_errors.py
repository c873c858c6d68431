"""Domain errors keep their detail and field errors across nameko RPC."""
from nameko.exceptions import deserialize, serialize

from samskab.errors import Invalid, NotFound


def test_a_domain_error_without_field_errors_arrives_with_an_empty_list():
    exc = deserialize(serialize(NotFound("no such proposal")))
    assert isinstance(exc, NotFound)
    assert exc.detail == "no such proposal" and exc.errors == []


def test_field_errors_survive_the_trip():
    errors = [{"field": "goal", "message": "Field required"}]
    exc = deserialize(serialize(Invalid("the proposal is not valid", errors)))
    assert isinstance(exc, Invalid) and exc.errors == errors and exc.status == 422
