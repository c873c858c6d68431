"""The web pages (server-rendered); for now, a plain page pointing at the API."""
from html import escape

from werkzeug.wrappers import Response

from .api.problems import Problem


def dispatch(gateway, request):
    if request.path == "/":
        names = "".join(f"<li>{escape(m.name)}</li>" for m in gateway.municipalities.values())
        html = (
            "<!doctype html><html lang=en><meta charset=utf-8><title>Samskab</title>"
            f"<h1>Samskab</h1><p>Co-creation for municipalities.</p><ul>{names}</ul>"
            '<p><a href="/api/v1/openapi.json">API (OpenAPI)</a></p></html>'
        )
        return Response(html, content_type="text/html; charset=utf-8"), "/"
    raise Problem(404, "no such page")
