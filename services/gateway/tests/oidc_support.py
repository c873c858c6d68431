"""The development OpenID provider (tools/oidc-provider, node-oidc-provider with demo
identities) for the sign-in tests: started on free ports, with a gateway config that
points at it."""
import contextlib
import os
import shutil
import socket
import subprocess
import time

import pytest
import requests

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
TOOL = os.path.join(ROOT, "tools", "oidc-provider")
CLIENT_ID = "samskab-test"
CLIENT_SECRET = "test-client-secret-0123456789"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def skip_without_node():
    if not shutil.which("node") or not os.path.isdir(os.path.join(TOOL, "node_modules")):
        pytest.skip("node or tools/oidc-provider/node_modules is missing: run sh scripts/install_tools.sh")


@contextlib.contextmanager
def dev_provider():
    """``(gateway settings, gateway base URL)``: the provider runs until the block ends; the
    gateway must listen on the base URL's port (WEB_SERVER_ADDRESS is in the settings)."""
    skip_without_node()
    for _ in range(3):  # a port from free_port() may be taken before node binds it: node exits, try another
        op_port, gw_port = free_port(), free_port()
        issuer, base = f"http://127.0.0.1:{op_port}", f"http://127.0.0.1:{gw_port}"
        env = dict(os.environ, OIDC_DEV_PORT=str(op_port), OIDC_DEV_ISSUER=issuer, OIDC_DEV_CLIENT_ID=CLIENT_ID,
                   OIDC_DEV_CLIENT_SECRET=CLIENT_SECRET, OIDC_DEV_REDIRECT_URIS=f"{base}/auth/oidc/devid/callback")
        node = subprocess.Popen(["node", os.path.join(TOOL, "server.js")], env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        deadline = time.time() + 30
        while node.poll() is None and time.time() < deadline:
            try:
                if requests.get(issuer + "/.well-known/openid-configuration", timeout=1).ok:
                    break
            except requests.RequestException:
                pass
            time.sleep(0.2)
        if node.poll() is None and time.time() < deadline:
            break
        node.kill()
        node.wait(10)
    else:
        raise AssertionError("the development OpenID provider did not start")
    try:
        yield dict(
            WEB_SERVER_ADDRESS=f"127.0.0.1:{gw_port}", PUBLIC_URL=base,
            OIDC_PROVIDERS="devid", OIDC_DEVID_ISSUER=issuer, OIDC_DEVID_CLIENT_ID=CLIENT_ID,
            OIDC_DEVID_CLIENT_SECRET=CLIENT_SECRET, OIDC_DEVID_LABEL="Demo-ID",
            OIDC_DEVID_SCOPE="openid email profile residence", OIDC_DEVID_RESIDENCE_CLAIM="municipality_code",
            OIDC_SUBJECT_SALT="test-subject-salt-0123456789",
        ), base
    finally:
        node.terminate()
        node.wait(timeout=10)
