"""The front page and each municipality's home: what is under way, what
happened lately, what meetings are coming, and how co-creation works here."""
from samskab.contracts.rpc import plain

from ..app import page_route, parts

ONGOING = ["forming", "active"]
RECENT = ["submitted", "published", "forming", "active", "concluded"]


@page_route("/")
def index(page):
    served = list(page.gateway.municipalities.values())
    if len(served) == 1:
        return page.redirect(f"/municipalities/{served[0].id}")
    return page.render("index.html", title=page._("index.title"), served=served)


@page_route("/municipalities/<m>")
def home(page, m):
    municipality = page.in_municipality(m)
    rpc, mid, actor = page.ctx.proposals, municipality.id, page.actor
    found = parts(
        ongoing=(lambda: rpc.list_page(mid, actor, {"status": ONGOING, "sort": "active", "limit": 6}).items, []),
        recent=(lambda: rpc.list_page(mid, actor, {"status": RECENT, "sort": "active", "limit": 8}).items, []),
        meetings=(lambda: plain(page.ctx.meetings.list(mid, actor, upcoming=True, limit=5)), []),
    )
    return page.render("home.html", title=page._("home.title"), ongoing=found["ongoing"],
                       recent=found["recent"], meetings=found["meetings"])
