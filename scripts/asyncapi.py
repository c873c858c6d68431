"""Generate docs/asyncapi.yaml (AsyncAPI 3.0) from the event registry.

    python scripts/asyncapi.py            # write docs/asyncapi.yaml
    python scripts/asyncapi.py --check    # exit 1 if docs/asyncapi.yaml is stale
    python scripts/asyncapi.py --stdout   # print it

Every public event type becomes a channel on the ``samskab.public`` topic
exchange with its routing key ``{municipality}.<entity>.<verb>``, one receive
operation, and a message whose payload is the CloudEvents envelope with
``data`` being the event's public projection.  Internal-only types are left
out: third parties never see them.
"""
import argparse
import difflib
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "shared"))

import yaml  # noqa: E402

from samskab import events  # noqa: E402

TARGET = os.path.join(ROOT, "docs", "asyncapi.yaml")
VHOST = "samskab"  # deploy/rabbitmq/definitions.json
AMQP_BINDING_VERSION = "0.3.0"
REF = "#/components/schemas/{model}"


def camel(type_name):
    """``samskab.proposal.status_changed`` → ``proposalStatusChanged``."""
    words = re.split(r"[._]", type_name[len(events.TYPE_PREFIX):])
    return words[0] + "".join(w[:1].upper() + w[1:] for w in words[1:])


def _schema(model, schemas):
    schema = model.model_json_schema(ref_template=REF, mode="serialization")
    for name, sub in list(schema.pop("$defs", {}).items()) + [(model.__name__, schema)]:
        if name in schemas and schemas[name] != sub:
            # Two contracts use one class name for different shapes: the document would be wrong.
            raise SystemExit(f"asyncapi: two different schemas are both named {name}; rename one of the models")
        schemas[name] = sub
    return {"$ref": REF.format(model=model.__name__)}


def envelope_schema():
    return {
        "type": "object",
        "description": "A CloudEvents 1.0 envelope in structured JSON mode.",
        "required": ["specversion", "id", "source", "type", "time", "subject", "datacontenttype", "municipality", "data"],
        "properties": {
            "specversion": {"type": "string", "const": "1.0"},
            "id": {"type": "string", "format": "uuid", "description": "Unique per event; also the AMQP message_id."},
            "source": {"type": "string", "description": "/municipalities/<municipality>/<service>"},
            "type": {"type": "string"},
            "time": {"type": "string", "format": "date-time"},
            "subject": {"type": "string", "description": "e.g. proposals/<id>, meetings/<id>"},
            "datacontenttype": {"type": "string", "const": "application/json"},
            "municipality": {"type": "string", "pattern": "^[a-z][a-z0-9-]{1,62}$"},
            "traceparent": {"type": "string", "description": "W3C trace context of the request that caused it"},
            "data": {"type": "object"},
        },
    }


