"""The API's routes, declared next to their handlers, and the OpenAPI document built from them.

    @route("POST", "/municipalities/<m>/proposals", body=NewProposal, status=201,
           response=ProposalOut, auth=True, summary="Submit a proposal")
    def create(ctx, m, body): ...

A handler gets a :class:`gateway.api.context.Context`, the path values and,
when ``body`` is given, the validated body model; it returns the JSON body (or
a werkzeug ``Response``).
"""
import re
from dataclasses import dataclass, field

from pydantic import BaseModel
from werkzeug.routing import Map, Rule

API_PREFIX = "/api/v1"


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

    @property
    def template(self):
        return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", self.path)


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
            if params:
                op["parameters"] = params
            if r.body is not None:
                op["requestBody"] = {"required": True, "content": {"application/json": {"schema": input_ref(r.body)}}}
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
            errors = [400, 404, 413, 422, 503] if r.body is not None else [400, 404, 503]
            if r.auth:
                errors += [401, 403]
            if r.method in ("POST", "PUT", "PATCH", "DELETE"):
                errors.append(409)
            for status in sorted(set(errors)):
                op["responses"][str(status)] = {
                    "description": "Problem",
                    "content": {"application/problem+json": {"schema": problem}},
                }
            if r.auth:
                op["security"] = [{"bearer": []}, {"session": []}]
            paths.setdefault(API_PREFIX + r.template, {})[r.method.lower()] = op
        return {
            "openapi": "3.1.0",
            "info": {"title": title, "version": version, "license": {"name": "EUPL-1.2", "identifier": "EUPL-1.2"}},
            "paths": paths,
            "components": {
                "schemas": schemas,
                "securitySchemes": {
                    "bearer": {"type": "http", "scheme": "bearer"},
                    "session": {"type": "apiKey", "in": "cookie", "name": "samskab_session"},
                },
            },
        }


router = Router()
route = router.route
