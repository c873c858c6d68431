"""The "Tried elsewhere" section of a proposal page: similar public proposals of
the other municipalities of the deployment, in any of da, nb, nn and en, with
where, in which language, how far they got and how they ended, so an initiator
can learn from (and contact) those who tried.  Only what their public pages show."""
from samskab.errors import Forbidden, NotFound, Unauthorized

from ...api.problems import BackendUnavailable


def tried_elsewhere(page, municipality_id, proposal_id):
    """``[{id, title, status, outcome, language, municipality, municipality_name, href}]``,
    most similar first; empty when matching does not answer (the page still renders)."""
    try:
        found = page.ctx.matching.similar(municipality_id, page.actor, proposal_id, across=True)
    except (NotFound, Forbidden, Unauthorized, BackendUnavailable):
        return []
    served = page.gateway.municipalities
    items = []
    for s in found.similar:
        place = served.get(s.municipality)
        items.append({
            "id": s.id, "title": s.title, "status": s.status, "outcome": s.outcome, "language": s.language,
            "municipality": s.municipality, "municipality_name": place.name if place else s.municipality,
            # its page is here when this deployment serves that municipality
            "href": f"/municipalities/{s.municipality}/proposals/{s.id}" if place else None,
        })
    return items
