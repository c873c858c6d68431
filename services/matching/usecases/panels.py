"""Citizen panels: check the request, compute the fair lottery off the event
loop, draw with the seed, keep the draw and publish its counts."""
import secrets
import uuid

import eventlet.tpool
import sqlalchemy as sa
from pydantic import ValidationError

from samskab.contracts.matching import PanelRequest, PanelSelected
from samskab.errors import Forbidden, Invalid
from samskab.values import field_errors, now, parse_id

from .. import panels as panel_domain
from ..storage import panels
from ..views import panel_event, panel_out


def select_panel(uow, municipality, actor, payload, time_limit):
    if not actor or not actor.get("staff") or actor.get("municipality") != municipality:
        raise Forbidden("only the municipality's staff may draw a panel")
    try:
        request = PanelRequest.model_validate(payload)
    except ValidationError as exc:
        raise Invalid("the panel request is not valid", field_errors(exc))
    seed = request.seed if request.seed is not None else secrets.randbits(62)
    volunteers = [panel_domain.Volunteer(v.id, dict(v.features), v.household) for v in request.volunteers]
    quotas = [panel_domain.Quota(f, value, b.min, b.max)
              for f, values in request.quotas.items() for value, b in values.items()]
    try:
        # The solver holds the CPU for a while: run it off the event loop.
        selection = eventlet.tpool.execute(
            panel_domain.select, volunteers, request.size, quotas, seed=seed, rule=request.rule,
            one_per_household=request.one_per_household, alternates=request.alternates, time_limit=time_limit)
    except panel_domain.InvalidRequest as exc:
        raise Invalid("the panel request is not valid", exc.errors)
    except panel_domain.Infeasible as exc:
        errors = [{"field": "quotas", "message": c} for c in exc.conflicts]
        errors += [{"field": f"quotas.{r['feature']}.{r['value']}.{r['bound']}",
                    "message": f"smallest relaxation: change {r['bound']} from {r['from']} to {r['to']}"}
                   for r in exc.relaxation]
        raise Invalid("no panel can meet these quotas", errors)
    panel_id = uuid.uuid4()
    result = panel_out(panel_id, municipality, request, selection, len(volunteers))
    with uow:
        uow.execute(panels.insert().values(
            id=panel_id, municipality=municipality, proposal_id=request.proposal_id,
            created_by=parse_id(actor["id"], "participant"), size=request.size, seed=selection.seed,
            request=request.model_dump(mode="json"), result=result, created_at=now()))
        uow.emit(PanelSelected.event_type, municipality=municipality, subject=f"panels/{panel_id}",
                 data=panel_event(panel_id, municipality, result))
    return result


def panels_of(uow, municipality, actor, proposal_id, limit=20):
    """The draws made for a proposal, newest first, with their seed, counts and the
    lottery's probabilities per type; the volunteers' ids (members, alternates, each
    one's probability) only for the municipality's staff."""
    pid = parse_id(proposal_id, "proposal")
    staff = bool(actor and actor.get("staff") and actor.get("municipality") == municipality)
    with uow:
        rows = uow.execute(sa.select(panels.c.result, panels.c.created_at).where(
            panels.c.municipality == municipality, panels.c.proposal_id == pid,
        ).order_by(panels.c.created_at.desc()).limit(limit)).all()
    found = []
    for row in rows:
        result = {**row.result, "created_at": row.created_at.isoformat()}
        if not staff:
            result.update(members=[], alternates=[], probabilities={})
        found.append(result)
    return found
