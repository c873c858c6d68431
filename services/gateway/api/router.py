"""The API's routes, declared next to their handlers, and the OpenAPI document built from them.

    @route("POST", "/municipalities/<m>/proposals", body=NewProposal, status=201,
           response=ProposalOut, auth=True, summary="Submit a proposal")
    def create(ctx, m, body): ...

A handler gets a :class:`gateway.api.context.Context`, the path values and,
when ``body`` is given, the validated body model; it returns the JSON body (or
a werkzeug ``Response``).
"""
import json
import re
from dataclasses import dataclass, field

from pydantic import BaseModel
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Response

from .. import idempotency
from .problems import Problem

API_PREFIX = "/api/v1"
SECRET_FIELDS = {"access_token", "key", "secret"}
MUTATING = ("POST", "PUT", "PATCH", "DELETE")
IDEMPOTENCY_HEADER = {"name": idempotency.HEADER, "in": "header", "required": False,
                      "schema": {"type": "string", "minLength": 1, "maxLength": idempotency.MAX_LENGTH,
                                 "pattern": "^[!-~]+$"},
                      "description": "Any unique string per intended change (a UUID), for signed-in callers: a "
                                     "retry with the same key and body answers what the first request did "
                                     "(header Idempotent-Replayed: true) instead of doing it again; the same key "
                                     "with another body is refused (422); while the first is still running, 409"}


def response_of(route, result):
    """A handler's result as the HTTP response."""
    if isinstance(result, Response):
        return result
    return Response(json.dumps(result, ensure_ascii=False, default=str), status=route.status,
                    content_type="application/json")


def run(ctx, route, args):
    """Call the route's handler; a mutating request with an ``Idempotency-Key`` runs once
    per key (``gateway.idempotency``), its retries answered with the first answer."""
    key = ctx.request.headers.get(idempotency.HEADER)
    if route.method not in MUTATING or key is None:
        return route.handler(ctx, **args)
    idempotency.checked_key(key)
    owner = idempotency.owner(ctx.account, ctx.request.headers.get(API_KEY_HEADER_NAME))
    if owner is None:
        return route.handler(ctx, **args)
    body = args.get("body")
    request = ctx.request
    print_ = idempotency.fingerprint(route.method, request.path, request.query_string,
                                     body.model_dump_json() if body is not None else _form_print(route, request))
    claim = idempotency.claim(ctx.db, ctx.config, owner, key, print_)
    if claim.replay is not None and route.keeps_no_answer:
        raise Problem(409, "the request with this Idempotency-Key was done; its answer holds a secret that is "
                           "shown only once, so it is not sent again")
    if claim.replay is not None:
        # Routes that document a retry as 200 answer it so; others answer as the first time.
        status = 200 if route.idempotent_replay and claim.replay.status == 201 else None
        return idempotency.replay_response(claim.replay, status)
    try:
        response = response_of(route, route.handler(ctx, **args))
    except BaseException:
        claim.forget()
        raise
    claim.done(response, keep_body=not route.keeps_no_answer)
    return response


def _form_print(route, request):
    """A multipart form's fields and files (their digests), so that a key sent again with
    another file is refused like one sent with another JSON body."""
    if route.form is None:
        return ""
    parts = [f"{k}={v}" for k, v in sorted(request.form.items(multi=True))]
    for name, upload in sorted(request.files.items(multi=True), key=lambda item: item[0]):
        parts.append(f"{name}:{idempotency.fingerprint(upload.read())}")
        upload.seek(0)
    return "\n".join(parts)


