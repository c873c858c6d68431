from pydantic import BaseModel

from .router import route


class MunicipalityOut(BaseModel):
    id: str
    name: str
    official_code: str
    country: str
    language: str
    time_zone: str


@route("GET", "/municipalities", response=[MunicipalityOut], summary="The municipalities this deployment serves",
       tags=["municipalities"])
def list_municipalities(ctx):
    return [m.as_dict() for m in ctx.gateway.municipalities.values()]
