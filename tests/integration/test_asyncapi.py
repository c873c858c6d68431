"""docs/asyncapi.yaml is current with the event registry and valid for the
AsyncAPI project's own parser (@asyncapi/parser, run with node)."""
import os
import shutil
import subprocess
import sys

import pytest
import yaml

from samskab import events

pytestmark = pytest.mark.integration

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TOOLS = os.path.join(ROOT, "tools", "asyncapi")
DOC = os.path.join(ROOT, "docs", "asyncapi.yaml")


def run(*args, **kwargs):
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=240, **kwargs)


def test_the_committed_document_is_current():
    result = run(sys.executable, "scripts/asyncapi.py", "--check")
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_public_event_has_a_channel_on_the_public_exchange_and_internal_ones_none():
    with open(DOC, encoding="utf-8") as fh:
        doc = yaml.safe_load(fh)
    registry = events.registry()
    public = {name for name, t in registry.items() if t.public is not None}
    messages = {m["name"] for m in doc["components"]["messages"].values()}
    assert messages == public
    for channel in doc["channels"].values():
        assert channel["bindings"]["amqp"]["exchange"]["name"] == "samskab.public"
        assert channel["address"].startswith("{municipality}.")
    assert "samskab.participant.registered" not in messages


@pytest.fixture(scope="module")
def parser():
    if shutil.which("node") is None:
        pytest.skip("node is not installed: cannot run @asyncapi/parser (apt-get install nodejs npm)")
    if not os.path.isdir(os.path.join(TOOLS, "node_modules", "@asyncapi", "parser")):
        installed = run("npm", "ci", "--no-audit", "--no-fund", "--prefix", TOOLS)
        assert installed.returncode == 0, "npm ci in tools/asyncapi failed:\n" + installed.stderr
    return lambda path: run("node", os.path.join(TOOLS, "validate.js"), path)


def test_the_asyncapi_parser_accepts_the_document(parser):
    result = parser(DOC)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "valid AsyncAPI 3.0.0" in result.stdout


def test_the_parser_check_does_catch_a_broken_document(parser, tmp_path):
    with open(DOC, encoding="utf-8") as fh:
        doc = yaml.safe_load(fh)
    first = next(iter(doc["operations"].values()))
    first["channel"] = {"$ref": "#/channels/noSuchChannel"}
    broken = tmp_path / "broken.yaml"
    broken.write_text(yaml.safe_dump(doc), encoding="utf-8")
    result = parser(str(broken))
    assert result.returncode != 0, result.stdout