@dataclass(eq=False)
class Route:
    method: str
    path: str
    handler: object
    body: type | None = None
    response: object = None
    status: int = 200
    auth: bool | str = False  # False, True (any account), or a role check name
    summary: str = ""
    tags: list = field(default_factory=list)
    media_type: str = "application/json"
    query: dict = field(default_factory=dict)  # name -> (schema, description)
    headers: dict = field(default_factory=dict)  # request header name -> (schema, description)
    # A retry answers 200 with the first result: True (by Idempotency-Key) or the 200's description
    idempotent_replay: bool | str = False
    limited: bool = False  # throttled: may answer 429 with Retry-After
    max_body: int | None = None  # bytes of body this route takes, if not the gateway's MAX_BODY_BYTES
    form: type | None = None  # a multipart/form-data body (documented by this model; the handler reads it)
    # The answer holds a secret shown once (a token, an API key, a signing secret): a retry by
    # Idempotency-Key is not answered with it again (the gateway does not keep it), but with 409.
    secret_answer: bool | None = None

    @property
    def keeps_no_answer(self):
        if self.secret_answer is not None:
            return self.secret_answer
        fields = getattr(self.response, "model_fields", {})
        return bool(set(fields) & SECRET_FIELDS)

    @property
    def template(self):
        return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", self.path)

API_KEY_HEADER_NAME = "X-Api-Key"
PROBLEM_DESCRIPTIONS = {
    400: "Bad request", 401: "Not signed in, or the token is no longer valid",
    403: "Signed in, but not allowed", 404: "Not found", 409: "Conflict", 413: "Body too large",
    415: "Unsupported media type (what the content is, not what its name says)",
    422: "Invalid input (the fields are named)", 429: "Too many attempts (see Retry-After)",
    503: "A backend is not answering (see Retry-After)",
}


