"""Redocly CLI and Spectral on the gateway's OpenAPI document: 0 errors from either
(installed from tools/openapi-lint's lock file by scripts/install_tools.sh)."""
import json
import os
import shutil
import subprocess

import pytest

from gateway.api.router import router

TOOLS = os.path.join(os.path.dirname(__file__), "..", "..", "tools", "openapi-lint")
BIN = os.path.join(TOOLS, "node_modules", ".bin")


@pytest.fixture(scope="module")
def document(tmp_path_factory):
    if not shutil.which("node") or not os.path.isdir(BIN):
        pytest.skip("tools/openapi-lint is not installed (scripts/install_tools.sh)")
    path = tmp_path_factory.mktemp("openapi") / "openapi.json"
    path.write_text(json.dumps(router.openapi()))
    return str(path)


def run(*args):
    return subprocess.run(args, cwd=TOOLS, capture_output=True, text=True, timeout=300)


def test_redocly_finds_no_error(document):
    result = run(os.path.join(BIN, "redocly"), "lint", "--format=stylish", document)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def test_spectral_finds_no_error(document):
    result = run(os.path.join(BIN, "spectral"), "lint", "--ruleset", ".spectral.yaml", "--fail-severity", "error",
                 document)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
