# eventlet must patch sockets before anything else imports them, tests included.
from samskab import green

green.patch()

pytest_plugins = ["samskab.testing"]

import pytest  # noqa: E402


# nameko's factories, requested after ``make_config`` so their containers stop
# before the per-test databases and vhosts are dropped.
@pytest.fixture
def runner_factory(make_config, runner_factory):
    return runner_factory


@pytest.fixture
def container_factory(make_config, container_factory):
    return container_factory