def build(registry=None):
    registry = registry if registry is not None else events.registry()
    schemas = {"CloudEvent": envelope_schema()}
    channels, operations, messages = {}, {}, {}
    for name in sorted(registry):
        etype = registry[name]
        if etype.public is None:
            continue
        key = camel(name)
        data_ref = _schema(etype.public, schemas)
        suffix = name[len(events.TYPE_PREFIX):]
        messages[key] = {
            "name": name,
            "title": name,
            "summary": etype.description.splitlines()[0] if etype.description else name,
            "contentType": events.CONTENT_TYPE,
            "correlationId": {"description": "The CloudEvents id, also the AMQP message_id", "location": "$message.payload#/id"},
            "payload": {"allOf": [
                {"$ref": REF.format(model="CloudEvent")},
                {"type": "object", "properties": {"type": {"const": name}, "data": data_ref}},
            ]},
            "bindings": {"amqp": {"contentEncoding": "utf-8", "messageType": name, "bindingVersion": AMQP_BINDING_VERSION}},
        }
        if etype.description:
            messages[key]["description"] = etype.description
        channels[key] = {
            "address": "{municipality}." + suffix,
            "title": name,
            "description": f"`{name}` events of one municipality on the `{events.PUBLIC_EXCHANGE}` topic exchange; "
                           f"bind with the routing key `<municipality>.{suffix}` or a pattern such as `<municipality>.#`.",
            "parameters": {"municipality": {"$ref": "#/components/parameters/municipality"}},
            "messages": {key: {"$ref": f"#/components/messages/{key}"}},
            "bindings": {"amqp": {
                "is": "routingKey",
                "exchange": {"name": events.PUBLIC_EXCHANGE, "type": "topic", "durable": True, "autoDelete": False, "vhost": VHOST},
                "bindingVersion": AMQP_BINDING_VERSION,
            }},
        }
        operations["receive" + key[:1].upper() + key[1:]] = {
            "action": "receive",
            "title": f"Receive {name}",
            "channel": {"$ref": f"#/channels/{key}"},
            "messages": [{"$ref": f"#/channels/{key}/messages/{key}"}],
            "bindings": {"amqp": {"ack": True, "bindingVersion": AMQP_BINDING_VERSION}},
        }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Samskab public event stream",
            "version": "1.0.0",
            "description": (
                "Public events of the Samskab co-creation platform, for third parties (local press, apps, other "
                "municipal systems). Every message is a CloudEvents 1.0 envelope (structured JSON) whose `data` is the "
                "event's public projection: ids and public content only, never personal data. AMQP properties: "
                "`content_type` application/cloudevents+json, `message_id` = the event id, `delivery_mode` 2. "
                "To start without a gap: bind your own queue to the `samskab.public` topic exchange first, then "
                "page through the history at `GET /api/v1/municipalities/{m}/events?after=<cursor>` to its end, then "
                "consume the queue, skipping event ids you already have. "
                "Generated by scripts/asyncapi.py from the event registry; do not edit by hand."
            ),
            "license": {"name": "EUPL-1.2", "url": "https://interoperable-europe.ec.europa.eu/collection/eupl/eupl-text-eupl-12"},
        },
        "defaultContentType": events.CONTENT_TYPE,
        "servers": {
            "partners": {
                "host": "{broker}:5671",
                "protocol": "amqps",
                "protocolVersion": "0.9.1",
                "pathname": "/" + VHOST,
                "title": "The deployment's broker, for third parties",
                "description": "TLS only (verify the certificate against the deployment's CA), vhost `samskab`. "
                               "The onboarding command (`make partner NAME=… MUNICIPALITIES=…`) gives you a user "
                               "`tp-<name>` that may declare queues named `tp.<name>.…`, bind them to `samskab.public` "
                               "with routing keys of your municipalities, read them, and publish nothing.",
                "variables": {"broker": {"description": "The broker's host name in this deployment",
                                         "default": "localhost", "examples": ["amqp.samskab.example.org"]}},
                "security": [{"$ref": "#/components/securitySchemes/partnerPassword"},
                             {"$ref": "#/components/securitySchemes/partnerCertificate"}],
            },
        },
        "channels": channels,
        "operations": operations,
        "components": {
            "securitySchemes": {
                "partnerPassword": {"type": "userPassword",
                                    "description": "AMQP PLAIN over TLS with the user and password the onboarding "
                                                   "command printed."},
                "partnerCertificate": {"type": "X509",
                                       "description": "A client certificate signed by the deployment's CA, where the "
                                                      "operator enabled rabbitmq_auth_mechanism_ssl (docs/runbook.md)."},
            },
            "parameters": {"municipality": {
                "description": "The municipality id (a slug such as aalborg or hamar); use * or # in a binding pattern.",
                "examples": ["aalborg", "hamar"],
            }},
            "messages": messages,
            "schemas": dict(sorted(schemas.items())),
        },
    }


def render(document=None):
    document = document if document is not None else build()
    header = "# Generated by scripts/asyncapi.py from the event registry. Do not edit; run `python scripts/asyncapi.py`.\n"
    return header + yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the committed document is stale")
    parser.add_argument("--stdout", action="store_true")
    parser.add_argument("--output", default=TARGET)
    args = parser.parse_args(argv)
    text = render()
    if args.stdout:
        sys.stdout.write(text)
        return 0
    if args.check:
        try:
            with open(args.output, encoding="utf-8") as fh:
                current = fh.read()
        except FileNotFoundError:
            current = ""
        if current != text:
            diff = difflib.unified_diff(current.splitlines(), text.splitlines(), args.output, "generated", lineterm="", n=1)
            print("\n".join(list(diff)[:60]))
            print(f"{os.path.relpath(args.output, ROOT)} is stale: run `python scripts/asyncapi.py`", file=sys.stderr)
            return 1
        print(f"{os.path.relpath(args.output, ROOT)} is current")
        return 0
    os.makedirs(os.path.dirname(args.output), exist_ok=True)
    with open(args.output, "w", encoding="utf-8") as fh:
        fh.write(text)
    print(f"wrote {os.path.relpath(args.output, ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
