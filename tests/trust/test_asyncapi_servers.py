"""docs/asyncapi.yaml tells a partner the real vhost, the amqps server and how to log in."""
import os

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_partners_are_told_the_vhost_the_amqps_server_and_the_security_schemes():
    with open(os.path.join(ROOT, "docs", "asyncapi.yaml"), encoding="utf-8") as fh:
        doc = yaml.safe_load(fh)
    [server] = doc["servers"].values()
    assert server["protocol"] == "amqps" and server["host"].endswith(":5671") and server["pathname"] == "/samskab"
    schemes = doc["components"]["securitySchemes"]
    assert {s["type"] for s in schemes.values()} == {"userPassword", "X509"}
    assert {ref["$ref"].rsplit("/", 1)[1] for ref in server["security"]} == set(schemes)
    assert {c["bindings"]["amqp"]["exchange"]["vhost"] for c in doc["channels"].values()} == {"samskab"}
