"""How many requests or events an instance works on at once comes from the environment."""
import pytest

from samskab.config import ConfigError, load

ENV = {"POSTGRES_URL": "postgresql://postgres@127.0.0.1:5432"}


def test_the_gateway_has_its_own_worker_count_and_backends_keep_theirs():
    assert load("gateway", ENV)["max_workers"] == 100
    assert load("meetings", ENV)["max_workers"] == 10
    env = {**ENV, "GATEWAY_MAX_WORKERS": "40", "MAX_WORKERS": "3"}
    assert load("gateway", env)["max_workers"] == 40
    assert load("meetings", env)["max_workers"] == 3


@pytest.mark.parametrize("value", ["0", "-2", "many"])
def test_a_worker_count_that_cannot_work_is_refused_by_name(value):
    with pytest.raises(ConfigError, match="GATEWAY_MAX_WORKERS"):
        load("gateway", {**ENV, "GATEWAY_MAX_WORKERS": value})
    with pytest.raises(ConfigError, match="MAX_WORKERS"):
        load("proposals", {**ENV, "MAX_WORKERS": value})


def test_events_per_transaction_come_from_event_batch():
    assert load("notifications", ENV)["EVENT_BATCH"] == 10
    assert load("notifications", {**ENV, "EVENT_BATCH": "1"})["EVENT_BATCH"] == 1
    with pytest.raises(ConfigError, match="EVENT_BATCH"):
        load("notifications", {**ENV, "EVENT_BATCH": "0"})