class Router:
    def __init__(self):
        self.routes = []
        self._map = None
        self._adapter = None

    def route(self, method, path, **options):
        def register(handler):
            self.routes.append(Route(method.upper(), path, handler, **options))
            self._map = None
            return handler

        return register

    @property
    def url_map(self):
        if self._map is None:
            self._map = Map(
                [Rule(API_PREFIX + r.path, methods=[r.method], endpoint=r) for r in self.routes],
                strict_slashes=False,
            )
        return self._map

    def match(self, path, method):
        adapter = self._adapter
        if adapter is None or self._map is None:  # bound once per route table, not per request
            adapter = self._adapter = self.url_map.bind("localhost")
        return adapter.match(path, method=method)

    # -- OpenAPI 3.1 ----------------------------------------------------------

    def openapi(self, title="Samskab API", version="1"):
        schemas = {}

        def ref(model):
            if model is None:
                return None
            if isinstance(model, dict):
                return model
            if isinstance(model, type) and issubclass(model, BaseModel):
                schema = model.model_json_schema(ref_template="#/components/schemas/{model}", mode="serialization")
                for name, sub in schema.pop("$defs", {}).items():
                    schemas[name] = sub
                schemas[model.__name__] = schema
                return {"$ref": f"#/components/schemas/{model.__name__}"}
            if isinstance(model, list):
                return {"type": "array", "items": ref(model[0])}
            raise TypeError(model)

        def input_ref(model):
            schema = model.model_json_schema(ref_template="#/components/schemas/{model}", mode="validation")
            for name, sub in schema.pop("$defs", {}).items():
                schemas[name] = sub
            schemas[model.__name__ + "Input"] = schema
            return {"$ref": f"#/components/schemas/{model.__name__}Input"}

        problem = {"$ref": "#/components/schemas/Problem"}
        schemas["Problem"] = {
            "type": "object",
            "required": ["type", "title", "status"],
            "properties": {
                "type": {"type": "string"},
                "title": {"type": "string"},
                "status": {"type": "integer"},
                "detail": {"type": "string"},
                "instance": {"type": "string"},
                "errors": {
                    "type": "array",
                    "items": {"type": "object", "properties": {"field": {"type": "string"}, "message": {"type": "string"}}},
                },
            },
        }
        paths = {}
        for r in self.routes:
            op = {"operationId": r.handler.__module__.rsplit(".", 1)[-1] + "_" + r.handler.__name__, "responses": {}}
            if r.summary:
                op["summary"] = r.summary
            op["description"] = " ".join((r.handler.__doc__ or r.summary or r.template).split())
            if r.tags:
                op["tags"] = r.tags
            converters = dict((name, conv) for conv, name in re.findall(r"<(?:([a-z]+):)?([a-z_]+)>", r.path))
            params = [
                {"name": name, "in": "path", "required": True,
                 "schema": {"type": "string", "format": "uuid"} if converters.get(name) == "uuid"
                 else {"type": "string"}}
                for name in re.findall(r"\{([a-z_]+)\}", r.template)
            ]
            for name, (schema, description) in r.query.items():
                params.append({"name": name, "in": "query", "required": False, "schema": schema, "description": description})
            for name, (schema, description) in r.headers.items():
                params.append({"name": name, "in": "header", "required": False, "schema": schema, "description": description})
            if r.method in MUTATING and idempotency.HEADER not in r.headers:
                params.append(IDEMPOTENCY_HEADER)
            if params:
                op["parameters"] = params
            if r.body is not None:
                op["requestBody"] = {"required": True, "content": {"application/json": {"schema": input_ref(r.body)}}}
            if r.form is not None:
                op["requestBody"] = {"required": True, "content": {"multipart/form-data": {"schema": input_ref(r.form)}}}
            ok = {"description": "OK"}
            if r.response is not None:
                ok["content"] = {r.media_type: {"schema": ref(r.response)}}
            elif r.media_type != "application/json":
                ok["content"] = {r.media_type: {"schema": {"type": "string"}}}
            op["responses"][str(r.status)] = ok
            if r.idempotent_replay:
                op["responses"]["200"] = {**ok, "description": r.idempotent_replay if isinstance(r.idempotent_replay, str)
                                          else "A retry with the same Idempotency-Key: what the first request made "
                                          "(header Idempotent-Replayed: true)"}
            if r.auth:
                op["security"] = [{"bearer": []}, {"session": []}]
            elif API_KEY_HEADER_NAME in (r.summary or "") or "api-keys" in r.path or "webhooks" in r.path:
                # a subscriber's X-Api-Key, or staff signed in
                op["security"] = [{"apiKey": []}, {"bearer": []}, {"session": []}]
            else:
                op["security"] = [{}]  # open to anyone (a token, if sent, is still checked)
            errors = [400, 404, 413, 422, 503] if r.body is not None else [400, 404, 503]
            if r.form is not None:
                errors += [413, 415, 422]
            if op["security"] != [{}]:
                errors += [401, 403]
            if r.method in MUTATING:
                errors += [409, 422]  # 409: the same Idempotency-Key in progress; 422: used for another body
            if r.limited:
                errors.append(429)
            for status in sorted(set(errors)):
                op["responses"][str(status)] = {
                    "description": PROBLEM_DESCRIPTIONS.get(status, "Problem"),
                    "content": {"application/problem+json": {"schema": problem}},
                }
                if status in (429, 503):
                    op["responses"][str(status)]["headers"] = {"Retry-After": {
                        "description": "seconds to wait", "schema": {"type": "integer"}}}
            paths.setdefault(API_PREFIX + r.template, {})[r.method.lower()] = op
        return {
            "openapi": "3.1.0",
            "info": {"title": title, "version": version, "license": {"name": "EUPL-1.2", "identifier": "EUPL-1.2"},
                     "contact": {"name": "the operators of this deployment"},
                     "description": "Co-creation between residents and their municipality: proposals, meetings, "
                                    "matching and notifications.  Errors are RFC 9457 problem+json; every request "
                                    "that creates or changes something takes an Idempotency-Key."},
            "tags": [{"name": t} for t in sorted({t for r in self.routes for t in r.tags})],
            "servers": [{"url": "/", "description": "this deployment (the paths carry /api/v1)"}],
            "paths": paths,
            "components": {
                "schemas": schemas,
                "securitySchemes": {
                    "bearer": {"type": "http", "scheme": "bearer"},
                    "session": {"type": "apiKey", "in": "cookie", "name": "samskab_session"},
                    "apiKey": {"type": "apiKey", "in": "header", "name": API_KEY_HEADER_NAME,
                               "description": "a subscriber's API key (issued by an operator)"},
                },
            },
        }


router = Router()
route = router.route
