"""Whose events a consumer accepts, decided from broker user names alone."""
from samskab import events
from samskab.consumer import Publishers


def test_with_per_service_users_a_type_is_accepted_only_from_its_owners_users():
    seen_by = Publishers("samskab-notifications.north", "notifications")
    assert seen_by.per_service
    owner = events.get_type("samskab.participant.password_reset_requested").owner
    assert owner == "gateway"
    assert seen_by.may_publish("samskab-gateway", owner)
    assert seen_by.may_publish("samskab-gateway.north", owner)
    for other in ("samskab-proposals", "samskab-gatewayx", "tp-press", "guest", "samskab-notifications.north"):
        assert not seen_by.may_publish(other, owner), other


def test_where_services_share_one_user_only_that_user_is_accepted():
    seen_by = Publishers("guest", "notifications")
    assert not seen_by.per_service
    assert seen_by.may_publish("guest", "gateway")
    assert not seen_by.may_publish("samskab-gateway", "gateway")


def test_every_event_type_of_the_contracts_has_an_owning_service():
    owners = {name: t.owner for name, t in events.registry().items()}
    assert all(owners.values()), [n for n, o in owners.items() if not o]
    assert owners["samskab.proposal.submitted"] == "proposals"
    assert owners["samskab.proposal.matches_suggested"] == "matching"
