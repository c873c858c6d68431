import dataclasses

from pydantic import create_model

from samskab.municipalities import Municipality

from .router import route

# The catalogue's own fields, as the API's schema (one declaration: samskab.municipalities).
MunicipalityOut = create_model("MunicipalityOut", **{
    f.name: (f.type, ...) for f in dataclasses.fields(Municipality)})


@route("GET", "/municipalities", response=[MunicipalityOut], summary="The municipalities this deployment serves",
       tags=["municipalities"])
def list_municipalities(ctx):
    return [m.as_dict() for m in ctx.gateway.municipalities.values()]
